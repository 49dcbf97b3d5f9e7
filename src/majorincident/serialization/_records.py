"""The codecs of the records documents hold: built from their annotations, or by hand.

:func:`codec` builds (once) the codec of a type annotation. Records whose constructor does not
take their fields as they are stored (the incident's milestones, a roster's hand-overs, a RACI
matrix's cells, a priority matrix's levels, a calendar's holidays) have their own codec here.
"""

from __future__ import annotations

import enum
import operator
import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final

import attrs
import pendulum

from majorincident.classification import (
    Impact,
    Priority,
    PriorityMatrix,
    Urgency,
)
from majorincident.clock import Calendar
from majorincident.errors import MajorIncidentError
from majorincident.incident import Incident, Milestone
from majorincident.process import Activity
from majorincident.roles import Assignment, RaciMatrix, Responsibility, Role, Roster
from majorincident.serialization._codecs import (
    AnyJson,
    Codec,
    Date,
    Duration,
    EnumCodec,
    Instant,
    Optional,
    Scalar,
)
from majorincident.serialization._containers import (
    Deferred,
    Either,
    Field,
    Fixed,
    MappingCodec,
    Record,
    Sequence,
)
from majorincident.serialization._paths import Json, Path, fail, key_path, show

CODECS: dict[object, Codec] = {}
SCALARS: Final = {
    str: Scalar(str, "string"),
    int: Scalar(int, "integer"),
    float: Scalar(float, "number"),
    bool: Scalar(bool, "boolean"),
}


def codec(kind: object) -> Codec:
    """The codec for a type annotation, built once."""
    found = CODECS.get(kind)
    if found is None:
        found = CODECS[kind] = _build(kind)
    return found


def _build(kind: object) -> Codec:  # noqa: PLR0911 - one return per kind of annotation
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind in SCALARS:
        return SCALARS[kind]
    if kind is object or (origin in (Mapping, dict) and args[1] is object):
        return AnyJson()
    if origin in (types.UnionType, typing.Union):
        rest = [arg for arg in args if arg is not type(None)]
        # X | None, or a record or a name (Role | str).
        inner = (
            codec(rest[0])
            if len(rest) == 1
            else Either(codec(next(arg for arg in rest if arg is not str)))
        )
        return Optional(inner) if len(rest) < len(args) else inner
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return Sequence(codec(args[0]))
        return Fixed(tuple(codec(arg) for arg in args))
    if origin is frozenset:
        return Sequence(codec(args[0]), unordered=True)
    if origin in (Mapping, dict):
        return MappingCodec(codec(args[0]), codec(args[1]))
    return _class_codec(kind)


def _class_codec(kind: object) -> Codec:
    """Enums, instants, durations and records."""
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return EnumCodec(kind)
    if kind in (datetime, pendulum.DateTime):
        return Instant()
    if kind in (timedelta, pendulum.Duration):
        return Duration(kind)
    if kind in _CUSTOM:
        return _CUSTOM[kind]()
    if isinstance(kind, type) and attrs.has(kind):
        return _attrs_record(kind)
    raise TypeError(f"no codec for {kind!r}")  # pragma: no cover - every field has one


def _attrs_record(kind: type) -> Record:
    hints = typing.get_type_hints(kind)
    fields: list[Field] = [
        (field.alias, codec(hints[field.name]), _getter(field.name))
        for field in attrs.fields(kind)
        if field.init
    ]
    return Record(kind, fields, kind)


def _getter(name: str) -> Callable[[Any], Any]:
    return operator.attrgetter(name)


# -- records that need more than their annotations ----------------------------------------------


def _incident() -> Record:
    optional_text = codec(str | None)
    fields: list[Field] = [
        ("id", SCALARS[str], _getter("id")),
        ("title", SCALARS[str], _getter("title")),
        ("service", optional_text, _getter("service")),
        ("affected_services", codec(frozenset[str]), _getter("affected_services")),
    ]
    hints = typing.get_type_hints(Incident)
    fields += [
        (name, codec(hints[name]), _getter(name))
        for name in ("channel", "impact", "urgency", "priority", "major", "kind")
    ]
    # The constructor parses the timestamps: checked there, and named by path if refused.
    milestone = Deferred(Optional(Instant()), json_types=(str, type(None)))
    fields += [(m.field, milestone, _moment(m)) for m in Milestone]
    fields += [
        (name, codec(hints[name]), _getter(name))
        for name in ("holds", "reopen_count", "parent_id", "child_ids", "problem_id", "change_id")
    ]
    return Record(Incident, fields, Incident)


def _moment(milestone: Milestone) -> Callable[[Incident], datetime | None]:
    return operator.methodcaller("moment", milestone)


def _roster() -> Record:
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
                fail(where, str(error))
        return roster

    field = ("assignments", codec(tuple[Assignment, ...]), _getter("assignments"))
    return Record(Roster, [field], build, with_path=True)


_LETTERS: Final = Sequence(EnumCodec(Responsibility), unordered=True)


class _Cells(Codec):
    """A RACI matrix's cells: activity key -> role key -> letters (checked by _raci's build)."""

    inner = MappingCodec(SCALARS[str], MappingCodec(SCALARS[str], _LETTERS))

    def dump(self, value: Any, path: Path) -> Json:  # noqa: ANN401
        return {
            activity.key: {role.key: _LETTERS.dump(letters, path) for role, letters in row.items()}
            for activity, row in value.items()
        }

    def load(self, data: Json, path: Path) -> Any:  # noqa: ANN401
        return self.inner.load(data, path)

    def schema(self) -> dict[str, Json]:
        return self.inner.schema()


