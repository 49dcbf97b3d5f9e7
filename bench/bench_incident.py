"""Benchmark building Incident records, against a baseline measured in the same run.

Targets (issue: incident record and workflow):
- building 1,000,000 Incident records from ISO-8601 strings (four milestones each) at most 3x a
  bare loop that parses the same strings with datetime.fromisoformat(...).astimezone(UTC) into
  tuples; the records are built in bulk with Incident.from_rows(pause_collector=True), and the
  figures for from_rows with the collector left running (its default, which leaves the process's
  collector alone) and for one constructor call per record are printed beside it;
- at most 1 KB per record with four milestones (tracemalloc).
"""

from __future__ import annotations

import random
import time
import tracemalloc
from datetime import UTC, datetime, timedelta

from majorincident.incident import Incident

from _harness import Report

N = 1_000_000


def rows() -> list[tuple[str, str, str, str, str]]:
    """Ids and four ISO-8601 milestones (UTC, as exports write them), in a sane order."""
    rng = random.Random(7)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    out = []
    for n in range(N):
        started = start + timedelta(seconds=rng.uniform(0, 365 * 86_400))
        detected = started + timedelta(seconds=rng.expovariate(1 / 300))
        reported = detected + timedelta(seconds=rng.expovariate(1 / 120))
        resolved = reported + timedelta(seconds=rng.lognormvariate(8, 1.2))
        out.append(
            (
                f"INC{n:07d}",
                *(
                    moment.isoformat().replace("+00:00", "Z")
                    for moment in (started, detected, reported, resolved)
                ),
            )
        )
    return out


def bare(data: list[tuple[str, str, str, str, str]]) -> list[tuple[object, ...]]:
    """The baseline: parse the same strings into tuples."""
    parse = datetime.fromisoformat
    return [
        (
            key,
            parse(a).astimezone(UTC),
            parse(b).astimezone(UTC),
            parse(c).astimezone(UTC),
            parse(d).astimezone(UTC),
        )
        for key, a, b, c, d in data
    ]


FIELDS = ("id", "started_at", "detected_at", "reported_at", "resolved_at")


def bulk(data: list[tuple[str, str, str, str, str]]) -> list[Incident]:
    """Incident records from the same strings, in bulk, the collector left running."""
    return Incident.from_rows(FIELDS, data)


def bulk_paused(data: list[tuple[str, str, str, str, str]]) -> list[Incident]:
    """Incident records from the same strings, in bulk, the collector paused meanwhile."""
    return Incident.from_rows(FIELDS, data, pause_collector=True)


def records(data: list[tuple[str, str, str, str, str]]) -> list[Incident]:
    """Incident records from the same strings, one constructor call each."""
    return [
        Incident(key, started_at=a, detected_at=b, reported_at=c, resolved_at=d)
        for key, a, b, c, d in data
    ]


def timed(function: object, data: object) -> float:
    """Best of three runs."""
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        function(data)  # type: ignore[operator]
        best = min(best, time.perf_counter() - began)
    return best


def main() -> None:
    """Measure and report."""
    report = Report("incident records")
    data = rows()
    if bulk(data[:10_000]) != records(data[:10_000]):
        raise SystemExit("from_rows and the constructor disagree")
    baseline = timed(bare, data)
    ours = timed(bulk, data)
    paused = timed(bulk_paused, data)
    one_by_one = timed(records, data)
    report.info("bare fromisoformat loop, 1M rows", baseline, "s")
    report.info("Incident.from_rows, 1M rows", ours, "s")
    report.info("Incident.from_rows(pause_collector=True), 1M rows", paused, "s")
    report.info("Incident.from_rows, collector running / bare loop", ours / baseline, "x")
    report.info("Incident(...) per row, 1M rows", one_by_one, "s")
    report.info("Incident(...) per row / bare loop", one_by_one / baseline, "x")
    report.ratio(
        "Incident.from_rows(pause_collector=True) / bare loop", paused, baseline, at_most=3
    )

    sample = data[:100_000]
    tracemalloc.start()
    kept = bulk(sample)
    size = tracemalloc.get_traced_memory()[0] / len(kept)
    tracemalloc.stop()
    report.info("bytes per record (four milestones)", size, "B")
    report.ratio("bytes per record / 1 KB", size, 1024, at_most=1)
    report.finish()


if __name__ == "__main__":
    main()
