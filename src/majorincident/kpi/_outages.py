"""Downtime, availability, MTBF and MTBSI over an observation window.

An outage runs from STARTED (or REPORTED when the start is unknown) to RESOLVED (or the window's
end while still open). Overlapping outages are merged, and everything is clipped to the window,
so downtime never exceeds the window nor the sum of the outages, and duplicated or reordered
records change nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime

import pendulum

from majorincident.clock import utc
from majorincident.errors import TimelineError
from majorincident.incident import EXCLUDED_KINDS, Incident, Milestone

__all__ = ["availability", "downtime", "mtbf", "mtbsi"]

Window = tuple[datetime | str, datetime | str]
_STARTED, _REPORTED, _RESOLVED = (
    m.index for m in (Milestone.STARTED, Milestone.REPORTED, Milestone.RESOLVED)
)


def window_bounds(window: Window) -> tuple[datetime, datetime]:
    first = utc(window[0], field="window start")
    last = utc(window[1], field="window end")
    if last <= first:
        raise TimelineError(
            f"window end ({last.isoformat()}) is not after window start ({first.isoformat()})"
        )
    return first, last


def _outages(
    incidents: Iterable[Incident], end: datetime
) -> Iterator[tuple[str | None, datetime, datetime]]:
    """(service, begin, finish) of every outage that is not a test or a drill."""
    for incident in incidents:
        if incident.kind in EXCLUDED_KINDS:
            continue
        instants = incident.instants
        begin = instants[_STARTED] or instants[_REPORTED]
        if begin is None:
            continue
        finish = instants[_RESOLVED] or max(end, begin)
        yield incident.service, begin, finish


def _union(intervals: list[tuple[datetime, datetime]], first: datetime, last: datetime) -> float:
    """Seconds covered by the intervals, merged and clipped to [first, last]."""
    covered = 0.0
    reach = first
    for begin, finish in sorted(intervals):
        lower, upper = max(begin, reach), min(finish, last)
        if upper > lower:
            covered += (upper - lower).total_seconds()
            reach = upper
    return covered


def _by_service(
    incidents: Iterable[Incident], first: datetime, last: datetime
) -> dict[str | None, tuple[float, int]]:
    """Service -> (downtime seconds, failures starting in the window)."""
    grouped: dict[str | None, list[tuple[datetime, datetime]]] = defaultdict(list)
    for service, begin, finish in _outages(incidents, last):
        grouped[service].append((begin, finish))
    return {
        service: (
            _union(intervals, first, last),
            sum(1 for begin, _ in intervals if first <= begin < last),
        )
        for service, intervals in grouped.items()
    }


def _totals(
    incidents: Iterable[Incident], window: Window, by_service: bool
) -> tuple[float, dict[str | None, tuple[float, int]]]:
    first, last = window_bounds(window)
    length = (last - first).total_seconds()
    if by_service:
        return length, _by_service(incidents, first, last)
    intervals = [(begin, finish) for _, begin, finish in _outages(incidents, last)]
    failures = sum(1 for begin, _ in intervals if first <= begin < last)
    return length, {None: (_union(intervals, first, last), failures)}


def downtime(
    incidents: Iterable[Incident], *, window: Window, by_service: bool = False
) -> pendulum.Duration | dict[str | None, pendulum.Duration]:
    """The time inside the window during which some outage was going on.

    Args:
        incidents: the records; tests and drills are left out.
        window: (start, end) of the observation window, aware.
        by_service: one figure per service instead of one in all.

    Raises:
        TimelineError: the window ends before it starts.
    """
    _, totals = _totals(incidents, window, by_service)
    values = {service: pendulum.Duration(seconds=down) for service, (down, _) in totals.items()}
    return values if by_service else values.get(None, pendulum.Duration())


def availability(
    incidents: Iterable[Incident], *, window: Window, by_service: bool = False
) -> float | dict[str | None, float]:
    """The share of the window without an outage, from 0 to 1."""
    length, totals = _totals(incidents, window, by_service)
    values = {service: 1 - down / length for service, (down, _) in totals.items()}
    return values if by_service else values.get(None, 1.0)


def mtbf(
    incidents: Iterable[Incident], *, window: Window, by_service: bool = False
) -> pendulum.Duration | dict[str | None, pendulum.Duration | None] | None:
    """Mean time between failures: uptime in the window / failures starting in it.

    None (undefined) when no failure starts in the window.
    """
    length, totals = _totals(incidents, window, by_service)
    values = {
        service: pendulum.Duration(seconds=(length - down) / failures) if failures else None
        for service, (down, failures) in totals.items()
    }
    return values if by_service else values.get(None)


def mtbsi(
    incidents: Iterable[Incident], *, window: Window, by_service: bool = False
) -> pendulum.Duration | dict[str | None, pendulum.Duration | None] | None:
    """Mean time between service incidents: the window / failures starting in it (MTBF + MTRS).

    None (undefined) when no failure starts in the window.
    """
    length, totals = _totals(incidents, window, by_service)
    values = {
        service: pendulum.Duration(seconds=length / failures) if failures else None
        for service, (_, failures) in totals.items()
    }
    return values if by_service else values.get(None)
