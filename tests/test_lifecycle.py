"""Tests for majorincident.lifecycle: strict machines, restore, tables, gates and diagrams."""

from __future__ import annotations

import itertools
import unittest
from collections.abc import Hashable, Iterator
from typing import Any

import attrs
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from statemachine import State, StateChart, StateMachine

from majorincident.errors import ConfigurationError, GateError, TransitionError
from majorincident.lifecycle import (
    ChangeLifecycle,
    HoldReason,
    IncidentLifecycle,
    Lifecycle,
    MajorIncidentLifecycle,
    MajorIncidentMachine,
    ProblemLifecycle,
    TransitionTable,
    allowed_events,
    event_names,
    major_incident_lifecycle,
    restore,
    state_values,
    to_dot,
    to_mermaid,
)
from majorincident.process import SEED_PROCESS, Activity, Process, Stage
from majorincident.testing import lifecycle_test, processes

TRIAGE, FIX, LEARN = Stage("triage", "Triage"), Stage("fix", "Fix"), Stage("learn", "Learn")
PAGE = Activity("page", "Paging the on-call engineer", TRIAGE)
PATCH = Activity("patch", "Deploying the patch", FIX)
RETRO = Activity("retro", "Holding a retrospective", LEARN)
THREE_STAGES = Process([TRIAGE, FIX, LEARN], [PAGE, PATCH, RETRO], exits={"fix": "resolved"})
CustomLifecycle = major_incident_lifecycle(THREE_STAGES, name="ThreeStageLifecycle")

MACHINES = [
    IncidentLifecycle,
    ProblemLifecycle,
    ChangeLifecycle,
    MajorIncidentLifecycle,
    CustomLifecycle,
]
ARGUMENTS = {"hold": {"reason": HoldReason.AWAITING_VENDOR}}


def restored(machine_class: type[StateMachine], state: Hashable, *, gates_met: bool) -> Any:
    """A machine at `state`, with its stage's required activities done when `gates_met`."""
    if issubclass(machine_class, MajorIncidentMachine):
        done = machine_class.process.activities if gates_met else ()
        return machine_class.restore(state, completed=done)  # type: ignore[arg-type]
    return restore(machine_class, state)


class TestMachineAgainstTable:
    @pytest.mark.parametrize("machine_class", MACHINES, ids=lambda m: m.__name__)
    def test_every_state_and_event(self, machine_class: type[StateMachine]) -> None:
        """For every (state, event) and an unknown event, the machine does what its table says."""
        table = TransitionTable.of(machine_class)
        for state, event in itertools.product(table.states, [*table.events, "bogus"]):
            machine = restored(machine_class, state, gates_met=True)
            expected = table.transitions.get((state, event))
            if expected is None:
                with pytest.raises(TransitionError, match=rf"^event '{event}' is not allowed"):
                    machine.send(event, **ARGUMENTS.get(event, {}))
                assert state == machine.current_state_value
                with pytest.raises(TransitionError):
                    table.next(state, event)
            else:
                machine.send(event, **ARGUMENTS.get(event, {}))
                assert expected == machine.current_state_value
                assert expected == table.next(state, event)

    @pytest.mark.parametrize("machine_class", MACHINES, ids=lambda m: m.__name__)
    def test_allowed_events_agree(self, machine_class: type[StateMachine]) -> None:
        """The table's allowed events are the machine's, state by state."""
        table = TransitionTable.of(machine_class)
        for state in table.states:
            machine = restored(machine_class, state, gates_met=True)
            assert table.allowed(state) == allowed_events(machine)

    @pytest.mark.parametrize(
        "machine_class", [MajorIncidentLifecycle, CustomLifecycle], ids=lambda m: m.__name__
    )
    def test_gates_agree(self, machine_class: type[MajorIncidentMachine]) -> None:
        """Advance is refused with GateError in exactly the stages whose gates are unmet."""
        table = TransitionTable.of(machine_class)
        for stage in machine_class.process.stages:
            machine = restored(machine_class, stage.key, gates_met=False)
            if table.gates[stage.key]:
                with pytest.raises(GateError, match=rf"^cannot leave stage '{stage.title}'"):
                    machine.advance()
                assert stage.key == machine.current_state_value
                with pytest.raises(GateError):
                    table.replay_gated(stage.key, ["advance"])
            else:  # pragma: no cover - every stage of these processes has a gate
                machine.advance()

    def test_final_states_accept_nothing(self) -> None:
        """Rejected, canceled and closed-for-good states allow no event."""
        for machine_class in MACHINES:
            table = TransitionTable.of(machine_class)
            for state in table.finals:
                assert () == table.allowed(state)

    def test_closed_major_incident_only_reopens(self) -> None:
        """A closed major incident accepts only reopen, for a fix that did not hold."""
        assert ("reopen",) == TransitionTable.of(MajorIncidentLifecycle).allowed("closed")


