"""The rules every workflow call is checked against, one handler per kind of event.

Longer than the 400 lines a module is held to: the handlers, the table dispatching them and the
compiled RACI they consult are the authorization rules of the process, reviewed together and
mutation-tested as one module.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final, cast

import attrs

from majorincident._checks import is_text, nonempty
from majorincident.clock import as_pendulum, utc
from majorincident.communication import CommunicationPlan, Notification
from majorincident.errors import (
    GateError,
    NotAuthorizedError,
    TaskError,
    TimelineError,
    TransitionError,
)
from majorincident.incident import Event, EventKind, Incident, Milestone
from majorincident.lifecycle import TransitionTable, major_incident_lifecycle
from majorincident.process import Activity, Process, Stage
from majorincident.roles import RaciMatrix, Responsibility, Role, Roster
from majorincident.workflow.records import Progress, Task

__all__ = ["REQUIRED_DETAILS", "Action", "Rules"]

#: Activity keys whose performance must name the ticket it created, and the detail that does.
REQUIRED_DETAILS: Final = {
    Activity.CREATE_PROBLEM.key: "problem_id",
    Activity.IMPLEMENT_CHANGE.key: "change_id",
}
_EXIT: Final = {"contained": Milestone.CONTAINED, "resolved": Milestone.RESOLVED}
_WORDS: Final = {Responsibility.CONSULTED: "consulted", Responsibility.INFORMED: "informed"}
# Read once: an enum member read through its class costs a descriptor call, on every event.
_PROPOSED: Final = EventKind.PROPOSED
_ACCEPTED: Final = EventKind.ACCEPTED
_ACTIVITY: Final = EventKind.ACTIVITY

#: What a call asks for: kind, actor, at, activity, details.
Action = tuple[EventKind, object, "datetime | str", "Activity | None", "dict[str, Any]"]
Handled = tuple["Stage | None", dict[str, object], tuple[str, ...]]


class Rules:
    """What a major incident is checked against: roster, RACI matrix, process and lifecycle.

    Args:
        incident_id: the major incident's own id (a related incident cannot be itself).
        roster: who holds which role when.
        raci: who may do what.
        process: the stages and activities.
        declaration: the activity that declares a major incident; the seed's when the process
            has it, else the process's first activity.
        plan: a communication plan whose audiences hear of events too.

    Raises:
        ConfigurationError: the RACI matrix does not cover an activity of the process.
        GateError: the process has no activity at all.
    """

    def __init__(
        self,
        incident_id: str,
        *,
        roster: Roster,
        raci: RaciMatrix,
        process: Process,
        declaration: Activity | None,
        plan: CommunicationPlan | None = None,
    ) -> None:
        """Compile the process's lifecycle and check that the RACI covers its activities."""
        self.plan = plan
        self.incident_id = incident_id
        self.roster = roster
        self.raci = raci
        self.process = process
        if declaration is not None and declaration in process.activities:
            # Resolved before the cache, which would take a forged copy for the real one.
            declaration = process.resolve(declaration)
        self.compiled = compiled = _compiled(raci, process, declaration)
        self.declaration = compiled.declaration
        self.table = compiled.table
        self.owner = compiled.owner

    def roles(self, person: str, moment: datetime) -> frozenset[Role]:
        """The roles `person` holds at `moment`."""
        return self.roster.roles_of(person, at=moment)

    def require(
        self, person: str, moment: datetime, allowed: frozenset[str], what: str | Activity
    ) -> None:
        """Refuse unless `person` holds, at `moment`, a role whose key is `allowed`.

        `what` is asked for: an activity (named by its title) or words.

        Raises:
            NotAuthorizedError: naming the person, the roles they hold then and those allowed.
        """
        if self.roster.holds_any(person, allowed, at=moment):
            return
        if isinstance(what, Activity):
            what = repr(what.title)
        held = self.roles(person, moment)
        holding = ", ".join(sorted(r.title for r in held)) or "no role"
        needed = ", ".join(sorted(r.title for r in self.raci.roles if r.key in allowed))
        raise NotAuthorizedError(
            f"{person!r} holds {holding} at {moment.isoformat()}; {what} needs one of: {needed}"
        )

    def fire(self, progress: Progress, event: str) -> None:
        """Move along the lifecycle, through its gates, or refuse.

        Raises:
            GateError: ``advance`` with required activities missing, listed by title.
            TransitionError: the event is not allowed in the current state.
        """
        state = progress.state
        done = progress.completed
        if event == "advance" and not self.table.gates.get(state, done) <= done:
            # The table would refuse too; this names what is missing in the process's order.
            missing = [a.title for a in self.compiled.required[state] if a not in done]
            title = self.compiled.stages[state].title
            raise GateError(f"cannot leave stage {title!r}: missing {'; '.join(missing)}")
        target, progress.completed = self.table.fire(state, event, done)
        progress.state = str(target)

    def stage(self, key: str) -> Stage | None:
        """The stage with that key, or None for the states outside the stages."""
        return self.compiled.stages.get(key)

    def notify(self, event: Event, incident: Incident) -> list[Notification]:
        """The people to consult or inform of an event: the RACI matrix, then the plan."""
        if event.kind in (EventKind.TASK_ASSIGNED, EventKind.TASK_COMPLETED):
            return []
        activity = event.activity or self.declaration
        summary = _summary(event)
        found = []
        for letter in (Responsibility.CONSULTED, Responsibility.INFORMED):
            roles = (
                self.raci.consulted(activity)
                if letter is Responsibility.CONSULTED
                else self.raci.informed(activity)
            )
            for role in sorted(roles, key=self.raci.roles.index):
                for person in sorted(self.roster.holders(role, at=event.at)):
                    if person != event.actor:
                        reason = f"{_WORDS[letter]} on {activity.title!r}: {summary}"
                        found.append(Notification(person, role, letter, activity, reason))
        if self.plan is not None:
            found.extend(self.plan.notifications(event, incident, self.roster, activity))
        return found

    def apply(
        self, progress: Progress, action: Action, *, stored: Event | None = None
    ) -> tuple[Event, tuple[str, ...]]:
        """Check one action against the rules, change `progress`, and return its event.

        With `stored`, the event the workflow would record must equal it (replay); its digest
        is the caller's to check. Otherwise the new event is chained to the last one.
        """
        kind, actor, raw_at, activity, details = action
        moment = utc(raw_at, field="at")
        if type(actor) is not str or not actor.strip():  # the common case skips the call
            actor = nonempty(actor, "by", NotAuthorizedError)
        if progress.last is not None and moment < progress.last:
            last = progress.timeline[-1]
            raise TimelineError(
                f"at ({moment.isoformat()}) is before the last event's at "
                f"({last.at.isoformat()}, sequence {last.sequence}); timelines only go forward"
            )
        if (kind is _PROPOSED) != (not progress.timeline):
            raise TransitionError(
                "a major incident is proposed once, as the first event of its timeline"
            )
        if kind is _ACTIVITY:
            activity = self.process.resolve(activity)
        stage, facts, children = _HANDLERS[kind](self, progress, actor, moment, activity, details)
        concerned = self.declaration if kind is _ACCEPTED else activity
        sequence = len(progress.timeline)
        if stored is not None:
            # Replay compares what the workflow would record with what is stored, field by
            # field, without building a second event.
            # Its `at` is where `moment` came from.
            if not _same(stored, sequence, actor, kind, concerned, stage, facts):
                expected = Event(
                    sequence, moment, actor, kind, activity=concerned, stage=stage, details=facts
                )
                raise TimelineError(
                    f"the stored event does not match what the workflow records: stored "
                    f"{stored!r}, expected {expected!r}"
                )
            event = stored
        else:
            event = Event(
                sequence, moment, actor, kind, activity=concerned, stage=stage, details=facts
            ).chained(progress.head, self.incident_id)
        progress.timeline.append(event)
        progress.last = moment
        return event, children


