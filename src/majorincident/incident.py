"""The incident record, its milestones, and the events of a timeline.

An :class:`Incident` is a frozen record: what happened, to which service, how severe, and when each
milestone was reached. Milestones must be in a sane order by instant; every violation is a
:class:`~majorincident.errors.TimelineError` naming both milestones and their values.
"""

from __future__ import annotations

import enum
import math
import types
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final, TypeVar

import attrs
import pendulum

from majorincident.classification import Channel, Impact, Priority, Urgency
from majorincident.clock import as_pendulum, instant, utc
from majorincident.errors import RecordError, TimelineError
from majorincident.process import Activity, Stage

__all__ = [
    "ORDER_RULES",
    "Event",
    "EventKind",
    "Hold",
    "HoldReason",
    "Incident",
    "IncidentKind",
    "Milestone",
]


E = TypeVar("E", bound=enum.Enum)


class Milestone(enum.Enum):
    """The instants in an incident's life, so that KPIs read "from milestone A to B"."""

    STARTED = "started"
    """The service began to fail."""
    DETECTED = "detected"
    """Monitoring or a person noticed."""
    REPORTED = "reported"
    """The incident record exists."""
    ACKNOWLEDGED = "acknowledged"
    """Someone took it on."""
    DECLARED = "declared"
    """It was declared a major incident."""
    CONTAINED = "contained"
    """Its impact stopped growing."""
    RESOLVED = "resolved"
    """Service was restored."""
    CLOSED = "closed"
    """The record was closed."""

    @property
    def field(self) -> str:
        """The name of the record's attribute: ``started_at`` and so on."""
        return f"{self.value}_at"


class IncidentKind(enum.Enum):
    """What sort of record it is; tests and drills are left out of KPIs by default."""

    NORMAL = "normal"
    TEST = "test"
    DRILL = "drill"
    BACKFILLED = "backfilled"


class HoldReason(enum.Enum):
    """Why an incident waits, as ITSM tools record it."""

    AWAITING_CALLER = "awaiting_caller"
    AWAITING_CHANGE = "awaiting_change"
    AWAITING_PROBLEM = "awaiting_problem"
    AWAITING_VENDOR = "awaiting_vendor"


def _optional_instant(value: datetime | str | None) -> pendulum.DateTime | None:
    return None if value is None else instant(value, field="end")


def _start_instant(value: datetime | str) -> pendulum.DateTime:
    return instant(value, field="start")


def _at_instant(value: datetime | str) -> pendulum.DateTime:
    return instant(value, field="at")


def _enum_value(kind: type[E], field: str, value: object) -> E | None:
    if value is None or isinstance(value, kind):
        return value
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(repr(member.value) for member in kind)
        raise RecordError(
            f"{field} ({value!r}) is not a {kind.__name__}; expected one of {allowed}"
        ) from None


def _hold_reason(value: object) -> HoldReason | None:
    return _enum_value(HoldReason, "reason", value)


def _event_kind(value: object) -> EventKind:
    kind = _enum_value(EventKind, "kind", value)
    if kind is None:
        raise RecordError("kind (None) is not an EventKind")
    return kind