class TestStateful:
    """Hypothesis drives three machines of each lifecycle side by side."""

    TestIncident = lifecycle_test(
        IncidentLifecycle,
        arguments={"hold": st.fixed_dictionaries({"reason": st.sampled_from(HoldReason)})},
        invariants=[lambda m: (m.hold_reason is not None) == (m.current_state_value == "on_hold")],
    ).TestCase
    TestProblem = lifecycle_test(ProblemLifecycle).TestCase
    TestChange = lifecycle_test(ChangeLifecycle).TestCase
    TestMajorIncident = lifecycle_test(
        MajorIncidentLifecycle,
        invariants=[lambda m: set(m.pending) <= set(m.process.required)],
    ).TestCase
    TestThreeStages = lifecycle_test(CustomLifecycle).TestCase


def run_case(case: type[unittest.TestCase]) -> unittest.TestResult:
    """Run a unittest case quietly and return its result."""
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(case).run(result)
    return result


class TestLifecycleTestCatchesBrokenMachines:
    def test_non_strict_statechart(self) -> None:
        """A StateChart that ignores disallowed events fails the stateful test."""

        class Loose(StateChart):
            new = State(initial=True)
            done = State(final=True)
            finish = new.to(done)
            wait = done.from_(new)

        case = lifecycle_test(Loose).TestCase
        case.settings = settings(case.settings, phases=[Phase.generate])

        result = run_case(case)

        failures = result.failures + result.errors
        assert failures
        assert "which its graph refuses" in failures[0][1]

    def test_action_that_raises_after_moving(self) -> None:
        """A machine whose action raises after the state moved fails the stateful test."""

        class Leaky(StateMachine):
            new = State(initial=True)
            busy = State()
            done = State(final=True)
            start = new.to(busy)
            finish = busy.to(done)

            def after_start(self) -> None:
                raise RuntimeError

        case = lifecycle_test(Leaky).TestCase
        case.settings = settings(case.settings, phases=[Phase.generate])

        result = run_case(case)

        failures = result.failures + result.errors
        assert failures
        assert "is in 'busy'; its graph says 'new'" in failures[0][1]

    def test_driver_checks_steps_directly(self) -> None:
        """The driver's step check and invariant check fail as they should, run by hand."""

        class Leaky(StateMachine):
            new = State(initial=True)
            done = State(final=True)
            finish = new.to(done)

            def after_finish(self) -> None:
                raise RuntimeError

        driver = lifecycle_test(Leaky, instances=1)()
        with pytest.raises(AssertionError, match="is in 'done'; its graph says 'new'"):
            driver._step(0, "finish", lambda machine: machine.send("finish"))

        strict = lifecycle_test(ProblemLifecycle, invariants=[lambda _: False], instances=1)()
        with pytest.raises(AssertionError, match=r"^invariant .* failed in state 'logged'"):
            strict.states_match_the_graph()

        careful = lifecycle_test(Fragile, instances=1)()
        with pytest.raises(RuntimeError, match="enter"):
            careful._step(0, "start", lambda machine: machine.send("start", fail="enter"))
        careful.states_match_the_graph()

        major = lifecycle_test(MajorIncidentLifecycle, instances=1)()
        major.machines[0].model.completed = frozenset({Activity.DECLARE})
        with pytest.raises(AssertionError, match=r"^completed .* != expected set\(\)"):
            major.states_match_the_graph()

    def test_failing_invariant(self) -> None:
        """A user invariant that does not hold fails the stateful test."""
        case = lifecycle_test(
            ProblemLifecycle, invariants=[lambda m: m.current_state_value != "known_error"]
        ).TestCase
        case.settings = settings(case.settings, phases=[Phase.generate])

        result = run_case(case)

        assert result.failures + result.errors


