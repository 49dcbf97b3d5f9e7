"""Exercise the public API under mypy --strict: what users write must type-check."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pendulum

import majorincident
from majorincident import ALWAYS, Calendar, MajorIncidentError, duration_between, instant
from majorincident.testing import aware_datetimes, calendars

moment: pendulum.DateTime = instant(datetime(2024, 1, 1, tzinfo=UTC), field="reported_at")
parsed: pendulum.DateTime = instant("2024-01-01T09:00:00+01:00")
span: pendulum.Duration = duration_between(moment, parsed)
office: Calendar = Calendar.office_hours(
    "Europe/Berlin", "09:00", "17:00", holidays={date(2024, 1, 1)}
)
worked: pendulum.Duration = office.elapsed(moment, parsed, start_field="a", end_field="b")
deadline: pendulum.DateTime = office.add(moment, timedelta(hours=4))
working: bool = ALWAYS.is_working(moment)
custom = Calendar("UTC", {"mon": [("09:00", "24:00")], 2: [(0, 3600)]})
version: str = majorincident.__version__
strategy = aware_datetimes(zones=("UTC",))
calendar_strategy = calendars(holidays=False)

try:
    instant("2024-01-01")
except MajorIncidentError as error:
    message: str = str(error)
