"""Generate the bundled sample data set, deterministically.

Two years (2024-2025) of synthetic incidents for twelve services: impact and urgency drawn per
incident, priority from the ITIL matrix, durations log-normal (heavy-tailed, as real incident
durations are), about one P1 in two declared a major incident, a few still open at the end,
and some test incidents that KPIs must leave out. Run from the repository's root:

    python scripts/make_sample.py

It rewrites ``src/majorincident/data/sample-incidents.csv.gz``; the same seed gives the same
bytes.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

SEED = 20190702
COUNT = 2400
START = datetime(2024, 1, 1, tzinfo=UTC)
END = datetime(2026, 1, 1, tzinfo=UTC)
SERVICES = [
    "web",
    "checkout",
    "payments",
    "point-of-sale",
    "search",
    "cdn",
    "dns",
    "email",
    "vpn",
    "erp",
    "identity",
    "reporting",
]
CHANNELS = ["monitoring", "portal", "email", "phone", "hotline", "chat"]
FIELDS = [
    "id",
    "title",
    "service",
    "channel",
    "impact",
    "urgency",
    "priority",
    "major",
    "kind",
    "started_at",
    "detected_at",
    "reported_at",
    "acknowledged_at",
    "declared_at",
    "contained_at",
    "resolved_at",
    "closed_at",
]
LEVELS = ["high", "medium", "low"]


def iso(moment: datetime | None) -> str:
    """ISO-8601 in UTC with a Z, or empty."""
    return "" if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def row(rng: random.Random, number: int) -> dict[str, str]:
    """One synthetic incident."""
    reported = START + timedelta(seconds=rng.uniform(0, (END - START).total_seconds()))
    impact = rng.choices(LEVELS, weights=[1, 3, 6])[0]
    urgency = rng.choices(LEVELS, weights=[2, 4, 4])[0]
    priority = LEVELS.index(impact) + LEVELS.index(urgency) + 1
    major = priority == 1 and rng.random() < 0.5
    started = reported - timedelta(seconds=rng.lognormvariate(5.5, 1.0))
    detected = started + (reported - started) * rng.random()
    acknowledged = reported + timedelta(seconds=rng.lognormvariate(5.0 - major, 1.0))
    resolve_scale = {1: 8.6, 2: 9.4, 3: 10.2, 4: 10.8, 5: 11.3}[priority]
    service = rng.choice(SERVICES)
    resolved: datetime | None = acknowledged + timedelta(
        seconds=rng.lognormvariate(resolve_scale, 1.2)
    )
    declared = contained = None
    if major:
        declared = acknowledged + timedelta(seconds=rng.lognormvariate(5.0, 0.6))
        contained = declared + (resolved - declared) * rng.uniform(0.2, 0.7)  # type: ignore[operator]
    closed: datetime | None = resolved + timedelta(days=rng.uniform(0.5, 5))
    if resolved > END or (reported > END - timedelta(days=20) and rng.random() < 0.6):
        resolved = closed = None
    if closed is not None and closed > END:
        closed = None
    return {
        "id": f"INC{number:06d}",
        "title": f"{rng.choice(['Errors', 'Slowness', 'Outage', 'Timeouts'])} on {service}",
        "service": service,
        "channel": rng.choice(CHANNELS),
        "impact": impact,
        "urgency": urgency,
        "priority": f"P{priority}",
        "major": "true" if major else "false",
        "kind": "test" if rng.random() < 0.02 else "normal",
        "started_at": iso(started),
        "detected_at": iso(detected),
        "reported_at": iso(reported),
        "acknowledged_at": iso(acknowledged),
        "declared_at": iso(declared),
        "contained_at": iso(contained),
        "resolved_at": iso(resolved),
        "closed_at": iso(closed),
    }


def main() -> None:
    """Write the compressed CSV."""
    rng = random.Random(SEED)
    rows = sorted((row(rng, n) for n in range(COUNT)), key=lambda r: r["reported_at"])
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    target = Path("src/majorincident/data/sample-incidents.csv.gz")
    with target.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed:
        packed.write(text.getvalue().encode("utf-8"))


if __name__ == "__main__":
    main()