class Fragile(Lifecycle):
    """A lifecycle whose actions fail on request."""

    new = State("New", initial=True)
    busy = State("Busy")
    done = State("Done", final=True)
    start = new.to(busy)
    finish = busy.to(done)
    back = busy.to(new)

    def on_enter_busy(self, fail: str = "") -> None:
        """Fail on entering busy when asked."""
        if fail == "enter":
            raise RuntimeError(fail)

    def after_finish(self, fail: str = "") -> None:
        """Fail after finishing when asked."""
        if fail == "after":
            raise RuntimeError(fail)

    def after_back(self, fail: str = "") -> None:
        """Fail after going back when asked."""
        if fail == "after":
            raise RuntimeError(fail)


class TestStrictness:
    def test_disallowed_event_names_event_state_and_allowed(self) -> None:
        """A disallowed event raises TransitionError naming the event, the state and the allowed."""
        incident = IncidentLifecycle()

        with pytest.raises(
            TransitionError,
            match=r"^event 'resolve' is not allowed in state 'new' of IncidentLifecycle; "
            r"allowed: start, cancel$",
        ):
            incident.resolve()
        assert "new" == incident.current_state_value

    def test_after_a_final_state(self) -> None:
        """Events sent to a machine in a final state raise TransitionError, not the raw error."""
        incident = restore(IncidentLifecycle, "canceled")

        with pytest.raises(TransitionError, match=r"allowed: none$"):
            incident.send("start")

    @pytest.mark.parametrize("event", ["start", "finish", "back"])
    def test_failed_actions_do_not_move(self, event: str) -> None:
        """An exception in an entry or after action propagates and the state stays."""
        machine = Fragile() if event == "start" else restore(Fragile, "busy")
        before = machine.current_state_value

        with pytest.raises(RuntimeError):
            machine.send(event, fail="enter" if event == "start" else "after")

        assert before == machine.current_state_value

    def test_usable_after_a_failed_move_to_a_final_state(self) -> None:
        """After an action failed on the way to a final state, the machine still works."""
        machine = restore(Fragile, "busy")
        with pytest.raises(RuntimeError):
            machine.finish(fail="after")

        machine.finish()

        assert "done" == machine.current_state_value

    def test_errors_are_value_errors(self) -> None:
        """TransitionError is also a ValueError."""
        with pytest.raises(ValueError, match="not allowed"):
            ChangeLifecycle().close()


class TestRestore:
    @pytest.mark.parametrize(
        ("machine_class", "state"),
        [(m, s) for m in MACHINES for s in state_values(m)],
        ids=str,
    )
    def test_every_valid_state(self, machine_class: type[StateMachine], state: str) -> None:
        """A machine restores at each of its states, without running entry actions."""
        machine = restore(machine_class, state)

        assert state == machine.current_state_value

    def test_no_entry_actions(self) -> None:
        """Restoring does not run the stored state's entry action."""
        machine = restore(Fragile, "busy", model=None)

        assert "busy" == machine.current_state_value

    def test_model_keeps_the_state(self) -> None:
        """A given model object receives the state and keeps it as the machine moves."""

        class Ticket:
            state = None

        ticket = Ticket()
        machine = restore(IncidentLifecycle, "in_progress", model=ticket)
        machine.resolve()

        assert "resolved" == ticket.state

    @pytest.mark.parametrize("machine_class", MACHINES, ids=lambda m: m.__name__)
    def test_bogus_state(self, machine_class: type[StateMachine]) -> None:
        """An unknown stored state raises TransitionError naming it and the valid ones."""
        with pytest.raises(TransitionError, match=r"^stored state 'bogus' is not a state of \w+"):
            restore(machine_class, "bogus")
        with pytest.raises(TransitionError, match=r"expected one of '"):
            TransitionTable.of(machine_class).allowed("bogus")


