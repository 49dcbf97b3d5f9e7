"""Incidents rebuilt from state-change logs: one row per update, the timeline from the moves.

An ITSM audit export has a row for every update of an incident: its state after the update,
when, and the incident's other fields as they were then. :func:`from_event_log` reads the
timeline off the moves between states; an :class:`EventLog` says which columns hold what and
what each state means.

Two rules make a rebuilt record say what the source system reports. A column beats a state: a
milestone the log maps to a column is that column's value on the case's latest row (empty is
missing). One bad fact spoils one measure: a milestone the source puts out of order is left out
of the record, and said (:class:`LeftOut`), where a record built by hand is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime
from typing import Any, cast

import attrs

from majorincident.clock import instant, load_zone
from majorincident.errors import MajorIncidentError, RecordError
from majorincident.incident import Hold, HoldReason, Incident
from majorincident.interop._columns import at_path
from majorincident.interop._log import (
    SERVICENOW_EVENTS,
    EventLog,
    Meaning,
    Phase,
    meanings_of,
    unknown_state,
)
from majorincident.interop._order import LeftOut, Rebuilt, holds_inside, in_order
from majorincident.interop._time import NULLS, WallClock

__all__ = ["LogReader", "Refused", "from_event_log", "log_reader", "rebuild"]


@attrs.frozen
class LogReader:
    """How the values of one log's rows are read."""

    log: EventLog
    meanings: Mapping[str, Meaning]
    clock: WallClock
    nulls: frozenset[str]

    @staticmethod
    def value(row: Mapping[str, Any], column: str) -> Any:  # noqa: ANN401 - any row value
        """The row's value of `column`, None if it has none.

        A key of the row, else a dotted path into its nested objects (``incident.id`` of a
        PagerDuty log entry as the API returns it).
        """
        return row.get(column) if column in row or "." not in column else at_path(row, column)

    @classmethod
    def has(cls, row: Mapping[str, Any], column: str) -> bool:
        """Whether the row has `column`, as a key or a dotted path (its value may be null)."""
        if column in row:
            return True
        head, _, rest = column.partition(".")
        return bool(rest) and isinstance(row.get(head), Mapping) and cls.has(row[head], rest)

    def present(self, value: object) -> bool:
        return value is not None and not (isinstance(value, str) and value.strip() in self.nulls)

    def time(self, row: Mapping[str, Any], column: str, where: str) -> datetime | None:
        value = self.value(row, column)
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
            value = self.value(row, column)
            if isinstance(value, int) and not isinstance(value, bool):
                found.append((0, value))
            elif isinstance(value, str) and value.strip().isdigit():
                found.append((0, int(value)))
            else:
                moment = self.time(row, column, where)
                found.append((1, moment) if moment is not None else (2, 0))
        return tuple(found)

    def meaning(self, row: Mapping[str, Any], where: str) -> Meaning:
        value = self.value(row, self.log.state)
        found = self.meanings.get(value.strip().casefold()) if isinstance(value, str) else None
        if found is None:
            raise unknown_state(where, self.log, value)
        return found


def from_event_log(
    rows: Iterable[Mapping[str, Any]],
    log: EventLog = SERVICENOW_EVENTS,
    *,
    states: Mapping[str, Meaning] | None = None,
    assume_tz: str | None = None,
    date_format: str | None = None,
    nulls: Collection[str] = NULLS,
    ambiguous: str = "earlier",
) -> Rebuilt:
    """Incidents rebuilt from a state-change log: rows in, records out, no I/O.

    Per case, its rows in the log's order: reported is the opened column of its latest row (or
    the first row's time); acknowledged the first move into a working state; each stay in a
    waiting state a hold with its reason (open when the log ends there); resolved the last move
    into a resolved state, and each move from resolved (or closed) back to work or waiting
    counts a reopening (clearing the resolution until the next); closed the move into a closed
    state. Rows that do not change the state are field updates. The other fields come from the
    case's latest row, and so do the milestones ``log.milestones`` maps to columns (a column
    beats a state: ServiceNow's ``resolved_at`` and ``closed_at``).

    A milestone the source puts out of order (an acknowledgement before the opening, a
    resolution before the opening, a closure before the resolution, a hold outside the time
    the incident was open) is left out of its record and listed in ``left_out``; the rest of
    the incident is kept. Of two milestones out of order, the one the states gave is left out
    (the column beats the state), else the later one; the opening is always kept.

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
        One incident per case, in the order cases first appear: a list, whose ``left_out``
        says what was left out (:func:`tally` words it).

    Raises:
        RecordError: a row without its case id or time, an unknown state (naming the row and
            the state), a bad timestamp, or a rebuilt timeline the record refuses (naming the
            case).
    """
    zone = load_zone(assume_tz, field="assume_tz") if assume_tz is not None else None
    clock = WallClock(zone, date_format, ambiguous)
    return rebuild(enumerate(rows), log_reader(log, clock, states=states, nulls=nulls))


