"""The :class:`Incident` record: its slot storage, its checks, and the bulk row reader.

One module, over 400 lines, because the record, the storage it fills and the bulk reader
that fills it by the million share one layout (:data:`_SLOTS`) and its fast paths.
"""

from __future__ import annotations

import contextlib
import gc
import operator
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice, repeat
from typing import Any, Final, cast

import attrs
import pendulum

from majorincident.classification import Channel, Impact, Priority, Urgency
from majorincident.clock import as_pendulum, utc
from majorincident.clock._instants import utc_all
from majorincident.errors import MajorIncidentError, RecordError, TimelineError
from majorincident.incident._fields import (
    INDEX,
    MILESTONE_FIELDS,
    NO_NAMES,
    RULE_INDEXES,
    Hold,
    IncidentKind,
    Milestone,
    count_value,
    enum_value,
    holds_of,
    identifier_value,
    identifiers_of,
    names_of,
)

#: The record's fields, in the order they are stored.
_SLOTS: Final = (
    "id",
    "title",
    "service",
    "affected_services",
    "channel",
    "impact",
    "urgency",
    "priority",
    "major",
    "kind",
    "_moments",
    "holds",
    "reopen_count",
    "parent_id",
    "child_ids",
    "problem_id",
    "change_id",
)


class _Storage:
    """Where an :class:`Incident` keeps its fields: the slots, declared once for two classes."""

    __slots__ = (*_SLOTS, "__weakref__")


class _Writable(_Storage):
    """The same storage without the frozen record's guard, to fill a record before it is one.

    A frozen record refuses attribute assignment, so each field would cost a call to
    ``object.__setattr__``; a writable object with the same layout takes plain assignments,
    which CPython specialises, and then becomes an :class:`Incident` by ``__class__``
    assignment, which the identical layout permits. Filling a record this way costs a fifth
    as much, which counts when records are built by the million.
    """

    __slots__ = ()


def _store(record: object, values: Sequence[Any]) -> None:
    """Store `values` (in :data:`_SLOTS` order) into a record being built."""
    kind = type(record)
    if kind is Incident:
        object.__setattr__(record, "__class__", _Writable)
    elif kind is not _Writable:  # a subclass may add slots, so it keeps the generic path
        for name, value in zip(_SLOTS, values, strict=True):
            object.__setattr__(record, name, value)
        return
    filled = cast("Any", record)
    (
        filled.id,
        filled.title,
        filled.service,
        filled.affected_services,
        filled.channel,
        filled.impact,
        filled.urgency,
        filled.priority,
        filled.major,
        filled.kind,
        filled._moments,  # noqa: SLF001 - the record's own storage
        filled.holds,
        filled.reopen_count,
        filled.parent_id,
        filled.child_ids,
        filled.problem_id,
        filled.change_id,
    ) = values
    filled.__class__ = Incident


