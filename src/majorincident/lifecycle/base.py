"""The strict base of every lifecycle, restoring stored states, and diagrams.

python-statemachine's ``StateChart`` defaults ignore events that are not allowed and turn errors in
actions into events while still moving the state. :class:`Lifecycle` turns all of that off: an
event that is not allowed raises :class:`~majorincident.errors.TransitionError` and changes
nothing, and an exception in an action propagates with the state left where it was.
"""

from __future__ import annotations

from typing import Any, TypeVar

from statemachine import StateMachine
from statemachine.event_data import TriggerData
from statemachine.exceptions import TransitionNotAllowed
from statemachine.model import Model

from majorincident.errors import TransitionError

__all__ = [
    "Lifecycle",
    "allowed_events",
    "event_names",
    "restore",
    "state_values",
    "to_dot",
    "to_mermaid",
]

M = TypeVar("M", bound=StateMachine)


def state_values(machine: type[StateMachine] | StateMachine) -> tuple[Any, ...]:
    """Return the values of a machine's states, in declaration order."""
    return tuple(machine.states_map)


def event_names(machine: type[StateMachine] | StateMachine) -> tuple[str, ...]:
    """Return the names of a machine's events, in declaration order."""
    cls = machine if isinstance(machine, type) else type(machine)
    return tuple(str(event) for event in cls._events)


def allowed_events(machine: StateMachine) -> tuple[str, ...]:
    """Return the events allowed in the machine's current state, in declaration order."""
    allowed = {str(event) for event in machine.allowed_events}
    return tuple(name for name in event_names(machine) if name in allowed)


def _not_allowed(machine: StateMachine, error: TransitionNotAllowed) -> TransitionError:
    event = str(error.event) if error.event is not None else "?"
    allowed = ", ".join(allowed_events(machine)) or "none"
    return TransitionError(
        f"event {event!r} is not allowed in state {machine.current_state_value!r} of "
        f"{type(machine).__name__}; allowed: {allowed}"
    )


class Lifecycle(StateMachine):
    """A strict python-statemachine machine: every lifecycle of the library derives from it.

    - An event that is not allowed raises :class:`~majorincident.errors.TransitionError` naming
      the event, the state and the allowed events; nothing changes.
    - An exception in a guard or an action propagates, and the state does not move.
    - :func:`restore` rebuilds a machine at a stored state without running entry actions, and
      refuses a value that is not one of its states.
    """

    allow_event_without_transition = False
    catch_errors_as_events = False
    atomic_configuration_update = True
    enable_self_transition_entries = False

    def _put_nonblocking(self, trigger_data: TriggerData, internal: bool = False) -> None:
        # A machine that reached a final state refuses events as they are queued.
        try:
            super()._put_nonblocking(trigger_data, internal=internal)
        except TransitionNotAllowed as error:
            raise _not_allowed(self, error) from None

    def _processing_loop(self, caller_future: object = None) -> object:
        # Both `machine.event()` and `machine.send("event")` pass through here: the seam where
        # a refusal can be translated and a half-made step undone.
        before = self.current_state_value
        try:
            return super()._processing_loop(caller_future)
        except TransitionNotAllowed as error:
            raise _not_allowed(self, error) from None
        except BaseException:
            # python-statemachine moves the state before `after_*` actions run; undo that, and
            # restart the engine as unpickling does if the move reached a final state.
            if self.current_state_value != before:
                self.current_state_value = before
                if not self._engine.running:
                    self._engine = self._get_engine()  # type: ignore[no-untyped-call]
                    self._engine.start()
            raise


def restore(machine_class: type[M], state: object, *, model: object = None, **kwargs: Any) -> M:  # noqa: ANN401
    """Rebuild a machine at a stored state, without running entry actions.

    Args:
        machine_class: the machine's class.
        state: the stored state value.
        model: the domain object that holds the state in its ``state`` attribute; a plain one
            when None. Its ``state`` is set to `state`.
        **kwargs: passed to the machine's constructor.

    Returns:
        A machine in `state`.

    Raises:
        TransitionError: `state` is not a state of the machine, naming it and the valid ones.
    """
    if not _is_state(machine_class, state):
        valid = ", ".join(repr(value) for value in machine_class.states_map)
        raise TransitionError(
            f"stored state {state!r} is not a state of {machine_class.__name__}; "
            f"expected one of {valid}"
        )
    holder = Model() if model is None else model  # type: ignore[no-untyped-call]
    holder.state = state  # type: ignore[attr-defined]
    # A model that already holds a state makes the engine start there without entering it.
    return machine_class(model=holder, **kwargs)


def _is_state(machine_class: type[StateMachine], state: object) -> bool:
    try:
        return state in machine_class.states_map
    except TypeError:  # unhashable: a list, a dict... is no state value
        return False


def to_mermaid(machine_class: type[StateMachine]) -> str:
    """Return the machine's diagram as Mermaid ``stateDiagram-v2`` source.

    The diagram is python-statemachine's own rendering, so it always matches the machine. Its
    module (which loads urllib and http.client) is imported here, not with the library.
    """
    from statemachine.contrib.diagram import MermaidGraphMachine  # noqa: PLC0415

    return str(MermaidGraphMachine(machine_class)())  # type: ignore[no-untyped-call]


def to_dot(machine_class: type[StateMachine]) -> str:
    """Return the machine's diagram as Graphviz DOT source (needs the ``pydot`` package).

    Raises:
        ImportError: pydot is not installed; ``pip install 'python-statemachine[diagrams]'``.
    """
    try:
        from statemachine.contrib.diagram import DotGraphMachine  # noqa: PLC0415

        graph = DotGraphMachine(machine_class).get_graph()  # type: ignore[no-untyped-call]
    except ImportError as error:
        raise ImportError(
            "DOT diagrams need pydot: pip install 'python-statemachine[diagrams]'"
        ) from error
    return str(graph.to_string())
