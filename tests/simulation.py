"""Seeded simulations of the KPI tests, shared by the test suite and scripts/kpi_simulation.py."""

from __future__ import annotations

import itertools
import math
import random

from majorincident.kpi.power import benjamini_hochberg
from majorincident.kpi.stats import poisson_rates_differ


def false_alarm_rates(rate: float, series: int, seed: int, months: int = 24) -> tuple[float, float]:
    """The shares of series at a constant rate with any "real change" verdict.

    Each series has `months` equal months of Poisson counts with mean `rate`, each month tested
    against the one before at 5%.

    Returns:
        The share with the verdicts controlled over the series (Benjamini-Hochberg, the
        trend's default), and with each month tested alone.
    """
    rng = random.Random(seed)  # noqa: S311 - a simulation
    threshold = math.exp(-rate)

    def count() -> int:  # Poisson by inversion (Knuth), on the simulation's own generator
        k, product = 0, rng.random()
        while product > threshold:
            k, product = k + 1, product * rng.random()
        return k

    controlled = alone = 0
    for _ in range(series):
        counts = [count() for _ in range(months)]
        tested = [poisson_rates_differ(a, 30, b, 30) for a, b in itertools.pairwise(counts)]
        controlled += any(p < 0.05 for p in benjamini_hochberg(tested))
        alone += any(p < 0.05 for p in tested)
    return controlled / series, alone / series
