"""Codecs of values that hold values: arrays, fixed tuples, mappings, either-or, and records."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final

from majorincident.errors import MajorIncidentError, RecordError
from majorincident.serialization._codecs import Codec
from majorincident.serialization._paths import Json, Path, fail, render, show


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
