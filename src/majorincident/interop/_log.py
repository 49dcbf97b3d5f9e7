"""What a state-change log is: its columns, and what each of its states means for a timeline.

:class:`EventLog` describes a log; :data:`SERVICENOW_EVENTS` and :data:`JIRA` are the logs of
two tools as they export them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Final, cast

import attrs

from majorincident._frozen import FrozenDict
from majorincident.errors import RecordError
from majorincident.incident import HoldReason, Milestone

__all__ = [
    "JIRA",
    "SERVICENOW_EVENTS",
    "EventLog",
    "Meaning",
    "Phase",
    "checked_meanings",
    "meanings_of",
    "unknown_state",
]


class Phase(enum.Enum):
    """What a state means for the timeline (a waiting state is a :class:`HoldReason`)."""

    NEW = "new"
    """Logged, nobody on it yet."""
    WORKING = "working"
    """Someone works on it: the first move here acknowledges the incident."""
    RESOLVED = "resolved"
    """Service restored: the last move here resolves it; a move back to work reopens it."""
    CLOSED = "closed"
    """Closed, or cancelled: over, whether resolved or not."""


Meaning = Phase | HoldReason


def _columns(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _only(value: tuple[str, str | Iterable[str]] | None) -> tuple[str, frozenset[str]] | None:
    if value is None:
        return None
    column, kept = value
    return column, frozenset([kept] if isinstance(kept, str) else kept)


def _milestone_columns(value: Mapping[str, str]) -> FrozenDict[str, str]:
    fields = {m.field for m in Milestone} - {Milestone.REPORTED.field}
    for field, column in value.items():
        if field not in fields or not isinstance(column, str):
            raise RecordError(
                f"milestones ({field!r}: {column!r}) must map a milestone field other than "
                f"reported_at (the log's opened column) to a column: {', '.join(sorted(fields))}"
            )
    return FrozenDict(value)


def checked_meanings(value: Mapping[str, Meaning]) -> FrozenDict[str, Meaning]:
    found: dict[str, Meaning] = {}
    for state, meaning in cast("Mapping[object, object]", value).items():
        if not isinstance(state, str) or not isinstance(meaning, Phase | HoldReason):
            raise RecordError(
                f"states ({state!r}: {meaning!r}) must map a state's name to a Phase or a "
                "HoldReason"
            )
        found[state] = meaning
    return FrozenDict(found)


@attrs.frozen
class EventLog:
    """Where a state-change log keeps what, and what its states mean.

    Attributes:
        case: the column holding the incident's id.
        state: the column holding the state after the update.
        at: the column holding when the update happened.
        order: the columns that order a case's rows, first to last (a counter such as
            ``sys_mod_count`` first, the update time to break ties); the rows of one case need
            not be adjacent nor in order.
        opened: the column holding when the incident was opened (its REPORTED instant); None
            to take the time of its first row.
        states: state name (matched regardless of case) -> its :class:`Phase`, or the
            :class:`~majorincident.incident.HoldReason` of a waiting state.
        fields: record field -> column, read from the case's latest row (priority, impact,
            urgency, service...).
        milestones: milestone field (``resolved_at``, ``closed_at``...) -> the column that
            holds it, read from the case's latest row: a column beats the states, and an empty
            value there means the milestone is missing, whatever the states say. The states
            give what no column does (the acknowledgement, holds, reopenings), and what a log
            without the column lacks.
        only: (column, value or values) selecting the rows that are state changes, for logs
            that mix changes of every field (a Jira changelog) or entries of every kind
            (PagerDuty's notifications and notes); None when every row is one.
    """

    case: str
    state: str
    at: str
    order: tuple[str, ...] = attrs.field(converter=_columns)
    opened: str | None
    states: Mapping[str, Meaning] = attrs.field(converter=checked_meanings)
    fields: Mapping[str, str] = attrs.field(factory=FrozenDict, converter=FrozenDict)
    only: tuple[str, frozenset[str]] | None = attrs.field(default=None, converter=_only)
    milestones: Mapping[str, str] = attrs.field(factory=FrozenDict, converter=_milestone_columns)


#: A ServiceNow ``incident`` audit export (one row per update; ``sys_mod_count`` orders them).
#: New is new; Active and In Progress are work; the Awaiting states wait (Awaiting User Info
#: and Awaiting Evidence on the caller); Resolved resolves; Closed and Canceled close. The
#: resolution and the closure are the ``resolved_at`` and ``closed_at`` columns of the latest
#: row, as ServiceNow itself reports them (an incident logged straight as Resolved has none).
SERVICENOW_EVENTS: Final = EventLog(
    case="number",
    state="incident_state",
    at="sys_updated_at",
    order=("sys_mod_count", "sys_updated_at"),
    opened="opened_at",
    states={
        "New": Phase.NEW,
        "Active": Phase.WORKING,
        "In Progress": Phase.WORKING,
        "Awaiting User Info": HoldReason.AWAITING_CALLER,
        "Awaiting Evidence": HoldReason.AWAITING_CALLER,
        "Awaiting Problem": HoldReason.AWAITING_PROBLEM,
        "Awaiting Vendor": HoldReason.AWAITING_VENDOR,
        "Awaiting Change": HoldReason.AWAITING_CHANGE,
        "Resolved": Phase.RESOLVED,
        "Closed": Phase.CLOSED,
        "Canceled": Phase.CLOSED,
    },
    fields={"priority": "priority", "impact": "impact", "urgency": "urgency"},
    milestones={"resolved_at": "resolved_at", "closed_at": "closed_at"},
)

#: A Jira Service Management changelog, one row per changed field (``issue_key``, ``created``,
#: ``field``, ``from``, ``to``, ``changed``): the status rows, in the order they were changed.
#: The default service-management workflow's statuses: Open and Waiting for support are new;
#: In Progress, Work in progress and Escalated are work; Waiting for customer waits on the
#: caller, Pending on a vendor; Resolved and Done resolve; Closed and Canceled close.
JIRA: Final = EventLog(
    case="issue_key",
    state="to",
    at="changed",
    order=("changed",),
    opened="created",
    states={
        "Open": Phase.NEW,
        "Waiting for support": Phase.NEW,
        "In Progress": Phase.WORKING,
        "Work in progress": Phase.WORKING,
        "Escalated": Phase.WORKING,
        "Waiting for customer": HoldReason.AWAITING_CALLER,
        "Pending": HoldReason.AWAITING_VENDOR,
        "Resolved": Phase.RESOLVED,
        "Done": Phase.RESOLVED,
        "Closed": Phase.CLOSED,
        "Canceled": Phase.CLOSED,
    },
    only=("field", "status"),
)


def meanings_of(log: EventLog, states: Mapping[str, Meaning] | None) -> dict[str, Meaning]:
    """The log's states and the caller's `states` over them, by case-folded name."""
    meanings = {state.casefold(): meaning for state, meaning in log.states.items()}
    meanings.update((s.casefold(), m) for s, m in checked_meanings(states or {}).items())
    return meanings


def unknown_state(where: str, log: EventLog, value: object) -> RecordError:
    """The refusal of a row whose state `value` the log does not map, `where` naming the row."""
    known = ", ".join(repr(state) for state in log.states)
    return RecordError(
        f"{where}: {log.state} ({value!r}) is not a state the log maps; map it "
        f"with states={{{value!r}: Phase... or HoldReason...}} (known: {known})"
    )
