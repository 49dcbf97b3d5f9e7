"""The one table renderer: Markdown for documents and terminals, HTML for notebooks.

RACI and priority matrices, KPI reports and post-implementation reviews all render through
it, so their tables look and escape alike. Cells are text; in HTML they are escaped, and a
table may take its rows' first cells as row headers (``<th>``), as a matrix's labels are.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

__all__ = ["html_table", "markdown_table", "report_table"]


def _markdown_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table with a header row, ending with a newline.

    >>> print(markdown_table(["impact", "P"], [["high", "P1"]]), end="")
    | impact | P |
    | --- | --- |
    | high | P1 |
    """
    lines = [_markdown_row(header), _markdown_row(["---"] * len(header))]
    lines += [_markdown_row(cells) for cells in rows]
    return "\n".join(lines) + "\n"


def html_table(
    header: Sequence[str], rows: Iterable[Sequence[str]], *, row_headers: bool = False
) -> str:
    """An HTML table, every cell escaped; with `row_headers`, each row's first cell is a ``<th>``.

    >>> html_table(["impact", "P"], [["high", "P1"]], row_headers=True)
    '<table><thead><tr><th>impact</th><th>P</th></tr></thead><tbody><tr><th>high</th><td>P1</td></tr></tbody></table>'
    """
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>"
        + "".join(
            f"<th>{html.escape(cell)}</th>"
            if row_headers and index == 0
            else f"<td>{html.escape(cell)}</td>"
            for index, cell in enumerate(cells)
        )
        + "</tr>"
        for cells in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


#: Counts in a report's rows that its table leaves out, for width: the rows keep them.
_COUNTS_APART: Final = ("excluded", "missing_start", "missing_end", "negative")
#: The statistics a report's table shows, of the seconds (``*_s``) its rows hold.
_SHOWN: Final = ("mean", "median", "p90")


def _cell(value: object, key: str = "") -> str:
    """A group value or count as the table shows it: a missing value as "(none)".

    The detectable change is a factor, "2.55x", and "-" where there is none to state.
    """
    if key == "detectable_change":
        return "-" if value is None else f"{value:.2f}x"
    return "(none)" if value is None else str(value)


def _short(seconds: object) -> str:
    if seconds is None:
        return "-"
    total = round(float(seconds))  # type: ignore[arg-type]
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s"


def _interval(row: Mapping[str, object]) -> str:
    """The median's interval as the table shows it: "1h 10m to 3h 05m", "-" without one."""
    low, high = row.get("median_low_s"), row.get("median_high_s")
    return "-" if low is None or high is None else f"{_short(low)} to {_short(high)}"


#: The column of the median's interval, shown beside the median.
_INTERVAL_HEADER: Final = "median 95% CI"


def report_table(rows: Sequence[Mapping[str, object]]) -> tuple[list[str], list[list[str]]]:
    """The header and cells of a KPI report's table, from its flat rows (as ``to_rows`` gives).

    Durations are rounded for reading; the median is followed by its 95% interval when the
    rows have one. The counts kept apart and the other statistics are left to the rows. No
    rows give no header.
    """
    if not rows:
        return [], []
    keys = [
        key
        for key in rows[0]
        if (not key.endswith("_s") or key[:-2] in _SHOWN) and key not in _COUNTS_APART
    ]
    bounded = "median_low_s" in rows[0]
    header = []
    for key in keys:
        header.append(key.removesuffix("_s").replace("_", " "))
        if bounded and key == "median_s":
            header.append(_INTERVAL_HEADER)
    body = []
    for row in rows:
        cells = []
        for key in keys:
            cells.append(_short(row[key]) if key.endswith("_s") else _cell(row[key], key))
            if bounded and key == "median_s":
                cells.append(_interval(row))
        body.append(cells)
    return header, body
