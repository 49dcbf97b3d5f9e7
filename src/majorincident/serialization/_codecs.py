"""Codecs: how each kind of value goes to JSON, comes back strictly, and is described in a schema.

A codec refuses with :class:`~majorincident.errors.RecordError` naming the JSON path of the bad
value (see :mod:`majorincident.serialization._paths`). This module holds the base class and the
codecs of single values; :mod:`majorincident.serialization._containers` those of values that
hold others.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

import pendulum

from majorincident.clock import instant
from majorincident.clock._instants import MICROSECOND
from majorincident.errors import MajorIncidentError, RecordError
from majorincident.serialization._paths import Json, Path, fail, render, show

# -- codecs: one per kind of value, each dumping, loading and describing it ------------------------


class Codec:
    """How one kind of value goes to JSON, comes back, and is described in a JSON Schema."""

    #: Whether dumped values are JSON strings (so that they can be keys of an object).
    is_text = False

    def dump(self, value: Any, path: Path) -> Json:  # noqa: ANN401 - any value of the kind
        raise NotImplementedError

    def load(self, data: Json, path: Path) -> Any:  # noqa: ANN401 - any value of the kind
        raise NotImplementedError

    def schema(self) -> dict[str, Json]:
        raise NotImplementedError


class Scalar(Codec):
    """str, int, float or bool: the JSON type must match exactly (no 5 for "5", no True for 1)."""

    def __init__(self, kind: type, json_type: str) -> None:
        self.kind, self.json_type = kind, json_type
        self.is_text = kind is str

    def dump(self, value: Any, _path: Path) -> Json:  # noqa: ANN401
        if self.kind is float:
            return float(value)
        return value

    def load(self, data: Json, path: Path) -> Any:  # noqa: ANN401
        if self.kind is float and type(data) in (int, float):
            try:
                number = float(data)
            except OverflowError:
                number = math.inf
            if not math.isfinite(number):
                fail(path, f"{show(data)} is not a finite number")
            return number
        if type(data) is not self.kind:
            fail(path, f"{show(data)} is not {_ARTICLE[self.json_type]}")
        return data

    def schema(self) -> dict[str, Json]:
        return {"type": self.json_type}


_ARTICLE: Final = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
}


class Optional(Codec):
    def __init__(self, inner: Codec) -> None:
        self.inner = inner

    def dump(self, value: Any, path: Path) -> Json:  # noqa: ANN401
        return None if value is None else self.inner.dump(value, path)

    def load(self, data: Json, path: Path) -> Any:  # noqa: ANN401
        return None if data is None else self.inner.load(data, path)

    def schema(self) -> dict[str, Json]:
        return {"anyOf": [self.inner.schema(), {"type": "null"}]}


class EnumCodec(Codec):
    def __init__(self, kind: type[enum.Enum]) -> None:
        self.kind = kind
        self.members = {member.value: member for member in kind}
        self.is_text = all(isinstance(value, str) for value in self.members)

    def dump(self, value: Any, _path: Path) -> Json:  # noqa: ANN401
        return value.value

    def load(self, data: Json, path: Path) -> Any:  # noqa: ANN401
        if type(data) in (str, int) and data in self.members:
            return self.members[data]
        allowed = ", ".join(repr(value) for value in self.members)
        return fail(path, f"{show(data)} is not one of the {self.kind.__name__} values: {allowed}")

    def schema(self) -> dict[str, Json]:
        return {"enum": list(self.members)}


class Instant(Codec):
    """Timestamps: ISO-8601 in UTC out; any ISO-8601 string with an offset in; pendulum back."""

    is_text = True

    def dump(self, value: Any, path: Path) -> Json:  # noqa: ANN401
        kind = type(value)
        if (kind is datetime and value.tzinfo is UTC) or (
            kind is pendulum.DateTime and value.tzinfo is pendulum.UTC
        ):
            # What records hold, checked when they were built: both write "+00:00".
            return value.isoformat()
        return instant(value, field=render(path)).isoformat()

    def load(self, data: Json, path: Path) -> Any:  # noqa: ANN401
        if type(data) is not str:
            fail(path, f"{show(data)} is not an ISO-8601 timestamp string")
        try:
            return instant(data, field="$")
        except MajorIncidentError:
            pass  # again, to name the path: the refusal is the same
        try:
            instant(data, field=render(path))
        except MajorIncidentError as error:
            raise RecordError(str(error)) from None
        raise AssertionError  # pragma: no cover - the same value was refused just now

    def schema(self) -> dict[str, Json]:
        return {"type": "string", "format": "date-time"}


class Duration(Codec):
    """Durations as seconds (an integer when whole); pendulum Durations back where declared."""

    def __init__(self, kind: type[timedelta]) -> None:
        self.kind = kind

    def dump(self, value: Any, _path: Path) -> Json:  # noqa: ANN401
        # Exact microseconds through timedelta's own division: pendulum's Duration reports
        # `days` and `seconds` in its own way, so -30 minutes would come out as -88200 s.
        micro = timedelta.__floordiv__(value, MICROSECOND)
        whole, part = divmod(micro, 1_000_000)
        # A float of seconds keeps every microsecond up to 2**33 seconds (272 years) either way.
        return micro / 1_000_000 if part else whole

    def load(self, data: Json, path: Path) -> Any:  # noqa: ANN401
        if type(data) not in (int, float):
            fail(path, f"{show(data)} is not a number of seconds")
        try:
            value = timedelta(seconds=data)
        except (OverflowError, ValueError):
            fail(path, f"{show(data)} seconds is out of range")
        if self.kind is pendulum.Duration:
            return pendulum.duration(
                days=value.days, seconds=value.seconds, microseconds=value.microseconds
            )
        return value

    def schema(self) -> dict[str, Json]:
        return {"type": "number", "description": "seconds"}


class Date(Codec):
    is_text = True

    def dump(self, value: Any, _path: Path) -> Json:  # noqa: ANN401
        return value.isoformat()

    def load(self, data: Json, path: Path) -> Any:  # noqa: ANN401
        if type(data) is str and len(data) == len("YYYY-MM-DD"):
            try:
                return date.fromisoformat(data)
            except ValueError:
                pass
        return fail(path, f"{show(data)} is not an ISO-8601 date (YYYY-MM-DD)")

    def schema(self) -> dict[str, Json]:
        return {"type": "string", "format": "date"}


class AnyJson(Codec):
    """JSON values kept as they are (an event's details); the record checks them."""

    def dump(self, value: Any, _path: Path) -> Json:  # noqa: ANN401
        return plain(value)

    def load(self, data: Json, _path: Path) -> Any:  # noqa: ANN401
        return data

    def schema(self) -> dict[str, Json]:
        return {}


def plain(value: object) -> Json:
    """Mappings as dicts and sequences as lists, all the way down: JSON's own shapes."""
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value
