"""Hypothesis profiles: ``default``, ``ci`` (derandomized), ``nightly`` and ``mutants``.

``mutants`` is derandomized and lighter, for mutation testing, which runs the tests again and
again in one process.
"""

import os
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, Phase, Verbosity, settings

settings.register_profile("default", deadline=timedelta(seconds=2))
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "nightly",
    max_examples=5_000,
    deadline=None,
    phases=list(Phase),
    verbosity=Verbosity.normal,
)
settings.register_profile(
    "mutants",
    derandomize=True,
    deadline=None,
    max_examples=30,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


if os.environ.get("MUTANT_UNDER_TEST"):

    @pytest.fixture(autouse=True)
    def _caches_built_per_test() -> None:
        """Build the codecs, compiled rules and transition tables again in every test, under mutmut.

        mutmut maps each function to the tests that called it, once, and runs a mutant in a
        process forked after those caches were filled. Cached, what builds them would count as
        called by the first test that filled them alone, and its mutants would never run; built
        per test, each test that uses them builds them, under the mutant.
        """
        # Imported here: needed only under mutmut.
        from majorincident.lifecycle import TransitionTable  # noqa: PLC0415
        from majorincident.serialization import _records  # noqa: PLC0415
        from majorincident.workflow import rules  # noqa: PLC0415

        _records.CODECS.clear()
        rules._compiled.cache_clear()
        TransitionTable.of.__func__.cache_clear()  # type: ignore[attr-defined]
