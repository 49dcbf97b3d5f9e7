"""The Kaplan-Meier median on frames: the durations tallied by the engine, the median found here.

The tallies (one row per distinct duration) are handed to one task of Dask's graph, to one
step of Spark's or a lazy Polars frame's plan, or come back to the driver on the other engines;
:mod:`majorincident.kpi.stats` finds the median and its interval from them, as on the pure
path.
"""

from __future__ import annotations

from typing import Any, Final

import narwhals as nw
from narwhals import Implementation

from majorincident.frames._engine import US, Frame, aggregate, collect, finished, finishes_in_plan
from majorincident.kpi import CONFIDENCE
from majorincident.kpi.stats import (
    kaplan_meier_median_interval_of_tallies,
    kaplan_meier_median_of_tallies,
)

__all__ = ["KM_COLUMNS", "kaplan_meier", "known_kaplan_meier", "tallies", "with_kaplan_meier"]

#: The columns of the Kaplan-Meier median, found from the tallies of the durations.
KM_COLUMNS: Final = ("km_median_s", "km_median_reached", "km_median_low_s", "km_median_high_s")
_KM_SCHEMA: Final = {
    name: nw.Boolean() if name == "km_median_reached" else nw.Float64() for name in KM_COLUMNS
}


def tallies(frame: Frame) -> Frame:
    """Per duration: the incidents resolved then (events) and all that leave then (leaving)."""
    timed = frame.select(
        nw.coalesce(nw.col("__d0"), nw.col("__c0")).alias("t"),
        (~nw.col("__d0").is_null()).cast(nw.Int64).alias("event"),
    ).filter(~nw.col("t").is_null())
    return aggregate(
        timed, ["t"], {"events": ("event", "sum", 0.0), "leaving": ("event", "count", 0.0)}
    )


def kaplan_meier(counted: nw.DataFrame[Any]) -> dict[str, float | bool | None]:
    """The Kaplan-Meier median of the tallies, whether it was reached, and its interval."""
    rows = [(float(t), int(events), int(leaving)) for t, events, leaving in counted.iter_rows()]
    km = kaplan_meier_median_of_tallies(rows)
    low, high = kaplan_meier_median_interval_of_tallies(rows, CONFIDENCE)
    seconds = [None if value is None else value / US for value in (km, low, high)]
    return dict(zip(KM_COLUMNS, [seconds[0], km is not None, *seconds[1:]], strict=True))


def _dask_kaplan_meier(result: Frame, counted: Frame) -> object:
    """The summary on Dask with its Kaplan-Meier median, both found when the caller computes."""
    native = result.to_native().repartition(npartitions=1)

    def fill(summary: Any, counts: Any) -> Any:  # noqa: ANN401 - pandas frames
        found = kaplan_meier(nw.from_native(counts, eager_only=True))
        return summary.assign(
            **{name: float("nan") if value is None else value for name, value in found.items()}
        )

    tallied = counted.to_native().repartition(npartitions=1)
    return native.map_partitions(fill, tallied, meta=native._meta)  # noqa: SLF001 - its model


def _planned_kaplan_meier(result: Frame, counted: Frame, like: Frame) -> object:
    """The summary on Spark or a lazy Polars frame with its Kaplan-Meier median.

    The median is found from the tallies in a step of the plan (see
    :func:`~majorincident.frames._engine.finished`) and joined to the summary's one row: both
    are computed when the caller collects.
    """
    found: Any = finished(
        counted,
        lambda tallied: {name: [value] for name, value in kaplan_meier(tallied).items()},
        like,
        _KM_SCHEMA,
    )
    joined = result.drop(*KM_COLUMNS).join(nw.from_native(found), how="cross")
    return joined.select(*result.columns).to_native()


def _later(frame: Frame) -> bool:
    """Whether the median is found when the caller computes: on Dask, Spark, lazy Polars."""
    return frame.implementation is Implementation.DASK or finishes_in_plan(frame)


def known_kaplan_meier(frame: Frame, *, censored: bool) -> dict[str, float | bool | None]:
    """The Kaplan-Meier columns of a summary of `frame`'s measured durations, as known now.

    Null without `censored`; found now from the tallies on an engine that computes at the
    call; otherwise placeholders of the columns' types, filled in by :func:`with_kaplan_meier`.
    """
    km: dict[str, float | bool | None] = dict.fromkeys(KM_COLUMNS)
    if censored and _later(frame):
        km["km_median_reached"] = False  # a placeholder of the column's type
    elif censored:
        km = kaplan_meier(collect(tallies(frame)))
    return km


def with_kaplan_meier(result: Frame, frame: Frame, like: Frame) -> object:
    """The native summary `result` of `frame`, its Kaplan-Meier median found where it is due."""
    if frame.implementation is Implementation.DASK:
        return _dask_kaplan_meier(result, tallies(frame))
    if finishes_in_plan(frame):
        return _planned_kaplan_meier(result, tallies(frame), like)
    return result.to_native()
