"""Service level targets: response and resolution clocks per priority, on a business calendar.

The clocks run from REPORTED on the policy's :class:`~majorincident.clock.Calendar`, stop at
ACKNOWLEDGED (response) or RESOLVED (resolution), and pause while the incident is on hold. The
target is the one for the incident's current priority, measured from the original start: a
priority raised later applies its tighter target retroactively, as ServiceNow does. A reopened
incident has no resolution on its record, so its resolution clock runs again; passing the resolved
periods as ``paused`` makes it resume where it stopped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, cast

import attrs
import pendulum

from majorincident._checks import instant_or_none, text
from majorincident._frozen import FrozenDict
from majorincident.classification import Priority
from majorincident.clock import ALWAYS, Calendar, as_pendulum, utc
from majorincident.errors import ConfigurationError, RecordError, TimelineError
from majorincident.incident import Incident, Milestone

__all__ = ["SlaPolicy", "SlaStatus", "sla_status"]


def _targets(value: Mapping[Priority | str | int, timedelta]) -> dict[Priority, timedelta]:
    targets = {}
    for key, duration in value.items():
        priority = Priority.parse(key, field="priority")
        if not isinstance(cast("object", duration), timedelta) or duration <= timedelta(0):
            raise ConfigurationError(
                f"target for {priority.name} ({duration!r}) must be a positive timedelta"
            )
        targets[priority] = duration
    return FrozenDict(targets)


@attrs.frozen
class SlaPolicy:
    """Response and resolution targets per priority, counted on a calendar.

    Args:
        response: priority -> time from REPORTED to ACKNOWLEDGED.
        resolution: priority -> time from REPORTED to RESOLVED.
        calendar: the working time that counts; 24x7 by default.

    >>> policy = SlaPolicy(
    ...     response={"P1": timedelta(minutes=15)}, resolution={"P1": timedelta(hours=4)}
    ... )
    >>> policy.resolution[Priority.P1]
    datetime.timedelta(seconds=14400)
    """

    response: Mapping[Priority, timedelta] = attrs.field(converter=_targets)
    resolution: Mapping[Priority, timedelta] = attrs.field(converter=_targets)
    calendar: Calendar = ALWAYS


def _deadline(value: datetime | str | None) -> pendulum.DateTime | None:
    return instant_or_none(value, "deadline")


def _positive(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise RecordError(f"{attribute.name} ({value!r}) must be a positive duration")


def _not_negative(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise RecordError(f"{attribute.name} ({value!r}) must be a duration of at least 0")


def _flag(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise RecordError(f"{attribute.name} ({value!r}) must be True or False")


@attrs.frozen
class SlaStatus:
    """Where one SLA clock stands at an instant.

    Attributes:
        target: ``response`` or ``resolution``.
        rule: which rule applies, in words (priority, duration, calendar).
        limit: the allowed working time.
        elapsed: working time counted so far, holds left out.
        remaining: working time left; zero once breached.
        deadline: when the clock runs out if nothing pauses it; None while paused or stopped.
        breached: the clock ran past its limit.
        paused: on hold at the instant.
        stopped: the end milestone was reached by the instant.
    """

    target: str = attrs.field()
    rule: str = attrs.field(validator=text)
    limit: pendulum.Duration = attrs.field(validator=_positive)
    elapsed: pendulum.Duration = attrs.field(validator=_not_negative)
    remaining: pendulum.Duration = attrs.field(validator=_not_negative)
    deadline: pendulum.DateTime | None = attrs.field(converter=_deadline)
    breached: bool = attrs.field(validator=_flag)
    paused: bool = attrs.field(validator=_flag)
    stopped: bool = attrs.field(validator=_flag)

    @target.validator
    def _check_target(self, _attribute: object, value: object) -> None:
        if value not in ("response", "resolution"):
            raise RecordError(f"target ({value!r}) must be 'response' or 'resolution'")


Interval = tuple[datetime, datetime | None]


def _pauses(
    incident: Incident, extra: Iterable[tuple[datetime | str, datetime | str | None]]
) -> list[Interval]:
    """Holds and the other pauses, merged so that no time is taken off twice."""
    spans = [(utc(h.start), None if h.end is None else utc(h.end)) for h in incident.holds]
    spans += [
        (utc(a, field="paused start"), None if b is None else utc(b, field="paused end"))
        for a, b in extra
    ]
    merged: list[Interval] = []
    for lower, upper in sorted(spans, key=lambda span: span[0]):
        if merged and (merged[-1][1] is None or lower <= merged[-1][1]):
            last_lower, last_upper = merged[-1]
            merged[-1] = (
                last_lower,
                None if upper is None or last_upper is None else max(upper, last_upper),
            )
        else:
            merged.append((lower, upper))
    return merged


def _held(pauses: list[Interval], start: datetime, end: datetime, calendar: Calendar) -> timedelta:
    """Working time paused between start and end."""
    total = timedelta(0)
    for pause_start, pause_end in pauses:
        lower = max(pause_start, start)
        upper = min(end, pause_end if pause_end is not None else end)
        if upper > lower:
            total += calendar.elapsed(lower, upper)
    return total


def _status(
    incident: Incident,
    target: str,
    limit: timedelta,
    calendar: Calendar,
    moment: datetime,
    pauses: list[Interval],
) -> SlaStatus:
    start = incident.moment(Milestone.REPORTED)
    if start is None:
        raise TimelineError(f"incident {incident.id!r} has no reported_at to start its SLA from")
    finish = incident.moment(Milestone.ACKNOWLEDGED if target == "response" else Milestone.RESOLVED)
    stopped = finish is not None and finish <= moment
    end = max(start, finish if stopped and finish is not None else moment)
    elapsed = calendar.elapsed(start, end) - _held(pauses, start, end, calendar)
    paused = not stopped and any(
        lower <= moment and (upper is None or moment < upper) for lower, upper in pauses
    )
    left = limit - elapsed
    deadline = None
    if not stopped and not paused:
        deadline = calendar.add(end, left) if left > timedelta(0) else None
    return SlaStatus(
        target=target,
        rule=f"{incident.priority.name if incident.priority else '?'} {target}: "
        f"{limit} on {calendar.timezone} working time",
        limit=pendulum.Duration(seconds=limit.total_seconds()),
        elapsed=pendulum.Duration(seconds=elapsed.total_seconds()),
        remaining=pendulum.Duration(seconds=max(left, timedelta(0)).total_seconds()),
        deadline=None if deadline is None else as_pendulum(deadline),
        breached=elapsed > limit,
        paused=paused,
        stopped=stopped,
    )


def sla_status(
    incident: Incident,
    policy: SlaPolicy,
    *,
    at: datetime | str,
    paused: Iterable[tuple[datetime | str, datetime | str | None]] = (),
) -> tuple[SlaStatus, ...]:
    """The response and resolution clocks of an incident at an instant.

    Targets missing for the incident's priority are left out.

    Args:
        incident: the record; its holds pause the clocks.
        policy: the targets and the calendar.
        at: the instant.
        paused: other intervals during which the clocks stand still, such as the time between
            a resolution and a reopen (``MajorIncident.resolved_periods``), so that a reopen
            resumes the resolution clock rather than counting the resolved time.

    Raises:
        TimelineError: the incident has no REPORTED milestone.
        ConfigurationError: the incident has no priority.
    """
    moment = utc(at, field="at")
    if incident.priority is None:
        raise ConfigurationError(f"incident {incident.id!r} has no priority to pick SLA targets by")
    pauses = _pauses(incident, paused)
    found = []
    for target, table in (("response", policy.response), ("resolution", policy.resolution)):
        limit = table.get(incident.priority)
        if limit is not None:
            found.append(_status(incident, target, limit, policy.calendar, moment, pauses))
    return tuple(found)
