"""Whether a metric changed between two sets of incidents, with a bootstrap interval.

A percentile bootstrap interval of the ratio of medians that excludes 1 is a "real change".
One that includes it cannot tell the change from chance, which is not "no change": each
comparison also says the smallest change its data would show four times in five, read off the
interval's own width (:func:`~majorincident.kpi.power.interval_detectable`), so "cannot tell"
beside "only a change beyond 2.5x would show" reads as too few incidents to know.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from majorincident.clock import utc
from majorincident.errors import ConfigurationError, RecordError
from majorincident.incident import Incident
from majorincident.kpi._metrics import Metric, gather
from majorincident.kpi._trend import CANNOT_TELL, POWER, REAL_CHANGE
from majorincident.kpi.power import interval_detectable, interval_power
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
        verdict: :data:`~majorincident.kpi.REAL_CHANGE` when conclusive, else
            :data:`~majorincident.kpi.CANNOT_TELL`.
        detectable_change: the smallest factor (at least 1) by which the median would have to
            change for an interval this wide to exclude 1 four times in five
            (:func:`~majorincident.kpi.power.interval_detectable`); None without an interval.
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
    verdict: str = attrs.field(kw_only=True)
    detectable_change: float | None = attrs.field(kw_only=True)

    @verdict.validator
    def _check_verdict(self, _attribute: object, value: object) -> None:
        expected = REAL_CHANGE if self.conclusive else CANNOT_TELL
        if value != expected:
            raise RecordError(
                f"verdict ({value!r}) must be {expected!r} when conclusive is {self.conclusive}"
            )

    def power_at(self, factor: float) -> float | None:
        """The chance that an interval this wide excludes 1 when the median changes by `factor`.

        "With 30 incidents a side, a 1.2x change is seen 8% of the time"; None without an
        interval. The method is :func:`~majorincident.kpi.power.interval_power`.

        Raises:
            ConfigurationError: `factor` is not a positive number.
        """
        given: object = factor  # callers without types pass anything
        if isinstance(given, bool) or not isinstance(given, int | float) or not given > 0:
            raise ConfigurationError(f"factor ({factor!r}) must be a positive number")
        if self.low is None or self.high is None:
            return None
        return interval_power(self.low, self.high, self.confidence, factor)


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
        metric,
        len(first),
        len(second),
        ratio,
        None,
        None,
        confidence,
        conclusive=False,
        reason="",
        verdict=CANNOT_TELL,
        detectable_change=None,
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
    detectable = interval_detectable(low, high, confidence, POWER)
    return attrs.evolve(
        undecided,
        low=low,
        high=high,
        conclusive=conclusive,
        reason=None
        if conclusive
        else (
            "the interval includes 1: cannot tell from chance; only a change beyond "
            f"{detectable:.2f}x would show 4 times in 5"
        ),
        verdict=REAL_CHANGE if conclusive else CANNOT_TELL,
        detectable_change=detectable,
    )
