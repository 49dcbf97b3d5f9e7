"""An immutable mapping for the insides of frozen records: :class:`FrozenDict`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn, TypeVar

__all__ = ["FrozenDict"]

K = TypeVar("K")
V = TypeVar("V")


class FrozenDict(dict[K, V]):
    """A dict that cannot be changed once built: it hashes, pickles and deep-copies.

    Frozen records hold their mappings as ``FrozenDict``, so a record shared between threads or
    callers cannot be changed through its attributes. It is a ``dict`` for everything that reads
    (lookups at C speed, ``json.dumps``, equality with plain dicts); every method that would
    change it raises ``TypeError``, as a tuple's item assignment does. Its values must be
    hashable for :func:`hash`.

    >>> cells = FrozenDict({"a": 1})
    >>> cells["a"] = 2
    Traceback (most recent call last):
    ...
    TypeError: FrozenDict does not support item assignment; it cannot be changed
    >>> cells == {"a": 1}, hash(cells) == hash(FrozenDict(a=1))
    (True, True)
    """

    __slots__ = ("_hash",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 - as dict's
        """Build it as a dict is built."""
        super().__init__(*args, **kwargs)
        self._hash: int | None = None

    def _refuse(self, *_: object, **__: object) -> NoReturn:
        raise TypeError("FrozenDict cannot be changed")

    def __setitem__(self, key: K, value: V) -> NoReturn:
        """Refuse: a frozen mapping does not change."""
        raise TypeError("FrozenDict does not support item assignment; it cannot be changed")

    def __delitem__(self, key: K) -> NoReturn:
        """Refuse: a frozen mapping does not change."""
        raise TypeError("FrozenDict does not support item deletion; it cannot be changed")

    def __ior__(self, other: object) -> NoReturn:
        """Refuse: a frozen mapping does not change."""
        raise TypeError("FrozenDict cannot be changed; use | for a new mapping")

    clear = pop = popitem = setdefault = update = _refuse

    def __or__(self, other: object) -> FrozenDict[K, V]:  # type: ignore[override]
        """A new frozen mapping with the items of both, the right one winning."""
        if not isinstance(other, Mapping):
            return NotImplemented
        return FrozenDict({**self, **other})

    def __hash__(self) -> int:  # type: ignore[override]
        """Hash by items, worked out once."""
        if self._hash is None:
            self._hash = hash(frozenset(self.items()))
        return self._hash

    def __reduce__(self) -> tuple[Callable[..., FrozenDict[K, V]], tuple[dict[K, V]]]:
        """Pickle and copy through the constructor, never through item assignment."""
        return (type(self), (dict(self),))

    def __copy__(self) -> FrozenDict[K, V]:
        """Itself: it cannot change."""
        return self

    def __repr__(self) -> str:
        """Show the items as a dict literal inside the type's name."""
        return f"FrozenDict({dict.__repr__(self)})"

    @classmethod
    def fromkeys(cls, iterable: Iterable[Any], value: Any = None) -> FrozenDict[Any, Any]:  # noqa: ANN401
        """Build a frozen mapping of every key to `value` (dict's would assign item by item)."""
        return cls(dict.fromkeys(iterable, value))
