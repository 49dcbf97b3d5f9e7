"""JSON paths: where a value sits in a document, built lazily and written out only for a message.

A path is ``"$"`` or a ``(parent path, key or index)`` pair, so that reading a good document
pays nothing for naming where each value is; :func:`fail` writes the path out when it refuses.
"""

from __future__ import annotations

import json
import typing
from typing import Any

from majorincident.errors import RecordError

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
