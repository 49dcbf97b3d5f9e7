"""Transition tables: a lifecycle's graph compiled into plain lookups, for bulk replay.

Creating a python-statemachine instance costs about 0.4 ms and firing an event about 0.2 ms, too
much for validating millions of stored events. A :class:`TransitionTable` is built once per machine
class, by introspecting it, and answers the same questions with dictionary lookups.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable, Mapping

import attrs
from statemachine import StateMachine

from majorincident.errors import ConfigurationError, GateError, TransitionError
from majorincident.lifecycle.base import event_names
from majorincident.lifecycle.major import MajorIncidentMachine
from majorincident.process import Activity

__all__ = ["GATED_EVENT", "TransitionTable"]

#: The event whose transitions are gated by required activities in major incident machines.
GATED_EVENT = "advance"


@attrs.frozen(repr=False)
class TransitionTable:
    """A lifecycle's states, events and transitions as plain lookups.

    Attributes:
        name: the machine class's name.
        states: the state values, in declaration order.
        events: the event names, in declaration order.
        initial: the initial state's value.
        finals: the final states' values.
        transitions: (state, event) -> next state.
        gates: state -> the activities that must be done before ``advance`` leaves it (major
            incident machines only; empty otherwise).
    """

    name: str
    states: tuple[Hashable, ...]
    events: tuple[str, ...]
    initial: Hashable
    finals: frozenset[Hashable]
    transitions: Mapping[tuple[Hashable, str], Hashable]
    gates: Mapping[Hashable, frozenset[Activity]] = attrs.field(factory=dict)
    stage_of_activity: Mapping[Activity, Hashable] = attrs.field(factory=dict)

    @classmethod
    @functools.cache
    def of(cls, machine_class: type[StateMachine]) -> TransitionTable:
        """Compile a machine class once (cached): its graph, and its gates if it has any.

        Raises:
            ConfigurationError: a transition has ``cond``/``unless`` guards, which depend on
                run-time values and cannot be compiled.
        """
        transitions: dict[tuple[Hashable, str], Hashable] = {}
        initial = None
        for state in machine_class.states_map.values():
            if state.initial:
                initial = state.value
            for transition in state.transitions:
                if list(transition.cond):
                    raise ConfigurationError(
                        f"{machine_class.__name__}: the transition {state.value!r} -> "
                        f"{transition.target.value!r} has a guard and cannot be compiled"
                    )
                for event in transition.events:
                    transitions[(state.value, str(event))] = transition.target.value
        gates: dict[Hashable, frozenset[Activity]] = {}
        stage_of: dict[Activity, Hashable] = {}
        if issubclass(machine_class, MajorIncidentMachine):
            process = machine_class.process
            for stage in process.stages:
                gates[stage.key] = frozenset(process.required_of(stage))
            stage_of = {activity: activity.stage.key for activity in process.activities}
        return cls(
            name=machine_class.__name__,
            states=tuple(machine_class.states_map),
            events=event_names(machine_class),
            initial=initial,
            finals=frozenset(s.value for s in machine_class.states_map.values() if s.final),
            transitions=transitions,
            gates=gates,
            stage_of_activity=stage_of,
        )

    def _target(self, state: Hashable, event: str) -> Hashable | None:
        """Where `event` leads from `state`; None if nowhere (unhashable values included)."""
        try:
            return self.transitions.get((state, event))
        except TypeError:
            return None

    def _check_state(self, state: Hashable) -> None:
        if state not in self.states:
            valid = ", ".join(repr(s) for s in self.states)
            raise TransitionError(
                f"stored state {state!r} is not a state of {self.name}; expected one of {valid}"
            )

    def next(self, state: Hashable, event: str) -> Hashable:
        """Return the state `event` leads to from `state`, ignoring gates.

        Raises:
            TransitionError: `state` is unknown, or `event` is not allowed in it.
        """
        target = self._target(state, event)
        if target is None:
            self._check_state(state)
            raise TransitionError(
                f"event {event!r} is not allowed in state {state!r} of {self.name}; "
                f"allowed: {', '.join(self.allowed(state)) or 'none'}"
            )
        return target

    def allowed(self, state: Hashable) -> tuple[str, ...]:
        """Return the events allowed in `state`, in declaration order."""
        self._check_state(state)
        return tuple(event for event in self.events if (state, event) in self.transitions)

    def replay(self, state: Hashable, events: Iterable[str]) -> Hashable:
        """Return the state reached by firing `events` from `state`, ignoring gates.

        Raises:
            TransitionError: at the first event that is not allowed, naming its index. An error
                raised by the iterator of `events` itself reaches the caller as it is.
        """
        transitions = self.transitions
        try:
            steps = iter(events)
        except TypeError:
            message = f"events ({events!r}) must be an iterable of event names"
            raise TransitionError(message) from None
        for index, event in enumerate(steps):
            try:
                state = transitions[(state, event)]
            except (KeyError, TypeError):  # unknown pair, or an unhashable state or event
                raise self._bad_step(state, event, index) from None
        return state

    def _bad_step(self, state: Hashable, event: str, index: int) -> TransitionError:
        try:
            self.next(state, event)
        except TransitionError as error:
            return TransitionError(f"event {index}: {error}")
        raise AssertionError  # pragma: no cover - next() raises for every missing pair

    def replay_gated(
        self,
        state: Hashable,
        steps: Iterable[str | Activity],
        *,
        completed: Iterable[Activity] = (),
    ) -> tuple[Hashable, frozenset[Activity]]:
        """Replay events and recorded activities through a major incident machine's gates.

        Args:
            state: where to start.
            steps: event names, and :class:`~majorincident.process.Activity` values for
                activities recorded as done.
            completed: the activities already done at `state`.

        Returns:
            The final state and the activities done by then. A reopen forgets the activities of
            the stages it goes back over, as the machine does.

        Raises:
            TransitionError: at the first event not allowed, naming its index.
            GateError: at the first ``advance`` whose gate is not met, or an activity recorded
                outside its stage, naming its index.
        """
        done = frozenset(completed)
        self._check_state(state)
        for index, step in enumerate(steps):
            if isinstance(step, Activity):
                if self.stage_of_activity.get(step) != state:
                    raise GateError(
                        f"step {index}: activity {step.title!r} does not belong to state {state!r}"
                    )
                done = done | {step}
                continue
            try:
                state, done = self.fire(state, step, done)
            except TransitionError as error:
                raise TransitionError(f"event {index}: {error}") from None
            except GateError as error:
                raise GateError(f"step {index}: {error}") from None
        return state, done

    def fire(
        self, state: Hashable, event: str, completed: frozenset[Activity]
    ) -> tuple[Hashable, frozenset[Activity]]:
        """Fire one event through a major incident machine's gates: the step of a replay.

        Args:
            state: a state of the machine.
            event: the event's name.
            completed: the activities done at `state`.

        Returns:
            The state reached and the activities done there (a reopen forgets those of the
            stages it goes back over).

        Raises:
            TransitionError: `event` is not allowed in `state`, or `state` is unknown.
            GateError: ``advance`` with required activities of `state` missing.
        """
        target = self._target(state, event)
        if target is None:
            self.next(state, event)  # raises, naming what is allowed
        if event == GATED_EVENT and not self.gates.get(state, completed) <= completed:
            missing = "; ".join(sorted(a.title for a in self.gates[state] - completed))
            raise GateError(f"cannot leave stage {state!r}: missing {missing}")
        if event == "reopen" and self.gates:
            keys = list(self.gates)
            redo = set(keys[keys.index(target) :])
            completed = frozenset(a for a in completed if self.stage_of_activity[a] not in redo)
        return target, completed

    def __repr__(self) -> str:
        """Summarise the table."""
        return (
            f"<TransitionTable {self.name}: {len(self.states)} states, {len(self.events)} events, "
            f"{len(self.transitions)} transitions>"
        )