def _same(
    stored: Event,
    sequence: int,
    actor: str,
    kind: EventKind,
    activity: Activity | None,
    stage: Stage | None,
    facts: dict[str, object],
) -> bool:
    return (
        stored.sequence == sequence
        and stored.actor == actor
        and stored.kind is kind
        and (stored.activity is activity or _same_value(stored.activity, activity))
        and (stored.stage is stage or _same_value(stored.stage, stage))
        # Replayed facts come from the stored details, frozen as every event freezes its own.
        and (stored.details == facts if facts else not stored.details)
    )


def _same_value(stored: Activity | Stage | None, expected: Activity | Stage | None) -> bool:
    """Activities and stages compare by key alone; a stored one must match in every field."""
    if isinstance(stored, Activity) and isinstance(expected, Activity):
        return stored.matches(expected)
    return stored == expected and (stored is None or stored.title == expected.title)  # type: ignore[union-attr]


@attrs.frozen
class _Compiled:
    """What a process and a RACI matrix make of the rules, as lookups by key.

    Attributes:
        declaration: the activity that declares.
        table: the process's lifecycle, compiled.
        stages: stage key -> stage.
        performers: activity key -> the keys of the roles R or A for it.
        required: stage key -> the activities required before leaving it, in process order.
        exits: stage key -> the milestone leaving it sets (``closed`` for the last), or None.
        owner: the role accountable for declaring.
        owners: its key, as a set.
        everyone: the keys of every role of the matrix.
    """

    declaration: Activity
    table: TransitionTable
    stages: dict[str, Stage]
    performers: dict[str, frozenset[str]]
    required: dict[str, tuple[Activity, ...]]
    exits: dict[str, str | None]
    owner: Role
    owners: frozenset[str]
    everyone: frozenset[str]


