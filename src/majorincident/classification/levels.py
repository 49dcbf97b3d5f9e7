"""Impact, urgency and priority: ordered by severity, parsed from what ITSM tools store."""

from __future__ import annotations

import enum
import re
from typing import Self

from majorincident.errors import ClassificationError

__all__ = ["Impact", "Priority", "Urgency"]

_DISPLAY = re.compile(r"\s*(\d+)\s*-\s*\S.*")


class _Level(enum.Enum):
    """A severity level: ``a > b`` means `a` is more severe than `b`.

    Members carry the numeric code ITSM tools store (1 is the most severe) and a title.
    """

    _code: int
    _title: str

    def __new__(cls, value: str, code: int, title: str) -> Self:
        member = object.__new__(cls)
        member._value_ = value
        member._code = code
        member._title = title
        return member

    @property
    def code(self) -> int:
        """The numeric code ITSM tools store: 1 is the most severe."""
        return self._code

    @property
    def title(self) -> str:
        """What people call the level."""
        return self._title

    @classmethod
    def parse(cls, value: object, *, field: str | None = None) -> Self:
        """Return the member for a member, value, name, numeric code or ``"1 - High"`` text.

        Args:
            value: what a tool stored: ``Impact.HIGH``, ``"high"``, ``"HIGH"``, ``1``, ``"1"``
                or ServiceNow's display value ``"1 - High"``.
            field: the name of the field in error messages; the type's name by default.

        Raises:
            ClassificationError: `value` is none of those.
        """
        if isinstance(value, cls):
            return value
        code: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            code = value
        elif isinstance(value, str):
            text = value.strip()
            display = _DISPLAY.fullmatch(text)
            if text.isdigit() or display:
                code = int(display[1] if display else text)
            for member in cls:
                if text.casefold() in (member.value.casefold(), member.name.casefold()):
                    return member
        for member in cls:
            if member.code == code:
                return member
        allowed = ", ".join(f"{m.value!r} ({m.code})" for m in cls)
        name = field or cls.__name__.lower()
        raise ClassificationError(
            f"{name} ({value!r}) is not a known {cls.__name__}; expected {allowed}"
        )

    @property
    def severity(self) -> int:
        """Larger is more severe."""
        return -self.code

    def _compare(self, other: object) -> int | None:
        if not isinstance(other, _Level) or type(other) is not type(self):
            return None
        return self.severity - other.severity

    def __lt__(self, other: object) -> bool:
        difference = self._compare(other)
        return NotImplemented if difference is None else difference < 0

    def __le__(self, other: object) -> bool:
        difference = self._compare(other)
        return NotImplemented if difference is None else difference <= 0

    def __gt__(self, other: object) -> bool:
        difference = self._compare(other)
        return NotImplemented if difference is None else difference > 0

    def __ge__(self, other: object) -> bool:
        difference = self._compare(other)
        return NotImplemented if difference is None else difference >= 0

    def __str__(self) -> str:
        return self.name


class Impact(_Level):
    """How much of the business is affected. ``Impact.HIGH > Impact.LOW``."""

    HIGH = ("high", 1, "High")
    MEDIUM = ("medium", 2, "Medium")
    LOW = ("low", 3, "Low")


class Urgency(_Level):
    """How quickly it must be resolved. ``Urgency.HIGH > Urgency.LOW``."""

    HIGH = ("high", 1, "High")
    MEDIUM = ("medium", 2, "Medium")
    LOW = ("low", 3, "Low")


class Priority(_Level):
    """P1 Critical to P5 Planning. ``Priority.P1 > Priority.P2``: more severe is greater."""

    P1 = ("P1", 1, "Critical")
    P2 = ("P2", 2, "High")
    P3 = ("P3", 3, "Moderate")
    P4 = ("P4", 4, "Low")
    P5 = ("P5", 5, "Planning")

    @classmethod
    def parse(cls, value: object, *, field: str | None = None) -> Priority:
        """Like the other levels, and the title too: ``"critical"`` is P1."""
        if isinstance(value, str):
            for member in cls:
                if value.strip().casefold() == member.title.casefold():
                    return member
        return super().parse(value, field=field)
