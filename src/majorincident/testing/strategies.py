"""Hypothesis strategies: aware instants, calendars, processes, roles, RACI and matrices."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from majorincident.classification import PriorityMatrix
from majorincident.clock import WEEKDAYS, Calendar
from majorincident.process import Activity, Process, Stage
from majorincident.roles import RaciMatrix, Responsibility, Role, Roster

__all__ = [
    "ZONES",
    "activities",
    "aware_datetimes",
    "calendars",
    "priority_matrices",
    "processes",
    "raci_matrices",
    "roles",
    "rosters",
    "stages",
]

#: Timezones that the strategies draw from by default. UTC, both hemispheres' daylight-saving
#: rules, half- and quarter-hour offsets, a half-hour DST shift, and zones with historical changes.
ZONES: Final = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/Los_Angeles",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tokyo",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Africa/Casablanca",
)

# Hypothesis takes naive wall-clock bounds; a day's margin keeps every zone inside the range.
_EARLIEST: Final = datetime(1970, 1, 2)  # noqa: DTZ001
_LATEST: Final = datetime(9999, 12, 28)  # noqa: DTZ001


# Built once: listing the available zones takes a while, and composites call us per draw.
_ALL_ZONES: Final = st.timezones()


def aware_datetimes(
    *,
    min_value: datetime = _EARLIEST,
    max_value: datetime = _LATEST,
    zones: tuple[str, ...] | None = None,
) -> st.SearchStrategy[datetime]:
    """Aware datetimes in many timezones, including repeated hours (``fold=1``).

    Imaginary wall-clock times (skipped by a daylight-saving gap) are never drawn, and every value
    is accepted by :func:`~majorincident.clock.instant`.

    Args:
        min_value: the earliest naive wall-clock time, at least a day after 1970-01-01.
        max_value: the latest naive wall-clock time, at least two days before 9999-12-30.
        zones: IANA timezone names to draw from; all available zones when None.

    Returns:
        A strategy for :class:`datetime.datetime` values with ``zoneinfo`` timezones.
    """
    timezones = _ALL_ZONES if zones is None else st.sampled_from([ZoneInfo(z) for z in zones])
    return st.datetimes(
        min_value=min_value, max_value=max_value, timezones=timezones, allow_imaginary=False
    )


@st.composite
def _day_windows(draw: st.DrawFn) -> tuple[tuple[time | str, time | str], ...]:
    """Sorted, non-overlapping windows inside one day, on whole minutes."""
    cuts = draw(st.lists(st.integers(0, 24 * 60), min_size=0, max_size=6, unique=True).map(sorted))
    windows = []
    for opens, closes in zip(cuts[::2], cuts[1::2], strict=False):
        windows.append((_minutes(opens), _minutes(closes)))
    return tuple(windows)


def _minutes(total: int) -> time | str:
    if total == 24 * 60:
        return "24:00"
    return time(total // 60, total % 60)


@st.composite
def calendars(
    draw: st.DrawFn,
    *,
    zones: tuple[str, ...] = ZONES,
    holidays: bool = True,
) -> Calendar:
    """Valid business calendars: random windows per weekday, a zone, and some holidays.

    Args:
        draw: supplied by Hypothesis.
        zones: IANA timezone names to draw from.
        holidays: whether to draw holidays (dates between 2000 and 2040).

    Returns:
        A strategy for :class:`~majorincident.clock.Calendar`.
    """
    hours = {day: draw(_day_windows()) for day in range(len(WEEKDAYS))}
    if not any(hours.values()):
        hours[draw(st.integers(0, len(WEEKDAYS) - 1))] = (("09:00", "17:00"),)
    dates = (
        draw(
            st.frozensets(
                st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)),
                max_size=20,
            )
        )
        if holidays
        else frozenset()
    )
    return Calendar(draw(st.sampled_from(zones)), hours, dates)


_LOWER: Final = "abcdefghijklmnopqrstuvwxyz"
_KEYS: Final = st.builds(
    str.__add__, st.sampled_from(_LOWER), st.text(_LOWER + "0123456789_", max_size=15)
)
# Titles of single-spaced words: they survive being written as a table and read back.
_WORDS: Final = st.builds(
    str.__add__,
    st.sampled_from(_LOWER + _LOWER.upper()),
    st.text(_LOWER + "0123456789", max_size=9),
)
_TITLES: Final = (
    st.lists(_WORDS, min_size=1, max_size=4)
    .map(" ".join)
    .filter(lambda title: not title.casefold().startswith("process"))
)


def _keys_and_titles(min_size: int, max_size: int) -> st.SearchStrategy[list[tuple[str, str]]]:
    """(key, title) pairs with distinct keys and titles distinct regardless of case."""
    return st.lists(
        st.tuples(_KEYS, _TITLES),
        min_size=min_size,
        max_size=max_size,
        unique_by=(lambda pair: pair[0], lambda pair: pair[1].casefold()),
    )


def stages(*, min_size: int = 1, max_size: int = 5) -> st.SearchStrategy[tuple[Stage, ...]]:
    """Distinct custom stages, in order.

    Args:
        min_size: the fewest stages.
        max_size: the most stages.

    Returns:
        A strategy for tuples of :class:`~majorincident.process.Stage`.
    """
    return _keys_and_titles(min_size, max_size).map(
        lambda pairs: tuple(Stage(key, title) for key, title in pairs)
    )


@st.composite
def activities(
    draw: st.DrawFn, *, stages: tuple[Stage, ...], min_size: int = 1, max_size: int = 10
) -> tuple[Activity, ...]:
    """Distinct activities, each in one of `stages`, with titles unique regardless of case.

    Args:
        draw: supplied by Hypothesis.
        stages: the stages the activities may belong to.
        min_size: the fewest activities.
        max_size: the most activities.

    Returns:
        A strategy for tuples of :class:`~majorincident.process.Activity`.
    """
    pairs = draw(_keys_and_titles(min_size, max_size))
    return tuple(Activity(key, title, draw(st.sampled_from(stages))) for key, title in pairs)


@st.composite
def processes(draw: st.DrawFn, *, max_stages: int = 5, max_activities: int = 10) -> Process:
    """Valid custom processes: ordered stages, activities in them, some of them required.

    Args:
        draw: supplied by Hypothesis.
        max_stages: the most stages.
        max_activities: the most activities.

    Returns:
        A strategy for :class:`~majorincident.process.Process`.
    """
    ordered = draw(stages(max_size=max_stages))
    steps = draw(activities(stages=ordered, min_size=0, max_size=max_activities))
    required = draw(st.frozensets(st.sampled_from(steps))) if steps else frozenset()
    return Process(ordered, steps, required)


def roles(*, min_size: int = 1, max_size: int = 6) -> st.SearchStrategy[tuple[Role, ...]]:
    """Distinct custom roles, with titles unique regardless of case.

    Args:
        min_size: the fewest roles.
        max_size: the most roles.

    Returns:
        A strategy for tuples of :class:`~majorincident.roles.Role`.
    """
    return _keys_and_titles(min_size, max_size).map(
        lambda pairs: tuple(Role(key, title) for key, title in pairs)
    )


_any_roles: Final = roles
_any_activities: Final = activities

_OTHER_LETTERS: Final = st.frozensets(
    st.sampled_from((Responsibility.CONSULTED, Responsibility.INFORMED)), max_size=2
)


@st.composite
def raci_matrices(
    draw: st.DrawFn,
    *,
    roles: tuple[Role, ...] | None = None,
    activities: tuple[Activity, ...] | None = None,
) -> RaciMatrix:
    """Valid RACI matrices: exactly one A and at least one R per activity.

    Args:
        draw: supplied by Hypothesis.
        roles: the columns; random roles when None.
        activities: the rows; random activities of a random process when None.

    Returns:
        A strategy for :class:`~majorincident.roles.RaciMatrix`.
    """
    columns = roles if roles is not None else draw(_any_roles())
    rows = (
        activities
        if activities is not None
        else draw(_any_activities(stages=draw(stages(max_size=3)), max_size=6))
    )
    cells: dict[Activity, dict[Role, frozenset[Responsibility]]] = {}
    for activity in rows:
        accountable = draw(st.sampled_from(columns))
        responsible = draw(st.frozensets(st.sampled_from(columns), min_size=1))
        row: dict[Role, frozenset[Responsibility]] = {}
        for role in columns:
            letters = (
                set(draw(_OTHER_LETTERS))
                if role not in responsible and role != accountable
                else set()
            )
            if role == accountable:
                letters.add(Responsibility.ACCOUNTABLE)
            if role in responsible:
                letters.add(Responsibility.RESPONSIBLE)
            row[role] = frozenset(letters)
        cells[activity] = row
    return RaciMatrix(columns, rows, cells)


_PEOPLE: Final = st.text(_LOWER, min_size=2, max_size=8)


@st.composite
def rosters(
    draw: st.DrawFn,
    *,
    roles: tuple[Role, ...],
    people: tuple[str, ...] | None = None,
    start: datetime = datetime(2024, 1, 1),  # noqa: DTZ001 - naive, read as UTC
    max_assignments: int = 12,
) -> Roster:
    """Rosters of hand-overs: people taking and renouncing roles over a day from `start` (UTC).

    Args:
        draw: supplied by Hypothesis.
        roles: the roles that may be held.
        people: who may hold them; random names when None.
        start: when the first role may be taken, read as UTC.
        max_assignments: the most assignments.

    Returns:
        A strategy for :class:`~majorincident.roles.Roster`.
    """
    names = (
        people
        if people is not None
        else tuple(draw(st.lists(_PEOPLE, min_size=1, max_size=6, unique=True)))
    )
    roster = Roster()
    origin = start.replace(tzinfo=UTC)
    for _ in range(draw(st.integers(0, max_assignments))):
        person = draw(st.sampled_from(names))
        role = draw(st.sampled_from(roles))
        assumed = origin + timedelta(minutes=draw(st.integers(0, 24 * 60)))
        if any(
            a.person == person
            and a.role == role
            and (a.renounced_at is None or a.renounced_at > assumed)
            for a in roster.assignments
        ):
            continue
        roster = roster.assign(person, role, at=assumed)
        if draw(st.booleans()):
            roster = roster.renounce(
                person, role, at=assumed + timedelta(minutes=draw(st.integers(0, 24 * 60)))
            )
    return roster


@st.composite
def priority_matrices(
    draw: st.DrawFn, *, max_levels: int = 5, max_priorities: int = 6
) -> PriorityMatrix[str, str, str]:
    """Valid custom priority matrices over the user's own levels (strings here).

    Cells are drawn from the least severe corner back, each no less severe than its neighbours
    of lower impact and lower urgency, so every matrix is complete and monotone.

    Args:
        draw: supplied by Hypothesis.
        max_levels: the most impact (and urgency) levels.
        max_priorities: the most priority levels.

    Returns:
        A strategy for :class:`~majorincident.classification.PriorityMatrix`.
    """
    impacts = [f"I{n}" for n in range(1, draw(st.integers(1, max_levels)) + 1)]
    urgencies = [f"U{n}" for n in range(1, draw(st.integers(1, max_levels)) + 1)]
    priorities = [f"P{n}" for n in range(1, draw(st.integers(1, max_priorities)) + 1)]
    rank: dict[tuple[int, int], int] = {}
    for i in reversed(range(len(impacts))):
        for u in reversed(range(len(urgencies))):
            ceiling = min(
                rank.get((i + 1, u), len(priorities) - 1),
                rank.get((i, u + 1), len(priorities) - 1),
            )
            rank[(i, u)] = draw(st.integers(0, ceiling))
    cells = {(impacts[i], urgencies[u]): priorities[r] for (i, u), r in rank.items()}
    return PriorityMatrix(impacts, urgencies, priorities, cells)
