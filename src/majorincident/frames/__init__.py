"""The KPIs of :mod:`majorincident.kpi` on dataframes: one definition, every engine, same numbers.

Built on narwhals, so a call takes whatever frame you hold (pandas, Polars eager or lazy, PyArrow,
DuckDB, Dask, PySpark) and returns a frame of the same kind: eager in, eager out; lazy in, lazy
out. Nothing here imports a dataframe library itself. The metrics are the same
:class:`~majorincident.kpi.Metric` objects and the numbers are those of the pure path: counts
exactly, and durations (means, percentiles, minimum, maximum, Kaplan-Meier median) to the same
microsecond: both paths measure in whole microseconds, take the mean from the exact integer sum
and round means and percentiles (linear between order statistics, Hyndman and Fan's type 7) to
the nearest microsecond, halves up. The seconds columns are those microseconds over a million
(Polars divides by multiplying with the reciprocal, so its float can be an ulp off); geometric
means, rates and p-values agree within float rounding.

Instants must be timezone-aware datetime columns; naive ones are refused unless
:class:`ColumnMap` names their timezone. Business time is not computed on frames: a metric with
a calendar other than :data:`~majorincident.clock.ALWAYS` raises :class:`ConfigurationError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

import attrs
import narwhals as nw

from majorincident._deprecated import renamed
from majorincident.clock import ALWAYS, load_zone, utc
from majorincident.clock._instants import MICROSECOND, micros
from majorincident.errors import ConfigurationError, NaiveDateTimeError
from majorincident.frames import _engine
from majorincident.incident import IncidentKind, Milestone
from majorincident.interop import COLUMNS
from majorincident.kpi import BUCKETS, GROUPS, MTTA, MTTR, Metric, OpenIncidents, periods
from majorincident.kpi._metrics import milestone_of, open_policy
from majorincident.kpi._outages import window_bounds
from majorincident.kpi._report import check_grouping
from majorincident.kpi._trend import trend_rows
from majorincident.kpi.stats import kaplan_meier_median_of_tallies

__all__ = ["PAGERDUTY", "SERVICENOW", "ColumnMap", "reliability", "report", "summarize", "trend"]

_EXCLUDED: Final = (IncidentKind.TEST, IncidentKind.DRILL)
#: name, aggregation, argument; the mean aggregates the sum, divided exactly afterwards.
_STATISTICS: Final = (
    ("mean", "sum", 0.0),
    ("median", "quantile", 0.5),
    ("p90", "quantile", 0.9),
    ("p95", "quantile", 0.95),
    ("minimum", "min", 0.0),
    ("maximum", "max", 0.0),
)


def _milestones(value: Mapping[Milestone | str, str]) -> Mapping[Milestone, str]:
    return {milestone_of(key): column for key, column in value.items()}


def _timezone(value: str | None) -> str | None:
    if value is not None:
        load_zone(value, field="ColumnMap.tz")
    return value


@attrs.frozen
class ColumnMap:
    """Which columns of a frame hold which fields of the incident record.

    A field set to None is not in the export; milestones not listed are not either. A function
    that needs an unmapped field or a column the frame lacks raises :class:`ConfigurationError`
    naming it.

    Attributes:
        id: the incident's id.
        service, priority, impact, urgency, channel: the grouping fields (as in
            :data:`~majorincident.kpi.GROUPS`), values as they are in the frame.
        major: a boolean column, true for major incidents.
        kind: a text column of :class:`~majorincident.incident.IncidentKind` values (``test``
            and ``drill`` rows are left out as on the pure path); None when every row is a
            normal incident.
        milestones: milestone -> datetime column. By default ``started_at``,
            ``detected_at``, ``reported_at``... as :class:`~majorincident.incident.Incident`
            names them.
        tz: the IANA timezone of naive datetime columns; None refuses naive columns.

    >>> ColumnMap(kind=None).column("reported")
    'reported_at'
    """

    id: str = "id"
    service: str | None = "service"
    priority: str | None = "priority"
    impact: str | None = "impact"
    urgency: str | None = "urgency"
    channel: str | None = "channel"
    major: str | None = "major"
    kind: str | None = "kind"
    milestones: Mapping[Milestone, str] = attrs.field(
        factory=lambda: {m: f"{m.value}_at" for m in Milestone}, converter=_milestones
    )
    tz: str | None = attrs.field(default=None, converter=_timezone)

    def column(self, field: Milestone | str) -> str:
        """The column of a milestone or record field.

        Raises:
            ConfigurationError: the field is not mapped (None, or a milestone not listed).
        """
        try:
            milestone = Milestone(field)
        except ValueError:
            if field not in (*GROUPS, "id"):
                raise ConfigurationError(
                    f"field ({field!r}) is not a milestone nor one of id, {', '.join(GROUPS)}"
                ) from None
            name = getattr(self, str(field))
            if name is None:
                raise ConfigurationError(
                    f"{field} is not mapped to a column (ColumnMap.{field} is None)"
                ) from None
            return str(name)
        if milestone not in self.milestones:
            raise ConfigurationError(
                f"milestone {milestone.value} is not mapped to a column "
                "(add it to ColumnMap.milestones)"
            )
        return self.milestones[milestone]


def _vendor(name: str) -> ColumnMap:
    """The columns of a tool's flat exports, from :data:`majorincident.interop.COLUMNS`."""
    columns = COLUMNS[name]
    fields = {m.field: m for m in Milestone}
    return ColumnMap(
        id=columns["id"],
        **{field: columns.get(field) for field in GROUPS},
        milestones={fields[f]: column for f, column in columns.items() if f in fields},
    )


