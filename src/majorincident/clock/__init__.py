"""Aware instants and business calendars.

Every timestamp that enters the library goes through :func:`instant`: it must carry a UTC offset,
and it is stored as a :class:`pendulum.DateTime` in UTC. Order and durations are computed on
instants, never on wall-clock readings, so daylight-saving transitions and repeated hours cannot
reorder events.

A :class:`Calendar` says when work happens (hours per weekday in one IANA timezone, minus holidays)
so that service levels can count business time. :data:`ALWAYS` is the 24x7 calendar.
"""

from __future__ import annotations

from majorincident.clock._calendar import ALWAYS, WEEKDAYS, Calendar
from majorincident.clock._instants import (
    MAX_INSTANT,
    MIN_INSTANT,
    as_pendulum,
    duration_between,
    instant,
    load_zone,
    utc,
)

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
