"""Aware instants and business calendars.

Every timestamp that enters the library goes through :func:`instant`: it must carry a UTC offset,
and it is stored as a :class:`pendulum.DateTime` in UTC. Order and durations are computed on
instants, never on wall-clock readings, so daylight-saving transitions and repeated hours cannot
reorder events.

A :class:`Calendar` says when work happens (hours per weekday in one IANA timezone, minus holidays)
so that service levels can count business time. :data:`ALWAYS` is the 24x7 calendar.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from operator import attrgetter
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
import pendulum

from majorincident.errors import ConfigurationError, NaiveDateTimeError, TimelineError

__all__ = [
    "ALWAYS",
    "MAX_INSTANT",
    "MIN_INSTANT",
    "WEEKDAYS",
    "Calendar",
    "as_pendulum",
    "duration_between",
    "instant",
    "load_zone",
    "utc",
]

#: The earliest instant the library accepts.
MIN_INSTANT: Final = pendulum.DateTime(1970, 1, 1, tzinfo=pendulum.UTC)
#: The latest instant the library accepts; a day short of the calendar's end, so that converting
#: any accepted instant to any timezone stays representable.
MAX_INSTANT: Final = pendulum.DateTime(9999, 12, 30, tzinfo=pendulum.UTC)

#: Weekday names as :meth:`Calendar` accepts them, Monday first (``date.weekday()`` order).
WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MIN_UTC: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_UTC: Final = datetime(9999, 12, 30, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)
_DAY: Final = timedelta(days=1)
_SECONDS_PER_DAY: Final = 86_400
_US_PER_SECOND: Final = 1_000_000
#: How many consecutive days without working time `Calendar.add` crosses before giving up.
_MAX_IDLE_DAYS: Final = 3_660


def _show(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return repr(value)
    return f"{value!r} of type {type(value).__name__}"


def instant(value: datetime | str, *, field: str = "value") -> pendulum.DateTime:
    """Return the instant `value` denotes, as a :class:`pendulum.DateTime` in UTC.

    Args:
        value: an aware :class:`~datetime.datetime` (``zoneinfo``, fixed offset or pendulum) or an
            ISO-8601 string with an offset or ``Z``.
        field: the name to use for `value` in error messages.

    Returns:
        The same instant in UTC. Repeated wall-clock hours are told apart by ``fold``.

    Raises:
        NaiveDateTimeError: `value` has no UTC offset.
        TimelineError: `value` is not a datetime or a parseable string, or lies outside
            :data:`MIN_INSTANT` .. :data:`MAX_INSTANT`.

    >>> instant("2019-07-02T15:42:00+02:00", field="started")
    DateTime(2019, 7, 2, 13, 42, 0, tzinfo=Timezone('UTC'))
    """
    return as_pendulum(utc(value, field=field))


def as_pendulum(moment: datetime) -> pendulum.DateTime:
    """Return a UTC datetime (as :func:`utc` gives) as a :class:`pendulum.DateTime`."""
    # Positional arguments: pendulum's constructor is twice as slow with tzinfo= as a keyword.
    return pendulum.DateTime(*_wall(moment), pendulum.UTC)


def _wall(moment: datetime) -> tuple[int, int, int, int, int, int, int]:
    """The wall-clock fields of a datetime, down to the microsecond."""
    return (
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
        moment.microsecond,
    )


def utc(value: datetime | str, *, field: str = "value") -> datetime:
    """Like :func:`instant`, but return a standard-library :class:`~datetime.datetime` in UTC.

    The fast path for bulk data: pendulum values cost several times more to build. Records keep
    these and hand out pendulum values when asked.

    Raises:
        NaiveDateTimeError: `value` has no UTC offset.
        TimelineError: `value` is unusable or out of range.
    """
    kind = type(value)
    if kind is pendulum.DateTime and value.tzinfo is pendulum.UTC:  # type: ignore[union-attr]
        # What instant() returns: the base class's subtraction from the epoch in the same zone
        # is exact and in C, and so is adding the difference to the standard epoch; a third of
        # the cost of the constructor. Comparing a pendulum value with a standard one instead
        # would go through Python code.
        known: datetime = _EPOCH + _SUBTRACT(value, MIN_INSTANT)  # type: ignore[arg-type]
    elif kind is datetime and value.tzinfo is UTC:  # type: ignore[union-attr]
        known = value  # type: ignore[assignment]
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise TimelineError(
                f"{field} ({value!r}) is not an ISO-8601 timestamp; "
                "expected e.g. '2024-01-01T09:00:00+00:00'"
            ) from None
        # The common case of exports, '...Z', needs no conversion at all.
        if parsed.tzinfo is UTC and _MIN_UTC <= parsed <= _MAX_UTC:
            return parsed
        return _to_utc(parsed, value, field)
    elif isinstance(value, datetime):
        return _to_utc(value, value, field)
    else:
        raise TimelineError(
            f"{field} ({_show(value)}) is not a timestamp; "
            "expected an aware datetime or an ISO-8601 string with an offset"
        )
    if _MIN_UTC <= known <= _MAX_UTC:
        return known
    raise _out_of_range(value, field)


def _utc_all(values: Sequence[object], field: str) -> list[datetime | None]:
    """:func:`utc` of every value (None stays None), in bulk.

    A column of ISO-8601 strings in UTC, as exports write them, is parsed and checked by
    builtins over the whole column; anything else goes value by value through :func:`utc`.

    Raises:
        NaiveDateTimeError, TimelineError: as :func:`utc`, for the first value it refuses.
    """
    if None not in values:
        try:
            parsed = list(map(datetime.fromisoformat, values))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            pass
        else:
            if (
                set(map(_TZINFO, parsed)) == {UTC}
                and min(parsed) >= _MIN_UTC
                and max(parsed) <= _MAX_UTC
            ):
                return parsed  # type: ignore[return-value]
    return [None if value is None else utc(value, field=field) for value in values]  # type: ignore[arg-type]


_TZINFO: Final = attrgetter("tzinfo")


def _to_utc(parsed: datetime, value: object, field: str) -> datetime:
    """An aware datetime in any zone (or a naive one, refused) as a standard UTC datetime."""
    offset = parsed.utcoffset()
    if offset is None:
        raise NaiveDateTimeError(
            f"{field} ({_show(value)}) has no UTC offset; "
            "give an aware datetime, or a string ending in Z or +HH:MM"
        )
    if offset:
        try:
            # The base-class method: pendulum's override converts ignoring `fold`.
            parsed = datetime.astimezone(parsed, UTC)
        except OverflowError:
            raise _out_of_range(value, field) from None
    if not _MIN_UTC <= parsed <= _MAX_UTC:
        raise _out_of_range(value, field)
    if type(parsed) is not datetime or parsed.tzinfo is not UTC:
        # A subclass (pendulum) or another zero-offset zone: the same wall time, in UTC.
        parsed = datetime(*_wall(parsed), tzinfo=UTC)
    return parsed


#: datetime's subtraction, not pendulum's override: it returns a standard timedelta.
_SUBTRACT: Final[Callable[[datetime, datetime], timedelta]] = datetime.__sub__


def _out_of_range(value: object, field: str) -> TimelineError:
    return TimelineError(
        f"{field} ({_show(value)}) is outside the supported range "
        f"{MIN_INSTANT.isoformat()} .. {MAX_INSTANT.isoformat()}"
    )


def _micros(moment: datetime) -> int:
    """Microseconds since the epoch of an aware datetime, exact at any date."""
    return datetime.__sub__(moment, _EPOCH) // _MICROSECOND


def _from_micros(micros: int) -> pendulum.DateTime:
    return as_pendulum(_EPOCH + timedelta(microseconds=micros))


def _duration(micros: int) -> pendulum.Duration:
    return pendulum.Duration(microseconds=micros)


def _checked_order(
    start: datetime | str, end: datetime | str, start_field: str, end_field: str
) -> tuple[int, int]:
    first = _micros(instant(start, field=start_field))
    last = _micros(instant(end, field=end_field))
    if last < first:
        raise TimelineError(
            f"{end_field} ({_show(end)}) is before {start_field} ({_show(start)}); "
            "a duration cannot be negative"
        )
    return first, last


def duration_between(
    start: datetime | str,
    end: datetime | str,
    *,
    start_field: str = "start",
    end_field: str = "end",
) -> pendulum.Duration:
    """Return the exact time from `start` to `end`, computed on instants.

    Args:
        start: an aware datetime or ISO-8601 string.
        end: an aware datetime or ISO-8601 string, not before `start`.
        start_field: the name of `start` in error messages.
        end_field: the name of `end` in error messages.

    Returns:
        The duration; zero when both are the same instant.

    Raises:
        TimelineError: `end` is before `start`, naming both fields.

    >>> from zoneinfo import ZoneInfo
    >>> london = ZoneInfo("Europe/London")
    >>> duration_between(
    ...     datetime(2024, 3, 31, 0, 30, tzinfo=london), datetime(2024, 3, 31, 3, 30, tzinfo=london)
    ... ).in_hours()
    2
    """
    first, last = _checked_order(start, end, start_field, end_field)
    return _duration(last - first)


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
        f"{where} ({_show(value)}) is not a time of day; expected a datetime.time, 'HH:MM' "
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
        f"hours key ({_show(key)}) is not a weekday; expected 0 (Monday) to 6 (Sunday) "
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
            f"hours ({_show(hours)}) is not a mapping; expected weekday -> [(start, end), ...]"
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


def _zone_name(value: object) -> str:
    if isinstance(value, ZoneInfo):
        return value.key
    if isinstance(value, str):
        return value
    raise ConfigurationError(
        f"timezone ({_show(value)}) is not an IANA timezone name such as 'Europe/Berlin'"
    )


def load_zone(name: object, *, field: str = "tz") -> ZoneInfo:
    """The IANA timezone `name`, or a ConfigurationError naming `field` and the value.

    The one timezone lookup of the library: a name that is not a string, unknown, malformed, too
    long for the file system, or a folder of the zone database (``"America"``) is refused.

    >>> load_zone("Europe/Berlin")
    zoneinfo.ZoneInfo(key='Europe/Berlin')
    >>> load_zone("America", field="tz")
    Traceback (most recent call last):
    ...
    majorincident.errors.ConfigurationError: tz ('America') is not a known IANA timezone; ...
    """
    if isinstance(name, str) and 0 < len(name) <= _MAX_ZONE_NAME:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass  # unknown, malformed, or a directory of the database
    raise ConfigurationError(
        f"{field} ({_show(name)}) is not a known IANA timezone; expected e.g. 'Europe/Berlin'"
    )


#: IANA names are far shorter ("America/Argentina/ComodRivadavia" is 32): longer is refused.
_MAX_ZONE_NAME: Final = 64


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

    timezone: str = attrs.field(converter=_zone_name)
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

    def _local_date(self, micros: int) -> date:
        return (_EPOCH + timedelta(microseconds=micros)).astimezone(self._zone).date()

    def _windows_on(self, day: date) -> Iterator[Window]:
        """The working windows of a local date, as instants in microseconds since the epoch."""
        spans = self.hours[day.weekday()]
        if not spans or day in self.holidays:
            return
        midnight = datetime(day.year, day.month, day.day, tzinfo=self._zone)
        for start, end in spans:
            # Wall-clock addition: the result takes the offset in force at that local time.
            opens = _micros(midnight + timedelta(seconds=start))
            closes = _micros(midnight + timedelta(seconds=end))
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
        first, last = _checked_order(start, end, start_field, end_field)
        if self._always:
            return _duration(last - first)
        total = 0
        day = self._local_date(first)
        final_day = self._local_date(last)
        while day <= final_day:
            for opens, closes in self._windows_on(day):
                total += max(0, min(closes, last) - max(opens, first))
            day += _DAY
        return _duration(total)

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
        first = _micros(instant(start, field="start"))
        if not isinstance(duration, timedelta):
            raise TimelineError(f"duration ({_show(duration)}) is not a timedelta")
        remaining = duration // _MICROSECOND
        if remaining < 0:
            raise TimelineError(
                f"duration ({duration}) is negative; a deadline cannot precede start"
            )
        if remaining == 0:
            return _from_micros(first)
        if self._always:
            return self._bounded(first + remaining, duration)
        day = self._local_date(first)
        idle = 0
        while idle <= _MAX_IDLE_DAYS:
            if day > _MAX_UTC.date():  # east of UTC, its last local day still has time
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
                f"{_from_micros(first).isoformat()}"
            )
        raise self._beyond(duration)

    def _bounded(self, micros: int, duration: timedelta) -> pendulum.DateTime:
        if micros > _micros(_MAX_UTC):
            raise self._beyond(duration)
        return _from_micros(micros)

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
        moment = _micros(instant(at, field="at"))
        if self._always:
            return True
        return any(
            opens <= moment < closes for opens, closes in self._windows_on(self._local_date(moment))
        )


#: The 24x7 calendar: every instant is working time.
ALWAYS: Final = Calendar("UTC", {day: [("00:00", "24:00")] for day in range(len(WEEKDAYS))})
