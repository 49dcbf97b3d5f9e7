"""Tests for majorincident.testing: the public strategies and the Hypothesis entry point."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statemachine import State, StateMachine

from majorincident.classification import PriorityMatrix
from majorincident.clock import Calendar, instant
from majorincident.errors import GateError, TransitionError
from majorincident.incident import Incident, IncidentKind
from majorincident.lifecycle import (
    ChangeLifecycle,
    IncidentLifecycle,
    MajorIncidentLifecycle,
    ProblemLifecycle,
    TransitionTable,
)
from majorincident.process import Activity, Process, Stage
from majorincident.roles import DEFAULT_RACI, SEED_ROLES, RaciMatrix, Role, Roster
from majorincident.testing import (
    activities,
    aware_datetimes,
    calendars,
    event_sequences,
    incidents,
    major_incidents,
    priority_matrices,
    processes,
    raci_matrices,
    roles,
    rosters,
    stages,
    timelines,
)
from majorincident.workflow import MajorIncident

MACHINES = [IncidentLifecycle, ProblemLifecycle, ChangeLifecycle, MajorIncidentLifecycle]

#: The issue's bar: a thousand examples per strategy, every health check on.
THOUSAND = settings(max_examples=1_000, deadline=None, suppress_health_check=())


def rebuilt(value: Any) -> Any:
    """The same value built again through its class's validation."""
    return attrs.evolve(value)


STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "aware_datetimes": aware_datetimes().map(instant),
    "calendars": calendars().map(rebuilt),
    "stages": stages(),
    "activities": stages().flatmap(lambda s: activities(stages=s)),
    "processes": processes().map(rebuilt),
    "roles": roles(),
    "raci_matrices": raci_matrices().map(lambda m: RaciMatrix(m.roles, m.activities, m.cells)),
    "rosters": rosters(roles=SEED_ROLES),
    "priority_matrices": priority_matrices().map(rebuilt),
    "incidents": incidents().map(rebuilt),
}

#: What each strategy draws (or, for those drawing tuples, each item of the tuple).
KINDS: dict[str, type | tuple[type, ...]] = {
    "aware_datetimes": pendulum.DateTime,
    "calendars": Calendar,
    "stages": Stage,
    "activities": Activity,
    "processes": Process,
    "roles": Role,
    "raci_matrices": RaciMatrix,
    "rosters": Roster,
    "priority_matrices": PriorityMatrix,
    "incidents": Incident,
}


@pytest.mark.thousand
@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_a_thousand_valid_values(name: str) -> None:
    """Each strategy gives a thousand values that pass their validators again."""

    @THOUSAND
    @given(STRATEGIES[name])
    def check(value: object) -> None:
        for item in value if isinstance(value, tuple) else (value,):
            assert isinstance(item, KINDS[name])
            if attrs.has(type(item)):
                assert item == rebuilt(item)  # accepted again, and unchanged by it

    check()


@pytest.mark.thousand
@THOUSAND
@given(major_incidents())
def test_a_thousand_major_incidents_replay(major: MajorIncident) -> None:
    """Each drawn major incident's timeline replays to the same object (it is valid)."""
    replayed = MajorIncident.replay(
        major.timeline, incident=major.proposed, roster=major.roster, raci=major.raci
    )
    assert replayed == major


@pytest.mark.thousand
@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.__name__)
def test_a_thousand_event_sequences(machine: type) -> None:
    """Valid sequences are accepted by real instances; invalid ones are refused at their end."""

    @THOUSAND
    @given(event_sequences(machine, valid=True), event_sequences(machine, valid=False))
    def check(good: list[str | Activity], bad: list[str | Activity]) -> None:
        play(machine(), good)
        instance = machine()
        play(instance, bad[:-1])
        before = instance.current_state_value
        with pytest.raises((TransitionError, GateError)):
            play(instance, bad[-1:])
        assert instance.current_state_value == before

    check()


#: The arguments events need when sent (the sequences are names only).
ARGUMENTS: dict[str, dict[str, object]] = {"hold": {"reason": "awaiting_vendor"}}


def play(machine: Any, steps: list[str | Activity]) -> None:
    """Send each step to a machine: record activities, send events with their arguments."""
    for step in steps:
        if isinstance(step, Activity):
            machine.record(step)
        else:
            machine.send(step, **ARGUMENTS.get(step, {}))


class TestIncidents:
    @settings(max_examples=200)
    @given(incidents(resolved=True))
    def test_resolved_only(self, incident: Incident) -> None:
        """resolved=True draws resolved records only."""
        assert not incident.is_open

    @settings(max_examples=200)
    @given(incidents(resolved=False))
    def test_open_only(self, incident: Incident) -> None:
        """resolved=False draws open records only."""
        assert incident.is_open

    @settings(max_examples=200)
    @given(incidents(kinds=(IncidentKind.DRILL,)))
    def test_kinds(self, incident: Incident) -> None:
        """Kinds limits the kinds drawn."""
        assert incident.kind is IncidentKind.DRILL

    def test_every_shape_is_drawn(self) -> None:
        """Open and resolved, holds, every kind (a fixed draw, so never flaky)."""
        seen: set[str] = set()

        @settings(max_examples=300, database=None, derandomize=True)
        @given(incidents())
        def collect(incident: Incident) -> None:
            seen.add("open" if incident.is_open else "resolved")
            seen.add(incident.kind.value)
            seen.update("hold" if h.end else "open hold" for h in incident.holds)

        collect()
        assert {"open", "resolved", "normal", "test", "drill", "backfilled", "hold"} <= seen


