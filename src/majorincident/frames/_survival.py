"""The Kaplan-Meier median on frames: the durations tallied by the engine, the median found here.

The tallies (one row per distinct duration) come back to the driver, or on Dask are handed to
one task of the graph, and :mod:`majorincident.kpi.stats` finds the median and its interval
from them, as on the pure path.
"""

from __future__ import annotations

from typing import Any, Final

import narwhals as nw

from majorincident.frames._engine import US, Frame, aggregate
from majorincident.kpi import CONFIDENCE
from majorincident.kpi.stats import (
    kaplan_meier_median_interval_of_tallies,
    kaplan_meier_median_of_tallies,
)

__all__ = ["KM_COLUMNS", "dask_kaplan_meier", "kaplan_meier", "tallies"]

#: The columns of the Kaplan-Meier median, found from the tallies of the durations.
KM_COLUMNS: Final = ("km_median_s", "km_median_reached", "km_median_low_s", "km_median_high_s")


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


def dask_kaplan_meier(result: Frame, counted: Frame) -> object:
    """The summary on Dask with its Kaplan-Meier median, both found when the caller computes."""
    native = result.to_native().repartition(npartitions=1)

    def fill(summary: Any, counts: Any) -> Any:  # noqa: ANN401 - pandas frames
        found = kaplan_meier(nw.from_native(counts, eager_only=True))
        return summary.assign(
            **{name: float("nan") if value is None else value for name, value in found.items()}
        )

    tallied = counted.to_native().repartition(npartitions=1)
    return native.map_partitions(fill, tallied, meta=native._meta)  # noqa: SLF001 - its model