#: ServiceNow's incident table as exported: ``number``, ``opened_at``, ``promoted_on``,
#: ``resolved_at``, ``closed_at``, ``business_service``, ``priority``, ``impact``, ``urgency``,
#: ``contact_type``. It has no major flag (derive one from ``major_incident_state``) and no
#: kind.
SERVICENOW: Final = _vendor("servicenow")
#: PagerDuty incidents flattened as ``pandas.json_normalize`` flattens the REST API's objects:
#: ``id``, ``created_at``, ``resolved_at``, ``service.summary``, ``priority.name``,
#: ``urgency``. Add an ``acknowledged_at`` column (the first acknowledgement) to measure MTTA,
#: and a boolean column for major incidents (``ColumnMap.major``) to count them.
PAGERDUTY: Final = _vendor("pagerduty")


@attrs.frozen
class _Input:
    """A frame with the instants it needs as integer microseconds (``__<milestone>``)."""

    frame: _engine.Frame
    columns: ColumnMap


def _instant(milestone: Milestone) -> str:
    return f"__{milestone.value}"


def _prepare(
    df: object,
    columns: ColumnMap,
    *,
    fields: Iterable[str],
    milestones: Iterable[Milestone],
    optional: Iterable[Milestone] = (),
) -> _Input:
    """Check the columns a computation needs and add its instants as microseconds."""
    frame = _engine.load(df)
    schema = frame.collect_schema()
    wanted = {field: columns.column(field) for field in fields}
    needed = {m: columns.column(m) for m in dict.fromkeys(milestones)}
    for milestone in optional:
        name = columns.milestones.get(milestone)
        if name is not None and name in schema and milestone not in needed:
            needed[milestone] = name
    missing = [
        f"{name} ({what})"
        for what, name in [*wanted.items(), *((m.value, n) for m, n in needed.items())]
        if name not in schema
    ]
    if missing:
        raise ConfigurationError(
            f"columns missing from the frame: {', '.join(missing)}; it has "
            f"{', '.join(schema.names()) or 'no columns'}"
        )
    wrong = [
        f"{name} ({schema[name]})"
        for name in needed.values()
        if not isinstance(schema[name], nw.Datetime)
    ]
    if wrong:
        raise ConfigurationError(f"not datetime columns: {', '.join(wrong)}; parse them first")
    naive = [name for name in needed.values() if schema[name].time_zone is None]
    if naive and columns.tz is None:
        raise NaiveDateTimeError(
            f"naive datetime columns: {', '.join(naive)}; name their timezone with "
            "ColumnMap(tz=...) or make them timezone-aware"
        )
    instants = {
        _instant(m): _engine.micros(name, schema[name], frame) for m, name in needed.items()
    }
    frame = frame.with_columns(**instants)
    local = [_instant(m) for m, name in needed.items() if name in naive]
    if local:
        edges = _engine.collect(
            frame.select(
                nw.min_horizontal(*(nw.col(c).min() for c in local)).alias("lo"),
                nw.max_horizontal(*(nw.col(c).max() for c in local)).alias("hi"),
            )
        ).row(0)
        if edges[0] is not None and edges[0] == edges[0]:
            bounds = (int(edges[0]), int(edges[1]))
            frame = frame.with_columns(
                _engine.naive_to_utc(nw.col(c), columns.tz, bounds).alias(c)  # type: ignore[arg-type]
                for c in local
            )
    return _Input(frame, columns)