class TestIncidentLifecycle:
    def test_hold_needs_a_reason(self) -> None:
        """Putting an incident on hold needs one of the four reasons, kept while on hold."""
        incident = restore(IncidentLifecycle, "in_progress")

        with pytest.raises(
            TransitionError, match=r"^reason \('lunch'\) is not a HoldReason; expected"
        ):
            incident.hold(reason="lunch")
        assert "in_progress" == incident.current_state_value
        assert incident.hold_reason is None

        incident.hold(reason="awaiting_change")
        assert HoldReason.AWAITING_CHANGE is incident.hold_reason
        incident.resume()
        assert incident.hold_reason is None

    def test_reopen(self) -> None:
        """A resolved incident can be reopened into progress."""
        incident = restore(IncidentLifecycle, "resolved")

        incident.reopen()

        assert "in_progress" == incident.current_state_value


def walk(machine: MajorIncidentMachine, activities: list[Activity]) -> None:
    """Record activities, advancing whenever the next one belongs to a later stage."""
    for activity in activities:
        while machine.stage is not None and machine.stage.key != activity.stage.key:
            machine.advance()
        machine.record(activity)


class TestMajorIncidentLifecycle:
    def test_through_the_four_stages(self) -> None:
        """A major incident goes through the seed's four stages, gate by gate, and closes."""
        machine = MajorIncidentLifecycle()
        machine.accept()
        visited = [machine.current_state_value]

        for stage in SEED_PROCESS.stages:
            for activity in SEED_PROCESS.activities_of(stage):
                machine.record(activity)
            assert () == machine.pending
            machine.advance()
            visited.append(machine.current_state_value)

        assert [
            "identification",
            "containment",
            "resolution",
            "maintenance",
            "closed",
        ] == visited
        assert frozenset(SEED_PROCESS.activities) == machine.completed
        assert machine.stage is None

    def test_war_room_gate(self) -> None:
        """Leaving containment without a war room names "Preparing a designated war room"."""
        machine = MajorIncidentMachine.restore.__func__(  # type: ignore[attr-defined]
            MajorIncidentLifecycle, "containment"
        )
        for activity in (Activity.ASSEMBLE_TEAM, Activity.SET_UP_BRIDGE, Activity.CREATE_PROBLEM):
            machine.record(activity)

        with pytest.raises(
            GateError,
            match=r"^cannot leave stage 'Containment': missing Preparing a designated war room$",
        ):
            machine.advance()
        assert "containment" == machine.current_state_value
        assert (Activity.PREPARE_WAR_ROOM,) == machine.pending

    def test_activity_of_another_stage(self) -> None:
        """Recording an activity of another stage raises GateError naming its stage."""
        machine = MajorIncidentLifecycle()

        with pytest.raises(
            GateError,
            match=r"^activity 'Declaring the major incident' belongs to stage 'Identification'; "
            r"the major incident is in state 'proposed'",
        ):
            machine.record(Activity.DECLARE)
        machine.accept()
        with pytest.raises(GateError, match=r"the major incident is in stage 'Identification'"):
            machine.record(Activity.MEASURE)
        with pytest.raises(GateError, match=r"^activity 'page' is not an activity of this"):
            machine.record(PAGE)

    def test_reopen_goes_back_to_resolution(self) -> None:
        """Reopening from closed returns to resolution and forgets the later stages' work."""
        machine = MajorIncidentLifecycle()
        machine.accept()
        walk(machine, list(SEED_PROCESS.activities))
        machine.advance()
        assert "closed" == machine.current_state_value

        machine.reopen()

        assert "resolution" == machine.current_state_value
        assert (Activity.IMPLEMENT_CHANGE,) == machine.pending
        assert Activity.CREATE_PROBLEM in machine.completed

    def test_demote_and_reject(self) -> None:
        """Demoting cancels from any stage; a candidate may be rejected."""
        machine = restore(MajorIncidentLifecycle, "resolution")
        machine.demote()
        assert "canceled" == machine.current_state_value

        candidate = MajorIncidentLifecycle()
        candidate.reject()
        assert "rejected" == candidate.current_state_value

    def test_custom_three_stage_process(self) -> None:
        """The same lifecycle works over a custom three-stage process."""
        machine = CustomLifecycle()
        machine.accept()
        with pytest.raises(GateError, match="missing Paging the on-call engineer"):
            machine.advance()
        walk(machine, [PAGE, PATCH, RETRO])
        machine.advance()

        assert "closed" == machine.current_state_value
        machine.reopen()
        assert "fix" == machine.current_state_value
        assert frozenset({PAGE}) == machine.completed

    def test_built_once_per_process(self) -> None:
        """The same process gives the same class."""
        assert major_incident_lifecycle(SEED_PROCESS) is MajorIncidentLifecycle
        assert "ThreeStageLifecycle" == CustomLifecycle.__name__

    @pytest.mark.parametrize("key", ["closed", "advance", "two words", "_private"])
    def test_unusable_stage_keys(self, key: str) -> None:
        """Stage keys must be identifiers that do not clash with the lifecycle's own names."""
        process = Process([Stage(key, "Stage")], [])

        with pytest.raises(
            ConfigurationError, match=rf"^stage key '{key}' cannot name a lifecycle state"
        ):
            major_incident_lifecycle(process)

    def test_restore_with_completed_activities(self) -> None:
        """restore() keeps the activities done, and refuses ones from another process."""
        machine = MajorIncidentLifecycle.restore(
            "containment",
            completed=[
                Activity.ASSEMBLE_TEAM,
                Activity.SET_UP_BRIDGE,
                Activity.PREPARE_WAR_ROOM,
                Activity.CREATE_PROBLEM,
            ],
        )
        machine.advance()
        assert "resolution" == machine.current_state_value

        with pytest.raises(GateError, match=r"^activity 'patch' is not an activity"):
            MajorIncidentLifecycle.restore("containment", completed=[PATCH])

    @given(processes(max_stages=4, max_activities=6))
    def test_any_valid_process(self, process: Process) -> None:
        """Every valid process whose keys are identifiers yields a working lifecycle."""
        if any(not s.key.isidentifier() or s.key in RESERVED_NAMES for s in process.stages):
            return
        machine_class = major_incident_lifecycle(process)
        machine = machine_class()
        machine.accept()
        order = [stage.key for stage in process.stages]
        walk(machine, sorted(process.activities, key=lambda a: order.index(a.stage.key)))
        while machine.stage is not None:
            machine.advance()

        assert "closed" == machine.current_state_value


