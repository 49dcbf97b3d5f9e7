"""Whether a metric changed between two sets of incidents, with a bootstrap interval."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from majorincident.clock import utc
from majorincident.errors import ConfigurationError
from majorincident.incident import Incident
from majorincident.kpi._metrics import Metric, gather
from majorincident.kpi.stats import bootstrap_ratio_of_medians, quantile

__all__ = ["Comparison", "compare"]


@attrs.frozen
class Comparison:
    """Whether a metric changed between two sets of incidents, and whether the data can tell.

    Attributes:
        metric: the metric.
        before_n: incidents measured before.
        after_n: incidents measured after.
        ratio: median after / median before; None when undefined.
        low: the low end of the bootstrap confidence interval of the ratio.
        high: the high end.
        confidence: the interval's confidence level.
        conclusive: True when the interval excludes 1: the data show a change.
        reason: why it is not conclusive, in words; None when it is.
    """

    metric: Metric
    before_n: int
    after_n: int
    ratio: float | None
    low: float | None
    high: float | None
    confidence: float
    conclusive: bool = attrs.field(kw_only=True)
    reason: str | None = attrs.field(kw_only=True)


def compare(
    before: Iterable[Incident],
    after: Iterable[Incident],
    metric: Metric,
    *,
    as_of: datetime | str,
    seed: int,
    resamples: int = 2000,
    confidence: float = 0.95,
) -> Comparison:
    """Compare a metric's median before and after a change, with a bootstrap interval.

    Deterministic for a seed. A ratio below 1 is an improvement for durations.

    Raises:
        ConfigurationError: resamples below 100 or a confidence outside (0, 1).
    """
    if resamples < 100 or not 0 < confidence < 1:
        raise ConfigurationError(
            f"resamples ({resamples}) must be at least 100 and confidence ({confidence}) "
            "between 0 and 1"
        )
    moment = utc(as_of, field="as_of")
    first = sorted(gather(metric, before, moment).measured)
    second = sorted(gather(metric, after, moment).measured)
    base = quantile(first, 0.5)
    ratio = None if not base or not second else quantile(second, 0.5) / base  # type: ignore[operator]
    undecided = Comparison(
        metric, len(first), len(second), ratio, None, None, confidence, conclusive=False, reason=""
    )
    if len(first) < 2 or len(second) < 2 or not base:
        return attrs.evolve(
            undecided,
            reason="each side needs at least two measured incidents and a median above zero",
        )
    interval = bootstrap_ratio_of_medians(
        first, second, seed=seed, resamples=resamples, confidence=confidence
    )
    if interval is None:
        return attrs.evolve(undecided, reason="resampled medians of zero leave the ratio undefined")
    low, high = interval
    conclusive = high < 1 or low > 1
    return attrs.evolve(
        undecided,
        low=low,
        high=high,
        conclusive=conclusive,
        reason=None if conclusive else "the interval includes 1: the data cannot show a change",
    )
