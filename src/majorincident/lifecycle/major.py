"""The major incident lifecycle: a candidate, accepted into the stages of a process, closed.

proposed -> accepted into the first stage, or rejected; the stages in order, each left only when
its required activities are done; -> closed. ``demote`` from any stage cancels (no longer major).
``reopen`` from the last stage or from closed goes back to the stage that holds the resolution, for
a fix that did not hold.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any, ClassVar, Final

from statemachine import State
from statemachine.transition_list import TransitionList

from majorincident.errors import ConfigurationError, GateError
from majorincident.lifecycle.base import Lifecycle, restore
from majorincident.process import SEED_PROCESS, Activity, Process, Stage

__all__ = ["MajorIncidentLifecycle", "MajorIncidentMachine", "major_incident_lifecycle"]

#: State and event names the lifecycle uses itself; stage keys must differ from them.
RESERVED: Final = frozenset(
    {"proposed", "rejected", "closed", "canceled", "accept", "reject", "advance", "demote"}
    | {"reopen", "record", "model", "state", "process", "completed", "pending", "stage"}
)


class MajorIncidentMachine(Lifecycle):
    """What every major incident lifecycle shares; :func:`major_incident_lifecycle` builds one.

    Activities done are kept on the model (``model.completed``), so a restored machine gates
    exactly as the original did.
    """

    process: ClassVar[Process]

    @property
    def completed(self) -> frozenset[Activity]:
        """The activities recorded as done (of any stage; a reopen clears the redone ones)."""
        return getattr(self.model, "completed", frozenset())

    @property
    def stage(self) -> Stage | None:
        """The current stage, or None when proposed, rejected, closed or canceled."""
        for stage in self.process.stages:
            if stage.key == self.current_state_value:
                return stage
        return None

    @property
    def pending(self) -> tuple[Activity, ...]:
        """The required activities of the current stage not done yet."""
        stage = self.stage
        if stage is None:
            return ()
        return tuple(a for a in self.process.required_of(stage) if a not in self.completed)

    def record(self, activity: Activity) -> None:
        """Mark an activity of the current stage as done.

        Raises:
            GateError: the activity is not in the process, or belongs to another stage; the
                message names its stage.
        """
        activity = self.process.resolve(activity)
        stage = self.stage
        if stage is None or activity.stage.key != stage.key:
            where = f"stage {stage.title!r}" if stage else f"state {self.current_state_value!r}"
            raise GateError(
                f"activity {activity.title!r} belongs to stage {activity.stage.title!r}; "
                f"the major incident is in {where}"
            )
        self.model.completed = self.completed | {activity}

    def _check_gate(self) -> None:
        missing = self.pending
        if missing:
            stage = self.stage
            titles = "; ".join(a.title for a in missing)
            raise GateError(
                f"cannot leave stage {stage.title if stage else '?'!r}: missing {titles}"
            )

    def _on_reopen(self) -> None:
        stages = self.process.stages
        keys = [s.key for s in stages]
        redo = {s.key for s in stages[keys.index(self.process.resolution_stage.key) :]}
        self.model.completed = frozenset(a for a in self.completed if a.stage.key not in redo)

    @classmethod
    def restore(
        cls, state: str, *, completed: Iterable[Activity] = (), model: object = None
    ) -> MajorIncidentMachine:
        """Rebuild a machine at a stored state with the activities done so far.

        Raises:
            TransitionError: `state` is not a state of the machine.
            GateError: an activity is not in the process.
        """
        done = frozenset(cls.process.resolve(activity) for activity in completed)
        machine = restore(cls, state, model=model)
        machine.model.completed = done
        return machine


def _stage_state(stage: Stage) -> State:
    return State(stage.title, value=stage.key)


_BUILT: dict[tuple[object, ...], type[MajorIncidentMachine]] = {}


def _shape(process: Process, name: str) -> tuple[object, ...]:
    """Everything a lifecycle is built from: stages and activities compare by key alone."""
    return (
        name,
        tuple((stage.key, stage.title) for stage in process.stages),
        tuple((a.key, a.title, a.stage.key, a in process.required) for a in process.activities),
        process.exits,
    )


def major_incident_lifecycle(
    process: Process, *, name: str = "MajorIncidentLifecycle"
) -> type[MajorIncidentMachine]:
    """Build the major incident lifecycle of a process.

    Args:
        process: the stages to pass through and the activities that gate them.
        name: the class name, shown in diagrams and errors.

    Returns:
        A :class:`MajorIncidentMachine` subclass; the same class for the same process and name.

    Raises:
        ConfigurationError: a stage key that is not a Python identifier or clashes with the
            lifecycle's own state and event names.
    """
    shape = _shape(process, name)
    if shape not in _BUILT:
        _BUILT[shape] = _build(process, name)
    return _BUILT[shape]


def _build(process: Process, name: str) -> type[MajorIncidentMachine]:
    for stage in process.stages:
        if not stage.key.isidentifier() or stage.key in RESERVED or stage.key.startswith("_"):
            raise ConfigurationError(
                f"stage key {stage.key!r} cannot name a lifecycle state: it must be a Python "
                f"identifier not starting with '_' and not one of {', '.join(sorted(RESERVED))}"
            )
    proposed = State("Proposed", initial=True)
    rejected = State("Rejected", final=True)
    closed = State("Closed")
    canceled = State("Canceled", final=True)
    stages = [_stage_state(stage) for stage in process.stages]
    resolution = stages[process.stages.index(process.resolution_stage)]
    targets = [*stages[1:], closed]
    namespace: dict[str, Any] = {
        "__module__": __name__,
        "__doc__": "The major incident lifecycle over the stages "
        + ", ".join(stage.key for stage in process.stages),
        "process": process,
        "proposed": proposed,
        "rejected": rejected,
        **{stage.key: state for stage, state in zip(process.stages, stages, strict=True)},
        "closed": closed,
        "canceled": canceled,
        "accept": proposed.to(stages[0]),
        "reject": proposed.to(rejected),
        "advance": _union(
            source.to(target, validators="_check_gate")
            for source, target in zip(stages, targets, strict=True)
        ),
        "demote": _union(source.to(canceled) for source in stages),
        "reopen": stages[-1].to(resolution, on="_on_reopen")
        | closed.to(resolution, on="_on_reopen"),
    }
    return type(name, (MajorIncidentMachine,), namespace)


def _union(transitions: Iterable[TransitionList]) -> TransitionList:
    return functools.reduce(lambda a, b: a | b, transitions)


#: The major incident lifecycle of the seed's process: identification, containment, resolution,
#: maintenance.
MajorIncidentLifecycle: Final = major_incident_lifecycle(SEED_PROCESS)
