""":func:`trend` on frames: incidents counted per local period, tested as the pure path does."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

import narwhals as nw

from majorincident.clock import load_zone
from majorincident.clock._instants import micros
from majorincident.frames._columns import ColumnMap
from majorincident.frames._engine import (
    aggregate,
    finished,
    local_micros,
    period_key,
    python_key,
)
from majorincident.frames._input import instant_column, kinds_excluded, plain, prepare
from majorincident.incident import EXCLUDED_KINDS, Milestone
from majorincident.kpi import periods
from majorincident.kpi._metrics import milestone_of
from majorincident.kpi._trend import check_control, trend_rows

#: The columns of a trend, and their types.
_SCHEMA: Final = {
    "period": nw.String(),
    "start": nw.Datetime("us", "UTC"),
    "end": nw.Datetime("us", "UTC"),
    "count": nw.Int64(),
    "rate_per_day": nw.Float64(),
    "change_vs_first": nw.Float64(),
    "change_vs_previous": nw.Float64(),
    "p_value": nw.Float64(),
    "adjusted_p_value": nw.Float64(),
    "verdict": nw.String(),
    "detectable_rise": nw.Float64(),
}


def trend(  # noqa: PLR0913 - the pure trend's options and the column map
    df: object,
    *,
    start: datetime | str,
    end: datetime | str,
    every: str = "month",
    tz: str = "UTC",
    major_only: bool = True,
    milestone: Milestone | str = Milestone.REPORTED,
    columns: ColumnMap = ColumnMap(),
    control: str = "series",
) -> Any:  # noqa: ANN401 - the input's own frame type
    """Incidents per period with changes and verdicts, as :func:`~majorincident.kpi.trend`.

    The engine counts per period; the rates, changes and exact tests are computed on those
    counts (one row per period), and returned as a frame of the input's kind.

    Returns:
        One row per period, empty ones included: ``period``, ``start``, ``end`` (UTC),
        ``count``, ``rate_per_day``, ``change_vs_first``, ``change_vs_previous`` (percent,
        null from a rate of 0), ``p_value``, ``adjusted_p_value``, ``verdict`` ("real change" or
        "cannot tell from chance") and ``detectable_rise``, as
        :class:`~majorincident.kpi.TrendRow` says them.

    Raises:
        ConfigurationError: an unknown period, control or timezone, or a missing or
            non-datetime column;
            `major_only` needs the major column.
        TimelineError: `end` not after `start`.
    """
    check_control(control)
    spans = periods(start, end, every=every, tz=tz)
    first, last = micros(spans[0][1]), micros(spans[-1][2])
    chosen = milestone_of(milestone)
    fields = [*(["kind"] if columns.kind is not None else []), *(["major"] if major_only else [])]
    data = prepare(df, columns, fields=fields, milestones=[chosen], within=(first, last))
    at = nw.col(instant_column(chosen))
    keep = ~at.is_null() & (at >= first) & (at < last) & ~kinds_excluded(columns, EXCLUDED_KINDS)
    if major_only:
        keep = keep & nw.col(columns.column("major")).fill_null(value=False)
    frame = data.frame.filter(keep.fill_null(value=False))
    frame = frame.with_columns(
        local_micros(frame, instant_column(chosen), tz, (first, last)).alias("__local")
    )
    frame = period_key(frame, "__local", every, "__period").with_columns(nw.lit(1).alias("__one"))
    counted = aggregate(frame, ["__period"], {"count": ("__one", "sum", 0.0)})
    zone = load_zone(tz, field="tz")

    def columns_of(counted: nw.DataFrame[Any]) -> dict[str, list[Any]]:
        counts = {int(key): int(count) for key, count in counted.iter_rows()}
        found = [
            counts.get(python_key(lower.astimezone(zone).date(), every), 0) for _, lower, _ in spans
        ]
        rows = trend_rows(spans, found, control)
        return {
            "period": [row.period for row in rows],
            "start": [plain(row.start) for row in rows],
            "end": [plain(row.end) for row in rows],
            "count": [row.count for row in rows],
            "rate_per_day": [row.rate_per_day for row in rows],
            "change_vs_first": [row.change_vs_first for row in rows],
            "change_vs_previous": [row.change_vs_previous for row in rows],
            "p_value": [row.p_value for row in rows],
            "adjusted_p_value": [row.adjusted_p_value for row in rows],
            "verdict": [row.verdict for row in rows],
            "detectable_rise": [row.detectable_rise for row in rows],
        }

    return finished(counted, columns_of, data.frame, _SCHEMA)
