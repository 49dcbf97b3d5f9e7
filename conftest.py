"""Run the examples in the README and the documentation as tests; share the work between workers.

With pytest-xdist (``-n auto``, as the noxfile runs the tests) the examples of one document stay
on one worker, in order, since each example builds on the names of the ones before it; every
other test is its own unit of work, and the slowest (the ``thousand`` mark) start first, so that
no worker is left running one of them while the other has nothing more to do.
"""

from __future__ import annotations

from doctest import ELLIPSIS, NORMALIZE_WHITESPACE
from typing import TYPE_CHECKING

import pytest
from sybil import Sybil
from sybil.parsers.myst import DocTestDirectiveParser, PythonCodeBlockParser, SkipParser

if TYPE_CHECKING:
    from xdist.scheduler import LoadScopeScheduling

pytest_collect_file = Sybil(
    parsers=[
        DocTestDirectiveParser(optionflags=ELLIPSIS | NORMALIZE_WHITESPACE),
        PythonCodeBlockParser(doctest_optionflags=ELLIPSIS | NORMALIZE_WHITESPACE),
        SkipParser(),
    ],
    patterns=["*.md"],
).pytest()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the slowest checks first (a stable sort: every other test keeps its place)."""
    items.sort(key=lambda item: item.get_closest_marker("thousand") is None)


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> LoadScopeScheduling:
    """Send a document's examples to one worker together, and every other test on its own."""
    from xdist.scheduler import LoadScopeScheduling  # noqa: PLC0415 - only with pytest-xdist

    class DocumentScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return path if path.endswith(".md") else nodeid

    return DocumentScheduling(config, log)