def log_reader(
    log: EventLog,
    clock: WallClock,
    *,
    states: Mapping[str, Meaning] | None = None,
    nulls: Collection[str] = NULLS,
) -> LogReader:
    """How the rows of `log` are read: its states (and `states`), `clock` for its times."""
    return LogReader(
        log, meanings_of(log, states), clock, frozenset(token.strip() for token in nulls) | {""}
    )


def _rows_named(number: int) -> str:
    return f"rows[{number}]"


def rebuild(
    numbered: Iterable[tuple[int, Mapping[str, Any]]],
    reader: LogReader,
    *,
    name: Callable[[int], str] = _rows_named,
    refuse: Callable[[int, RecordError], None] | None = None,
) -> Rebuilt:
    """The incidents of a log's rows, each row with its number (what :func:`from_event_log` does).

    Args:
        numbered: (number, row) pairs; `name` says how a number is shown in a message.
        reader: :func:`log_reader`'s.
        name: a row's number as messages show it (``rows[3]``, ``line 4``).
        refuse: called with a row's number and its refusal instead of raising it; the case of
            a refused row is left out whole (no incident is built from part of its rows), and
            a refused case is named by its first row.

    Raises:
        RecordError: as :func:`from_event_log` (without `refuse`).
    """
    cases, refused_cases = _cases(numbered, reader, name, refuse)
    built = Rebuilt()
    notes: list[LeftOut] = []
    for case, entries in cases.items():
        if case in refused_cases:
            continue
        try:
            built.append(_rebuild(case, sorted(entries), reader, name, notes))
        except Refused as refused:
            if refuse is None:
                raise refused.error from None
            refuse(refused.number, refused.error)
    built.left_out = tuple(notes)
    return built


class Refused(Exception):  # noqa: N818 - not an error: a row's refusal on its way out
    """A case's refusal, with the number of the row it is about (the first for the case's)."""

    def __init__(self, number: int, error: RecordError) -> None:
        super().__init__(number, error)
        self.number, self.error = number, error


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


_Entries = list[tuple[tuple[object, ...], int, Mapping[str, Any]]]


def _cases(
    numbered: Iterable[tuple[int, Mapping[str, Any]]],
    reader: LogReader,
    name: Callable[[int], str],
    refuse: Callable[[int, RecordError], None] | None,
) -> tuple[dict[str, _Entries], set[str]]:
    """Each case's rows with their places in it, and the cases with a refused row."""
    log = reader.log
    cases: dict[str, _Entries] = {}
    left_out: set[str] = set()
    for number, row in numbered:
        if log.only is not None:
            kind = reader.value(row, log.only[0])
            if not isinstance(kind, str) or kind not in log.only[1]:
                continue
        case = reader.value(row, log.case)
        try:
            if not isinstance(case, str) or not reader.present(case):
                raise RecordError(  # noqa: TRY301 - refused like the others below
                    f"{name(number)}: {log.case} ({case!r}) must name the incident"
                )
            where = f"{name(number)} ({log.case} {case!r})"
            cases.setdefault(case, []).append((reader.key(row, where), number, row))
        except RecordError as error:
            if refuse is None:
                raise
            refuse(number, error)
            if isinstance(case, str):
                left_out.add(case)
    return cases, left_out


def _rebuild(
    case: str,
    entries: _Entries,
    reader: LogReader,
    name: Callable[[int], str],
    notes: list[LeftOut],
) -> Incident:
    """One case's incident, from its rows in order; what is left out of it goes to `notes`.

    Raises:
        Refused: a row, or the case's timeline, refused.
    """
    log = reader.log
    first, (_, last, latest) = entries[0][1], entries[-1]
    stated: dict[str, datetime | None] = {}
    try:
        where = f"{name(last)} ({log.case} {case!r})"
        reported = reader.time(latest, log.opened, where) if log.opened else None
        for field, column in log.milestones.items():
            if reader.has(latest, column):  # a log without the column: the states say
                stated[field] = reader.time(latest, column, where)
    except RecordError as error:
        raise Refused(last, error) from None
    walk = _Walk()
    for _, number, row in entries:
        where = f"{name(number)} ({log.case} {case!r})"
        try:
            meaning = reader.meaning(row, where)
            at = reader.time(row, log.at, where)
        except RecordError as error:
            raise Refused(number, error) from None
        if at is None:
            missing = RecordError(f"{where}: {log.at} is missing; every update needs its time")
            raise Refused(number, missing)
        reported = at if reported is None else reported
        walk.move(meaning, at)
    walk.end_hold(None)
    for field, column in log.fields.items():
        value = reader.value(latest, column)
        if reader.present(value):
            walk.values[field] = value.strip() if isinstance(value, str) else value
    moments = in_order(case, cast("datetime", reported), walk.values, stated, notes)
    holds = holds_inside(case, cast("datetime", reported), moments, walk.holds, notes)
    try:
        return Incident(
            case,
            reported_at=reported,
            holds=holds,
            reopen_count=walk.reopened,
            **{**walk.values, **moments},
        )
    except MajorIncidentError as error:
        raise Refused(first, RecordError(f"{log.case} {case!r}: {error}")) from None
