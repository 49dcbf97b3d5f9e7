"""The report as the command line writes it: counts, definitions, tables, in three formats."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from majorincident._tables import markdown_table, report_table
from majorincident.cli.load import Loaded
from majorincident.incident import EXCLUDED_KINDS, Milestone
from majorincident.interop import tally

__all__ = ["SHOWN_REFUSALS", "counted", "metric_definition", "refusals_shown", "render"]

REPORTED, RESOLVED, CLOSED = Milestone.REPORTED, Milestone.RESOLVED, Milestone.CLOSED


def metric_definition(metric: Any, columns: Mapping[str, str]) -> dict[str, object]:  # noqa: ANN401 - a kpi.Metric
    """What a metric measures in this file: from which column to which, or that it cannot."""
    ends = (metric.start, metric.end)
    absent = [m.field for m in ends if m.field not in columns]
    found: dict[str, object] = {"metric": metric.name, "in_data": not absent}
    if absent:
        found["missing_columns"] = absent
    else:
        found.update(
            {
                "from": {"milestone": metric.start.value, "column": columns[metric.start.field]},
                "to": {"milestone": metric.end.value, "column": columns[metric.end.field]},
            }
        )
    return found


def _said(definition: dict[str, Any]) -> str:
    """A metric's definition in words."""
    if not definition["in_data"]:
        fields = ", ".join(definition["missing_columns"])
        return f"  {definition['metric']}: not in this data (no column for {fields})"
    start, end = definition["from"], definition["to"]
    return (
        f"  {definition['metric']}: from {start['milestone']} ({start['column']}) "
        f"to {end['milestone']} ({end['column']})"
    )


#: What the report gives of each row of the trend.
TREND_KEYS: Final = (
    "period",
    "count",
    "change_vs_previous",
    "p_value",
    "adjusted_p_value",
    "verdict",
    "detectable_rise",
)
#: How many refused rows the report shows, with their lines and reasons.
SHOWN_REFUSALS = 5


def counted(loaded: Loaded, as_of: datetime) -> dict[str, int]:
    """Rows read, incidents built, rows skipped, major incidents, and those open at `as_of`.

    Open means reported by `as_of` and neither resolved nor closed by then: an incident closed
    without a resolution time is over, not open.
    """
    reported, resolved, closed = (m.index for m in (REPORTED, RESOLVED, CLOSED))
    still_open = 0
    for incident in loaded.incidents:
        moments = incident.instants
        start, done, shut = moments[reported], moments[resolved], moments[closed]
        if (
            start is not None
            and start <= as_of
            and (done is None or done > as_of)
            and (shut is None or shut > as_of)
        ):
            still_open += 1
    return {
        "rows": loaded.rows,
        "incidents": len(loaded.incidents),
        "skipped": len(loaded.refused),
        "major": sum(1 for i in loaded.incidents if i.major),
        "open": still_open,
        "tests_and_drills": sum(1 for i in loaded.incidents if i.kind in EXCLUDED_KINDS),
        "facts_left_out": len(loaded.left_out),
    }


def _count(number: int, one: str, many: str) -> str:
    """``"1 incident"``, ``"2 incidents"``."""
    return f"{number} {one if number == 1 else many}"


def refusals_shown(loaded: Loaded) -> dict[str, list[Any]]:
    """The first refused rows, with their lines and reasons, and what was left out, tallied."""
    return {
        "skipped": [
            {"line": refusal.line, "reason": refusal.reason}
            for refusal in loaded.refused[:SHOWN_REFUSALS]
        ],
        "left_out": tally(loaded.left_out),
    }