@functools.lru_cache(maxsize=64)
def _compiled(raci: RaciMatrix, process: Process, declaration: Activity | None) -> _Compiled:
    """What a process and a RACI matrix make of the rules, worked out once per pair.

    Raises:
        ConfigurationError: the RACI matrix does not cover an activity of the process.
        GateError: the process has no activity at all.
    """
    chosen = declaration or _declaration_of(process)
    table = TransitionTable.of(major_incident_lifecycle(process))
    for activity in process.activities:
        raci.accountable(activity)
    owner = raci.accountable(chosen)
    return _Compiled(
        declaration=chosen,
        table=table,
        stages={stage.key: stage for stage in process.stages},
        performers={
            activity.key: frozenset(role.key for role in raci.performers(activity))
            for activity in (*process.activities, chosen)
        },
        required={stage.key: process.required_of(stage) for stage in process.stages},
        exits={stage.key: process.exit_milestone(stage) for stage in process.stages},
        owner=owner,
        owners=frozenset({owner.key}),
        everyone=frozenset(role.key for role in raci.roles),
    )


def _declaration_of(process: Process) -> Activity:
    if Activity.DECLARE in process.activities:
        return process.activity(Activity.DECLARE.key)
    if not process.activities:
        raise GateError("the process has no activities, so nothing declares a major incident")
    return process.activities[0]


def _summary(event: Event) -> str:
    words = {
        EventKind.PROPOSED: "proposed as a major incident",
        EventKind.ACCEPTED: "declared a major incident",
        EventKind.REJECTED: "rejected as a major incident",
        EventKind.ACTIVITY: "done",
        EventKind.ADVANCED: "stage left",
        EventKind.DEMOTED: "no longer a major incident",
        EventKind.REOPENED: "reopened",
        EventKind.LINKED: "related incident linked",
    }
    text = f"{words[event.kind]} by {event.actor} at {event.at.isoformat()}"
    if event.stage is not None and event.kind is EventKind.ADVANCED:
        text = f"{event.stage.title} {text}"
    return text


def _reason(details: dict[str, object]) -> None:
    reason = details.get("reason")
    nonempty(reason, "reason", TaskError)


def _proposed(
    rules: Rules, progress: Progress, actor: str, moment: datetime, _: object, facts: dict[str, Any]
) -> Handled:
    rules.require(actor, moment, rules.compiled.everyone, "proposing a major incident")
    progress.set(Milestone.REPORTED, moment, keep=True)
    return None, facts, ()


def _accepted(
    rules: Rules, progress: Progress, actor: str, moment: datetime, _: object, facts: dict[str, Any]
) -> Handled:
    declaration = rules.declaration
    performers = rules.compiled.performers[declaration.key]
    rules.require(actor, moment, performers, declaration)
    rules.fire(progress, "accept")
    progress.set(Milestone.DECLARED, moment)
    progress.set(Milestone.ACKNOWLEDGED, moment, keep=True)
    progress.major = True
    if declaration.stage.key == progress.state:
        progress.completed = progress.completed | {declaration}
    return rules.stage(progress.state), facts, ()


def _rejected(
    rules: Rules, progress: Progress, actor: str, moment: datetime, _: object, facts: dict[str, Any]
) -> Handled:
    declaration = rules.declaration
    what = f"rejecting ({declaration.title!r})"
    rules.require(actor, moment, rules.compiled.performers[declaration.key], what)
    _reason(facts)
    rules.fire(progress, "reject")
    return None, facts, ()


def _activity(
    rules: Rules,
    progress: Progress,
    actor: str,
    moment: datetime,
    activity: object,
    facts: dict[str, Any],
) -> Handled:
    activity = cast("Activity", activity)  # resolved against the process by Rules.apply
    rules.require(actor, moment, rules.compiled.performers[activity.key], activity)
    # The lifecycle's graph accepts an activity in its own stage's state, and only there.
    if activity.stage.key != progress.state:
        current = rules.stage(progress.state)
        where = f"stage {current.title!r}" if current else f"state {progress.state!r}"
        raise GateError(
            f"activity {activity.title!r} belongs to stage {activity.stage.title!r}; "
            f"the major incident is in {where}"
        )
    needed = REQUIRED_DETAILS.get(activity.key)
    if needed is not None:
        value = facts.get(needed)
        if not is_text(value):
            raise TaskError(f"{needed} ({value!r}) is required for {activity.title!r}")
        setattr(progress, needed, value)
    progress.completed = progress.completed | {activity}
    return rules.stage(progress.state), facts, ()


