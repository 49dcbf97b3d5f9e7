"""Run the examples in every module's docstrings, so they cannot go stale."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import majorincident

#: Aliases kept one release for old imports: they hold no examples and warn when imported.
DEPRECATED = frozenset({"majorincident.kpi.metrics", "majorincident.kpi.outages"})
MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(majorincident.__path__, prefix="majorincident.")
    if info.name not in DEPRECATED
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    """Every example in the module's docstrings gives the output it shows."""
    module = importlib.import_module(name)

    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=True)

    assert failures == 0
