"""The trend of major incidents: counts per period, percent changes, and whether chance explains.

The seed's KPI is the percent increase or decrease of major incidents in later months relative to
the first. Counts of rare events jump about: two major incidents one month and three the next is
"+50%" and means nothing. Each row says, from an exact test of two Poisson counts with their
exposures (the conditional binomial test), whether the change from the previous period is
likely noise.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

import attrs
import pendulum

from majorincident._checks import finite, probability, text, whole
from majorincident.clock import MAX_INSTANT, as_pendulum, instant, load_zone, utc
from majorincident.errors import ConfigurationError, RecordError, TimelineError
from majorincident.incident import EXCLUDED_KINDS, Incident, Milestone
from majorincident.kpi.stats import poisson_rates_differ

__all__ = ["EVERY", "NOISE_LEVEL", "TrendRow", "periods", "trend"]

#: The period lengths a trend can use.
EVERY: Final = ("day", "week", "month", "quarter", "year")
#: A change whose p-value is at least this is flagged as likely noise.
NOISE_LEVEL: Final = 0.05


def _start(value: datetime | str) -> pendulum.DateTime:
    return instant(value, field="start")


def _end(value: datetime | str) -> pendulum.DateTime:
    return instant(value, field="end")


@attrs.frozen
class TrendRow:
    """One period of a trend.

    Attributes:
        period: its label: ``2024-02``, ``2024-W05``, ``2024-Q1``, ``2024`` or ``2024-02-29``.
        start: when it starts (inclusive), clipped to the trend's start.
        end: when it ends (exclusive), clipped to the trend's end.
        count: incidents in it.
        rate_per_day: count / days covered.
        change_vs_first: percent change of the rate against the first period; None when that
            rate is 0 (a change from nothing is undefined, not infinite).
        change_vs_previous: the same against the previous period.
        p_value: the conditional binomial test's p-value against the previous period.
        likely_noise: True when chance explains the change from the previous period.
    """

    period: str = attrs.field(validator=text)
    start: pendulum.DateTime = attrs.field(converter=_start)
    end: pendulum.DateTime = attrs.field(converter=_end)
    count: int = attrs.field(validator=whole)
    rate_per_day: float = attrs.field(validator=finite)
    change_vs_first: float | None = attrs.field(validator=finite)
    change_vs_previous: float | None = attrs.field(validator=finite)
    p_value: float | None = attrs.field(validator=probability)
    likely_noise: bool | None = attrs.field()

    @likely_noise.validator
    def _check_noise(self, _attribute: object, value: object) -> None:
        if (value is None) != (self.p_value is None) or value not in (None, True, False):
            raise RecordError(
                f"likely_noise ({value!r}) must be True or False with a p_value, None without"
            )

    def __attrs_post_init__(self) -> None:
        """A period has a length, and its rate is its count over its days."""
        if self.end <= self.start:
            raise TimelineError(
                f"end ({self.end.isoformat()}) is not after start ({self.start.isoformat()})"
            )
        days = (self.end - self.start).total_seconds() / 86_400
        if not math.isclose(self.rate_per_day, self.count / days, rel_tol=1e-9, abs_tol=1e-12):
            raise RecordError(
                f"rate_per_day ({self.rate_per_day!r}) is not count / days "
                f"({self.count} / {days:g})"
            )


_LAST: Final = utc(MAX_INSTANT)


def _floor(day: date, every: str) -> date:
    if every == "day":
        return day
    if every == "week":
        return day - timedelta(days=day.weekday())
    if every == "month":
        return day.replace(day=1)
    if every == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def _next(day: date, every: str) -> date:
    if every == "day":
        return day + timedelta(days=1)
    if every == "week":
        return day + timedelta(weeks=1)
    months = {"month": 1, "quarter": 3, "year": 12}[every]
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def day_label(day: date, every: str) -> str:
    if every == "day":
        return day.isoformat()
    if every == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if every == "month":
        return f"{day.year}-{day.month:02d}"
    if every == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def periods(
    start: datetime | str, end: datetime | str, *, every: str, tz: str
) -> list[tuple[str, datetime, datetime]]:
    """The periods of the reporting timezone's calendar covering [start, end), clipped.

    Boundaries are local midnights in `tz`, so months follow that calendar across daylight
    saving time and an incident at 23:30 UTC on 31 January is in February in Berlin. A local day
    that never happened has no period: Samoa (``Pacific/Apia``) skipped 30 December 2011, so
    daily periods go from the 29th to the 31st. A period whose end would fall after
    :data:`~majorincident.clock.MAX_INSTANT` ends there (the data cannot go further).

    Raises:
        ConfigurationError: an unknown `every` or timezone.
        TimelineError: `end` not after `start`.
    """
    if every not in EVERY:
        raise ConfigurationError(f"every ({every!r}) must be one of {', '.join(EVERY)}")
    zone = load_zone(tz, field="tz")
    first, last = utc(start, field="start"), utc(end, field="end")
    if last <= first:
        raise TimelineError(f"end ({last.isoformat()}) is not after start ({first.isoformat()})")
    day = _floor(first.astimezone(zone).date(), every)
    lower = _midnight(day, zone)
    found = []
    while True:
        try:
            following: date | None = _next(day, every)
            upper = _midnight(following, zone)  # type: ignore[arg-type]
        except (ValueError, OverflowError):  # past year 9999: the data ends before
            following, upper = None, _LAST
        if upper > lower:  # a day skipped by the zone (Samoa, 2011-12-30) lasts nothing
            found.append((day_label(day, every), max(lower, first), min(upper, last)))
        if upper >= last or following is None:
            return found
        day, lower = following, upper


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant of local midnight starting `day` in `zone`, as a UTC datetime."""
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def _change(rate: float, base: float) -> float | None:
    return None if base == 0 else (rate - base) / base * 100


