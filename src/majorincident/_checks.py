"""Validators and converters that records share, so every constructor refuses nonsense alike.

Each refusal is the library's error naming the field and the value: a record built by hand and
one loaded from a document (``from_dict`` builds through the constructor) are checked the same.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeGuard, TypeVar

import attrs
import pendulum

from majorincident.clock import instant
from majorincident.errors import ConfigurationError, MajorIncidentError, RecordError

__all__ = [
    "at_least",
    "enum_member",
    "finite",
    "instant_or_none",
    "is_text",
    "keyed",
    "lone_surrogate",
    "nonempty",
    "probability",
    "text",
    "trimmed",
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


def enum_member(
    kind: type[E], value: object, field: str, error: type[MajorIncidentError] = RecordError
) -> E:
    """The member of an enum with this value (or the member itself).

    The one way the library reads an enum from what a caller passed, so that every refusal reads
    alike, whichever error the caller's domain raises.

    Raises:
        RecordError: (or `error`) no member has that value, naming `field`, the value, the enum
            and the values there are.
    """
    if isinstance(value, kind):
        return value
    try:
        return kind(value)
    except (ValueError, TypeError):
        expected = ", ".join(repr(m.value) for m in kind)
        raise error(
            f"{field} ({value!r}) is not {_a(kind.__name__)}; expected one of {expected}"
        ) from None


def _a(name: str) -> str:
    """`name` with its indefinite article: "a Stage", "an Activity"."""
    return f"an {name}" if name[0] in "AEIOU" else f"a {name}"


K = TypeVar("K")


def keyed(items: Iterable[K], expected: type[K], field: str) -> tuple[K, ...]:
    """`items` as a tuple, each one `expected`, no two with the same ``key``.

    Raises:
        ConfigurationError: an item of another type, or a key given twice, naming `field`.
    """
    found = tuple(items)
    seen: set[object] = set()
    for item in found:
        if not isinstance(item, expected):
            raise ConfigurationError(
                f"{field} holds {item!r}, which is not {_a(expected.__name__)}"
            )
        key = item.key  # type: ignore[attr-defined]
        if key in seen:
            kind = expected.__name__.lower()
            raise ConfigurationError(f"{field} names the {kind} {key!r} twice")
        seen.add(key)
    return found


def is_text(value: object) -> TypeGuard[str]:
    """Whether `value` is a string holding more than white space: what names and ids must be."""
    return isinstance(value, str) and bool(value.strip())


def nonempty(value: object, field: str, error: type[MajorIncidentError] = RecordError) -> str:
    """`value`, when it is a string holding more than white space.

    Raises:
        RecordError: (or `error`) anything else, naming `field` and the value.
    """
    # is_text's test, written out: the workflow makes this check for every event it replays.
    if isinstance(value, str) and value.strip():
        return value
    raise error(f"{field} ({value!r}) must be a non-empty string")


def trimmed(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A key or title: a non-empty string without leading or trailing spaces.

    Raises:
        ConfigurationError: anything else, naming the record type, the field and the value.
    """
    if not is_text(value) or value != value.strip():
        raise ConfigurationError(
            f"{type(instance).__name__}.{attribute.name} ({value!r}) must be a non-empty string "
            "without leading or trailing spaces"
        )


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
    nonempty(value, attribute.name)


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