RESERVED_NAMES = {"proposed", "rejected", "closed", "canceled", "accept", "reject", "advance"} | {
    "demote",
    "reopen",
    "record",
    "model",
    "state",
    "process",
    "completed",
    "pending",
    "stage",
}


class TestTransitionTable:
    def test_replay(self) -> None:
        """replay() follows events and returns the final state."""
        table = TransitionTable.of(IncidentLifecycle)

        assert "closed" == table.replay("new", ["start", "hold", "resume", "resolve", "close"])
        assert "new" == table.replay("new", [])

    def test_replay_names_the_bad_event(self) -> None:
        """The first disallowed event is reported with its index."""
        table = TransitionTable.of(IncidentLifecycle)

        with pytest.raises(
            TransitionError, match=r"^event 2: event 'close' is not allowed in state 'on_hold'"
        ):
            table.replay("new", ["start", "hold", "close", "resume"])
        with pytest.raises(TransitionError, match=r"^event 0: stored state 'x' is not a state"):
            table.replay("x", ["start"])

    def test_replay_gated(self) -> None:
        """replay_gated() follows activities and gates as the machine does."""
        table = TransitionTable.of(MajorIncidentLifecycle)
        steps: list[str | Activity] = ["accept", Activity.DECLARE, Activity.INFORM_STAKEHOLDERS]

        state, done = table.replay_gated("proposed", [*steps, "advance"])

        assert "containment" == state
        assert frozenset({Activity.DECLARE, Activity.INFORM_STAKEHOLDERS}) == done
        with pytest.raises(GateError, match=r"^step 2: cannot leave stage 'identification': "):
            table.replay_gated("proposed", ["accept", Activity.DECLARE, "advance"])
        with pytest.raises(GateError, match=r"^step 0: activity 'Measuring metrics' does not"):
            table.replay_gated("identification", [Activity.MEASURE])
        with pytest.raises(TransitionError, match=r"^event 1: event 'advance' is not allowed"):
            table.replay_gated("proposed", ["reject", "advance"])

    def test_replay_gated_reopen(self) -> None:
        """A reopen forgets the work of the stages it goes back over."""
        table = TransitionTable.of(MajorIncidentLifecycle)

        state, done = table.replay_gated(
            "maintenance", ["reopen"], completed=[Activity.IMPLEMENT_CHANGE, Activity.DECLARE]
        )

        assert ("resolution", frozenset({Activity.DECLARE})) == (state, done)

    def test_reopen_without_gates(self) -> None:
        """Reopening an ordinary incident in replay_gated keeps nothing special."""
        state, done = TransitionTable.of(IncidentLifecycle).replay_gated("resolved", ["reopen"])

        assert ("in_progress", frozenset()) == (state, done)

    def test_guarded_machines_cannot_be_compiled(self) -> None:
        """A machine with cond guards depends on run-time values: a ConfigurationError."""

        class Guarded(StateMachine):
            new = State(initial=True)
            done = State(final=True)
            finish = new.to(done, cond="ready")

            def ready(self) -> bool:
                return True

        with pytest.raises(ConfigurationError, match=r"^Guarded: the transition 'new' -> 'done'"):
            TransitionTable.of(Guarded)

    def test_repr_and_event_names(self) -> None:
        """The table summarises itself; events are listed in declaration order."""
        table = TransitionTable.of(IncidentLifecycle)

        assert "<TransitionTable IncidentLifecycle: 6 states, 7 events, 10 transitions>" == repr(
            table
        )
        assert ("start", "hold", "resume", "resolve", "close", "cancel", "reopen") == event_names(
            IncidentLifecycle()
        )
        assert "new" == table.initial
        assert frozenset({"closed", "canceled"}) == table.finals

    @given(st.lists(st.sampled_from(event_names(ChangeLifecycle)), max_size=12))
    def test_replay_equals_firing(self, events: list[str]) -> None:
        """Replaying any event list agrees with firing it on a machine, refusal for refusal."""
        table = TransitionTable.of(ChangeLifecycle)
        machine = ChangeLifecycle()
        try:
            expected = table.replay("requested", events)
        except TransitionError as error:
            index = int(str(error).split(":")[0].removeprefix("event "))
            for event in events[:index]:
                machine.send(event)
            with pytest.raises(TransitionError):
                machine.send(events[index])
            return
        for event in events:
            machine.send(event)
        assert expected == machine.current_state_value