def render(
    output: str,
    counts: dict[str, int],
    shown: dict[str, list[Any]],
    definitions: list[dict[str, Any]],
    as_of: datetime,
    kpis: list[dict[str, object]] | None,
    monthly: list[dict[str, Any]],
) -> str:
    """The report in `output` (table, markdown or json).

    `kpis` are the KPI table's rows (as ``kpi.Report.to_rows`` gives them), None when no metric
    is in the data; `monthly` the trend's rows, each with the :data:`TREND_KEYS`.
    """
    if output == "json":
        return json.dumps(
            {
                "as_of": as_of.isoformat(),
                "counts": counts,
                **shown,
                "metrics": definitions,
                "kpis": kpis or [],
                "trend": [{key: row[key] for key in TREND_KEYS} for row in monthly],
            },
            indent=2,
        )
    trend_lines = [
        f"| {r['period']} | {r['count']} | "
        f"{_percent(r['change_vs_previous'])} | "
        f"{r['verdict'] or '-'} | {_rise(r['detectable_rise'], r['verdict'])} |"
        for r in monthly
    ]
    summary = ", ".join(
        (
            _count(counts["rows"], "row read", "rows read"),
            _count(counts["incidents"], "incident", "incidents"),
            _count(counts["skipped"], "row skipped", "rows skipped"),
            f"{counts['major']} major",
            f"{counts['open']} open",
            _count(
                counts["tests_and_drills"], "test or drill left out", "tests and drills left out"
            ),
        )
    )
    skipped = shown["skipped"]
    refusals = [f"  line {row['line']}: {row['reason']}" for row in skipped]
    if counts["skipped"] > len(skipped):
        refusals.append(f"  and {counts['skipped'] - len(skipped)} more")
    left_out = [f"  {line}" for line in shown["left_out"]]
    header, body = report_table(kpis or [])
    table = markdown_table(header, body) if header else "_no incidents_\n"
    parts = [
        f"Incidents: {summary}",
        *(["Rows skipped:", *refusals] if refusals else []),
        *(["Out of order in the source:", *left_out] if left_out else []),
        "",
        f"KPIs as of {as_of.isoformat()}, in this data:",
        *(_said(definition) for definition in definitions),
        "",
        "_no metric is in this data_" if kpis is None else table.rstrip("\n"),
        *(
            [
                "",
                (
                    "Median 95% CI: where the typical duration lies, 95% confident (order "
                    "statistics); '-' below six incidents."
                ),
                (
                    "Detectable change: the smallest change of the median that comparing two "
                    "sets of as many incidents would see 4 times in 5."
                ),
            ]
            if kpis
            else []
        ),
        "",
        "Major incidents per month",
        "",
        "| month | count | change of the daily rate | verdict | a rise it would see |",
        "| --- | --- | --- | --- | --- |",
        *trend_lines,
        *(
            [
                "",
                (
                    "Verdicts: tested against the month before, false alarms controlled over the "
                    "months (Benjamini-Hochberg, 5%)."
                ),
                "A rise it would see: the smallest seen 4 times in 5, at the average rate.",
            ]
            if monthly
            else []
        ),
    ]
    text = "\n".join(parts)
    return _aligned(text) if output == "table" else text


def _rise(factor: float | None, verdict: str | None) -> str:
    """The detectable rise as a factor ("x2.8"); "-" for the first month, "none" when none is."""
    if verdict is None:
        return "-"
    return "none" if factor is None else f"x{factor:.1f}"


def _percent(change: float | None) -> str:
    """A signed whole percentage; "-" when undefined, and never "-0%"."""
    if change is None:
        return "-"
    shown = round(change)
    return f"{shown:+d}%" if shown else "0%"


def _aligned(markdown: str) -> str:
    """Turn the Markdown tables of a text into aligned plain-text columns."""
    out: list[str] = []
    block: list[list[str]] = []

    def flush() -> None:
        if block:
            widths = [max(len(row[n]) for row in block) for n in range(len(block[0]))]
            for index, row in enumerate(block):
                cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
                out.append("  ".join(cells).rstrip())
                if index == 0:
                    out.append("  ".join("-" * width for width in widths))
            block.clear()

    for line in markdown.splitlines():
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            if not all(set(cell) <= {"-"} for cell in cells):
                block.append(cells)
            continue
        flush()
        out.append(line)
    flush()
    return "\n".join(out)
