"""Escalation policies: who is paged, when, until someone acknowledges.

A policy is a list of levels, each with a delay from the start and the roles or people to page.
FUNCTIONAL escalation brings in more skilled people while ownership stays; HIERARCHICAL escalation
goes up to management. After the last level the policy repeats from the first, as many times as
it says. An acknowledgement stops everything that has not fired yet, as PagerDuty does.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Final, cast

import attrs
import pendulum

from majorincident._checks import at_least, enum_member, is_text
from majorincident.clock import MAX_INSTANT, as_pendulum, instant, utc
from majorincident.errors import ConfigurationError, TimelineError
from majorincident.incident import Incident, Milestone
from majorincident.roles import Role

__all__ = [
    "MAX_DELAY",
    "MAX_REPEATS",
    "EscalationKind",
    "EscalationLevel",
    "EscalationPolicy",
    "Page",
    "due_escalations",
]

#: The longest delay of a level, and the longest gap between rounds.
MAX_DELAY: Final = timedelta(days=366)
#: The most repeats a policy may ask for (PagerDuty allows 9), so no policy pages without end.
MAX_REPEATS: Final = 100


class EscalationKind(enum.Enum):
    """Functional: to more skilled people, ownership stays. Hierarchical: up to management."""

    FUNCTIONAL = "functional"
    HIERARCHICAL = "hierarchical"


def _kind(value: EscalationKind | str) -> EscalationKind:
    return enum_member(EscalationKind, value, "kind")


def _targets(value: Iterable[Role | str] | Role | str) -> tuple[Role | str, ...]:
    targets = (value,) if isinstance(value, Role | str) else tuple(value)
    if not targets:
        raise ConfigurationError("an escalation level needs at least one target")
    for target in cast("tuple[object, ...]", targets):
        if not isinstance(target, Role) and not is_text(target):
            raise ConfigurationError(f"escalation target ({target!r}) is not a Role or a person")
    return targets


def _delay(field: str, value: object) -> None:
    if not isinstance(value, timedelta) or not timedelta(0) <= value <= MAX_DELAY:
        shown = str(value) if isinstance(value, timedelta) else repr(value)
        raise ConfigurationError(
            f"{field} ({shown}) must be a timedelta from 0 to {MAX_DELAY.days} days"
        )


def _level_delay(_instance: object, _attribute: object, value: timedelta) -> None:
    _delay("delay", value)


@attrs.frozen
class EscalationLevel:
    """One level: page `targets` when `delay` has passed since the start (and not yet acked).

    Attributes:
        delay: time from the start of the escalation (the report) to this level.
        targets: roles or people to page.
        kind: functional or hierarchical.
    """

    delay: timedelta = attrs.field(validator=_level_delay)
    targets: tuple[Role | str, ...] = attrs.field(converter=_targets)
    kind: EscalationKind = attrs.field(default=EscalationKind.FUNCTIONAL, converter=_kind)


def _page_at(value: datetime | str) -> pendulum.DateTime:
    return instant(value, field="at")


@attrs.frozen
class Page:
    """A level firing: who is paged at which instant, and why.

    Attributes:
        at: when.
        level: the level's position, from 1.
        round: which pass through the levels, from 1 (repeats add rounds).
        targets: who is paged.
        kind: functional or hierarchical.
    """

    at: pendulum.DateTime = attrs.field(converter=_page_at)
    level: int = attrs.field(validator=at_least(1))
    round: int = attrs.field(validator=at_least(1))
    targets: tuple[Role | str, ...] = attrs.field(converter=_targets)
    kind: EscalationKind = attrs.field(converter=_kind)


def _levels(value: Iterable[EscalationLevel]) -> tuple[EscalationLevel, ...]:
    levels = tuple(value)
    if not levels:
        raise ConfigurationError("an escalation policy needs at least one level")
    previous = timedelta(-1)
    for number, level in enumerate(levels, start=1):
        if not isinstance(level, EscalationLevel):
            raise ConfigurationError(f"level {number} ({level!r}) is not an EscalationLevel")
        if level.delay < timedelta(0) or level.delay <= previous:
            raise ConfigurationError(
                f"level {number} delay ({level.delay}) must be at least 0 and later than the "
                "level before it"
            )
        previous = level.delay
    return levels


def _repeats(_instance: object, _attribute: object, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_REPEATS:
        raise ConfigurationError(
            f"repeats ({value!r}) must be a whole number from 0 to {MAX_REPEATS}"
        )


def _round_gap(_instance: object, _attribute: object, value: timedelta | None) -> None:
    if value is not None:
        _delay("round_gap", value)


@attrs.frozen
class EscalationPolicy:
    """Ordered levels, repeated `repeats` more times after the last, `round_gap` apart.

    Args:
        levels: the levels, by increasing delay, each at most :data:`MAX_DELAY`.
        repeats: how many more passes after the first (0: no repeat), at most
            :data:`MAX_REPEATS`.
        round_gap: the time between the last level of a pass and the first of the next; the
            last level's delay by default; at most :data:`MAX_DELAY`. Levels keep their spacing
            in every pass: levels at 5, 15 and 30 minutes with a 10-minute gap page at 5, 15,
            30, then 40, 50, 65.

    Raises:
        ConfigurationError: no level, a delay that is negative, too long or not increasing, a
            bad target, a negative or too long gap, or a repeat count out of bounds.

    >>> policy = EscalationPolicy([
    ...     EscalationLevel(timedelta(minutes=5), "on-call"),
    ...     EscalationLevel(timedelta(minutes=15), "team lead"),
    ... ])
    >>> [page.at.strftime("%H:%M") for page in policy.simulate("2024-01-01T09:00Z")]
    ['09:05', '09:15']
    """

    levels: tuple[EscalationLevel, ...] = attrs.field(converter=_levels)
    repeats: int = attrs.field(default=0, validator=_repeats)
    round_gap: timedelta | None = attrs.field(default=None, validator=_round_gap)

    def simulate(
        self, start: datetime | str, *, ack_at: datetime | str | None = None
    ) -> list[Page]:
        """Every page that fires from `start`, stopping at the acknowledgement.

        A level due at the very instant of the acknowledgement does not fire, nor one that
        would fall after :data:`~majorincident.clock.MAX_INSTANT`. Pages come in time order.

        Raises:
            TimelineError: an acknowledgement before the start.
        """
        first = utc(start, field="start")
        ack = None if ack_at is None else utc(ack_at, field="ack_at")
        if ack is not None and ack < first:
            raise TimelineError(f"ack_at ({ack.isoformat()}) is before start ({first.isoformat()})")
        gap = self.round_gap if self.round_gap is not None else self.levels[-1].delay
        # One pass lasts from its first level to its last, then the gap: the next starts there.
        period = self.levels[-1].delay - self.levels[0].delay + gap
        # Pages fire strictly before the acknowledgement, and no later than MAX_INSTANT; offsets
        # are compared before adding, as the sum may not fit in a datetime.
        limit = (ack if ack is not None else _LAST + _TICK) - first
        pages: list[Page] = []
        for round_number in range(self.repeats + 1):
            offset = round_number * period
            for number, level in enumerate(self.levels, start=1):
                if offset + level.delay >= limit:
                    return pages
                moment = first + offset + level.delay
                pages.append(
                    Page(as_pendulum(moment), number, round_number + 1, level.targets, level.kind)
                )
        return pages


_TICK: Final = timedelta(microseconds=1)
_LAST: Final = utc(MAX_INSTANT)


def due_escalations(
    policy: EscalationPolicy, incident: Incident, *, at: datetime | str
) -> list[Page]:
    """The pages that have fired for an incident by `at`, from its report to its acknowledgement.

    Raises:
        TimelineError: the incident has no REPORTED milestone to escalate from.
    """
    reported = incident.moment(Milestone.REPORTED)
    if reported is None:
        raise TimelineError(f"incident {incident.id!r} has no reported_at to escalate from")
    moment = utc(at, field="at")
    pages = policy.simulate(reported, ack_at=incident.moment(Milestone.ACKNOWLEDGED))
    return [page for page in pages if page.at <= moment]
