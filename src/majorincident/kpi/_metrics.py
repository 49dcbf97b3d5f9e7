"""Metrics between milestones, and honest summaries of them.

A :class:`Metric` is the time from one milestone to another, in wall time or in the business
time of a :class:`~majorincident.clock.Calendar`. :func:`summarize` reports how many incidents
were measured, left out and still open, with the median and high percentiles beside the mean:
incident durations are heavy-tailed, and a mean over a few dozen of them says little.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Final

import attrs
import pendulum

from majorincident._checks import enum_member
from majorincident.clock import ALWAYS, Calendar, utc
from majorincident.clock._instants import MICROSECOND
from majorincident.errors import ConfigurationError
from majorincident.incident import EXCLUDED_KINDS, Incident, IncidentKind, Milestone
from majorincident.kpi.power import median_detectable
from majorincident.kpi.stats import (
    geometric_mean,
    kaplan_meier_median_interval_of_tallies,
    kaplan_meier_median_of_tallies,
    kaplan_meier_tallies,
    mean_micros,
    median_interval,
    nearest_micro,
    quantile,
)

__all__ = [
    "BUCKETS",
    "CONFIDENCE",
    "MTRS",
    "MTTA",
    "MTTD",
    "MTTR",
    "SMALL_SAMPLE",
    "TIME_TO_CONTAIN",
    "Metric",
    "Summary",
    "summarize",
]

#: The confidence of the intervals around a summary's medians.
CONFIDENCE: Final = 0.95
#: Below this many measured incidents a summary warns that its mean says little.
SMALL_SAMPLE: Final = 30
#: The upper bounds of the duration buckets; the last bucket holds everything longer.
BUCKETS: Final = (
    ("under 15 min", timedelta(minutes=15)),
    ("15 min to 1 h", timedelta(hours=1)),
    ("1 h to 4 h", timedelta(hours=4)),
    ("4 h to 1 day", timedelta(days=1)),
    ("1 day to 1 week", timedelta(weeks=1)),
    ("over 1 week", None),
)
#: The buckets' upper bounds, in microseconds.
_BOUNDS: Final = tuple(bound // MICROSECOND for _, bound in BUCKETS if bound is not None)


def _kinds(value: Iterable[IncidentKind | str]) -> frozenset[IncidentKind]:
    return frozenset(IncidentKind(kind) for kind in value)


def milestone_of(value: Milestone | str) -> Milestone:
    return enum_member(Milestone, value, "milestone", ConfigurationError)


@attrs.frozen
class Metric:
    """The time from one milestone to another, in wall time or business time.

    Attributes:
        name: what reports call it.
        start: the milestone it starts at.
        end: the milestone it ends at.
        calendar: the working time that counts; :data:`~majorincident.clock.ALWAYS` for wall
            time.
        exclude_kinds: the kinds of record left out (tests and drills by default).

    >>> Metric("time to declare", "reported", "declared").end
    <Milestone.DECLARED: 'declared'>
    """

    name: str
    start: Milestone = attrs.field(converter=milestone_of)
    end: Milestone = attrs.field(converter=milestone_of)
    calendar: Calendar = attrs.field(default=ALWAYS, kw_only=True, repr=False)
    exclude_kinds: frozenset[IncidentKind] = attrs.field(
        default=EXCLUDED_KINDS, converter=_kinds, kw_only=True, repr=False
    )

    def __attrs_post_init__(self) -> None:
        """A metric must run forward through the lifecycle."""
        if self.end.index <= self.start.index:
            raise ConfigurationError(
                f"metric {self.name!r} runs from {self.start.value} to {self.end.value}, "
                "backwards or nowhere; the end milestone must come after the start"
            )

    def seconds(self, start: datetime, end: datetime) -> float:
        """The metric's time between two instants, in seconds."""
        return self.micros(start, end) / 1_000_000

    def micros(self, start: datetime, end: datetime) -> int:
        """The metric's time between two instants, in whole microseconds (exact)."""
        span = end - start if self.calendar is ALWAYS else self.calendar.elapsed(start, end)
        # timedelta's own division: pendulum's Duration // timedelta fails.
        return timedelta.__floordiv__(span, MICROSECOND)


#: Mean time to acknowledge: reported to acknowledged.
MTTA: Final = Metric("MTTA", Milestone.REPORTED, Milestone.ACKNOWLEDGED)
#: Mean time to resolve, the seed's definition: reported to resolved. After a reopen the record
#: holds the latest resolution, so MTTR counts the whole time until the fix that held.
MTTR: Final = Metric("MTTR", Milestone.REPORTED, Milestone.RESOLVED)
#: Mean time to detect: the service began to fail to someone noticing.
MTTD: Final = Metric("MTTD", Milestone.STARTED, Milestone.DETECTED)
#: Mean time to restore service: the failure began to the service restored.
MTRS: Final = Metric("MTRS", Milestone.STARTED, Milestone.RESOLVED)
#: Time to contain: declared to contained.
TIME_TO_CONTAIN: Final = Metric("time to contain", Milestone.DECLARED, Milestone.CONTAINED)


