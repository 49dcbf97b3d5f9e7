"""Read incident exports (CSV or JSON lines) into records, naming the line of any bad row.

Real exports are messy: semicolons or tabs between fields (European spreadsheets), a byte-order
mark (Excel's "CSV UTF-8"), ``?`` or ``N/A`` for a missing value, day-first dates, a gzipped file
without ``.gz``. The loader reads them as they are when told how (a date format, null tokens, an
encoding), guesses only what cannot be misread (the delimiter of the header line, gzip by its
magic bytes), and never guesses day-first against month-first.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import json
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import IO, Final, Literal, cast
from zoneinfo import ZoneInfo

import attrs

from majorincident._frozen import FrozenDict
from majorincident.clock import load_zone
from majorincident.errors import MajorIncidentError, TimelineError
from majorincident.incident import Incident, Milestone
from majorincident.interop import COLUMNS

__all__ = [
    "FIELDS",
    "MAX_LINE_BYTES",
    "NULLS",
    "PRESETS",
    "LoadError",
    "Loaded",
    "Refusal",
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
#: Fields whose vendor codes need converting (ServiceNow's ``contact_type`` is not a channel
#: value): left out of the presets until the loader converts them.
_CODED: Final = frozenset({"channel"})
#: Column names of common exports, per field, as :data:`majorincident.interop.COLUMNS` has them.
PRESETS: Final[dict[str, dict[str, str]]] = {
    vendor: {f: column for f, column in columns.items() if f in FIELDS and f not in _CODED}
    for vendor, columns in COLUMNS.items()
}
#: What stands for a missing value by default; an empty field always does.
NULLS: Final = frozenset({"", "NULL", "null", "N/A"})
#: The delimiters a CSV header is sniffed for: comma, semicolon (European spreadsheets), tab.
DELIMITERS: Final = ",;\t"
_GZIP: Final = b"\x1f\x8b"
_JSON_LINES: Final = frozenset({".jsonl", ".ndjson"})
#: How often the progress callback hears of the rows read.
PROGRESS_EVERY = 50_000
_TRUE: Final = {"true", "yes", "1", "y", "t"}
_FALSE: Final = {"false", "no", "0", "n", "f", ""}


class LoadError(Exception):
    """A file that cannot be read, with where: the message is ready to show."""


@attrs.frozen
class Refusal:
    """A row left out, and why.

    Attributes:
        line: its line in the file, from 1 (the header is line 1 of a CSV file).
        reason: the refusal, naming the column and the value.
    """

    line: int
    reason: str


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
    """

    incidents: tuple[Incident, ...]
    rows: int
    refused: tuple[Refusal, ...] = ()
    columns: Mapping[str, str] = attrs.field(factory=FrozenDict, converter=FrozenDict)


def _flag(value: str) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"major ({value!r}) is not true or false")


def _timestamps(zone: ZoneInfo | None, date_format: str | None) -> Callable[[str, str], object]:
    """How a timestamp column's text becomes what the record takes.

    With `date_format` the text must match it (``strptime``); without, it is ISO-8601 (which
    includes ServiceNow's ``YYYY-MM-DD HH:MM:SS``). A wall time without an offset is read in
    `zone`; without a zone the record refuses it, naming the field.
    """

    def read(field: str, value: str) -> object:
        if date_format is not None:
            try:
                moment = datetime.strptime(value, date_format)  # noqa: DTZ007 - zone added below
            except ValueError:
                raise TimelineError(
                    f"{field} ({value!r}) does not match the date format {date_format!r}"
                ) from None
        elif zone is None:
            return value
        else:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return value
        if moment.tzinfo is None and zone is not None:
            return moment.replace(tzinfo=zone)
        return moment

    return read


def _record(
    raw: Mapping[str, object],
    columns: Mapping[str, str],
    timestamp: Callable[[str, str], object],
    nulls: Collection[str],
) -> Incident:
    values: dict[str, object] = {}
    for field, column in columns.items():
        value = raw.get(column)
        if value is None or (isinstance(value, str) and (value in nulls or value == "")):
            continue
        if field == "major":
            values[field] = value if isinstance(value, bool) else _flag(str(value))
        elif field.endswith("_at") and isinstance(value, str):
            values[field] = timestamp(field, value)
        else:
            values[field] = value if field in ("impact", "urgency", "priority") else str(value)
    identifier = values.pop("id", None)
    return Incident(identifier, **values)  # type: ignore[arg-type]


def _open(path: Path) -> IO[bytes]:
    """The file's bytes, gunzipped when it starts with gzip's magic bytes (whatever its name)."""
    handle = path.open("rb")
    if handle.read(2) == _GZIP:
        handle.close()
        return cast("IO[bytes]", gzip.open(path))
    handle.seek(0)
    return handle


def _encoding(name: str) -> str:
    """A codec name checked: known, and writing ASCII as ASCII (so lines split on bytes)."""
    try:
        codec = codecs.lookup(name)
    except LookupError:
        raise LoadError(f"--encoding ({name!r}) is not an encoding Python knows") from None
    if "id,;\t\n".encode(codec.name, errors="replace") != b"id,;\t\n":
        raise LoadError(
            f"--encoding ({name!r}) does not write ASCII as ASCII; "
            "export the file as UTF-8 (UTF-16 and UTF-32 cannot be read line by line)"
        )
    return codec.name


