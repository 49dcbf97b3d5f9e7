"""Read incident exports (CSV or JSON lines) into records, naming the line of any bad row."""

from __future__ import annotations

import contextlib
import csv
import gzip
import json
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import IO, Final, cast
from zoneinfo import ZoneInfo

from majorincident.clock import load_zone
from majorincident.errors import MajorIncidentError
from majorincident.incident import Incident, Milestone
from majorincident.interop import COLUMNS

__all__ = ["FIELDS", "MAX_LINE_BYTES", "PRESETS", "LoadError", "read_incidents"]

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
#: How often the progress callback hears of the rows read.
PROGRESS_EVERY = 50_000
_TRUE: Final = {"true", "yes", "1", "y", "t"}
_FALSE: Final = {"false", "no", "0", "n", "f", ""}


class LoadError(Exception):
    """A file that cannot be read, with where: the message is ready to show."""


def _flag(value: str) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"major ({value!r}) is not true or false")


def _localizer(zone: ZoneInfo | None) -> Callable[[str], object]:
    def read(value: str) -> object:
        if zone is None:
            return value
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment

    return read


def _record(
    raw: Mapping[str, object], columns: Mapping[str, str], localize: Callable[[str], object]
) -> Incident:
    values: dict[str, object] = {}
    for field, column in columns.items():
        value = raw.get(column)
        if value is None or value == "":
            continue
        if field == "major":
            values[field] = value if isinstance(value, bool) else _flag(str(value))
        elif field.endswith("_at") and isinstance(value, str):
            values[field] = localize(value)
        else:
            values[field] = value if field in ("impact", "urgency", "priority") else str(value)
    identifier = values.pop("id", None)
    return Incident(identifier, **values)  # type: ignore[arg-type]


def _open(path: Path) -> IO[bytes]:
    return cast("IO[bytes]", gzip.open(path) if path.suffix == ".gz" else path.open("rb"))


def _lines(handle: IO[bytes], name: str, limit: int) -> Iterator[tuple[int, str]]:
    """Each line as text, numbered from 1, none longer than `limit` bytes, all UTF-8.

    Lines are read in bytes and decoded one by one, so that a bad byte is named by its line.
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
            yield number, line.decode("utf-8")
        except UnicodeDecodeError as error:
            raise LoadError(
                f"{name}:{number}: byte {error.start + 1}: not UTF-8 text "
                f"({line[error.start : error.start + 1]!r}); export the file as UTF-8"
            ) from None


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


def _csv_rows(
    lines: Iterable[tuple[int, str]], name: str
) -> Iterator[tuple[int, Mapping[str, object]]]:
    reader = csv.reader((line for _, line in lines), strict=True)
    try:
        header = next(reader)
        for values in reader:
            if not values:
                continue
            if len(values) != len(header):
                raise LoadError(
                    f"{name}:{reader.line_num}: column {min(len(values), len(header)) + 1}: "
                    f"{len(values)} fields where the header has {len(header)}"
                )
            yield reader.line_num, dict(zip(header, values, strict=True))
    except StopIteration:
        raise LoadError(f"{name}: the file is empty; expected a header line") from None
    except csv.Error as error:
        raise LoadError(f"{name}:{reader.line_num}: {error}") from None


def read_incidents(
    path: Path,
    *,
    columns: Mapping[str, str] | None = None,
    preset: str | None = None,
    assume_tz: str | None = None,
    progress: Callable[[int], None] | None = None,
    max_line_bytes: int = MAX_LINE_BYTES,
    name: str | None = None,
) -> list[Incident]:
    """Read a CSV or JSON-lines export (optionally gzipped) into Incident records.

    Args:
        path: the file; ``.jsonl``/``.ndjson`` are JSON lines, anything else CSV.
        columns: field -> column overrides.
        preset: ``servicenow`` or ``pagerduty`` column names.
        assume_tz: the timezone of timestamps that carry no offset; without it they are refused.
        progress: called with the number of rows read, every 50,000 rows.
        max_line_bytes: the longest line, and CSV field, accepted (:data:`MAX_LINE_BYTES`).
        name: how to call the file in messages.

    Raises:
        LoadError: a missing column, a broken, overlong or non-UTF-8 line, a damaged gzip file,
            or a bad value, naming the line (and the column where there is one).
    """
    label = name or str(path)
    mapping = {field: field for field in FIELDS}
    mapping.update(PRESETS.get(preset or "", {}))
    mapping.update(columns or {})
    zone = load_zone(assume_tz, field="--assume-tz") if assume_tz else None
    localize = _localizer(zone)
    kind = "jsonl" if path.suffixes and path.suffixes[0] in (".jsonl", ".ndjson") else "csv"
    records: list[Incident] = []
    with _open(path) as handle, _csv_field_limit(max_line_bytes):
        lines = _lines(handle, label, max_line_bytes)
        rows = _json_rows(lines, label) if kind == "jsonl" else _csv_rows(lines, label)
        for number, raw in rows:
            if not records:
                _check_columns(raw, mapping, label)
            try:
                records.append(_record(raw, mapping, localize))
            except (MajorIncidentError, ValueError) as error:
                field = str(error).split(" ", 1)[0]
                where = f" column {mapping[field]!r}:" if field in mapping else ""
                raise LoadError(f"{label}:{number}:{where} {error}") from None
            if progress is not None and len(records) % PROGRESS_EVERY == 0:
                progress(len(records))
    return records


@contextlib.contextmanager
def _csv_field_limit(limit: int) -> Iterator[None]:
    """Cap CSV fields at `limit` characters while reading, as lines are capped."""
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _check_columns(raw: Mapping[str, object], mapping: Mapping[str, str], name: str) -> None:
    for field in ("id", "reported_at"):
        if mapping[field] not in raw:
            raise LoadError(
                f"{name}: missing column {mapping[field]!r} (for the field {field}); "
                "name it with --columns FIELD=COLUMN or choose a --preset"
            )
