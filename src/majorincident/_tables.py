"""The one table renderer: Markdown for documents and terminals, HTML for notebooks.

RACI and priority matrices, KPI reports and post-implementation reviews all render through
it, so their tables look and escape alike. Cells are text; in HTML they are escaped, and a
table may take its rows' first cells as row headers (``<th>``), as a matrix's labels are.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

__all__ = ["html_table", "markdown_table"]


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
