"""Surge detection: an influx of reports about the same thing, inside a sliding window.

"Within the next 15 minutes you start getting an influx of tickets reporting the same issue": the
seed's first sign of a major incident. :func:`detect_surge` watches a stream of reports, from any
channel, and says the moment one key (a service, by default) reaches a threshold.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any, cast

import attrs
import pendulum

from majorincident._deprecated import renamed
from majorincident.clock import instant
from majorincident.clock._instants import MICROSECOND, micros
from majorincident.errors import ConfigurationError, NaiveDateTimeError, RecordError, TimelineError

__all__ = ["Channel", "Surge", "TicketReport", "detect_surge"]


class Channel(enum.Enum):
    """How a report reached the service desk: the seed asks for several channels."""

    EMAIL = "email"
    PORTAL = "portal"
    PHONE = "phone"
    HOTLINE = "hotline"
    CHAT = "chat"
    MONITORING = "monitoring"
    OTHER = "other"


def _at(value: datetime | str) -> pendulum.DateTime:
    return instant(value, field="at")


@attrs.frozen
class TicketReport:
    """One report of trouble: a ticket, a call, a chat, or a monitoring alert.

    Attributes:
        id: the ticket or alert identifier.
        at: when it was reported (aware; stored in UTC).
        service: what it is about.
        channel: how it came in.
    """

    id: str
    at: pendulum.DateTime = attrs.field(converter=_at)
    service: str
    channel: Channel = attrs.field(default=Channel.OTHER, converter=Channel)


@attrs.frozen
class Surge:
    """A burst of reports for one key that reached the threshold inside the window.

    Attributes:
        key: what the reports were about (the service, by default).
        first: the oldest report still inside the window when the threshold was reached.
        last: the report that reached the threshold.
        count: how many reports of that key were inside the window then.
        window: the window's length.
    """

    key: Hashable
    first: Any
    last: Any
    count: int
    window: timedelta


def _field(name: str) -> Callable[[Any], Any]:
    def read(report: object) -> object:
        # Attributes first: the common case pays no isinstance check against an ABC.
        try:
            return getattr(report, name)
        except AttributeError:
            if isinstance(report, Mapping) and name in report:
                return report[name]
        raise RecordError(f"report {report!r} has no field {name!r}")

    return read


def _micros(value: object) -> int:
    """Epoch microseconds of an aware datetime (fast path) or anything `instant` accepts."""
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise NaiveDateTimeError(f"at ({value.isoformat()}) has no UTC offset")
        return micros(value)
    return micros(instant(value, field="at"))  # type: ignore[arg-type]


def detect_surge(
    reports: Iterable[Any],
    *,
    window: timedelta,
    threshold: int,
    key: str | Callable[[Any], Hashable] = "service",
    at: str | Callable[[Any], Any] = "at",
    id: str | Callable[[Any], Any] = "id",  # noqa: A002 - the reports' own field name
) -> Iterator[Surge]:
    """Yield a :class:`Surge` the moment one key's reports inside the window reach `threshold`.

    Reports are :class:`TicketReport` values, any objects with ``id``, ``at`` and ``service``
    attributes, or mappings with those keys; `key`, `at` and `id` name other fields, or are
    functions of a report. ``at`` must be aware: a datetime, or an ISO-8601 string with an offset.

    The window is half-open: a report `window` old has left it. A key surges once per burst: not
    again until, when its next report arrives, fewer than `threshold` of its reports remain inside
    the window. One pass; memory holds only the reports inside the window.

    Args:
        reports: the reports, in time order (equal instants allowed).
        window: the sliding window's length, more than zero.
        threshold: how many reports make a surge, at least one.
        key: what reports are counted by.
        at: when each report came in.
        id: what names a report in error messages.

    Yields:
        One surge per burst per key, as soon as the threshold is reached.

    Raises:
        ConfigurationError: a window or threshold that is not positive.
        TimelineError: a report earlier than the one before it, naming both.
    """
    if not isinstance(cast("object", window), timedelta) or window <= timedelta(0):
        raise ConfigurationError(f"window ({window!r}) must be a positive timedelta")
    if (
        isinstance(threshold, bool)
        or not isinstance(cast("object", threshold), int)
        or threshold < 1
    ):
        raise ConfigurationError(f"threshold ({threshold!r}) must be a whole number >= 1")
    return _scan(
        reports,
        window=window,
        threshold=threshold,
        key_of=key if callable(key) else _field(key),
        at_of=at if callable(at) else _field(at),
        id_of=id if callable(id) else _field(id),
    )


def _scan(
    reports: Iterable[Any],
    *,
    window: timedelta,
    threshold: int,
    key_of: Callable[[Any], Hashable],
    at_of: Callable[[Any], Any],
    id_of: Callable[[Any], Any],
) -> Iterator[Surge]:
    span = window // MICROSECOND
    inside: dict[Hashable, deque[tuple[int, Any]]] = {}
    bursting: set[Hashable] = set()
    previous: tuple[int, Any] | None = None
    swept = None
    for report in reports:
        moment = _micros(at_of(report))
        if previous is not None and moment < previous[0]:
            raise TimelineError(
                f"report {id_of(report)!r} at {at_of(report)} comes after report "
                f"{id_of(previous[1])!r} at {at_of(previous[1])}, but is earlier; "
                "reports must be in time order"
            )
        previous = (moment, report)
        key = key_of(report)
        recent = inside.get(key)
        if recent is None:
            recent = inside[key] = deque()
        horizon = moment - span
        while recent and recent[0][0] <= horizon:
            recent.popleft()
        if len(recent) < threshold:
            bursting.discard(key)
        recent.append((moment, report))
        if len(recent) >= threshold and key not in bursting:
            bursting.add(key)
            yield Surge(key, recent[0][1], report, len(recent), window)
        # Forget keys that went quiet, once per window, so memory holds only the window.
        if swept is None or moment - swept >= span:
            swept = moment
            for quiet in [k for k, q in inside.items() if q[-1][0] <= horizon]:
                del inside[quiet]
                bursting.discard(quiet)


def __getattr__(name: str) -> object:
    """``Report``, the old name of :class:`TicketReport`, with a DeprecationWarning."""
    return renamed(__name__, name, {"Report": ("TicketReport", TicketReport)})
