"""Records to and from JSON: versioned, strict, and naming the JSON path of whatever is wrong.

Every document is a JSON object with ``schema_version`` and ``type`` next to the record's fields.
Timestamps are ISO-8601 strings in UTC, durations are seconds, enums are their stable values,
sets are sorted lists. Loading is strict: a key that is unknown or missing, a value of the wrong
JSON type (``5`` is not ``"5"``), a naive or out-of-range timestamp, an unknown enum value, a
``NaN``, a duplicate key or a document from a newer schema raises :class:`RecordError`, and only
that, with the JSON path of the bad field. Documents of older schema versions are brought up to
date by the pure functions in :data:`MIGRATIONS` before they are read.

>>> from majorincident.incident import Incident
>>> incident = Incident("INC-1", service="cdn", reported_at="2019-07-02T15:45:00+02:00")
>>> text = to_json(incident)
>>> text
'{"schema_version": 2, "type": "incident", "id": "INC-1", ...'
>>> from_json(text, Incident) == incident
True
>>> from_json(text.replace('"cdn"', "5"), Incident)
Traceback (most recent call last):
...
majorincident.errors.RecordError: $.service: 5 is not a string
"""

from __future__ import annotations

import enum
import json
import math
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any, Final, TypeVar, overload

import attrs
import pendulum

from majorincident._checks import lone_surrogate
from majorincident.classification import (
    Assessment,
    Impact,
    MajorIncidentPolicy,
    Priority,
    PriorityMatrix,
    Rule,
    Urgency,
    Verdict,
)
from majorincident.classification import (
    Report as SurgeReport,
)
from majorincident.clock import Calendar, instant
from majorincident.communication import (
    AudiencePlan,
    CommunicationPlan,
    Notification,
    StatusUpdate,
)
from majorincident.errors import MajorIncidentError, RecordError
from majorincident.escalation import EscalationLevel, EscalationPolicy, Page
from majorincident.incident import Event, Hold, Incident, Milestone
from majorincident.kpi import Comparison, Metric, Report, ReportRow, Summary, TrendRow
from majorincident.process import Activity, Process, Stage
from majorincident.review import ActionItem, ActionItemStats, PostIncidentReview
from majorincident.roles import Assignment, RaciMatrix, Responsibility, Role, Roster
from majorincident.sla import SlaPolicy, SlaStatus
from majorincident.workflow import Step, Task

__all__ = [
    "MAX_DEPTH",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "TYPES",
    "from_dict",
    "from_json",
    "json_schema",
    "to_dict",
    "to_json",
]

#: The version of the documents this release writes.
SCHEMA_VERSION: Final = 2
#: The deepest nesting of arrays and objects a document may have.
MAX_DEPTH: Final = 64

Json = Any
Migration = Callable[[dict[str, Json]], dict[str, Json]]


def _unchained_events(document: dict[str, Json]) -> dict[str, Json]:
    """Version 1 to 2: events gain ``digest``, null for events stored before timelines chained.

    Replaying such a timeline chains it from there on; tampering before that cannot be seen.
    """
    kind = document.get("type")
    if kind == "event":
        return {"digest": None, **document}
    key = {"timeline": "events", "step": "events", "post_incident_review": "timeline"}.get(
        str(kind)
    )
    events = document.get(key) if key is not None else None
    if key is None or not isinstance(events, list):  # nothing to add, or the loader names it
        return dict(document)
    return {
        **document,
        key: [{"digest": None, **e} if isinstance(e, dict) else e for e in events],
    }


def _summaries_count_negatives(document: dict[str, Json]) -> dict[str, Json]:
    """Version 1 to 2: summaries gain ``negative``, 0 in documents written before it existed."""
    kind = document.get("type")
    if kind == "summary":
        return {"negative": 0, **document}
    if kind == "report_row":
        return {**document, "summary": _with_negative(document.get("summary"))}
    rows = document.get("rows")
    if kind == "kpi_report" and isinstance(rows, list):
        return {
            **document,
            "rows": [
                {**row, "summary": _with_negative(row.get("summary"))}
                if isinstance(row, dict)
                else row
                for row in rows
            ],
        }
    return dict(document)


def _with_negative(summary: Json) -> Json:
    return {"negative": 0, **summary} if isinstance(summary, dict) else summary


def _version_2(document: dict[str, Json]) -> dict[str, Json]:
    """Version 1 to 2: events gain digests, summaries count negative durations."""
    return _summaries_count_negatives(_unchained_events(document))


