"""Read incident exports (CSV or JSON lines) into records, naming the line of any bad row.

Real exports are messy: semicolons or tabs between fields (European spreadsheets), a byte-order
mark (Excel's "CSV UTF-8"), ``?`` or ``N/A`` for a missing value, day-first dates, a gzipped file
without ``.gz``. The loader reads them as they are when told how (a date format, null tokens, an
encoding), guesses only what cannot be misread (the delimiter of the header line, gzip by its
magic bytes), and never guesses day-first against month-first.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from pathlib import Path
from typing import Final, Literal

import attrs

from majorincident._frozen import FrozenDict
from majorincident.cli._build import Builder, LogBuilder, Refusal
from majorincident.cli._files import (
    LoadError,
    checked_encoding,
    csv_field_limit,
    csv_rows,
    is_json_lines,
    json_rows,
    numbered_lines,
    open_export,
)
from majorincident.clock import load_zone
from majorincident.errors import MajorIncidentError
from majorincident.incident import Incident, Milestone
from majorincident.interop import (
    CODED,
    COLUMNS,
    JIRA,
    PAGERDUTY_LOG,
    SERVICENOW_EVENTS,
    EventLog,
    LeftOut,
    Phase,
)
from majorincident.interop._events import log_reader
from majorincident.interop._time import AMBIGUOUS, NULLS, WallClock

__all__ = [
    "AMBIGUOUS",
    "EVENT_LOGS",
    "FIELDS",
    "MAX_LINE_BYTES",
    "NULLS",
    "PRESETS",
    "LoadError",
    "Loaded",
    "Refusal",
    "column_mapping",
    "load_incidents",
    "read_incidents",
]

#: The longest line (and CSV field) read by default, in bytes: a line longer than this is
#: refused, so that no file, however it compresses, makes memory grow without bound.
MAX_LINE_BYTES: Final = 1024 * 1024

#: The record fields a column can map to.
FIELDS: Final = (
    "id",
    "title",
    "service",
    "channel",
    "impact",
    "urgency",
    "priority",
    "major",
    "kind",
    *(m.field for m in Milestone),
    "problem_id",
    "change_id",
    "parent_id",
)
#: The coded fields the loader converts: a major flag may be ServiceNow's
#: ``major_incident_state`` (``accepted`` is major). Other codes (ServiceNow's ``contact_type``
#: is not a channel value) are left out of the presets.
_CONVERTED: Final = frozenset({"major"})
#: The state-change logs a preset rebuilds incidents from, as
#: :func:`~majorincident.interop.from_event_log` does: one row per update.
EVENT_LOGS: Final = {
    "servicenow-events": SERVICENOW_EVENTS,
    "jira": JIRA,
    "pagerduty-log": PAGERDUTY_LOG,
}
#: Column names of common exports, per field, as :data:`majorincident.interop.COLUMNS` has them.
PRESETS: Final[dict[str, dict[str, str]]] = {
    vendor: {
        f: column
        for f, column in columns.items()
        if f in FIELDS and (f not in CODED[vendor] or f in _CONVERTED)
    }
    for vendor, columns in COLUMNS.items()
}
#: How often the progress callback hears of the rows read.
PROGRESS_EVERY = 50_000


@attrs.frozen
class Loaded:
    """What reading an export gave.

    Attributes:
        incidents: the records built, in the file's order.
        rows: the data rows read (blank lines aside).
        refused: the rows left out with ``errors="collect"``, in the file's order.
        columns: field -> the file's column it was read from, for the fields the file has
            (so that a report can say where each figure came from, and what is not in the
            data).
        latest: the latest instant of any milestone of any record, None when there is none.
        left_out: the facts the source put out of order, left out of the records built from
            it, in the file's order for an export (of two milestones out of order the later
            goes, never the opening) and as :func:`majorincident.interop.from_event_log` says
            for a log.
    """

    incidents: tuple[Incident, ...]
    rows: int
    refused: tuple[Refusal, ...] = ()
    columns: Mapping[str, str] = attrs.field(factory=FrozenDict, converter=FrozenDict)
    latest: datetime | None = None
    left_out: tuple[LeftOut, ...] = ()


def read_incidents(  # noqa: PLR0913 - load_incidents's options, for the list it gives
    path: Path,
    *,
    columns: Mapping[str, str] | None = None,
    preset: str | None = None,
    assume_tz: str | None = None,
    progress: Callable[[int], None] | None = None,
    max_line_bytes: int = MAX_LINE_BYTES,
    name: str | None = None,
    date_format: str | None = None,
    nulls: Collection[str] = NULLS,
    encoding: str = "utf-8",
    ambiguous: str = "earlier",
) -> list[Incident]:
    """Read a CSV or JSON-lines export into records, refusing the first bad row.

    The arguments are :func:`load_incidents`'s.

    Raises:
        LoadError: as :func:`load_incidents` with ``errors="raise"``.
    """
    return list(
        load_incidents(
            path,
            columns=columns,
            preset=preset,
            assume_tz=assume_tz,
            progress=progress,
            max_line_bytes=max_line_bytes,
            name=name,
            date_format=date_format,
            nulls=nulls,
            encoding=encoding,
            ambiguous=ambiguous,
        ).incidents
    )


def load_incidents(  # noqa: PLR0913 - each option is one thing real exports differ in
    path: Path,
    *,
    columns: Mapping[str, str] | None = None,
    preset: str | None = None,
    assume_tz: str | None = None,
    progress: Callable[[int], None] | None = None,
    max_line_bytes: int = MAX_LINE_BYTES,
    name: str | None = None,
    date_format: str | None = None,
    nulls: Collection[str] = NULLS,
    encoding: str = "utf-8",
    errors: Literal["raise", "collect"] = "raise",
    ambiguous: str = "earlier",
) -> Loaded:
    """Read a CSV or JSON-lines export (gzipped or not) into Incident records.

    Args:
        path: the file; JSON lines when a suffix is ``.jsonl`` or ``.ndjson`` (in any case,
            anywhere in the name: ``incidents.2024-01.JSONL.gz``), CSV otherwise, its
            delimiter (comma, semicolon or tab) read off the header line; gzip is recognised
            by its magic bytes.
        columns: field -> column overrides; each column named must be in the file.
        preset: ``servicenow`` or ``pagerduty`` column names; or ``servicenow-events``,
            ``jira`` or ``pagerduty-log``, a state-change log (:data:`EVENT_LOGS`) whose
            incidents are rebuilt from their moves between states (a refused row leaves its
            whole incident out).
        assume_tz: the timezone of timestamps that carry no offset; without it they are refused.
        progress: called with the number of rows read, every 50,000 rows.
        max_line_bytes: the longest line, and CSV field, accepted (:data:`MAX_LINE_BYTES`).
        name: how to call the file in messages.
        date_format: a ``strptime`` format every timestamp must match (e.g. ``"%d-%m-%Y %H:%M"``);
            without it, ISO-8601, which includes ``YYYY-MM-DD HH:MM:SS``. Never guessed:
            ``01-02-2024`` is the 1st of February or the 2nd of January only by the format.
        nulls: the values that stand for "missing" (:data:`NULLS` by default); an empty field
            always does.
        encoding: the text encoding, one that writes ASCII as ASCII; a UTF-8 byte-order mark is
            dropped.
        errors: ``"raise"`` refuses the first bad row; ``"collect"`` leaves bad rows out and
            returns them with their reasons in :attr:`Loaded.refused`.
        ambiguous: how a wall time the clocks showed twice (when they go back) is read in
            `assume_tz`: ``"earlier"`` (the first time round), ``"later"``, or ``"refuse"``. A
            refused row says how each of its ambiguous times was read.

    Raises:
        LoadError: a missing column, a broken, overlong or undecodable line, a damaged gzip
            file, or (with ``errors="raise"``) a bad value, naming the line (and the column
            where there is one).
    """
    if errors not in ("raise", "collect"):
        raise LoadError(f"errors ({errors!r}) must be 'raise' or 'collect'")
    label = name or str(path)
    codec = checked_encoding(encoding)
    mapping = column_mapping(preset, columns)
    zone = load_zone(assume_tz, field="--assume-tz") if assume_tz else None
    try:
        clock = WallClock(zone, date_format, ambiguous)
    except MajorIncidentError as error:
        raise LoadError(str(error)) from None
    missing = frozenset(nulls) | {""}
    jsonl = is_json_lines(path)

    present: dict[str, str] = {}
    builders: list[Builder | LogBuilder] = []
    log = EVENT_LOGS.get(preset or "")
    if log is not None and columns:
        raise LoadError(f"--columns does not apply to --preset {preset}: it reads a log")

    def check(header: Collection[str]) -> None:
        known = None if jsonl else list(header)
        if log is None:
            _check_columns(header, mapping, columns or {}, label)
            present.update((f, column) for f, column in mapping.items() if column in header)
            builders.append(Builder(mapping, clock, missing, errors, label, known))
        else:
            present.update(_log_columns(header, log, label))
            reader = log_reader(log, clock, nulls=missing)
            builders.append(LogBuilder(reader, errors, label, known))

    rows = 0
    with open_export(path) as handle, csv_field_limit(max_line_bytes):
        lines = numbered_lines(handle, label, max_line_bytes, codec)
        source = json_rows(lines, label) if jsonl else csv_rows(lines, label, check)
        for number, raw in source:
            if isinstance(raw, Mapping) and not rows:  # JSON lines: the first object's keys
                check(raw.keys())
            rows += 1
            builders[0].add(number, raw)
            if progress is not None and rows % PROGRESS_EVERY == 0:
                progress(rows)
        if not builders:
            return Loaded((), rows, (), present)
        builder = builders[0]
        builder.flush()
    return Loaded(
        tuple(builder.records),
        rows,
        tuple(builder.refused),
        present,
        latest=builder.latest,
        left_out=builder.left_out,
    )


def column_mapping(preset: str | None, columns: Mapping[str, str] | None) -> dict[str, str]:
    """Field -> column: the field's own name, unless the preset or `columns` name another."""
    mapping = {field: field for field in FIELDS}
    mapping.update(PRESETS.get(preset or "", {}))
    mapping.update(columns or {})
    return mapping


