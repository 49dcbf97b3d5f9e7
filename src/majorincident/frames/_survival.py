"""The Kaplan-Meier median on frames: the durations tallied, the median found here.

On Spark, Polars and DuckDB the summary's own aggregate carries the sorted measured durations
(the list its quantiles are read from) and the censored ones, and they are tallied where
:func:`~majorincident.frames._engine.finished` finishes a result: in a step of the plan on
Spark and a lazy Polars frame, when the call is made on DuckDB and an eager Polars frame. The
input is read once. On Dask the engine tallies the durations (one row per distinct duration)
for one task of its graph, and on pandas and PyArrow for the driver.
:mod:`majorincident.kpi.stats` finds the median and its interval from the tallies, as on the
pure path.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, Final

import narwhals as nw
from narwhals import Implementation

from majorincident.frames._engine import (
    LISTED,
    US,
    VALUES,
    Frame,
    Spec,
    aggregate,
    collect,
    finished,
)
from majorincident.kpi import CONFIDENCE
from majorincident.kpi.stats import (
    kaplan_meier_median_interval_of_tallies,
    kaplan_meier_median_of_tallies,
)

__all__ = [
    "KM_COLUMNS",
    "kaplan_meier",
    "kaplan_meier_lists",
    "known_kaplan_meier",
    "tallies",
    "with_kaplan_meier",
]

#: The columns of the Kaplan-Meier median, found from the tallies of the durations.
KM_COLUMNS: Final = ("km_median_s", "km_median_reached", "km_median_low_s", "km_median_high_s")
#: The lists a summary aggregates for the median found in its plan: name -> column measured.
_LISTS: Final = {"__km_events": "__d0", "__km_censored": "__c0"}


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
    return _median_of(rows)


def _tallied(events: Iterable[int], censored: Iterable[int]) -> list[tuple[float, int, int]]:
    """The tallies of measured (`events`) and censored durations: as :func:`tallies` makes."""
    observed, gone = Counter(events), Counter(censored)
    rows = [(float(t), count, count + gone.pop(t, 0)) for t, count in observed.items()]
    return rows + [(float(t), 0, count) for t, count in gone.items()]


def _median_of(rows: list[tuple[float, int, int]]) -> dict[str, float | bool | None]:
    """:func:`kaplan_meier` of tallies as (time, events, leaving)."""
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


def _listed_kaplan_meier(result: Frame, like: Frame) -> object:
    """The summary on Spark, Polars or DuckDB with its Kaplan-Meier median.

    `result` carries the lists of :func:`kaplan_meier_lists`; they are tallied, the median
    found and the summary's row given without them where
    :func:`~majorincident.frames._engine.finished` finishes a result.
    """
    schema = {name: dtype for name, dtype in result.collect_schema().items() if name not in _LISTS}

    def finish(summary: nw.DataFrame[Any]) -> dict[str, list[Any]]:
        events, censored = (summary.get_column(name).to_list()[0] or [] for name in _LISTS)
        found = _median_of(_tallied(events, censored))
        return {
            name: [found[name]] if name in found else summary.get_column(name).to_list()
            for name in schema
        }

    return finished(result, finish, like, schema)


def _later(frame: Frame) -> bool:
    """Whether the median is found after the summary's aggregate: on all but pandas, PyArrow."""
    return frame.implementation is Implementation.DASK or frame.implementation in LISTED


def kaplan_meier_lists(frame: Frame, *, censored: bool) -> dict[str, Spec]:
    """The lists to aggregate beside a summary of `frame`'s measured durations, by name.

    With `censored`, on Spark, Polars and DuckDB: the measured durations and the censored ones,
    sorted, for :func:`with_kaplan_meier` to find the median from. None elsewhere.
    """
    if censored and frame.implementation in LISTED:
        return {name: (column, VALUES, 0.0) for name, column in _LISTS.items()}
    return {}


def known_kaplan_meier(frame: Frame, *, censored: bool) -> dict[str, float | bool | None]:
    """The Kaplan-Meier columns of a summary of `frame`'s measured durations, as known now.

    Null without `censored`; found now from the tallies on pandas and PyArrow; otherwise
    placeholders of the columns' types, filled in by :func:`with_kaplan_meier`.
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
    if frame.implementation in LISTED:
        return _listed_kaplan_meier(result, like)
    return result.to_native()