def _kinds_excluded(columns: ColumnMap, kinds: Iterable[IncidentKind]) -> nw.Expr:
    if columns.kind is None:
        return nw.lit(value=False)
    values = sorted(kind.value for kind in kinds)
    return nw.col(columns.kind).is_in(values).fill_null(value=False)


def _as_of(value: datetime | str) -> int:
    return micros(utc(value, field="as_of"))


def _wall_time(metric: Metric) -> Metric:
    if metric.calendar is not ALWAYS:
        raise ConfigurationError(
            f"metric {metric.name!r} counts business time, which frames do not compute; "
            "use majorincident.kpi on Incident records for business-time metrics"
        )
    return metric


def _measure(data: _Input, metrics: Sequence[Metric], as_of: int) -> _engine.Frame:
    """Add each metric's columns: seconds measured and censored, and 0/1 flags.

    Durations are whole microseconds, as on the pure path. For metric i: ``__d{i}`` measured,
    ``__t{i}`` the same with 0 where nothing is measured (summed exactly, as integers),
    ``__c{i}`` censored at as_of, ``__o{i}`` open,
    ``__x{i}`` excluded, ``__s{i}`` missing its start, ``__n{i}`` ending before it starts.
    """
    frame = data.frame
    for index, metric in enumerate(metrics):
        start, end = nw.col(_instant(metric.start)), nw.col(_instant(metric.end))
        excluded = _kinds_excluded(data.columns, metric.exclude_kinds)
        began = (~start.is_null() & (start <= as_of)).fill_null(value=False)
        counted = began & ~excluded
        reached = (~end.is_null() & (end <= as_of)).fill_null(value=False)
        backwards = (counted & reached & (end < start)).fill_null(value=False)
        duration = nw.when(counted & reached & ~backwards).then(end - start)
        frame = frame.with_columns(
            duration.alias(f"__d{index}"),
            duration.fill_null(0).cast(nw.Int64).alias(f"__t{index}"),
            backwards.cast(nw.Int64).alias(f"__n{index}"),
            nw.when(counted & ~reached).then(as_of - start).alias(f"__c{index}"),
            (counted & ~reached).cast(nw.Int64).alias(f"__o{index}"),
            excluded.cast(nw.Int64).alias(f"__x{index}"),
            (~began & ~excluded).cast(nw.Int64).alias(f"__s{index}"),
        )
    return frame


def _specs(index: int) -> dict[str, _engine.Spec]:
    specs: dict[str, _engine.Spec] = {
        f"n{index}": (f"__d{index}", "count", 0.0),
        f"open{index}": (f"__o{index}", "sum", 0.0),
        f"excluded{index}": (f"__x{index}", "sum", 0.0),
        f"missing_start{index}": (f"__s{index}", "sum", 0.0),
        f"negative{index}": (f"__n{index}", "sum", 0.0),
    }
    for name, op, arg in _STATISTICS:
        specs[f"{name}{index}"] = (f"__t{index}" if op == "sum" else f"__d{index}", op, arg)
    return specs


