"""Reading incident records from rows by the million.

Column by column where values are stored as they are; through the constructor, row by row,
where they are not.
"""

from __future__ import annotations

import contextlib
import gc
import operator
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice, repeat
from typing import TYPE_CHECKING, Any, Final, cast

from majorincident.clock._instants import utc_all
from majorincident.errors import MajorIncidentError, RecordError
from majorincident.incident._fields import RULE_INDEXES, Milestone
from majorincident.incident._storage import SLOTS, Writable, store

if TYPE_CHECKING:
    from majorincident.incident._record import Incident

# How Incident.from_rows reads each field's value: text that must not be blank (required or
# optional), any text, a milestone, a small set of values converted once each through the
# constructor, or a collection that is taken as it is only when empty.
_REQUIRED, _OPTIONAL, _TEXT, _MILESTONE, _CONVERTED, _COLLECTION = range(6)
_READS: Final = {
    "id": _REQUIRED,
    "title": _TEXT,
    "service": _OPTIONAL,
    "affected_services": _COLLECTION,
    "channel": _CONVERTED,
    "impact": _CONVERTED,
    "urgency": _CONVERTED,
    "priority": _CONVERTED,
    "major": _CONVERTED,
    "kind": _CONVERTED,
    "holds": _COLLECTION,
    "reopen_count": _CONVERTED,
    "parent_id": _OPTIONAL,
    "child_ids": _COLLECTION,
    "problem_id": _OPTIONAL,
    "change_id": _OPTIONAL,
}


def _row_fields() -> dict[str, tuple[int, int]]:
    """Field name -> how a row's value is read and where it goes, in the constructor's order.

    Where: the field's slot, or for a milestone its place in the milestones' tuple.
    """
    fields: dict[str, tuple[int, int]] = {}
    for slot, name in enumerate(SLOTS):
        if name == "_moments":
            fields.update((m.field, (_MILESTONE, n)) for n, m in enumerate(Milestone))
        else:
            fields[name] = (_READS[name], slot)
    return fields


_ROW_FIELDS: Final = _row_fields()
_MOMENTS_SLOT: Final = SLOTS.index("_moments")
#: How many rows are read and checked together; a chunk with a row in another form goes
#: through the constructor row by row.
_CHUNK: Final = 4096
#: One step of reading a row: how, where to, the field's name, and the values converted so far.
_Read = tuple[int, int, str, dict[tuple[type, object], object]]


def _row_plan(fields: Sequence[str]) -> tuple[_Read, ...]:
    """How to read each value of a row, after checking the field names."""
    if isinstance(fields, str) or not isinstance(fields, Sequence):
        raise RecordError(f"fields ({fields!r}) must be a sequence of field names")
    plan: list[_Read] = []
    for position, name in enumerate(cast("Sequence[object]", fields)):
        if not isinstance(name, str) or name not in _ROW_FIELDS:
            allowed = ", ".join(_ROW_FIELDS)
            raise RecordError(
                f"fields[{position}] ({name!r}) is not a field of Incident; expected one of "
                f"{allowed}"
            )
        if name in fields[:position]:
            raise RecordError(f"fields[{position}] ({name!r}) names a field already given")
        how, where = _ROW_FIELDS[name]
        plan.append((how, where, name, {}))
    if "id" not in fields:
        raise RecordError(f"fields ({tuple(fields)!r}) must include 'id'")
    return tuple(plan)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while records are built by the million, if asked.

    Mercurial's ``util.nogc`` does the same for its bulk loads.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


_DEFAULTS: dict[type, tuple[object, ...]] = {}


def _defaults(cls: type[Incident]) -> tuple[object, ...]:
    """What a record holds for a field no row gives: the constructor's defaults, as stored."""
    found = _DEFAULTS.get(cls)
    if found is None:  # the same tuple however many threads build it at once
        found = _DEFAULTS[cls] = tuple(getattr(cls("-"), name) for name in SLOTS)
    return found


