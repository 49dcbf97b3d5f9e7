"""Who must hear what, and when: audiences, communication plans and status-update cadence.

The seed's first common mistake is manual communication; its best practices are automated
notifications and prompt, relevant updates to four audiences: the technical team, management,
key stakeholders and users. A :class:`CommunicationPlan` says, per priority and for major
incidents or not, which audiences hear of which events, and how often each gets a status update
while the incident is open. The library decides; the host tool sends.
"""

from __future__ import annotations

import enum
import string
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final, cast

import attrs
import pendulum

from majorincident._checks import enum_member, instant_or_none, is_text
from majorincident._frozen import FrozenDict
from majorincident.classification import Priority
from majorincident.clock import as_pendulum, instant, utc
from majorincident.errors import ConfigurationError
from majorincident.incident import Event, Incident, Milestone
from majorincident.process import Activity
from majorincident.roles import Responsibility, Role, Roster

__all__ = [
    "DEFAULT_PLAN",
    "SUBJECT_FIELDS",
    "Audience",
    "AudiencePlan",
    "CommunicationPlan",
    "Notification",
    "StatusUpdate",
    "cadence_adherence",
    "due_updates",
    "update_schedule",
]


class Audience(enum.Enum):
    """The seed's four groups that must be informed of a major incident."""

    TECHNICAL_TEAM = "technical_team"
    MANAGEMENT = "management"
    KEY_STAKEHOLDERS = "key_stakeholders"
    USERS = "users"


def _audience(value: Audience | str) -> Audience:
    return enum_member(Audience, value, "audience")


@attrs.frozen
class Notification:
    """Someone who must hear of a step.

    Attributes:
        person: who.
        role: the role through which they hear of it; None for a person named in a plan.
        letter: CONSULTED or INFORMED.
        activity: the activity concerned.
        reason: what happened, in words; several reasons are joined with "; ".
        audience: the plan's audience they hear of it as; None for RACI notifications.
    """

    person: str
    role: Role | None
    letter: Responsibility
    activity: Activity
    reason: str
    audience: Audience | None = None


#: The incident fields a subject template may use.
SUBJECT_FIELDS: Final = ("id", "title", "service", "priority", "impact", "urgency", "kind")


def _subject(value: str) -> str:
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(value) if name is not None]
    except ValueError as error:
        raise ConfigurationError(f"subject ({value!r}) is not a format string: {error}") from None
    for name in names:
        if name not in SUBJECT_FIELDS:
            raise ConfigurationError(
                f"subject ({value!r}) uses the field {name!r}; expected some of "
                f"{', '.join(SUBJECT_FIELDS)}"
            )
    return value


def _hears(value: Iterable[str] | str) -> frozenset[str]:
    return frozenset((value,) if isinstance(value, str) else value)


def _priorities(value: Iterable[Priority | str | int] | None) -> frozenset[Priority]:
    return frozenset(Priority) if value is None else frozenset(Priority.parse(p) for p in value)


@attrs.frozen
class AudiencePlan:
    """What one audience hears, for which incidents, and how often it gets a status update.

    Attributes:
        audience: who.
        hears: event kinds (``accepted``, ``advanced``...) and activity keys it is told of;
            ``*`` for every event.
        every: the status-update cadence while the incident is open; None for no updates.
        priorities: the priorities it applies to (all by default).
        major_only: whether it applies to major incidents only.
    """

    audience: Audience = attrs.field(converter=_audience)
    hears: frozenset[str] = attrs.field(default=frozenset(), converter=_hears)
    every: timedelta | None = None
    priorities: frozenset[Priority] = attrs.field(default=None, converter=_priorities)
    major_only: bool = False

    def applies_to(self, incident: Incident) -> bool:
        """Whether the incident's priority (and major flag) fall under this entry."""
        return (
            incident.priority is not None
            and incident.priority in self.priorities
            and (incident.major or not self.major_only)
        )

    def hears_of(self, event: Event) -> bool:
        """Whether this audience is told of the event."""
        return (
            "*" in self.hears
            or event.kind.value in self.hears
            or (event.activity is not None and event.activity.key in self.hears)
        )


