"""The major incident process in one object: :class:`MajorIncident`.

Longer than the 400 lines a module is held to, for one reason: it is a single class, the facade
ITSM tools call. Each command is a few lines handing an event to the rules
(:mod:`majorincident.workflow.rules`); the rest is the docstrings of a public API, which
splitting the class across modules would scatter.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

import attrs
import pendulum

from majorincident.clock import utc
from majorincident.communication import CommunicationPlan
from majorincident.errors import (
    ConcurrencyError,
    MajorIncidentError,
    RecordError,
    TaskError,
    TimelineError,
)
from majorincident.incident import GENESIS, Event, EventKind, Incident, event_digest
from majorincident.process import SEED_PROCESS, Activity, Process, Stage
from majorincident.roles import DEFAULT_RACI, RaciMatrix, Role, Roster
from majorincident.workflow.records import Notification, Progress, Step, Task
from majorincident.workflow.rules import Action, Rules

__all__ = ["MajorIncident"]


class MajorIncident:
    """A major incident as it runs through the process.

    Build one with :meth:`propose`, :meth:`declare` or :meth:`replay`. Every call takes ``by=``
    and ``at=``, checks the person's roles at that instant against the RACI matrix, and returns a
    :class:`Step`. A refused call raises and changes nothing.

    One object is meant for one writer, as an ITSM tool restores one per request. Calls on a
    shared object are applied one at a time (none is lost), and each mutating call takes
    ``expected_version=``: the :attr:`version` the caller read before deciding, so that a
    writer who decided on a stale timeline gets :class:`~majorincident.errors.ConcurrencyError`
    instead of appending to a timeline it has not seen. Every event carries a digest chaining
    it to the one before (:func:`~majorincident.incident.event_digest`); store :attr:`head`
    beside the timeline and pass it to :meth:`replay` to detect any change to what is stored.

    >>> from majorincident.roles import Role, Roster
    >>> roster = Roster.staffed(
    ...     {"ana": Role.MAJOR_INCIDENT_MANAGER, "raj": Role.MAJOR_INCIDENT_TEAM},
    ...     at="2019-07-02T13:00Z",
    ... )
    >>> incident = Incident("INC-1", reported_at="2019-07-02T13:45Z")
    >>> major, step = MajorIncident.declare(
    ...     incident, by="ana", at="2019-07-02T13:50Z", roster=roster
    ... )
    >>> major.state, major.incident.major
    ('identification', True)
    >>> major.perform(Activity.INFORM_STAKEHOLDERS, by="raj", at="2019-07-02T13:52Z").events[0].kind
    <EventKind.ACTIVITY: 'activity'>
    """

    def __init__(
        self,
        incident: Incident,
        *,
        roster: Roster,
        raci: RaciMatrix = DEFAULT_RACI,
        process: Process = SEED_PROCESS,
        declaration: Activity | None = None,
        plan: CommunicationPlan | None = None,
    ) -> None:
        """Prepare an empty timeline; :meth:`propose`, :meth:`declare` or :meth:`replay` fill it.

        Raises:
            RecordError: `incident` is not an Incident.
            ConfigurationError: the RACI matrix does not cover an activity of the process.
        """
        if not isinstance(incident, Incident):
            raise RecordError(f"incident ({incident!r}) is not an Incident")
        self._base = incident
        self._rules = Rules(
            incident.id,
            roster=roster,
            raci=raci,
            process=process,
            declaration=declaration,
            plan=plan,
        )
        self._progress = Progress(incident, str(self._rules.table.initial))
        self._record: Incident = incident
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, object]:
        """Everything but the lock, which a copy or an unpickled object makes anew."""
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        """Restore the state and give the object a lock of its own."""
        self.__dict__.update(state)
        self._lock = threading.Lock()

    # -- building ---------------------------------------------------------------------------

    @classmethod
    def propose(
        cls,
        incident: Incident,
        *,
        by: str,
        at: datetime | str,
        roster: Roster,
        raci: RaciMatrix = DEFAULT_RACI,
        process: Process = SEED_PROCESS,
        declaration: Activity | None = None,
        plan: CommunicationPlan | None = None,
    ) -> tuple[MajorIncident, Step]:
        """Flag an incident as a candidate major incident; anyone holding a role may.

        Args:
            incident: the incident record; REPORTED is set to `at` if it has none.
            by: who proposes.
            at: when.
            roster: who holds which role when.
            raci: who may do what; the seed's matrix by default.
            process: the stages and activities; the seed's by default.
            declaration: the activity that declares; the seed's "Declaring the major incident"
                when the process has it, else the process's first activity.
            plan: a communication plan; its audiences' members are notified too.

        Returns:
            The major incident, and the step that proposed it.

        Raises:
            NotAuthorizedError: `by` holds no role at `at`.
        """
        major = cls(
            incident, roster=roster, raci=raci, process=process, declaration=declaration, plan=plan
        )
        return major, major._call([(EventKind.PROPOSED, by, at, None, {})])

    @classmethod
    def declare(
        cls,
        incident: Incident,
        *,
        by: str,
        at: datetime | str,
        roster: Roster,
        raci: RaciMatrix = DEFAULT_RACI,
        process: Process = SEED_PROCESS,
        declaration: Activity | None = None,
        plan: CommunicationPlan | None = None,
    ) -> tuple[MajorIncident, Step]:
        """Propose and accept in one step, by someone allowed to declare (R or A for it).

        Raises:
            NotAuthorizedError: `by` may not declare at `at`.
        """
        major = cls(
            incident, roster=roster, raci=raci, process=process, declaration=declaration, plan=plan
        )
        step = major._call(
            [(EventKind.PROPOSED, by, at, None, {}), (EventKind.ACCEPTED, by, at, None, {})]
        )
        return major, step

    @classmethod
    def replay(
        cls,
        events: Iterable[Event],
        *,
        incident: Incident,
        roster: Roster,
        raci: RaciMatrix = DEFAULT_RACI,
        process: Process = SEED_PROCESS,
        declaration: Activity | None = None,
        plan: CommunicationPlan | None = None,
        head: str | None = None,
    ) -> MajorIncident:
        """Rebuild a major incident from its stored timeline, checking every event again.

        Args:
            events: the timeline, as stored.
            incident: the record as it was when the major incident was proposed.
            roster: the roster, with its history.
            raci: the RACI matrix in force.
            process: the process in force.
            declaration: as for :meth:`propose`.
            plan: as for :meth:`propose`.
            head: the :attr:`head` stored with the timeline. Given, every event's digest is
                worked out again and compared, then the last one with `head`: a changed, dropped,
                added or reordered event, or a timeline of another incident, is refused. Without
                it the events are checked against the rules, and their digests taken as stored.

        Returns:
            An object equal in state, record and timeline to the one that made the events.
            Events stored before timelines were chained (no digest) are chained as they are
            replayed: changes made to them before that cannot be detected.

        Raises:
            TimelineError: an event out of sequence, in the past, refused by the rules, or not
                what the workflow would have recorded, or whose digest does not match; the
                message names its sequence number. A head that does not match the timeline's.
        """
        major = cls(
            incident, roster=roster, raci=raci, process=process, declaration=declaration, plan=plan
        )
        progress = major._progress
        apply = major._rules.apply
        chain = _Chain(incident.id, head)
        for number, stored in enumerate(cast("Iterable[object]", events)):
            if not isinstance(stored, Event):
                raise TimelineError(f"event {number}: {stored!r} is not an Event")
            if stored.sequence != number:
                raise TimelineError(f"event {number}: sequence {stored.sequence} is out of order")
            chain.check_form(number, stored)
            action: Action = (
                stored.kind,
                stored.actor,
                stored.at,
                stored.activity,
                _inputs(stored) if stored.details else {},
            )
            try:
                apply(progress, action, stored=stored)
            except MajorIncidentError as error:
                raise TimelineError(f"event {number}: {error}") from None
            chain.follow(number, stored, progress)
        chain.finish()
        try:
            major._record = progress.record(incident)
        except MajorIncidentError as error:
            raise TimelineError(f"the replayed record is invalid: {error}") from None
        return major

    # -- the process ------------------------------------------------------------------------

    def accept(self, *, by: str, at: datetime | str, expected_version: int | None = None) -> Step:
        """Accept the candidate: it is declared a major incident and enters the first stage.

        Sets DECLARED (and ACKNOWLEDGED when not yet set), marks the record major and records
        the declaring activity. Only roles R or A for declaring may accept.
        """
        return self._call([(EventKind.ACCEPTED, by, at, None, {})], expected_version)

    def reject(
        self, *, by: str, at: datetime | str, reason: str, expected_version: int | None = None
    ) -> Step:
        """Reject the candidate, with a reason; only roles R or A for declaring may."""
        return self._call(
            [(EventKind.REJECTED, by, at, None, {"reason": reason})], expected_version
        )

    def perform(
        self,
        activity: Activity,
        *,
        by: str,
        at: datetime | str,
        expected_version: int | None = None,
        **details: Any,  # noqa: ANN401 - JSON-compatible facts kept on the event
    ) -> Step:
        """Record an activity of the current stage as done, by someone R or A for it.

        Creating the problem ticket needs ``problem_id=``; implementing the change needs
        ``change_id=``; both end up on the record. Other details are kept on the event.

        Raises:
            NotAuthorizedError: `by` is not R or A for the activity at `at`.
            GateError: the activity belongs to another stage, or to no stage of this process.
            TaskError: a required detail is missing.
        """
        return self._call([(EventKind.ACTIVITY, by, at, activity, details)], expected_version)

    def advance(self, *, by: str, at: datetime | str, expected_version: int | None = None) -> Step:
        """Move to the next stage once the current one's required activities are done.

        Only the owner (the role accountable for declaring) advances. Leaving a stage sets the
        milestone the process names for it (CONTAINED, RESOLVED); leaving the last one closes
        (and resolves, if nothing did). Leaving the resolution stage resolves linked incidents.

        Raises:
            GateError: required activities are missing; the message lists them by title.
        """
        return self._call([(EventKind.ADVANCED, by, at, None, {})], expected_version)

    def demote(
        self, *, by: str, at: datetime | str, reason: str, expected_version: int | None = None
    ) -> Step:
        """Cancel, with a reason: it is no longer a major incident. The owner only."""
        return self._call([(EventKind.DEMOTED, by, at, None, {"reason": reason})], expected_version)

    def reopen(
        self, *, by: str, at: datetime | str, reason: str, expected_version: int | None = None
    ) -> Step:
        """Go back to the resolution stage because the fix did not hold. The owner only.

        The record's resolution and closure are cleared until the next ones (so the record keeps
        the latest resolution); the timeline keeps every one. The reopen count goes up.
        """
        return self._call(
            [(EventKind.REOPENED, by, at, None, {"reason": reason})], expected_version
        )

    def link(
        self, child_id: str, *, by: str, at: datetime | str, expected_version: int | None = None
    ) -> Step:
        """Link a related incident, one of the influx about the same issue; any role may."""
        return self._call(
            [(EventKind.LINKED, by, at, None, {"child_id": child_id})], expected_version
        )

    def assign_task(
        self,
        title: str,
        *,
        to: str,
        by: str,
        at: datetime | str,
        due: datetime | str | None = None,
        also: bool = False,
        expected_version: int | None = None,
    ) -> Step:
        """Assign a task inside the major incident team; the owner assigns.

        An open task with the same title already assigned to someone is refused, against
        duplicated effort, unless `also` says that a second pair of hands is wanted.

        Raises:
            TaskError: a duplicate, an empty title, or an assignee who holds no role then.
        """
        details: dict[str, object] = {"title": title, "to": to, "also": also}
        if due is not None:
            details["due"] = utc(due, field="due").isoformat()
        return self._call([(EventKind.TASK_ASSIGNED, by, at, None, details)], expected_version)

    def complete_task(
        self, task_id: str, *, by: str, at: datetime | str, expected_version: int | None = None
    ) -> Step:
        """Mark a task done, by its assignee or the owner.

        Raises:
            TaskError: no such task, or it is done already.
        """
        return self._call(
            [(EventKind.TASK_COMPLETED, by, at, None, {"task_id": task_id})], expected_version
        )

    # -- views ------------------------------------------------------------------------------

    @property
    def state(self) -> str:
        """The lifecycle state: proposed, a stage's key, closed, rejected or canceled."""
        return self._progress.state

    @property
    def stage(self) -> Stage | None:
        """The current stage, or None outside the stages."""
        return self._rules.stage(self._progress.state)

    @property
    def completed(self) -> frozenset[Activity]:
        """The activities done (a reopen forgets those of the stages it goes back over)."""
        return self._progress.completed

    @property
    def pending(self) -> tuple[Activity, ...]:
        """The required activities of the current stage not done yet."""
        stage = self.stage
        if stage is None:
            return ()
        required = self._rules.process.required_of(stage)
        return tuple(a for a in required if a not in self._progress.completed)

    @property
    def version(self) -> int:
        """How many events the timeline holds; pass it back as ``expected_version=``."""
        return len(self._progress.timeline)

    @property
    def head(self) -> str | None:
        """The last event's digest, to store beside the timeline; None before the first."""
        timeline = self._progress.timeline
        return timeline[-1].digest if timeline else None

    @property
    def timeline(self) -> tuple[Event, ...]:
        """Every event, in order."""
        return tuple(self._progress.timeline)

    @property
    def tasks(self) -> tuple[Task, ...]:
        """Who is doing what, open or done, in the order assigned."""
        return tuple(self._progress.tasks.values())

    @property
    def resolved_periods(self) -> tuple[tuple[pendulum.DateTime, pendulum.DateTime | None], ...]:
        """From each resolution to the reopen that undid it (None: still resolved).

        Pass them to :func:`~majorincident.sla.sla_status` as ``paused`` so that a reopen
        resumes the resolution clock.
        """
        periods: list[tuple[pendulum.DateTime, pendulum.DateTime | None]] = []
        resolution = self._rules.process.resolution_stage
        for event in self._progress.timeline:
            left = event.stage
            if event.kind is EventKind.ADVANCED and left is not None and left.key == resolution.key:
                periods.append((event.at, None))
            elif event.kind is EventKind.REOPENED and periods and periods[-1][1] is None:
                periods[-1] = (periods[-1][0], event.at)
        return tuple(periods)

    @property
    def children(self) -> tuple[str, ...]:
        """The linked related incidents."""
        return self._progress.children

    @property
    def incident(self) -> Incident:
        """The record with every milestone and reference the timeline has set."""
        return self._record

    @property
    def proposed(self) -> Incident:
        """The record as it was given when the major incident was proposed (replay needs it)."""
        return self._base

    @property
    def roster(self) -> Roster:
        """Who holds which role when."""
        return self._rules.roster

    @property
    def raci(self) -> RaciMatrix:
        """The RACI matrix every call is checked against."""
        return self._rules.raci

    @property
    def process(self) -> Process:
        """The stages and activities."""
        return self._rules.process

    @property
    def plan(self) -> CommunicationPlan | None:
        """The communication plan whose audiences hear of events, if any."""
        return self._rules.plan

    @property
    def owner(self) -> Role:
        """The role accountable for declaring: it advances, demotes, reopens, assigns tasks."""
        return self._rules.owner

    @property
    def declaration(self) -> Activity:
        """The activity that declares the major incident."""
        return self._rules.declaration

    def __eq__(self, other: object) -> bool:
        """Equal when state, activities done, record, timeline and tasks are."""
        if not isinstance(other, MajorIncident):
            return NotImplemented
        return (self.state, self.completed, self.incident, self.timeline, self.tasks) == (
            other.state,
            other.completed,
            other.incident,
            other.timeline,
            other.tasks,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        """Show the incident, the state and the number of events."""
        return (
            f"<MajorIncident {self._base.id!r}: {self.state}, "
            f"{len(self._progress.timeline)} events>"
        )

    def _call(self, actions: list[Action], expected_version: int | None = None) -> Step:
        """Apply actions to a copy; keep it only if every one succeeds and the record is valid.

        One call at a time: the lock keeps a second writer from working on the same timeline.
        """
        with self._lock:
            if expected_version is not None:
                self._check_version(expected_version)
            return self._apply(actions)

    def _check_version(self, expected: object) -> None:
        if isinstance(expected, bool) or not isinstance(expected, int) or expected < 0:
            raise TaskError(f"expected_version ({expected!r}) must be a whole number of events")
        if expected != self.version:
            raise ConcurrencyError(
                f"expected_version ({expected}) is not the timeline's version ({self.version}): "
                "another call appended first; read the major incident again and decide anew"
            )

    def _apply(self, actions: list[Action]) -> Step:
        candidate = self._progress.copy()
        events: list[Event] = []
        notices: list[Notification] = []
        resolved: tuple[str, ...] = ()
        for action in actions:
            event, children = self._rules.apply(candidate, action)
            events.append(event)
            resolved += children
        record = candidate.record(self._base)
        for event in events:
            notices.extend(self._rules.notify(event, record))
        self._progress = candidate
        self._record = record
        return Step(tuple(events), _dedupe(notices), resolved)


class _Chain:
    """What a replay checks of the digests that chain a stored timeline."""

    def __init__(self, incident_id: str, head: object) -> None:
        if head is not None and not (isinstance(head, str) and len(head) == 64):
            raise TimelineError(f"head ({head!r}) must be a digest: 64 hexadecimal digits")
        self.incident_id, self.head = incident_id, head
        self.previous, self.unchained = GENESIS, False

    def check_form(self, number: int, stored: Event) -> None:
        """A timeline is chained throughout, or (stored before chaining) not at all."""
        if number == 0:
            self.unchained = stored.digest is None
        elif self.unchained != (stored.digest is None):
            raise TimelineError(
                f"event {number}: {'has a' if self.unchained else 'has no'} digest, unlike "
                "event 0; a timeline is chained throughout or (stored before chaining) not at all"
            )

    def follow(self, number: int, stored: Event, progress: Progress) -> None:
        """Chain an event stored before chaining, or check the digest when a head is given."""
        if self.head is None and not self.unchained:
            return  # nothing to check: the digests are taken as stored
        if self.unchained:
            progress.timeline[-1] = stored.chained(self.previous, self.incident_id)
        else:  # a head to check against
            expected = event_digest(self.previous, self.incident_id, stored)
            if stored.digest != expected:
                raise TimelineError(
                    f"event {number}: digest {stored.digest} does not match its content and the "
                    f"events before it ({expected}): the stored timeline was changed"
                )
        self.previous = progress.head

    def finish(self) -> None:
        """The last digest must be the head given (``previous`` is followed whenever one is)."""
        if self.head is not None and self.head != self.previous:
            raise TimelineError(
                f"head ({self.head}) is not the digest of the timeline's last event "
                f"({self.previous}): events were dropped, added or changed since it was stored"
            )


#: The details each kind of call takes; the rest of a stored event's details are the workflow's
#: own, and must come out the same on replay. None: any (an activity's facts).
_INPUTS: dict[EventKind, frozenset[str] | None] = {
    EventKind.PROPOSED: frozenset(),
    EventKind.ACCEPTED: frozenset(),
    EventKind.REJECTED: frozenset({"reason"}),
    EventKind.ACTIVITY: None,
    EventKind.ADVANCED: frozenset(),
    EventKind.DEMOTED: frozenset({"reason"}),
    EventKind.REOPENED: frozenset({"reason"}),
    EventKind.LINKED: frozenset({"child_id"}),
    EventKind.TASK_ASSIGNED: frozenset({"title", "to", "also", "due"}),
    EventKind.TASK_COMPLETED: frozenset({"task_id"}),
}


def _inputs(event: Event) -> dict[str, Any]:
    """The details the call that made `event` was given."""
    details = event.details
    accepted = _INPUTS[event.kind]
    if accepted is None:
        return dict(details)
    return {key: value for key, value in details.items() if key in accepted}


def _dedupe(notices: list[Notification]) -> tuple[Notification, ...]:
    """One notification per person (consulted wins over informed), every reason kept."""
    by_person: dict[str, Notification] = {}
    for notice in notices:
        kept = by_person.get(notice.person)
        if kept is None:
            by_person[notice.person] = notice
        elif notice.reason not in kept.reason:
            by_person[notice.person] = attrs.evolve(kept, reason=f"{kept.reason}; {notice.reason}")
    return tuple(by_person.values())