class TestMajorIncidents:
    def test_walks_reach_the_end_and_the_side_exits(self) -> None:
        """Walks end closed, rejected, canceled, or midway (a fixed draw, so never flaky)."""
        states: set[str] = set()

        @settings(max_examples=300, database=None, derandomize=True)
        @given(major_incidents())
        def collect(major: MajorIncident) -> None:
            states.add(major.state)

        collect()
        assert {"proposed", "closed", "rejected", "canceled", "resolution"} <= states

    @settings(max_examples=10, deadline=None)
    @given(st.data())
    def test_custom_processes(self, data: st.DataObject) -> None:
        """Custom processes and their random RACI matrices drive valid walks too."""
        # Each process compiles its own lifecycle class, which takes a while: ten are plenty.
        process = data.draw(processes().filter(lambda p: bool(p.activities)))
        major = data.draw(major_incidents(process=process))
        assert major.process is process
        replayed = MajorIncident.replay(
            major.timeline,
            incident=major.proposed,
            roster=major.roster,
            raci=major.raci,
            process=process,
        )
        assert replayed == major

    @settings(max_examples=50, deadline=None)
    @given(timelines(max_steps=5, raci=DEFAULT_RACI))
    def test_timelines(self, events: tuple[Any, ...]) -> None:
        """Timelines are numbered in order and bounded by max_steps."""
        assert [event.sequence for event in events] == list(range(len(events)))
        assert len(events) <= 6  # a proposal and up to five calls


class Loop(StateMachine):
    """A machine with a state that accepts every event: no invalid walk may end there."""

    start = State(initial=True)
    busy = State()
    done = State(final=True)
    go = start.to(busy) | busy.to(start)
    stay = start.to.itself() | busy.to.itself()
    end = busy.to(done)


class TestEventSequences:
    @settings(max_examples=200)
    @given(event_sequences(Loop, valid=False))
    def test_invalid_walks_never_end_where_everything_is_allowed(
        self, steps: list[str | Activity]
    ) -> None:
        """The last step of an invalid walk is refused where it is sent."""
        table = TransitionTable.of(Loop)
        state = table.replay(table.initial, steps[:-1])  # type: ignore[arg-type]
        assert steps[-1] not in table.allowed(state)

    @settings(max_examples=100)
    @given(
        event_sequences(MajorIncidentLifecycle, max_size=30),
        event_sequences(MajorIncidentLifecycle, valid=False),
    )
    def test_through_gates(self, good: list[str | Activity], bad: list[str | Activity]) -> None:
        """Valid walks through the major incident machine pass its gates; invalid ones do not."""
        table = TransitionTable.of(MajorIncidentLifecycle)
        table.replay_gated(table.initial, good)
        with pytest.raises((TransitionError, GateError)):
            table.replay_gated(table.initial, bad)

    @settings(max_examples=100)
    @given(event_sequences(Loop, max_size=5))
    def test_valid_walks_are_bounded(self, steps: list[str | Activity]) -> None:
        """Walks stay within max_size and a real instance accepts them."""
        assert len(steps) <= 5
        play(Loop(), steps)


def test_from_type_in_a_fresh_interpreter() -> None:
    """The ``hypothesis`` entry point registers the record types: st.from_type just works."""
    script = textwrap.dedent(
        """
        import pendulum
        from hypothesis import given, settings, strategies as st
        from majorincident.classification import PriorityMatrix
        from majorincident.clock import Calendar
        from majorincident.incident import Event, Incident
        from majorincident.process import Process
        from majorincident.roles import RaciMatrix, Roster
        from majorincident.workflow import MajorIncident

        TYPES = [pendulum.DateTime, Incident, Event, MajorIncident, Calendar, Process,
                 RaciMatrix, Roster, PriorityMatrix]

        @settings(max_examples=20, deadline=None)
        @given(st.tuples(*(st.from_type(kind) for kind in TYPES)))
        def check(values):
            for kind, value in zip(TYPES, values):
                assert isinstance(value, kind), (kind, value)
            assert values[0].utcoffset().total_seconds() == 0

        check()
        print("registered")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "registered"


def test_values_are_the_types_they_say() -> None:
    """Calendars and rosters are what they say."""

    @settings(max_examples=20)
    @given(calendars(), rosters(roles=SEED_ROLES))
    def check(calendar: Calendar, roster: Roster) -> None:
        assert isinstance(calendar, Calendar)
        assert isinstance(roster, Roster)

    check()