#: ``MIGRATIONS[n]`` turns a version-``n`` document into a version ``n + 1`` one, without
#: changing its argument.
MIGRATIONS: Final[dict[int, Migration]] = {1: _version_2}

T = TypeVar("T")


def _fail(path: str, problem: str) -> typing.NoReturn:
    raise RecordError(f"{path}: {problem}")


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


def _key_path(path: str, key: str) -> str:
    return f"{path}.{key}" if key.isidentifier() else f"{path}[{json.dumps(key)}]"


# -- codecs: one per kind of value, each dumping, loading and describing it ------------------------


class _Codec:
    """How one kind of value goes to JSON, comes back, and is described in a JSON Schema."""

    #: Whether dumped values are JSON strings (so that they can be keys of an object).
    is_text = False

    def dump(self, value: Any, path: str) -> Json:  # noqa: ANN401 - any value of the kind
        raise NotImplementedError

    def load(self, data: Json, path: str) -> Any:  # noqa: ANN401 - any value of the kind
        raise NotImplementedError

    def schema(self) -> dict[str, Json]:
        raise NotImplementedError


class _Scalar(_Codec):
    """str, int, float or bool: the JSON type must match exactly (no 5 for "5", no True for 1)."""

    def __init__(self, kind: type, json_type: str) -> None:
        self.kind, self.json_type = kind, json_type
        self.is_text = kind is str

    def dump(self, value: Any, _path: str) -> Json:  # noqa: ANN401
        if self.kind is float:
            return float(value)
        return value

    def load(self, data: Json, path: str) -> Any:  # noqa: ANN401
        if self.kind is float and type(data) in (int, float):
            try:
                number = float(data)
            except OverflowError:
                number = math.inf
            if not math.isfinite(number):
                _fail(path, f"{_show(data)} is not a finite number")
            return number
        if type(data) is not self.kind:
            _fail(path, f"{_show(data)} is not {_ARTICLE[self.json_type]}")
        return data

    def schema(self) -> dict[str, Json]:
        return {"type": self.json_type}


_ARTICLE: Final = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
}


class _Optional(_Codec):
    def __init__(self, inner: _Codec) -> None:
        self.inner = inner

    def dump(self, value: Any, path: str) -> Json:  # noqa: ANN401
        return None if value is None else self.inner.dump(value, path)

    def load(self, data: Json, path: str) -> Any:  # noqa: ANN401
        return None if data is None else self.inner.load(data, path)

    def schema(self) -> dict[str, Json]:
        return {"anyOf": [self.inner.schema(), {"type": "null"}]}


class _Enum(_Codec):
    def __init__(self, kind: type[enum.Enum]) -> None:
        self.kind = kind
        self.members = {member.value: member for member in kind}
        self.is_text = all(isinstance(value, str) for value in self.members)

    def dump(self, value: Any, _path: str) -> Json:  # noqa: ANN401
        return value.value

    def load(self, data: Json, path: str) -> Any:  # noqa: ANN401
        if type(data) in (str, int) and data in self.members:
            return self.members[data]
        allowed = ", ".join(repr(value) for value in self.members)
        _fail(path, f"{_show(data)} is not one of the {self.kind.__name__} values: {allowed}")

    def schema(self) -> dict[str, Json]:
        return {"enum": list(self.members)}


class _Instant(_Codec):
    """Timestamps: ISO-8601 in UTC out; any ISO-8601 string with an offset in; pendulum back."""

    is_text = True

    def dump(self, value: Any, path: str) -> Json:  # noqa: ANN401
        return instant(value, field=path).isoformat()

    def load(self, data: Json, path: str) -> Any:  # noqa: ANN401
        if type(data) is not str:
            _fail(path, f"{_show(data)} is not an ISO-8601 timestamp string")
        try:
            return instant(data, field=path)
        except MajorIncidentError as error:
            raise RecordError(str(error)) from None

    def schema(self) -> dict[str, Json]:
        return {"type": "string", "format": "date-time"}


_MICROSECOND: Final = timedelta(microseconds=1)


