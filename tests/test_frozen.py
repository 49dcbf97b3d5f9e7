"""Tests for FrozenDict, the mapping inside frozen records."""

from __future__ import annotations

import copy
import json
import pickle
from typing import Any

import pytest

from majorincident import FrozenDict


class TestFrozenDict:
    @pytest.mark.parametrize(
        "change",
        [
            lambda d: d.__setitem__("a", 2),
            lambda d: d.__delitem__("a"),
            lambda d: d.__ior__({"b": 2}),
            lambda d: d.clear(),
            lambda d: d.pop("a"),
            lambda d: d.popitem(),
            lambda d: d.setdefault("b", 2),
            lambda d: d.update(b=2),
        ],
    )
    def test_nothing_changes_it(self, change: Any) -> None:
        """Every method that would change a dict raises TypeError and leaves it as it was."""
        frozen = FrozenDict({"a": 1})

        with pytest.raises(TypeError, match="FrozenDict"):
            change(frozen)

        assert {"a": 1} == frozen

    def test_reads_as_a_dict(self) -> None:
        """Lookups, equality with dicts, JSON and its repr work as a dict's."""
        frozen = FrozenDict({"a": 1}, b=(2, 3))

        assert 1 == frozen["a"]
        assert {"a": 1, "b": (2, 3)} == frozen
        assert '{"a": 1, "b": [2, 3]}' == json.dumps(frozen)
        assert "FrozenDict({'a': 1, 'b': (2, 3)})" == repr(frozen)

    def test_or_gives_a_new_one(self) -> None:
        """``|`` builds a new frozen mapping; with a non-mapping it is not implemented."""
        frozen = FrozenDict({"a": 1})

        joined = frozen | {"a": 2, "b": 3}

        assert FrozenDict({"a": 2, "b": 3}) == joined
        assert isinstance(joined, FrozenDict)
        assert {"a": 1} == frozen
        with pytest.raises(TypeError):
            frozen | [1]  # type: ignore[operator]

    def test_hash_pickle_and_copies(self) -> None:
        """Equal contents hash alike; pickles and copies are equal frozen mappings."""
        frozen = FrozenDict({"a": 1, "b": FrozenDict(c=2)})

        assert hash(frozen) == hash(FrozenDict({"b": FrozenDict(c=2), "a": 1}))
        assert hash(frozen) == hash(frozen)
        for twin in (pickle.loads(pickle.dumps(frozen)), copy.deepcopy(frozen)):  # noqa: S301
            assert frozen == twin
            assert type(twin) is FrozenDict
            assert type(twin["b"]) is FrozenDict
        assert copy.copy(frozen) is frozen

    def test_fromkeys(self) -> None:
        """Fromkeys builds a frozen mapping of every key to one value."""
        frozen = FrozenDict.fromkeys("ab", 0)

        assert FrozenDict({"a": 0, "b": 0}) == frozen
        assert type(frozen) is FrozenDict