def _members(
    value: Mapping[Any, Iterable[Role | str]],
) -> dict[Audience, tuple[Role | str, ...]]:
    members: dict[Audience, tuple[Role | str, ...]] = {}
    for key, who in value.items():
        audience = _audience(key)
        group = tuple(who)
        for member in cast("tuple[object, ...]", group):
            if not isinstance(member, Role) and not is_text(member):
                raise ConfigurationError(
                    f"members[{audience.value!r}] holds {member!r}; expected roles or people"
                )
        members[audience] = group
    return FrozenDict(members)


def _entries(value: Iterable[AudiencePlan]) -> tuple[AudiencePlan, ...]:
    entries = tuple(value)
    for entry in entries:
        if not isinstance(entry, AudiencePlan):
            raise ConfigurationError(f"plan entry {entry!r} is not an AudiencePlan")
    return entries


@attrs.frozen
class CommunicationPlan:
    """Audiences, their members, what each hears and how often, and the message subject.

    Args:
        entries: what each audience hears, per priority and major or not.
        members: audience -> roles (resolved through the roster at the event's instant) or
            people.
        subject: a ``str.format`` template over :data:`SUBJECT_FIELDS`; checked when built.

    Raises:
        ConfigurationError: an unknown subject field, a cadence that is not positive, or a
            member that is neither a role nor a person.
    """

    entries: tuple[AudiencePlan, ...] = attrs.field(converter=_entries)
    members: Mapping[Audience, tuple[Role | str, ...]] = attrs.field(
        factory=dict, converter=_members
    )
    subject: str = attrs.field(default="[{priority}] {title} ({id})", converter=_subject)

    def __attrs_post_init__(self) -> None:
        """Cadences must be positive."""
        for entry in self.entries:
            if entry.every is not None and entry.every <= timedelta(0):
                raise ConfigurationError(
                    f"{entry.audience.value} cadence ({entry.every}) must be positive"
                )

    def subject_for(self, incident: Incident) -> str:
        """The message subject for an incident."""
        fields = {
            "id": incident.id,
            "title": incident.title,
            "service": incident.service or "",
            "priority": incident.priority.name if incident.priority else "",
            "impact": incident.impact.name if incident.impact else "",
            "urgency": incident.urgency.name if incident.urgency else "",
            "kind": incident.kind.value,
        }
        return self.subject.format(**fields)

    def notifications(
        self, event: Event, incident: Incident, roster: Roster, activity: Activity
    ) -> list[Notification]:
        """The audiences' members who must hear of an event (all but its actor)."""
        found: list[Notification] = []
        subject = self.subject_for(incident)
        for entry in self.entries:
            if not entry.applies_to(incident) or not entry.hears_of(event):
                continue
            reason = f"{entry.audience.value}: {subject}: {event.kind.value} by {event.actor}"
            for member in self.members.get(entry.audience, ()):
                people = (
                    sorted(roster.holders(member, at=event.at))
                    if isinstance(member, Role)
                    else [member]
                )
                role = member if isinstance(member, Role) else None
                found.extend(
                    Notification(
                        person, role, Responsibility.INFORMED, activity, reason, entry.audience
                    )
                    for person in people
                    if person != event.actor
                )
        return found


_EVERYTHING: Final = frozenset({"*"})
_PROGRESS: Final = frozenset({"accepted", "advanced", "demoted", "reopened", "rejected"})
_HIGH: Final = (Priority.P1, Priority.P2)

#: The default plan, after the seed and common practice. For major incidents (P1 and P2): the
#: technical team hears of everything and gets an update every 30 minutes; management hears of
#: every change of state, every 30 minutes; key stakeholders hear of changes of state and get an
#: update every hour; users hear of the declaration and of each stage, every hour. For other P1
#: and P2 incidents the technical team hears of everything and management gets an hourly update.
#: Members default to the seed's roles for the technical team; name your managers, stakeholders
#: and user channels with ``attrs.evolve(DEFAULT_PLAN, members=...)``.
DEFAULT_PLAN: Final = CommunicationPlan(
    entries=(
        AudiencePlan("technical_team", _EVERYTHING, timedelta(minutes=30), _HIGH, major_only=True),
        AudiencePlan("management", _PROGRESS, timedelta(minutes=30), _HIGH, major_only=True),
        AudiencePlan("key_stakeholders", _PROGRESS, timedelta(hours=1), _HIGH, major_only=True),
        AudiencePlan("users", {"accepted", "advanced"}, timedelta(hours=1), _HIGH, major_only=True),
        AudiencePlan("technical_team", _EVERYTHING, None, _HIGH),
        AudiencePlan("management", _PROGRESS, timedelta(hours=1), _HIGH),
    ),
    members={
        Audience.TECHNICAL_TEAM: (Role.MAJOR_INCIDENT_TEAM, Role.TECHNICAL_STAFF),
        Audience.MANAGEMENT: (Role.MAJOR_INCIDENT_MANAGER,),
    },
)


