"""The values a major incident's calls return and keep: steps, notifications, tasks."""

from __future__ import annotations

from datetime import datetime

import attrs
import pendulum

from majorincident.communication import Notification
from majorincident.incident import GENESIS, Event, Incident, Milestone
from majorincident.process import Activity

__all__ = ["Notification", "Progress", "Step", "Task"]

MILESTONE_INDEX = {m: n for n, m in enumerate(Milestone)}


@attrs.frozen
class Step:
    """What a call did: the events appended to the timeline and the notifications due.

    Attributes:
        events: the new events, in order.
        notifications: one per person to consult or inform.
        resolved_children: the linked incidents resolved with this step (leaving resolution).
    """

    events: tuple[Event, ...]
    notifications: tuple[Notification, ...] = ()
    resolved_children: tuple[str, ...] = ()


@attrs.frozen
class Task:
    """Work assigned inside the major incident team, so that nobody duplicates it.

    Attributes:
        id: ``T1``, ``T2``... in the order assigned.
        title: what to do.
        assignee: who does it.
        assigned_by: who assigned it.
        assigned_at: when.
        due: when it is due, if set.
        done_at: when it was completed; None while open.
    """

    id: str
    title: str
    assignee: str
    assigned_by: str
    assigned_at: pendulum.DateTime
    due: pendulum.DateTime | None = None
    done_at: pendulum.DateTime | None = None

    @property
    def is_open(self) -> bool:
        """Not completed yet."""
        return self.done_at is None


class Progress:
    """Everything a timeline has changed so far; copied before a call, kept if it succeeds."""

    __slots__ = (
        "change_id",
        "children",
        "completed",
        "last",
        "major",
        "moments",
        "problem_id",
        "reopen_count",
        "state",
        "tasks",
        "timeline",
    )

    def __init__(self, incident: Incident, initial: str) -> None:
        """Start from the record as it was proposed, in the lifecycle's initial state."""
        self.state = initial
        self.completed: frozenset[Activity] = frozenset()
        self.moments: list[datetime | None] = list(incident.instants)
        self.major = incident.major
        self.reopen_count = incident.reopen_count
        self.children: tuple[str, ...] = incident.child_ids
        self.problem_id = incident.problem_id
        self.change_id = incident.change_id
        self.tasks: dict[str, Task] = {}
        self.timeline: list[Event] = []
        self.last: datetime | None = None  # the last event's instant, as a standard datetime

    @property
    def head(self) -> str:
        """The last event's digest, or the genesis digest before the first event."""
        return self.timeline[-1].digest or GENESIS if self.timeline else GENESIS

    def copy(self) -> Progress:
        """A copy that can be changed without touching this one."""
        clone = object.__new__(Progress)
        for name in self.__slots__:
            setattr(clone, name, getattr(self, name))
        clone.moments = list(self.moments)
        clone.tasks = dict(self.tasks)
        clone.timeline = list(self.timeline)
        return clone

    def set(self, milestone: Milestone, moment: datetime | None, *, keep: bool = False) -> None:
        """Set a milestone; with `keep`, only when it is not set yet."""
        index = MILESTONE_INDEX[milestone]
        if not keep or self.moments[index] is None:
            self.moments[index] = moment

    def record(self, base: Incident) -> Incident:
        """The incident record as this progress makes it (validated)."""
        return base._progressed(  # noqa: SLF001 - the record's own fast copy for the workflow
            tuple(self.moments),
            major=self.major,
            reopen_count=self.reopen_count,
            child_ids=self.children,
            problem_id=self.problem_id,
            change_id=self.change_id,
        )