class OpenIncidents(enum.Enum):
    """What a summary does with incidents whose end milestone is not reached by ``as_of``."""

    EXCLUDE = "exclude"
    CENSOR = "censor"


def _duration(micros: int | None) -> pendulum.Duration | None:
    return None if micros is None else pendulum.Duration(microseconds=micros)


@attrs.frozen
class Summary:
    """How a metric came out over a set of incidents. Durations are None when undefined.

    Attributes:
        metric: the metric.
        n: how many incidents were measured (end reached by ``as_of``).
        excluded: left out by kind (tests, drills).
        missing_start: without the start milestone (or starting after ``as_of``).
        open: still open at ``as_of`` (neither resolved nor closed by then) without the end
            milestone; never dropped silently, and censored at ``as_of`` by
            ``open_incidents="censor"``.
        mean, median, p90, p95, minimum, maximum: over the measured durations; percentiles
            interpolate linearly between order statistics.
        geometric_mean: over the positive durations; zero durations are counted in `zeros`
            and left out, since they have no logarithm.
        zeros: how many measured durations are zero.
        buckets: (label, count) for under 15 min, to 1 h, to 4 h, to 1 day, to 1 week, over.
        km_median: with ``open_incidents="censor"``, the Kaplan-Meier median counting open
            incidents as censored at ``as_of``; None when not asked or not reached.
        km_median_reached: whether the Kaplan-Meier estimate fell to one half; None when not
            asked.
        warnings: plain-words cautions, such as a sample too small for its mean.
        negative: how many incidents reached the end milestone before the start one (data
            that contradict themselves, such as a containment recorded before the
            declaration): left out of `n`, the statistics and the buckets, and warned about.
        missing_end: how many incidents were over by ``as_of`` (closed, or resolved for a
            metric that ends before closure) without the end milestone, such as an incident
            closed with no resolution time, or resolved with no acknowledgement: the end is
            missing from the data, not still to come, so they are neither measured nor open,
            and warned about.
        median_low, median_high: the :data:`CONFIDENCE` (95%) interval of the median, from
            order statistics (:func:`~majorincident.kpi.stats.median_ranks`): what the
            measured incidents pin the typical duration down to; None below six measured.
            :attr:`detectable_change` reads off it the change a comparison could see.
        km_median_low, km_median_high: with ``open_incidents="censor"``, the Brookmeyer-Crowley
            interval of the Kaplan-Meier median
            (:func:`~majorincident.kpi.stats.kaplan_meier_median_interval_of_tallies`); an end
            is None when the data cannot bound the median from that side (a high end of None:
            the median could be beyond anything observed).
    """

    metric: Metric
    n: int
    excluded: int
    missing_start: int
    open: int
    mean: pendulum.Duration | None
    median: pendulum.Duration | None
    p90: pendulum.Duration | None
    p95: pendulum.Duration | None
    minimum: pendulum.Duration | None
    maximum: pendulum.Duration | None
    geometric_mean: pendulum.Duration | None
    zeros: int
    buckets: tuple[tuple[str, int], ...]
    km_median: pendulum.Duration | None = None
    km_median_reached: bool | None = None
    warnings: tuple[str, ...] = ()
    negative: int = 0
    missing_end: int = 0
    median_low: pendulum.Duration | None = None
    median_high: pendulum.Duration | None = None
    km_median_low: pendulum.Duration | None = None
    km_median_high: pendulum.Duration | None = None

    @property
    def detectable_change(self) -> float | None:
        """The smallest change of the median a comparison with as many incidents would see.

        A factor, seen four times in five at the 5% level, read off the median's interval
        (:func:`~majorincident.kpi.power.median_detectable`): how far apart two periods of this
        size must be before :func:`~majorincident.kpi.compare` can tell them from chance. None
        without an interval, or when its low end is zero (no ratio to read).
        """
        low, high = self.median_low, self.median_high
        if low is None or high is None or not low:
            return None
        return median_detectable(low.total_seconds(), high.total_seconds(), CONFIDENCE)


@attrs.define
class Tally:
    """Durations and counts gathered in one pass over the incidents."""

    measured: list[int] = attrs.Factory(list)  # microseconds
    censored: list[int] = attrs.Factory(list)
    excluded: int = 0
    missing_start: int = 0
    negative: int = 0
    missing_end: int = 0


_RESOLVED: Final = Milestone.RESOLVED.index
_CLOSED: Final = Milestone.CLOSED.index


