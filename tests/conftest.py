"""Hypothesis profiles: ``default``, ``ci`` (derandomized), ``nightly`` and ``mutants``.

``mutants`` is derandomized and lighter, for mutation testing, which runs the tests again and
again in one process.
"""

import os
from datetime import timedelta

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
