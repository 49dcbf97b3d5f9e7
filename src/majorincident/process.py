"""The major incident process: its stages, its activities, and what each stage requires.

The seed process has four stages and ten activities:

========================  ==============================================================
Stage                     Activities
========================  ==============================================================
Identification            declaring the major incident; informing stakeholders
Containment               assembling the MIT; setting up a conference bridge; preparing a
                          designated war room; creating a problem ticket
Resolution                implementing the resolution plan as a change
Maintenance               post-implementation review; documentation; measuring metrics
========================  ==============================================================

Organisations define their own stages and activities as values of the same types.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import ClassVar, Final, TypeVar, cast

import attrs

from majorincident._checks import keyed, trimmed
from majorincident.errors import ConfigurationError, GateError

__all__ = [
    "EXIT_MILESTONES",
    "SEED_ACTIVITIES",
    "SEED_PROCESS",
    "SEED_STAGES",
    "Activity",
    "Process",
    "Stage",
]

#: The milestones that leaving a stage can set. Leaving the last stage always sets ``closed``.
EXIT_MILESTONES: Final = ("contained", "resolved")


@attrs.frozen(order=False)
class Stage:
    """A stage of the process, such as containment.

    Attributes:
        key: a stable identifier, stored by other tools.
        title: what people call it.
    """

    key: str = attrs.field(validator=trimmed)
    title: str = attrs.field(validator=trimmed, eq=False)

    IDENTIFICATION: ClassVar[Stage]
    CONTAINMENT: ClassVar[Stage]
    RESOLUTION: ClassVar[Stage]
    MAINTENANCE: ClassVar[Stage]


Stage.IDENTIFICATION = Stage("identification", "Identification")
Stage.CONTAINMENT = Stage("containment", "Containment")
Stage.RESOLUTION = Stage("resolution", "Resolution")
Stage.MAINTENANCE = Stage("maintenance", "Maintenance")

#: The seed's four stages, in order.
SEED_STAGES: Final = (Stage.IDENTIFICATION, Stage.CONTAINMENT, Stage.RESOLUTION, Stage.MAINTENANCE)


def _is_stage(_instance: object, _attribute: attrs.Attribute[Stage], value: object) -> None:
    if not isinstance(value, Stage):
        raise ConfigurationError(f"Activity.stage ({value!r}) is not a Stage")


@attrs.frozen(order=False)
class Activity:
    """A step of the process, performed in one stage.

    Attributes:
        key: a stable identifier, stored by other tools.
        title: what people call it, as the RACI table prints it.
        stage: the stage it belongs to.
    """

    key: str = attrs.field(validator=trimmed)
    title: str = attrs.field(validator=trimmed, eq=False)
    stage: Stage = attrs.field(validator=_is_stage, eq=False)

    def matches(self, other: Activity) -> bool:
        """Whether `other` is the same in every field: ``==`` compares the keys alone."""
        return (self.key, self.title, self.stage.key, self.stage.title) == (
            other.key,
            other.title,
            other.stage.key,
            other.stage.title,
        )

    DECLARE: ClassVar[Activity]
    INFORM_STAKEHOLDERS: ClassVar[Activity]
    ASSEMBLE_TEAM: ClassVar[Activity]
    SET_UP_BRIDGE: ClassVar[Activity]
    PREPARE_WAR_ROOM: ClassVar[Activity]
    CREATE_PROBLEM: ClassVar[Activity]
    IMPLEMENT_CHANGE: ClassVar[Activity]
    REVIEW: ClassVar[Activity]
    DOCUMENT: ClassVar[Activity]
    MEASURE: ClassVar[Activity]


Activity.DECLARE = Activity(
    "declare_major_incident", "Declaring the major incident", Stage.IDENTIFICATION
)
Activity.INFORM_STAKEHOLDERS = Activity(
    "inform_stakeholders", "Informing stakeholders", Stage.IDENTIFICATION
)
Activity.ASSEMBLE_TEAM = Activity("assemble_team", "Assembling the MIT", Stage.CONTAINMENT)
Activity.SET_UP_BRIDGE = Activity(
    "set_up_bridge", "Setting up a conference bridge", Stage.CONTAINMENT
)
Activity.PREPARE_WAR_ROOM = Activity(
    "prepare_war_room", "Preparing a designated war room", Stage.CONTAINMENT
)
Activity.CREATE_PROBLEM = Activity(
    "create_problem_ticket",
    "Creating a problem ticket to identify underlying issues",
    Stage.CONTAINMENT,
)
Activity.IMPLEMENT_CHANGE = Activity(
    "implement_change", "Implementing the resolution plan as a change", Stage.RESOLUTION
)
Activity.REVIEW = Activity(
    "post_implementation_review", "Performing post-implementation review", Stage.MAINTENANCE
)
Activity.DOCUMENT = Activity(
    "produce_documentation", "Producing clear documentation", Stage.MAINTENANCE
)
Activity.MEASURE = Activity("measure_metrics", "Measuring metrics", Stage.MAINTENANCE)

#: The seed's ten activities, in the order its RACI table lists them.
SEED_ACTIVITIES: Final = (
    Activity.DECLARE,
    Activity.INFORM_STAKEHOLDERS,
    Activity.ASSEMBLE_TEAM,
    Activity.SET_UP_BRIDGE,
    Activity.PREPARE_WAR_ROOM,
    Activity.CREATE_PROBLEM,
    Activity.IMPLEMENT_CHANGE,
    Activity.REVIEW,
    Activity.DOCUMENT,
    Activity.MEASURE,
)


def _stages(value: Iterable[Stage]) -> tuple[Stage, ...]:
    stages = keyed(value, Stage, "Process.stages")
    if not stages:
        raise ConfigurationError("Process.stages is empty; a process needs at least one stage")
    return stages


def _activities(value: Iterable[Activity]) -> tuple[Activity, ...]:
    return keyed(value, Activity, "Process.activities")


K = TypeVar("K", Stage, Activity)


def _by_key(items: tuple[K, ...], key: str, kind: str) -> K:
    """The item with that key, or a ConfigurationError listing the keys there are."""
    for item in items:
        if item.key == key:
            return item
    raise ConfigurationError(
        f"{kind} {key!r} is not in the process; expected one of "
        f"{', '.join(item.key for item in items)}"
    )


def _activity_set(value: Iterable[Activity]) -> frozenset[Activity]:
    return frozenset(value)


def _exits(value: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    pairs = tuple(value.items() if isinstance(value, Mapping) else value)
    for pair in cast("tuple[object, ...]", pairs):
        if (
            not isinstance(pair, tuple)
            or len(pair) != 2
            or not all(isinstance(part, str) for part in pair)
        ):
            raise ConfigurationError(
                f"Process.exits holds {pair!r}; expected stage key -> milestone name"
            )
    return pairs


@attrs.frozen(cache_hash=True)
class Process:
    """Which activities belong to which stage, and which must be done before a stage is left.

    Args:
        stages: the stages in the order they are passed through, without repeats.
        activities: every activity, each in one of `stages`; keys are unique.
        required: the activities that gate their stage; all of them by default.
        exits: stage key -> the milestone that leaving it sets (``"contained"`` or
            ``"resolved"``). Leaving the last stage closes the incident; when no stage sets
            ``"resolved"``, closing resolves it too.

    Raises:
        ConfigurationError: an empty or repeated stage, an activity whose stage is not in the
            process, a repeated activity key, or a required activity that is not in the process.

    >>> SEED_PROCESS.missing(Stage.IDENTIFICATION, done=[Activity.DECLARE])
    ('Informing stakeholders',)
    """

    stages: tuple[Stage, ...] = attrs.field(converter=_stages)
    activities: tuple[Activity, ...] = attrs.field(converter=_activities)
    required: frozenset[Activity] = attrs.field(
        default=attrs.Factory(lambda process: frozenset(process.activities), takes_self=True),
        converter=_activity_set,
    )
    exits: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_exits)
    # The activities by key, built with the process (never changed, so safe to share).
    _by_key: Mapping[str, Activity] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        """Check that activities and required ones fit the stages."""
        object.__setattr__(self, "_by_key", {a.key: a for a in self.activities})
        stage_keys = {stage.key: stage for stage in self.stages}
        for activity in self.activities:
            stage = stage_keys.get(activity.stage.key)
            if stage is None:
                raise ConfigurationError(
                    f"activity {activity.key!r} belongs to stage {activity.stage.key!r}, "
                    f"which is not in the process ({', '.join(stage_keys)})"
                )
        self._check_exits(stage_keys)
        known = set(self.activities)
        for activity in sorted(self.required, key=lambda a: a.key):
            if activity not in known:
                raise ConfigurationError(
                    f"required activity {activity.key!r} is not one of the process's activities"
                )

    def _check_exits(self, stage_keys: Mapping[str, Stage]) -> None:
        order = list(stage_keys)
        position: dict[str, int] = {}
        for key, milestone in self.exits:
            if key not in stage_keys:
                raise ConfigurationError(
                    f"Process.exits names stage {key!r}, which is not in the process "
                    f"({', '.join(order)})"
                )
            if milestone not in EXIT_MILESTONES:
                raise ConfigurationError(
                    f"Process.exits[{key!r}] ({milestone!r}) is not one of "
                    f"{', '.join(EXIT_MILESTONES)}"
                )
            if milestone in position:
                raise ConfigurationError(f"Process.exits sets {milestone!r} twice")
            position[milestone] = order.index(key)
        if position.get("contained", -1) > position.get("resolved", len(order)):
            raise ConfigurationError(
                "Process.exits sets 'contained' after 'resolved'; containment comes first"
            )

    def exit_milestone(self, stage: Stage) -> str | None:
        """Return the milestone that leaving `stage` sets, if any (``closed`` for the last)."""
        self.stage(stage.key)
        if stage.key == self.stages[-1].key:
            return "closed"
        return dict(self.exits).get(stage.key)

    @property
    def resolution_stage(self) -> Stage:
        """The stage that holds the resolution: its exit sets ``resolved``, else the last one.

        A major incident reopened because its fix did not hold goes back to this stage.
        """
        for key, milestone in self.exits:
            if milestone == "resolved":
                return self.stage(key)
        return self.stages[-1]

    def stage(self, key: str) -> Stage:
        """Return the stage with that key.

        Raises:
            ConfigurationError: no stage has that key.
        """
        return _by_key(self.stages, key, "stage")

    def activity(self, key: str) -> Activity:
        """Return the activity with that key.

        Raises:
            ConfigurationError: no activity has that key.
        """
        return _by_key(self.activities, key, "activity")

    def resolve(self, activity: object) -> Activity:
        """The process's own activity for one a caller passed, which must match it in every field.

        Activities compare by key alone, so a copy with another stage or title would otherwise
        pass for the real one (and slip past a stage gate): whatever the library decides, it
        decides on the process's own activity.

        Raises:
            GateError: not an activity of this process, or one whose title or stage differs,
                naming both.
        """
        if not isinstance(activity, Activity):
            raise GateError(f"activity ({activity!r}) is not an activity of this process")
        own = self._by_key.get(activity.key)
        if own is None:
            raise GateError(f"activity {activity.key!r} is not an activity of this process")
        if activity is not own and not own.matches(activity):
            raise GateError(f"activity ({activity!r}) does not match the process's ({own!r})")
        return own

    def activities_of(self, stage: Stage) -> tuple[Activity, ...]:
        """Return the activities of `stage`, in the process's order."""
        self.stage(stage.key)
        return tuple(a for a in self.activities if a.stage.key == stage.key)

    def required_of(self, stage: Stage) -> tuple[Activity, ...]:
        """Return the activities that must be done before `stage` can be left."""
        return tuple(a for a in self.activities_of(stage) if a in self.required)

    def missing(self, stage: Stage, done: Iterable[Activity]) -> tuple[str, ...]:
        """Return the titles of the required activities of `stage` not among `done`."""
        completed = set(done)
        return tuple(a.title for a in self.required_of(stage) if a not in completed)

    def next_stage(self, stage: Stage) -> Stage | None:
        """Return the stage after `stage`, or None after the last one."""
        index = self.stages.index(self.stage(stage.key))
        return self.stages[index + 1] if index + 1 < len(self.stages) else None

    def __iter__(self) -> Iterator[Stage]:
        """Iterate over the stages in order."""
        return iter(self.stages)


#: The seed's process. Every one of its ten activities is required before its stage is left:
#: the seed asks to "tick all the boxes", and two of its five common mistakes (poor
#: documentation, no root-cause analysis) are exactly the activities a hurried team skips.
SEED_PROCESS: Final = Process(
    SEED_STAGES,
    SEED_ACTIVITIES,
    exits={"containment": "contained", "resolution": "resolved"},
)