def trend(
    incidents: Iterable[Incident],
    *,
    start: datetime | str,
    end: datetime | str,
    every: str = "month",
    tz: str = "UTC",
    major_only: bool = True,
    milestone: Milestone = Milestone.REPORTED,
) -> list[TrendRow]:
    """Count incidents per period, with percent changes and a noise flag.

    Args:
        incidents: the records; tests and drills are left out.
        start: the first instant counted.
        end: the instant counting stops (exclusive).
        every: ``day``, ``week``, ``month``, ``quarter`` or ``year``.
        tz: the reporting timezone whose calendar makes the periods.
        major_only: count only major incidents.
        milestone: the instant that places an incident in a period.

    Returns:
        One row per period, empty periods included.
    """
    spans = periods(start, end, every=every, tz=tz)
    bounds = [lower for _, lower, _ in spans]
    last = spans[-1][2]
    counts = [0] * len(spans)
    index = milestone.index
    for incident in incidents:
        if incident.kind in EXCLUDED_KINDS or (major_only and not incident.major):
            continue
        moment = incident.instants[index]
        if moment is None or moment < bounds[0] or moment >= last:
            continue
        counts[bisect.bisect_right(bounds, moment) - 1] += 1
    return trend_rows(spans, counts)


def trend_rows(spans: list[tuple[str, datetime, datetime]], counts: list[int]) -> list[TrendRow]:
    """Trend rows from the periods and their counts: rates, changes and the noise test."""
    rows: list[TrendRow] = []
    for (label, lower, upper), count in zip(spans, counts, strict=True):
        days = (upper - lower).total_seconds() / 86_400
        rate = count / days
        previous = rows[-1] if rows else None
        p_value = None
        if previous is not None:
            exposure = (previous.end - previous.start).total_seconds() / 86_400
            p_value = poisson_rates_differ(previous.count, exposure, count, days)
        rows.append(
            TrendRow(
                period=label,
                start=as_pendulum(lower),
                end=as_pendulum(upper),
                count=count,
                rate_per_day=rate,
                change_vs_first=_change(rate, rows[0].rate_per_day) if rows else None,
                change_vs_previous=_change(rate, previous.rate_per_day) if previous else None,
                p_value=p_value,
                likely_noise=None if p_value is None else p_value >= NOISE_LEVEL,
            )
        )
    return rows