class TestDiagrams:
    @pytest.mark.parametrize("machine_class", MACHINES, ids=lambda m: m.__name__)
    def test_mermaid(self, machine_class: type[StateMachine]) -> None:
        """Mermaid diagrams come from python-statemachine and list every transition."""
        diagram = to_mermaid(machine_class)
        table = TransitionTable.of(machine_class)

        assert diagram.startswith("stateDiagram-v2")
        assert len(table.transitions) == diagram.count(" : ")

    def test_dot(self) -> None:
        """DOT diagrams come from python-statemachine too."""
        assert to_dot(IncidentLifecycle).startswith("digraph IncidentLifecycle {")

    def test_dot_without_pydot(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without pydot, to_dot says which package to install."""
        import sys  # noqa: PLC0415

        monkeypatch.setitem(sys.modules, "pydot", None)
        monkeypatch.delitem(
            sys.modules, "statemachine.contrib.diagram.renderers.dot", raising=False
        )

        with pytest.raises(ImportError, match=r"python-statemachine\[diagrams\]"):
            to_dot(IncidentLifecycle)


class TestHostileArguments:
    @pytest.mark.parametrize("state", [["new"], {"new": 1}, {"new"}])
    def test_unhashable_stored_states(self, state: object) -> None:
        """A stored state that cannot be one (a list, a dict) raises TransitionError."""
        with pytest.raises(TransitionError, match=r"^stored state .* is not a state"):
            restore(IncidentLifecycle, state)
        table = TransitionTable.of(IncidentLifecycle)
        with pytest.raises(TransitionError, match=r"is not a state"):
            table.next(state, "start")  # type: ignore[arg-type]
        with pytest.raises(TransitionError, match=r"^event 0: "):
            table.replay(state, ["start"])  # type: ignore[arg-type]

    def test_events_that_are_no_iterable(self) -> None:
        """Replaying something that is not a sequence of events is refused by name."""
        table = TransitionTable.of(IncidentLifecycle)
        with pytest.raises(TransitionError, match=r"^events \(5\) must be an iterable"):
            table.replay("new", 5)  # type: ignore[arg-type]

    @pytest.mark.parametrize("before", [0, 2])
    @pytest.mark.parametrize("raised", [KeyError, TypeError])
    def test_events_whose_iterator_fails(self, before: int, raised: type[Exception]) -> None:
        """The caller's own error from its iterator reaches it, neither hidden nor renamed."""
        table = TransitionTable.of(IncidentLifecycle)

        def events() -> Iterator[str]:
            yield from ["start", "hold"][:before]
            raise raised("the export broke")

        with pytest.raises(raised, match="the export broke"):
            table.replay("new", events())

    def test_unhashable_events(self) -> None:
        """An event that cannot be one is refused as not allowed."""
        table = TransitionTable.of(IncidentLifecycle)
        with pytest.raises(TransitionError, match=r"is not allowed in state 'new'"):
            table.next("new", ["start"])  # type: ignore[arg-type]

    def test_forged_activities(self) -> None:
        """The machine checks an activity's stage against its process, not the value passed."""
        machine = MajorIncidentLifecycle()
        machine.accept()
        forged = attrs.evolve(Activity.SET_UP_BRIDGE, stage=Stage.IDENTIFICATION)

        with pytest.raises(GateError, match=r"does not match the process's"):
            machine.record(forged)
        with pytest.raises(GateError, match=r"does not match the process's"):
            MajorIncidentLifecycle.restore("containment", completed=[forged])
        with pytest.raises(GateError, match=r"^activity \(\['x'\]\) is not an activity"):
            MajorIncidentLifecycle.restore("containment", completed=[["x"]])  # type: ignore[list-item]
        assert frozenset() == machine.completed


class TestTableMessages:
    """The words of the table's refusals, which callers show to people."""

    TABLE = TransitionTable.of(IncidentLifecycle)

    def test_unknown_state_lists_the_states(self) -> None:
        """An unknown state names every state, in order, separated by commas."""
        with pytest.raises(TransitionError) as caught:
            self.TABLE.next("nope", "start")

        assert (
            "stored state 'nope' is not a state of IncidentLifecycle; expected one of 'new', "
            "'in_progress', 'on_hold', 'resolved', 'closed', 'canceled'"
        ) == str(caught.value)

    @pytest.mark.parametrize(
        ("state", "allowed"), [("in_progress", "hold, resolve, cancel"), ("canceled", "none")]
    )
    def test_refused_event_lists_what_is_allowed(self, state: str, allowed: str) -> None:
        """A refused event names the events allowed there, or says none is."""
        with pytest.raises(TransitionError) as caught:
            self.TABLE.next(state, "start")

        assert (
            f"event 'start' is not allowed in state {state!r} of IncidentLifecycle; "
            f"allowed: {allowed}"
        ) == str(caught.value)

    def test_gate_lists_what_is_missing(self) -> None:
        """Advancing with activities missing names them by title, sorted, separated by ';'."""
        table = TransitionTable.of(MajorIncidentLifecycle)

        with pytest.raises(GateError) as caught:
            table.fire("containment", "advance", frozenset({Activity.ASSEMBLE_TEAM}))

        assert (
            "cannot leave stage 'containment': missing Creating a problem ticket to identify "
            "underlying issues; Preparing a designated war room; Setting up a conference bridge"
        ) == str(caught.value)