@attrs.frozen(init=False, repr=False)
class Incident(_Storage):
    """An incident record: what, where, how severe, and when each milestone was reached.

    Milestones are aware instants (any offset) and optional; the record hands them out as
    pendulum values in UTC.

    Raises:
        RecordError: an empty id, or a field of the wrong type or value, naming it.
        NaiveDateTimeError: a milestone without an offset, naming it.
        TimelineError: milestones out of order (see :data:`ORDER_RULES`), or holds outside
            [reported, resolved] or overlapping, naming both fields and their values.

    >>> cloudflare = Incident(
    ...     "INC-2019-0702",
    ...     title="502 errors on every Cloudflare domain",
    ...     started_at="2019-07-02T13:42:00Z",
    ...     detected_at="2019-07-02T13:45:00Z",
    ...     reported_at="2019-07-02T13:45:00Z",
    ... )
    >>> from majorincident.clock import duration_between
    >>> duration_between(cloudflare.started_at, cloudflare.detected_at)
    Duration(minutes=3)
    >>> cloudflare.is_open
    True
    """

    id: str
    title: str
    service: str | None
    affected_services: frozenset[str]
    channel: Channel | None
    impact: Impact | None
    urgency: Urgency | None
    priority: Priority | None
    major: bool
    kind: IncidentKind
    # The milestones, in Milestone order, as standard-library UTC datetimes: they cost a fraction
    # of pendulum values to build and compare, and one tuple is one slot. The properties below
    # hand out pendulum values.
    _moments: tuple[datetime | None, ...] = attrs.field(alias="moments")
    holds: tuple[Hold, ...]
    reopen_count: int
    parent_id: str | None
    child_ids: tuple[str, ...]
    problem_id: str | None
    change_id: str | None

    # Written by hand rather than generated: a million records are built from exports, and
    # skipping the conversions a default does not need, and storing the fields in one step,
    # makes that several times faster.
    def __init__(  # noqa: PLR0913 - one keyword per field of the record
        self,
        id: str,  # noqa: A002 - the record's own field name
        *,
        title: str = "",
        service: str | None = None,
        affected_services: Iterable[str] = (),
        channel: Channel | str | None = None,
        impact: Impact | str | int | None = None,
        urgency: Urgency | str | int | None = None,
        priority: Priority | str | int | None = None,
        major: bool = False,
        kind: IncidentKind | str = IncidentKind.NORMAL,
        started_at: datetime | str | None = None,
        detected_at: datetime | str | None = None,
        reported_at: datetime | str | None = None,
        acknowledged_at: datetime | str | None = None,
        declared_at: datetime | str | None = None,
        contained_at: datetime | str | None = None,
        resolved_at: datetime | str | None = None,
        closed_at: datetime | str | None = None,
        holds: Iterable[Hold] = (),
        reopen_count: int = 0,
        parent_id: str | None = None,
        child_ids: Iterable[str] = (),
        problem_id: str | None = None,
        change_id: str | None = None,
        moments: tuple[datetime | None, ...] | None = None,
    ) -> None:
        """Build and validate the record.

        `moments` is how ``attrs.evolve`` passes the milestones on; a milestone given by name
        replaces its entry.
        """
        if moments is not None:
            started_at, detected_at, reported_at, acknowledged_at = (
                started_at if started_at is not None else moments[0],
                detected_at if detected_at is not None else moments[1],
                reported_at if reported_at is not None else moments[2],
                acknowledged_at if acknowledged_at is not None else moments[3],
            )
            declared_at, contained_at, resolved_at, closed_at = (
                declared_at if declared_at is not None else moments[4],
                contained_at if contained_at is not None else moments[5],
                resolved_at if resolved_at is not None else moments[6],
                closed_at if closed_at is not None else moments[7],
            )
        moments = (
            None if started_at is None else utc(started_at, field="started_at"),
            None if detected_at is None else utc(detected_at, field="detected_at"),
            None if reported_at is None else utc(reported_at, field="reported_at"),
            None if acknowledged_at is None else utc(acknowledged_at, field="acknowledged_at"),
            None if declared_at is None else utc(declared_at, field="declared_at"),
            None if contained_at is None else utc(contained_at, field="contained_at"),
            None if resolved_at is None else utc(resolved_at, field="resolved_at"),
            None if closed_at is None else utc(closed_at, field="closed_at"),
        )
        if not isinstance(title, str):
            raise RecordError(f"title ({title!r}) must be a string")
        if type(major) is not bool:
            raise RecordError(f"major ({major!r}) must be True or False")
        values = (
            identifier_value("id", id),
            title,
            None if service is None else identifier_value("service", service),
            names_of("affected_services", affected_services) if affected_services else NO_NAMES,
            None if channel is None else enum_value(Channel, "channel", channel),
            None if impact is None else Impact.parse(impact, field="impact"),
            None if urgency is None else Urgency.parse(urgency, field="urgency"),
            None if priority is None else Priority.parse(priority, field="priority"),
            major,
            kind if kind is IncidentKind.NORMAL else enum_value(IncidentKind, "kind", kind),
            moments,
            holds_of(holds) if holds else (),
            count_value("reopen_count", reopen_count),
            None if parent_id is None else identifier_value("parent_id", parent_id),
            identifiers_of("child_ids", child_ids) if child_ids else (),
            None if problem_id is None else identifier_value("problem_id", problem_id),
            None if change_id is None else identifier_value("change_id", change_id),
        )
        _check_order(moments)
        _store(self, values)
        if self.holds:
            _check_holds(self)

    @classmethod
    def from_rows(
        cls,
        fields: Sequence[str],
        rows: Iterable[Sequence[object]],
        *,
        pause_collector: bool = False,
    ) -> list[Incident]:
        """Build many records from rows of values, each row holding one value per name in `fields`.

        The bulk path for exports, database cursors and dataframes (``itertuples``,
        ``iter_rows``): a million rows take a fraction of the time a million constructor calls
        do. Every row gives the record ``Incident(**dict(zip(fields, row)))`` would, and is
        refused as that call would refuse it; values already in their stored form (text, UTC
        instants, ISO-8601 strings ending in ``Z``, enum members, None) skip the constructor,
        and anything else goes through it.

        Args:
            fields: the constructor's keyword names (``id``, ``title``, ``reported_at``, ...),
                in the order of the values in each row; ``id`` must be among them.
            rows: sequences of values, as many as `fields` names.
            pause_collector: turn Python's cyclic garbage collector off while building, and
                back on afterwards if it was on. Records make no reference cycles, but a
                running collector walks the growing list of them again and again: a million
                rows take about half as long again with it on. The collector's state is the
                whole process's, so ask for this only where nothing else (another thread, the
                host application) turns the collector off or on meanwhile.

        Returns:
            The records, in the order of the rows.

        Raises:
            RecordError: `fields` names something that is not a field, or a field twice, or
                lacks ``id``; a row has the wrong number of values.
            MajorIncidentError: whatever the constructor raises for a row (a
                :class:`~majorincident.errors.RecordError`,
                :class:`~majorincident.errors.TimelineError` or
                :class:`~majorincident.errors.NaiveDateTimeError`), its message starting with
                ``rows[N]:``.

        >>> rows = [
        ...     ("INC-1", "2024-03-01T09:02:11Z", "2024-03-01T10:31:45Z"),
        ...     ("INC-2", "2024-03-02T14:00:00+01:00", None),
        ... ]
        >>> first, second = Incident.from_rows(("id", "reported_at", "resolved_at"), rows)
        >>> second.reported_at, second.is_open
        (DateTime(2024, 3, 2, 13, 0, 0, tzinfo=Timezone('UTC')), True)
        >>> Incident.from_rows(("id", "reported_at"), [("INC-3", "yesterday")])
        Traceback (most recent call last):
        ...
        majorincident.errors.TimelineError: rows[0]: reported_at ('yesterday') is not an ...
        """
        plan = _row_plan(fields)
        try:
            remaining = iter(rows)
        except TypeError:
            raise RecordError(f"rows ({rows!r}) must be an iterable of rows") from None
        built: list[Incident] = []
        with _collector_paused() if pause_collector else contextlib.nullcontext():
            while chunk := list(islice(remaining, _CHUNK)):
                records = _fast_chunk(plan, chunk) if cls is Incident else None
                if records is None:
                    start = len(built)
                    records = [
                        _slow_row(cls, fields, row, start + n) for n, row in enumerate(chunk)
                    ]
                built.extend(records)
        return built

    @property
    def started_at(self) -> pendulum.DateTime | None:
        """When the service began to fail."""
        moment = self._moments[0]
        return None if moment is None else as_pendulum(moment)

    @property
    def detected_at(self) -> pendulum.DateTime | None:
        """When monitoring or a person noticed."""
        moment = self._moments[1]
        return None if moment is None else as_pendulum(moment)

    @property
    def reported_at(self) -> pendulum.DateTime | None:
        """When the incident record was created."""
        moment = self._moments[2]
        return None if moment is None else as_pendulum(moment)

    @property
    def acknowledged_at(self) -> pendulum.DateTime | None:
        """When someone first took it on."""
        moment = self._moments[3]
        return None if moment is None else as_pendulum(moment)

    @property
    def declared_at(self) -> pendulum.DateTime | None:
        """When it was declared a major incident."""
        moment = self._moments[4]
        return None if moment is None else as_pendulum(moment)

    @property
    def contained_at(self) -> pendulum.DateTime | None:
        """When its impact stopped growing."""
        moment = self._moments[5]
        return None if moment is None else as_pendulum(moment)

    @property
    def resolved_at(self) -> pendulum.DateTime | None:
        """When service was restored (the latest resolution, after a reopen)."""
        moment = self._moments[6]
        return None if moment is None else as_pendulum(moment)

    @property
    def closed_at(self) -> pendulum.DateTime | None:
        """When the record was closed."""
        moment = self._moments[7]
        return None if moment is None else as_pendulum(moment)

    @property
    def instants(self) -> tuple[datetime | None, ...]:
        """Every milestone in :class:`Milestone` order, as standard-library UTC datetimes.

        The fast path for bulk computations; :meth:`at` gives pendulum values.
        """
        return self._moments

    def moment(self, milestone: Milestone) -> datetime | None:
        """Return when `milestone` was reached as a standard-library UTC datetime (fast)."""
        return self._moments[INDEX[milestone]]

    def __repr__(self) -> str:
        """Show the id, the fields that are set and the milestones reached."""
        parts = [repr(self.id)]
        for field in attrs.fields(Incident)[1:]:
            value = getattr(self, field.name)
            if field.name == "_moments":
                parts.extend(
                    f"{m.field}={moment.isoformat()}"
                    for m, moment in zip(Milestone, value, strict=True)
                    if moment is not None
                )
            elif value not in (None, "", (), frozenset(), False, 0, IncidentKind.NORMAL):
                parts.append(f"{field.name}={value!r}")
        return f"Incident({', '.join(parts)})"

    def at(self, milestone: Milestone) -> pendulum.DateTime | None:
        """Return when `milestone` was reached, or None."""
        moment = self.moment(milestone)
        return None if moment is None else as_pendulum(moment)

    @property
    def is_open(self) -> bool:
        """True until the incident is resolved (or closed without a resolution)."""
        return self._moments[6] is None and self._moments[7] is None

    @property
    def milestones(self) -> dict[Milestone, pendulum.DateTime]:
        """The milestones reached, in lifecycle order."""
        return {m: moment for m in Milestone if (moment := self.at(m)) is not None}


