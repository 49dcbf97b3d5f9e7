"""Codecs: how each kind of value goes to JSON, comes back strictly, and is described in a schema.

A codec refuses with :class:`~majorincident.errors.RecordError` naming the JSON path of the bad
value. Paths are built lazily (``(parent, key)`` pairs) and written out only for a message, so
that reading a good document pays nothing for them.
"""

from __future__ import annotations

import enum
import json
import math
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

import pendulum

from majorincident.clock import instant
from majorincident.errors import MajorIncidentError, RecordError

Json = Any
#: Where a value sits in a document: ``"$"``, or a (parent path, key or index) pair.
Path = str | tuple[Any, str | int]


def fail(path: Path, problem: str) -> typing.NoReturn:
    """Refuse with the library's error, naming where (the path is written out only now)."""
    raise RecordError(f"{render(path)}: {problem}")


def show(value: object) -> str:
    """A value as an error message shows it: its repr, shortened beyond 80 characters."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


def key_path(path: str, key: str) -> str:
    """The path of `key` in the object at `path`: ``$.a.b``, or ``$.a["not a name"]``."""
    return f"{path}.{key}" if key.isidentifier() else f"{path}[{json.dumps(key)}]"


def render(path: Path) -> str:
    """The JSON path a lazy path stands for, written out (for a message)."""
    keys: list[str | int] = []
    while type(path) is tuple:
        path, key = path
        keys.append(key)
    text = typing.cast("str", path)
    for key in reversed(keys):
        text = f"{text}[{key}]" if type(key) is int else key_path(text, typing.cast("str", key))
    return text


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
        fail(path, f"{show(data)} is not one of the {self.kind.__name__} values: {allowed}")

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


_MICROSECOND: Final = timedelta(microseconds=1)


class Duration(Codec):
    """Durations as seconds (an integer when whole); pendulum Durations back where declared."""

    def __init__(self, kind: type[timedelta]) -> None:
        self.kind = kind

    def dump(self, value: Any, _path: Path) -> Json:  # noqa: ANN401
        # Exact microseconds through timedelta's own division: pendulum's Duration reports
        # `days` and `seconds` in its own way, so -30 minutes would come out as -88200 s.
        micro = timedelta.__floordiv__(value, _MICROSECOND)
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
        fail(path, f"{show(data)} is not an ISO-8601 date (YYYY-MM-DD)")

    def schema(self) -> dict[str, Json]:
        return {"type": "string", "format": "date"}


def array(data: Json, path: Path) -> list[Json]:
    if type(data) is not list:
        fail(path, f"{show(data)} is not an array")
    return data


class Sequence(Codec):
    """tuple[X, ...] as an array; frozenset[X] as a sorted array without repeats."""

    def __init__(self, inner: Codec, *, unordered: bool = False) -> None:
        self.inner, self.unordered = inner, unordered

    def dump(self, value: Any, path: Path) -> Json:  # noqa: ANN401
        items = [self.inner.dump(item, (path, n)) for n, item in enumerate(value)]
        if self.unordered:
            items.sort(key=lambda item: json.dumps(item, sort_keys=True))
        return items

    def load(self, data: Json, path: Path) -> Any:  # noqa: ANN401
        items = tuple(self.inner.load(item, (path, n)) for n, item in enumerate(array(data, path)))
        if not self.unordered:
            return items
        unique = frozenset(items)
        if len(unique) != len(items):
            fail(path, "repeats an item of a set")
        return unique

    def schema(self) -> dict[str, Json]:
        found: dict[str, Json] = {"type": "array", "items": self.inner.schema()}
        if self.unordered:
            found["uniqueItems"] = True
        return found


class Fixed(Codec):
    """tuple[A, B] as a two-item array."""

    def __init__(self, items: tuple[Codec, ...]) -> None:
        self.items = items

    def dump(self, value: Any, path: Path) -> Json:  # noqa: ANN401
        return [
            codec.dump(item, (path, n))
            for n, (codec, item) in enumerate(zip(self.items, value, strict=True))
        ]

    def load(self, data: Json, path: Path) -> Any:  # noqa: ANN401
        items = array(data, path)
        if len(items) != len(self.items):
            fail(path, f"has {len(items)} items; expected {len(self.items)}")
        return tuple(
            codec.load(item, (path, n))
            for n, (codec, item) in enumerate(zip(self.items, items, strict=True))
        )

    def schema(self) -> dict[str, Json]:
        count = len(self.items)
        return {
            "type": "array",
            "prefixItems": [codec.schema() for codec in self.items],
            "minItems": count,
            "maxItems": count,
        }


class MappingCodec(Codec):
    """A mapping whose keys are text (strings, or enums of strings): a JSON object."""

    def __init__(self, key: Codec, value: Codec) -> None:
        if not key.is_text:  # pragma: no cover - every record's mapping has text keys
            raise TypeError("mappings need keys that are written as strings")
        self.key, self.value = key, value

    def dump(self, value: Any, path: Path) -> Json:  # noqa: ANN401
        return dict(
            sorted(
                (self.key.dump(k, path), self.value.dump(v, (path, str(k))))
                for k, v in value.items()
            )
        )

    def load(self, data: Json, path: Path) -> Any:  # noqa: ANN401
        if not isinstance(data, dict):
            fail(path, f"{show(data)} is not an object")
        return {self.key.load(k, (path, k)): self.value.load(v, (path, k)) for k, v in data.items()}

    def schema(self) -> dict[str, Json]:
        return {
            "type": "object",
            "propertyNames": self.key.schema(),
            "additionalProperties": self.value.schema(),
        }


class Either(Codec):
    """A record or a plain string (a role, or a person's name): told apart by the JSON type."""

    def __init__(self, record: Codec) -> None:
        self.record = record

    def dump(self, value: Any, path: Path) -> Json:  # noqa: ANN401
        return value if isinstance(value, str) else self.record.dump(value, path)

    def load(self, data: Json, path: Path) -> Any:  # noqa: ANN401
        return data if type(data) is str else self.record.load(data, path)

    def schema(self) -> dict[str, Json]:
        return {"anyOf": [self.record.schema(), {"type": "string"}]}


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


Field = tuple[str, Codec, Callable[[Any], Any]]


class Deferred(Codec):
    """A field handed to the record's constructor as it is in JSON, to be checked there.

    The constructor parses timestamps itself, so parsing them here too would do the work twice.
    Only the JSON type is checked on the way in (``strict`` refuses the rest, naming the path);
    when the constructor refuses the record, :class:`Record` runs ``strict`` on each deferred
    field first, so that a bad value is named by its path exactly as ``strict`` alone would.
    """

    def __init__(self, strict: Codec, *, json_types: tuple[type, ...]) -> None:
        self.strict, self.json_types = strict, json_types

    def dump(self, value: Any, path: Path) -> Json:  # noqa: ANN401
        return self.strict.dump(value, path)

    def load(self, data: Json, path: Path) -> Any:  # noqa: ANN401
        if type(data) in self.json_types:
            return data
        return self.strict.load(data, path)

    def schema(self) -> dict[str, Json]:
        return self.strict.schema()


_MISSING: Final = object()


class Record(Codec):
    """A record: an object with exactly its fields, built again through its own validation."""

    def __init__(
        self,
        kind: type,
        fields: list[Field],
        build: Callable[..., Any],
        *,
        with_path: bool = False,
    ) -> None:
        self.kind, self.fields, self.build, self.with_path = kind, fields, build, with_path
        self.names = frozenset(name for name, _, _ in fields)

    def dump(self, value: Any, path: Path) -> Json:  # noqa: ANN401
        return {name: codec.dump(get(value), (path, name)) for name, codec, get in self.fields}

    def load(self, data: Json, path: Path) -> Any:  # noqa: ANN401
        if not isinstance(data, dict):
            fail(path, f"{show(data)} is not an object ({self.kind.__name__})")
        if not self.names.issuperset(data):
            unknown = next(key for key in data if key not in self.names)
            fail((path, unknown), f"unknown key for {self.kind.__name__}")
        values = {}
        for name, codec, _ in self.fields:
            item = data.get(name, _MISSING)
            if item is _MISSING:
                fail((path, name), f"missing; {self.kind.__name__} needs it")
            values[name] = codec.load(item, (path, name))
        try:
            return self.build(render(path), **values) if self.with_path else self.build(**values)
        except RecordError as error:
            if str(error).startswith("$"):  # named by a nested record already
                raise
            self._check_deferred(data, path)
            fail(path, str(error))
        except (MajorIncidentError, TypeError, ValueError, OverflowError) as error:
            self._check_deferred(data, path)
            fail(path, f"not a valid {self.kind.__name__}: {error}")

    def _check_deferred(self, data: dict[str, Json], path: Path) -> None:
        """Load each deferred field strictly, so that a bad one is refused with its path."""
        for name, codec, _ in self.fields:
            if isinstance(codec, Deferred):
                codec.strict.load(data[name], (path, name))

    def schema(self) -> dict[str, Json]:
        return {
            "type": "object",
            "title": self.kind.__name__,
            "properties": {name: codec.schema() for name, codec, _ in self.fields},
            "required": [name for name, _, _ in self.fields],
            "additionalProperties": False,
        }