class _Duration(_Codec):
    """Durations as seconds (an integer when whole); pendulum Durations back where declared."""

    def __init__(self, kind: type[timedelta]) -> None:
        self.kind = kind

    def dump(self, value: Any, _path: str) -> Json:  # noqa: ANN401
        # Exact microseconds through timedelta's own division: pendulum's Duration reports
        # `days` and `seconds` in its own way, so -30 minutes would come out as -88200 s.
        micro = timedelta.__floordiv__(value, _MICROSECOND)
        whole, part = divmod(micro, 1_000_000)
        # A float of seconds keeps every microsecond up to 2**33 seconds (272 years) either way.
        return micro / 1_000_000 if part else whole

    def load(self, data: Json, path: str) -> Any:  # noqa: ANN401
        if type(data) not in (int, float):
            _fail(path, f"{_show(data)} is not a number of seconds")
        try:
            value = timedelta(seconds=data)
        except (OverflowError, ValueError):
            _fail(path, f"{_show(data)} seconds is out of range")
        if self.kind is pendulum.Duration:
            return pendulum.duration(
                days=value.days, seconds=value.seconds, microseconds=value.microseconds
            )
        return value

    def schema(self) -> dict[str, Json]:
        return {"type": "number", "description": "seconds"}


class _Date(_Codec):
    is_text = True

    def dump(self, value: Any, _path: str) -> Json:  # noqa: ANN401
        return value.isoformat()

    def load(self, data: Json, path: str) -> Any:  # noqa: ANN401
        if type(data) is str and len(data) == len("YYYY-MM-DD"):
            try:
                return date.fromisoformat(data)
            except ValueError:
                pass
        _fail(path, f"{_show(data)} is not an ISO-8601 date (YYYY-MM-DD)")

    def schema(self) -> dict[str, Json]:
        return {"type": "string", "format": "date"}


def _array(data: Json, path: str) -> list[Json]:
    if type(data) is not list:
        _fail(path, f"{_show(data)} is not an array")
    return data


class _Sequence(_Codec):
    """tuple[X, ...] as an array; frozenset[X] as a sorted array without repeats."""

    def __init__(self, inner: _Codec, *, unordered: bool = False) -> None:
        self.inner, self.unordered = inner, unordered

    def dump(self, value: Any, path: str) -> Json:  # noqa: ANN401
        items = [self.inner.dump(item, f"{path}[{n}]") for n, item in enumerate(value)]
        if self.unordered:
            items.sort(key=lambda item: json.dumps(item, sort_keys=True))
        return items

    def load(self, data: Json, path: str) -> Any:  # noqa: ANN401
        items = tuple(
            self.inner.load(item, f"{path}[{n}]") for n, item in enumerate(_array(data, path))
        )
        if not self.unordered:
            return items
        unique = frozenset(items)
        if len(unique) != len(items):
            _fail(path, "repeats an item of a set")
        return unique

    def schema(self) -> dict[str, Json]:
        found: dict[str, Json] = {"type": "array", "items": self.inner.schema()}
        if self.unordered:
            found["uniqueItems"] = True
        return found


