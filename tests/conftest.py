"""Hypothesis profiles: ``default`` locally, ``ci`` (derandomized) and ``nightly`` (deep)."""

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
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
