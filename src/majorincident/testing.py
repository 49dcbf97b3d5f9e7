"""Hypothesis strategies for the library's values, for your tests and ours.

Install with the ``testing`` extra (``pip install majorincident[testing]``). Every strategy builds
its values constructively, so they never trip a validator: what they produce is always valid.

>>> from datetime import timedelta
>>> from hypothesis import given
>>> from majorincident.clock import instant
>>> @given(aware_datetimes())
... def test_instants_are_utc(moment):
...     assert instant(moment).utcoffset() == timedelta(0)
>>> test_instants_are_utc()
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Final
from zoneinfo import ZoneInfo

try:
    from hypothesis import strategies as st
except ImportError as error:  # pragma: no cover - exercised in a subprocess without hypothesis
    raise ImportError(
        "majorincident.testing needs Hypothesis: pip install 'majorincident[testing]'"
    ) from error

from majorincident.clock import WEEKDAYS, Calendar

__all__ = ["ZONES", "aware_datetimes", "calendars"]

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
    timezones = st.timezones() if zones is None else st.sampled_from([ZoneInfo(z) for z in zones])
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