class _Fixed(_Codec):
    """tuple[A, B] as a two-item array."""

    def __init__(self, items: tuple[_Codec, ...]) -> None:
        self.items = items

    def dump(self, value: Any, path: str) -> Json:  # noqa: ANN401
        return [
            codec.dump(item, f"{path}[{n}]")
            for n, (codec, item) in enumerate(zip(self.items, value, strict=True))
        ]

    def load(self, data: Json, path: str) -> Any:  # noqa: ANN401
        items = _array(data, path)
        if len(items) != len(self.items):
            _fail(path, f"has {len(items)} items; expected {len(self.items)}")
        return tuple(
            codec.load(item, f"{path}[{n}]")
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


class _Mapping(_Codec):
    """A mapping whose keys are text (strings, or enums of strings): a JSON object."""

    def __init__(self, key: _Codec, value: _Codec) -> None:
        if not key.is_text:  # pragma: no cover - every record's mapping has text keys
            raise TypeError("mappings need keys that are written as strings")
        self.key, self.value = key, value

    def dump(self, value: Any, path: str) -> Json:  # noqa: ANN401
        return dict(
            sorted(
                (self.key.dump(k, path), self.value.dump(v, _key_path(path, str(k))))
                for k, v in value.items()
            )
        )

    def load(self, data: Json, path: str) -> Any:  # noqa: ANN401
        if not isinstance(data, dict):
            _fail(path, f"{_show(data)} is not an object")
        return {
            self.key.load(k, _key_path(path, k)): self.value.load(v, _key_path(path, k))
            for k, v in data.items()
        }

    def schema(self) -> dict[str, Json]:
        return {
            "type": "object",
            "propertyNames": self.key.schema(),
            "additionalProperties": self.value.schema(),
        }


class _Either(_Codec):
    """A record or a plain string (a role, or a person's name): told apart by the JSON type."""

    def __init__(self, record: _Codec) -> None:
        self.record = record

    def dump(self, value: Any, path: str) -> Json:  # noqa: ANN401
        return value if isinstance(value, str) else self.record.dump(value, path)

    def load(self, data: Json, path: str) -> Any:  # noqa: ANN401
        return data if type(data) is str else self.record.load(data, path)

    def schema(self) -> dict[str, Json]:
        return {"anyOf": [self.record.schema(), {"type": "string"}]}


class _Any(_Codec):
    """JSON values kept as they are (an event's details); the record checks them."""

    def dump(self, value: Any, _path: str) -> Json:  # noqa: ANN401
        return _plain(value)

    def load(self, data: Json, _path: str) -> Any:  # noqa: ANN401
        return data

    def schema(self) -> dict[str, Json]:
        return {}


def _plain(value: object) -> Json:
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


Field = tuple[str, _Codec, Callable[[Any], Any]]


class _Record(_Codec):
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

    def dump(self, value: Any, path: str) -> Json:  # noqa: ANN401
        return {
            name: codec.dump(get(value), _key_path(path, name)) for name, codec, get in self.fields
        }

    def load(self, data: Json, path: str) -> Any:  # noqa: ANN401
        if not isinstance(data, dict):
            _fail(path, f"{_show(data)} is not an object ({self.kind.__name__})")
        names = {name for name, _, _ in self.fields}
        for key in data:
            if key not in names:
                _fail(_key_path(path, key), f"unknown key for {self.kind.__name__}")
        values = {}
        for name, codec, _ in self.fields:
            where = _key_path(path, name)
            if name not in data:
                _fail(where, f"missing; {self.kind.__name__} needs it")
            values[name] = codec.load(data[name], where)
        try:
            return self.build(path, **values) if self.with_path else self.build(**values)
        except RecordError as error:
            if str(error).startswith("$"):  # named by a nested record already
                raise
            _fail(path, str(error))
        except (MajorIncidentError, TypeError, ValueError, OverflowError) as error:
            _fail(path, f"not a valid {self.kind.__name__}: {error}")

    def schema(self) -> dict[str, Json]:
        return {
            "type": "object",
            "title": self.kind.__name__,
            "properties": {name: codec.schema() for name, codec, _ in self.fields},
            "required": [name for name, _, _ in self.fields],
            "additionalProperties": False,
        }


# -- building codecs from the records' type annotations -------------------------------------------

_CODECS: dict[object, _Codec] = {}
_SCALARS: Final = {
    str: _Scalar(str, "string"),
    int: _Scalar(int, "integer"),
    float: _Scalar(float, "number"),
    bool: _Scalar(bool, "boolean"),
}


def _codec(kind: object) -> _Codec:
    """The codec for a type annotation, built once."""
    found = _CODECS.get(kind)
    if found is None:
        found = _CODECS[kind] = _build(kind)
    return found


def _build(kind: object) -> _Codec:  # noqa: PLR0911 - one return per kind of annotation
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind in _SCALARS:
        return _SCALARS[kind]
    if kind is object or (origin in (Mapping, dict) and args[1] is object):
        return _Any()
    if origin in (types.UnionType, typing.Union):
        rest = [arg for arg in args if arg is not type(None)]
        # X | None, or a record or a name (Role | str).
        inner = (
            _codec(rest[0])
            if len(rest) == 1
            else _Either(_codec(next(arg for arg in rest if arg is not str)))
        )
        return _Optional(inner) if len(rest) < len(args) else inner
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _Sequence(_codec(args[0]))
        return _Fixed(tuple(_codec(arg) for arg in args))
    if origin is frozenset:
        return _Sequence(_codec(args[0]), unordered=True)
    if origin in (Mapping, dict):
        return _Mapping(_codec(args[0]), _codec(args[1]))
    return _class_codec(kind)


def _class_codec(kind: object) -> _Codec:
    """Enums, instants, durations and records."""
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return _Enum(kind)
    if kind in (datetime, pendulum.DateTime):
        return _Instant()
    if kind in (timedelta, pendulum.Duration):
        return _Duration(kind)
    if kind in _CUSTOM:
        return _CUSTOM[kind]()
    if isinstance(kind, type) and attrs.has(kind):
        return _attrs_record(kind)
    raise TypeError(f"no codec for {kind!r}")  # pragma: no cover - every field has one


def _attrs_record(kind: type) -> _Record:
    hints = typing.get_type_hints(kind)
    fields: list[Field] = [
        (field.alias, _codec(hints[field.name]), _getter(field.name))
        for field in attrs.fields(kind)
        if field.init
    ]
    return _Record(kind, fields, kind)


def _getter(name: str) -> Callable[[Any], Any]:
    return lambda value: getattr(value, name)


# -- records that need more than their annotations ----------------------------------------------


def _incident() -> _Record:
    optional_text = _codec(str | None)
    fields: list[Field] = [
        ("id", _SCALARS[str], _getter("id")),
        ("title", _SCALARS[str], _getter("title")),
        ("service", optional_text, _getter("service")),
        ("affected_services", _codec(frozenset[str]), _getter("affected_services")),
    ]
    hints = typing.get_type_hints(Incident)
    fields += [
        (name, _codec(hints[name]), _getter(name))
        for name in ("channel", "impact", "urgency", "priority", "major", "kind")
    ]
    fields += [
        (milestone.field, _Optional(_Instant()), _moment(milestone)) for milestone in Milestone
    ]
    fields += [
        (name, _codec(hints[name]), _getter(name))
        for name in ("holds", "reopen_count", "parent_id", "child_ids", "problem_id", "change_id")
    ]
    return _Record(Incident, fields, Incident)


def _moment(milestone: Milestone) -> Callable[[Incident], datetime | None]:
    return lambda incident: incident.moment(milestone)


def _roster() -> _Record:
    def build(path: str, assignments: tuple[Assignment, ...]) -> Roster:
        # Through the roster's own rules, so that overlapping hand-overs are refused.
        roster = Roster()
        for n, assignment in enumerate(assignments):
            where = f"{path}.assignments[{n}]"
            try:
                roster = roster.assign(assignment.person, assignment.role, at=assignment.assumed_at)
                if assignment.renounced_at is not None:
                    roster = roster.renounce(
                        assignment.person, assignment.role, at=assignment.renounced_at
                    )
            except MajorIncidentError as error:
                _fail(where, str(error))
        return roster

    field = ("assignments", _codec(tuple[Assignment, ...]), _getter("assignments"))
    return _Record(Roster, [field], build, with_path=True)


_LETTERS: Final = _Sequence(_Enum(Responsibility), unordered=True)


class _Cells(_Codec):
    """A RACI matrix's cells: activity key -> role key -> letters (checked by _raci's build)."""

    inner = _Mapping(_SCALARS[str], _Mapping(_SCALARS[str], _LETTERS))

    def dump(self, value: Any, path: str) -> Json:  # noqa: ANN401
        return {
            activity.key: {role.key: _LETTERS.dump(letters, path) for role, letters in row.items()}
            for activity, row in value.items()
        }

    def load(self, data: Json, path: str) -> Any:  # noqa: ANN401
        return self.inner.load(data, path)

    def schema(self) -> dict[str, Json]:
        return self.inner.schema()


def _raci() -> _Record:
    def build(
        path: str,
        roles: tuple[Role, ...],
        activities: tuple[Activity, ...],
        cells: dict[str, dict[str, frozenset[Responsibility]]],
    ) -> RaciMatrix:
        role_of = {role.key: role for role in roles}
        activity_of = {activity.key: activity for activity in activities}
        table: dict[Activity, dict[Role, frozenset[Responsibility]]] = {}
        for activity_key, row in cells.items():
            where = _key_path(f"{path}.cells", activity_key)
            if activity_key not in activity_of:
                _fail(where, "names no activity of the matrix")
            for role_key in row:
                if role_key not in role_of:
                    _fail(_key_path(where, role_key), "names no role of the matrix")
            table[activity_of[activity_key]] = {role_of[k]: v for k, v in row.items()}
        return RaciMatrix(roles, activities, table)

    fields: list[Field] = [
        ("roles", _codec(tuple[Role, ...]), _getter("roles")),
        ("activities", _codec(tuple[Activity, ...]), _getter("activities")),
        ("cells", _Cells(), _getter("cells")),
    ]
    return _Record(RaciMatrix, fields, build, with_path=True)


class _LevelKind(enum.Enum):
    """How a priority matrix's levels are written: the ITIL enums' values, or plain values."""

    ITIL = "itil"
    PLAIN = "plain"


_ITIL: Final = {"impacts": Impact, "urgencies": Urgency, "priorities": Priority}


class _Level(_Codec):
    """One level of a priority matrix: an ITIL enum by its value, or a string or an integer."""

    def dump(self, value: Any, _path: str) -> Json:  # noqa: ANN401
        return value.value if isinstance(value, (Impact, Urgency, Priority)) else value

    def load(self, data: Json, path: str) -> Any:  # noqa: ANN401
        if type(data) not in (str, int):
            _fail(path, f"{_show(data)} is not a level (a string or an integer)")
        return data

    def schema(self) -> dict[str, Json]:
        return {"type": ["string", "integer"]}


def _level_kind(matrix: PriorityMatrix[Any, Any, Any]) -> _LevelKind:
    if all(isinstance(v, kind) for name, kind in _ITIL.items() for v in getattr(matrix, name)):
        return _LevelKind.ITIL
    for name in _ITIL:
        for n, level in enumerate(getattr(matrix, name)):
            if type(level) not in (str, int):
                _fail(
                    f"$.{name}[{n}]",
                    f"{_show(level)}: documents hold the ITIL levels, or levels that are all "
                    "strings or integers",
                )
    return _LevelKind.PLAIN


def _priority_matrix() -> _Record:
    def build(
        path: str,
        levels: _LevelKind,
        cells: tuple[tuple[Any, ...], ...],
        **lists: Any,  # noqa: ANN401
    ) -> PriorityMatrix[Any, Any, Any]:
        if levels is _LevelKind.ITIL:
            codecs = [_codec(kind) for kind in _ITIL.values()]
            for name, codec in zip(_ITIL, codecs, strict=True):
                lists[name] = tuple(
                    codec.load(v, f"{path}.{name}[{n}]") for n, v in enumerate(lists[name])
                )
            cells = tuple(
                tuple(
                    codec.load(v, f"{path}.cells[{n}][{m}]")
                    for m, (codec, v) in enumerate(zip(codecs, row, strict=True))
                )
                for n, row in enumerate(cells)
            )
        table = {(impact, urgency): priority for impact, urgency, priority in cells}
        if len(table) != len(cells):
            _fail(f"{path}.cells", "repeats an (impact, urgency) cell")
        return PriorityMatrix(lists["impacts"], lists["urgencies"], lists["priorities"], table)

    def cells(matrix: PriorityMatrix[Any, Any, Any]) -> list[tuple[Any, Any, Any]]:
        return [
            (impact, urgency, matrix.cells[impact, urgency])
            for impact in matrix.impacts
            for urgency in matrix.urgencies
        ]

    fields: list[Field] = [
        ("levels", _Enum(_LevelKind), _level_kind),
        *((name, _Sequence(_Level()), _getter(name)) for name in _ITIL),
        ("cells", _Sequence(_Fixed((_Level(), _Level(), _Level()))), cells),
    ]
    return _Record(PriorityMatrix, fields, build, with_path=True)


class _Holidays(_Codec):
    """A calendar's holidays: a finite collection of dates, as a sorted array."""

    dates = _Sequence(_Date(), unordered=True)

    def dump(self, value: Any, path: str) -> Json:  # noqa: ANN401
        if not isinstance(value, (set, frozenset, tuple, list)):
            _fail(
                path,
                f"a {type(value).__name__} is not a list of dates; build the calendar with the "
                "dates themselves to store it",
            )
        return self.dates.dump(frozenset(value), path)

    def load(self, data: Json, path: str) -> Any:  # noqa: ANN401
        return self.dates.load(data, path)

    def schema(self) -> dict[str, Json]:
        return self.dates.schema()


def _calendar() -> _Record:
    fields: list[Field] = [
        ("timezone", _SCALARS[str], _getter("timezone")),
        ("hours", _codec(tuple[tuple[tuple[int, int], ...], ...]), _getter("hours")),
        ("holidays", _Holidays(), _getter("holidays")),
    ]
    return _Record(Calendar, fields, Calendar)


_CUSTOM: Final[dict[type, Callable[[], _Codec]]] = {
    Incident: _incident,
    Roster: _roster,
    RaciMatrix: _raci,
    PriorityMatrix: _priority_matrix,
    Calendar: _calendar,
}


# -- documents --------------------------------------------------------------------------------

#: The record types documents can hold, by the name their ``type`` key gives.
TYPES: Final[Mapping[str, type]] = types.MappingProxyType(
    {
        "incident": Incident,
        "hold": Hold,
        "event": Event,
        "timeline": tuple,
        "stage": Stage,
        "activity": Activity,
        "process": Process,
        "role": Role,
        "raci_matrix": RaciMatrix,
        "assignment": Assignment,
        "roster": Roster,
        "task": Task,
        "step": Step,
        "notification": Notification,
        "priority_matrix": PriorityMatrix,
        "assessment": Assessment,
        "surge_report": SurgeReport,
        "calendar": Calendar,
        "metric": Metric,
        "summary": Summary,
        "comparison": Comparison,
        "report_row": ReportRow,
        "kpi_report": Report,
        "trend_row": TrendRow,
        "sla_policy": SlaPolicy,
        "sla_status": SlaStatus,
        "escalation_level": EscalationLevel,
        "escalation_policy": EscalationPolicy,
        "page": Page,
        "audience_plan": AudiencePlan,
        "communication_plan": CommunicationPlan,
        "status_update": StatusUpdate,
        "action_item": ActionItem,
        "action_item_stats": ActionItemStats,
        "post_incident_review": PostIncidentReview,
    }
)
_NAMES: Final = {kind: name for name, kind in TYPES.items()}
_TIMELINE: Final = _Record(
    tuple, [("events", _codec(tuple[Event, ...]), tuple)], lambda events: events
)


def _document_codec(name: str) -> _Codec:
    return _TIMELINE if name == "timeline" else _codec(TYPES[name])


def _name_of(value: object) -> str:
    if isinstance(value, (tuple, list)) and all(isinstance(item, Event) for item in value):
        return "timeline"
    name = _NAMES.get(type(value))
    if isinstance(value, (MajorIncidentPolicy, Rule, Verdict)):
        raise RecordError(
            f"$: a {type(value).__name__} holds Python functions (its rules), which no document "
            "can carry; store the name of the policy and build it in code"
        )
    if name is None or name == "timeline":
        known = ", ".join(kind.__name__ for kind in TYPES.values() if kind is not tuple)
        raise RecordError(
            f"$: a {type(value).__name__} is not a record documents hold; "
            f"expected a timeline (events) or one of: {known}"
        )
    return name


def to_dict(value: object) -> dict[str, Json]:
    """The document for a record or a timeline (a sequence of events): JSON-compatible values.

    Raises:
        RecordError: `value` is not a record documents hold, or holds what no document can
            (a calendar's computed holidays, a priority matrix over custom enum levels).
    """
    name = _name_of(value)
    body = _document_codec(name).dump(tuple(value) if name == "timeline" else value, "$")  # type: ignore[arg-type]
    return {"schema_version": SCHEMA_VERSION, "type": name, **body}


def to_json(value: object, *, indent: int | None = None) -> str:
    """The document for a record or a timeline, as JSON text (see :func:`to_dict`)."""
    return json.dumps(to_dict(value), ensure_ascii=False, allow_nan=False, indent=indent)


@overload
def from_dict(data: object, kind: type[T]) -> T: ...
@overload
def from_dict(data: object, kind: str | None = None) -> Any: ...  # noqa: ANN401
def from_dict(data: object, kind: type | str | None = None) -> Any:
    """The record (or the tuple of events) a document holds.

    Args:
        data: the document, as :func:`to_dict` made it (perhaps by an older release).
        kind: the record type expected (a class, or a name of :data:`TYPES` such as
            ``"timeline"``); any when None.

    Raises:
        RecordError: anything wrong with the document, naming the JSON path of the bad field.
    """
    _check_tree(data)
    if not isinstance(data, dict):
        _fail("$", f"{_show(data)} is not an object")
    document = _migrated(data)
    name = document.get("type")
    if type(name) is not str or name not in TYPES:
        _fail("$.type", f"{_show(name)} is not a record type; expected one of {', '.join(TYPES)}")
    if kind is not None:
        wanted = kind if isinstance(kind, str) else _NAMES.get(kind, kind.__name__)
        if wanted != name:
            _fail("$.type", f"{name!r} is not the {wanted!r} asked for")
    body = {key: value for key, value in document.items() if key not in ("schema_version", "type")}
    return _document_codec(name).load(body, "$")


def _migrated(document: dict[str, Json]) -> dict[str, Json]:
    version = document.get("schema_version")
    if type(version) is not int or version < 1:
        _fail("$.schema_version", f"{_show(version)} is not a schema version (1, 2, ...)")
    if version > SCHEMA_VERSION:
        _fail(
            "$.schema_version",
            f"{version} is newer than this release reads ({SCHEMA_VERSION}); upgrade majorincident",
        )
    while version < SCHEMA_VERSION:
        document = {**MIGRATIONS[version](document), "schema_version": version + 1}
        version += 1
    return document


def from_json(text: str | bytes, kind: type | str | None = None) -> Any:  # noqa: ANN401
    """The record a JSON document holds (see :func:`from_dict`).

    Raises:
        RecordError: malformed JSON (with its line and column), duplicate keys, ``NaN`` or
            ``Infinity``, numbers out of range, nesting deeper than :data:`MAX_DEPTH`, and
            everything :func:`from_dict` refuses; naming the JSON path.
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as error:
            _fail("$", f"not UTF-8 text: {error}")
    if not isinstance(text, str):
        _fail("$", f"{_show(text)} is not JSON text")
    try:
        data = json.loads(
            text,
            object_pairs_hook=_Pairs,
            parse_constant=_Bad,
            parse_float=_float,
            parse_int=_int,
        )
    except json.JSONDecodeError as error:
        _fail("$", f"not valid JSON: {error}")
    except RecursionError:
        _fail("$", f"nested deeper than {MAX_DEPTH} levels")
    return from_dict(data, kind)


class _Bad(str):
    """A number JSON cannot hold (NaN, Infinity, 1e400, 10**5000), kept to be named by path."""

    __slots__ = ()


class _Pairs(dict[str, Json]):
    """An object as parsed, remembering a repeated key to be named by path."""

    def __init__(self, pairs: list[tuple[str, Json]]) -> None:
        super().__init__(pairs)
        self.repeated: str | None = None
        if len(self) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:  # pragma: no branch - a key repeats
                if key in seen:
                    self.repeated = key
                    break
                seen.add(key)


def _float(text: str) -> float | _Bad:
    number = float(text)
    return number if math.isfinite(number) else _Bad(text)


def _int(text: str) -> int | _Bad:
    try:
        return int(text)
    except ValueError:
        return _Bad(text)


def _check_tree(data: object) -> None:
    """Refuse what JSON cannot hold, naming where: bad numbers, keys, nesting, lone surrogates."""
    stack: list[tuple[object, str, int]] = [(data, "$", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            _fail(path, f"nested deeper than {MAX_DEPTH} levels")
        _check_leaf(value, path)
        if isinstance(value, dict):
            repeated = getattr(value, "repeated", None)
            if repeated is not None:
                _fail(_key_path(path, repeated), "repeated key")
            for key, item in value.items():
                if not isinstance(key, str):
                    _fail(path, f"key {_show(key)} is not a string")
                if not key.isascii():
                    _check_text(key, f"{path} key {_show(key)}")
                stack.append((item, _key_path(path, key), depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{n}]", depth + 1) for n, item in enumerate(value))


def _check_leaf(value: object, path: str) -> None:
    """Refuse a number JSON cannot hold, and a string no UTF-8 can."""
    if isinstance(value, _Bad):
        _fail(path, f"{str(value)[:40]} is not a finite number JSON can hold")
    if isinstance(value, float) and not math.isfinite(value):
        _fail(path, f"{value} is not a finite number JSON can hold")
    if isinstance(value, str) and not value.isascii():
        _check_text(value, path)


def _check_text(text: str, path: str) -> None:
    """Refuse a string no UTF-8 can hold: a lone surrogate, such as U+D800."""
    char = lone_surrogate(text)
    if char is not None:
        _fail(path, f"{_show(text)} holds {char!r}, a lone surrogate no UTF-8 holds")


def json_schema(kind: type | str) -> dict[str, Json]:
    """A JSON Schema (draft 2020-12) for the documents of a record type, for other tools.

    Args:
        kind: a record class, or a name of :data:`TYPES` such as ``"timeline"``.

    Raises:
        RecordError: `kind` is not a record type documents hold.
    """
    name = kind if isinstance(kind, str) else _NAMES.get(kind)
    if name is None or name not in TYPES:
        _fail("$", f"{_show(kind)} is not a record type; expected one of {', '.join(TYPES)}")
    schema = _document_codec(name).schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": name,
        "type": "object",
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "type": {"const": name},
            **schema["properties"],
        },
        "required": ["schema_version", "type", *schema["required"]],
        "additionalProperties": False,
    }
