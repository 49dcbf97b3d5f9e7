"""How little a median pins down: the intervals of the median and of the Kaplan-Meier median.

The ranks are checked against the exact binomial ones computed here from the definition, the
Kaplan-Meier band against a computation written here from Greenwood's formula on the
log(-log) scale, and both intervals' coverage by simulation with fixed seeds.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from majorincident.errors import ConfigurationError
from majorincident.incident import Incident
from majorincident.kpi import CONFIDENCE, MTTR, report, summarize
from majorincident.kpi.power import median_detectable
from majorincident.kpi.stats import (
    kaplan_meier_median_interval,
    kaplan_meier_median_interval_of_tallies,
    kaplan_meier_median_of_tallies,
    kaplan_meier_tallies,
    log_binomial_pmf,
    median_interval,
    median_low_rank,
    median_ranks,
    two_sided_z,
)
from majorincident.serialization import from_dict, from_json, to_dict, to_json

START = datetime(2024, 1, 1, tzinfo=UTC)


def _exact_low(n: int) -> tuple[int, float]:
    """The exact binomial rank of the median's lower bound, and the chance below it.

    The largest low with P(B <= low - 1) <= 2.5% for B binomial (n, 1/2), 0 if none; and that
    P(B <= low - 1), summed from the definition.
    """
    below, low = 0.0, 0
    while (more := below + math.exp(log_binomial_pmf(low, n, 0.5))) <= 0.025:
        below, low = more, low + 1
    return low, below


class TestRanks:
    """The order statistics that bound the median."""

    @pytest.mark.parametrize(
        ("n", "ranks"),
        [(0, None), (5, None), (6, (1, 6)), (12, (3, 10)), (30, (10, 21)), (100, (40, 61))],
    )
    def test_known_sizes(self, n: int, ranks: tuple[int, int] | None) -> None:
        """Textbook ranks: 3rd to 10th of 12, 10th to 21st of 30, 40th to 61st of 100."""
        assert ranks == median_ranks(n)

    def test_never_narrower_than_the_exact_ranks(self) -> None:
        """Up to 2,000 values the ranks are the exact binomial ones or one wider.

        One wider where the formula rounds down; so they hold the median at least 95% of the
        time.
        """
        wider = []
        for n in range(1, 2001):
            exact, below = _exact_low(n)
            ranks = median_ranks(n)
            low = 0 if ranks is None else ranks[0]
            assert low in (exact, exact - 1), n
            if low == exact and low:
                assert 1 - 2 * below >= 0.95, n
            if low != exact:
                wider.append(n)
        assert [17, 44, 67, 94, 138, 190, 267, 301, 396, 438, 551, 651, 846, 1001] == wider[:14]

    def test_the_interval_is_those_order_statistics(self) -> None:
        """Of twelve sorted values, the 3rd and the 10th; at 80%, the 4th and the 9th."""
        twelve = [float(v) for v in range(1, 13)]

        assert (3.0, 10.0) == median_interval(twelve)
        assert (4, 9) == median_ranks(12, 0.8)
        assert (4.0, 9.0) == median_interval(twelve, 0.8)
        assert median_interval([1.0, 2.0, 3.0]) is None

    @pytest.mark.parametrize("confidence", [0.0, 1.0, -0.5, 1.5])
    def test_a_confidence_outside_0_1_is_refused(self, confidence: float) -> None:
        """A confidence of 0 or 1 or beyond is named, not a StatisticsError."""
        with pytest.raises(ConfigurationError, match=rf"confidence \({confidence}\) must be"):
            median_ranks(12, confidence)

    def test_a_negative_count_is_refused(self) -> None:
        """A negative n is named, not a math domain error."""
        with pytest.raises(ConfigurationError, match=r"^n \(-1\) must be a count"):
            median_ranks(-1)

    @pytest.mark.parametrize("confidence", [0.95, 0.8])
    def test_an_array_library_finds_the_same_ranks(self, confidence: float) -> None:
        """With NumPy's sqrt and floor, a column of counts gives each count's rank at once.

        The frames engines compute the ranks of every group this way; below six values (at
        95%) the rank is below 1, where :func:`median_ranks` says None.
        """
        np = pytest.importorskip("numpy")
        counts = np.arange(3001)

        lows = median_low_rank(counts, confidence, np.sqrt, np.floor)

        expected = [
            0 if (ranks := median_ranks(n, confidence)) is None else ranks[0] for n in counts
        ]
        assert expected == [max(int(low), 0) for low in lows]
        assert [median_low_rank(n, confidence) for n in range(30)] == [int(v) for v in lows[:30]]
        assert (10, 40) == (median_low_rank(30), median_low_rank(100))  # at 95% unless told


def _band(times: list[float], observed: list[bool], z: float) -> list[tuple[float, float, float]]:
    """(time, lower, upper) of the log(-log) Greenwood band after each event time.

    By brute force: every sum recomputed from all durations for each time.
    """
    band = []
    for moment in sorted({t for t, seen in zip(times, observed, strict=True) if seen}):
        survival, greenwood = 1.0, 0.0
        for step in sorted({t for t, seen in zip(times, observed, strict=True) if seen}):
            if step > moment:
                break
            at_risk = sum(1 for t in times if t >= step)
            died = sum(1 for t, seen in zip(times, observed, strict=True) if seen and t == step)
            survival *= (at_risk - died) / at_risk
            greenwood += died / (at_risk * (at_risk - died)) if died < at_risk else math.inf
        if survival == 0:
            band.append((moment, 0.0, 0.0))
            continue
        c = math.log(-math.log(survival))
        spread = z * math.sqrt(greenwood) / abs(math.log(survival))
        band.append((moment, math.exp(-math.exp(c + spread)), math.exp(-math.exp(c - spread))))
    return band


class TestKaplanMeierInterval:
    """The Brookmeyer-Crowley interval of the Kaplan-Meier median."""

    @pytest.mark.parametrize("confidence", [0.95, 0.8])
    @pytest.mark.parametrize("seed", range(12))
    def test_the_ends_are_where_the_band_crosses_one_half(
        self, seed: int, confidence: float
    ) -> None:
        """The ends are the first times the band's curves are at or below one half.

        Low end: the lower curve's; high end: the upper curve's; None where it never is.
        """
        rng = random.Random(seed)  # noqa: S311 - statistics, not secrets
        n = rng.randint(4, 40)
        times = [float(rng.randint(1, 30)) for _ in range(n)]
        observed = [rng.random() < 0.7 for _ in range(n)]
        band = _band(times, observed, two_sided_z(confidence))

        low = next((t for t, lower, _ in band if lower <= 0.5), None)
        high = next((t for t, _, upper in band if upper <= 0.5), None)
        assert (low, high) == kaplan_meier_median_interval(times, observed, confidence)

    def test_tallies_at_95_percent_by_default(self) -> None:
        """From tallies (time, events, leaving), at 95% unless told."""
        tallies = [(float(hour), 1, 1) for hour in range(1, 11)]

        assert (1.0, 8.0) == kaplan_meier_median_interval_of_tallies(tallies)
        assert (3.0, 7.0) == kaplan_meier_median_interval_of_tallies(tallies, 0.8)

    def test_one_tally_serves_the_median_and_its_interval(self) -> None:
        """(time, events, leaving) per distinct duration, in first-seen order.

        Two incidents resolved at 1 h and one still open at 1 h leave together; the open one
        counts among those leaving, not among the events.
        """
        durations = [1.0, 3.0, 1.0, 2.0, 1.0]
        observed = [True, False, False, True, True]

        tallies = kaplan_meier_tallies(durations, observed)

        assert [(1.0, 2, 3), (3.0, 0, 1), (2.0, 1, 1)] == tallies
        assert 2.0 == kaplan_meier_median_of_tallies(tallies)
        assert kaplan_meier_median_interval(durations, observed) == (
            kaplan_meier_median_interval_of_tallies(tallies)
        )

    def test_where_everyone_left_has_ended_the_band_is_zero(self) -> None:
        """Two durations: after the second the estimate is 0, and so is its band."""
        assert (1.0, 2.0) == kaplan_meier_median_interval([1.0, 2.0], [True, True])

    def test_ten_durations_by_hand(self) -> None:
        """1 to 10 h, nothing censored: from 1 h to 8 h.

        At 1 h the estimate is 0.9 and Greenwood's sum 1/90,
        so the log(-log) spread is 1.96 x sqrt(1/90) / -ln 0.9 = 1.96 and the lower curve
        0.9 ** exp(1.96) = 0.47: at or below one half already. At 7 h the estimate is 0.3,
        the sum 7/30 and the upper curve 0.3 ** exp(-0.788) = 0.58; at 8 h, 0.2, 8/20 and
        0.2 ** exp(-0.770) = 0.47: the high end.
        """
        times = [float(hour) for hour in range(1, 11)]

        assert (1.0, 8.0) == kaplan_meier_median_interval(times, [True] * 10)

    def test_over_half_censored_early_leaves_the_high_end_open(self) -> None:
        """With most durations censored the data cannot bound the median from above."""
        times = [1.0, 2.0, 3.0, 3.5, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0]
        observed = [True, True, True, True, False, False, False, False, False, False]

        low, high = kaplan_meier_median_interval(times, observed)
        assert high is None
        assert low is not None


def _coverage(n: int, trials: int, seed: int, *, censor: float) -> tuple[float, float]:
    """The shares of seeded samples whose intervals hold the true median.

    Log-normal durations (median 1 h; sigma 1); for the Kaplan-Meier interval a share `censor`
    of them is censored by an independent exponential time (the other interval uses them all).
    """
    rng = random.Random(seed)  # noqa: S311 - statistics, not secrets
    median = 3600.0
    rate = censor / (1 - censor) * math.log(2) / median  # about `censor` of them censored
    held = held_km = 0
    for _ in range(trials):
        durations = [median * math.exp(rng.gauss(0, 1)) for _ in range(n)]
        interval = median_interval(sorted(durations))
        held += interval is not None and interval[0] <= median <= interval[1]
        limits = [rng.expovariate(rate) for _ in range(n)]
        times = [min(d, c) for d, c in zip(durations, limits, strict=True)]
        seen = [d <= c for d, c in zip(durations, limits, strict=True)]
        low, high = kaplan_meier_median_interval(times, seen)
        held_km += low is not None and low <= median and (high is None or median <= high)
    return held / trials, held_km / trials


@pytest.mark.parametrize(("n", "seed"), [(30, 30), (100, 100)])
def test_the_intervals_hold_the_median_95_percent_of_the_time(n: int, seed: int) -> None:
    """4,000 seeded samples: both intervals cover the true median within 93-97%."""
    plain, censored = _coverage(n, 4000, seed, censor=0.3)

    assert 0.93 <= plain <= 0.97, plain
    assert 0.93 <= censored <= 0.97, censored


class TestSummary:
    """The intervals in a summary, its documents and their older versions."""

    def twelve(self) -> list[Incident]:
        """Twelve resolved 1 to 12 h after the report, and two still open."""
        done = [
            Incident(f"I{h}", reported_at=START, resolved_at=START + timedelta(hours=h))
            for h in range(1, 13)
        ]
        return [*done, Incident("O1", reported_at=START), Incident("O2", reported_at=START)]

    def test_a_summary_carries_both_intervals(self) -> None:
        """The median of twelve, 6 h 30 min, lies within 3 h and 10 h.

        The KM median's interval counts the two open ones as censored at as_of.
        """
        as_of = START + timedelta(hours=20)
        summary = summarize(self.twelve(), MTTR, as_of=as_of, open_incidents="censor")

        assert (timedelta(hours=3), timedelta(hours=10)) == (
            summary.median_low,
            summary.median_high,
        )
        hours = [float(h) for h in range(1, 13)] + [20.0, 20.0]
        low, high = kaplan_meier_median_interval(hours, [True] * 12 + [False] * 2, CONFIDENCE)
        assert (timedelta(hours=low), timedelta(hours=high)) == (  # type: ignore[arg-type]
            summary.km_median_low,
            summary.km_median_high,
        )

    def test_open_incidents_are_censored_not_ended(self) -> None:
        """Eight resolved in 1 to 8 h and six open at as_of: the median may lie beyond 20 h."""
        done = [
            Incident(f"I{h}", reported_at=START, resolved_at=START + timedelta(hours=h))
            for h in range(1, 9)
        ]
        still_open = [Incident(f"O{n}", reported_at=START) for n in range(6)]
        as_of = START + timedelta(hours=20)

        summary = summarize([*done, *still_open], MTTR, as_of=as_of, open_incidents="censor")
        assert (timedelta(hours=3), None) == (summary.km_median_low, summary.km_median_high)

    def test_with_every_incident_open_the_median_is_not_reached(self) -> None:
        """Nothing measured, all censored: no median, no interval, and a warning that says so."""
        still_open = [Incident(f"O{n}", reported_at=START + timedelta(hours=n)) for n in range(8)]

        summary = summarize(
            still_open, MTTR, as_of=START + timedelta(days=2), open_incidents="censor"
        )

        assert (0, 8, False) == (summary.n, summary.open, summary.km_median_reached)
        assert (None, None, None) == (
            summary.km_median,
            summary.km_median_low,
            summary.km_median_high,
        )
        assert "the Kaplan-Meier median is not reached: over half are still open" in (
            summary.warnings
        )

    def test_without_censoring_no_kaplan_meier_interval(self) -> None:
        """The KM interval is asked for with the KM median, as ``open_incidents="censor"``."""
        summary = summarize(self.twelve(), MTTR, as_of=START + timedelta(hours=20))

        assert (None, None) == (summary.km_median_low, summary.km_median_high)
        assert summary.median_low is not None

    def test_the_intervals_survive_json(self) -> None:
        """A summary with its intervals reads back equal."""
        summary = summarize(
            self.twelve(), MTTR, as_of=START + timedelta(hours=20), open_incidents="censor"
        )

        assert summary == from_json(to_json(summary))

    @pytest.mark.parametrize("kind", ["summary", "report_row", "kpi_report"])
    def test_a_version_3_summary_loads_without_intervals(self, kind: str) -> None:
        """A version-3 summary had no intervals: it loads with them null, wherever it sits."""
        summary = summarize(self.twelve()[:3], MTTR, as_of=START + timedelta(hours=20))
        keys = ("median_low", "median_high", "km_median_low", "km_median_high")
        document = to_dict(summary)
        old = {key: value for key, value in document.items() if key not in keys}
        inner = {key: value for key, value in old.items() if key not in ("type", "schema_version")}
        if kind == "report_row":
            old = {"type": "report_row", "group": [], "period": None, "summary": inner}
        elif kind == "kpi_report":
            old = {"type": "kpi_report", "rows": [{"group": [], "period": None, "summary": inner}]}
        old["schema_version"] = 3

        loaded = from_dict(old)
        found = (
            loaded
            if kind == "summary"
            else (
                loaded.summary if kind == "report_row" else loaded.rows[0].summary  # type: ignore[attr-defined]
            )
        )
        assert summary == found


class TestDetectableChange:
    """The change of a median that a comparison with as many incidents would see."""

    def test_the_formula(self) -> None:
        """exp(√2 x (ln high - ln low) / (2 x 1.96) x (1.96 + 0.84)), by hand."""
        error = (math.log(3.0) - math.log(1.5)) / (2 * 1.959964)

        expected = math.exp(math.sqrt(2) * error * (1.959964 + 0.841621))
        assert median_detectable(1.5, 3.0, 0.95) == pytest.approx(expected, rel=1e-5)
        assert 1.0 == median_detectable(2.0, 2.0, 0.95)

    @pytest.mark.parametrize("n", [30, 100])
    def test_it_follows_the_median_s_standard_error(self, n: int) -> None:
        """Log-normal samples: near exp(√2 x 1.2533 / √n x 2.80), a median's asymptotic error.

        200 seeded samples; the order-statistic interval holds at least 95%, so it reads a
        little wide: the typical figure is at most 10% above the theory, and not below it.
        """
        rng = random.Random(n)  # noqa: S311 - statistics, not secrets
        found = []
        for _ in range(200):
            durations = sorted(3600 * math.exp(rng.gauss(0, 1)) for _ in range(n))
            low, high = median_interval(durations)  # type: ignore[misc]
            found.append(median_detectable(low, high, CONFIDENCE))
        theory = math.exp(math.sqrt(2) * math.sqrt(math.pi / 2 / n) * (1.959964 + 0.841621))

        assert 1.0 <= sorted(found)[100] / theory <= 1.1

    def test_a_summary_states_it(self) -> None:
        """From its interval; None without one, or from an interval starting at zero."""
        done = [
            Incident(f"I{h}", reported_at=START, resolved_at=START + timedelta(hours=h))
            for h in range(1, 13)
        ]
        as_of = START + timedelta(days=1)

        summary = summarize(done, MTTR, as_of=as_of)
        assert summary.detectable_change == median_detectable(3 * 3600, 10 * 3600, 0.95)
        assert summarize(done[:5], MTTR, as_of=as_of).detectable_change is None
        instant = [Incident(f"Z{n}", reported_at=START, resolved_at=START) for n in range(12)]
        assert summarize(instant, MTTR, as_of=as_of).detectable_change is None

    def test_a_report_shows_it(self) -> None:
        """In the rows beside the interval, and as a factor in the table; "-" without one."""
        done = [
            Incident(
                f"I{h}",
                service="cdn" if h <= 12 else "dns",
                reported_at=START,
                resolved_at=START + timedelta(hours=h),
            )
            for h in range(1, 16)
        ]
        found = report(done, metrics=[MTTR], by=("service",), as_of=START + timedelta(days=1))

        rows = found.to_rows()
        change = median_detectable(3 * 3600, 10 * 3600, 0.95)
        assert [change, None] == [row["detectable_change"] for row in rows]
        header, _, cdn, dns = found.to_markdown().splitlines()
        assert ["detectable change", f"{change:.2f}x", "-"] == [
            line.rstrip(" |").rsplit("| ", 1)[1] for line in (header, cdn, dns)
        ]
