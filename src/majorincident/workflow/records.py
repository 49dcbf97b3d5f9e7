"""The values a major incident's calls return and keep: steps, notifications, tasks."""

from __future__ import annotations

from datetime import datetime

import attrs
import pendulum

from majorincident._checks import instant_or_none, text
from majorincident.clock import instant
from majorincident.communication import Notification
from majorincident.errors import TimelineError
from majorincident.incident import GENESIS, Event, Incident, Milestone
from majorincident.incident._record import progressed
from majorincident.process import Activity

__all__ = ["Notification", "Progress", "Step", "Task"]


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


def _assigned_at(value: datetime | str) -> pendulum.DateTime:
    return instant(value, field="assigned_at")


def _due(value: datetime | str | None) -> pendulum.DateTime | None:
    return instant_or_none(value, "due")


def _done_at(value: datetime | str | None) -> pendulum.DateTime | None:
    return instant_or_none(value, "done_at")


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

    id: str = attrs.field(validator=text)
    title: str = attrs.field(validator=text)
    assignee: str = attrs.field(validator=text)
    assigned_by: str = attrs.field(validator=text)
    assigned_at: pendulum.DateTime = attrs.field(converter=_assigned_at)
    due: pendulum.DateTime | None = attrs.field(default=None, converter=_due)
    done_at: pendulum.DateTime | None = attrs.field(default=None, converter=_done_at)

    def __attrs_post_init__(self) -> None:
        """A task is done no earlier than it was assigned."""
        if self.done_at is not None and self.done_at < self.assigned_at:
            raise TimelineError(
                f"done_at ({self.done_at.isoformat()}) is before assigned_at "
                f"({self.assigned_at.isoformat()}) for task {self.id}"
            )

    @property
    def is_open(self) -> bool:
        """Not completed yet."""
        return self.done_at is None


class Progress:
    """Everything a timeline has changed so far; copied before a call, kept if it succeeds."""

    __slots__ = (
        "change_id",
        "child_list",
        "child_set",
        "completed",
        "last",
        "major",
        "moments",
        "open_titles",
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
        # Linked incidents in order, and as a set: checking and adding one costs the same at
        # the thousandth as at the first.
        self.child_list: list[str] = list(incident.child_ids)
        self.child_set: set[str] = set(incident.child_ids)
        self.problem_id = incident.problem_id
        self.change_id = incident.change_id
        self.tasks: dict[str, Task] = {}
        # Casefolded title -> ids of the open tasks with it, in the order assigned.
        self.open_titles: dict[str, tuple[str, ...]] = {}
        self.timeline: list[Event] = []
        self.last: datetime | None = None  # the last event's instant, as a standard datetime

    @property
    def head(self) -> str:
        """The last event's digest, or the genesis digest before the first event."""
        return self.timeline[-1].digest or GENESIS if self.timeline else GENESIS

    @property
    def children(self) -> tuple[str, ...]:
        """The linked incidents, in the order linked."""
        return tuple(self.child_list)

    def is_linked(self, child: str) -> bool:
        """Whether that incident is linked already."""
        return child in self.child_set

    def link(self, child: str) -> None:
        """Link an incident that is not linked yet."""
        self.child_set.add(child)
        self.child_list.append(child)

    def add_task(self, task: Task) -> None:
        """Keep a newly assigned task."""
        self.tasks[task.id] = task
        key = task.title.casefold()
        self.open_titles[key] = (*self.open_titles.get(key, ()), task.id)

    def open_task_titled(self, title: str) -> Task | None:
        """The first open task with this title, casefolded, in the order assigned."""
        ids = self.open_titles.get(title.casefold())
        return self.tasks[ids[0]] if ids else None

    def finish_task(self, task: Task, moment: pendulum.DateTime) -> None:
        """Mark an open task done at `moment`."""
        self.tasks[task.id] = attrs.evolve(task, done_at=moment)
        key = task.title.casefold()
        left = tuple(n for n in self.open_titles[key] if n != task.id)
        if left:
            self.open_titles[key] = left
        else:
            del self.open_titles[key]

    def copy(self) -> Progress:
        """A copy that can be changed without touching this one."""
        clone = object.__new__(Progress)
        for name in self.__slots__:
            setattr(clone, name, getattr(self, name))
        clone.moments = list(self.moments)
        clone.child_list = list(self.child_list)
        clone.child_set = set(self.child_set)
        clone.tasks = dict(self.tasks)
        clone.open_titles = dict(self.open_titles)
        clone.timeline = list(self.timeline)
        return clone

    def set(self, milestone: Milestone, moment: datetime | None, *, keep: bool = False) -> None:
        """Set a milestone; with `keep`, only when it is not set yet."""
        index = milestone.index
        if not keep or self.moments[index] is None:
            self.moments[index] = moment

    def record(self, base: Incident) -> Incident:
        """The incident record as this progress makes it (validated)."""
        return progressed(
            base,
            tuple(self.moments),
            major=self.major,
            reopen_count=self.reopen_count,
            child_ids=self.children,
            problem_id=self.problem_id,
            change_id=self.change_id,
        )
