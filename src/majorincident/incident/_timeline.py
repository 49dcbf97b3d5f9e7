"""The rules an incident's timeline keeps: milestones in order, holds inside and apart."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from majorincident.errors import TimelineError
from majorincident.incident._fields import MILESTONE_FIELDS, RULE_INDEXES, Hold, Milestone

if TYPE_CHECKING:
    from majorincident.incident._record import Incident


def check_order(moments: tuple[datetime | None, ...]) -> None:
    """Apply ORDER_RULES to the milestones, given in Milestone order."""
    for earlier, later in RULE_INDEXES:
        first = moments[earlier]
        if first is None:
            continue
        last = moments[later]
        if last is not None and last < first:
            raise TimelineError(
                f"{MILESTONE_FIELDS[later]} ({last.isoformat()}) is before "
                f"{MILESTONE_FIELDS[earlier]} ({first.isoformat()})"
            )


def check_holds(incident: Incident) -> None:
    """Refuse holds that start before the report, end after the resolution, or overlap."""
    previous: Hold | None = None
    for index, hold in enumerate(incident.holds):
        where = f"holds[{index}]"
        reported = incident.moment(Milestone.REPORTED)
        if reported is not None and hold.start < reported:
            raise TimelineError(
                f"{where}.start ({hold.start.isoformat()}) is before reported_at "
                f"({reported.isoformat()})"
            )
        resolved = incident.moment(Milestone.RESOLVED)
        if resolved is not None and (hold.end is None or hold.end > resolved):
            end = hold.end.isoformat() if hold.end else "still on hold"
            raise TimelineError(
                f"{where}.end ({end}) is after resolved_at ({resolved.isoformat()})"
            )
        if previous is not None and (previous.end is None or hold.start < previous.end):
            end = previous.end.isoformat() if previous.end else "never"
            raise TimelineError(
                f"{where}.start ({hold.start.isoformat()}) is before holds[{index - 1}].end "
                f"({end}); holds must not overlap and must be in order"
            )
        previous = hold
