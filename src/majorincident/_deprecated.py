"""Old names kept for one release: each use warns with a ``DeprecationWarning`` naming the new one.

A module that renamed something serves the old name from its ``__getattr__`` through
:func:`renamed`, so the old spelling keeps working, warns where it is used, and goes in the
next release (the changelog lists each).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

__all__ = ["renamed"]


def renamed(module: str, name: str, renames: Mapping[str, tuple[str, object]]) -> object:
    """What the old `name` of `module` stands for, with a warning naming its new name.

    Args:
        module: the module's ``__name__``.
        name: the attribute asked for.
        renames: old name -> (new name, the object).

    Raises:
        AttributeError: `name` is no old name of `module` either.
    """
    if name not in renames:
        msg = f"module {module!r} has no attribute {name!r}"
        raise AttributeError(msg)
    new, value = renames[name]
    warnings.warn(
        f"{module}.{name} is deprecated and goes in the next release; use {module}.{new}",
        DeprecationWarning,
        stacklevel=3,
    )
    return value
