"""Hypothesis strategies and stateful tests for the library's values, for your tests and ours.

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

try:
    import hypothesis  # noqa: F401
except ImportError as error:
    raise ImportError(
        "majorincident.testing needs Hypothesis: pip install 'majorincident[testing]'"
    ) from error

from majorincident.testing.records import event_sequences, incidents, major_incidents, timelines
from majorincident.testing.stateful import lifecycle_test
from majorincident.testing.strategies import (
    ZONES,
    activities,
    aware_datetimes,
    calendars,
    priority_matrices,
    processes,
    raci_matrices,
    roles,
    rosters,
    stages,
)

__all__ = [
    "ZONES",
    "activities",
    "aware_datetimes",
    "calendars",
    "event_sequences",
    "incidents",
    "lifecycle_test",
    "major_incidents",
    "priority_matrices",
    "processes",
    "raci_matrices",
    "roles",
    "rosters",
    "stages",
    "timelines",
]