def _fast_chunk(
    cls: type[Incident], plan: tuple[_Read, ...], chunk: list[Sequence[object]]
) -> list[Incident] | None:
    """The records of rows whose values need no constructor, built column by column.

    Returns None when some value is not in stored form, or some row is refused: the rows then
    go one by one through the constructor, which converts or names the first error.
    """
    size = len(chunk)
    slots: list[Iterable[object]] = [repeat(value, size) for value in _defaults(cls)]
    moments: list[Iterable[datetime | None]] = [repeat(None, size) for _ in Milestone]
    try:
        if set(map(len, chunk)) != {len(plan)} or not _read(cls, plan, chunk, slots, moments):
            return None
    except (MajorIncidentError, ValueError, TypeError):
        return None
    slots[_MOMENTS_SLOT] = zip(*moments, strict=True)
    records: list[Incident] = []
    append = records.append
    new = object.__new__
    for values in zip(*slots, strict=True):
        record = new(Writable)
        store(record, values, cls)
        append(cast("Incident", record))
    return records


def _read(
    cls: type[Incident],
    plan: tuple[_Read, ...],
    chunk: list[Sequence[object]],
    slots: list[Iterable[object]],
    moments: list[Iterable[datetime | None]],
) -> bool:
    """Fill `slots` and `moments` from the chunk's columns; False if the constructor must.

    Raises:
        MajorIncidentError, ValueError, TypeError: a value the constructor must look at.
    """
    given: dict[int, list[datetime | None]] = {}
    for (how, where, name, converted), column in zip(plan, zip(*chunk, strict=True), strict=True):
        if how == _MILESTONE:
            moments[where] = given[where] = utc_all(column, name)
        elif how <= _TEXT:
            if not _stored_texts(column, how):
                return False
            slots[where] = column
        elif how == _CONVERTED:
            slots[where] = _converted(cls, column, name, SLOTS[where], converted)
        elif any(column):
            return False
    return all(
        _in_order(given[earlier], given[later])
        for earlier, later in RULE_INDEXES
        if earlier in given and later in given
    )


def _stored_texts(column: Sequence[object], how: int) -> bool:
    """Whether a column of text is stored as it is: strings, not blank unless any text will do."""
    kinds = set(map(type, column))
    if how == _OPTIONAL and type(None) in kinds:
        kinds.discard(type(None))
        column = [value for value in column if value is not None]
    return kinds <= {str} and (how == _TEXT or all(map(str.strip, column)))  # type: ignore[arg-type]


def _converted(
    cls: type[Incident],
    column: Sequence[object],
    name: str,
    slot: str,
    seen: dict[tuple[type, object], object],
) -> list[object]:
    """A column of a field with few distinct values, each converted once by the constructor."""
    values = []
    for value in column:
        key = (type(value), value)
        if key not in seen:
            given: dict[str, Any] = {name: value}
            seen[key] = getattr(cls("-", **given), slot)
        values.append(seen[key])
    return values


def _in_order(first: list[datetime | None], last: list[datetime | None]) -> bool:
    """Whether every row's `first` instant is at most its `last` one, where both are set."""
    if None in first or None in last:
        return all(a is None or b is None or a <= b for a, b in zip(first, last, strict=True))
    return all(map(operator.le, cast("list[datetime]", first), cast("list[datetime]", last)))


def _slow_row(
    cls: type[Incident], fields: Sequence[str], row: Sequence[object], number: int
) -> Incident:
    """A row's record through the constructor, its errors naming the row."""
    try:
        size = len(row)
    except TypeError:
        raise RecordError(f"rows[{number}] ({row!r}) is not a sequence of values") from None
    if size != len(fields):
        raise RecordError(
            f"rows[{number}] has {size} values; fields names {len(fields)}: {tuple(fields)!r}"
        )
    try:
        return cls(**dict(zip(fields, row, strict=True)))  # type: ignore[arg-type]
    except MajorIncidentError as error:
        raise type(error)(f"rows[{number}]: {error}") from None


def read_rows(
    cls: type[Incident],
    fields: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    fast: bool,
    pause_collector: bool,
) -> list[Incident]:
    """What :meth:`Incident.from_rows <majorincident.incident.Incident.from_rows>` returns.

    `fast` allows rows in stored form to skip the constructor (for the record class itself,
    whose layout :func:`~majorincident.incident._storage.store` fills; not for a subclass).
    """
    plan = _row_plan(fields)
    try:
        remaining = iter(rows)
    except TypeError:
        raise RecordError(f"rows ({rows!r}) must be an iterable of rows") from None
    built: list[Incident] = []
    with _collector_paused() if pause_collector else contextlib.nullcontext():
        while chunk := list(islice(remaining, _CHUNK)):
            records = _fast_chunk(cls, plan, chunk) if fast else None
            if records is None:
                start = len(built)
                records = [_slow_row(cls, fields, row, start + n) for n, row in enumerate(chunk)]
            built.extend(records)
    return built