def _check_order(moments: tuple[datetime | None, ...]) -> None:
    """Apply ORDER_RULES to the milestones, given in Milestone order."""
    for earlier, later in RULE_INDEXES:
        first = moments[earlier]
        if first is None:
            continue
        last = moments[later]
        if last is not None and last < first:
            raise TimelineError(
                f"{MILESTONE_FIELDS[later]} ({last.isoformat()}) is before "
                f"{MILESTONE_FIELDS[earlier]} ({first.isoformat()})"
            )


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
    for slot, name in enumerate(_SLOTS):
        if name == "_moments":
            fields.update((m.field, (_MILESTONE, n)) for n, m in enumerate(Milestone))
        else:
            fields[name] = (_READS[name], slot)
    return fields


_ROW_FIELDS: Final = _row_fields()
_MOMENTS_SLOT: Final = _SLOTS.index("_moments")
#: What a record holds for a field no row gives: the constructor's defaults, as it stores them.
_DEFAULTS: Final = tuple(getattr(Incident("-"), name) for name in _SLOTS)
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


def _fast_chunk(plan: tuple[_Read, ...], chunk: list[Sequence[object]]) -> list[Incident] | None:
    """The records of rows whose values need no constructor, built column by column.

    Returns None when some value is not in stored form, or some row is refused: the rows then
    go one by one through the constructor, which converts or names the first error.
    """
    size = len(chunk)
    slots: list[Iterable[object]] = [repeat(value, size) for value in _DEFAULTS]
    moments: list[Iterable[datetime | None]] = [repeat(None, size) for _ in Milestone]
    try:
        if set(map(len, chunk)) != {len(plan)} or not _read(plan, chunk, slots, moments):
            return None
    except (MajorIncidentError, ValueError, TypeError):
        return None
    slots[_MOMENTS_SLOT] = zip(*moments, strict=True)
    records: list[Incident] = []
    append = records.append
    new = object.__new__
    for values in zip(*slots, strict=True):
        record = new(_Writable)
        _store(record, values)
        append(cast("Incident", record))
    return records


