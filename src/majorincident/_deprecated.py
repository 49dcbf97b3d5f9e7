"""Old names kept for one release: each use warns with a ``DeprecationWarning`` naming the new one.

A module that renamed something serves the old name from its ``__getattr__`` through
:func:`renamed`, so the old spelling keeps working, warns where it is used, and goes in the
next release (the changelog lists each).
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Mapping

__all__ = ["moved", "renamed"]


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


def moved(module: str, front: str, *homes: str) -> Callable[[str], object]:
    """Warn that `module` moved, and give it a ``__getattr__`` serving its old public names.

    Called from the old module's body, so the warning comes once, at its import. The names are
    those the private `homes` publish (their ``__all__``); their internals stay out of reach.

    Args:
        module: the old module's ``__name__``.
        front: where its names are imported from now.
        homes: the names of the private modules its names now live in.
    """
    warnings.warn(
        f"{module} is deprecated and goes in the next release; import its names from {front}",
        DeprecationWarning,
        stacklevel=3,
    )
    modules = [importlib.import_module(home) for home in homes]
    names = {name: home for home in modules for name in home.__all__}

    def __getattr__(name: str) -> object:  # noqa: N807 - a module's __getattr__
        if name not in names:
            msg = f"module {module!r} has no attribute {name!r}"
            raise AttributeError(msg)
        return getattr(names[name], name)

    return __getattr__
