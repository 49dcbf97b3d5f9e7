"""The command line: ``majorincident demo`` and ``majorincident report [FILE]``.

The only part of the library that reads files and prints; nothing else imports it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from majorincident.cli.load import (
    FIELDS,
    MAX_LINE_BYTES,
    NULLS,
    PRESETS,
    Loaded,
    LoadError,
    load_incidents,
)
from majorincident.clock import load_zone, utc
from majorincident.errors import MajorIncidentError
from majorincident.incident import EXCLUDED_KINDS, Incident, Milestone

REPORTED, RESOLVED, CLOSED = Milestone.REPORTED, Milestone.RESOLVED, Milestone.CLOSED

__all__ = ["main"]

SAMPLE = "sample-incidents.csv.gz"
#: Files larger than this show a progress count on a terminal.
LARGE = 20 * 1024 * 1024


def _version() -> str:
    from majorincident import __version__  # noqa: PLC0415

    return __version__


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="majorincident",
        description="Major incident management as code: a demo, and KPI reports from exports.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "demo",
        help="walk the Cloudflare 2019 outage through the four stages",
        description="Walk the guide's Cloudflare outage of 2 July 2019 through identification, "
        "containment, resolution and maintenance, with a roster of named people.",
    )
    reporting = commands.add_parser(
        "report",
        help="KPIs from a CSV or JSON-lines export (the bundled sample when no FILE)",
        description="MTTA, MTTR and MTTD with counts, grouped, and the monthly trend of major "
        "incidents, from a CSV or JSON-lines (.jsonl) export, gzipped or not.",
    )
    reporting.add_argument("file", nargs="?", type=Path, help="the export; the sample if omitted")
    reporting.add_argument(
        "--by",
        choices=("service", "priority", "month"),
        default="service",
        help="how to group the KPIs (default: service)",
    )
    reporting.add_argument(
        "--format", choices=("table", "markdown", "json"), default="table", dest="output"
    )
    reporting.add_argument("--preset", choices=sorted(PRESETS), help="column names of an export")
    reporting.add_argument(
        "--columns",
        default="",
        metavar="FIELD=COLUMN,...",
        help=f"map fields to columns; fields: {', '.join(FIELDS)}",
    )
    reporting.add_argument("--tz", default="UTC", help="reporting timezone for months")
    reporting.add_argument(
        "--assume-tz", help="timezone of timestamps without an offset (refused otherwise)"
    )
    reporting.add_argument(
        "--as-of", help="the instant the report speaks for (default: the data's latest)"
    )
    reporting.add_argument(
        "--date-format",
        metavar="FORMAT",
        help="strptime format of the timestamps, e.g. '%%d-%%m-%%Y %%H:%%M' "
        "(default: ISO-8601, or YYYY-MM-DD HH:MM:SS); day and month order is never guessed",
    )
    reporting.add_argument(
        "--null",
        action="append",
        metavar="TOKEN",
        dest="nulls",
        help="a value that means missing, e.g. '?'; repeatable "
        f"(default: {', '.join(repr(token) for token in sorted(NULLS) if token)}; "
        "an empty field always means missing)",
    )
    reporting.add_argument(
        "--encoding", default="utf-8", help="the file's text encoding (default: utf-8)"
    )
    reporting.add_argument(
        "--on-error",
        choices=("fail", "skip"),
        default="fail",
        help="a bad row stops the report naming its line (fail, the default), or is left out "
        "and counted, its reason shown (skip)",
    )
    reporting.add_argument(
        "--max-line-bytes",
        type=int,
        default=MAX_LINE_BYTES,
        metavar="N",
        help=f"the longest line or CSV field read (default: {MAX_LINE_BYTES:,} bytes)",
    )
    return parser


def _columns(text: str) -> dict[str, str]:
    mapping = {}
    for pair in filter(None, (part.strip() for part in text.split(","))):
        field, _, column = pair.partition("=")
        if field not in FIELDS or not column:
            raise LoadError(f"--columns: {pair!r} is not FIELD=COLUMN with a known field")
        mapping[field] = column
    return mapping


def _latest(incidents: Sequence[Incident]) -> datetime:
    moments = [m for incident in incidents for m in incident.instants if m is not None]
    return max(moments) if moments else datetime.now(UTC)


def _report(arguments: argparse.Namespace) -> str:
    from majorincident.kpi import MTTA, MTTD, MTTR, report, trend  # noqa: PLC0415 - see main

    columns = _columns(arguments.columns)
    load_zone(arguments.tz, field="--tz")
    if arguments.max_line_bytes < 1:
        raise LoadError(f"--max-line-bytes ({arguments.max_line_bytes}) must be at least 1")
    progress = None
    if arguments.file is None:
        with as_file(files("majorincident.data") / SAMPLE) as path:
            loaded = load_incidents(path, name=SAMPLE)
    else:
        if sys.stderr.isatty() and arguments.file.stat().st_size > LARGE:

            def progress(count: int) -> None:
                sys.stderr.write(f"\rread {count:,} rows")
                sys.stderr.flush()

        loaded = load_incidents(
            arguments.file,
            columns=columns,
            preset=arguments.preset,
            assume_tz=arguments.assume_tz,
            progress=progress,
            max_line_bytes=arguments.max_line_bytes,
            date_format=arguments.date_format,
            nulls=NULLS if arguments.nulls is None else frozenset(arguments.nulls),
            encoding=arguments.encoding,
            errors="collect" if arguments.on_error == "skip" else "raise",
        )
        if progress is not None:
            sys.stderr.write("\n")
    incidents = loaded.incidents
    as_of = utc(arguments.as_of or _latest(incidents), field="--as-of")
    by = () if arguments.by == "month" else (arguments.by,)
    every = "month" if arguments.by == "month" else None
    metrics = (MTTA, MTTR, MTTD)
    measured = [m for m in metrics if {m.start.field, m.end.field} <= loaded.columns.keys()]
    table = (
        report(incidents, metrics=measured, by=by, every=every, tz=arguments.tz, as_of=as_of)
        if measured
        else None
    )
    starts = [i.reported_at for i in incidents if i.reported_at is not None]
    # The trend ends at --as-of, or just after the last report: a late closure adds no month.
    end = as_of if arguments.as_of else max(starts, default=as_of) + timedelta(microseconds=1)
    rows = (
        trend(incidents, start=min(starts), end=end, tz=arguments.tz)
        if starts and min(starts) < end
        else []
    )
    return _render(
        arguments.output,
        _counts(loaded, as_of),
        _skipped(loaded),
        [_definition(metric, loaded.columns) for metric in metrics],
        as_of,
        table,
        rows,
    )


def _definition(metric: Any, columns: Mapping[str, str]) -> dict[str, object]:  # noqa: ANN401 - a kpi.Metric
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


#: How many refused rows the report shows, with their lines and reasons.
SHOWN_REFUSALS = 5


def _counts(loaded: Loaded, as_of: datetime) -> dict[str, int]:
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
    }


def _count(number: int, one: str, many: str) -> str:
    """``"1 incident"``, ``"2 incidents"``."""
    return f"{number} {one if number == 1 else many}"


def _skipped(loaded: Loaded) -> list[dict[str, object]]:
    """The first refused rows, with their lines and reasons."""
    return [
        {"line": refusal.line, "reason": refusal.reason}
        for refusal in loaded.refused[:SHOWN_REFUSALS]
    ]


def _render(
    output: str,
    counts: dict[str, int],
    skipped: list[dict[str, object]],
    definitions: list[dict[str, Any]],
    as_of: datetime,
    table: Any,  # noqa: ANN401 - a kpi.Report (imported with the KPIs), None when none is in the data
    monthly: list[Any],
) -> str:
    if output == "json":
        return json.dumps(
            {
                "as_of": as_of.isoformat(),
                "counts": counts,
                "skipped": skipped,
                "metrics": definitions,
                "kpis": [] if table is None else table.to_rows(),
                "trend": [
                    {
                        "period": r.period,
                        "count": r.count,
                        "change_vs_previous": r.change_vs_previous,
                        "likely_noise": r.likely_noise,
                    }
                    for r in monthly
                ],
            },
            indent=2,
        )
    verdicts = {None: "-", True: "likely noise", False: "real change"}
    trend_lines = [
        f"| {r.period} | {r.count} | "
        f"{_percent(r.change_vs_previous)} | "
        f"{verdicts[r.likely_noise]} |"
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
    refusals = [f"  line {row['line']}: {row['reason']}" for row in skipped]
    if counts["skipped"] > len(skipped):
        refusals.append(f"  and {counts['skipped'] - len(skipped)} more")
    parts = [
        f"Incidents: {summary}",
        *(["Rows skipped:", *refusals] if refusals else []),
        "",
        f"KPIs as of {as_of.isoformat()}, in this data:",
        *(_said(definition) for definition in definitions),
        "",
        "_no metric is in this data_" if table is None else table.to_markdown().rstrip("\n"),
        "",
        "Major incidents per month",
        "",
        "| month | count | change of the daily rate | verdict |",
        "| --- | --- | --- | --- |",
        *trend_lines,
    ]
    text = "\n".join(parts)
    return _aligned(text) if output == "table" else text


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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    0, 2 for bad input, 130 when interrupted, and 141 (as a process killed by SIGPIPE) when the
    reader of the output went away, as ``majorincident report | head`` does: quietly, as Unix
    tools stop.
    """
    try:
        arguments = _parser().parse_args(argv)
        # Each command imports what it runs, so that --help and a mistyped option stay quick.
        if arguments.command == "demo":
            from majorincident.cli.demo import demo  # noqa: PLC0415

            demo(print)
        else:
            print(_report(arguments))
        sys.stdout.flush()
    except BrokenPipeError:
        # What is still buffered would fail again at exit: send it nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except (LoadError, MajorIncidentError, OSError) as error:
        print(f"majorincident: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("majorincident: interrupted", file=sys.stderr)
        return 130
    return 0