def _identifier_value(field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RecordError(f"{field} ({value!r}) must be a non-empty string")
    return value


def _identifier(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _identifier_value(attribute.name, value)


def _names(field: str, value: Iterable[str] | str) -> frozenset[str]:
    names = frozenset((value,) if isinstance(value, str) else value)
    for name in names:
        _identifier_value(f"{field} item", name)
    return names


def _identifiers(field: str, value: Iterable[str] | str) -> tuple[str, ...]:
    items = tuple(dict.fromkeys((value,) if isinstance(value, str) else value))
    for item in items:
        _identifier_value(f"{field} item", item)
    return items


def _count_value(field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RecordError(f"{field} ({value!r}) must be a whole number of at least 0")
    return value


def _count(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _count_value(attribute.name, value)


@attrs.frozen
class Hold:
    """An interval during which the incident waited, from `start` until `end` (None: still).

    Attributes:
        start: when the wait began.
        end: when it ended; None while the incident still waits.
        reason: why it waited.
    """

    start: pendulum.DateTime = attrs.field(converter=_start_instant)
    end: pendulum.DateTime | None = attrs.field(default=None, converter=_optional_instant)
    reason: HoldReason | None = attrs.field(default=None, converter=_hold_reason)

    def __attrs_post_init__(self) -> None:
        """A hold cannot end before it starts."""
        if self.end is not None and self.end < self.start:
            raise TimelineError(
                f"hold end ({self.end.isoformat()}) is before hold start ({self.start.isoformat()})"
            )


def _holds(value: Iterable[Hold]) -> tuple[Hold, ...]:
    holds = tuple(value)
    for hold in holds:
        if not isinstance(hold, Hold):
            raise RecordError(f"holds holds {hold!r}; expected Hold values")
    return holds


#: The order rules between milestones, as (earlier, later): each pair, when both are set, must
#: satisfy earlier <= later by instant.
ORDER_RULES: Final = (
    (Milestone.STARTED, Milestone.DETECTED),
    (Milestone.STARTED, Milestone.REPORTED),
    (Milestone.REPORTED, Milestone.ACKNOWLEDGED),
    (Milestone.REPORTED, Milestone.DECLARED),
    (Milestone.CONTAINED, Milestone.RESOLVED),
    (Milestone.ACKNOWLEDGED, Milestone.RESOLVED),
    (Milestone.REPORTED, Milestone.RESOLVED),
    (Milestone.RESOLVED, Milestone.CLOSED),
)
_MILESTONE_FIELDS: Final = tuple(m.field for m in Milestone)
_RULE_INDEXES: Final = tuple(
    (list(Milestone).index(a), list(Milestone).index(b)) for a, b in ORDER_RULES
)
_NO_NAMES: Final[frozenset[str]] = frozenset()
_INDEX: Final = {m: n for n, m in enumerate(Milestone)}


@attrs.frozen(init=False, repr=False)
class Incident:
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
        put = object.__setattr__
        put(self, "id", _identifier_value("id", id))
        put(self, "title", title)
        put(self, "service", None if service is None else _identifier_value("service", service))
        put(
            self,
            "affected_services",
            _names("affected_services", affected_services) if affected_services else _NO_NAMES,
        )
        put(self, "channel", None if channel is None else _enum_value(Channel, "channel", channel))
        put(self, "impact", None if impact is None else Impact.parse(impact, field="impact"))
        put(self, "urgency", None if urgency is None else Urgency.parse(urgency, field="urgency"))
        put(
            self,
            "priority",
            None if priority is None else Priority.parse(priority, field="priority"),
        )
        put(self, "major", major)
        put(
            self,
            "kind",
            kind if kind is IncidentKind.NORMAL else _enum_value(IncidentKind, "kind", kind),
        )
        put(self, "_moments", moments)
        put(self, "holds", _holds(holds) if holds else ())
        put(self, "reopen_count", _count_value("reopen_count", reopen_count))
        put(
            self,
            "parent_id",
            None if parent_id is None else _identifier_value("parent_id", parent_id),
        )
        put(self, "child_ids", _identifiers("child_ids", child_ids) if child_ids else ())
        put(
            self,
            "problem_id",
            None if problem_id is None else _identifier_value("problem_id", problem_id),
        )
        put(
            self,
            "change_id",
            None if change_id is None else _identifier_value("change_id", change_id),
        )
        _check_order(moments)
        if self.holds:
            _check_holds(self)

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

    def _progressed(
        self,
        moments: tuple[datetime | None, ...],
        *,
        major: bool,
        reopen_count: int,
        child_ids: tuple[str, ...],
        problem_id: str | None,
        change_id: str | None,
    ) -> Incident:
        """A copy with what a major incident's timeline changed, for the workflow.

        The workflow hands in standard UTC milestones and checked references, so only what
        depends on them together is checked again: the order rules and the holds.

        Raises:
            TimelineError: the milestones break an order rule or leave a hold outside them.
        """
        copy = object.__new__(Incident)
        put = object.__setattr__
        for name in _COPIED:
            put(copy, name, getattr(self, name))
        put(copy, "_moments", moments)
        put(copy, "major", major)
        put(copy, "reopen_count", reopen_count)
        put(copy, "child_ids", child_ids)
        put(copy, "problem_id", problem_id)
        put(copy, "change_id", change_id)
        _check_order(moments)
        if copy.holds:
            _check_holds(copy)
        return copy

    def moment(self, milestone: Milestone) -> datetime | None:
        """Return when `milestone` was reached as a standard-library UTC datetime (fast)."""
        return self._moments[_INDEX[milestone]]

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


#: The fields a major incident's timeline leaves as they are.
_COPIED: Final = tuple(
    field.name
    for field in attrs.fields(Incident)
    if field.name
    not in ("_moments", "major", "reopen_count", "child_ids", "problem_id", "change_id")
)


def _check_order(moments: tuple[datetime | None, ...]) -> None:
    """Apply ORDER_RULES to the milestones, given in Milestone order."""
    for earlier, later in _RULE_INDEXES:
        first = moments[earlier]
        if first is None:
            continue
        last = moments[later]
        if last is not None and last < first:
            raise TimelineError(
                f"{_MILESTONE_FIELDS[later]} ({last.isoformat()}) is before "
                f"{_MILESTONE_FIELDS[earlier]} ({first.isoformat()})"
            )


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


class EventKind(enum.Enum):
    """What an entry of a major incident's timeline records."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ACTIVITY = "activity"
    ADVANCED = "advanced"
    DEMOTED = "demoted"
    REOPENED = "reopened"
    LINKED = "linked"
    TASK_ASSIGNED = "task_assigned"
    TASK_COMPLETED = "task_completed"


#: How deep JSON-compatible details may nest.
MAX_DETAIL_DEPTH: Final = 32


def _json_value(value: object, path: str, depth: int) -> object:
    """Copy a JSON-compatible value, refusing anything JSON cannot hold."""
    if depth > MAX_DETAIL_DEPTH:
        raise RecordError(f"{path} nests deeper than {MAX_DETAIL_DEPTH} levels")
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RecordError(f"{path} ({value!r}) is not a finite number; JSON cannot hold it")
        return value
    if isinstance(value, Mapping):
        copied = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise RecordError(f"{path} has key {key!r}; JSON object keys are strings")
            copied[key] = _json_value(item, f"{path}.{key}", depth + 1)
        return copied
    if isinstance(value, list | tuple):
        return [_json_value(item, f"{path}[{n}]", depth + 1) for n, item in enumerate(value)]
    raise RecordError(f"{path} ({value!r}) is not JSON-compatible")


def _details(value: Mapping[str, object] | None) -> Mapping[str, object]:
    if value is None:
        return types.MappingProxyType({})
    if not isinstance(value, Mapping):
        raise RecordError(f"details ({value!r}) must be a mapping")
    return types.MappingProxyType(_json_value(value, "details", 0))  # type: ignore[arg-type]


@attrs.frozen(eq=False)
class Event:
    """One entry of an append-only timeline.

    Attributes:
        sequence: its position in the timeline, from 0.
        at: when it happened.
        actor: who did it.
        kind: what it records.
        activity: the activity performed, where relevant.
        stage: the stage entered or left, where relevant.
        details: JSON-compatible facts: a reason, a problem or change id, a task.
    """

    sequence: int = attrs.field(validator=_count)
    at: pendulum.DateTime = attrs.field(converter=_at_instant)
    actor: str = attrs.field(validator=_identifier)
    kind: EventKind = attrs.field(converter=_event_kind)
    activity: Activity | None = None
    stage: Stage | None = None
    details: Mapping[str, object] = attrs.field(factory=dict, converter=_details)

    def __eq__(self, other: object) -> bool:
        """Events are equal when every field is, activities and stages by key and title."""
        if not isinstance(other, Event):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        """Hash by position, instant, actor and kind."""
        return hash((self.sequence, self.at, self.actor, self.kind))

    def _key(self) -> tuple[object, ...]:
        activity = self.activity
        stage = self.stage
        return (
            self.sequence,
            self.at,
            self.actor,
            self.kind,
            None if activity is None else (activity.key, activity.title, activity.stage.key),
            None if stage is None else (stage.key, stage.title),
            dict(self.details),
        )
