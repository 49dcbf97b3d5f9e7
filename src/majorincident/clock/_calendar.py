"""Business calendars: working hours per weekday in one timezone, minus holidays.

Every computation costs time proportional to the days spanned, never to the minutes.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Iterator, Mapping
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Final
from zoneinfo import ZoneInfo

import attrs
import pendulum

from majorincident.clock._instants import (
    EPOCH,
    MAX_INSTANT,
    MAX_UTC,
    MICROSECOND,
    checked_order,
    from_micros,
    instant,
    load_zone,
    micro_duration,
    micros,
    show,
    zone_name,
)
from majorincident.errors import ConfigurationError, TimelineError

#: Weekday names as :meth:`Calendar` accepts them, Monday first (``date.weekday()`` order).
WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_DAY: Final = timedelta(days=1)
_SECONDS_PER_DAY: Final = 86_400
#: How many consecutive days without working time `Calendar.add` crosses before giving up.
_MAX_IDLE_DAYS: Final = 3_660


_CLOCK_TIME = re.compile(r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?")


def _seconds_of_day(value: object, *, where: str) -> int:
    """Seconds after midnight of a window boundary: a `time` or an ``HH:MM[:SS]`` string."""
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise ConfigurationError(
                f"{where} ({value.isoformat()}) has a timezone; "
                "window times are wall-clock times in the calendar's timezone"
            )
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _SECONDS_PER_DAY:
        return value
    if isinstance(value, str) and (match := _CLOCK_TIME.fullmatch(value)):
        hours, minutes, seconds = int(match["h"]), int(match["m"]), int(match["s"] or 0)
        total = hours * 3600 + minutes * 60 + seconds
        if minutes < 60 and seconds < 60 and total <= _SECONDS_PER_DAY:
            return total
    raise ConfigurationError(
        f"{where} ({show(value)}) is not a time of day; expected a datetime.time, 'HH:MM' "
        "between '00:00' and '24:00', or seconds after midnight"
    )


def _weekday_index(key: object) -> int:
    if isinstance(key, int) and not isinstance(key, bool) and 0 <= key < len(WEEKDAYS):
        return key
    if isinstance(key, str):
        for index, name in enumerate(WEEKDAYS):
            if key.lower() in (name, name[:3]):
                return index
    raise ConfigurationError(
        f"hours key ({show(key)}) is not a weekday; expected 0 (Monday) to 6 (Sunday) "
        "or a name such as 'monday' or 'mon'"
    )


Window = tuple[int, int]
WeekHours = tuple[tuple[Window, ...], ...]


def _normalize_day(day: int, windows: Iterable[tuple[object, object]]) -> tuple[Window, ...]:
    name = WEEKDAYS[day]
    spans: list[Window] = []
    for window in windows:
        try:
            opens, closes = window
        except (TypeError, ValueError):
            raise ConfigurationError(
                f"hours[{name!r}] window ({window!r}) is not a (start, end) pair"
            ) from None
        start = _seconds_of_day(opens, where=f"hours[{name!r}] window start")
        end = _seconds_of_day(closes, where=f"hours[{name!r}] window end")
        if end <= start:
            raise ConfigurationError(
                f"hours[{name!r}] window {opens}-{closes} ends before it starts"
            )
        spans.append((start, end))
    spans.sort()
    for (_, earlier_end), (later_start, _) in pairwise(spans):
        if later_start < earlier_end:
            raise ConfigurationError(
                f"hours[{name!r}] has overlapping windows: one ends at "
                f"{_clock(earlier_end)} after the next starts at {_clock(later_start)}"
            )
    return tuple(spans)


def _clock(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours:02d}:{rest // 60:02d}"


def _normalize_hours(hours: object) -> WeekHours:
    """Turn weekday -> windows into seven sorted tuples of (start, end) seconds after midnight.

    A seven-tuple in that same form (as `Calendar.hours` holds it) is accepted too, so that
    ``attrs.evolve`` works.
    """
    if isinstance(hours, tuple) and len(hours) == len(WEEKDAYS):
        hours = dict(enumerate(hours))
    if not isinstance(hours, Mapping):
        raise ConfigurationError(
            f"hours ({show(hours)}) is not a mapping; expected weekday -> [(start, end), ...]"
        )
    week: list[tuple[Window, ...]] = [() for _ in WEEKDAYS]
    for key, windows in hours.items():
        day = _weekday_index(key)
        if week[day]:
            raise ConfigurationError(f"hours names {WEEKDAYS[day]!r} twice")
        week[day] = _normalize_day(day, windows)
    if not any(week):
        raise ConfigurationError("hours has no working time on any weekday")
    return tuple(week)


_FULL_DAY: Final = ((0, _SECONDS_PER_DAY),)


def _holidays(value: Container[date]) -> Container[date]:
    """A list or set of dates is frozen; tuples and computed calendars are kept as they are."""
    if isinstance(value, list | set):
        return frozenset(value)
    return value


@attrs.frozen(repr=False)
class Calendar:
    """When work happens: working windows per weekday in one IANA timezone, minus holidays.

    Windows are wall-clock times in the calendar's timezone, so a daylight-saving day keeps the
    same opening hours (and is an hour shorter or longer in absolute time when a transition falls
    inside a window). Every computation costs time proportional to the days spanned.

    Args:
        timezone: an IANA timezone name, or a :class:`zoneinfo.ZoneInfo`.
        hours: weekday (``0``-``6`` from Monday, or ``"monday"``/``"mon"``) -> windows, each a
            ``(start, end)`` pair of :class:`datetime.time` or ``"HH:MM"`` strings; ``"24:00"``
            ends a window at midnight. Several windows a day are allowed; they must not overlap.
        holidays: any container answering ``date in holidays`` in the calendar's timezone: dates
            (a list or set is kept as a frozenset), or a ``holidays`` package calendar, kept as it
            is (it fills itself year by year as it is asked, so it is the caller's to share).

    Raises:
        ConfigurationError: an unknown timezone, a window ending before it starts, overlapping
            windows, or no working time on any weekday.

    >>> berlin = Calendar.office_hours("Europe/Berlin", "09:00", "17:00")
    >>> berlin.elapsed("2024-06-07T16:00:00+02:00", "2024-06-10T10:00:00+02:00").in_hours()
    2
    """

    timezone: str = attrs.field(converter=zone_name)
    hours: WeekHours = attrs.field(converter=_normalize_hours)
    holidays: Container[date] = attrs.field(default=(), eq=False, converter=_holidays)
    _zone: ZoneInfo = attrs.field(init=False, eq=False)
    _always: bool = attrs.field(init=False, eq=False)

    def __attrs_post_init__(self) -> None:
        """Resolve the timezone once and note whether the calendar never stops."""
        object.__setattr__(self, "_zone", load_zone(self.timezone, field="timezone"))
        holidays = self.holidays
        # Only a known-empty builtin container allows the shortcut: the `holidays` package fills
        # its calendars lazily, so an empty-looking one may still answer True.
        no_holidays = isinstance(holidays, tuple | list | set | frozenset) and not holidays
        full_week = all(day == _FULL_DAY for day in self.hours)
        object.__setattr__(self, "_always", full_week and no_holidays)

    @classmethod
    def office_hours(
        cls,
        timezone: str | ZoneInfo,
        start: time | str = "09:00",
        end: time | str = "17:00",
        *,
        weekdays: Iterable[int | str] = range(5),
        holidays: Container[date] = (),
    ) -> Calendar:
        """Return a calendar with one window per working day, Monday to Friday by default.

        Args:
            timezone: an IANA timezone name.
            start: when the working day starts.
            end: when it ends.
            weekdays: the working days.
            holidays: dates that are not worked.

        Returns:
            The calendar.
        """
        return cls(timezone, {day: [(start, end)] for day in weekdays}, holidays)

    def __repr__(self) -> str:
        """Show the timezone and the windows as clock times."""
        days = ", ".join(
            f"{WEEKDAYS[day][:3]}: " + " ".join(f"{_clock(s)}-{_clock(e)}" for s, e in windows)
            for day, windows in enumerate(self.hours)
            if windows
        )
        return f"Calendar({self.timezone!r}, {{{days}}}, holidays={self.holidays!r})"

    def _local_date(self, moment_us: int) -> date:
        return (EPOCH + timedelta(microseconds=moment_us)).astimezone(self._zone).date()

    def _windows_on(self, day: date) -> Iterator[Window]:
        """The working windows of a local date, as instants in microseconds since the epoch."""
        spans = self.hours[day.weekday()]
        if not spans or day in self.holidays:
            return
        midnight = datetime(day.year, day.month, day.day, tzinfo=self._zone)
        for start, end in spans:
            # Wall-clock addition: the result takes the offset in force at that local time.
            opens = micros(midnight + timedelta(seconds=start))
            closes = micros(midnight + timedelta(seconds=end))
            yield opens, closes

    def elapsed(
        self,
        start: datetime | str,
        end: datetime | str,
        *,
        start_field: str = "start",
        end_field: str = "end",
    ) -> pendulum.Duration:
        """Return the working time between two instants.

        Args:
            start: an aware datetime or ISO-8601 string.
            end: an aware datetime or ISO-8601 string, not before `start`.
            start_field: the name of `start` in error messages.
            end_field: the name of `end` in error messages.

        Returns:
            The time inside working windows; never more than ``end - start``.

        Raises:
            TimelineError: `end` is before `start`, or either is not a usable timestamp.
        """
        first, last = checked_order(start, end, start_field, end_field)
        if self._always:
            return micro_duration(last - first)
        total = 0
        day = self._local_date(first)
        final_day = self._local_date(last)
        while day <= final_day:
            for opens, closes in self._windows_on(day):
                total += max(0, min(closes, last) - max(opens, first))
            day += _DAY
        return micro_duration(total)

    def add(self, start: datetime | str, duration: timedelta) -> pendulum.DateTime:
        """Return the earliest instant at which `duration` of working time has passed.

        Args:
            start: an aware datetime or ISO-8601 string.
            duration: the working time to add; zero gives `start` itself.

        Returns:
            The deadline, in UTC.

        Raises:
            TimelineError: `duration` is negative or not a timedelta, or the deadline falls past
                :data:`MAX_INSTANT`.
            ConfigurationError: the holidays leave no working time for ten years.
        """
        first = micros(instant(start, field="start"))
        if not isinstance(duration, timedelta):
            raise TimelineError(f"duration ({show(duration)}) is not a timedelta")
        remaining = duration // MICROSECOND
        if remaining < 0:
            raise TimelineError(
                f"duration ({duration}) is negative; a deadline cannot precede start"
            )
        if remaining == 0:
            return from_micros(first)
        if self._always:
            return self._bounded(first + remaining, duration)
        day = self._local_date(first)
        idle = 0
        while idle <= _MAX_IDLE_DAYS:
            if day > MAX_UTC.date():  # east of UTC, its last local day still has time
                break
            idle += 1
            for opens, closes in self._windows_on(day):
                idle = 0
                begin = max(opens, first)
                if closes > begin:
                    if remaining <= closes - begin:
                        return self._bounded(begin + remaining, duration)
                    remaining -= closes - begin
            day += _DAY
        else:
            raise ConfigurationError(
                f"holidays leave no working time in {_MAX_IDLE_DAYS} days after "
                f"{from_micros(first).isoformat()}"
            )
        raise self._beyond(duration)

    def _bounded(self, moment_us: int, duration: timedelta) -> pendulum.DateTime:
        if moment_us > micros(MAX_UTC):
            raise self._beyond(duration)
        return from_micros(moment_us)

    @staticmethod
    def _beyond(duration: timedelta) -> TimelineError:
        return TimelineError(
            f"duration ({duration}) puts the deadline past {MAX_INSTANT.isoformat()}"
        )

    def is_working(self, at: datetime | str) -> bool:
        """Return whether `at` falls inside a working window (start inclusive, end exclusive).

        Args:
            at: an aware datetime or ISO-8601 string.

        Returns:
            True during working time.
        """
        moment = micros(instant(at, field="at"))
        if self._always:
            return True
        return any(
            opens <= moment < closes for opens, closes in self._windows_on(self._local_date(moment))
        )


#: The 24x7 calendar: every instant is working time.
ALWAYS: Final = Calendar("UTC", {day: [("00:00", "24:00")] for day in range(len(WEEKDAYS))})
