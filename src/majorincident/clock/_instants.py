"""Aware instants: the one way a timestamp enters the library, and the arithmetic on them.

Public names here are the package's internals, shared by the modules that need them;
:mod:`majorincident.clock` re-exports the ones users get.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pendulum

from majorincident.errors import ConfigurationError, NaiveDateTimeError, TimelineError

#: The earliest instant the library accepts.
MIN_INSTANT: Final = pendulum.DateTime(1970, 1, 1, tzinfo=pendulum.UTC)
#: The latest instant the library accepts; a day short of the calendar's end, so that converting
#: any accepted instant to any timezone stays representable.
MAX_INSTANT: Final = pendulum.DateTime(9999, 12, 30, tzinfo=pendulum.UTC)

#: The epoch, as a standard aware datetime: instants become microseconds from it.
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MIN_UTC: Final = datetime(1970, 1, 1, tzinfo=UTC)
#: :data:`MAX_INSTANT` as a standard datetime.
MAX_UTC: Final = datetime(9999, 12, 30, tzinfo=UTC)
#: One microsecond, the resolution of every duration the library computes.
MICROSECOND: Final = timedelta(microseconds=1)


def show(value: object) -> str:
    """How an error message shows a value: instants in ISO form, text quoted, others typed."""
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
        known: datetime = EPOCH + _SUBTRACT(value, MIN_INSTANT)  # type: ignore[arg-type]
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
        if parsed.tzinfo is UTC and _MIN_UTC <= parsed <= MAX_UTC:
            return parsed
        return _to_utc(parsed, value, field)
    elif isinstance(value, datetime):
        return _to_utc(value, value, field)
    else:
        raise TimelineError(
            f"{field} ({show(value)}) is not a timestamp; "
            "expected an aware datetime or an ISO-8601 string with an offset"
        )
    if _MIN_UTC <= known <= MAX_UTC:
        return known
    raise _out_of_range(value, field)


def utc_all(values: Sequence[object], field: str) -> list[datetime | None]:
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
                and max(parsed) <= MAX_UTC
            ):
                return parsed  # type: ignore[return-value]
    return [None if value is None else utc(value, field=field) for value in values]  # type: ignore[arg-type]


_TZINFO: Final = attrgetter("tzinfo")


def _to_utc(parsed: datetime, value: object, field: str) -> datetime:
    """An aware datetime in any zone (or a naive one, refused) as a standard UTC datetime."""
    offset = parsed.utcoffset()
    if offset is None:
        raise NaiveDateTimeError(
            f"{field} ({show(value)}) has no UTC offset; "
            "give an aware datetime, or a string ending in Z or +HH:MM"
        )
    if offset:
        try:
            # The base-class method: pendulum's override converts ignoring `fold`.
            parsed = datetime.astimezone(parsed, UTC)
        except OverflowError:
            raise _out_of_range(value, field) from None
    if not _MIN_UTC <= parsed <= MAX_UTC:
        raise _out_of_range(value, field)
    if type(parsed) is not datetime or parsed.tzinfo is not UTC:
        # A subclass (pendulum) or another zero-offset zone: the same wall time, in UTC.
        parsed = datetime(*_wall(parsed), tzinfo=UTC)
    return parsed


#: datetime's subtraction, not pendulum's override: it returns a standard timedelta.
_SUBTRACT: Final[Callable[[datetime, datetime], timedelta]] = datetime.__sub__


def _out_of_range(value: object, field: str) -> TimelineError:
    return TimelineError(
        f"{field} ({show(value)}) is outside the supported range "
        f"{MIN_INSTANT.isoformat()} .. {MAX_INSTANT.isoformat()}"
    )


def micros(moment: datetime) -> int:
    """Microseconds since the epoch of an aware datetime, exact at any date."""
    return datetime.__sub__(moment, EPOCH) // MICROSECOND


def from_micros(moment_us: int) -> pendulum.DateTime:
    """The instant `moment_us` microseconds after the epoch, as a pendulum value in UTC."""
    return as_pendulum(EPOCH + timedelta(microseconds=moment_us))


def micro_duration(span_us: int) -> pendulum.Duration:
    """A duration of `span_us` microseconds, as pendulum hands durations out."""
    return pendulum.Duration(microseconds=span_us)


def checked_order(
    start: datetime | str, end: datetime | str, start_field: str, end_field: str
) -> tuple[int, int]:
    """Both instants in microseconds since the epoch, refusing an end before the start."""
    first = micros(instant(start, field=start_field))
    last = micros(instant(end, field=end_field))
    if last < first:
        raise TimelineError(
            f"{end_field} ({show(end)}) is before {start_field} ({show(start)}); "
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
    first, last = checked_order(start, end, start_field, end_field)
    return micro_duration(last - first)


def zone_name(value: object) -> str:
    """The IANA name of a zone given as a name or a ``ZoneInfo``; anything else is refused."""
    if isinstance(value, ZoneInfo):
        return value.key
    if isinstance(value, str):
        return value
    raise ConfigurationError(
        f"timezone ({show(value)}) is not an IANA timezone name such as 'Europe/Berlin'"
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
        f"{field} ({show(name)}) is not a known IANA timezone; expected e.g. 'Europe/Berlin'"
    )


#: IANA names are far shorter ("America/Argentina/ComodRivadavia" is 32): longer is refused.
_MAX_ZONE_NAME: Final = 64