def _read(
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
            slots[where] = _converted(column, name, _SLOTS[where], converted)
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
    column: Sequence[object], name: str, slot: str, seen: dict[tuple[type, object], object]
) -> list[object]:
    """A column of a field with few distinct values, each converted once by the constructor."""
    values = []
    for value in column:
        key = (type(value), value)
        if key not in seen:
            given: dict[str, Any] = {name: value}
            seen[key] = getattr(Incident("-", **given), slot)
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


def _check_holds(incident: Incident) -> None:
    previous: Hold | None = None
    for index, hold in enumerate(incident.holds):
        where = f"holds[{index}]"
        reported = incident.moment(Milestone.REPORTED)
        if reported is not None and hold.start < reported:
            raise TimelineError(
                f"{where}.start ({hold.start.isoformat()}) is before reported_at "
                f"({reported.isoformat()})"
            )
        resolved = incident.moment(Milestone.RESOLVED)
        if resolved is not None and (hold.end is None or hold.end > resolved):
            end = hold.end.isoformat() if hold.end else "still on hold"
            raise TimelineError(
                f"{where}.end ({end}) is after resolved_at ({resolved.isoformat()})"
            )
        if previous is not None and (previous.end is None or hold.start < previous.end):
            end = previous.end.isoformat() if previous.end else "never"
            raise TimelineError(
                f"{where}.start ({hold.start.isoformat()}) is before holds[{index - 1}].end "
                f"({end}); holds must not overlap and must be in order"
            )
        previous = hold


def progressed(
    base: Incident,
    moments: tuple[datetime | None, ...],
    *,
    major: bool,
    reopen_count: int,
    child_ids: tuple[str, ...],
    problem_id: str | None,
    change_id: str | None,
) -> Incident:
    """A copy of `base` with what a major incident's timeline changed, for the workflow.

    The workflow hands in standard UTC milestones and checked references, so only what
    depends on them together is checked again: the order rules and the holds.

    Raises:
        TimelineError: the milestones break an order rule or leave a hold outside them.
    """
    _check_order(moments)
    copy = object.__new__(_Writable)
    _store(
        copy,
        (
            *(base.id, base.title, base.service, base.affected_services, base.channel),
            *(base.impact, base.urgency, base.priority, major, base.kind, moments),
            *(base.holds, reopen_count, base.parent_id, child_ids, problem_id, change_id),
        ),
    )
    record = cast("Incident", copy)
    if record.holds:
        _check_holds(record)
    return record
