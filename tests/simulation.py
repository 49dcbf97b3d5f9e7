"""Seeded simulations of the KPI tests, shared by the test suite and scripts/kpi_simulation.py."""

from __future__ import annotations

import itertools
import math
import random
import statistics
from datetime import UTC, datetime, timedelta

from majorincident.incident import Incident
from majorincident.kpi import MTTR, compare
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


def compare_rates(
    n: int, change: float, trials: int, seed: int
) -> tuple[float, float, float, float]:
    """How :func:`majorincident.kpi.compare` fares with `n` incidents a side, by simulation.

    Each trial compares two sets of `n` log-normal resolution times (sigma 1, median 1 h) with
    the same median, at the 95% default and 2,000 resamples. Moving the second set's median by
    a factor f multiplies every resampled ratio, and so the interval, by f: the `change` is
    seen where the interval times `change` leaves out 1, on the same trials.

    Returns:
        The share of intervals that hold the true ratio 1, of "real change" verdicts (false
        alarms), of `change` seen (the power), and the median detectable change.
    """
    rng = random.Random(seed)  # noqa: S311 - a simulation
    start = datetime(2024, 1, 1, tzinfo=UTC)
    as_of = start + timedelta(days=365)

    def side(name: str) -> list[Incident]:
        return [
            Incident(
                f"{name}{k}",
                reported_at=start,
                resolved_at=start + timedelta(hours=rng.lognormvariate(0, 1)),
            )
            for k in range(n)
        ]

    covered = alarms = seen = 0
    detectable = []
    for trial in range(trials):
        found = compare(side("a"), side("b"), MTTR, as_of=as_of, seed=trial)
        low, high = found.low or 0.0, found.high or math.inf
        covered += low <= 1 <= high
        alarms += found.conclusive
        seen += low * change > 1 or high * change < 1
        detectable.append(found.detectable_change or math.inf)
    return covered / trials, alarms / trials, seen / trials, statistics.median(detectable)
