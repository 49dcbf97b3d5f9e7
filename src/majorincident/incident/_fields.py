"""The parts of an incident record: milestones, kinds, holds, the order rules, and their checks.

Shared by the record and the events; :mod:`majorincident.incident` re-exports the public ones.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final, TypeVar

import attrs
import pendulum

from majorincident._checks import enum_member, nonempty
from majorincident.clock import instant
from majorincident.errors import RecordError, TimelineError

E = TypeVar("E", bound=enum.Enum)


class Milestone(enum.Enum):
    """The instants in an incident's life, so that KPIs read "from milestone A to B"."""

    # As for EventKind: identity, the members' equality, is also their cheapest hash.
    __hash__ = object.__hash__

    STARTED = "started"
    """The service began to fail."""
    DETECTED = "detected"
    """Monitoring or a person noticed."""
    REPORTED = "reported"
    """The incident record exists."""
    ACKNOWLEDGED = "acknowledged"
    """Someone took it on."""
    DECLARED = "declared"
    """It was declared a major incident."""
    CONTAINED = "contained"
    """Its impact stopped growing."""
    RESOLVED = "resolved"
    """Service was restored."""
    CLOSED = "closed"
    """The record was closed."""

    @property
    def field(self) -> str:
        """The name of the record's attribute: ``started_at`` and so on."""
        return f"{self.value}_at"

    @functools.cached_property
    def index(self) -> int:  # cached on the member: read as a plain attribute after the first
        """Its place in the lifecycle, from 0: its slot in :attr:`Incident.instants`.

        >>> Milestone.RESOLVED.index
        6
        """
        return _POSITIONS[self]


_POSITIONS: Final = {m: n for n, m in enumerate(Milestone)}


class IncidentKind(enum.Enum):
    """What sort of record it is; tests and drills are left out of KPIs by default."""

    NORMAL = "normal"
    TEST = "test"
    DRILL = "drill"
    BACKFILLED = "backfilled"


#: The kinds KPIs leave out unless asked: tests and drills measure the process, not the service.
EXCLUDED_KINDS: Final = frozenset({IncidentKind.TEST, IncidentKind.DRILL})


class HoldReason(enum.Enum):
    """Why an incident waits, as ITSM tools record it."""

    AWAITING_CALLER = "awaiting_caller"
    AWAITING_CHANGE = "awaiting_change"
    AWAITING_PROBLEM = "awaiting_problem"
    AWAITING_VENDOR = "awaiting_vendor"


def _optional_instant(value: datetime | str | None) -> pendulum.DateTime | None:
    return None if value is None else instant(value, field="end")


def _start_instant(value: datetime | str) -> pendulum.DateTime:
    return instant(value, field="start")


def at_instant(value: datetime | str) -> pendulum.DateTime:
    return instant(value, field="at")


def enum_value(kind: type[E], field: str, value: object) -> E | None:
    return None if value is None else enum_member(kind, value, field)


def _hold_reason(value: object) -> HoldReason | None:
    return enum_value(HoldReason, "reason", value)


def identifier_value(field: str, value: object) -> str:
    return nonempty(value, field)


def identifier_check(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    identifier_value(attribute.name, value)


def names_of(field: str, value: Iterable[str] | str) -> frozenset[str]:
    names = frozenset((value,) if isinstance(value, str) else value)
    for name in names:
        identifier_value(f"{field} item", name)
    return names


def identifiers_of(field: str, value: Iterable[str] | str) -> tuple[str, ...]:
    items = tuple(dict.fromkeys((value,) if isinstance(value, str) else value))
    for item in items:
        identifier_value(f"{field} item", item)
    return items


def count_value(field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RecordError(f"{field} ({value!r}) must be a whole number of at least 0")
    return value


def count_check(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    count_value(attribute.name, value)


@attrs.frozen
class Hold:
    """An interval during which the incident waited, from `start` until `end` (None: still).

    Attributes:
        start: when the wait began.
        end: when it ended; None while the incident still waits.
        reason: why it waited.
    """

    start: pendulum.DateTime = attrs.field(converter=_start_instant)
    end: pendulum.DateTime | None = attrs.field(default=None, converter=_optional_instant)
    reason: HoldReason | None = attrs.field(default=None, converter=_hold_reason)

    def __attrs_post_init__(self) -> None:
        """A hold cannot end before it starts."""
        if self.end is not None and self.end < self.start:
            raise TimelineError(
                f"hold end ({self.end.isoformat()}) is before hold start ({self.start.isoformat()})"
            )


def holds_of(value: Iterable[Hold]) -> tuple[Hold, ...]:
    holds = tuple(value)
    for hold in holds:
        if not isinstance(hold, Hold):
            raise RecordError(f"holds holds {hold!r}; expected Hold values")
    return holds


#: The order rules between milestones, as (earlier, later): each pair, when both are set, must
#: satisfy earlier <= later by instant.
ORDER_RULES: Final = (
    (Milestone.STARTED, Milestone.DETECTED),
    (Milestone.STARTED, Milestone.REPORTED),
    (Milestone.REPORTED, Milestone.ACKNOWLEDGED),
    (Milestone.REPORTED, Milestone.DECLARED),
    (Milestone.CONTAINED, Milestone.RESOLVED),
    (Milestone.ACKNOWLEDGED, Milestone.RESOLVED),
    (Milestone.REPORTED, Milestone.RESOLVED),
    (Milestone.RESOLVED, Milestone.CLOSED),
)
MILESTONE_FIELDS: Final = tuple(m.field for m in Milestone)
RULE_INDEXES: Final = tuple((a.index, b.index) for a, b in ORDER_RULES)
NO_NAMES: Final[frozenset[str]] = frozenset()
