"""Values as exports write them: timestamps, and the tokens that stand for a missing value.

A timestamp may follow a date format, be a wall time in a zone, fall in the hour shown twice.

One reader for the loader of the command line and for :func:`from_event_log
<majorincident.interop.from_event_log>`, so that both read a file's times alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from majorincident.errors import ConfigurationError, TimelineError

__all__ = ["AMBIGUOUS", "NULLS", "WallClock"]

#: How a wall time shown twice (the hour clocks go back) may be read.
AMBIGUOUS: Final = ("earlier", "later", "refuse")
#: What stands for a missing value by default; an empty field always does.
NULLS: Final = frozenset({"", "NULL", "null", "N/A"})


class WallClock:
    """How a timestamp column's text becomes what the record takes.

    With `date_format` the text must match it (``strptime``); without, it is ISO-8601 (which
    includes ServiceNow's ``YYYY-MM-DD HH:MM:SS``). A wall time without an offset is read in
    `zone`; without a zone the record refuses it, naming the field. A wall time the zone
    repeats (the hour clocks go back) is read as `ambiguous` says, and remembered in `noted`
    so that a refusal of its row can say how it was read.
    """

    def __init__(
        self, zone: ZoneInfo | None, date_format: str | None, ambiguous: str = "earlier"
    ) -> None:
        if ambiguous not in AMBIGUOUS:
            raise ConfigurationError(
                f"ambiguous ({ambiguous!r}) must be one of {', '.join(AMBIGUOUS)}"
            )
        self.zone, self.date_format, self.ambiguous = zone, date_format, ambiguous
        self.noted: list[str] = []

    def read(self, field: str, value: str) -> object:
        """The instant (or the text, for the record to read or refuse) of `field`'s `value`."""
        if self.date_format is not None:
            try:
                moment = datetime.strptime(value, self.date_format)  # noqa: DTZ007 - zone below
            except ValueError:
                raise TimelineError(
                    f"{field} ({value!r}) does not match the date format {self.date_format!r}"
                ) from None
        elif self.zone is None:
            return value
        else:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return value
        if moment.tzinfo is None and self.zone is not None:
            return self._localized(field, value, moment, self.zone)
        return moment

    def _localized(self, field: str, value: str, wall: datetime, zone: ZoneInfo) -> datetime:
        earlier, later = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
        if earlier.utcoffset() == later.utcoffset():
            return earlier
        if self.ambiguous == "refuse":
            raise TimelineError(
                f"{field} ({value!r}) is ambiguous in {zone.key}: the clocks showed it twice "
                f"({_offset(earlier)} and {_offset(later)}); say which with --ambiguous"
            )
        chosen = earlier if self.ambiguous == "earlier" else later
        self.noted.append(
            f"{field} ({value!r}) was ambiguous in {zone.key} and read as {_offset(chosen)}, "
            f"the {self.ambiguous} of {_offset(earlier)} and {_offset(later)} "
            "(--ambiguous earlier, later or refuse)"
        )
        return chosen


def _offset(moment: datetime) -> str:
    """A moment's UTC offset as +HH:MM."""
    return moment.isoformat()[-6:]
