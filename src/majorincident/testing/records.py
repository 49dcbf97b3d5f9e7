"""Hypothesis strategies for records, major incidents and event sequences through lifecycles."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from hypothesis import assume
from hypothesis import strategies as st
from statemachine import StateMachine

from majorincident.classification import Channel, Impact, Priority, Urgency
from majorincident.incident import Event, Hold, HoldReason, Incident, IncidentKind, Milestone
from majorincident.lifecycle import GATED_EVENT, MajorIncidentMachine, TransitionTable
from majorincident.process import SEED_PROCESS, Activity, Process
from majorincident.roles import DEFAULT_RACI, RaciMatrix, Role, Roster
from majorincident.testing.strategies import ZONES, aware_datetimes, raci_matrices
from majorincident.workflow import REQUIRED_DETAILS, MajorIncident

__all__ = ["event_sequences", "incidents", "major_incidents", "timelines"]

# Records are drawn between these instants, so that adding their durations stays in range.
_FIRST: Final = datetime(2000, 1, 1)  # noqa: DTZ001 - naive bounds, as Hypothesis takes them
_LAST: Final = datetime(2040, 1, 1)  # noqa: DTZ001
_NAMES: Final = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12
).filter(str.strip)
_INSTANTS: Final = aware_datetimes(min_value=_FIRST, max_value=_LAST)
_GAPS: Final = st.integers(0, 7 * 86_400).map(lambda seconds: timedelta(seconds=seconds))


def _in_a_zone(draw: st.DrawFn, moment: datetime) -> datetime:
    """The same instant, written in one of the zones the strategies use."""
    return moment.astimezone(ZoneInfo(draw(st.sampled_from(ZONES))))


def _maybe(draw: st.DrawFn, strategy: st.SearchStrategy[Any]) -> Any:  # noqa: ANN401
    return draw(st.none() | strategy)


@st.composite
def incidents(
    draw: st.DrawFn,
    *,
    kinds: tuple[IncidentKind, ...] = tuple(IncidentKind),
    resolved: bool | None = None,
) -> Incident:
    """Valid incident records: milestones in a valid order in many zones, open and closed.

    Every order rule of :class:`~majorincident.incident.Incident` holds by construction: each
    milestone is drawn as a non-negative gap after the ones it must follow, then written in one of
    :data:`ZONES`. Holds lie inside [reported, resolved] without overlapping.

    Args:
        draw: supplied by Hypothesis.
        kinds: the kinds to draw from.
        resolved: only resolved records (True), only open ones (False), or both (None).

    Returns:
        A strategy for :class:`~majorincident.incident.Incident`.
    """
    reported = draw(_INSTANTS).astimezone(UTC)
    moments: dict[str, datetime | None] = {"reported_at": reported}
    started = reported - draw(_GAPS) if draw(st.booleans()) else None
    moments["started_at"] = started
    moments["detected_at"] = None if started is None else _maybe(draw, _GAPS.map(started.__add__))
    moments["acknowledged_at"] = _maybe(draw, _GAPS.map(reported.__add__))
    moments["declared_at"] = _maybe(draw, _GAPS.map(reported.__add__))
    moments["contained_at"] = _maybe(draw, _GAPS.map(reported.__add__))
    is_resolved = draw(st.booleans()) if resolved is None else resolved
    latest = max(m for m in (reported, moments["acknowledged_at"], moments["contained_at"]) if m)
    end = latest + draw(_GAPS) if is_resolved else None
    moments["resolved_at"] = end
    moments["closed_at"] = None if end is None else _maybe(draw, _GAPS.map(end.__add__))
    holds = _holds(draw, reported, end)
    return Incident(
        draw(_NAMES),
        title=draw(st.text(max_size=30)),
        service=_maybe(draw, _NAMES),
        affected_services=draw(st.frozensets(_NAMES, max_size=3)),
        channel=_maybe(draw, st.sampled_from(Channel)),
        impact=_maybe(draw, st.sampled_from(Impact)),
        urgency=_maybe(draw, st.sampled_from(Urgency)),
        priority=_maybe(draw, st.sampled_from(Priority)),
        major=draw(st.booleans()),
        kind=draw(st.sampled_from(kinds)),
        holds=holds,
        reopen_count=draw(st.integers(0, 3)),
        parent_id=_maybe(draw, _NAMES),
        child_ids=draw(st.lists(_NAMES, max_size=3, unique=True)),
        problem_id=_maybe(draw, _NAMES),
        change_id=_maybe(draw, _NAMES),
        moments=tuple(
            None if moment is None else _in_a_zone(draw, moment)
            for moment in (moments[milestone.field] for milestone in Milestone)
        ),
    )


def _holds(draw: st.DrawFn, reported: datetime, resolved: datetime | None) -> tuple[Hold, ...]:
    """Ordered, non-overlapping holds inside [reported, resolved]; the last may be open."""
    span = int(((resolved or reported + timedelta(days=7)) - reported).total_seconds())
    cuts = sorted(draw(st.lists(st.integers(0, span), max_size=4, unique=True)))
    holds = []
    for start, stop in zip(cuts[::2], cuts[1::2], strict=False):
        holds.append(
            Hold(
                reported + timedelta(seconds=start),
                reported + timedelta(seconds=stop),
                _maybe(draw, st.sampled_from(HoldReason)),
            )
        )
    if len(cuts) % 2 and resolved is None:
        holds.append(Hold(reported + timedelta(seconds=cuts[-1]), None, None))
    return tuple(holds)


@st.composite
def major_incidents(
    draw: st.DrawFn,
    *,
    process: Process = SEED_PROCESS,
    raci: RaciMatrix | None = None,
    max_steps: int = 30,
) -> MajorIncident:
    """Major incidents driven through a valid sequence of workflow calls.

    A roster gives every role of the RACI matrix to one or two people; each call is one the
    workflow accepts at that point (an authorised person, an activity of the current stage, a
    met gate...), so the timelines are valid: replaying them gives the same object.

    Args:
        draw: supplied by Hypothesis.
        process: the process; the seed's by default.
        raci: the RACI matrix; the seed's for the seed's process, else a random valid one.
        max_steps: the most calls after the proposal.

    Returns:
        A strategy for :class:`~majorincident.workflow.MajorIncident`.
    """
    if raci is None:
        raci = (
            DEFAULT_RACI
            if process is SEED_PROCESS
            else draw(raci_matrices(activities=process.activities))
        )
    moment = draw(_INSTANTS).astimezone(UTC)
    people: dict[str, list[Role]] = {}
    for number, role in enumerate(raci.roles):
        for name in draw(st.lists(st.sampled_from(_PEOPLE), min_size=1, max_size=2, unique=True)):
            people.setdefault(f"{name}{number}", []).append(role)
    roster = Roster.staffed(people, at=moment - timedelta(days=1))
    reported = moment - draw(_GAPS)
    started = reported - draw(_GAPS)
    incident = Incident(
        draw(_NAMES),
        title=draw(st.text(max_size=30)),
        service=_maybe(draw, _NAMES),
        priority=_maybe(draw, st.sampled_from(Priority)),
        started_at=_in_a_zone(draw, started),
        detected_at=_in_a_zone(draw, started + (reported - started) / 2),
        reported_at=_in_a_zone(draw, reported),
    )
    major, _ = MajorIncident.propose(
        incident,
        by=draw(st.sampled_from(sorted(people))),
        at=moment,
        roster=roster,
        raci=raci,
        process=process,
    )
    for _ in range(draw(st.integers(0, max_steps))):
        moment += timedelta(minutes=draw(st.integers(0, 600)))
        # Rejecting, demoting and reopening end or undo the walk: one call in ten may.
        options = _options(major, moment, ending=draw(st.integers(0, 9)) == 0)
        if not options:
            break
        name, people_allowed, arguments = draw(st.sampled_from(options))
        person = draw(st.sampled_from(people_allowed))
        getattr(major, name)(by=person, at=moment, **draw(arguments))
    return major


_PEOPLE: Final = ("ana", "ben", "chen", "dara", "eli")
_REASONS: Final = st.sampled_from(("duplicate", "not major after all", "the fix did not hold"))
_TITLES: Final = ("triage", "customer updates", "roll back", "capacity")
Option = tuple[str, tuple[str, ...], st.SearchStrategy[dict[str, Any]]]


def _options(major: MajorIncident, moment: datetime, *, ending: bool) -> list[Option]:
    """The calls the workflow accepts now, with who may make them and their arguments."""
    roster, raci = major.roster, major.raci

    def holders(roles: frozenset[Role]) -> tuple[str, ...]:
        return tuple(sorted({p for role in roles for p in roster.holders(role, at=moment)}))

    owners = holders(frozenset({major.owner}))
    everyone = holders(frozenset(raci.roles))
    child = st.just({"child_id": f"{major.incident.id}/{len(major.children) + 1}"})
    reason = _REASONS.map(lambda text: {"reason": text})
    state, stage = major.state, major.stage
    if state == "proposed":
        deciders = holders(raci.performers(major.declaration))
        options: list[Option] = [("accept", deciders, st.just({})), ("link", everyone, child)]
        return [*options, ("reject", deciders, reason)] if ending else options
    if state == "closed":
        return [("reopen", owners, reason)] if ending else []
    if stage is None:
        return []
    options = [
        ("perform", holders(raci.performers(activity)), _performing(activity))
        for activity in major.process.activities
        if activity.stage == stage and activity not in major.completed
    ]
    if not major.pending:
        options += [("advance", owners, st.just({}))] * 3
    options += [("link", everyone, child), ("assign_task", owners, _assigning(major, everyone))]
    if ending:
        options.append(("demote", owners, reason))
    options += [
        ("complete_task", tuple(sorted({task.assignee, *owners})), st.just({"task_id": task.id}))
        for task in major.tasks
        if task.is_open
    ]
    return options


def _performing(activity: Activity) -> st.SearchStrategy[dict[str, Any]]:
    needed = REQUIRED_DETAILS.get(activity.key)
    facts = st.fixed_dictionaries({}, optional={"note": st.text(max_size=20)})
    if needed is None:
        return st.fixed_dictionaries({"activity": st.just(activity)}).flatmap(
            lambda head: facts.map(lambda rest: {**head, **rest})
        )
    return facts.map(lambda rest: {"activity": activity, needed: f"{needed.upper()}-1", **rest})


def _assigning(major: MajorIncident, people: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    taken = {task.title for task in major.tasks if task.is_open}
    return st.builds(
        lambda title, to, also: {"title": title, "to": to, "also": also or title in taken},
        st.sampled_from(_TITLES),
        st.sampled_from(people),
        st.booleans(),
    )


def timelines(
    *, process: Process = SEED_PROCESS, raci: RaciMatrix | None = None, max_steps: int = 30
) -> st.SearchStrategy[tuple[Event, ...]]:
    """The timelines of :func:`major_incidents`: valid event sequences through the workflow."""
    return major_incidents(process=process, raci=raci, max_steps=max_steps).map(
        lambda major: major.timeline
    )


Step = str | Activity


@st.composite
def event_sequences(
    draw: st.DrawFn,
    machine_class: type[StateMachine],
    *,
    valid: bool = True,
    max_size: int = 20,
) -> list[Step]:
    """Event sequences through any python-statemachine lifecycle, drawn from its own graph.

    Valid sequences follow the machine's transitions from its initial state (and, for a major
    incident machine, record activities of the current stage and advance only past met gates).
    Invalid ones are a valid prefix followed by one event the state it reaches refuses.

    Args:
        draw: supplied by Hypothesis.
        machine_class: the lifecycle.
        valid: draw sequences the machine accepts (True) or ending in one it refuses (False).
        max_size: the most steps (an invalid sequence may have one more).

    Returns:
        A strategy for lists of event names (and Activities, for major incident machines).
    """
    table = TransitionTable.of(machine_class)
    activities = (
        machine_class.process.activities if issubclass(machine_class, MajorIncidentMachine) else ()
    )
    state: Hashable = table.initial
    done: frozenset[Activity] = frozenset()
    steps: list[Step] = []
    for _ in range(draw(st.integers(0, max_size))):
        moves = _moves(table, activities, state, done)
        if not moves:
            break
        step = draw(st.sampled_from(moves))
        state, done = table.replay_gated(state, [step], completed=done)
        steps.append(step)
    if not valid:
        refused = _refused(table, activities, state, done)
        # A state that refuses nothing (rare: final states refuse everything) is no place to
        # end an invalid sequence; Hypothesis draws another.
        assume(bool(refused))
        steps.append(draw(st.sampled_from(refused)))
    return steps


def _gate_met(table: TransitionTable, state: Hashable, done: frozenset[Activity]) -> bool:
    return table.gates.get(state, frozenset()) <= done


def _moves(
    table: TransitionTable,
    activities: tuple[Activity, ...],
    state: Hashable,
    done: frozenset[Activity],
) -> list[Step]:
    """The steps the graph accepts in `state`: its events (past met gates) and its activities."""
    moves: list[Step] = [
        event
        for event in table.allowed(state)
        if event != GATED_EVENT or _gate_met(table, state, done)
    ]
    moves += [a for a in activities if table.stage_of_activity[a] == state and a not in done]
    return moves


def _refused(
    table: TransitionTable,
    activities: tuple[Activity, ...],
    state: Hashable,
    done: frozenset[Activity],
) -> list[Step]:
    """The steps refused in `state`: other events, a gated advance, other stages' activities."""
    allowed = table.allowed(state)
    refused: list[Step] = [event for event in table.events if event not in allowed]
    if GATED_EVENT in allowed and not _gate_met(table, state, done):
        refused.append(GATED_EVENT)
    refused += [a for a in activities if table.stage_of_activity[a] != state]
    return refused
