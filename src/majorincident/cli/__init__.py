"""The command line: ``majorincident demo`` and ``majorincident report [FILE]``.

The only part of the library that reads files and prints; nothing else imports it.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from importlib.resources import as_file, files
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from majorincident.cli._fast import ENGINES, Read, frame_counts, read_frame
from majorincident.cli._files import checked_encoding
from majorincident.cli._output import (
    TREND_KEYS,
    counted,
    metric_definition,
    refusals_shown,
    render,
)
from majorincident.cli.load import (
    AMBIGUOUS,
    EVENT_LOGS,
    FIELDS,
    MAX_LINE_BYTES,
    NULLS,
    PRESETS,
    Loaded,
    LoadError,
    column_mapping,
    load_incidents,
)
from majorincident.clock import load_zone, utc
from majorincident.errors import MajorIncidentError
from majorincident.incident import Milestone

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
    reporting.add_argument(
        "--preset",
        choices=sorted([*PRESETS, *EVENT_LOGS]),
        help="column names of an export, or a state-change log to rebuild incidents from "
        "(servicenow-events, jira, pagerduty-log)",
    )
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
        "--ambiguous",
        choices=AMBIGUOUS,
        default="earlier",
        help="how --assume-tz reads a wall time shown twice when the clocks go back "
        "(default: earlier)",
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
        "--engine",
        choices=ENGINES,
        default="auto",
        help="compute with Polars (polars; needs it installed) or record by record (pure); "
        "auto, the default, takes Polars when it is installed and reads the file exactly as "
        "the pure reader does. Both give the same report",
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


def _report(arguments: argparse.Namespace) -> str:
    columns = _columns(arguments.columns)
    load_zone(arguments.tz, field="--tz")
    if arguments.max_line_bytes < 1:
        raise LoadError(f"--max-line-bytes ({arguments.max_line_bytes}) must be at least 1")
    if arguments.file is None:
        with as_file(files("majorincident.data") / SAMPLE) as path:
            return _report_on(path, SAMPLE, {}, arguments)
    return _report_on(arguments.file, str(arguments.file), columns, arguments)


def _report_on(
    path: Path, name: str, columns: dict[str, str], arguments: argparse.Namespace
) -> str:
    """The report of one file, by the engine chosen."""
    nulls = NULLS if arguments.nulls is None else frozenset(arguments.nulls)
    if _polars_reads(arguments):
        read = read_frame(
            path,
            column_mapping(arguments.preset, columns),
            nulls=nulls,
            max_line_bytes=arguments.max_line_bytes,
        )
        if read is not None:
            return _report_frame(read, arguments)
    progress = None
    if sys.stderr.isatty() and path.stat().st_size > LARGE:

        def progress(count: int) -> None:
            sys.stderr.write(f"\rread {count:,} rows")
            sys.stderr.flush()

    loaded = load_incidents(
        path,
        columns=columns,
        preset=arguments.preset,
        assume_tz=arguments.assume_tz,
        progress=progress,
        max_line_bytes=arguments.max_line_bytes,
        name=name,
        date_format=arguments.date_format,
        nulls=nulls,
        encoding=arguments.encoding,
        errors="collect" if arguments.on_error == "skip" else "raise",
        ambiguous=arguments.ambiguous,
    )
    if progress is not None:
        sys.stderr.write("\n")
    return _report_records(loaded, arguments)


def _polars_reads(arguments: argparse.Namespace) -> bool:
    """Whether the Polars engine may read the file: chosen or not ruled out, and installed.

    It reads CSV exports whose timestamps carry their offset, in UTF-8; event logs, a date
    format, an assumed zone and other encodings are the pure reader's.
    """
    if arguments.engine == "pure":
        return False
    if find_spec("polars") is None:
        if arguments.engine == "polars":
            raise LoadError(
                "--engine polars needs Polars: pip install polars, or choose --engine pure"
            )
        return False
    return (
        arguments.preset not in EVENT_LOGS
        and arguments.date_format is None
        and arguments.assume_tz is None
        and checked_encoding(arguments.encoding) == "utf-8"
    )


def _metrics(columns: Mapping[str, str]) -> tuple[tuple[Any, ...], list[Any]]:
    """The metrics the report speaks of, and those it measures: the file gives both ends."""
    from majorincident.kpi import MTTA, MTTD, MTTR  # noqa: PLC0415 - see main

    metrics = (MTTA, MTTR, MTTD)
    return metrics, [m for m in metrics if {m.start.field, m.end.field} <= columns.keys()]


def _kpi_arguments(arguments: argparse.Namespace) -> dict[str, Any]:
    by = () if arguments.by == "month" else (arguments.by,)
    return {"by": by, "every": "month" if arguments.by == "month" else None, "tz": arguments.tz}


def _trend_end(arguments: argparse.Namespace, as_of: datetime, last_report: datetime) -> datetime:
    """The trend ends at --as-of, or just after the last report: a late closure adds no month."""
    return as_of if arguments.as_of else last_report + timedelta(microseconds=1)


def _report_records(loaded: Loaded, arguments: argparse.Namespace) -> str:
    from majorincident.kpi import report, trend  # noqa: PLC0415 - see main

    incidents = loaded.incidents
    as_of = utc(arguments.as_of or loaded.latest or datetime.now(UTC), field="--as-of")
    metrics, measured = _metrics(loaded.columns)
    table = (
        report(incidents, metrics=measured, as_of=as_of, **_kpi_arguments(arguments))
        if measured
        else None
    )
    reported = Milestone.REPORTED.index
    starts = [m for i in incidents if (m := i.instants[reported]) is not None]
    end = _trend_end(arguments, as_of, max(starts, default=as_of))
    rows = (
        trend(incidents, start=min(starts), end=end, tz=arguments.tz)
        if starts and min(starts) < end
        else []
    )
    return render(
        arguments.output,
        counted(loaded, as_of),
        refusals_shown(loaded),
        [metric_definition(metric, loaded.columns) for metric in metrics],
        as_of,
        None if table is None else table.to_rows(),
        [{key: getattr(row, key) for key in TREND_KEYS} for row in rows],
    )


def _as_records_give(row: dict[str, Any]) -> dict[str, Any]:
    """A frame's report row as the record path gives it, to the last bit.

    Seconds are whole microseconds over a million, exactly; the detectable change is then
    computed from those as ``kpi.Summary.detectable_change`` does, not by the engine's own
    logarithm, which may differ in the last bit.
    """
    from majorincident.kpi import CONFIDENCE  # noqa: PLC0415 - see main
    from majorincident.kpi.power import median_detectable  # noqa: PLC0415 - see main

    row = {k: round(v, 6) if k.endswith("_s") and v is not None else v for k, v in row.items()}
    low, high = row["median_low_s"], row["median_high_s"]
    if low and high is not None:
        row["detectable_change"] = median_detectable(low, high, CONFIDENCE)
    return row


def _report_frame(read: Read, arguments: argparse.Namespace) -> str:
    """The report computed on the frame, as :func:`_report_records` computes it on records."""
    from majorincident import frames  # noqa: PLC0415 - see main

    frame = read.frame
    as_of = utc(arguments.as_of or read.latest or datetime.now(UTC), field="--as-of")
    metrics, measured = _metrics(read.columns)
    kpis = None
    if measured:
        found = frames.report(frame, metrics=measured, as_of=as_of, **_kpi_arguments(arguments))
        kpis = [_as_records_give(row) for row in found.to_dicts()]
    starts = frame.get_column("reported_at")
    first, last = starts.min(), starts.max()
    end = _trend_end(arguments, as_of, as_of if last is None else last)
    monthly = (
        frames.trend(frame, start=first, end=end, tz=arguments.tz).to_dicts()
        if first is not None and first < end
        else []
    )
    return render(
        arguments.output,
        frame_counts(read, as_of),
        {"skipped": [], "left_out": []},
        [metric_definition(metric, read.columns) for metric in metrics],
        as_of,
        kpis,
        monthly,
    )


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
            # Records and reports make no reference cycles; a running cyclic collector would
            # walk the growing records again and again (a quarter of a large report's time).
            # Turned back on after, for a caller that runs main() in its own process.
            collecting = gc.isenabled()
            gc.disable()
            try:
                text = _report(arguments)
            finally:
                if collecting:
                    gc.enable()
            print(text)
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
