"""KPIs: MTTA, MTTR, MTTD, MTBF, downtime, availability and the trend, with honest statistics.

Pure functions over :class:`~majorincident.incident.Incident` records: any iterable, consumed
once, no clock read (``as_of`` says which instant a figure speaks for).
"""

from __future__ import annotations

from majorincident._deprecated import renamed
from majorincident.kpi._compare import Comparison, compare
from majorincident.kpi._means import mtta, mttd, mttr
from majorincident.kpi._metrics import (
    BUCKETS,
    CONFIDENCE,
    MTRS,
    MTTA,
    MTTD,
    MTTR,
    SMALL_SAMPLE,
    TIME_TO_CONTAIN,
    Metric,
    OpenIncidents,
    Summary,
    summarize,
)
from majorincident.kpi._outages import availability, downtime, mtbf, mtbsi
from majorincident.kpi._report import GROUPS, Report, ReportRow, report
from majorincident.kpi._trend import (
    CANNOT_TELL,
    CONTROLS,
    EVERY,
    POWER,
    REAL_CHANGE,
    SIGNIFICANCE,
    TrendRow,
    periods,
    trend,
)

__all__ = [
    "BUCKETS",
    "CANNOT_TELL",
    "CONFIDENCE",
    "CONTROLS",
    "EVERY",
    "GROUPS",
    "MTRS",
    "MTTA",
    "MTTD",
    "MTTR",
    "POWER",
    "REAL_CHANGE",
    "SIGNIFICANCE",
    "SMALL_SAMPLE",
    "TIME_TO_CONTAIN",
    "Comparison",
    "Metric",
    "OpenIncidents",
    "Report",
    "ReportRow",
    "Summary",
    "TrendRow",
    "availability",
    "compare",
    "downtime",
    "mtbf",
    "mtbsi",
    "mtta",
    "mttd",
    "mttr",
    "periods",
    "report",
    "summarize",
    "trend",
]


def __getattr__(name: str) -> object:
    """Old names, with a warning: ``NOISE_LEVEL`` is :data:`SIGNIFICANCE`."""
    return renamed(__name__, name, {"NOISE_LEVEL": ("SIGNIFICANCE", SIGNIFICANCE)})
