"""The post-implementation review: what happened, why, what fixed it, and what happens next.

The seed's maintenance stage asks for a review and "clear documentation". A
:class:`PostIncidentReview` holds the impact, the timeline (the workflow's events), the root
cause (from the problem ticket), the fix (from the change), action items with owners and due
dates, and lessons; it goes draft -> in review -> reviewed -> closed on its own small lifecycle,
and renders as Markdown.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Final

import attrs
import pendulum
from statemachine import State

from majorincident._checks import probability, text, whole
from majorincident._tables import markdown_table
from majorincident.classification import Priority
from majorincident.clock import ALWAYS, WEEKDAYS, Calendar, as_pendulum, utc
from majorincident.errors import ConfigurationError, RecordError
from majorincident.incident import Event, EventKind, Incident, Milestone
from majorincident.lifecycle import Lifecycle, TransitionTable

__all__ = [
    "BUSINESS_DAYS",
    "DEFAULT_REVIEW_DUE",
    "ActionItem",
    "ActionItemStats",
    "PostIncidentReview",
    "ReviewLifecycle",
    "action_item_stats",
    "review_due",
]


class ReviewLifecycle(Lifecycle):
    """A review: draft, in review, reviewed, closed; sent back to draft for revision."""

    draft = State("Draft", initial=True)
    in_review = State("In review")
    reviewed = State("Reviewed")
    closed = State("Closed", final=True)

    submit = draft.to(in_review)
    revise = in_review.to(draft)
    approve = in_review.to(reviewed)
    close = reviewed.to(closed)


_TABLE: Final = TransitionTable.of(ReviewLifecycle)

#: Whole weekdays, Monday to Friday, in UTC: "business days" for review due dates.
BUSINESS_DAYS: Final = Calendar("UTC", {day: [("00:00", "24:00")] for day in WEEKDAYS[:5]})
#: When a review is due after the resolution, by priority: P1 within 3 calendar days, P2 within
#: 5 business days, others within 10 business days.
DEFAULT_REVIEW_DUE: Final[Mapping[Priority, tuple[timedelta, Calendar]]] = {
    Priority.P1: (timedelta(days=3), ALWAYS),
    Priority.P2: (timedelta(days=5), BUSINESS_DAYS),
    Priority.P3: (timedelta(days=10), BUSINESS_DAYS),
    Priority.P4: (timedelta(days=10), BUSINESS_DAYS),
    Priority.P5: (timedelta(days=10), BUSINESS_DAYS),
}


def review_due(
    incident: Incident,
    *,
    policy: Mapping[Priority, tuple[timedelta, Calendar]] = DEFAULT_REVIEW_DUE,
) -> pendulum.DateTime | None:
    """When the review of a resolved incident is due; None while it is not resolved.

    Raises:
        ConfigurationError: the policy has no entry for the incident's priority (or it has none).
    """
    resolved = incident.moment(Milestone.RESOLVED)
    if resolved is None:
        return None
    entry = policy.get(incident.priority) if incident.priority else None
    if entry is None:
        raise ConfigurationError(
            f"no review due date for priority {incident.priority!r} of incident {incident.id!r}"
        )
    duration, calendar = entry
    return calendar.add(resolved, duration)


def _instant(value: datetime | str) -> pendulum.DateTime:
    return as_pendulum(utc(value, field="due"))


def _optional_instant(value: datetime | str | None) -> pendulum.DateTime | None:
    return None if value is None else as_pendulum(utc(value, field="done_at"))


@attrs.frozen
class ActionItem:
    """Something to do so it does not happen again.

    Attributes:
        title: what.
        owner: who answers for it.
        due: by when.
        done_at: when it was done; None while open.
    """

    title: str = attrs.field(validator=text)
    owner: str = attrs.field(validator=text)
    due: pendulum.DateTime = attrs.field(converter=_instant)
    done_at: pendulum.DateTime | None = attrs.field(default=None, converter=_optional_instant)

    def is_overdue(self, at: datetime | str) -> bool:
        """Open and past its due date at `at`."""
        return self.done_at is None and self.due < utc(at, field="at")


def _items(value: Iterable[ActionItem]) -> tuple[ActionItem, ...]:
    items = tuple(value)
    for item in items:
        if not isinstance(item, ActionItem):
            raise RecordError(f"action_items holds {item!r}; expected ActionItem values")
    return items


def _state(_instance: object, _attribute: object, value: object) -> None:
    if value not in _TABLE.states:
        raise RecordError(f"state ({value!r}) is not one of {', '.join(map(str, _TABLE.states))}")


_WHAT: Final = {
    EventKind.PROPOSED: "proposed as a major incident",
    EventKind.ACCEPTED: "declared a major incident",
    EventKind.REJECTED: "rejected as a major incident",
    EventKind.ADVANCED: "left the stage",
    EventKind.DEMOTED: "demoted",
    EventKind.REOPENED: "reopened",
    EventKind.LINKED: "linked a related incident",
    EventKind.TASK_ASSIGNED: "assigned a task",
    EventKind.TASK_COMPLETED: "completed a task",
}


def _table(header: list[str], rows: Iterable[list[str]]) -> str:
    """A Markdown table as lines of the document (without its final newline)."""
    return markdown_table(header, rows).rstrip("\n")


def _line(event: Event) -> list[str]:
    if event.kind is EventKind.ACTIVITY and event.activity is not None:
        what = event.activity.title
    else:
        what = _WHAT[event.kind]
        if event.kind is EventKind.ADVANCED and event.stage is not None:
            what = f"left {event.stage.title}"
    return [event.at.strftime("%Y-%m-%d %H:%M"), event.actor, what]


@attrs.frozen
class PostIncidentReview:
    """The post-implementation review of a major incident.

    Attributes:
        incident: the record reviewed.
        impact: who and what was affected, in words.
        root_cause: the cause, as the problem investigation found it.
        fix: what fixed it, as the change implemented it.
        timeline: the workflow's events.
        action_items: what is to be done next, with owners and due dates.
        lessons: what was learnt, one per entry.
        state: where the review stands: draft, in_review, reviewed or closed.
    """

    incident: Incident
    impact: str = attrs.field(validator=text)
    root_cause: str = attrs.field(validator=text)
    fix: str = attrs.field(validator=text)
    timeline: tuple[Event, ...] = attrs.field(default=(), converter=tuple)
    action_items: tuple[ActionItem, ...] = attrs.field(default=(), converter=_items)
    lessons: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    state: str = attrs.field(default="draft", validator=_state)

    def fire(self, event: str) -> PostIncidentReview:
        """Move the review along its lifecycle (``submit``, ``revise``, ``approve``, ``close``).

        Raises:
            TransitionError: the event is not allowed in the review's state.
        """
        return attrs.evolve(self, state=str(_TABLE.next(self.state, event)))

    def to_markdown(self) -> str:
        """The review as a Markdown document, for the seed's "clear documentation"."""
        incident = self.incident
        lines = [
            f"# Post-implementation review: {incident.id}",
            "",
            f"**{incident.title}**" if incident.title else "",
            "",
            f"- Service: {incident.service or '-'}",
            f"- Priority: {incident.priority.name if incident.priority else '-'}",
            f"- Problem: {incident.problem_id or '-'}",
            f"- Change: {incident.change_id or '-'}",
            f"- Review state: {self.state.replace('_', ' ')}",
            "",
            "## Milestones",
            "",
            _table(
                ["milestone", "instant (UTC)"],
                [
                    [m.value, moment.strftime("%Y-%m-%d %H:%M")]
                    for m, moment in incident.milestones.items()
                ],
            ),
            "",
            "## Impact",
            "",
            self.impact,
            "",
            "## Timeline",
            "",
            _table(["time (UTC)", "who", "what"], map(_line, self.timeline)),
            "",
            "## Root cause",
            "",
            self.root_cause,
            "",
            "## Fix",
            "",
            self.fix,
            "",
            "## Action items",
            "",
            _table(
                ["action", "owner", "due", "done"],
                [
                    [
                        item.title,
                        item.owner,
                        item.due.strftime("%Y-%m-%d"),
                        item.done_at.strftime("%Y-%m-%d") if item.done_at else "open",
                    ]
                    for item in self.action_items
                ],
            ),
            "",
            "## Lessons",
            "",
            *(f"- {lesson}" for lesson in self.lessons),
        ]
        return "\n".join(lines).rstrip("\n") + "\n"


