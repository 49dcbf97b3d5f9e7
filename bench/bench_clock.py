"""Benchmark majorincident.clock against baselines measured in the same run.

Targets (issue: foundation):
- instant() on an aware datetime and on an ISO-8601 string costs at most 5x
  datetime.fromisoformat(s).astimezone(UTC);
- Calendar.elapsed and Calendar.add grow at most linearly with the days spanned
  (cost per day at 30 and 365 days is at most that at 1 day; the 1-day call includes the
  fixed cost, so the per-day figures fall as the span grows).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pendulum

from majorincident.clock import Calendar, instant

from _harness import Report, per_call

TEXT = "2024-03-05T14:07:31.250000+01:00"
AWARE = datetime(2024, 3, 5, 14, 7, 31, 250000, tzinfo=ZoneInfo("Europe/Berlin"))
N = 100_000


def main() -> None:
    """Measure and report."""
    report = Report("clock")
    baseline = per_call(lambda: datetime.fromisoformat(TEXT).astimezone(UTC), number=N)
    report.info("baseline fromisoformat(s).astimezone(UTC)", baseline * 1e6, "us")
    report.ratio(
        "instant(iso string) / baseline",
        per_call(lambda: instant(TEXT), number=N),
        baseline,
        at_most=5,
    )
    report.ratio(
        "instant(aware zoneinfo datetime) / baseline",
        per_call(lambda: instant(AWARE), number=N),
        baseline,
        at_most=5,
    )
    report.info(
        "pendulum.parse(s), for reference / baseline",
        per_call(lambda: pendulum.parse(TEXT), number=N // 10) / baseline,
        "x",
    )

    office = Calendar.office_hours("Europe/Berlin", "09:00", "17:00", holidays={AWARE.date()})
    start = AWARE
    per_day: dict[str, dict[int, float]] = {"elapsed": {}, "add": {}}
    for days in (1, 30, 365):
        end = start + timedelta(days=days)
        work = timedelta(hours=8 * days * 5 / 7)
        per_day["elapsed"][days] = (
            per_call(lambda e=end: office.elapsed(start, e), number=200) / days
        )
        per_day["add"][days] = per_call(lambda w=work: office.add(start, w), number=200) / days
    for name, costs in per_day.items():
        for days in (1, 30, 365):
            report.info(f"Calendar.{name} over {days} days, per day", costs[days] * 1e6, "us")
        for days in (30, 365):
            report.ratio(
                f"Calendar.{name}: per-day cost at {days} days / at 1 day",
                costs[days],
                costs[1],
                at_most=1,
            )
    report.finish()


if __name__ == "__main__":
    main()