def _lines(
    handle: IO[bytes], name: str, limit: int, encoding: str = "utf-8"
) -> Iterator[tuple[int, str]]:
    """Each line as text, numbered from 1, none longer than `limit` bytes, all in `encoding`.

    Lines are read in bytes and decoded one by one, so that a bad byte is named by its line. A
    byte-order mark at the start of the file is dropped.
    """
    number = 0
    while True:
        number += 1
        try:
            line = handle.readline(limit + 1)
        except (EOFError, zlib.error, gzip.BadGzipFile) as error:
            raise LoadError(f"{name}:{number}: the compressed file is damaged ({error})") from None
        if not line:
            return
        if len(line) > limit:
            raise LoadError(
                f"{name}:{number}: the line is longer than {limit:,} bytes; "
                "raise the limit with --max-line-bytes if the export needs it"
            )
        try:
            text = line.decode(encoding)
        except UnicodeDecodeError as error:
            shown = "UTF-8" if encoding == "utf-8" else encoding
            raise LoadError(
                f"{name}:{number}: byte {error.start + 1}: not {shown} text "
                f"({line[error.start : error.start + 1]!r}); export the file as UTF-8 "
                "or name its --encoding"
            ) from None
        yield number, text.removeprefix("\ufeff") if number == 1 else text


def _json_rows(
    lines: Iterable[tuple[int, str]], name: str
) -> Iterator[tuple[int, Mapping[str, object]]]:
    for number, line in lines:
        if not line.strip():
            continue
        try:
            row = json.loads(line.rstrip("\r\n"))
        except json.JSONDecodeError as error:
            raise LoadError(
                f"{name}:{number}: column {error.colno}: not valid JSON ({error.msg})"
            ) from None
        except (ValueError, RecursionError) as error:  # 5,000-digit integers, deep nesting
            reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
            raise LoadError(f"{name}:{number}: not a usable JSON object ({reason})") from None
        if not isinstance(row, dict):
            raise LoadError(f"{name}:{number}: column 1: expected a JSON object per line")
        yield number, row


def _delimiter(header: str) -> str:
    """The delimiter of a CSV header line: comma, semicolon or tab, whichever it splits on."""
    try:
        return csv.Sniffer().sniff(header, delimiters=DELIMITERS).delimiter
    except csv.Error:  # one column, or nothing to tell by: the standard comma
        return ","


def _csv_rows(
    lines: Iterable[tuple[int, str]], name: str, check: Callable[[Collection[str]], None]
) -> Iterator[tuple[int, Mapping[str, object]]]:
    """The rows of a CSV file as header -> value, after `check` has seen the header."""
    texts = (line for _, line in lines)
    first = next(texts, None)
    if first is None:
        raise LoadError(f"{name}: the file is empty; expected a header line")
    reader = csv.reader(chain([first], texts), delimiter=_delimiter(first), strict=True)
    try:
        header = next(reader)
        check(header)
        for values in reader:
            if not values:
                continue
            if len(values) != len(header):
                raise LoadError(
                    f"{name}:{reader.line_num}: column {min(len(values), len(header)) + 1}: "
                    f"{len(values)} fields where the header has {len(header)}"
                )
            yield reader.line_num, dict(zip(header, values, strict=True))
    except csv.Error as error:
        raise LoadError(f"{name}:{reader.line_num}: {error}") from None


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
) -> Loaded:
    """Read a CSV or JSON-lines export (gzipped or not) into Incident records.

    Args:
        path: the file; JSON lines when a suffix is ``.jsonl`` or ``.ndjson`` (in any case,
            anywhere in the name: ``incidents.2024-01.JSONL.gz``), CSV otherwise, its
            delimiter (comma, semicolon or tab) read off the header line; gzip is recognised
            by its magic bytes.
        columns: field -> column overrides; each column named must be in the file.
        preset: ``servicenow`` or ``pagerduty`` column names.
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

    Raises:
        LoadError: a missing column, a broken, overlong or undecodable line, a damaged gzip
            file, or (with ``errors="raise"``) a bad value, naming the line (and the column
            where there is one).
    """
    if errors not in ("raise", "collect"):
        raise LoadError(f"errors ({errors!r}) must be 'raise' or 'collect'")
    label = name or str(path)
    codec = _encoding(encoding)
    mapping = {field: field for field in FIELDS}
    mapping.update(PRESETS.get(preset or "", {}))
    mapping.update(columns or {})
    zone = load_zone(assume_tz, field="--assume-tz") if assume_tz else None
    timestamp = _timestamps(zone, date_format)
    missing = frozenset(nulls) | {""}
    jsonl = any(suffix.lower() in _JSON_LINES for suffix in path.suffixes)

    present: dict[str, str] = {}

    def check(header: Collection[str]) -> None:
        _check_columns(header, mapping, columns or {}, label)
        present.update((field, column) for field, column in mapping.items() if column in header)

    records: list[Incident] = []
    refused: list[Refusal] = []
    rows = 0
    with _open(path) as handle, _csv_field_limit(max_line_bytes):
        lines = _lines(handle, label, max_line_bytes, codec)
        source = _json_rows(lines, label) if jsonl else _csv_rows(lines, label, check)
        for number, raw in source:
            if jsonl and not rows:
                check(raw.keys())
            rows += 1
            try:
                records.append(_record(raw, mapping, timestamp, missing))
            except (MajorIncidentError, ValueError) as error:
                field = str(error).split(" ", 1)[0]
                where = f" column {mapping[field]!r}:" if field in mapping else ""
                if errors == "raise":
                    raise LoadError(f"{label}:{number}:{where} {error}") from None
                refused.append(Refusal(number, f"{where.strip()} {error}".strip()))
            if progress is not None and rows % PROGRESS_EVERY == 0:
                progress(rows)
    return Loaded(tuple(records), rows, tuple(refused), present)


@contextlib.contextmanager
def _csv_field_limit(limit: int) -> Iterator[None]:
    """Cap CSV fields at `limit` characters while reading, as lines are capped."""
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


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
