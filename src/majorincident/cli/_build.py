"""Rows in, records out: a chunk at a time, the bad rows named by their line."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from itertools import chain
from operator import attrgetter
from typing import Final, cast

import attrs

from majorincident.cli._files import LoadError
from majorincident.clock import instant
from majorincident.errors import MajorIncidentError, RecordError, TimelineError
from majorincident.incident import Incident, Milestone
from majorincident.interop import LeftOut
from majorincident.interop._events import LogReader, rebuild
from majorincident.interop._order import in_order
from majorincident.interop._time import WallClock

__all__ = ["CHUNK", "Builder", "LogBuilder", "Refusal", "latest", "major_flag"]


@attrs.frozen
class Refusal:
    """A row left out, and why.

    Attributes:
        line: its line in the file, from 1 (the header is line 1 of a CSV file).
        reason: the refusal, naming the column and the value.
    """

    line: int
    reason: str


#: Values of a major flag; ServiceNow's ``major_incident_state`` is major when ``accepted``.
_TRUE: Final = {"true", "yes", "1", "y", "t", "accepted"}
_FALSE: Final = {"false", "no", "0", "n", "f", "", "proposed", "rejected", "canceled"}


def major_flag(value: str) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(
        f"major ({value!r}) is not true or false (nor a major_incident_state: accepted, "
        "proposed, rejected, canceled)"
    )


def _record(
    values: Mapping[str, object],
    nulls: Collection[str],
    clock: WallClock,
    notes: list[LeftOut],
) -> Incident:
    """One row's record through the constructor (field -> the row's value).

    Milestones the export puts out of order are left out of the record and noted in `notes`
    (see :func:`_in_order`), unless the clock read one of the row's wall times as ambiguous:
    then the order may be the reading's, not the export's, and the row is refused, the message
    saying how the clock read it.
    """
    given: dict[str, object] = {}
    for field, value in values.items():
        if value is None or (isinstance(value, str) and value in nulls):
            continue
        if field == "major":
            given[field] = value if isinstance(value, bool) else major_flag(str(value))
        elif field.endswith("_at") and isinstance(value, str):
            given[field] = clock.read(field, value)
        else:
            given[field] = value if field in _LEVELS else str(value)
    identifier = given.pop("id", None)
    try:
        return Incident(identifier, **given)  # type: ignore[arg-type]
    except TimelineError:
        kept = None if clock.noted else _in_order(identifier, given)
        if kept is None:
            raise
    record = Incident(identifier, **kept[0])  # type: ignore[arg-type]
    notes.extend(kept[1])
    return record


def _in_order(
    identifier: object, given: dict[str, object]
) -> tuple[dict[str, object], list[LeftOut]] | None:
    """The row's values with the milestones out of order left out, and what was.

    An export's milestones all come from its columns, so of a pair out of order the later goes
    (the opening never does), as when a log is rebuilt. None when a milestone cannot be read:
    the constructor's refusal stands (as it does when the timeline fails for another reason,
    the record being refused again).
    """
    fields = [m.field for m in Milestone if m.field in given]
    try:
        moments = {f: instant(cast("datetime | str", given[f]), field=f) for f in fields}
    except MajorIncidentError:
        return None
    reported = moments.pop(Milestone.REPORTED.field, None)
    notes: list[LeftOut] = []  # the constructor checked the id before the timeline
    kept = in_order(cast("str", identifier), reported, {}, moments, notes)
    rest = {f: v for f, v in given.items() if f not in moments}
    return {**rest, **kept}, notes


#: How many rows are built together: converted column by column, then handed to
#: :meth:`Incident.from_rows <majorincident.incident.Incident.from_rows>`.
CHUNK: Final = 4096
_LEVELS: Final = frozenset({"impact", "urgency", "priority"})


class Builder:
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
        clock: WallClock,
        nulls: frozenset[str],
        errors: str,
        label: str,
        header: list[str] | None,
    ) -> None:
        self.mapping, self.clock, self.nulls = mapping, clock, nulls
        self.errors, self.label = errors, label
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
        self.notes: list[LeftOut] = []  # milestones out of order, left out

    @property
    def left_out(self) -> tuple[LeftOut, ...]:
        """The milestones the export put out of order, left out of their records."""
        return tuple(self.notes)

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
        self.latest = latest(built, self.latest)
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
                    flags[value] = value if isinstance(value, bool) else major_flag(str(value))
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
            record = _record(values, self.nulls, self.clock, self.notes)
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


def latest(records: list[Incident], since: datetime | None) -> datetime | None:
    """The latest instant of any milestone of `records`, or `since` if it is later."""
    found = max(filter(None, chain.from_iterable(map(_INSTANTS, records))), default=None)
    return since if found is None or (since is not None and since >= found) else found


class LogBuilder:
    """A state-change log's rows in, its incidents out (once every row is in)."""

    def __init__(
        self, reader: LogReader, errors: str, label: str, header: list[str] | None
    ) -> None:
        self.reader, self.errors, self.label, self.header = reader, errors, label, header
        self.rows: list[tuple[int, Mapping[str, object]]] = []
        self.records: list[Incident] = []
        self.refused: list[Refusal] = []
        self.latest: datetime | None = None
        self.left_out: tuple[LeftOut, ...] = ()

    def add(self, number: int, raw: Sequence[object] | Mapping[str, object]) -> None:
        """Take the row on line `number`: a CSV row's values, or a JSON object."""
        if not isinstance(raw, Mapping):
            raw = dict(zip(cast("list[str]", self.header), raw, strict=True))
        self.rows.append((number, raw))

    def flush(self) -> None:
        """Rebuild the incidents from every row taken."""

        def refuse(number: int, error: RecordError) -> None:
            reason = str(error).removeprefix(f"line {number}: ").removeprefix(f"line {number} ")
            self.refused.append(Refusal(number, reason))

        try:
            rebuilt = rebuild(
                self.rows,
                self.reader,
                name="line {}".format,
                refuse=refuse if self.errors == "collect" else None,
            )
        except RecordError as error:
            raise LoadError(f"{self.label}: {error}") from None
        self.records, self.left_out = rebuilt, rebuilt.left_out
        self.rows.clear()
        self.refused.sort(key=attrgetter("line"))
        self.latest = latest(self.records, None)