def _log_columns(header: Collection[str], log: EventLog, name: str) -> dict[str, str]:
    """Field -> where a log gives it, after refusing a log without the columns it needs."""
    needed = {log.case, log.state, log.at, *log.order, *filter(None, [log.opened])}
    needed.update([log.only[0]] if log.only else [])

    def has(column: str) -> bool:  # a column, or a path into a JSON object (incident.id)
        return column in header or column.partition(".")[0] in header

    absent = sorted(column for column in needed if not has(column))
    if absent:
        columns = ", ".join(repr(column) for column in header) or "none"
        raise LoadError(
            f"{name}: missing column{'s' if len(absent) > 1 else ''} "
            f"{', '.join(map(repr, absent))} of the log; the file has {columns}"
        )

    def moves(phase: Phase, which: str) -> str:
        entered = ", ".join(state for state, meaning in log.states.items() if meaning is phase)
        return f"{log.state}: {which} move into {entered}"

    return {
        "id": log.case,
        "reported_at": log.opened or f"{log.at} of the first row",
        "acknowledged_at": moves(Phase.WORKING, "first"),
        "resolved_at": moves(Phase.RESOLVED, "last"),
        "closed_at": moves(Phase.CLOSED, "the"),
        **{field: column for field, column in log.fields.items() if has(column)},
        **{field: column for field, column in log.milestones.items() if has(column)},
    }


def _check_columns(
    header: Collection[str],
    mapping: Mapping[str, str],
    explicit: Mapping[str, str],
    name: str,
) -> None:
    """Refuse a file without the id and reported_at columns, or a column named explicitly."""
    wanted = {"id": mapping["id"], "reported_at": mapping["reported_at"], **explicit}
    absent = [(field, column) for field, column in wanted.items() if column not in header]
    if absent:
        which = ", ".join(f"{column!r} (for the field {field})" for field, column in absent)
        has = ", ".join(repr(column) for column in header) or "none"
        raise LoadError(
            f"{name}: missing column{'s' if len(absent) > 1 else ''} {which}; the file has "
            f"{has}; name them with --columns FIELD=COLUMN or choose a --preset"
        )