def gather(metric: Metric, incidents: Iterable[Incident], as_of: datetime) -> Tally:
    tally = Tally()
    first, last = metric.start.index, metric.end.index
    # An incident resolved by as_of has passed every milestone before closure.
    resolution_ends = last < _CLOSED
    excluded = metric.exclude_kinds
    for incident in incidents:
        if incident.kind in excluded:
            tally.excluded += 1
            continue
        instants = incident.instants
        start = instants[first]
        if start is None or start > as_of:
            tally.missing_start += 1
            continue
        end = instants[last]
        if end is None or end > as_of:
            closed, resolved = instants[_CLOSED], instants[_RESOLVED]
            if (closed is not None and closed <= as_of) or (
                resolution_ends and resolved is not None and resolved <= as_of
            ):
                tally.missing_end += 1
            else:
                tally.censored.append(metric.micros(start, as_of))
        elif end < start:
            tally.negative += 1
        else:
            tally.measured.append(metric.micros(start, end))
    return tally


def open_policy(value: OpenIncidents | str) -> OpenIncidents:
    try:
        return OpenIncidents(value)
    except ValueError:
        raise ConfigurationError(
            f"open_incidents ({value!r}) must be 'exclude' or 'censor'"
        ) from None


def summarize(
    incidents: Iterable[Incident],
    metric: Metric,
    *,
    as_of: datetime | str,
    open_incidents: OpenIncidents | str = "exclude",
) -> Summary:
    """Summarise a metric over incidents, as of an instant. Any iterable, consumed once.

    Args:
        incidents: the incident records.
        metric: what to measure.
        as_of: the instant the summary speaks for; later milestones have not happened yet.
        open_incidents: ``"exclude"`` counts them apart; ``"censor"`` also estimates the
            Kaplan-Meier median with them censored at `as_of`.

    Returns:
        The summary; with nothing measured, n = 0 and the statistics None.

    >>> records = [Incident(f"INC{n}", reported_at="2024-01-01T10:00Z",
    ...     resolved_at=f"2024-01-01T1{n}:00Z") for n in range(1, 4)]
    >>> summary = summarize(records, MTTR, as_of="2024-02-01T00:00Z")
    >>> summary.n, summary.median
    (3, Duration(hours=2))
    """
    moment = utc(as_of, field="as_of")
    policy = open_policy(open_incidents)
    tally = gather(metric, incidents, moment)
    return summary_of(metric, tally, policy)


def summary_of(metric: Metric, tally: Tally, policy: OpenIncidents) -> Summary:
    values = sorted(tally.measured)
    n = len(values)
    counts = [0] * len(BUCKETS)
    for value in values:
        counts[_bucket(value)] += 1
    warnings = []
    if 0 < n < SMALL_SAMPLE:
        warnings.append(
            f"only {n} incidents measured: too few for the mean of heavy-tailed durations to "
            "mean much; read the median"
        )
    if tally.missing_end:
        warnings.append(
            f"{_incidents(tally.missing_end)} over by as_of without {metric.end.value}: "
            "left out, neither measured nor open; the data do not record it"
        )
    if tally.negative:
        warnings.append(
            f"{tally.negative} incidents reached {metric.end.value} before {metric.start.value}: "
            "left out of the statistics; check those records"
        )
    censored = _censored(values, tally.censored) if policy is OpenIncidents.CENSOR else {}
    if censored.get("km_median_reached") is False and (values or tally.censored):
        warnings.append("the Kaplan-Meier median is not reached: over half are still open")
    low, high = median_interval(values, CONFIDENCE) or (None, None)
    return Summary(
        metric=metric,
        n=n,
        excluded=tally.excluded,
        missing_start=tally.missing_start,
        open=len(tally.censored),
        mean=_duration(mean_micros(values)),
        median=_duration(nearest_micro(quantile(values, 0.5))),
        p90=_duration(nearest_micro(quantile(values, 0.9))),
        p95=_duration(nearest_micro(quantile(values, 0.95))),
        minimum=_duration(values[0] if values else None),
        maximum=_duration(values[-1] if values else None),
        geometric_mean=_duration(nearest_micro(geometric_mean(values))),
        zeros=sum(1 for value in values if value == 0),
        buckets=tuple((label, count) for (label, _), count in zip(BUCKETS, counts, strict=True)),
        warnings=tuple(warnings),
        negative=tally.negative,
        missing_end=tally.missing_end,
        median_low=_duration(low),
        median_high=_duration(high),
        **censored,
    )


def _censored(values: list[int], censored: list[int]) -> dict[str, Any]:
    """The Kaplan-Meier median and its interval, from one tally of the measured and the open."""
    observed = [True] * len(values) + [False] * len(censored)
    tallies = kaplan_meier_tallies(values + censored, observed)
    km = kaplan_meier_median_of_tallies(tallies)
    low, high = kaplan_meier_median_interval_of_tallies(tallies, CONFIDENCE)
    return {
        "km_median": _duration(None if km is None else int(km)),
        "km_median_reached": km is not None,
        "km_median_low": _duration(None if low is None else int(low)),
        "km_median_high": _duration(None if high is None else int(high)),
    }


def _incidents(count: int) -> str:
    """``"1 incident was"``, ``"3 incidents were"``."""
    return "1 incident was" if count == 1 else f"{count} incidents were"


def _bucket(micros: int) -> int:
    for index, bound in enumerate(_BOUNDS):
        if micros < bound:
            return index
    return len(_BOUNDS)
