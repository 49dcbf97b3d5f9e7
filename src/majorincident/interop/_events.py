"""Incidents rebuilt from state-change logs: one row per update, the timeline from the moves.

An ITSM audit export has a row for every update of an incident: its state after the update,
when, and the incident's other fields as they were then. :func:`from_event_log` reads the
timeline off the moves between states; an :class:`EventLog` says which columns hold what and
what each state means.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any, Final, cast

import attrs

from majorincident._frozen import FrozenDict
from majorincident.clock import instant, load_zone
from majorincident.errors import MajorIncidentError, RecordError
from majorincident.incident import Hold, HoldReason, Incident
from majorincident.interop._time import WallClock

__all__ = ["JIRA", "SERVICENOW_EVENTS", "EventLog", "Phase", "from_event_log"]


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


def _meanings(value: Mapping[str, Meaning]) -> FrozenDict[str, Meaning]:
    found: dict[str, Meaning] = {}
    for state, meaning in cast("Mapping[object, object]", value).items():
        if not isinstance(state, str) or not isinstance(meaning, Phase | HoldReason):
            raise RecordError(
                f"states ({state!r}: {meaning!r}) must map a state's name to a Phase or a "
                "HoldReason"
            )
        found[state.casefold()] = meaning
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
        only: (column, value) selecting the rows that are state changes, for logs that mix
            changes of every field (a Jira changelog); None when every row is one.
    """

    case: str
    state: str
    at: str
    order: tuple[str, ...] = attrs.field(converter=_columns)
    opened: str | None
    states: Mapping[str, Meaning] = attrs.field(converter=_meanings)
    fields: Mapping[str, str] = attrs.field(factory=FrozenDict, converter=FrozenDict)
    only: tuple[str, str] | None = None


#: A ServiceNow ``incident`` audit export (one row per update; ``sys_mod_count`` orders them).
#: New is new; Active and In Progress are work; the Awaiting states wait (Awaiting User Info
#: and Awaiting Evidence on the caller); Resolved resolves; Closed and Canceled close.
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

_NULLS: Final = frozenset({"", "NULL", "null", "N/A"})


@attrs.frozen
class _Reader:
    """How the values of one log's rows are read."""

    log: EventLog
    meanings: Mapping[str, Meaning]
    clock: WallClock
    nulls: frozenset[str]

    def present(self, value: object) -> bool:
        return value is not None and not (isinstance(value, str) and value.strip() in self.nulls)

    def time(self, row: Mapping[str, Any], column: str, where: str) -> datetime | None:
        value = row.get(column)
        if not self.present(value):
            return None
        self.clock.noted.clear()
        try:
            if isinstance(value, str):
                value = self.clock.read(column, value.strip())
            return instant(cast("datetime | str", value), field=column)
        except MajorIncidentError as error:
            raise RecordError("; ".join([f"{where}: {error}", *self.clock.noted])) from None

    def key(self, row: Mapping[str, Any], where: str) -> tuple[object, ...]:
        """The row's place in its case: numbers as numbers, times as instants."""
        found: list[object] = []
        for column in self.log.order:
            value = row.get(column)
            if isinstance(value, int) and not isinstance(value, bool):
                found.append((0, value))
            elif isinstance(value, str) and value.strip().isdigit():
                found.append((0, int(value)))
            else:
                moment = self.time(row, column, where)
                found.append((1, moment) if moment is not None else (2, 0))
        return tuple(found)

    def meaning(self, row: Mapping[str, Any], where: str) -> Meaning:
        value = row.get(self.log.state)
        found = self.meanings.get(value.strip().casefold()) if isinstance(value, str) else None
        if found is None:
            known = ", ".join(repr(state) for state in self.log.states)
            raise RecordError(
                f"{where}: {self.log.state} ({value!r}) is not a state the log maps; map it "
                f"with states={{{value!r}: Phase... or HoldReason...}} (known: {known})"
            )
        return found


