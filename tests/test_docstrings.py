"""Run the examples in every module's docstrings, so they cannot go stale."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import majorincident

MODULES = sorted(
    info.name for info in pkgutil.walk_packages(majorincident.__path__, prefix="majorincident.")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    """Every example in the module's docstrings gives the output it shows."""
    module = importlib.import_module(name)

    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=True)

    assert failures == 0
