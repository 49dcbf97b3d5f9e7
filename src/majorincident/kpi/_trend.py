"""The trend of major incidents: counts per period, percent changes, and what a test can tell.

The seed's KPI is the percent increase or decrease of major incidents in later months relative to
the first. Counts of rare events jump about: two major incidents one month and three the next is
"+50%" and means nothing. Each row tests the change from the previous period with an exact test
of two Poisson counts with their exposures (the conditional binomial test), and says either
"real change" or "cannot tell from chance": a test that does not refuse chance has not shown
that chance explains the change, only that these counts cannot tell. So each row also says the
smallest rise its test would see four times out of five (at the series' average rate), and the
verdicts of one trend are controlled together, so that a series where nothing changed shows a
false "real change" in at most 5% of reports however many periods it has.
"""

from __future__ import annotations

import bisect
import math
import warnings
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
from majorincident.kpi.power import benjamini_hochberg, detectable_rise
from majorincident.kpi.stats import poisson_rates_differ

__all__ = [
    "CANNOT_TELL",
    "CONTROLS",
    "EVERY",
    "POWER",
    "REAL_CHANGE",
    "SIGNIFICANCE",
    "TrendRow",
    "periods",
    "trend",
]

#: The period lengths a trend can use.
EVERY: Final = ("day", "week", "month", "quarter", "year")
#: A change whose (adjusted) p-value is below this is a real change.
SIGNIFICANCE: Final = 0.05
#: The chance of seeing it that makes a rise detectable (``TrendRow.detectable_rise``).
POWER: Final = 0.8
#: The verdict on a change the test tells from chance.
REAL_CHANGE: Final = "real change"
#: The verdict on a change it cannot: not "no change", and not "noise".
CANNOT_TELL: Final = "cannot tell from chance"
#: How the verdicts of a trend are controlled: ``series`` (Benjamini-Hochberg over the trend's
#: periods, so a series where nothing changed shows a false alarm in at most 5% of reports) or
#: ``period`` (each change tested alone at 5%: over 24 periods, some false alarm in about half).
CONTROLS: Final = ("series", "period")


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
        p_value: the conditional binomial test's p-value against the previous period, tested
            alone.
        adjusted_p_value: the p-value the verdict reads: Benjamini-Hochberg adjusted over the
            trend's periods (the default), or `p_value` when each period is tested alone.
        verdict: :data:`REAL_CHANGE` when the adjusted p-value is below
            :data:`SIGNIFICANCE`, else :data:`CANNOT_TELL`; None for the first period.
        detectable_rise: the smallest factor by which the rate would have to rise from the
            previous period for the test (alone, at 5%) to see it with probability
            :data:`POWER`, with the previous period at the trend's average rate; None for the
            first period, when no incident was counted, and when no rise would be seen that
            often (:func:`~majorincident.kpi.power.detectable_rise`: beyond a millionfold, or a
            previous period too short to compare against). A verdict of "cannot tell" beside a
            detectable rise of 5x says too few incidents to know.
    """

    period: str = attrs.field(validator=text)
    start: pendulum.DateTime = attrs.field(converter=_start)
    end: pendulum.DateTime = attrs.field(converter=_end)
    count: int = attrs.field(validator=whole)
    rate_per_day: float = attrs.field(validator=finite)
    change_vs_first: float | None = attrs.field(validator=finite)
    change_vs_previous: float | None = attrs.field(validator=finite)
    p_value: float | None = attrs.field(validator=probability)
    adjusted_p_value: float | None = attrs.field(validator=probability)
    verdict: str | None = attrs.field()
    detectable_rise: float | None = attrs.field(validator=finite)

    @adjusted_p_value.validator
    def _check_adjusted(self, _attribute: object, value: float | None) -> None:
        if (value is None) != (self.p_value is None) or (
            value is not None and value < self.p_value  # type: ignore[operator]
        ):
            raise RecordError(
                f"adjusted_p_value ({value!r}) must be at least p_value ({self.p_value!r}), "
                "and None only without it"
            )

    @verdict.validator
    def _check_verdict(self, _attribute: object, value: object) -> None:
        adjusted = self.adjusted_p_value
        expected = None if adjusted is None else _verdict(adjusted)
        if value != expected:
            raise RecordError(
                f"verdict ({value!r}) must be {expected!r} for adjusted_p_value ({adjusted!r})"
            )

    @detectable_rise.validator
    def _check_rise(self, _attribute: object, value: float | None) -> None:
        if value is not None and (value < 1 or self.p_value is None):
            raise RecordError(
                f"detectable_rise ({value!r}) must be a factor of at least 1, "
                "and only beside a test (a p_value)"
            )

    @property
    def likely_noise(self) -> bool | None:
        """Deprecated: ``verdict == CANNOT_TELL``; the test cannot show that chance explains."""
        warnings.warn(
            "TrendRow.likely_noise is deprecated and goes in the next release; use "
            "TrendRow.verdict ('real change' or 'cannot tell from chance')",
            DeprecationWarning,
            stacklevel=2,
        )
        return None if self.verdict is None else self.verdict == CANNOT_TELL

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


def _verdict(adjusted: float) -> str:
    return REAL_CHANGE if adjusted < SIGNIFICANCE else CANNOT_TELL


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
    control: str = "series",
) -> list[TrendRow]:
    """Count incidents per period, with percent changes and what a test can tell of each.

    Args:
        incidents: the records; tests and drills are left out.
        start: the first instant counted.
        end: the instant counting stops (exclusive).
        every: ``day``, ``week``, ``month``, ``quarter`` or ``year``.
        tz: the reporting timezone whose calendar makes the periods.
        major_only: count only major incidents.
        milestone: the instant that places an incident in a period.
        control: ``series`` (Benjamini-Hochberg over the periods: at most 5% of reports of a
            series where nothing changed show a false "real change") or ``period`` (each change
            tested alone, as before).

    Returns:
        One row per period, empty periods included.

    Raises:
        ConfigurationError: an unknown `every`, `control` or timezone.
        TimelineError: `end` not after `start`.
    """
    check_control(control)
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
    return trend_rows(spans, counts, control)


def check_control(control: object) -> None:
    """Refuse a `control` that is not one of :data:`CONTROLS`."""
    if control not in CONTROLS:
        raise ConfigurationError(f"control ({control!r}) must be one of {', '.join(CONTROLS)}")


def trend_rows(
    spans: list[tuple[str, datetime, datetime]], counts: list[int], control: str
) -> list[TrendRow]:
    """Trend rows from the periods and their counts: rates, changes, tests and verdicts."""
    days = [(upper - lower).total_seconds() / 86_400 for _, lower, upper in spans]
    tested = [
        poisson_rates_differ(before, length, count, days[index + 1])
        for index, (before, length, count) in enumerate(zip(counts, days, counts[1:], strict=False))
    ]
    adjusted = benjamini_hochberg(tested) if control == "series" else tested
    average = sum(counts) / sum(days)
    rows: list[TrendRow] = []
    for index, ((label, lower, upper), count) in enumerate(zip(spans, counts, strict=True)):
        rate = count / days[index]
        first = rows[0].rate_per_day if rows else None
        previous = rows[-1].rate_per_day if rows else None
        rows.append(
            TrendRow(
                period=label,
                start=as_pendulum(lower),
                end=as_pendulum(upper),
                count=count,
                rate_per_day=rate,
                change_vs_first=None if first is None else _change(rate, first),
                change_vs_previous=None if previous is None else _change(rate, previous),
                p_value=tested[index - 1] if index else None,
                adjusted_p_value=adjusted[index - 1] if index else None,
                verdict=_verdict(adjusted[index - 1]) if index else None,
                detectable_rise=detectable_rise(
                    average * days[index - 1],
                    days[index] / (days[index - 1] + days[index]),
                    power=POWER,
                    level=SIGNIFICANCE,
                )
                if index
                else None,
            )
        )
    return rows
