"""A Hypothesis stateful test for any python-statemachine lifecycle."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, ClassVar

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from statemachine import StateMachine
from statemachine.exceptions import TransitionNotAllowed

from majorincident.errors import GateError, TransitionError
from majorincident.lifecycle import Lifecycle, MajorIncidentMachine, TransitionTable, event_names
from majorincident.process import Activity

__all__ = ["lifecycle_test"]

Invariant = Callable[[Any], object]


class _LifecycleDriver(RuleBasedStateMachine):
    """Drives several machines of one class; its subclass built by lifecycle_test says which."""

    machine_class: ClassVar[type[StateMachine]]
    table: ClassVar[TransitionTable]
    events: ClassVar[tuple[str, ...]]
    refusals: ClassVar[tuple[type[Exception], ...]]
    needs: ClassVar[Mapping[str, st.SearchStrategy[dict[str, Any]]]]
    checks: ClassVar[tuple[Invariant, ...]]
    instances: ClassVar[int]
    activities: ClassVar[tuple[Activity, ...]]

    def __init__(self) -> None:
        super().__init__()
        self.machines = [self.machine_class() for _ in range(self.instances)]
        self.models: list[tuple[Hashable, frozenset[Activity]]] = [
            (self.table.initial, frozenset()) for _ in range(self.instances)
        ]

    def _step(self, index: int, step: str | Activity, act: Callable[[Any], object]) -> None:
        machine = self.machines[index]
        state, done = self.models[index]
        try:
            expected = self.table.replay_gated(state, [step], completed=done)
        except (TransitionError, GateError) as refusal:
            wanted = self.refusals if isinstance(refusal, TransitionError) else (GateError,)
            try:
                act(machine)
            except wanted:
                _same_state(machine, state)
                return
            raise AssertionError(
                f"{self.machine_class.__name__} accepted {step!r} in state {state!r}, "
                f"which its graph refuses: {refusal}"
            ) from None
        try:
            act(machine)
        except Exception:
            _same_state(machine, state)
            raise
        self.models[index] = expected

    @rule(data=st.data())
    def fire(self, data: st.DataObject) -> None:
        """Send one of the machine's own events to one of the machines."""
        index = data.draw(st.integers(0, self.instances - 1), label="machine")
        event = data.draw(st.sampled_from(self.events), label="event")
        kwargs = data.draw(self.needs[event], label="arguments") if event in self.needs else {}
        self._step(index, event, lambda machine: machine.send(event, **kwargs))

    @precondition(lambda self: bool(self.activities))
    @rule(data=st.data())
    def record(self, data: st.DataObject) -> None:
        """Record an activity as done on one of the major incident machines."""
        index = data.draw(st.integers(0, self.instances - 1), label="machine")
        activity = data.draw(st.sampled_from(self.activities), label="activity")
        self._step(index, activity, lambda machine: machine.record(activity))

    @invariant()
    def states_match_the_graph(self) -> None:
        """Every machine is where the graph says, with the activities it says, invariants hold."""
        for machine, (state, done) in zip(self.machines, self.models, strict=True):
            _same_state(machine, state)
            if isinstance(machine, MajorIncidentMachine) and machine.completed != done:
                raise AssertionError(f"completed {set(machine.completed)} != expected {set(done)}")
            for check in self.checks:
                if not check(machine):
                    raise AssertionError(f"invariant {check!r} failed in state {state!r}")


def lifecycle_test(
    machine_class: type[StateMachine],
    *,
    invariants: Iterable[Invariant] = (),
    arguments: Mapping[str, st.SearchStrategy[dict[str, Any]]] | None = None,
    instances: int = 3,
    max_examples: int = 60,
    steps: int = 40,
) -> type[RuleBasedStateMachine]:
    """Build a Hypothesis rule-based test that drives several instances of a lifecycle at once.

    Each step fires an event drawn from the machine's own event list (or, for a major incident
    machine, records an activity) on one of the instances, and checks it against the machine's
    compiled :class:`~majorincident.lifecycle.TransitionTable`:

    - an event the graph allows moves the machine to the graph's next state;
    - an event it does not allow raises (``TransitionError`` for the library's own lifecycles, or
      python-statemachine's ``TransitionNotAllowed``) and changes nothing; final states accept
      nothing;
    - an exception from an action leaves the state where it was;
    - ``advance`` is refused with ``GateError`` until the stage's required activities are done;
    - every invariant you give holds for every instance after every step.

    Args:
        machine_class: the lifecycle to test; any python-statemachine class without guards.
        invariants: callables taking a machine; a falsy result or an exception fails the test.
        arguments: event name -> strategy for the keyword arguments it needs.
        instances: how many machines are driven side by side.
        max_examples: Hypothesis examples (runs) per test.
        steps: the most steps per run.

    Returns:
        The RuleBasedStateMachine class; run it with its ``TestCase`` (settings are on it).
    """
    namespace = {
        "machine_class": machine_class,
        "table": TransitionTable.of(machine_class),
        "events": event_names(machine_class),
        "refusals": (TransitionError,)
        if issubclass(machine_class, Lifecycle)
        else (TransitionError, TransitionNotAllowed),
        "needs": dict(arguments or {}),
        "checks": tuple(invariants),
        "instances": instances,
        "activities": machine_class.process.activities
        if issubclass(machine_class, MajorIncidentMachine)
        else (),
    }
    driver: type[RuleBasedStateMachine] = type(
        f"{machine_class.__name__}Test", (_LifecycleDriver,), namespace
    )
    driver.TestCase.settings = settings(
        max_examples=max_examples, stateful_step_count=steps, deadline=None
    )
    return driver


def _same_state(machine: StateMachine, state: Hashable) -> None:
    if machine.current_state_value != state:
        raise AssertionError(
            f"{type(machine).__name__} is in {machine.current_state_value!r}; "
            f"its graph says {state!r}"
        )
