"""Records shared between threads, processes and callers: immutable all the way down.

Reliability check 28: a value documented as immutable cannot be changed through any attribute
path, hashes, pickles and deep-copies to an equal value.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.test_serialization import EXAMPLES

from majorincident import testing
from majorincident.roles import SEED_ROLES
from majorincident.workflow import MajorIncident


class _Sentinel:
    """A value no record holds, to try to put into one."""


SENTINEL = _Sentinel()


def _changes(part: object) -> dict[str, Any]:
    """Every way to change a container in place, by name, as calls on `part`."""
    key = next(iter(part), SENTINEL) if isinstance(part, Mapping) else 0  # type: ignore[call-overload]
    update_with = {SENTINEL: SENTINEL} if isinstance(part, Mapping) else [SENTINEL]
    return {
        "item assignment": lambda: part.__setitem__(key, SENTINEL),  # type: ignore[attr-defined]
        "item deletion": lambda: part.__delitem__(key),  # type: ignore[attr-defined]
        "append": lambda: part.append(SENTINEL),  # type: ignore[attr-defined]
        "add": lambda: part.add(SENTINEL),  # type: ignore[attr-defined]
        "update": lambda: part.update(update_with),  # type: ignore[attr-defined]
        "extend": lambda: part.extend([SENTINEL]),  # type: ignore[attr-defined]
        "setdefault": lambda: part.setdefault(SENTINEL, SENTINEL),  # type: ignore[attr-defined]
        "clear": lambda: part.clear(),  # type: ignore[attr-defined]  # noqa: PLW0108
        "in-place or": lambda: part.__ior__(update_with),  # type: ignore[attr-defined]
    }


def _parts(value: object, path: str, seen: set[int]) -> Iterator[tuple[str, object]]:
    """Every value reachable from `value` through public attributes and container items."""
    if id(value) in seen:
        return
    seen.add(id(value))
    yield path, value
    if isinstance(value, (str, bytes, int, float)) or value is None:
        return
    if attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            if not field.name.startswith("_"):
                yield from _parts(getattr(value, field.name), f"{path}.{field.name}", seen)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _parts(key, f"{path}<key {key!r}>", seen)
            yield from _parts(item, f"{path}[{key!r}]", seen)
    elif isinstance(value, (tuple, frozenset, list, set)):
        for number, item in enumerate(value):
            yield from _parts(item, f"{path}[{number}]", seen)


def mutable_parts(value: object) -> list[str]:
    """The attribute paths, and how, through which a container inside `value` changed."""
    changed = []
    for path, part in list(_parts(value, "value", set())):
        if isinstance(part, (str, bytes, int, float, tuple, frozenset)) or part is None:
            continue
        for how, change in _changes(part).items():
            try:
                change()
            except (TypeError, AttributeError):
                continue
            except (KeyError, IndexError):  # it tried: the container changes in place
                pass
            changed.append(f"{path}: {how} on a {type(part).__name__}")
    return changed


def check_shareable(value: object) -> None:
    """Nothing inside can change; it hashes, pickles and deep-copies to an equal value."""
    assert [] == mutable_parts(value)
    if not isinstance(value, MajorIncident):
        hash(value)
    assert value == pickle.loads(pickle.dumps(value))  # noqa: S301 - our own bytes
    assert value == copy.deepcopy(value)


class TestEveryRecordType:
    @pytest.mark.parametrize("name", sorted(EXAMPLES))
    def test_example(self, name: str) -> None:
        """Each record type's example is immutable all the way down and pickles."""
        check_shareable(EXAMPLES[name])


STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "incidents": testing.incidents(),
    "timelines": testing.timelines(),
    "raci_matrices": testing.raci_matrices(),
    "priority_matrices": testing.priority_matrices(),
    "processes": testing.processes(),
    "rosters": testing.rosters(roles=SEED_ROLES),
    "calendars": testing.calendars(),
}


class TestStrategies:
    @pytest.mark.parametrize("name", sorted(STRATEGIES))
    @settings(max_examples=25)
    @given(data=st.data())
    def test_drawn_values(self, name: str, data: st.DataObject) -> None:
        """Whatever the strategies draw is immutable all the way down and pickles."""
        check_shareable(data.draw(STRATEGIES[name]))

    @settings(max_examples=10)
    @given(major=testing.major_incidents())
    def test_major_incidents_pickle(self, major: MajorIncident) -> None:
        """A major incident (mutable by design) pickles and deep-copies to an equal value."""
        assert major == pickle.loads(pickle.dumps(major))  # noqa: S301 - our own bytes
        assert major == copy.deepcopy(major)
