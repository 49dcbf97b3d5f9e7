""":func:`reliability` on frames: outages merged per service, and the figures of a window."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import narwhals as nw

from majorincident.clock._instants import micros
from majorincident.frames._columns import ColumnMap
from majorincident.frames._engine import US, Frame, aggregate, dask_covered, sorted_result
from majorincident.frames._input import instant_column, kinds_excluded, prepare
from majorincident.incident import EXCLUDED_KINDS, Milestone
from majorincident.kpi._outages import window_bounds


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
    data = prepare(
        df,
        columns,
        fields=fields,
        milestones=[Milestone.REPORTED, Milestone.RESOLVED],
        optional=[Milestone.STARTED],
        within=(first, last),
    )
    frame = data.frame
    has_started = instant_column(Milestone.STARTED) in frame.collect_schema().names()
    reported = nw.col(instant_column(Milestone.REPORTED))
    begin = (
        nw.coalesce(nw.col(instant_column(Milestone.STARTED)), reported)
        if has_started
        else reported
    )
    keys = ["service"] if by_service else []
    frame = frame.with_columns(
        begin.alias("__begin"),
        *([nw.col(columns.column("service")).alias("service")] if by_service else []),
    ).filter(~nw.col("__begin").is_null() & ~kinds_excluded(columns, EXCLUDED_KINDS))
    finish = nw.coalesce(
        nw.col(instant_column(Milestone.RESOLVED)),
        nw.max_horizontal(nw.col("__begin"), nw.lit(last)),
    )
    frame = frame.with_columns(
        nw.max_horizontal(nw.col("__begin"), nw.lit(first)).alias("__lower"),
        nw.min_horizontal(finish, nw.lit(last)).alias("__upper"),
        ((nw.col("__begin") >= first) & (nw.col("__begin") < last))
        .cast(nw.Int64)
        .alias("__failure"),
    )
    frame = _covered(frame, keys, first)
    totals = aggregate(
        frame,
        keys,
        {"downtime_s": ("__covered", "sum", 0.0), "failures": ("__failure", "sum", 0.0)},
    )
    length = (last - first) / US
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
        result = sorted_result(result, keys)
    return result.to_native()


def _covered(frame: Frame, keys: list[str], first: int) -> Frame:
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
            return dask_covered(frame, keys, first)
        # PyArrow has windows only without partitions: one group at a time.
        parts = [
            _covered(part, [], first) for _, part in frame.group_by(*keys, drop_null_keys=False)
        ]
        return nw.concat(parts, how="vertical") if parts else _covered(frame, [], first)
    start_at = nw.max_horizontal(nw.col("__lower"), nw.col("__before").fill_null(first))
    return frame.with_columns(
        ((nw.col("__upper") - start_at) / US).clip(lower_bound=0).alias("__covered")
    )
