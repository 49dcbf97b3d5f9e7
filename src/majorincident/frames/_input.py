"""A frame made ready for the KPIs: its columns checked, its instants as integer microseconds."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Final

import attrs
import narwhals as nw

from majorincident.clock import ALWAYS, utc
from majorincident.clock._instants import micros
from majorincident.errors import ConfigurationError, NaiveDateTimeError
from majorincident.frames._columns import ColumnMap
from majorincident.frames._engine import (
    DAY_US,
    Frame,
    collect,
    load,
    with_micros,
    with_naive_read,
)
from majorincident.incident import IncidentKind, Milestone
from majorincident.kpi import Metric


@attrs.frozen
class Input:
    """A frame with the instants it needs as integer microseconds (``__<milestone>``).

    `milestones` are those it holds: the required ones, and the optional ones the frame has.
    """

    frame: Frame
    columns: ColumnMap
    milestones: frozenset[Milestone] = frozenset()


#: The longest window whose offsets naive columns are read by (five years), see `prepare`.
_WINDOW_OFFSETS_AT_MOST: Final = 5 * 366 * DAY_US


def instant_column(milestone: Milestone) -> str:
    return f"__{milestone.value}"


def prepare(
    df: object,
    columns: ColumnMap,
    *,
    fields: Iterable[str],
    milestones: Iterable[Milestone],
    optional: Iterable[Milestone] = (),
    within: tuple[int, int] | None = None,
) -> Input:
    """Check the columns a computation needs and add its instants as microseconds.

    Naive columns are read as wall time in the column map's timezone: on Spark by its own
    rules, on Polars by the offsets over each batch it reads; elsewhere exactly where the
    offsets are known: over the data's range, read from the frame, or over `within` (UTC
    micros), for a computation that only tells whether an instant lies before, in or after
    that window. Outside it a naive instant may be read with a nearby offset (under a day
    away), which leaves it on the same side of the window, and no data is read for the range.
    A window longer than five years is not used: its offsets could number thousands (a window
    to the year 9999), where the data's range is read instead.
    """
    frame = load(df)
    schema = frame.collect_schema()
    wanted = {field: columns.column(field) for field in fields}
    needed = {m: columns.column(m) for m in dict.fromkeys(milestones)}
    for milestone in optional:
        name = columns.milestones.get(milestone)
        if name is not None and name in schema and milestone not in needed:
            needed[milestone] = name
    naive = _check_schema(schema, wanted, needed, columns)
    frame = with_micros(frame, {instant_column(m): name for m, name in needed.items()})
    local = [instant_column(m) for m, name in needed.items() if name in naive]
    return Input(
        _localized(frame, local, columns.tz, within) if local and columns.tz else frame,
        columns,
        frozenset(needed),
    )


def _check_schema(
    schema: Any,  # noqa: ANN401 - a narwhals schema
    wanted: dict[str, str],
    needed: dict[Milestone, str],
    columns: ColumnMap,
) -> list[str]:
    """The naive datetime columns among `needed`, after refusing missing and non-datetime ones."""
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
    return naive


def _localized(frame: Frame, local: list[str], tz: str, within: tuple[int, int] | None) -> Frame:
    """`frame` with the naive instants in `local` read as wall time in `tz`, now in UTC."""
    near = (
        within if within is not None and within[1] - within[0] <= _WINDOW_OFFSETS_AT_MOST else None
    )
    return with_naive_read(
        frame,
        local,
        tz,
        lambda: near if near is not None else _range(frame, local),
    )


def _range(frame: Frame, local: list[str]) -> tuple[int, int] | None:
    """The least and greatest of the instants in `local` (a pass over the data), if any."""
    edges = collect(
        frame.select(
            nw.min_horizontal(*(nw.col(c).min() for c in local)).alias("lo"),
            nw.max_horizontal(*(nw.col(c).max() for c in local)).alias("hi"),
        )
    ).row(0)
    if edges[0] is None or edges[0] != edges[0]:  # no instant at all (None, or NaN on pandas)
        return None
    return int(edges[0]), int(edges[1])


def kinds_excluded(columns: ColumnMap, kinds: Iterable[IncidentKind]) -> nw.Expr:
    if columns.kind is None:
        return nw.lit(value=False)
    values = sorted(kind.value for kind in kinds)
    return nw.col(columns.kind).is_in(values).fill_null(value=False)


def as_of_micros(value: datetime | str) -> int:
    return micros(utc(value, field="as_of"))


def wall_time(metric: Metric) -> Metric:
    if metric.calendar is not ALWAYS:
        raise ConfigurationError(
            f"metric {metric.name!r} counts business time, which frames do not compute; "
            "use majorincident.kpi on Incident records for business-time metrics"
        )
    return metric


def plain(moment: datetime) -> datetime:
    """A UTC instant as a standard datetime, whatever datetime subclass the engine gave."""
    return datetime(*moment.timetuple()[:6], moment.microsecond, tzinfo=UTC)
