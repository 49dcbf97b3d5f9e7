"""The events of a major incident's append-only timeline, chained by digests."""

from __future__ import annotations

import copy
import enum
import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any, Final

import attrs
import pendulum

from majorincident._checks import lone_surrogate
from majorincident._frozen import FrozenDict
from majorincident.errors import RecordError
from majorincident.incident._fields import (
    at_instant,
    count_check,
    enum_value,
    identifier_check,
)
from majorincident.process import Activity, Stage


class EventKind(enum.Enum):
    """What an entry of a major incident's timeline records."""

    # Members are singletons compared by identity, so they may hash by identity too: a C slot
    # instead of Enum's hash of the name in Python, for the lookups every replayed event makes.
    __hash__ = object.__hash__

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ACTIVITY = "activity"
    ADVANCED = "advanced"
    DEMOTED = "demoted"
    REOPENED = "reopened"
    LINKED = "linked"
    TASK_ASSIGNED = "task_assigned"
    TASK_COMPLETED = "task_completed"


def _event_kind(value: object) -> EventKind:
    kind = enum_value(EventKind, "kind", value)
    if kind is None:
        raise RecordError("kind (None) is not an EventKind")
    return kind


#: How deep JSON-compatible details may nest.
MAX_DETAIL_DEPTH: Final = 32


def _text(value: str, path: str) -> str:
    """A string UTF-8 can hold: a lone surrogate (U+D800 to U+DFFF) could never be stored."""
    if lone_surrogate(value) is not None:
        raise RecordError(f"{path} ({value!r}) holds a lone surrogate no UTF-8 holds")
    return value


def _json_value(value: object, path: str, depth: int) -> object:
    """Copy a JSON-compatible value, refusing anything JSON cannot hold."""
    if depth > MAX_DETAIL_DEPTH:
        raise RecordError(f"{path} nests deeper than {MAX_DETAIL_DEPTH} levels")
    if isinstance(value, str):
        return _text(value, path)
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RecordError(f"{path} ({value!r}) is not a finite number; JSON cannot hold it")
        return value
    if isinstance(value, Mapping):
        copied = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise RecordError(f"{path} has key {key!r}; JSON object keys are strings")
            copied[key] = _json_value(item, f"{path}.{key}", depth + 1)
        return FrozenDict(copied)
    if isinstance(value, list | tuple):
        return tuple(_json_value(item, f"{path}[{n}]", depth + 1) for n, item in enumerate(value))
    raise RecordError(f"{path} ({value!r}) is not JSON-compatible")


_NO_DETAILS: Final[FrozenDict[str, object]] = FrozenDict()


def _details(value: Mapping[str, object] | None) -> Mapping[str, object]:
    if value is None:
        return _NO_DETAILS
    if not isinstance(value, Mapping):
        raise RecordError(f"details ({value!r}) must be a mapping")
    return _json_value(value, "details", 0)  # type: ignore[return-value]


#: The "previous digest" of a timeline's first event.
GENESIS: Final = "0" * 64
_HEX: Final = frozenset("0123456789abcdef")
_CANONICAL: Final = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":")
)


def _digest(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not _is_digest(value):
        raise RecordError(f"digest ({value!r}) must be 64 lowercase hexadecimal digits, or None")


def _is_digest(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and _HEX.issuperset(value)


@attrs.frozen(eq=False)
class Event:
    """One entry of an append-only timeline.

    Attributes:
        sequence: its position in the timeline, from 0.
        at: when it happened.
        actor: who did it.
        kind: what it records.
        activity: the activity performed, where relevant.
        stage: the stage entered or left, where relevant.
        details: JSON-compatible facts: a reason, a problem or change id, a task.
        digest: SHA-256 chaining it to the event before it (see :func:`event_digest`); the
            workflow sets it, None for an event not chained (stored before chaining existed).
    """

    sequence: int = attrs.field(validator=count_check)
    at: pendulum.DateTime = attrs.field(converter=at_instant)
    actor: str = attrs.field(validator=identifier_check)
    kind: EventKind = attrs.field(converter=_event_kind)
    activity: Activity | None = None
    stage: Stage | None = None
    details: Mapping[str, object] = attrs.field(factory=dict, converter=_details)
    digest: str | None = attrs.field(default=None, validator=_digest)

    def chained(self, previous: str, incident_id: str) -> Event:
        """This event with its digest after `previous`, in the timeline of `incident_id`."""
        twin = copy.copy(self)
        object.__setattr__(twin, "digest", event_digest(previous, incident_id, self))
        return twin

    def __eq__(self, other: object) -> bool:
        """Events are equal when every field is, activities and stages by key and title."""
        if not isinstance(other, Event):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        """Hash by position, instant, actor and kind."""
        return hash((self.sequence, self.at, self.actor, self.kind))

    def _key(self) -> tuple[object, ...]:
        activity = self.activity
        stage = self.stage
        return (
            self.sequence,
            self.at,
            self.actor,
            self.kind,
            None if activity is None else (activity.key, activity.title, activity.stage.key),
            None if stage is None else (stage.key, stage.title),
            dict(self.details),
            self.digest,
        )


def event_digest(previous: str, incident_id: str, event: Event) -> str:
    """The digest that chains `event` to the one before it in the timeline of `incident_id`.

    SHA-256, as 64 lowercase hex digits, of the UTF-8 canonical JSON (keys sorted, no white
    space, non-ASCII characters as they are) of the array ``[previous, incident_id, event]``,
    the event written as its JSON document is, without ``schema_version``, ``type`` and
    ``digest``. A timeline's first event follows :data:`GENESIS`. Any tool can check a stored
    timeline this way; :meth:`MajorIncident.replay <majorincident.workflow.MajorIncident.replay>`
    does, given the last digest (the head) stored beside the record.

    >>> event = Event(0, "2019-07-02T13:45Z", "sam", "proposed")
    >>> event_digest(GENESIS, "INC-1", event)[:16]
    '64a5e2ef49b5d01e'
    """
    activity, stage = event.activity, event.stage
    document = {
        "sequence": event.sequence,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "kind": event.kind.value,
        "activity": None
        if activity is None
        else {
            "key": activity.key,
            "title": activity.title,
            "stage": {"key": activity.stage.key, "title": activity.stage.title},
        },
        "stage": None if stage is None else {"key": stage.key, "title": stage.title},
        "details": event.details,
    }
    text = _CANONICAL.encode([previous, incident_id, document])
    # surrogatepass: a string no UTF-8 can hold still hashes (records refuse them elsewhere).
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