def _due(value: datetime | str) -> pendulum.DateTime:
    return instant(value, field="due")


def _sent(value: datetime | str | None) -> pendulum.DateTime | None:
    return instant_or_none(value, "sent")


@attrs.frozen
class StatusUpdate:
    """One status update an audience is owed.

    Attributes:
        audience: who.
        due: when it is due.
        sent: when it was sent (the first update after the previous one), or None.
    """

    audience: Audience = attrs.field(converter=_audience)
    due: pendulum.DateTime = attrs.field(converter=_due)
    sent: pendulum.DateTime | None = attrs.field(converter=_sent)

    @property
    def on_time(self) -> bool:
        """Sent no later than due."""
        return self.sent is not None and self.sent <= self.due


def _cadences(incident: Incident, plan: CommunicationPlan) -> dict[Audience, timedelta]:
    """The shortest cadence per audience among the entries that apply."""
    found: dict[Audience, timedelta] = {}
    for entry in plan.entries:
        if entry.every is not None and entry.applies_to(incident):
            current = found.get(entry.audience)
            found[entry.audience] = entry.every if current is None else min(current, entry.every)
    return found


_TICK: Final = timedelta(microseconds=1)


def update_schedule(
    incident: Incident,
    plan: CommunicationPlan,
    *,
    sent: Iterable[tuple[Audience | str, datetime | str]],
    until: datetime | str,
) -> list[StatusUpdate]:
    """Every status update owed from the declaration (or report) to resolution or `until`.

    Each update is due one cadence after the previous one was sent, or after the previous due
    time if it was not sent; the first is due one cadence after the start. An update sent any
    time after the previous update counts for the next one due. The resolution notice is the last
    update, so none is owed at the resolution instant itself: declared at 13:00 and resolved at
    15:00 with a 30-minute cadence, updates are owed at 13:30, 14:00 and 14:30. One due exactly
    at `until` is owed.
    """
    start = incident.moment(Milestone.DECLARED) or incident.moment(Milestone.REPORTED)
    last = utc(until, field="until")
    resolved = incident.moment(Milestone.RESOLVED)
    # Owed while due <= end, and end is one microsecond before a resolution up to `until`.
    end = min(last, resolved - _TICK) if resolved is not None else last
    by_audience: dict[Audience, list[datetime]] = {}
    for audience, moment in sent:
        by_audience.setdefault(_audience(audience), []).append(utc(moment, field="sent"))
    schedule = []
    for audience, every in _cadences(incident, plan).items():
        if start is None:
            continue
        times = sorted(by_audience.get(audience, []))
        previous = start
        due = start + every
        while due <= end:
            answer = next((t for t in times if previous < t), None)
            schedule.append(
                StatusUpdate(
                    audience, as_pendulum(due), None if answer is None else as_pendulum(answer)
                )
            )
            previous = answer if answer is not None and answer <= end else due
            due = previous + every
    return sorted(schedule, key=lambda update: (update.due, update.audience.value))


def due_updates(
    incident: Incident,
    plan: CommunicationPlan,
    *,
    sent: Iterable[tuple[Audience | str, datetime | str]],
    at: datetime | str,
) -> list[StatusUpdate]:
    """The updates due by `at` and not sent (overdue when `at` is past their due time)."""
    return [
        update
        for update in update_schedule(incident, plan, sent=sent, until=at)
        if update.sent is None or update.sent > utc(at, field="at")
    ]


def cadence_adherence(
    incident: Incident,
    plan: CommunicationPlan,
    *,
    sent: Iterable[tuple[Audience | str, datetime | str]],
    until: datetime | str,
) -> dict[Audience, float | None]:
    """The share of owed updates sent on time, per audience; None when none was owed."""
    owed: dict[Audience, list[StatusUpdate]] = {a: [] for a in _cadences(incident, plan)}
    for update in update_schedule(incident, plan, sent=sent, until=until):
        owed[update.audience].append(update)
    return {
        audience: (sum(u.on_time for u in updates) / len(updates)) if updates else None
        for audience, updates in owed.items()
    }