@attrs.frozen
class ActionItemStats:
    """Action items across reviews at an instant.

    Attributes:
        total: every action item.
        open: not done yet.
        overdue: open and past due.
        overdue_share: overdue / open; None with none open.
    """

    total: int = attrs.field(validator=whole)
    open: int = attrs.field(validator=whole)
    overdue: int = attrs.field(validator=whole)
    overdue_share: float | None = attrs.field(validator=probability)

    def __attrs_post_init__(self) -> None:
        """Overdue items are open, open items are items, and the share is overdue / open."""
        if not self.overdue <= self.open <= self.total:
            raise RecordError(
                f"counts (total {self.total}, open {self.open}, overdue {self.overdue}) must "
                "have overdue <= open <= total"
            )
        share = self.overdue / self.open if self.open else None
        if (share is None) != (self.overdue_share is None) or (
            share is not None and not math.isclose(share, self.overdue_share)  # type: ignore[arg-type]
        ):
            raise RecordError(
                f"overdue_share ({self.overdue_share!r}) is not overdue / open "
                f"({self.overdue} / {self.open})"
            )


def action_item_stats(
    reviews: Iterable[PostIncidentReview], *, at: datetime | str
) -> ActionItemStats:
    """How many action items are open and overdue at an instant: the follow-through KPI.

    Raises:
        NaiveDateTimeError: `at` has no UTC offset.
        TimelineError: `at` is not a timestamp in the supported range.
    """
    moment = utc(at, field="at")
    items = [item for review in reviews for item in review.action_items]
    still_open = [item for item in items if item.done_at is None]
    overdue = sum(1 for item in still_open if item.is_overdue(moment))
    return ActionItemStats(
        len(items), len(still_open), overdue, overdue / len(still_open) if still_open else None
    )
