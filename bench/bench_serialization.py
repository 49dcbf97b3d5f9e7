"""Benchmark to_json and from_json on Incident records, against hand-written code in the same run.

Targets (issue: structure), 10,000 Incident records (four to six milestones, one in ten with a
hold), best of five:
- ``to_json(record)`` at most 1.5x building the same dict by hand plus ``json.dumps``;
- ``from_json(text, Incident)`` at most 1.5x ``json.loads`` plus ``Incident(**fields)`` (holds
  built as ``Hold(**hold)``), with no check of the document beyond what the constructor does.
The library's loader also refuses unknown and missing keys, wrong JSON types, repeated keys,
deep nesting and out-of-range numbers, naming the JSON path; the baseline does none of that.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from majorincident import Incident, Milestone, from_json, to_json
from majorincident.incident import Hold
from majorincident.serialization import SCHEMA_VERSION

from _harness import Report, per_call

N = 10_000


def records() -> list[Incident]:
    """Incidents as an ITSM tool keeps them: most resolved, a few held, some major."""
    rng = random.Random(11)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    out = []
    for n in range(N):
        reported = start + timedelta(seconds=rng.uniform(0, 365 * 86_400))
        acknowledged = reported + timedelta(seconds=rng.expovariate(1 / 300))
        resolved = acknowledged + timedelta(seconds=rng.lognormvariate(8, 1.2))
        holds = []
        if n % 10 == 0:
            pause = acknowledged + (resolved - acknowledged) / 3
            holds = [Hold(pause, pause + (resolved - pause) / 2, "awaiting_vendor")]
        out.append(
            Incident(
                f"INC{n:07d}",
                title="Checkout returns 502",
                service=rng.choice(("web", "payments", "search", "mail")),
                impact=rng.choice(("high", "medium", "low")),
                urgency=rng.choice(("high", "medium", "low")),
                major=n % 7 == 0,
                started_at=reported - timedelta(minutes=5) if n % 3 == 0 else None,
                reported_at=reported,
                acknowledged_at=acknowledged,
                resolved_at=resolved,
                closed_at=resolved + timedelta(days=1),
                holds=holds,
                reopen_count=int(n % 13 == 0),
            )
        )
    return out


def _value(member: Any) -> Any:  # noqa: ANN401 - an enum member or None
    return None if member is None else member.value


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def by_hand(incident: Incident) -> str:
    """The baseline writer: the same document, field by field, then json.dumps."""
    document = {
        "schema_version": SCHEMA_VERSION,
        "type": "incident",
        "id": incident.id,
        "title": incident.title,
        "service": incident.service,
        "affected_services": sorted(incident.affected_services),
        "channel": _value(incident.channel),
        "impact": _value(incident.impact),
        "urgency": _value(incident.urgency),
        "priority": _value(incident.priority),
        "major": incident.major,
        "kind": incident.kind.value,
    }
    for milestone in Milestone:
        document[milestone.field] = _iso(incident.moment(milestone))
    document["holds"] = [
        {"start": _iso(h.start), "end": _iso(h.end), "reason": _value(h.reason)}
        for h in incident.holds
    ]
    document["reopen_count"] = incident.reopen_count
    document["parent_id"] = incident.parent_id
    document["child_ids"] = list(incident.child_ids)
    document["problem_id"] = incident.problem_id
    document["change_id"] = incident.change_id
    return json.dumps(document)


def load_by_hand(text: str) -> Incident:
    """The baseline reader: json.loads, then the constructor on the fields as they are."""
    fields = json.loads(text)
    del fields["schema_version"], fields["type"]
    fields["holds"] = [Hold(**hold) for hold in fields["holds"]]
    return Incident(**fields)


def main() -> None:
    """Time both directions against their baselines and check both give the same records."""
    data = records()
    texts = [to_json(incident) for incident in data]
    if [by_hand(i) for i in data] != texts:
        raise SystemExit("the baseline writes another document than to_json")
    if not [load_by_hand(t) for t in texts] == [from_json(t, Incident) for t in texts] == data:
        raise SystemExit("the baseline reads other records than from_json")

    report = Report(f"serialization of {N:,} Incident records")
    ours = per_call(lambda: [to_json(i) for i in data], number=1)
    base = per_call(lambda: [by_hand(i) for i in data], number=1)
    report.info("to_json, per record", ours / N * 1e6, "us")
    report.info("by hand + json.dumps, per record", base / N * 1e6, "us")
    report.ratio("to_json / by hand", ours, base, at_most=1.5)

    ours = per_call(lambda: [from_json(t, Incident) for t in texts], number=1)
    base = per_call(lambda: [load_by_hand(t) for t in texts], number=1)
    report.info("from_json, per record", ours / N * 1e6, "us")
    report.info("json.loads + Incident(**fields), per record", base / N * 1e6, "us")
    report.ratio("from_json / by hand", ours, base, at_most=1.5)
    report.finish()


if __name__ == "__main__":
    main()
