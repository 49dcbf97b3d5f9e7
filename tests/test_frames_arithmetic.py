"""Tests that pin the dataframe engine's time arithmetic, beside the private module.

``frames/_engine.py`` turns instants into local periods with integer arithmetic on the
engines (offsets between a zone's transitions, period keys that sort like time). The public
functions are tested against the pure path in ``test_frames.py``; these check the two building
blocks directly against zoneinfo and the calendar, where a wrong transition or key order would
otherwise show only on the rare dates that cross them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from majorincident import kpi
from majorincident.frames import _engine


class TestEngineArithmetic:
    def test_transitions_match_zoneinfo(self) -> None:
        """Each offset change found is where zoneinfo says the offset changes."""
        first = _engine.US * int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())
        last = _engine.US * int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
        base, changes = _engine.transitions(ZoneInfo("Europe/Berlin"), first, last)
        assert base == 3600 * _engine.US
        assert [datetime.fromtimestamp(at / _engine.US, UTC) for at, _ in changes] == [
            datetime(2024, 3, 31, 1, tzinfo=UTC),
            datetime(2024, 10, 27, 1, tzinfo=UTC),
        ]

    def test_python_keys_follow_the_calendar(self) -> None:
        """Keys are monotonic in time, so sorting by key sorts periods chronologically."""
        days = [date(2023, 12, 31) + timedelta(days=n) for n in range(800)]
        for every in kpi.EVERY:
            keys = [_engine.python_key(day, every) for day in days]
            assert keys == sorted(keys)
