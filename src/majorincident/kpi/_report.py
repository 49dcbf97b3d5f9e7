"""Several metrics, grouped by fields of the record and by period, as rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

import attrs

from majorincident._tables import html_table, markdown_table, report_table
from majorincident.clock import load_zone, utc
from majorincident.errors import ConfigurationError
from majorincident.incident import Incident, Milestone
from majorincident.kpi._metrics import (
    MTTA,
    MTTR,
    Metric,
    OpenIncidents,
    Summary,
    gather,
    open_policy,
    summary_of,
)
from majorincident.kpi._trend import EVERY, day_label

__all__ = ["GROUPS", "Report", "ReportRow", "report"]

#: The record fields a report can group by.
GROUPS: Final = ("service", "priority", "impact", "urgency", "major", "kind", "channel")
_REPORTED: Final = Milestone.REPORTED.index
_STATISTICS: Final = (
    "mean",
    "median",
    "p90",
    "p95",
    "minimum",
    "maximum",
    "median_low",
    "median_high",
)


@attrs.frozen
class ReportRow:
    """One group's, one period's summary of one metric.

    Attributes:
        group: field -> value for the grouping fields (values as stored: enums as their value).
        period: the period's label (by the REPORTED instant in the report's timezone;
            ``unreported`` without one), or None when the report is not split by period.
        summary: the metric's summary for that group and period.
    """

    group: tuple[tuple[str, object], ...]
    period: str | None
    summary: Summary

    def to_dict(self) -> dict[str, object]:
        """A flat, JSON-ready dict: group fields, period, metric, counts, seconds, a factor.

        The factor is :attr:`~majorincident.kpi.Summary.detectable_change` (None without one).
        """
        summary = self.summary
        row: dict[str, object] = dict(self.group)
        if self.period is not None:
            row["period"] = self.period
        row.update(
            metric=summary.metric.name,
            n=summary.n,
            open=summary.open,
            excluded=summary.excluded,
            missing_start=summary.missing_start,
            missing_end=summary.missing_end,
            negative=summary.negative,
        )
        for name in _STATISTICS:
            value = getattr(summary, name)
            row[f"{name}_s"] = None if value is None else value.total_seconds()
        row["detectable_change"] = summary.detectable_change
        return row


@attrs.frozen
class Report:
    """Rows of summaries, ready for a DataFrame, a Markdown page or a notebook."""

    rows: tuple[ReportRow, ...]

    def to_rows(self) -> list[dict[str, object]]:
        """A list of flat dicts, one per row (``pandas.DataFrame(report.to_rows())``)."""
        return [row.to_dict() for row in self.rows]

    def to_markdown(self) -> str:
        """A Markdown table; durations are shown rounded."""
        header, body = report_table(self.to_rows())
        return markdown_table(header, body) if header else "_no incidents_\n"

    def _repr_html_(self) -> str:
        """An HTML table for notebooks."""
        return html_table(*report_table(self.to_rows()))


def _value(value: object) -> object:
    return getattr(value, "value", value)


def check_grouping(by: Sequence[str], every: str | None) -> None:
    """Refuse grouping fields outside :data:`GROUPS` and unknown periods."""
    for field in by:
        if field not in GROUPS:
            raise ConfigurationError(
                f"by names {field!r}; expected fields among {', '.join(GROUPS)}"
            )
    if every is not None and every not in EVERY:
        raise ConfigurationError(f"every ({every!r}) must be one of {', '.join(EVERY)}")


def report(
    incidents: Iterable[Incident],
    *,
    metrics: Sequence[Metric] = (MTTA, MTTR),
    by: Sequence[str] = ("service",),
    every: str | None = None,
    tz: str = "UTC",
    as_of: datetime | str,
    open_incidents: OpenIncidents | str = "exclude",
) -> Report:
    """Summaries of several metrics per group (and per period), in one pass over the records.

    Args:
        incidents: the records; any iterable, consumed once.
        metrics: what to measure.
        by: record fields to group by (see :data:`GROUPS`).
        every: a period (``month``...) to split each group by, placed by REPORTED in `tz`.
        tz: the reporting timezone.
        as_of: the instant the report speaks for.
        open_incidents: as for :func:`~majorincident.kpi.summarize`.

    Raises:
        ConfigurationError: an unknown grouping field, period or timezone.
    """
    check_grouping(by, every)
    zone: ZoneInfo = load_zone(tz, field="tz")
    moment = utc(as_of, field="as_of")
    policy = open_policy(open_incidents)
    groups: dict[tuple[object, ...], list[Incident]] = defaultdict(list)
    for incident in incidents:
        key = tuple(_value(getattr(incident, field)) for field in by)
        if every is not None:
            reported = incident.instants[_REPORTED]
            key += (
                "unreported"
                if reported is None
                else day_label(reported.astimezone(zone).date(), every),
            )
        groups[key].append(incident)
    rows = []
    for key in sorted(groups, key=lambda k: tuple((v is None, str(v)) for v in k)):
        members = groups[key]
        group = tuple(zip(by, key[: len(by)], strict=True))
        period = key[-1] if every is not None else None
        for metric in metrics:
            summary = summary_of(metric, gather(metric, members, moment), policy)
            rows.append(ReportRow(group, period, summary))  # type: ignore[arg-type]
    return Report(tuple(rows))