def _advanced(
    rules: Rules, progress: Progress, actor: str, moment: datetime, _: object, facts: dict[str, Any]
) -> Handled:
    rules.require(actor, moment, rules.compiled.owners, "advancing to the next stage")
    left = rules.stage(progress.state)
    rules.fire(progress, "advance")
    children: tuple[str, ...] = ()
    milestone = rules.compiled.exits[left.key] if left is not None else None
    if milestone == "closed":
        progress.set(Milestone.RESOLVED, moment, keep=True)
        progress.set(Milestone.CLOSED, moment)
    elif milestone in _EXIT:
        progress.set(_EXIT[milestone], moment)
        if milestone == "resolved":
            children = progress.children
            facts = {**facts, "resolved_children": children}
    return left, facts, children


def _demoted(
    rules: Rules, progress: Progress, actor: str, moment: datetime, _: object, facts: dict[str, Any]
) -> Handled:
    rules.require(actor, moment, rules.compiled.owners, "demoting the major incident")
    _reason(facts)
    left = rules.stage(progress.state)
    rules.fire(progress, "demote")
    progress.major = False
    return left, facts, ()


def _reopened(
    rules: Rules, progress: Progress, actor: str, moment: datetime, _: object, facts: dict[str, Any]
) -> Handled:
    rules.require(actor, moment, rules.compiled.owners, "reopening the major incident")
    _reason(facts)
    rules.fire(progress, "reopen")
    progress.reopen_count += 1
    progress.moments[Milestone.RESOLVED.index] = None
    progress.moments[Milestone.CLOSED.index] = None
    return rules.stage(progress.state), facts, ()


def _linked(
    rules: Rules, progress: Progress, actor: str, moment: datetime, _: object, facts: dict[str, Any]
) -> Handled:
    rules.require(actor, moment, rules.compiled.everyone, "linking a related incident")
    child = facts.get("child_id")
    child = nonempty(child, "child_id", TaskError)
    if child == rules.incident_id or progress.is_linked(child):
        raise TaskError(f"child_id ({child!r}) is the incident itself or already linked")
    if progress.state in ("rejected", "canceled", "closed"):
        raise TransitionError(f"cannot link to a major incident in state {progress.state!r}")
    progress.link(child)
    return None, facts, ()


def _task_assigned(
    rules: Rules, progress: Progress, actor: str, moment: datetime, _: object, facts: dict[str, Any]
) -> Handled:
    rules.require(actor, moment, rules.compiled.owners, "assigning a task")
    if progress.state not in rules.compiled.stages:
        raise TransitionError(f"tasks are assigned in a stage, not in state {progress.state!r}")
    title, to, also = facts.get("title"), facts.get("to"), facts.get("also")
    title = nonempty(title, "title", TaskError)
    if not isinstance(to, str) or not rules.roles(to, moment):
        raise TaskError(f"to ({to!r}) holds no role at {moment.isoformat()}; tasks go to the team")
    same = progress.open_task_titled(title) if also is not True else None
    if same is not None:
        raise TaskError(
            f"task {same.id} {same.title!r} is already assigned to {same.assignee!r}; "
            "pass also=True if a second person should work on it too"
        )
    due = facts.get("due")
    task = Task(
        f"T{len(progress.tasks) + 1}",
        title,
        to,
        actor,
        as_pendulum(moment),
        None if due is None else as_pendulum(utc(str(due), field="due")),
    )
    progress.add_task(task)
    return None, {**facts, "task_id": task.id}, ()


def _task_completed(
    rules: Rules, progress: Progress, actor: str, moment: datetime, _: object, facts: dict[str, Any]
) -> Handled:
    task_id = facts.get("task_id")
    task = progress.tasks.get(task_id) if isinstance(task_id, str) else None
    if task is None:
        raise TaskError(f"task_id ({task_id!r}) names no task")
    if not task.is_open:
        raise TaskError(f"task {task.id} was already completed at {task.done_at}")
    # The assignee completes their own task while they hold a role; anyone else must own.
    own = actor == task.assignee
    rules.require(
        actor,
        moment,
        rules.compiled.everyone if own else rules.compiled.owners,
        f"completing {task.assignee!r}'s {task.id}",
    )
    progress.finish_task(task, as_pendulum(moment))
    return None, facts, ()


Handler = Callable[[Rules, Progress, str, datetime, object, dict[str, Any]], Handled]

_HANDLERS: Final[dict[EventKind, Handler]] = {
    EventKind.PROPOSED: _proposed,
    EventKind.ACCEPTED: _accepted,
    EventKind.REJECTED: _rejected,
    EventKind.ACTIVITY: _activity,
    EventKind.ADVANCED: _advanced,
    EventKind.DEMOTED: _demoted,
    EventKind.REOPENED: _reopened,
    EventKind.LINKED: _linked,
    EventKind.TASK_ASSIGNED: _task_assigned,
    EventKind.TASK_COMPLETED: _task_completed,
}
