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

from majorincident._deprecated import renamed
from majorincident.frames._columns import PAGERDUTY, SERVICENOW, ColumnMap
from majorincident.frames._events import from_event_log
from majorincident.frames._outages import reliability
from majorincident.frames._summary import report, summarize
from majorincident.frames._trend import trend

__all__ = [
    "PAGERDUTY",
    "SERVICENOW",
    "ColumnMap",
    "from_event_log",
    "reliability",
    "report",
    "summarize",
    "trend",
]


def __getattr__(name: str) -> object:
    """``downtime``, the old name of :func:`reliability`, with a DeprecationWarning."""
    return renamed(__name__, name, {"downtime": ("reliability", reliability)})
