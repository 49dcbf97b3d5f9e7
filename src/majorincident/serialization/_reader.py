r"""The strict JSON reader: what ``json.loads`` lets through and no document may hold.

Repeated keys, numbers JSON cannot hold (``NaN``, ``Infinity``, ``1e400``, ``10**5000``),
nesting deeper than :data:`MAX_DEPTH`, keys that are not strings and lone surrogates are
refused, naming the JSON path. Text that can hold none of them (no repeated key or bad number
seen while parsing, too few brackets to nest that deep, no ``\u`` escape) skips the walk.
"""

from __future__ import annotations

import json
import math
from typing import Final

from majorincident._checks import lone_surrogate
from majorincident.serialization._paths import Json, Path, fail, render, show

#: The deepest nesting of arrays and objects a document may have.
MAX_DEPTH: Final = 64


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


def parse(text: str) -> tuple[Json, bool]:
    """The JSON value of `text`, and whether it may hold what :func:`check_tree` refuses.

    Raises:
        RecordError: malformed JSON, or nesting too deep for the parser, at ``$``.
    """
    suspect = False

    def pairs(items: list[tuple[str, Json]]) -> _Pairs:
        nonlocal suspect
        found = _Pairs(items)
        suspect = suspect or found.repeated is not None
        return found

    def bad_float(number: str) -> float | _Bad:
        nonlocal suspect
        found = _float(number)
        suspect = suspect or type(found) is _Bad
        return found

    def bad_int(number: str) -> int | _Bad:
        nonlocal suspect
        found = _int(number)
        suspect = suspect or type(found) is _Bad
        return found

    def constant(name: str) -> _Bad:
        nonlocal suspect
        suspect = True
        return _Bad(name)

    try:
        data = json.loads(
            text,
            object_pairs_hook=pairs,
            parse_constant=constant,
            parse_float=bad_float,
            parse_int=bad_int,
        )
    except json.JSONDecodeError as error:
        fail("$", f"not valid JSON: {error}")
    except RecursionError:
        fail("$", f"nested deeper than {MAX_DEPTH} levels")
    # Deep nesting needs brackets; a lone surrogate needs an escape (decoded UTF-8 holds none,
    # and a str that does cannot be encoded).
    deep = text.count("[") + text.count("{") > MAX_DEPTH
    surrogate = "\\u" in text or (not text.isascii() and not _encodes(text))
    return data, suspect or deep or surrogate


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_tree(data: object) -> None:
    """Refuse what JSON cannot hold, naming where: bad numbers, keys, nesting, lone surrogates."""
    stack: list[tuple[object, Path, int]] = [(data, "$", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            fail(path, f"nested deeper than {MAX_DEPTH} levels")
        _check_leaf(value, path)
        if isinstance(value, dict):
            repeated = getattr(value, "repeated", None)
            if repeated is not None:
                fail((path, repeated), "repeated key")
            for key, item in value.items():
                if not isinstance(key, str):
                    fail(path, f"key {show(key)} is not a string")
                if not key.isascii():
                    _check_text(key, f"{render(path)} key {show(key)}")
                stack.append((item, (path, key), depth + 1))
        elif isinstance(value, list):
            stack.extend(((item, (path, n), depth + 1) for n, item in enumerate(value)))


def _check_leaf(value: object, path: Path) -> None:
    """Refuse a number JSON cannot hold, and a string no UTF-8 can."""
    if isinstance(value, _Bad):
        fail(path, f"{str(value)[:40]} is not a finite number JSON can hold")
    if isinstance(value, float) and not math.isfinite(value):
        fail(path, f"{value} is not a finite number JSON can hold")
    if isinstance(value, str) and not value.isascii():
        _check_text(value, path)


def _check_text(text: str, path: Path) -> None:
    """Refuse a string no UTF-8 can hold: a lone surrogate, such as U+D800."""
    char = lone_surrogate(text)
    if char is not None:
        fail(path, f"{show(text)} holds {char!r}, a lone surrogate no UTF-8 holds")
