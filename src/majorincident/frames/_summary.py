""":func:`summarize` and :func:`report` on frames: grouped, exact statistics per metric."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final, cast

import attrs
import narwhals as nw

from majorincident.clock import load_zone
from majorincident.clock._instants import MICROSECOND
from majorincident.errors import ConfigurationError
from majorincident.frames._columns import ColumnMap
from majorincident.frames._engine import (
    REPLAYED,
    US,
    Frame,
    Spec,
    aggregate,
    aggregated_columns,
    boolean,
    by_partition,
    deferred,
    finished_small,
    load,
    period_key,
    period_label,
    repeated,
    sorted_result,
    undeferred,
    with_local_micros,
)
from majorincident.frames._input import (
    Input,
    as_of_micros,
    instant_column,
    kinds_excluded,
    prepare,
    wall_time,
)
from majorincident.frames._survival import (
    KM_COLUMNS,
    kaplan_meier_lists,
    known_kaplan_meier,
    with_kaplan_meier,
)
from majorincident.incident import Milestone
from majorincident.kpi import BUCKETS, CONFIDENCE, MTTA, MTTR, Metric, OpenIncidents
from majorincident.kpi._metrics import open_policy
from majorincident.kpi._report import check_grouping
from majorincident.kpi.power import median_detectable

#: name, aggregation, argument; the mean aggregates the sum, divided exactly afterwards.
_STATISTICS: Final = (
    ("mean", "sum", 0.0),
    ("median", "quantile", 0.5),
    ("p90", "quantile", 0.9),
    ("p95", "quantile", 0.95),
    ("minimum", "min", 0.0),
    ("maximum", "max", 0.0),
    ("median_low", "median_low", CONFIDENCE),
    ("median_high", "median_high", CONFIDENCE),
)


def _measure(
    data: Input,
    metrics: Sequence[Metric],
    as_of: int,
    *,
    censored: bool = False,
) -> Frame:
    """Add each metric's columns: seconds measured (and censored, when asked), and 0/1 flags.

    Durations are whole microseconds, as on the pure path. For metric i: ``__d{i}`` measured,
    ``__t{i}`` the same with 0 where nothing is measured (summed exactly, as integers),
    ``__c{i}`` censored at as_of (with `censored`), ``__o{i}`` open, ``__m{i}`` over without
    the end, ``__x{i}`` excluded, ``__s{i}`` missing its start, ``__n{i}`` ending before it
    starts. The conditions these share are columns first (``__b{i}`` began, ``__r{i}`` reached,
    ``__v{i}`` over), so that an eager engine, which evaluates each expression whole, computes
    each of them once.
    """
    frame = data.frame.with_columns(
        column
        for index, metric in enumerate(metrics)
        for column in (
            _reached(metric.start, as_of).alias(f"__b{index}"),
            _reached(metric.end, as_of).alias(f"__r{index}"),
            _over(data.milestones, metric, as_of).alias(f"__v{index}"),
            kinds_excluded(data.columns, metric.exclude_kinds).alias(f"__x{index}"),
        )
    )
    columns = []
    for index, metric in enumerate(metrics):
        start, end = nw.col(instant_column(metric.start)), nw.col(instant_column(metric.end))
        began, reached = nw.col(f"__b{index}"), nw.col(f"__r{index}")
        over, excluded = nw.col(f"__v{index}"), nw.col(f"__x{index}")
        counted = began & ~excluded
        backwards = (counted & reached & (end < start)).fill_null(value=False)
        duration = nw.when(counted & reached & ~backwards).then(end - start)
        unreached = counted & ~reached
        still_open = unreached & ~over
        columns += [
            duration.alias(f"__d{index}"),
            duration.fill_null(0).cast(nw.Int64).alias(f"__t{index}"),
            backwards.cast(nw.Int64).alias(f"__n{index}"),
            still_open.cast(nw.Int64).alias(f"__o{index}"),
            (unreached & over).cast(nw.Int64).alias(f"__m{index}"),
            excluded.cast(nw.Int64).alias(f"__x{index}"),
            (~began & ~excluded).cast(nw.Int64).alias(f"__s{index}"),
        ]
        if censored:
            columns.append(nw.when(still_open).then(as_of - start).alias(f"__c{index}"))
    return frame.with_columns(columns)


def _reached(milestone: Milestone, as_of: int) -> nw.Expr:
    """Whether a milestone is known and came by `as_of`."""
    moment = nw.col(instant_column(milestone))
    return (~moment.is_null() & (moment <= as_of)).fill_null(value=False)


#: Milestones read, when the frame has them, to tell an incident that is over from one open.
OVER: Final = (Milestone.RESOLVED, Milestone.CLOSED)


def _over(present: frozenset[Milestone], metric: Metric, as_of: int) -> nw.Expr:
    """Whether an incident was over by `as_of`: closed, or resolved for a metric ending sooner.

    As on the pure path; without the columns, nothing is known to be over.
    """
    resolution_ends = metric.end.index < Milestone.CLOSED.index
    over = nw.lit(value=False)
    for milestone in OVER:
        # The metric's own end adds nothing: where it is reached, the incident is measured.
        if milestone is metric.end or milestone not in present:
            continue
        if milestone is Milestone.CLOSED or resolution_ends:
            over = over | _reached(milestone, as_of)
    return over


def _specs(index: int) -> dict[str, Spec]:
    specs: dict[str, Spec] = {
        f"n{index}": (f"__d{index}", "count", 0.0),
        f"open{index}": (f"__o{index}", "sum", 0.0),
        f"excluded{index}": (f"__x{index}", "sum", 0.0),
        f"missing_start{index}": (f"__s{index}", "sum", 0.0),
        f"missing_end{index}": (f"__m{index}", "sum", 0.0),
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
    return exact.cast(nw.Float64) / US


def _detectable(index: int) -> nw.Expr:
    """:attr:`~majorincident.kpi.Summary.detectable_change`, from the median's interval.

    Null without an interval or where its low end is zero, as on the pure path (and no
    logarithm of zero is taken: an eager engine computes both branches of a condition).
    """
    low, high = _seconds("median_low", index), _seconds("median_high", index)
    positive = low > 0
    low, high = nw.when(positive).then(low), nw.when(positive).then(high)
    change: nw.Expr = median_detectable(low, high, CONFIDENCE, log=nw.Expr.log, exp=nw.Expr.exp)
    return change


def _long(
    frame: Frame, keys: list[str], metrics: Sequence[Metric], extra: Sequence[str] = ()
) -> Frame:
    """One row per group and metric, in the order of :meth:`ReportRow.to_dict`.

    Spark and DuckDB would aggregate once per metric for a union of one selection per metric:
    there each row of the aggregate is repeated once per metric instead, and each copy takes its
    metric's columns.
    """
    counts = ("n", "open", "excluded", "missing_start", "missing_end", "negative", *extra)

    seconds = [f"{name}_s" for name, _, _ in _STATISTICS]
    names = ["__metric", "metric", *counts, *seconds, "detectable_change"]

    def columns(index: int, metric: Metric) -> list[nw.Expr]:
        return [
            nw.lit(index),
            nw.lit(metric.name),
            *(nw.col(f"{name}{index}").cast(nw.Int64) for name in counts),
            *(_seconds(name, index) for name, _, _ in _STATISTICS),
            _detectable(index),
        ]

    chosen = [columns(index, metric) for index, metric in enumerate(metrics)]
    if frame.implementation not in REPLAYED or len(metrics) == 1:
        return nw.concat(
            [
                frame.select(*keys, *(e.alias(n) for e, n in zip(exprs, names, strict=True)))
                for exprs in chosen
            ],
            how="vertical",
        )
    joined = repeated(frame, len(metrics))
    picked = []
    for place, name in enumerate(names):
        pick = chosen[-1][place]
        for index in reversed(range(len(metrics) - 1)):
            pick = nw.when(nw.col("__n") == index).then(chosen[index][place]).otherwise(pick)
        picked.append(pick.alias(name))
    return joined.select(*keys, *picked)


def _group_columns(data: Input, by: Sequence[str]) -> Frame:
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
        ``metric``, ``n``, ``open``, ``excluded``, ``missing_start``, ``missing_end``,
        ``negative`` (end before start: left out, as on the pure path), then ``mean_s``,
        ``median_s``, ``p90_s``, ``p95_s``, ``minimum_s``, ``maximum_s`` in seconds (null when
        nothing is measured), ``median_low_s`` / ``median_high_s``, the 95% interval of the
        median (:attr:`~majorincident.kpi.Summary.median_low`; null below six measured), and
        ``detectable_change``, the smallest change of the median a comparison of two such sets
        sees four times in five (:attr:`~majorincident.kpi.Summary.detectable_change`).
        Rows are sorted by group (nulls last), period, then metric in the order given.

    Raises:
        ConfigurationError: an unknown field, period or timezone, a business-time metric, or
            a column that is missing or not a datetime.
        NaiveDateTimeError: naive datetime columns without ``ColumnMap(tz=...)``.
    """
    check_grouping(by, every)
    load_zone(tz, field="tz")
    moment = as_of_micros(as_of)
    open_policy(open_incidents)
    metrics = [wall_time(metric) for metric in metrics]
    if not metrics:
        raise ConfigurationError("metrics (empty) must name at least one metric")
    needed = [m for metric in metrics for m in (metric.start, metric.end)]
    keys = [*by, *(["__period"] if every is not None else [])]
    specs = {name: spec for index in range(len(metrics)) for name, spec in _specs(index).items()}

    def measured(frame: Frame) -> Frame:
        """Each incident's durations and flags, by its group (and period)."""
        fields = [*by, *(["kind"] if columns.kind is not None else [])]
        instants = [*needed, *([Milestone.REPORTED] if every is not None else [])]
        data = prepare(frame, columns, fields=fields, milestones=instants, optional=OVER)
        frame = _measure(attrs.evolve(data, frame=_group_columns(data, by)), metrics, moment)
        if every is not None:
            reported = instant_column(Milestone.REPORTED)
            frame = with_local_micros(frame, reported, tz, "__local")
            frame = period_key(frame, "__local", every, "__period")
        return frame.select(*keys, *aggregated_columns(specs))

    def tabled(table: Frame) -> Frame:
        """The aggregate as the report's rows: one per metric, sorted, periods labelled."""
        result = sorted_result(_long(table, keys, metrics), [*keys, "__metric"])
        if every is not None:
            result = period_label(result, "__period", every, "period")
            result = result.select(*by, "period", nw.exclude(*keys, "period"))
        return result.drop("__metric")

    frame, eager = deferred(load(df))
    result = finished_small(aggregate(by_partition(frame, measured), keys, specs), tabled)
    return undeferred(result, eager).to_native()


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
        ``excluded``, ``missing_start``, ``missing_end``, ``negative``, ``zeros``, the
        durations in seconds
        ``mean_s``, ``median_s``, ``p90_s``, ``p95_s``, ``minimum_s``, ``maximum_s``, the
        median's 95% interval ``median_low_s`` / ``median_high_s``, ``detectable_change`` (as
        :func:`report`), ``geometric_mean_s``, one
        count per bucket of :data:`~majorincident.kpi.BUCKETS` (named by its label), and
        ``km_median_s`` / ``km_median_reached`` and its interval ``km_median_low_s`` /
        ``km_median_high_s`` (null unless ``open_incidents="censor"``). The Kaplan-Meier median
        needs the distinct durations: with "censor" they are aggregated and the median found
        from them when the result is computed on Dask, Spark and a lazy Polars frame, and
        before the frame is returned on the other engines.

    Raises:
        ConfigurationError: as :func:`report`.
        NaiveDateTimeError: naive datetime columns without ``ColumnMap(tz=...)``.
    """
    moment = as_of_micros(as_of)
    policy = open_policy(open_incidents)
    metric = wall_time(metric)
    data = prepare(
        df,
        columns,
        fields=["kind"] if columns.kind is not None else [],
        milestones=[metric.start, metric.end],
        optional=OVER,
    )
    frame = _measure(data, [metric], moment, censored=True)
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
    censored = policy is OpenIncidents.CENSOR
    lists = kaplan_meier_lists(frame, censored=censored)
    aggregated = aggregate(frame, [], {**specs, **lists})
    km = known_kaplan_meier(frame, censored=censored)
    reached = cast("bool | None", km["km_median_reached"])
    result = aggregated.select(
        nw.lit(metric.name).alias("metric"),
        *(
            nw.col(f"{name}0").fill_null(0).cast(nw.Int64).alias(name)
            for name in (
                "n",
                "open",
                "excluded",
                "missing_start",
                "missing_end",
                "negative",
                "zeros",
            )
        ),
        *(_seconds(name, 0).alias(f"{name}_s") for name, _, _ in _STATISTICS),
        _detectable(0).alias("detectable_change"),
        ((nw.col("logs0").cast(nw.Float64).exp() + 0.5).floor() / US).alias("geometric_mean_s"),
        *(
            nw.col(f"bucket{i}").fill_null(0).cast(nw.Int64).alias(label)
            for i, label in enumerate(buckets)
        ),
        *(
            nw.lit(reached, dtype=boolean(aggregated, reached)).alias(name)
            if name == "km_median_reached"
            else nw.lit(km[name], dtype=nw.Float64).alias(name)
            for name in KM_COLUMNS
        ),
        *lists,
    )
    return with_kaplan_meier(result, frame, data.frame) if censored else result.to_native()
