"""Read incident exports (CSV or JSON lines) into records, naming the line of any bad row.

Real exports are messy: semicolons or tabs between fields (European spreadsheets), a byte-order
mark (Excel's "CSV UTF-8"), ``?`` or ``N/A`` for a missing value, day-first dates, a gzipped file
without ``.gz``. The loader reads them as they are when told how (a date format, null tokens, an
encoding), guesses only what cannot be misread (the delimiter of the header line, gzip by its
magic bytes), and never guesses day-first against month-first.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import Final, Literal
from zoneinfo import ZoneInfo

import attrs

from majorincident._frozen import FrozenDict
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
from majorincident.errors import MajorIncidentError, TimelineError
from majorincident.incident import Incident, Milestone
from majorincident.interop import CODED, COLUMNS

__all__ = [
    "AMBIGUOUS",
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
#: The coded fields the loader converts: a major flag may be ServiceNow's
#: ``major_incident_state`` (``accepted`` is major). Other codes (ServiceNow's ``contact_type``
#: is not a channel value) are left out of the presets.
_CONVERTED: Final = frozenset({"major"})
#: Column names of common exports, per field, as :data:`majorincident.interop.COLUMNS` has them.
PRESETS: Final[dict[str, dict[str, str]]] = {
    vendor: {
        f: column
        for f, column in columns.items()
        if f in FIELDS and (f not in CODED[vendor] or f in _CONVERTED)
    }
    for vendor, columns in COLUMNS.items()
}
#: How a wall time shown twice (the hour clocks go back) may be read.
AMBIGUOUS: Final = ("earlier", "later", "refuse")
#: What stands for a missing value by default; an empty field always does.
NULLS: Final = frozenset({"", "NULL", "null", "N/A"})
#: How often the progress callback hears of the rows read.
PROGRESS_EVERY = 50_000
#: Values of a major flag; ServiceNow's ``major_incident_state`` is major when ``accepted``.
_TRUE: Final = {"true", "yes", "1", "y", "t", "accepted"}
_FALSE: Final = {"false", "no", "0", "n", "f", "", "proposed", "rejected", "canceled"}


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
        latest: the latest instant of any milestone of any record, None when there is none.
    """

    incidents: tuple[Incident, ...]
    rows: int
    refused: tuple[Refusal, ...] = ()
    columns: Mapping[str, str] = attrs.field(factory=FrozenDict, converter=FrozenDict)
    latest: datetime | None = None


def _flag(value: str) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(
        f"major ({value!r}) is not true or false (nor a major_incident_state: accepted, "
        "proposed, rejected, canceled)"
    )


class _WallClock:
    """How a timestamp column's text becomes what the record takes.

    With `date_format` the text must match it (``strptime``); without, it is ISO-8601 (which
    includes ServiceNow's ``YYYY-MM-DD HH:MM:SS``). A wall time without an offset is read in
    `zone`; without a zone the record refuses it, naming the field. A wall time the zone
    repeats (the hour clocks go back) is read as `ambiguous` says, and remembered in `noted`
    so that a refusal of its row can say how it was read.
    """

    def __init__(
        self, zone: ZoneInfo | None, date_format: str | None, ambiguous: str = "earlier"
    ) -> None:
        if ambiguous not in AMBIGUOUS:
            raise LoadError(f"ambiguous ({ambiguous!r}) must be one of {', '.join(AMBIGUOUS)}")
        self.zone, self.date_format, self.ambiguous = zone, date_format, ambiguous
        self.noted: list[str] = []

    def read(self, field: str, value: str) -> object:
        """The instant (or the text, for the record to read or refuse) of `field`'s `value`."""
        if self.date_format is not None:
            try:
                moment = datetime.strptime(value, self.date_format)  # noqa: DTZ007 - zone below
            except ValueError:
                raise TimelineError(
                    f"{field} ({value!r}) does not match the date format {self.date_format!r}"
                ) from None
        elif self.zone is None:
            return value
        else:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return value
        if moment.tzinfo is None and self.zone is not None:
            return self._localized(field, value, moment, self.zone)
        return moment

    def _localized(self, field: str, value: str, wall: datetime, zone: ZoneInfo) -> datetime:
        earlier, later = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
        if earlier.utcoffset() == later.utcoffset():
            return earlier
        if self.ambiguous == "refuse":
            raise TimelineError(
                f"{field} ({value!r}) is ambiguous in {zone.key}: the clocks showed it twice "
                f"({_offset(earlier)} and {_offset(later)}); say which with --ambiguous"
            )
        chosen = earlier if self.ambiguous == "earlier" else later
        self.noted.append(
            f"{field} ({value!r}) was ambiguous in {zone.key} and read as {_offset(chosen)}, "
            f"the {self.ambiguous} of {_offset(earlier)} and {_offset(later)} "
            "(--ambiguous earlier, later or refuse)"
        )
        return chosen


def _offset(moment: datetime) -> str:
    """A moment's UTC offset as +HH:MM."""
    return moment.isoformat()[-6:]


def _record(
    values: Mapping[str, object],
    nulls: Collection[str],
    timestamp: Callable[[str, str], object],
) -> Incident:
    """One row's record through the constructor (field -> the row's value)."""
    given: dict[str, object] = {}
    for field, value in values.items():
        if value is None or (isinstance(value, str) and value in nulls):
            continue
        if field == "major":
            given[field] = value if isinstance(value, bool) else _flag(str(value))
        elif field.endswith("_at") and isinstance(value, str):
            given[field] = timestamp(field, value)
        else:
            given[field] = value if field in _LEVELS else str(value)
    identifier = given.pop("id", None)
    return Incident(identifier, **given)  # type: ignore[arg-type]


