"""Benchmark majorincident.classification against baselines measured in the same run.

Targets (issue: classification):
- detect_surge over 1,000,000 reports at most 3x a bare deque-per-key loop doing the same
  counting over the same reports;
- MajorIncidentPolicy.default().evaluate at most 20 us median per assessment, reported against
  the cost of one PriorityMatrix.priority lookup.
"""

from __future__ import annotations

import random
import statistics
import time
from collections import deque
from datetime import UTC, datetime, timedelta

from majorincident.classification import (
    Assessment,
    Impact,
    MajorIncidentPolicy,
    PriorityMatrix,
    Report,
    Urgency,
    detect_surge,
)

from _harness import Report as Table
from _harness import per_call

N = 1_000_000
SERVICES = [f"service-{n}" for n in range(12)]
WINDOW = timedelta(minutes=15)
THRESHOLD = 10


def make_reports() -> list[Report]:
    """A year of reports, bursty: most minutes quiet, some with an influx for one service."""
    rng = random.Random(2019)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    offsets = sorted(rng.uniform(0, 365 * 86_400) for _ in range(N))
    return [
        Report(f"INC{n}", start + timedelta(seconds=s), rng.choice(SERVICES))
        for n, s in enumerate(offsets)
    ]


def bare_loop(reports: list[Report]) -> int:
    """The same counting with nothing else: a deque of timestamps per key."""
    span = WINDOW.total_seconds()
    inside: dict[str, deque[float]] = {}
    bursting: set[str] = set()
    surges = 0
    for report in reports:
        moment = report.at.timestamp()
        recent = inside.get(report.service)
        if recent is None:
            recent = inside[report.service] = deque()
        while recent and recent[0] <= moment - span:
            recent.popleft()
        if len(recent) < THRESHOLD:
            bursting.discard(report.service)
        recent.append(moment)
        if len(recent) >= THRESHOLD and report.service not in bursting:
            bursting.add(report.service)
            surges += 1
    return surges


def timed(function: object, *args: object) -> tuple[float, object]:
    """Best of three runs of one call."""
    best, result = float("inf"), None
    for _ in range(3):
        began = time.perf_counter()
        result = function(*args)  # type: ignore[operator]
        best = min(best, time.perf_counter() - began)
    return best, result


def main() -> None:
    """Measure and report."""
    table = Table("classification")
    reports = make_reports()
    bare_seconds, bare_count = timed(bare_loop, reports)
    ours_seconds, ours = timed(
        lambda r: list(detect_surge(r, window=WINDOW, threshold=THRESHOLD)), reports
    )
    if bare_count != len(ours):  # type: ignore[arg-type]
        raise SystemExit(f"the loops disagree: {bare_count} != {len(ours)}")  # type: ignore[arg-type]
    table.info("bare deque loop over 1M reports", bare_seconds, "s")
    table.info("detect_surge over 1M reports", ours_seconds, "s")
    table.info("surges found (both)", bare_count, "n")  # type: ignore[arg-type]
    table.ratio("detect_surge / bare loop", ours_seconds, bare_seconds, at_most=3)

    matrix = PriorityMatrix.itil()
    lookup = per_call(lambda: matrix.priority(Impact.HIGH, Urgency.MEDIUM), number=200_000)
    policy = MajorIncidentPolicy.default()
    assessments = [
        Assessment(impact="high", urgency="high", business_critical=True),
        Assessment(impact="high", urgency="high", affected_share=0.1),
        Assessment(impact="medium", urgency="low", related_open_incidents=2),
        Assessment(impact="low", urgency="high", related_open_incidents=7),
    ]
    samples = [
        per_call(lambda a=a: policy.evaluate(a), number=20_000, repeat=3) for a in assessments
    ]
    median = statistics.median(samples)
    table.info("PriorityMatrix.priority lookup", lookup * 1e6, "us")
    table.info("policy.evaluate median", median * 1e6, "us")
    table.info("policy.evaluate / one lookup", median / lookup, "x")
    table.ratio("policy.evaluate median / 20 us", median, 20e-6, at_most=1)
    table.finish()


if __name__ == "__main__":
    main()
