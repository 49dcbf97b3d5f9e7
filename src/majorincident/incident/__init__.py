"""The incident record, its milestones, and the events of a timeline.

An :class:`Incident` is a frozen record: what happened, to which service, how severe, and when each
milestone was reached. Milestones must be in a sane order by instant; every violation is a
:class:`~majorincident.errors.TimelineError` naming both milestones and their values.
"""

from __future__ import annotations

from majorincident.incident._events import GENESIS, Event, EventKind, event_digest
from majorincident.incident._fields import (
    EXCLUDED_KINDS,
    ORDER_RULES,
    Hold,
    HoldReason,
    IncidentKind,
    Milestone,
)
from majorincident.incident._record import Incident

__all__ = [
    "EXCLUDED_KINDS",
    "GENESIS",
    "ORDER_RULES",
    "Event",
    "EventKind",
    "Hold",
    "HoldReason",
    "Incident",
    "IncidentKind",
    "Milestone",
    "event_digest",
]
