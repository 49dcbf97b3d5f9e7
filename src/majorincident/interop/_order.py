"""What a rebuild leaves out: milestones and holds a source put out of order, and how it says so.

One bad fact spoils one measure, not the incident: of two milestones out of order, the one the
states gave is left out (a column beats a state), else the later one; the opening is kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any, Final

import attrs

from majorincident.incident import ORDER_RULES, Hold, Incident, Milestone

__all__ = ["LeftOut", "Rebuilt", "gives_way", "holds_inside", "in_order", "tally"]

#: How each milestone is spoken of when it is out of order.
NOUNS: Final[Mapping[Milestone, str]] = {
    Milestone.STARTED: "start",
    Milestone.DETECTED: "detection",
    Milestone.REPORTED: "opening",
    Milestone.ACKNOWLEDGED: "acknowledgement",
    Milestone.DECLARED: "declaration",
    Milestone.CONTAINED: "containment",
    Milestone.RESOLVED: "resolution",
    Milestone.CLOSED: "closure",
}
#: How many cases a line of :func:`tally` names.
NAMED: Final = 5


@attrs.frozen
class LeftOut:
    """A fact of a case that the rebuild left out because the source put it out of order.

    Attributes:
        case: the incident's id.
        field: the record field left out (``acknowledged_at``, ``holds``...).
        reason: what was out of order, e.g. ``"acknowledgement before opening"``.
    """

    case: str
    field: str
    reason: str


def tally(left_out: Iterable[LeftOut]) -> list[str]:
    """What was left out, one line per reason, most frequent first, naming the first cases.

    >>> tally([LeftOut("INC0012345", "acknowledged_at", "acknowledgement before opening")])
    ['1 acknowledgement before opening, left out: INC0012345']
    """
    found: dict[str, list[str]] = {}
    for note in left_out:
        found.setdefault(note.reason, []).append(note.case)
    counts = Counter({reason: len(cases) for reason, cases in found.items()})
    lines = []
    for reason, count in counts.most_common():
        cases = found[reason]
        more = f" and {count - NAMED} more" if count > NAMED else ""
        lines.append(f"{count} {reason}, left out: {', '.join(cases[:NAMED])}{more}")
    return lines


class Rebuilt(list[Incident]):
    """The incidents rebuilt from a log (a list), with what was left out of them.

    Attributes:
        left_out: the facts the source put out of order, left out of their records, in the
            order of the cases.
    """

    def __init__(
        self, incidents: Iterable[Incident] = (), left_out: Iterable[LeftOut] = ()
    ) -> None:
        super().__init__(incidents)
        self.left_out: tuple[LeftOut, ...] = tuple(left_out)


def in_order(
    case: str,
    reported: datetime | None,
    values: dict[str, Any],
    stated: Mapping[str, datetime | None],
    notes: list[LeftOut],
) -> dict[str, datetime | None]:
    """The case's milestones, those the source put out of order left out (and noted).

    Of a pair out of order, the one the states gave goes, else the later; never the opening.
    Leaving a milestone out cannot put another pair out of order, so one pass over the rules
    leaves none.
    """
    found: dict[Milestone, datetime | None] = {
        m: values.pop(m.field, None) for m in Milestone if m is not Milestone.REPORTED
    }
    found.update((Milestone(field.removesuffix("_at")), at) for field, at in stated.items())
    found[Milestone.REPORTED] = reported
    from_state = {m for m in found if m.field not in stated} - {Milestone.REPORTED}
    for earlier, later in ORDER_RULES:
        first, then = found[earlier], found[later]
        if first is None or then is None or then >= first:
            continue
        gone, reason = gives_way(earlier, later, from_state)
        found[gone] = None
        notes.append(LeftOut(case, gone.field, reason))
    del found[Milestone.REPORTED]
    return {m.field: at for m, at in found.items() if at is not None}


def gives_way(
    earlier: Milestone, later: Milestone, from_state: Collection[Milestone]
) -> tuple[Milestone, str]:
    """Which of two milestones out of order is left out, and why.

    The one the states gave goes (a column beats a state), else the later; never the opening.
    """
    if later is not Milestone.REPORTED and (later in from_state or earlier not in from_state):
        return later, f"{NOUNS[later]} before {NOUNS[earlier]}"
    return earlier, f"{NOUNS[earlier]} after {NOUNS[later]}"


def holds_inside(
    case: str,
    reported: datetime,
    moments: Mapping[str, datetime | None],
    holds: list[Hold],
    notes: list[LeftOut],
) -> list[Hold]:
    """The holds within the time the incident was open (the others left out and noted)."""
    resolved = moments.get(Milestone.RESOLVED.field)
    kept = []
    for hold in holds:
        if hold.start < reported:
            notes.append(LeftOut(case, "holds", "hold before opening"))
        elif resolved is not None and (hold.end is None or hold.end > resolved):
            notes.append(LeftOut(case, "holds", "hold after resolution"))
        else:
            kept.append(hold)
    return kept