#: How many rows are built together: converted column by column, then handed to
#: :meth:`Incident.from_rows <majorincident.incident.Incident.from_rows>`.
CHUNK: Final = 4096
_LEVELS: Final = frozenset({"impact", "urgency", "priority"})


class _Builder:
    """Rows in, records out, a chunk at a time; a chunk with a bad row goes row by row.

    A chunk is read column by column: nulls dropped, major flags and (when a date format or a
    zone says how) timestamps converted, each distinct flag once. The records come from
    ``Incident.from_rows``, which converts each distinct level once. When any row of the chunk
    is refused, the chunk is built again one row at a time, so that each refusal names its
    line and column and the good rows are kept.
    """

    def __init__(
        self,
        mapping: Mapping[str, str],
        clock: _WallClock,
        nulls: frozenset[str],
        errors: str,
        label: str,
        header: list[str] | None,
    ) -> None:
        self.mapping, self.clock, self.nulls = mapping, clock, nulls
        self.errors, self.label, self.header = errors, label, header
        if header is None:  # JSON lines: any row may hold any field
            self.fields = tuple(mapping)
            self.places: tuple[int, ...] = tuple(range(len(mapping)))
        else:
            where = {column: place for place, column in enumerate(header)}
            kept = [field for field, column in mapping.items() if column in where]
            self.fields = tuple(kept)
            self.places = tuple(where[mapping[field]] for field in kept)
        self.converts = clock.zone is not None or clock.date_format is not None
        self.flags: dict[object, bool] = {}
        self.chunk: list[tuple[int, Sequence[object]]] = []
        self.records: list[Incident] = []
        self.refused: list[Refusal] = []
        self.latest: datetime | None = None

    def add(self, number: int, raw: Sequence[object] | Mapping[str, object]) -> None:
        """Take the row on line `number`: a CSV row's values, or a JSON object."""
        if isinstance(raw, Mapping):
            raw = [raw.get(self.mapping[field]) for field in self.fields]
        self.chunk.append((number, raw))
        if len(self.chunk) == CHUNK:
            self.flush()

    def flush(self) -> None:
        """Build the records of the rows taken so far."""
        chunk, self.chunk = self.chunk, []
        if not chunk:
            return
        self.clock.noted.clear()
        try:
            columns = list(zip(*(raw for _, raw in chunk), strict=True))
            read = [
                self._column(f, columns[p]) for f, p in zip(self.fields, self.places, strict=True)
            ]
            built = Incident.from_rows(self.fields, zip(*read, strict=True))
        except (MajorIncidentError, ValueError, TypeError):
            for number, raw in chunk:
                self._one(number, raw)
            return
        self._keep(built)

    def _keep(self, built: list[Incident]) -> None:
        moments = filter(None, chain.from_iterable(map(_INSTANTS, built)))
        latest = max(moments, default=None)
        if latest is not None and (self.latest is None or latest > self.latest):
            self.latest = latest
        self.records.extend(built)

    def _column(self, field: str, values: Sequence[object]) -> Sequence[object]:
        nulls = self.nulls
        kept = (
            values  # most columns of most chunks: nothing to drop
            if None not in values and nulls.isdisjoint(values)
            else [None if v is None or (v.__class__ is str and v in nulls) else v for v in values]
        )
        if field == "major":
            flags = self.flags
            for value in kept:
                if value is not None and value not in flags:
                    flags[value] = value if isinstance(value, bool) else _flag(str(value))
            return [None if v is None else flags[v] for v in kept]
        if field.endswith("_at"):
            if not self.converts:
                return kept
            read = self.clock.read
            return [read(field, v) if isinstance(v, str) else v for v in kept]
        if field in _LEVELS:
            return kept
        return [v if v is None or v.__class__ is str else str(v) for v in kept]

    def _one(self, number: int, raw: Sequence[object]) -> None:
        """One row's record, or its refusal naming the line and the column."""
        self.clock.noted.clear()
        values = {field: raw[place] for field, place in zip(self.fields, self.places, strict=True)}
        try:
            record = _record(values, self.nulls, self.clock.read)
        except (MajorIncidentError, ValueError) as error:
            field = str(error).split(" ", 1)[0]
            where = f" column {self.mapping[field]!r}:" if field in self.mapping else ""
            reason = "; ".join([str(error), *self.clock.noted])
            if self.errors == "raise":
                raise LoadError(f"{self.label}:{number}:{where} {reason}") from None
            self.refused.append(Refusal(number, f"{where.strip()} {reason}".strip()))
            return
        self._keep([record])


_INSTANTS: Final = attrgetter("instants")


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
    mapping = {field: field for field in FIELDS}
    mapping.update(PRESETS.get(preset or "", {}))
    mapping.update(columns or {})
    zone = load_zone(assume_tz, field="--assume-tz") if assume_tz else None
    clock = _WallClock(zone, date_format, ambiguous)
    missing = frozenset(nulls) | {""}
    jsonl = is_json_lines(path)

    present: dict[str, str] = {}
    builders: list[_Builder] = []

    def check(header: Collection[str]) -> None:
        _check_columns(header, mapping, columns or {}, label)
        present.update((field, column) for field, column in mapping.items() if column in header)
        known = None if jsonl else list(header)
        builders.append(_Builder(mapping, clock, missing, errors, label, known))

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
        tuple(builder.records), rows, tuple(builder.refused), present, latest=builder.latest
    )


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