def _seconds(name: str, index: int) -> nw.Expr:
    """A statistic's aggregate as seconds, from whole microseconds as the pure path has them.

    The mean is the exact integer sum over the count, to the nearest microsecond (halves up);
    quantiles, which engines interpolate in floats, are rounded the same way.
    """
    value = nw.col(f"{name}{index}")
    exact: nw.Expr
    if name == "mean":
        count = nw.col(f"n{index}").cast(nw.Int64)
        total = value.cast(nw.Int64)
        # Never a division by zero, even where the guard's other branch is computed anyway.
        divisor = 2 * count + (count == 0).cast(nw.Int64)
        exact = nw.when(count > 0).then((2 * total + count) // divisor)
    elif name in ("median", "p90", "p95"):
        exact = (value.cast(nw.Float64) + 0.5).floor()
    else:
        exact = value
    return exact.cast(nw.Float64) / _engine.US


def _long(
    frame: _engine.Frame, keys: list[str], metrics: Sequence[Metric], extra: Sequence[str] = ()
) -> _engine.Frame:
    """One row per group and metric, in the order of :meth:`ReportRow.to_dict`."""
    counts = ("n", "open", "excluded", "missing_start", "negative", *extra)
    parts = [
        frame.select(
            *keys,
            nw.lit(index).alias("__metric"),
            nw.lit(metric.name).alias("metric"),
            *(nw.col(f"{name}{index}").cast(nw.Int64).alias(name) for name in counts),
            *(_seconds(name, index).alias(f"{name}_s") for name, _, _ in _STATISTICS),
        )
        for index, metric in enumerate(metrics)
    ]
    return nw.concat(parts, how="vertical")


def _group_columns(data: _Input, by: Sequence[str]) -> _engine.Frame:
    return data.frame.with_columns(nw.col(data.columns.column(field)).alias(field) for field in by)


def report(
    df: object,
    *,
    metrics: Sequence[Metric] = (MTTA, MTTR),
    by: Sequence[str] = ("service",),
    every: str | None = None,
    tz: str = "UTC",
    as_of: datetime | str,
    open_incidents: OpenIncidents | str = "exclude",
    columns: ColumnMap = ColumnMap(),
) -> Any:  # noqa: ANN401 - the input's own frame type
    """Summaries of several metrics per group and period, as :func:`majorincident.kpi.report`.

    Returns:
        A frame of the input's kind with one row per group, period and metric: the `by` fields,
        ``period`` (when `every` is given; ``unreported`` without a REPORTED instant),
        ``metric``, ``n``, ``open``, ``excluded``, ``missing_start``, ``negative`` (end
        before start: left out, as on the pure path), then ``mean_s``,
        ``median_s``, ``p90_s``, ``p95_s``, ``minimum_s``, ``maximum_s`` in seconds (null when
        nothing is measured). Rows are sorted by group (nulls last), period, then metric in
        the order given.

    Raises:
        ConfigurationError: an unknown field, period or timezone, a business-time metric, or
            a column that is missing or not a datetime.
        NaiveDateTimeError: naive datetime columns without ``ColumnMap(tz=...)``.
    """
    check_grouping(by, every)
    load_zone(tz, field="tz")
    moment = _as_of(as_of)
    open_policy(open_incidents)
    metrics = [_wall_time(metric) for metric in metrics]
    if not metrics:
        raise ConfigurationError("metrics (empty) must name at least one metric")
    needed = [m for metric in metrics for m in (metric.start, metric.end)]
    data = _prepare(
        df,
        columns,
        fields=[*by, *(["kind"] if columns.kind is not None else [])],
        milestones=[*needed, *([Milestone.REPORTED] if every is not None else [])],
    )
    frame = _measure(attrs.evolve(data, frame=_group_columns(data, by)), metrics, moment)
    keys = list(by)
    if every is not None:
        reported = _instant(Milestone.REPORTED)
        frame = frame.with_columns(_engine.local_micros(frame, reported, tz).alias("__local"))
        frame = _engine.period_key(frame, "__local", every, "__period")
        keys.append("__period")
    specs = {name: spec for index in range(len(metrics)) for name, spec in _specs(index).items()}
    result = _long(_engine.aggregate(frame, keys, specs), keys, metrics)
    result = result.sort([*keys, "__metric"], nulls_last=True)
    if every is not None:
        result = _engine.period_label(result, "__period", every, "period")
        result = result.select(*by, "period", nw.exclude(*keys, "period"))
    return result.drop("__metric").to_native()


def summarize(
    df: object,
    metric: Metric,
    *,
    as_of: datetime | str,
    open_incidents: OpenIncidents | str = "exclude",
    columns: ColumnMap = ColumnMap(),
) -> Any:  # noqa: ANN401 - the input's own frame type
    """One metric over the whole frame, as :func:`majorincident.kpi.summarize`.

    Returns:
        A one-row frame of the input's kind: ``metric``, the counts ``n``, ``open``,
        ``excluded``, ``missing_start``, ``negative``, ``zeros``, the durations in seconds
        ``mean_s``,
        ``median_s``, ``p90_s``, ``p95_s``, ``minimum_s``, ``maximum_s``,
        ``geometric_mean_s``, one count per bucket of :data:`~majorincident.kpi.BUCKETS`
        (named by its label), and ``km_median_s`` / ``km_median_reached`` (null unless
        ``open_incidents="censor"``). The Kaplan-Meier median needs the distinct durations,
        so with "censor" they are aggregated and brought back before the frame is returned.

    Raises:
        ConfigurationError: as :func:`report`.
        NaiveDateTimeError: naive datetime columns without ``ColumnMap(tz=...)``.
    """
    moment = _as_of(as_of)
    policy = open_policy(open_incidents)
    metric = _wall_time(metric)
    data = _prepare(
        df,
        columns,
        fields=["kind"] if columns.kind is not None else [],
        milestones=[metric.start, metric.end],
    )
    frame = _measure(data, [metric], moment)
    duration = nw.col("__d0")
    # As on the pure path: below the first bound (negative durations too), then [low, high).
    bounds = [None, *(bound // MICROSECOND for _, bound in BUCKETS if bound is not None), None]
    buckets = {}
    for index, (label, _) in enumerate(BUCKETS):
        low, high = bounds[index], bounds[index + 1]
        inside = nw.lit(value=True) if low is None else duration >= low
        if high is not None:
            inside = inside & (duration < high)
        buckets[label] = inside
    frame = frame.with_columns(
        nw.when(duration > 0).then(duration).log().alias("__g0"),
        (duration == 0).cast(nw.Int64).alias("__z0"),
        *(flag.cast(nw.Int64).alias(f"__b{i}") for i, flag in enumerate(buckets.values())),
    )
    specs = {
        **_specs(0),
        "zeros0": ("__z0", "sum", 0.0),
        "logs0": ("__g0", "mean", 0.0),
        **{f"bucket{i}": (f"__b{i}", "sum", 0.0) for i in range(len(buckets))},
    }
    aggregated = _engine.aggregate(frame, [], specs)
    km: float | None = None
    reached: bool | None = None
    if policy is OpenIncidents.CENSOR:
        km, reached = _kaplan_meier(frame)
    result = aggregated.select(
        nw.lit(metric.name).alias("metric"),
        *(
            nw.col(f"{name}0").fill_null(0).cast(nw.Int64).alias(name)
            for name in ("n", "open", "excluded", "missing_start", "negative", "zeros")
        ),
        *(_seconds(name, 0).alias(f"{name}_s") for name, _, _ in _STATISTICS),
        ((nw.col("logs0").cast(nw.Float64).exp() + 0.5).floor() / _engine.US).alias(
            "geometric_mean_s"
        ),
        *(
            nw.col(f"bucket{i}").fill_null(0).cast(nw.Int64).alias(label)
            for i, label in enumerate(buckets)
        ),
        nw.lit(None if km is None else km / _engine.US, dtype=nw.Float64).alias("km_median_s"),
        nw.lit(reached, dtype=_engine.boolean(aggregated, reached)).alias("km_median_reached"),
    )
    return result.to_native()


def _kaplan_meier(frame: _engine.Frame) -> tuple[float | None, bool | None]:
    """The Kaplan-Meier median, from (duration, events, leaving) aggregated by the engine."""
    timed = frame.select(
        nw.coalesce(nw.col("__d0"), nw.col("__c0")).alias("t"),
        (~nw.col("__d0").is_null()).cast(nw.Int64).alias("event"),
    ).filter(~nw.col("t").is_null())
    tallies = _engine.collect(
        _engine.aggregate(
            timed, ["t"], {"events": ("event", "sum", 0.0), "leaving": ("event", "count", 0.0)}
        )
    )
    rows = [(float(t), int(events), int(leaving)) for t, events, leaving in tallies.iter_rows()]
    km = kaplan_meier_median_of_tallies(rows)
    return km, km is not None


def trend(
    df: object,
    *,
    start: datetime | str,
    end: datetime | str,
    every: str = "month",
    tz: str = "UTC",
    major_only: bool = True,
    milestone: Milestone | str = Milestone.REPORTED,
    columns: ColumnMap = ColumnMap(),
) -> Any:  # noqa: ANN401 - the input's own frame type
    """Incidents per period with changes and a noise flag, as :func:`~majorincident.kpi.trend`.

    The engine counts per period; the rates, changes and exact tests are computed on those
    counts (one row per period), and returned as a frame of the input's kind.

    Returns:
        One row per period, empty ones included: ``period``, ``start``, ``end`` (UTC),
        ``count``, ``rate_per_day``, ``change_vs_first``, ``change_vs_previous`` (percent,
        null from a rate of 0), ``p_value``, ``likely_noise``.

    Raises:
        ConfigurationError: an unknown period or timezone, or a missing or non-datetime column;
            `major_only` needs the major column.
        TimelineError: `end` not after `start`.
    """
    spans = periods(start, end, every=every, tz=tz)
    first, last = micros(spans[0][1]), micros(spans[-1][2])
    chosen = milestone_of(milestone)
    fields = [*(["kind"] if columns.kind is not None else []), *(["major"] if major_only else [])]
    data = _prepare(df, columns, fields=fields, milestones=[chosen])
    at = nw.col(_instant(chosen))
    keep = ~at.is_null() & (at >= first) & (at < last) & ~_kinds_excluded(columns, _EXCLUDED)
    if major_only:
        keep = keep & nw.col(columns.column("major")).fill_null(value=False)
    frame = data.frame.filter(keep.fill_null(value=False))
    frame = frame.with_columns(
        _engine.local_micros(frame, _instant(chosen), tz, (first, last)).alias("__local")
    )
    frame = _engine.period_key(frame, "__local", every, "__period").with_columns(
        nw.lit(1).alias("__one")
    )
    counted = _engine.collect(
        _engine.aggregate(frame, ["__period"], {"count": ("__one", "sum", 0.0)})
    )
    counts = {int(key): int(count) for key, count in counted.iter_rows()}
    zone = load_zone(tz, field="tz")
    rows = trend_rows(
        spans,
        [
            counts.get(_engine.python_key(lower.astimezone(zone).date(), every), 0)
            for _, lower, _ in spans
        ],
    )
    data_out = {
        "period": [row.period for row in rows],
        "start": [_plain(row.start) for row in rows],
        "end": [_plain(row.end) for row in rows],
        "count": [row.count for row in rows],
        "rate_per_day": [row.rate_per_day for row in rows],
        "change_vs_first": [row.change_vs_first for row in rows],
        "change_vs_previous": [row.change_vs_previous for row in rows],
        "p_value": [row.p_value for row in rows],
        "likely_noise": [row.likely_noise for row in rows],
    }
    schema = {
        "period": nw.String(),
        "start": nw.Datetime("us", "UTC"),
        "end": nw.Datetime("us", "UTC"),
        "count": nw.Int64(),
        "rate_per_day": nw.Float64(),
        "change_vs_first": nw.Float64(),
        "change_vs_previous": nw.Float64(),
        "p_value": nw.Float64(),
        "likely_noise": nw.Boolean(),
    }
    return _engine.native_like(data.frame, data_out, schema)


def _plain(moment: datetime) -> datetime:
    return datetime(*moment.timetuple()[:6], moment.microsecond, tzinfo=UTC)


def reliability(
    df: object,
    *,
    window: tuple[datetime | str, datetime | str],
    by_service: bool = False,
    columns: ColumnMap = ColumnMap(),
) -> Any:  # noqa: ANN401 - the input's own frame type
    """Downtime, availability, failures, MTBF and MTBSI over a window: a service's reliability.

    The figures :func:`~majorincident.kpi.downtime`, :func:`~majorincident.kpi.availability`,
    :func:`~majorincident.kpi.mtbf` and :func:`~majorincident.kpi.mtbsi` give one by one.

    An outage runs from STARTED (REPORTED when there is no started column or value) to
    RESOLVED (the window's end while open); overlapping outages are merged and clipped to the
    window; tests and drills are left out.

    Returns:
        A frame of the input's kind: ``service`` (with `by_service`), ``downtime_s``,
        ``availability``, ``failures`` (outages starting in the window), ``mtbf_s`` and
        ``mtbsi_s`` (null without failures). Without `by_service`, one row.

    Raises:
        ConfigurationError: a missing or non-datetime column.
        TimelineError: the window ends before it starts.
    """
    lower_bound, upper_bound = window_bounds(window)
    first, last = micros(lower_bound), micros(upper_bound)
    fields = [*(["kind"] if columns.kind is not None else []), *(["service"] if by_service else [])]
    data = _prepare(
        df,
        columns,
        fields=fields,
        milestones=[Milestone.REPORTED, Milestone.RESOLVED],
        optional=[Milestone.STARTED],
    )
    frame = data.frame
    has_started = _instant(Milestone.STARTED) in frame.collect_schema().names()
    reported = nw.col(_instant(Milestone.REPORTED))
    begin = nw.coalesce(nw.col(_instant(Milestone.STARTED)), reported) if has_started else reported
    keys = ["service"] if by_service else []
    frame = frame.with_columns(
        begin.alias("__begin"),
        *([nw.col(columns.column("service")).alias("service")] if by_service else []),
    ).filter(~nw.col("__begin").is_null() & ~_kinds_excluded(columns, _EXCLUDED))
    finish = nw.coalesce(
        nw.col(_instant(Milestone.RESOLVED)), nw.max_horizontal(nw.col("__begin"), nw.lit(last))
    )
    frame = frame.with_columns(
        nw.max_horizontal(nw.col("__begin"), nw.lit(first)).alias("__lower"),
        nw.min_horizontal(finish, nw.lit(last)).alias("__upper"),
        ((nw.col("__begin") >= first) & (nw.col("__begin") < last))
        .cast(nw.Int64)
        .alias("__failure"),
    )
    frame = _covered(frame, keys, first)
    totals = _engine.aggregate(
        frame,
        keys,
        {"downtime_s": ("__covered", "sum", 0.0), "failures": ("__failure", "sum", 0.0)},
    )
    length = (last - first) / _engine.US
    down = nw.col("downtime_s").fill_null(0.0).cast(nw.Float64)
    failures = nw.col("failures").fill_null(0).cast(nw.Int64)
    result = totals.select(
        *keys,
        down.alias("downtime_s"),
        (1 - down / length).alias("availability"),
        failures.alias("failures"),
        nw.when(failures > 0).then((length - down) / failures).alias("mtbf_s"),
        nw.when(failures > 0).then(length / failures).alias("mtbsi_s"),
    )
    if keys:
        result = result.sort(keys, nulls_last=True)
    return result.to_native()


def _covered(frame: _engine.Frame, keys: list[str], first: int) -> _engine.Frame:
    """Add ``__covered``: the seconds each outage adds to the union of those before it.

    Sorted by start within each group, an outage covers what lies past the furthest end of
    the ones before it (a running maximum), so the union is a sum.
    """
    order = ["__lower", "__upper"]
    try:
        frame = frame.with_columns(
            nw.col("__upper").cum_max().over(*keys, order_by=order).alias("__reach")
        )
        frame = frame.with_columns(
            nw.col("__reach").shift(1).over(*keys, order_by=order).alias("__before")
        )
    except NotImplementedError:
        if not isinstance(frame, nw.DataFrame):
            # Dask, the one lazy engine here without ordered windows in narwhals.
            return _engine.dask_covered(frame, keys, first)
        # PyArrow has windows only without partitions: one group at a time.
        parts = [
            _covered(part, [], first) for _, part in frame.group_by(*keys, drop_null_keys=False)
        ]
        return nw.concat(parts, how="vertical") if parts else _covered(frame, [], first)
    start_at = nw.max_horizontal(nw.col("__lower"), nw.col("__before").fill_null(first))
    return frame.with_columns(
        ((nw.col("__upper") - start_at) / _engine.US).clip(lower_bound=0).alias("__covered")
    )


def __getattr__(name: str) -> object:
    """``downtime``, the old name of :func:`reliability`, with a DeprecationWarning."""
    return renamed(__name__, name, {"downtime": ("reliability", reliability)})