def from_event_log(
    rows: Iterable[Mapping[str, Any]],
    log: EventLog = SERVICENOW_EVENTS,
    *,
    states: Mapping[str, Meaning] | None = None,
    assume_tz: str | None = None,
    date_format: str | None = None,
    nulls: Collection[str] = _NULLS,
    ambiguous: str = "earlier",
) -> list[Incident]:
    """Incidents rebuilt from a state-change log: rows in, records out, no I/O.

    Per case, its rows in the log's order: reported is the opened column (or the first row's
    time); acknowledged the first move into a working state; each stay in a waiting state a
    hold with its reason (open when the log ends there); resolved the last move into a resolved
    state, and each move from resolved (or closed) back to work or waiting counts a reopening
    (clearing the resolution until the next); closed the move into a closed state. Rows that do
    not change the state are field updates. The other fields come from the case's latest row.

    Args:
        rows: the log's rows as mappings (``csv.DictReader`` rows, ``df.to_dict("records")``).
        log: where the columns are and what the states mean (:data:`SERVICENOW_EVENTS`,
            :data:`JIRA`, or your own).
        states: more or overriding state meanings, e.g. ``{"Awaiting Parts": HoldReason...}``.
        assume_tz: the IANA timezone of timestamps written without an offset; without it they
            are refused.
        date_format: a ``strptime`` format the text timestamps match (``"%d-%m-%Y %H:%M"``);
            without it, ISO-8601.
        nulls: text values that stand for "missing", such as ``"?"``.
        ambiguous: how a wall time the clocks showed twice (when they go back) is read in
            `assume_tz`: ``"earlier"`` (the first time round), ``"later"``, or ``"refuse"``;
            a refusal of a row says how its ambiguous times were read.

    Returns:
        One incident per case, in the order cases first appear.

    Raises:
        RecordError: a row without its case id or time, an unknown state (naming the row and
            the state), a bad timestamp, or a rebuilt timeline the record refuses (naming the
            case).
    """
    meanings = dict(log.states)
    meanings.update(_meanings(states or {}))
    reader = _Reader(
        log,
        meanings,
        WallClock(
            load_zone(assume_tz, field="assume_tz") if assume_tz is not None else None,
            date_format,
            ambiguous,
        ),
        frozenset(token.strip() for token in nulls) | {""},
    )
    cases: dict[str, list[tuple[tuple[object, ...], int, Mapping[str, Any]]]] = {}
    for number, row in enumerate(rows):
        if log.only is not None and row.get(log.only[0]) != log.only[1]:
            continue
        case = row.get(log.case)
        if not isinstance(case, str) or not reader.present(case):
            raise RecordError(f"rows[{number}]: {log.case} ({case!r}) must name the incident")
        where = f"rows[{number}] ({log.case} {case!r})"
        cases.setdefault(case, []).append((reader.key(row, where), number, row))
    return [_rebuild(case, sorted(entries), reader) for case, entries in cases.items()]


class _Walk:
    """A case's timeline, as its moves between states are followed."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.holds: list[Hold] = []
        self.current: Meaning | None = None
        self.since: datetime | None = None
        self.reopened = 0

    def move(self, meaning: Meaning, at: datetime) -> None:
        """Enter the state that means `meaning` at `at` (staying in it changes nothing)."""
        if meaning == self.current:
            return
        self.end_hold(at)
        self.since = at
        if self.current is Phase.CLOSED:  # left closed: no longer closed
            self.values.pop("closed_at", None)
        if meaning is Phase.WORKING:
            self.values.setdefault("acknowledged_at", at)
        if meaning is Phase.RESOLVED:
            self.values["resolved_at"] = at
        elif meaning is Phase.CLOSED:
            self.values["closed_at"] = at
        elif self.current in (Phase.RESOLVED, Phase.CLOSED):  # back to work: reopened
            self.reopened += 1
            self.values.pop("resolved_at", None)
        self.current = meaning

    def end_hold(self, at: datetime | None) -> None:
        """Close the hold the case is in, if any (open when `at` is None)."""
        if isinstance(self.current, HoldReason) and self.since is not None:
            self.holds.append(Hold(self.since, at, self.current))


def _rebuild(
    case: str, entries: list[tuple[tuple[object, ...], int, Mapping[str, Any]]], reader: _Reader
) -> Incident:
    """One case's incident, from its rows in order."""
    log = reader.log
    reported = (
        reader.time(entries[0][2], log.opened, f"{log.case} {case!r}") if log.opened else None
    )
    walk = _Walk()
    for _, number, row in entries:
        where = f"rows[{number}] ({log.case} {case!r})"
        meaning = reader.meaning(row, where)
        at = reader.time(row, log.at, where)
        if at is None:
            raise RecordError(f"{where}: {log.at} is missing; every update needs its time")
        reported = at if reported is None else reported
        walk.move(meaning, at)
    walk.end_hold(None)
    latest = entries[-1][2]
    for field, column in log.fields.items():
        value = latest.get(column)
        if reader.present(value):
            walk.values[field] = value.strip() if isinstance(value, str) else value
    try:
        return Incident(
            case,
            reported_at=reported,
            holds=walk.holds,
            reopen_count=walk.reopened,
            **walk.values,
        )
    except MajorIncidentError as error:
        raise RecordError(f"{log.case} {case!r}: {error}") from None
