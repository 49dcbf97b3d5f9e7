"""Validators and converters that records share, so every constructor refuses nonsense alike.

Each refusal is the library's error naming the field and the value: a record built by hand and
one loaded from a document (``from_dict`` builds through the constructor) are checked the same.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import attrs
import pendulum

from majorincident.clock import instant
from majorincident.errors import RecordError

__all__ = [
    "at_least",
    "enum_member",
    "finite",
    "instant_or_none",
    "lone_surrogate",
    "probability",
    "text",
    "whole",
]

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def instant_or_none(value: datetime | str | None, field: str) -> pendulum.DateTime | None:
    """The instant `value` denotes (None kept), refusing naive and out-of-range ones.

    Records convert their optional instants with it, from a named converter per field (the
    form the type checker's attrs support reads); required ones use
    :func:`~majorincident.clock.instant`.

    Raises:
        NaiveDateTimeError: no UTC offset, naming `field`.
        TimelineError: not a timestamp, or outside the supported range, naming `field`.
    """
    return None if value is None else instant(value, field=field)


E = TypeVar("E", bound=enum.Enum)


def enum_member(kind: type[E], value: object, field: str) -> E:
    """The member of an enum with this value (or the member itself).

    Raises:
        RecordError: no member has that value, naming `field` and listing the values there are.
    """
    if isinstance(value, kind):
        return value
    try:
        return kind(value)
    except (ValueError, TypeError):
        expected = ", ".join(repr(m.value) for m in kind)
        raise RecordError(f"{field} ({value!r}) is not one of {expected}") from None


def lone_surrogate(value: str) -> str | None:
    """The first lone surrogate (U+D800 to U+DFFF) in `value`, which UTF-8 cannot hold, or None."""
    if value.isascii():
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        return value[error.start]
    return None


def text(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A non-empty string, not only white space."""
    if not isinstance(value, str) or not value.strip():
        raise RecordError(f"{attribute.name} ({value!r}) must be a non-empty string")


def whole(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A whole number of at least 0 (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RecordError(f"{attribute.name} ({value!r}) must be a whole number of at least 0")


def at_least(minimum: int) -> Validator:
    """A whole number of at least `minimum` (not a bool)."""

    def check(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise RecordError(
                f"{attribute.name} ({value!r}) must be a whole number of at least {minimum}"
            )

    return check


def finite(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A finite number, or None."""
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
    ):
        raise RecordError(f"{attribute.name} ({value!r}) must be a finite number")


def probability(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A probability from 0 to 1, or None."""
    finite(_instance, attribute, value)
    if value is not None and not 0 <= value <= 1:  # type: ignore[operator]
        raise RecordError(f"{attribute.name} ({value!r}) must be a probability from 0 to 1")
