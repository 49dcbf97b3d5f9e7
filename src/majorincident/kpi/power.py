"""What the KPI tests can detect, and false alarms over a series.

The trend's exact test (:func:`~majorincident.kpi.stats.poisson_rates_differ`) and the
bootstrap interval of :func:`~majorincident.kpi.compare` answer "real change" or "cannot tell
from chance". Here is what turns the second answer into information: the power of each (the
chance it sees a given change), the smallest change it sees four times in five, and the
Benjamini-Hochberg adjustment that keeps a series of tests from crying wolf.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from collections.abc import Callable, Sequence
from statistics import NormalDist
from typing import Any, Final, overload

from majorincident.errors import ConfigurationError
from majorincident.kpi.stats import log_binomial_pmf, two_sided_z

__all__ = [
    "EXACT_UP_TO",
    "MOST_EXPECTED",
    "benjamini_hochberg",
    "detectable_rise",
    "interval_detectable",
    "interval_power",
    "median_detectable",
    "poisson_test_power",
]

_NORMAL: Final = NormalDist()


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """The Benjamini-Hochberg adjusted p-values, in the order given.

    A test whose adjusted p-value is below a level `q` is a discovery with the false discovery
    rate controlled at `q`; when nothing changed at all, that is also the chance of any false
    alarm in the series (Benjamini and Hochberg, 1995).
    """
    count = len(p_values)
    order = sorted(range(count), key=lambda index: p_values[index], reverse=True)
    adjusted = [1.0] * count
    smallest = 1.0
    for seen, index in enumerate(order):
        smallest = min(smallest, p_values[index] * count / (count - seen))
        adjusted[index] = max(smallest, p_values[index])  # p * m / m can round below p
    return adjusted


def _region(n: int, share: float, level: float) -> tuple[int, int]:
    """The outcomes of `n` trials the exact two-sided test refuses: ``k <= low or k >= high``.

    The binomial is unimodal, so the outcomes no more likely than a given one are two tails,
    and the refused ones are too: each bound is found by bisection on its side of the mode.
    The p-values are :func:`binomial_two_sided`'s, to the last bit (``fsum`` is exactly rounded,
    so the order of the terms does not matter).
    """
    logs = [log_binomial_pmf(k, n, share) for k in range(n + 1)]
    chances = sorted((log, math.exp(log)) for log in logs)
    running = list(itertools.accumulate(chance for _, chance in chances))
    mode = max(range(n + 1), key=logs.__getitem__)

    def refused(k: int) -> bool:
        edge = bisect.bisect_right(chances, (logs[k] + 1e-7, math.inf))
        rough = running[edge - 1]  # within 1e-12 of the exact sum: near the level, sum exactly
        if abs(rough - level) > 1e-9:
            return rough < level
        return min(1.0, math.fsum(chance for _, chance in chances[:edge])) < level

    low, high = -1, mode  # refused(low) or low == -1; not refused(high) (the mode never is)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if refused(middle) else (low, middle)
    below = low
    low, high = mode, n + 1  # not refused(low); refused(high) or high == n + 1
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if refused(middle) else (middle, high)
    return below, high


def _poisson_window(expected: float) -> tuple[int, list[float]]:
    """The counts holding all but a negligible (below 1e-12) part of a Poisson's mass.

    Returns:
        The first such count, and the probabilities from it on.
    """
    if expected == 0:
        return 0, [1.0]
    spread = 12 * math.sqrt(expected)
    first = max(0, math.floor(expected - spread - 10))
    log = math.log(expected)
    return first, [
        math.exp(k * log - expected - math.lgamma(k + 1))
        for k in range(first, math.ceil(expected + spread + 30))
    ]


def poisson_test_power(
    first_expected: float, second_expected: float, share: float, *, level: float = 0.05
) -> float:
    """The chance that :func:`poisson_rates_differ` refuses equal rates at `level`.

    Exact: the sum, over every pair of counts with the given Poisson means (the mass left out is
    below 1e-11), of the probability of the pairs the conditional test refuses.

    Args:
        first_expected: the mean count of the first period.
        second_expected: the mean count of the second.
        share: the second period's share of the exposure (its days over both periods').
        level: the test's level.
    """
    return _power(first_expected, second_expected, share, level, {})


def _power(
    first_expected: float,
    second_expected: float,
    share: float,
    level: float,
    regions: dict[int, tuple[int, int]],
) -> float:
    """:func:`poisson_test_power`, keeping the refused tails of each total in `regions`."""
    start, second = _poisson_window(second_expected)
    origin, first = _poisson_window(first_expected)
    total = []
    for k1, weight in enumerate(first, origin):
        refused = []
        for k2, chance in enumerate(second, start):  # the tails move with the total k1 + k2
            if (n := k1 + k2) not in regions:
                regions[n] = _region(n, share, level)
            low, high = regions[n]
            if k2 <= low or k2 >= high:
                refused.append(chance)
        total.append(weight * math.fsum(refused))
    return min(1.0, math.fsum(total))


#: The largest rise :func:`detectable_rise` looks for; beyond it the answer is None.
_FARTHEST: Final = 1e6
#: Up to this many expected events in the first period, :func:`detectable_rise` is exact.
EXACT_UP_TO: Final = 50.0
#: The most events the second period may expect in an exact :func:`detectable_rise`.
MOST_EXPECTED: Final = 500.0


def detectable_rise(
    expected: float, share: float, *, power: float = 0.8, level: float = 0.05
) -> float | None:
    """The smallest factor by which a rate must rise for the conditional test to see it.

    The first period expects `expected` events at the base rate, and the second, with the share
    `share` of the exposure, that rate times the factor; the answer is the smallest factor the
    test at `level` refuses with probability `power` or more (to 0.1%).

    Up to :data:`EXACT_UP_TO` expected events (and a doubling's :data:`MOST_EXPECTED` in the
    second period) it is found by bisection on the exact :func:`poisson_test_power`; beyond,
    where the exact sum grows slow and the counts are large,
    from the normal approximation of the log rate ratio (its variance ``1/first + 1/second``),
    which differs from the exact answer by less than 0.7% from 50 to 200 expected events.

    Returns:
        The factor, or None when `expected` is 0, or no rise up to a millionfold would be seen
        that often, or (exactly computed) not before the second period expects
        :data:`MOST_EXPECTED` events: a first period too short to compare against.
    """
    for name, value in (("share", share), ("power", power), ("level", level)):
        if not (isinstance(value, int | float) and 0 < value < 1):  # type: ignore[redundant-expr]
            raise ConfigurationError(f"{name} ({value!r}) must be a number between 0 and 1")
    return _rise(expected, share, power, level) if expected > 0 else None


@functools.lru_cache(maxsize=1024)
def _rise(expected: float, share: float, power: float, level: float) -> float | None:
    ratio = share / (1 - share)  # the second's expectation per unit of factor and of the first's
    farthest = _FARTHEST
    if expected > EXACT_UP_TO or 2 * expected * ratio > MOST_EXPECTED:
        needed = _NORMAL.inv_cdf(1 - level / 2) + _NORMAL.inv_cdf(power)

        def seen(factor: float) -> bool:
            return math.log(factor) >= needed * math.sqrt((1 + 1 / (ratio * factor)) / expected)

    else:
        regions: dict[int, tuple[int, int]] = {}
        farthest = min(farthest, MOST_EXPECTED / (expected * ratio))

        def seen(factor: float) -> bool:
            return _power(expected, expected * ratio * factor, share, level, regions) >= power

    low, high = 1.0, 2.0
    while not seen(high):
        if high >= farthest:
            return None
        low, high = high, min(high * 2, farthest)
    while high / low > 1.001:
        middle = math.sqrt(low * high)
        low, high = (low, middle) if seen(middle) else (middle, high)
    return high


def _log_error(
    low: Any,  # noqa: ANN401 - a number, or a dataframe expression with `log`
    high: Any,  # noqa: ANN401
    confidence: float,
    log: Callable[[Any], Any] = math.log,
) -> tuple[float, Any]:
    """The interval's normal quantile ``z``, and the standard error it implies on the log scale.

    The interval ``[low, high]`` is read as a normal interval of the log: its standard error is
    ``(ln high - ln low) / (2 z)``.
    """
    z = two_sided_z(confidence)
    return z, (log(high) - log(low)) / (2 * z)


def interval_power(low: float, high: float, confidence: float, factor: float) -> float:
    """The chance that a change of the median by `factor` gives an interval excluding 1.

    The method: the interval ``[low, high]`` of a ratio is read as a normal interval on the log
    scale, so its standard error is ``(ln high - ln low) / (2 z)`` with ``z`` the normal
    quantile of the interval's confidence; a true log ratio ``ln factor`` then falls outside by
    chance as a normal would. An interval of no width sees any change, and none where none is.
    """
    z, error = _log_error(low, high, confidence)
    shift = abs(math.log(factor))
    if error == 0:
        return 0.0 if shift == 0 else 1.0
    return _NORMAL.cdf(shift / error - z) + _NORMAL.cdf(-shift / error - z)


def interval_detectable(low: float, high: float, confidence: float, power: float = 0.8) -> float:
    """The smallest factor (at least 1) :func:`interval_power` sees with probability `power`.

    One-sided, as the other tail adds nearly nothing there: ``exp(error * (z + z_power))``.
    """
    z, error = _log_error(low, high, confidence)
    return math.exp(error * (z + _NORMAL.inv_cdf(power)))


@overload
def median_detectable(low: float, high: float, confidence: float, power: float = ...) -> float: ...


@overload
def median_detectable(
    low: Any,  # noqa: ANN401 - a dataframe expression
    high: Any,  # noqa: ANN401
    confidence: float,
    power: float = ...,
    *,
    log: Callable[[Any], Any],
    exp: Callable[[Any], Any],
) -> Any: ...  # noqa: ANN401


def median_detectable(
    low: Any,
    high: Any,
    confidence: float,
    power: float = 0.8,
    *,
    log: Callable[[Any], Any] = math.log,
    exp: Callable[[Any], Any] = math.exp,
) -> Any:
    """The smallest change of a median that a comparison with as many incidents sees.

    `low` and `high` are the median's interval (as a summary gives it, positive). Compared with
    another set of as many incidents, the ratio of the two medians has, on the log scale, a
    standard error √2 times the median's own (read off its interval as
    :func:`interval_power` reads a ratio's), so the factor seen with probability `power` (four
    times in five by default) is ``exp(√2 error (z + z_power))``. `log` and `exp` may be an
    array library's (narwhals' ``Expr.log`` and ``Expr.exp``), for every row of a frame at once.
    """
    z, error = _log_error(low, high, confidence, log)
    return exp(math.sqrt(2) * error * (z + _NORMAL.inv_cdf(power)))
