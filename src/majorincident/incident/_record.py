"""The :class:`Incident` record: its slot storage, its checks, and the bulk row reader.

One module, over 400 lines, because the record, the storage it fills and the bulk reader
that fills it by the million share one layout (:data:`SLOTS`) and its fast paths.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast, overload

import attrs
import pendulum

from majorincident.classification import Channel, Impact, Priority, Urgency
from majorincident.clock import as_pendulum, utc
from majorincident.errors import RecordError
from majorincident.incident._fields import (
    MILESTONE_FIELDS,
    NO_NAMES,
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
from majorincident.incident._rows import read_rows
from majorincident.incident._storage import Storage, Writable, store
from majorincident.incident._timeline import check_holds, check_order


def _instants(given: tuple[object, ...]) -> tuple[datetime | None, ...]:
    """The milestones as standard UTC datetimes, each refused by its own field's name."""
    return tuple(
        [
            None if value is None else utc(value, field=field)  # type: ignore[arg-type]
            for value, field in zip(given, MILESTONE_FIELDS, strict=True)
        ]
    )


def _merged(given: tuple[object, ...], moments: tuple[datetime | None, ...]) -> tuple[object, ...]:
    """The milestones ``attrs.evolve`` passes on, each replaced where one is given by name."""
    return tuple(
        [kept if value is None else value for value, kept in zip(given, moments, strict=True)]
    )


def _optional_identifier(field: str, value: object) -> str | None:
    return None if value is None else identifier_value(field, value)


def _level(kind: Any, field: str, value: object) -> Any:  # noqa: ANN401 - Impact, Urgency or Priority
    return None if value is None else kind.parse(value, field=field)


class MilestoneAt:
    """An incident's milestone as a pendulum value in UTC (None until it is reached).

    One descriptor serves the eight ``*_at`` attributes: each reads its place in the record's
    milestones, which are stored as standard datetimes.
    """

    def __init__(self, milestone: Milestone, doc: str) -> None:
        self.index = milestone.index
        self.__doc__ = doc

    @overload
    def __get__(self, record: None, owner: type) -> MilestoneAt: ...
    @overload
    def __get__(self, record: Incident, owner: type) -> pendulum.DateTime | None: ...
    def __get__(
        self, record: Incident | None, owner: type
    ) -> MilestoneAt | pendulum.DateTime | None:
        """The milestone of `record`; the descriptor itself when read off the class."""
        if record is None:
            return self
        moment = record.instants[self.index]
        return None if moment is None else as_pendulum(moment)


@attrs.frozen(init=False, repr=False)
class Incident(Storage):
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
        given = (
            *(started_at, detected_at, reported_at, acknowledged_at),
            *(declared_at, contained_at, resolved_at, closed_at),
        )
        stored = _instants(given if moments is None else _merged(given, moments))
        if not isinstance(title, str):
            raise RecordError(f"title ({title!r}) must be a string")
        if type(major) is not bool:
            raise RecordError(f"major ({major!r}) must be True or False")
        values = (
            identifier_value("id", id),
            title,
            _optional_identifier("service", service),
            names_of("affected_services", affected_services) if affected_services else NO_NAMES,
            None if channel is None else enum_value(Channel, "channel", channel),
            _level(Impact, "impact", impact),
            _level(Urgency, "urgency", urgency),
            _level(Priority, "priority", priority),
            major,
            kind if kind is IncidentKind.NORMAL else enum_value(IncidentKind, "kind", kind),
            stored,
            holds_of(holds) if holds else (),
            count_value("reopen_count", reopen_count),
            _optional_identifier("parent_id", parent_id),
            identifiers_of("child_ids", child_ids) if child_ids else (),
            _optional_identifier("problem_id", problem_id),
            _optional_identifier("change_id", change_id),
        )
        check_order(stored)
        store(self, values, Incident)
        if self.holds:
            check_holds(self)

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
        return read_rows(cls, fields, rows, fast=cls is Incident, pause_collector=pause_collector)

    started_at = MilestoneAt(Milestone.STARTED, "When the service began to fail.")
    detected_at = MilestoneAt(Milestone.DETECTED, "When monitoring or a person noticed.")
    reported_at = MilestoneAt(Milestone.REPORTED, "When the incident record was created.")
    acknowledged_at = MilestoneAt(Milestone.ACKNOWLEDGED, "When someone first took it on.")
    declared_at = MilestoneAt(Milestone.DECLARED, "When it was declared a major incident.")
    contained_at = MilestoneAt(Milestone.CONTAINED, "When its impact stopped growing.")
    resolved_at = MilestoneAt(
        Milestone.RESOLVED, "When service was restored (the latest resolution, after a reopen)."
    )
    closed_at = MilestoneAt(Milestone.CLOSED, "When the record was closed.")

    @property
    def instants(self) -> tuple[datetime | None, ...]:
        """Every milestone in :class:`Milestone` order, as standard-library UTC datetimes.

        The fast path for bulk computations; :meth:`at` gives pendulum values.
        """
        return self._moments

    def moment(self, milestone: Milestone) -> datetime | None:
        """Return when `milestone` was reached as a standard-library UTC datetime (fast)."""
        return self._moments[milestone.index]

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
    check_order(moments)
    copy = object.__new__(Writable)
    store(
        copy,
        (
            *(base.id, base.title, base.service, base.affected_services, base.channel),
            *(base.impact, base.urgency, base.priority, major, base.kind, moments),
            *(base.holds, reopen_count, base.parent_id, child_ids, problem_id, change_id),
        ),
        Incident,
    )
    record = cast("Incident", copy)
    if record.holds:
        check_holds(record)
    return record