def _raci() -> Record:
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
            where = key_path(f"{path}.cells", activity_key)
            if activity_key not in activity_of:
                fail(where, "names no activity of the matrix")
            for role_key in row:
                if role_key not in role_of:
                    fail(key_path(where, role_key), "names no role of the matrix")
            table[activity_of[activity_key]] = {role_of[k]: v for k, v in row.items()}
        return RaciMatrix(roles, activities, table)

    fields: list[Field] = [
        ("roles", codec(tuple[Role, ...]), _getter("roles")),
        ("activities", codec(tuple[Activity, ...]), _getter("activities")),
        ("cells", _Cells(), _getter("cells")),
    ]
    return Record(RaciMatrix, fields, build, with_path=True)


class _LevelKind(enum.Enum):
    """How a priority matrix's levels are written: the ITIL enums' values, or plain values."""

    ITIL = "itil"
    PLAIN = "plain"


_ITIL: Final = {"impacts": Impact, "urgencies": Urgency, "priorities": Priority}


class _Level(Codec):
    """One level of a priority matrix: an ITIL enum by its value, or a string or an integer."""

    def dump(self, value: Any, _path: Path) -> Json:  # noqa: ANN401
        return value.value if isinstance(value, (Impact, Urgency, Priority)) else value

    def load(self, data: Json, path: Path) -> Any:  # noqa: ANN401
        if type(data) not in (str, int):
            fail(path, f"{show(data)} is not a level (a string or an integer)")
        return data

    def schema(self) -> dict[str, Json]:
        return {"type": ["string", "integer"]}


def _level_kind(matrix: PriorityMatrix[Any, Any, Any]) -> _LevelKind:
    if all(isinstance(v, kind) for name, kind in _ITIL.items() for v in getattr(matrix, name)):
        return _LevelKind.ITIL
    for name in _ITIL:
        for n, level in enumerate(getattr(matrix, name)):
            if type(level) not in (str, int):
                fail(
                    f"$.{name}[{n}]",
                    f"{show(level)}: documents hold the ITIL levels, or levels that are all "
                    "strings or integers",
                )
    return _LevelKind.PLAIN


def _priority_matrix() -> Record:
    def build(
        path: str,
        levels: _LevelKind,
        cells: tuple[tuple[Any, ...], ...],
        **lists: Any,  # noqa: ANN401
    ) -> PriorityMatrix[Any, Any, Any]:
        if levels is _LevelKind.ITIL:
            codecs = [codec(kind) for kind in _ITIL.values()]
            for name, level in zip(_ITIL, codecs, strict=True):
                lists[name] = tuple(
                    level.load(v, f"{path}.{name}[{n}]") for n, v in enumerate(lists[name])
                )
            cells = tuple(
                tuple(
                    level.load(v, f"{path}.cells[{n}][{m}]")
                    for m, (level, v) in enumerate(zip(codecs, row, strict=True))
                )
                for n, row in enumerate(cells)
            )
        table = {(impact, urgency): priority for impact, urgency, priority in cells}
        if len(table) != len(cells):
            fail(f"{path}.cells", "repeats an (impact, urgency) cell")
        return PriorityMatrix(lists["impacts"], lists["urgencies"], lists["priorities"], table)

    def cells(matrix: PriorityMatrix[Any, Any, Any]) -> list[tuple[Any, Any, Any]]:
        return [
            (impact, urgency, matrix.cells[impact, urgency])
            for impact in matrix.impacts
            for urgency in matrix.urgencies
        ]

    fields: list[Field] = [
        ("levels", EnumCodec(_LevelKind), _level_kind),
        *((name, Sequence(_Level()), _getter(name)) for name in _ITIL),
        ("cells", Sequence(Fixed((_Level(), _Level(), _Level()))), cells),
    ]
    return Record(PriorityMatrix, fields, build, with_path=True)


class _Holidays(Codec):
    """A calendar's holidays: a finite collection of dates, as a sorted array."""

    dates = Sequence(Date(), unordered=True)

    def dump(self, value: Any, path: Path) -> Json:  # noqa: ANN401
        if not isinstance(value, (set, frozenset, tuple, list)):
            fail(
                path,
                f"a {type(value).__name__} is not a list of dates; build the calendar with the "
                "dates themselves to store it",
            )
        return self.dates.dump(frozenset(value), path)

    def load(self, data: Json, path: Path) -> Any:  # noqa: ANN401
        return self.dates.load(data, path)

    def schema(self) -> dict[str, Json]:
        return self.dates.schema()


def _calendar() -> Record:
    fields: list[Field] = [
        ("timezone", SCALARS[str], _getter("timezone")),
        ("hours", codec(tuple[tuple[tuple[int, int], ...], ...]), _getter("hours")),
        ("holidays", _Holidays(), _getter("holidays")),
    ]
    return Record(Calendar, fields, Calendar)


_CUSTOM: Final[dict[type, Callable[[], Codec]]] = {
    Incident: _incident,
    Roster: _roster,
    RaciMatrix: _raci,
    PriorityMatrix: _priority_matrix,
    Calendar: _calendar,
}
