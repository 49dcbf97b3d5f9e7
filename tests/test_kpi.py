"""Tests for majorincident.kpi: metrics, summaries, outages, trends, comparisons and reports."""

from __future__ import annotations

import fractions
import importlib
import itertools
import math
import random
import statistics
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from majorincident import kpi
from majorincident.clock import MAX_INSTANT, Calendar
from majorincident.errors import ConfigurationError, TimelineError
from majorincident.incident import Incident, IncidentKind, Milestone
from majorincident.kpi import (
    MTTA,
    MTTD,
    MTTR,
    TIME_TO_CONTAIN,
    Metric,
    availability,
    compare,
    downtime,
    mtbf,
    mtbsi,
    mtta,
    mttd,
    mttr,
    periods,
    report,
    summarize,
    trend,
)
from majorincident.kpi.power import detectable_rise
from majorincident.kpi.stats import (
    binomial_two_sided,
    bootstrap_median,
    bootstrap_ratio_of_medians,
    geometric_mean,
    kaplan_meier_median,
    kaplan_meier_median_of_tallies,
    mean,
    mean_micros,
    nearest_micro,
    quantile,
)

T = datetime(2024, 1, 1, tzinfo=UTC)
AS_OF = datetime(2024, 2, 1, tzinfo=UTC)


def at(hours: float) -> datetime:
    """An instant `hours` after 2024-01-01T00:00Z."""
    return T + timedelta(hours=hours)


FIVE = [
    Incident("A", service="cdn", reported_at=at(10), resolved_at=at(10) + timedelta(minutes=10)),
    Incident("B", service="cdn", reported_at=at(34), resolved_at=at(35)),
    Incident("C", service="dns", reported_at=at(58), resolved_at=at(62)),
    Incident("D", service="dns", reported_at=at(82)),
    Incident("E", service="cdn", kind="test", reported_at=at(90), resolved_at=at(91)),
]


def seconds(value: Any) -> float | None:
    """A duration in seconds, or None."""
    return None if value is None else value.total_seconds()


class TestSummarize:
    def test_five_incidents_by_hand(self) -> None:
        """Three measured, one open, one test: every field of the summary, computed by hand."""
        summary = summarize(FIVE, MTTR, as_of=AS_OF)

        assert (3, 1, 0, 1) == (summary.n, summary.excluded, summary.missing_start, summary.open)
        assert 6200 == seconds(summary.mean)
        assert 3600 == seconds(summary.median)
        assert 12240 == seconds(summary.p90)
        assert 13320 == seconds(summary.p95)
        assert (600, 14400) == (seconds(summary.minimum), seconds(summary.maximum))
        assert seconds(summary.geometric_mean) == pytest.approx(
            (600 * 3600 * 14400) ** (1 / 3), abs=1e-3
        )
        assert 0 == summary.zeros
        assert (
            ("under 15 min", 1),
            ("15 min to 1 h", 0),
            ("1 h to 4 h", 1),
            ("4 h to 1 day", 1),
            ("1 day to 1 week", 0),
            ("over 1 week", 0),
        ) == summary.buckets
        assert summary.km_median is None
        assert summary.km_median_reached is None
        assert 1 == len(summary.warnings)
        assert "too few for the mean" in summary.warnings[0]

    def test_censored_kaplan_meier(self) -> None:
        """With the open incident censored at as_of, the KM median is the second duration."""
        summary = summarize(FIVE, MTTR, as_of=AS_OF, open_incidents="censor")

        assert 3600 == seconds(summary.km_median)
        assert summary.km_median_reached

    def test_median_not_reached(self) -> None:
        """When most incidents are still open the KM median is not reached, and it says so."""
        records = [Incident(f"X{n}", reported_at=at(n)) for n in range(3)] + FIVE[:1]

        summary = summarize(records, MTTR, as_of=AS_OF, open_incidents="censor")

        assert summary.km_median is None
        assert summary.km_median_reached is False
        assert any("not reached" in warning for warning in summary.warnings)

    def test_as_of_hides_the_future(self) -> None:
        """Milestones after as_of have not happened yet: resolved later means still open."""
        summary = summarize(FIVE, MTTR, as_of=at(61))

        assert (2, 1, 1) == (summary.n, summary.open, summary.missing_start)

    def test_empty(self) -> None:
        """No input gives n = 0 and None statistics, never an exception."""
        summary = summarize([], MTTR, as_of=AS_OF, open_incidents="censor")

        assert (0, None, None, None, None) == (
            summary.n,
            summary.mean,
            summary.median,
            summary.geometric_mean,
            summary.km_median,
        )
        assert () == summary.warnings
        assert mttr([], as_of=AS_OF) is None

    def test_zero_durations(self) -> None:
        """Zero durations count, but are left out of the geometric mean."""
        records = [
            Incident("Z", reported_at=at(1), resolved_at=at(1)),
            Incident("Y", reported_at=at(1), resolved_at=at(2)),
        ]

        summary = summarize(records, MTTR, as_of=AS_OF)

        assert (1, 3600) == (summary.zeros, seconds(summary.geometric_mean))
        only_zero = summarize(records[:1], MTTR, as_of=AS_OF)
        assert only_zero.geometric_mean is None

    def test_shortcuts(self) -> None:
        """mtta, mttr and mttd give the means."""
        record = Incident(
            "CF",
            started_at="2019-07-02T13:42Z",
            detected_at="2019-07-02T13:45Z",
            reported_at="2019-07-02T13:45Z",
            acknowledged_at="2019-07-02T13:46Z",
            resolved_at="2019-07-02T14:52Z",
        )

        assert timedelta(minutes=3) == mttd([record], as_of=AS_OF)
        assert timedelta(minutes=1) == mtta([record], as_of=AS_OF)
        assert timedelta(minutes=67) == mttr([record], as_of=AS_OF)

    def test_cloudflare_2019(self) -> None:
        """The seed's outage: detected in 3 minutes, contained in 21, resolved at 14:52."""
        record = Incident(
            "CF",
            started_at="2019-07-02T13:42Z",
            detected_at="2019-07-02T13:45Z",
            reported_at="2019-07-02T13:45Z",
            declared_at="2019-07-02T13:46Z",
            contained_at="2019-07-02T14:07Z",
            resolved_at="2019-07-02T14:52Z",
        )

        assert timedelta(minutes=3) == summarize([record], MTTD, as_of=AS_OF).median
        assert timedelta(minutes=21) == summarize([record], TIME_TO_CONTAIN, as_of=AS_OF).median
        assert timedelta(minutes=67) == summarize([record], MTTR, as_of=AS_OF).median

    def test_business_time(self) -> None:
        """A metric on a 9-to-5 calendar counts only working hours."""
        office = Calendar.office_hours("Europe/Berlin")
        friday = Incident(
            "F", reported_at="2024-06-07T16:00+02:00", resolved_at="2024-06-10T10:00+02:00"
        )

        summary = summarize(
            [friday], attrs.evolve(MTTR, calendar=office), as_of=AS_OF.replace(year=2025)
        )

        assert timedelta(hours=2) == summary.median
        assert timedelta(hours=2) == mttr([friday], as_of="2025-01-01T00:00Z", calendar=office)
        weekend = Incident(
            "W",
            started_at="2024-06-07T16:00+02:00",
            detected_at="2024-06-10T10:00+02:00",
            reported_at="2024-06-10T10:00+02:00",
            acknowledged_at="2024-06-10T10:00+02:00",
        )
        assert weekend.detected_at is not None
        assert (timedelta(hours=2), timedelta(hours=2)) == (
            mttd([weekend], as_of="2025-01-01T00:00Z", calendar=office),
            mtta(
                [
                    Incident(
                        "F2",
                        reported_at="2024-06-07T16:00+02:00",
                        acknowledged_at="2024-06-10T10:00+02:00",
                    )
                ],
                as_of="2025-01-01T00:00Z",
                calendar=office,
            ),
        )

    @pytest.mark.parametrize(
        ("build", "message"),
        [
            (
                lambda: Metric("back", "resolved", "reported"),
                (
                    "^metric 'back' runs from resolved to reported, backwards or nowhere; the end "
                    "milestone must come after the start$"
                ),
            ),
            (
                lambda: Metric("still", "resolved", "resolved"),
                "^metric 'still' runs from resolved to resolved, backwards or nowhere",
            ),
            (
                lambda: Metric("x", "fixed", "resolved"),
                r"^milestone \('fixed'\) is not a Milestone; expected one of 'started', 'detected'",
            ),
            (
                lambda: summarize([], MTTR, as_of=AS_OF, open_incidents="drop"),
                r"^open_incidents \('drop'\) must be 'exclude' or 'censor'",
            ),
        ],
    )
    def test_bad_definitions(self, build: Any, message: str) -> None:
        """Backward metrics, unknown milestones and policies raise ConfigurationError."""
        with pytest.raises(ConfigurationError, match=message):
            build()


@st.composite
def incident_sets(draw: st.DrawFn) -> list[Incident]:
    """Random incidents with milestones in order, some open, some tests, in many zones."""
    zones = [ZoneInfo(z) for z in ("UTC", "Europe/Berlin", "America/Los_Angeles", "Asia/Kathmandu")]
    records = []
    for n in range(draw(st.integers(0, 25))):
        start = T + timedelta(minutes=draw(st.integers(0, 40 * 24 * 60)))
        steps = draw(st.lists(st.integers(0, 6000), min_size=7, max_size=7))
        moments: list[datetime | None] = []
        moment = start
        for step in steps:
            moments.append(moment)
            moment += timedelta(minutes=step)
        moments.append(moment)
        if draw(st.booleans()):
            moments[6] = moments[7] = None
        zone = draw(st.sampled_from(zones))
        fields = {
            m.field: None if value is None else value.astimezone(zone)
            for m, value in zip(Milestone, moments, strict=True)
        }
        kind = draw(st.sampled_from([IncidentKind.NORMAL] * 4 + [IncidentKind.TEST]))
        service = draw(st.sampled_from(["cdn", "dns"]))
        records.append(Incident(f"I{n}", kind=kind, service=service, major=True, **fields))
    return records


class TestProperties:
    @settings(max_examples=60)
    @given(incident_sets(), st.randoms(use_true_random=False))
    def test_order_and_display_zone_change_nothing(self, records: list[Incident], rng: Any) -> None:
        """Every KPI is invariant under input order and the display zone of its inputs."""
        shuffled = list(records)
        rng.shuffle(shuffled)
        in_utc = [
            Incident(r.id, kind=r.kind, service=r.service, major=r.major, moments=r.instants)
            for r in shuffled
        ]
        window = (T, T + timedelta(days=60))
        for metric in (MTTA, MTTR, MTTD):
            first = summarize(records, metric, as_of=AS_OF, open_incidents="censor")
            assert first == summarize(shuffled, metric, as_of=AS_OF, open_incidents="censor")
            assert first == summarize(in_utc, metric, as_of=AS_OF, open_incidents="censor")
        assert downtime(records, window=window) == downtime(in_utc, window=window)
        assert trend(records, start=T, end=window[1]) == trend(in_utc, start=T, end=window[1])

    @given(incident_sets())
    def test_summary_laws(self, records: list[Incident]) -> None:
        """Mean and median lie within [min, max]; with nothing open, KM median = low median."""
        summary = summarize(records, MTTR, as_of=AS_OF, open_incidents="censor")
        if summary.n:
            assert summary.minimum <= summary.median <= summary.maximum
            assert summary.minimum <= summary.mean <= summary.maximum
            assert sum(count for _, count in summary.buckets) == summary.n
        if summary.open == 0 and summary.n:
            closed = sorted(
                (resolved - reported).total_seconds()
                for r in records
                if r.kind is IncidentKind.NORMAL
                and (reported := r.moment(Milestone.REPORTED)) is not None
                and reported <= AS_OF
                and (resolved := r.moment(Milestone.RESOLVED)) is not None
            )
            assert closed[(len(closed) - 1) // 2] == seconds(summary.km_median)

    @given(incident_sets(), st.integers(0, 60))
    def test_downtime_bounds(self, records: list[Incident], days: int) -> None:
        """Downtime never exceeds the window nor the sum of durations; duplicates change nothing."""
        window = (T + timedelta(days=days), T + timedelta(days=days + 20))
        total = downtime(records, window=window)

        assert total <= timedelta(days=20)
        assert total == downtime(records + records, window=window)
        outages = timedelta(0)
        for record in records:
            begin = record.moment(Milestone.STARTED)
            if record.kind is IncidentKind.NORMAL and begin is not None:
                finish = record.moment(Milestone.RESOLVED) or max(window[1], begin)
                outages += finish - begin
        assert total <= outages

    @given(st.lists(st.tuples(st.integers(1, 50), st.integers(1, 40)), min_size=1, max_size=10))
    def test_availability_identity(self, gaps: list[tuple[int, int]]) -> None:
        """For separate outages inside the window, availability = MTBF / (MTBF + mean downtime)."""
        records, moment = [], T + timedelta(hours=1)
        for n, (gap, length) in enumerate(gaps):
            moment += timedelta(hours=gap)
            end = moment + timedelta(hours=length)
            records.append(
                Incident(f"O{n}", started_at=moment, reported_at=moment, resolved_at=end)
            )
            moment = end
        window = (T, moment + timedelta(hours=1))

        between = mtbf(records, window=window).total_seconds()  # type: ignore[union-attr]
        mean_down = downtime(records, window=window).total_seconds() / len(records)  # type: ignore[union-attr]

        assert availability(records, window=window) == pytest.approx(
            between / (between + mean_down), rel=1e-9
        )  # durations are kept to the microsecond

    @given(incident_sets())
    def test_business_time_never_exceeds_wall_time(self, records: list[Incident]) -> None:
        """A business-time metric is never longer than the same metric in wall time."""
        office = attrs.evolve(MTTR, calendar=Calendar.office_hours("Europe/Berlin"))
        wall = summarize(records, MTTR, as_of=AS_OF)
        business = summarize(records, office, as_of=AS_OF)

        assert wall.n == business.n
        if wall.n:
            assert business.maximum <= wall.maximum
            assert business.mean <= wall.mean


class TestOutages:
    WINDOW = (T, T + timedelta(days=10))

    def test_overlaps_merge_and_open_outages_run_to_the_end(self) -> None:
        """Overlapping outages count once; an open one runs to the window's end."""
        records = [
            Incident("a", started_at=at(10), reported_at=at(10), resolved_at=at(14)),
            Incident("b", reported_at=at(12), resolved_at=at(16)),
            Incident("c", started_at=at(230), reported_at=at(231)),
            Incident("d", kind="drill", started_at=at(0), reported_at=at(1), resolved_at=at(9)),
            Incident("e"),
        ]

        assert timedelta(hours=6 + 10) == downtime(records, window=self.WINDOW)
        assert 1 - 16 / 240 == availability(records, window=self.WINDOW)
        assert timedelta(hours=(240 - 16) / 3) == mtbf(records, window=self.WINDOW)
        assert timedelta(hours=80) == mtbsi(records, window=self.WINDOW)

    def test_no_failure(self) -> None:
        """With no failure, MTBF and MTBSI are undefined; availability is 1."""
        assert mtbf([], window=self.WINDOW) is None
        assert mtbsi([], window=self.WINDOW) is None
        assert 1.0 == availability([], window=self.WINDOW)
        assert timedelta(0) == downtime([], window=self.WINDOW)

    def test_by_service(self) -> None:
        """Each service gets its own figures."""
        records = [
            Incident("a", service="cdn", started_at=at(1), resolved_at=at(3)),
            Incident("b", service="dns", started_at=at(2), resolved_at=at(4)),
        ]

        down = downtime(records, window=self.WINDOW, by_service=True)

        assert {"cdn": timedelta(hours=2), "dns": timedelta(hours=2)} == down
        assert {"cdn", "dns"} == set(availability(records, window=self.WINDOW, by_service=True))  # type: ignore[arg-type]
        assert timedelta(hours=238) == mtbf(records, window=self.WINDOW, by_service=True)["cdn"]  # type: ignore[index]
        assert timedelta(hours=240) == mtbsi(records, window=self.WINDOW, by_service=True)["dns"]  # type: ignore[index]

    def test_bad_window(self) -> None:
        """A window must end after it starts."""
        with pytest.raises(TimelineError, match=r"^window end .* is not after window start"):
            downtime([], window=(T, T))


def major(n: int, moment: datetime) -> Incident:
    """A major incident reported at `moment`."""
    return Incident(f"M{n}", major=True, reported_at=moment)


class TestTrend:
    def test_berlin_month_boundary(self) -> None:
        """An incident at 23:30 UTC on 31 January counts in February in Berlin."""
        records = [major(0, datetime(2024, 1, 31, 23, 30, tzinfo=UTC))]

        berlin = trend(
            records,
            start="2024-01-01T00:00+01:00",
            end="2024-03-01T00:00+01:00",
            tz="Europe/Berlin",
        )
        utc_rows = trend(records, start="2024-01-01T00:00Z", end="2024-03-01T00:00Z")

        assert [("2024-01", 0), ("2024-02", 1)] == [(r.period, r.count) for r in berlin]
        assert [("2024-01", 1), ("2024-02", 0)] == [(r.period, r.count) for r in utc_rows]

    def test_february_2024_and_a_dst_month(self) -> None:
        """February 2024 has 29 days; March 2024 in Berlin is an hour short."""
        rows = trend(
            [], start="2024-02-01T00:00+01:00", end="2024-04-01T00:00+02:00", tz="Europe/Berlin"
        )

        assert [29 * 24, 31 * 24 - 1] == [
            (row.end - row.start).total_seconds() / 3600 for row in rows
        ]

    def test_percent_changes_and_verdicts(self) -> None:
        """2 then 3 is +50%, which chance cannot be told from; a change from 0 is undefined."""
        moments = [datetime(2024, 3, 5, tzinfo=UTC)] * 2 + [datetime(2024, 4, 5, tzinfo=UTC)] * 3
        records = [major(n, m) for n, m in enumerate(moments)]
        records.append(Incident("minor", reported_at=datetime(2024, 4, 6, tzinfo=UTC)))
        records.append(major(98, datetime(2023, 4, 6, tzinfo=UTC)))
        records.append(Incident("unreported", major=True))

        rows = trend(records, start="2024-02-01T00:00Z", end="2024-05-01T00:00Z")

        assert [0, 2, 3] == [row.count for row in rows]
        assert [None, None, None] == [row.change_vs_first for row in rows]
        assert rows[2].change_vs_previous == pytest.approx((3 / 30 - 2 / 31) / (2 / 31) * 100)
        assert rows[2].verdict == "cannot tell from chance"
        assert rows[0].verdict is None
        assert rows[0].detectable_rise is None
        assert rows[2].detectable_rise == detectable_rise(5 / 90 * 31, 30 / 61)
        with pytest.warns(DeprecationWarning, match=r"TrendRow\.likely_noise is deprecated"):
            assert rows[2].likely_noise is True
        with pytest.warns(DeprecationWarning, match=r"TrendRow\.likely_noise is deprecated"):
            assert rows[0].likely_noise is None
        from_march = trend(records, start="2024-03-01T00:00Z", end="2024-05-01T00:00Z")
        assert from_march[1].change_vs_first == pytest.approx((3 / 30 - 2 / 31) / (2 / 31) * 100)

    def test_a_real_change(self) -> None:
        """1 then 20 in equal months is a real change."""
        moments = [datetime(2024, 1, 10, tzinfo=UTC)] + [datetime(2024, 2, 10, tzinfo=UTC)] * 20
        rows = trend(
            [major(n, m) for n, m in enumerate(moments)],
            start="2024-01-01T00:00Z",
            end="2024-03-01T00:00Z",
            major_only=False,
        )

        assert rows[1].verdict == "real change"
        assert rows[1].p_value < 0.001  # type: ignore[operator]
        assert rows[1].adjusted_p_value == rows[1].p_value  # one test: nothing to adjust
        with pytest.warns(DeprecationWarning, match=r"TrendRow\.likely_noise is deprecated"):
            assert rows[1].likely_noise is False

    @pytest.mark.parametrize(
        ("every", "labels"),
        [
            ("day", ["2024-02-28", "2024-02-29", "2024-03-01"]),
            ("week", ["2024-W09"]),
            ("quarter", ["2024-Q1"]),
            ("year", ["2024"]),
        ],
    )
    def test_period_labels(self, every: str, labels: list[str]) -> None:
        """Periods carry readable labels."""
        spans = periods("2024-02-28T00:00Z", "2024-03-02T00:00Z", every=every, tz="UTC")

        assert labels == [label for label, _, _ in spans]

    @pytest.mark.parametrize(
        ("kwargs", "error", "message"),
        [
            ({"every": "fortnight"}, ConfigurationError, r"^every \('fortnight'\) must be one of"),
            ({"tz": "Mars/Base"}, ConfigurationError, r"^tz \('Mars/Base'\) is not a known IANA"),
            ({"end": "2024-01-01T00:00Z"}, TimelineError, r"^end .* is not after start"),
        ],
    )
    def test_bad_arguments(
        self, kwargs: dict[str, str], error: type[Exception], message: str
    ) -> None:
        """Unknown periods and zones, and empty ranges, are refused."""
        arguments = {"start": "2024-01-01T00:00Z", "end": "2024-02-01T00:00Z", **kwargs}

        with pytest.raises(error, match=message):
            trend([], **arguments)  # type: ignore[arg-type]


class TestCompare:
    BEFORE = tuple(
        Incident(f"B{n}", reported_at=at(n), resolved_at=at(n + 2 + n % 3)) for n in range(40)
    )
    AFTER = tuple(
        Incident(f"A{n}", reported_at=at(n), resolved_at=at(n + 0.5 + (n % 3) / 4))
        for n in range(40)
    )

    def test_a_clear_improvement(self) -> None:
        """A fourfold drop in the median is shown, deterministically for a seed."""
        result = compare(self.BEFORE, self.AFTER, MTTR, as_of=AS_OF, seed=7, resamples=500)

        assert result.conclusive
        assert result.ratio == pytest.approx(0.75 / 3)
        assert result.high < 1  # type: ignore[operator]
        assert result == compare(self.BEFORE, self.AFTER, MTTR, as_of=AS_OF, seed=7, resamples=500)

    def test_no_change(self) -> None:
        """The same data on both sides cannot show a change."""
        result = compare(self.BEFORE, self.BEFORE, MTTR, as_of=AS_OF, seed=1, resamples=200)

        assert not result.conclusive
        assert "includes 1" in (result.reason or "")

    def test_too_little_data(self) -> None:
        """One incident a side is not enough; a zero median leaves the ratio undefined."""
        few = compare(self.BEFORE[:1], self.AFTER, MTTR, as_of=AS_OF, seed=1)
        zeros = [Incident(f"Z{n}", reported_at=at(n), resolved_at=at(n)) for n in range(3)]
        mostly_zero = [
            *zeros[:2],
            *(Incident(f"nz{n}", reported_at=at(n), resolved_at=at(n + 1)) for n in range(3)),
        ]

        assert (False, None) == (few.conclusive, few.low)
        assert compare(zeros, self.AFTER, MTTR, as_of=AS_OF, seed=1).ratio is None
        undefined = compare(mostly_zero, self.AFTER, MTTR, as_of=AS_OF, seed=3, resamples=300)
        assert "resampled medians of zero leave the ratio undefined" == undefined.reason

    def test_settings(self) -> None:
        """Too few resamples or an impossible confidence are refused."""
        with pytest.raises(ConfigurationError, match=r"^resamples \(10\) must be at least 100"):
            compare([], [], MTTR, as_of=AS_OF, seed=1, resamples=10)
        for resamples, confidence in ((99, 0.95), (100, 0.0), (100, 1.0)):
            with pytest.raises(
                ConfigurationError,
                match=rf"^resamples \({resamples}\) must be at least 100 and confidence "
                rf"\({confidence}\) between 0 and 1$",
            ):
                compare(
                    [], [], MTTR, as_of=AS_OF, seed=1, resamples=resamples, confidence=confidence
                )
        assert not compare(
            [], [], MTTR, as_of=AS_OF, seed=1, resamples=100, confidence=0.5
        ).conclusive
        with pytest.raises(TimelineError, match=r"^as_of \('soon'\) is not an ISO-8601"):
            compare([], [], MTTR, as_of="soon", seed=1)

    def test_default_resamples_are_two_thousand(self) -> None:
        """Leaving resamples out is asking for 2,000."""
        args = (self.BEFORE[:12], self.AFTER[:12], MTTR)

        assert compare(*args, as_of=AS_OF, seed=5) == compare(
            *args, as_of=AS_OF, seed=5, resamples=2000
        )
        # With this seed one resample more moves the interval's low end (in its last bits).
        assert compare(*args, as_of=AS_OF, seed=24) != compare(
            *args, as_of=AS_OF, seed=24, resamples=2001
        )

    def test_undecided_word_for_word(self) -> None:
        """Too few on one side: every field of the comparison, and the reason."""
        hours = [Incident(f"H{n}", reported_at=at(n), resolved_at=at(n + 1)) for n in range(3)]
        twos = [Incident(f"T{n}", reported_at=at(n), resolved_at=at(n + 2)) for n in range(2)]
        zeros = [Incident(f"Z{n}", reported_at=at(n), resolved_at=at(n)) for n in range(3)]

        assert (MTTR, 1, 3, 1.0, None, None, 0.9, False) == attrs.astuple(
            compare(hours[:1], hours, MTTR, as_of=AS_OF, seed=1, confidence=0.9),
            recurse=False,
        )[:8]
        few = "each side needs at least two measured incidents and a median above zero"
        for first, second in ((hours[:1], hours), (hours, hours[:1]), (zeros, hours)):
            assert few == compare(first, second, MTTR, as_of=AS_OF, seed=1).reason
        two_a_side = compare(twos, hours[:2], MTTR, as_of=AS_OF, seed=1, resamples=100)
        assert (2, 2, 0.5, 0.5, 0.5) == (
            two_a_side.before_n,
            two_a_side.after_n,
            two_a_side.ratio,
            two_a_side.low,
            two_a_side.high,
        )

    def test_an_interval_on_one_is_inconclusive(self) -> None:
        """Equal sides give the interval [1, 1]: no change shown; a constant 1.5 is one."""
        twos = [Incident(f"T{n}", reported_at=at(n), resolved_at=at(n + 2)) for n in range(3)]
        threes = [Incident(f"R{n}", reported_at=at(n), resolved_at=at(n + 3)) for n in range(3)]

        same = compare(twos, twos, MTTR, as_of=AS_OF, seed=1, resamples=100)
        assert (1.0, 1.0, False) == (same.low, same.high, same.conclusive)
        assert (
            "the interval includes 1: cannot tell from chance; only a change beyond 1.00x "
            "would show 4 times in 5"
        ) == same.reason
        assert (same.verdict, same.detectable_change) == ("cannot tell from chance", 1.0)
        longer = compare(twos, threes, MTTR, as_of=AS_OF, seed=1, resamples=100)
        assert (1.5, 1.5, True, None) == (longer.low, longer.high, longer.conclusive, longer.reason)
        assert longer.verdict == "real change"
        assert (longer.power_at(1.0), longer.power_at(1.5)) == (0.0, 1.0)

    def test_what_the_interval_could_detect(self) -> None:
        """The detectable change is read off the interval's width, as documented."""
        result = compare(self.BEFORE, self.BEFORE, MTTR, as_of=AS_OF, seed=1, resamples=200)
        low, high = result.low, result.high
        assert low is not None
        assert high is not None
        error = math.log(high / low) / (2 * statistics.NormalDist().inv_cdf(0.975))
        expected = math.exp(error * (1.959963984540054 + 0.8416212335729143))

        assert result.detectable_change == pytest.approx(expected, rel=1e-12)
        assert f"{expected:.2f}x would show 4 times in 5" in (result.reason or "")
        assert result.power_at(expected) == pytest.approx(0.8, abs=1e-5)
        assert result.power_at(1.0) == pytest.approx(0.05, abs=1e-12)
        assert result.power_at(1 / expected) == pytest.approx(result.power_at(expected))
        few = compare(self.BEFORE[:1], self.AFTER, MTTR, as_of=AS_OF, seed=1)
        assert (few.verdict, few.detectable_change, few.power_at(2.0)) == (
            "cannot tell from chance",
            None,
            None,
        )
        for factor in (0, -1.0, True, "2", math.nan):
            with pytest.raises(ConfigurationError, match=r"^factor \(.*\) must be a positive"):
                result.power_at(factor)  # type: ignore[arg-type]

    def test_the_method_is_calibrated(self) -> None:
        """At its own detectable change, a seeded simulation sees the change about 4 in 5.

        Log-normal durations (sigma 1), 60 a side: the median detectable change of 15
        comparisons of equal sides, then 160 comparisons with the after side's median moved by
        it: 125 of 160 see it. (One comparison's figure is itself uncertain: 1.73x to 2.24x here.)
        """
        rng = random.Random(2024)  # noqa: S311 - a simulation

        def side(scale: float, name: str) -> list[Incident]:
            return [
                Incident(
                    f"{name}{n}",
                    reported_at=T,
                    resolved_at=T + timedelta(hours=scale * rng.lognormvariate(0, 1)),
                )
                for n in range(60)
            ]

        probes = [
            compare(side(1, "a"), side(1, "b"), MTTR, as_of=AS_OF, seed=n, resamples=300)
            for n in range(15)
        ]
        factor = statistics.median(probe.detectable_change or math.nan for probe in probes)
        seen = sum(
            compare(
                side(1, "a"), side(factor, "b"), MTTR, as_of=AS_OF, seed=n, resamples=300
            ).conclusive
            for n in range(160)
        )
        assert 0.7 <= seen / 160 <= 0.9


class TestReport:
    def test_rows_by_service_and_month(self) -> None:
        """One row per group, period and metric, with counts and seconds."""
        result = report(FIVE, metrics=[MTTR], by=["service"], every="month", as_of=AS_OF)

        rows = result.to_rows()
        assert [("cdn", "2024-01", 2, 0), ("dns", "2024-01", 1, 1)] == [
            (r["service"], r["period"], r["n"], r["open"]) for r in rows
        ]
        assert 2100.0 == rows[0]["mean_s"]

    def test_markdown_and_html(self) -> None:
        """The report renders as Markdown and notebook HTML, with readable durations."""
        result = report(FIVE, by=["service", "kind"], as_of=AS_OF)
        text = result.to_markdown()

        assert text.startswith(
            "| service | kind | metric | n | open | mean | median | median 95% CI | p90 |"
        )
        assert "| cdn | normal | MTTR | 2 | 0 | 35m 00s | 35m 00s | - | 55m 00s |" in text
        assert "| dns | normal | MTTR | 1 | 1 | 4h 00m | 4h 00m | - | 4h 00m |" in text
        assert "<td>MTTA</td>" in result._repr_html_()
        assert "_no incidents_\n" == report([], as_of=AS_OF).to_markdown()

    def test_the_median_is_shown_with_its_interval(self) -> None:
        """From six incidents a report shows the median's 95% interval, in every rendering.

        Twelve resolutions 1 h apart: the interval runs from the 3rd to the 10th (the ranks
        of the exact binomial interval, which holds the median 96.1% of the time).
        """
        twelve = [Incident(f"I{n}", reported_at=at(0), resolved_at=at(n + 1)) for n in range(12)]
        result = report(twelve, metrics=[MTTR], by=[], as_of=AS_OF)

        assert (3 * 3600.0, 10 * 3600.0) == (
            result.to_rows()[0]["median_low_s"],
            result.to_rows()[0]["median_high_s"],
        )
        assert "| 6h 30m | 3h 00m to 10h 00m |" in result.to_markdown()
        assert "<td>3h 00m to 10h 00m</td>" in result._repr_html_()

    def test_long_durations_show_days(self) -> None:
        """Durations of days are shown in days and hours."""
        long = [Incident("L", reported_at=at(0), resolved_at=at(50))]

        assert "| 2d 2h |" in report(long, metrics=[MTTR], by=[], as_of=AS_OF).to_markdown()

    def test_unreported_incidents_have_no_period(self) -> None:
        """An incident without REPORTED is grouped under the period "unreported"."""
        rows = report([Incident("N")], metrics=[MTTR], by=[], every="month", as_of=AS_OF).to_rows()

        assert "unreported" == rows[0]["period"]

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"by": ["owner"]}, r"^by names 'owner'; expected fields among service"),
            ({"every": "decade"}, r"^every \('decade'\) must be one of"),
            ({"tz": "Nowhere"}, r"^tz \('Nowhere'\) is not a known IANA"),
        ],
    )
    def test_bad_arguments(self, kwargs: dict[str, Any], message: str) -> None:
        """Unknown groups, periods and zones are refused."""
        with pytest.raises(ConfigurationError, match=message):
            report([], as_of=AS_OF, **kwargs)


class TestStats:
    def test_quantile_type_7(self) -> None:
        """Quantiles interpolate linearly between order statistics."""
        assert 2.5 == quantile([1.0, 2.0, 3.0, 4.0], 0.5)
        assert 3.7 == pytest.approx(quantile([1.0, 2.0, 3.0, 4.0], 0.9))
        assert quantile([], 0.5) is None

    def test_means(self) -> None:
        """The float mean is exactly rounded; the microsecond mean rounds halves up, exactly."""
        assert mean([]) is None
        assert 7 / 3 == mean([4.0, 1.0, 2.0])
        assert mean_micros([]) is None
        assert 2 == mean_micros([1, 2])  # 1.5 rounds up
        assert 1 == mean_micros([1, 1, 2])  # 1.33...
        assert 10**18 + 1 == mean_micros([10**18, 10**18 + 1, 10**18 + 2])
        assert nearest_micro(None) is None
        assert 3 == nearest_micro(2.5)

    def test_geometric_mean(self) -> None:
        """Positive values count, fractions of a unit included; zeros and below are left out."""
        assert 1.0 == pytest.approx(geometric_mean([0.5, 2.0, 0.0]))
        assert geometric_mean([0.0, -1.0]) is None

    def test_kaplan_meier_needs_as_many_flags(self) -> None:
        """Durations and flags of different lengths are a programming error, not a median."""
        with pytest.raises(ValueError, match="zip"):
            kaplan_meier_median([1.0, 2.0], [True])

    @pytest.mark.parametrize(
        ("groups", "expected"),
        [
            # (time, events, censored) per time; exactly 1/2 after two or three runs of events,
            # where the float product lands a rounding error above one half.
            ([(1, 3, 0), (2, 0, 12), (3, 11, 0), (4, 13, 0)], 3),
            ([(1, 1, 0), (2, 0, 3), (3, 4, 0), (4, 0, 3), (5, 1, 0), (6, 4, 0)], 5),
        ],
    )
    def test_exact_halves_over_runs(
        self, groups: list[tuple[int, int, int]], expected: int
    ) -> None:
        """The integer check multiplies every run's ratio: the fraction oracle agrees."""
        durations = [t for t, e, c in groups for _ in range(e + c)]
        observed = [flag for _, e, c in groups for flag in [True] * e + [False] * c]

        assert expected == exact_km_median(durations, observed)
        assert expected == kaplan_meier_median(durations, observed)

    def test_binomial_at_the_edges(self) -> None:
        """P of 0 or 1: the one possible outcome has p-value 1, any other 0."""
        assert 1.0 == binomial_two_sided(0, 5, 0.0)
        assert 0.0 == binomial_two_sided(1, 5, 0.0)
        assert 1.0 == binomial_two_sided(5, 5, 1.0)
        assert 0.0 == binomial_two_sided(4, 5, 1.0)

    def test_bootstrap_as_specified(self) -> None:
        """Each resample draws before's median then after's; percentile interval, half each side.

        The samples are sorted first, so their order does not matter.
        """
        before, after = [10.0, 20.0, 30.0, 40.0, 55.0], [5.0, 9.0, 14.0, 30.0]
        rng = random.Random(7)  # noqa: S311 - the bootstrap's own generator
        ratios = []
        for _ in range(200):
            low = bootstrap_median(before, rng)
            ratios.append(bootstrap_median(after, rng) / low)
        ratios.sort()

        interval = bootstrap_ratio_of_medians(
            before[::-1], after[::-1], seed=7, resamples=200, confidence=0.9
        )

        assert (quantile(ratios, 0.05), quantile(ratios, 0.95)) == interval

    def test_bootstrap_of_an_empty_sample_has_no_interval(self) -> None:
        """Nothing to resample on either side: None, not an error from the random generator."""
        for before, after in (([], [1.0, 2.0]), ([1.0, 2.0], []), ([], [])):
            assert (
                bootstrap_ratio_of_medians(before, after, seed=1, resamples=100, confidence=0.9)
                is None
            )

    @pytest.mark.parametrize(
        "ordered",
        [
            [7.0],
            [1.0, 4.0],
            [1.0, 2.0, 6.0],
            [1.0, 2.0, 3.0, 10.0],
            [1.0, 1.0, 2.0, 5.0, 9.0],
            [2.0, 3.0, 5.0, 7.0, 11.0, 13.0],
        ],
        ids=len,
    )
    def test_a_resampled_median_has_the_exact_distribution(self, ordered: list[float]) -> None:
        """The drawn medians' frequencies are those of all n ** n resamples, within 4.5 sigma.

        Every resample (each of n draws picks any of the n values) is enumerated and its
        median taken as statistics.median does: the exact distribution the order-statistic
        draw claims; 20,000 draws from a fixed seed then match it for every possible median.
        """
        n, draws = len(ordered), 20_000
        exact = Counter(
            statistics.median(sorted(ordered[i] for i in picks))
            for picks in itertools.product(range(n), repeat=n)
        )
        rng = random.Random(n)  # noqa: S311 - a fixed seed
        seen = Counter(bootstrap_median(ordered, rng) for _ in range(draws))

        assert set(seen) <= set(exact)
        for median, count in exact.items():
            p = count / n**n
            assert abs(seen[median] / draws - p) <= 4.5 * math.sqrt(p * (1 - p) / draws) + 1e-12

    def test_metric_seconds(self) -> None:
        """A metric's time in seconds is its microseconds over a million."""
        start = datetime(2024, 1, 1, tzinfo=UTC)

        assert 90.5 == MTTR.seconds(start, start + timedelta(seconds=90.5))
        assert 90_500_000 == MTTR.micros(start, start + timedelta(seconds=90.5))

    def test_binomial(self) -> None:
        """The exact two-sided binomial test, with its degenerate cases."""
        assert 1.0 == binomial_two_sided(0, 0, 0.5)
        assert binomial_two_sided(5, 10, 0.5) == pytest.approx(1.0)
        assert binomial_two_sided(0, 10, 0.5) == pytest.approx(2 / 1024)
        assert 1.0 == binomial_two_sided(3, 3, 1.0)
        assert 0.0 == binomial_two_sided(2, 3, 1.0)

    def test_kaplan_meier_ties(self) -> None:
        """Censoring at an event's time leaves the risk set after the event."""
        assert 2.0 == kaplan_meier_median([1.0, 2.0, 2.0, 3.0], [True, True, False, True])
        assert kaplan_meier_median([1.0], [False]) is None
        assert math.isclose(1.0, kaplan_meier_median([1.0, 1.0], [True, True]) or 0)


def exact_km_median(durations: list[int], observed: list[bool]) -> int | None:
    """The Kaplan-Meier median in fractions: the oracle for the float path."""
    survival = fractions.Fraction(1)
    at_risk = len(durations)
    for moment in sorted(set(durations)):
        events = sum(1 for d, o in zip(durations, observed, strict=True) if d == moment and o)
        leaving = durations.count(moment)
        if events:
            survival *= fractions.Fraction(at_risk - events, at_risk)
            if survival <= fractions.Fraction(1, 2):
                return moment
        at_risk -= leaving
    return None


class TestKaplanMeierExact:
    def test_a_million_and_a_half_distinct_values(self) -> None:
        """1.4 million distinct uncensored values give the low median, 700000, not 700001."""
        values = list(range(1, 1_400_001))

        assert 700_000 == kaplan_meier_median(values, [True] * len(values))

    @settings(max_examples=300)
    @given(st.lists(st.integers(0, 50), min_size=1, max_size=300))
    def test_uncensored_is_the_low_median(self, values: list[int]) -> None:
        """With nothing censored, the median is the low median, ties and all."""
        assert sorted(values)[(len(values) - 1) // 2] == kaplan_meier_median(
            values, [True] * len(values)
        )

    @settings(max_examples=300)
    @given(st.lists(st.tuples(st.integers(0, 30), st.booleans()), min_size=1, max_size=200))
    def test_censored_agrees_with_fractions(self, pairs: list[tuple[int, bool]]) -> None:
        """Censored data give the median the exact fraction computation gives."""
        durations = [d for d, _ in pairs]
        observed = [o for _, o in pairs]

        assert exact_km_median(durations, observed) == kaplan_meier_median(durations, observed)

    def test_just_above_one_half_is_not_reached(self) -> None:
        """An estimate a rounding error above one half, and truly above it, is not the median.

        Of 2 * 10**15 + 1 at risk, 10**15 fail at time 1: survival is one half plus about
        2.5e-16, inside the float's error band; the integers say it is above, so the median
        is the next event time.
        """
        half = 10**15
        tallies = [(1.0, half, half), (2.0, half + 1, half + 1)]
        assert 0.5 < 1 - half / (2 * half + 1) < 0.5 + 2**-50

        assert 2.0 == kaplan_meier_median_of_tallies(tallies)

    def test_the_exact_check_near_one_half(self) -> None:
        """Survival landing on exactly one half after censoring counts as reached."""
        # 39 at risk, 3 events: 36/39; 12 censored, so 24 at risk, 11 events: 13/24. The product
        # is exactly 1/2 at 3, which the float product puts a rounding error above one half.
        durations = [1] * 3 + [2] * 12 + [3] * 11 + [4] * 13
        observed = [True] * 3 + [False] * 12 + [True] * 24
        assert 0.5 < (1 - 3 / 39) * (1 - 11 / 24)

        assert 3 == exact_km_median(durations, observed)
        assert 3 == kaplan_meier_median(durations, observed)


def binomial_oracle(k: int, n: int, p: fractions.Fraction) -> float:
    """The exact two-sided binomial p-value in fractions (minlike: outcomes no likelier)."""
    pmf = [math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(n + 1)]
    return float(sum(q for q in pmf if q <= pmf[k]))


class TestBinomialReference:
    @pytest.mark.parametrize(
        ("k", "n", "p", "expected"),
        [
            (3, 10, "1/2", 0.34375),  # (1 + 10 + 45 + 120) * 2 / 1024
            (0, 10, "1/2", 2 / 1024),
            (5, 10, "1/2", 1.0),
        ],
    )
    def test_reference_values(self, k: int, n: int, p: str, expected: float) -> None:
        """Known values of the two-sided binomial test, to the last digits."""
        assert expected == pytest.approx(
            binomial_two_sided(k, n, float(fractions.Fraction(p))), rel=1e-12
        )

    @pytest.mark.parametrize(("k", "n", "p"), [(1, 3, 0.5), (0, 3, 0.25), (2, 3, 0.7)])
    def test_never_above_one(self, k: int, n: int, p: float) -> None:
        """Where every outcome counts, rounding in the exponentials can sum past 1: it is 1."""
        assert 1.0 == binomial_two_sided(k, n, p)

    @settings(max_examples=200)
    @given(
        n=st.integers(1, 60),
        data=st.data(),
        p=st.fractions(
            min_value=fractions.Fraction(1, 20),
            max_value=fractions.Fraction(19, 20),
            max_denominator=40,
        ),
    )
    def test_agrees_with_fractions(
        self, n: int, data: st.DataObject, p: fractions.Fraction
    ) -> None:
        """Any k, n and p: the p-value the exact fraction sum gives, to 1e-9."""
        k = data.draw(st.integers(0, n), label="k")

        expected = binomial_oracle(k, n, p)

        assert expected == pytest.approx(binomial_two_sided(k, n, float(p)), rel=1e-9, abs=1e-12)


class TestTrendCalendars:
    def test_a_day_samoa_skipped(self) -> None:
        """Pacific/Apia skipped 2011-12-30: daily periods go from the 29th to the 31st."""
        rows = trend(
            [], start="2011-12-29T00:00Z", end="2011-12-31T12:00Z", every="day", tz="Pacific/Apia"
        )

        assert ["2011-12-28", "2011-12-29", "2011-12-31", "2012-01-01"] == [r.period for r in rows]
        assert all(row.end > row.start for row in rows)

    @pytest.mark.parametrize("every", ["day", "week", "month", "quarter", "year"])
    @pytest.mark.parametrize("tz", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
    def test_the_end_of_the_supported_range(self, every: str, tz: str) -> None:
        """Periods near year 9999 end at MAX_INSTANT instead of overflowing."""
        rows = trend([], start="9999-01-01T00:00Z", end=MAX_INSTANT, every=every, tz=tz)

        assert MAX_INSTANT == rows[-1].end
        assert all(a.end == b.start for a, b in itertools.pairwise(rows))

    @settings(max_examples=200)
    @given(
        start=st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9999, 12, 1)),
        length=st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=800)),
        every=st.sampled_from(["day", "week", "month", "quarter", "year"]),
        tz=st.sampled_from(["UTC", "Pacific/Apia", "Pacific/Kiritimati", "Europe/London"]),
    )
    def test_periods_cover_the_range(
        self, start: datetime, length: timedelta, every: str, tz: str
    ) -> None:
        """Whatever the zone and range, periods are non-empty, contiguous and cover it exactly."""
        first = start.replace(tzinfo=UTC)
        last = first + min(length, MAX_INSTANT - first)

        rows = trend([], start=first, end=last, every=every, tz=tz)

        assert first == rows[0].start
        assert last == rows[-1].end
        assert all(row.end > row.start for row in rows)
        assert all(a.end == b.start for a, b in itertools.pairwise(rows))


class TestNegativeDurations:
    RECORDS = (
        Incident("OK", declared_at="2024-01-01T10:00Z", contained_at="2024-01-01T10:10Z"),
        # Contained before declared: the record allows it (no order rule ties the two).
        Incident("BACK", declared_at="2024-01-01T10:00Z", contained_at="2024-01-01T09:55Z"),
    )

    def test_left_out_counted_and_warned(self) -> None:
        """An end before its start is counted apart, never in a bucket or a statistic."""
        summary = summarize(self.RECORDS, TIME_TO_CONTAIN, as_of="2024-02-01T00:00Z")

        assert 1 == summary.n
        assert 1 == summary.negative
        assert timedelta(minutes=10) == summary.minimum
        assert 1 == sum(count for _, count in summary.buckets)
        assert ("under 15 min", 1) == summary.buckets[0]
        assert any("reached contained before declared" in w for w in summary.warnings)

    def test_counts_and_bounds_of_the_tally(self) -> None:
        """Each left-out record counts once; a milestone on as_of itself is measured."""
        records = [
            *self.RECORDS,
            Incident("BACK2", declared_at="2024-01-01T11:00Z", contained_at="2024-01-01T10:55Z"),
            Incident("EDGE", declared_at="2024-01-31T23:00Z", contained_at="2024-02-01T00:00Z"),
            Incident("LATE", declared_at="2024-02-01T00:00Z", contained_at="2024-02-01T00:00Z"),
            Incident("NO1", contained_at="2024-01-01T10:00Z"),
            Incident("NO2", contained_at="2024-01-01T10:00Z"),
            Incident("T1", kind="test", declared_at="2024-01-01T10:00Z"),
            Incident("T2", kind="test", declared_at="2024-01-01T10:00Z"),
        ]
        summary = summarize(records, TIME_TO_CONTAIN, as_of="2024-02-01T00:00Z")

        assert (3, 2, 2, 0, 2) == (
            summary.n,
            summary.negative,
            summary.missing_start,
            summary.open,
            summary.excluded,
        )
        assert (
            (
                "only 3 incidents measured: too few for the mean of heavy-tailed durations to mean "
                "much; read the median"
            ),
            (
                "2 incidents reached contained before declared: left out of the statistics; check "
                "those records"
            ),
        ) == summary.warnings

    def test_small_sample_warning_bounds(self) -> None:
        """One measured incident is warned about; thirty are not."""

        def resolved(n: int) -> list[Incident]:
            return [Incident(f"I{k}", reported_at=at(k), resolved_at=at(k + 1)) for k in range(n)]

        assert 1 == len(summarize(resolved(1), MTTR, as_of=AS_OF).warnings)
        assert () == summarize(resolved(30), MTTR, as_of=AS_OF).warnings
        open_ = [Incident(f"O{k}", reported_at=at(k)) for k in range(3)]
        censored = summarize(resolved(1) + open_, MTTR, as_of=AS_OF, open_incidents="censor")
        assert (
            "the Kaplan-Meier median is not reached: over half are still open"
            == (censored.warnings[-1])
        )
        with pytest.raises(TimelineError, match=r"^as_of \('soon'\) is not an ISO-8601"):
            summarize([], MTTR, as_of="soon")

    def test_in_reports(self) -> None:
        """Report rows carry the count too."""
        row = report(self.RECORDS, metrics=[TIME_TO_CONTAIN], as_of="2024-02-01T00:00Z").rows[0]

        assert 1 == row.to_dict()["negative"]

    def test_censored_median_leaves_them_out(self) -> None:
        """The Kaplan-Meier median does not count them either."""
        summary = summarize(
            self.RECORDS, TIME_TO_CONTAIN, as_of="2024-02-01T00:00Z", open_incidents="censor"
        )

        assert timedelta(minutes=10) == summary.km_median


class TestDeprecatedModules:
    @pytest.mark.parametrize(
        ("old", "name"), [("metrics", "summarize"), ("metrics", "compare"), ("outages", "mtbf")]
    )
    def test_old_module_names_warn_and_still_work(self, old: str, name: str) -> None:
        """The modules that became private keep their old names one release, with a warning."""
        sys.modules.pop(f"majorincident.kpi.{old}", None)
        with pytest.warns(DeprecationWarning, match=rf"majorincident\.kpi\.{old} is deprecated"):
            module = importlib.import_module(f"majorincident.kpi.{old}")
        assert getattr(kpi, name) is getattr(module, name)

    def test_old_module_names_hide_internals(self) -> None:
        """The aliases give the names the modules published, not their internals."""
        sys.modules.pop("majorincident.kpi.metrics", None)
        with pytest.warns(DeprecationWarning, match="deprecated"):
            module = importlib.import_module("majorincident.kpi.metrics")
        with pytest.raises(AttributeError, match="gather"):
            _ = module.gather

    def test_report_and_trend_are_functions_only(self) -> None:
        """``majorincident.kpi.trend`` is the function, and no module has that name any more."""
        assert callable(kpi.trend)
        assert callable(kpi.report)
        for name in ("trend", "report"):
            with pytest.raises(ModuleNotFoundError):
                importlib.import_module(f"majorincident.kpi.{name}")


class TestMissingIsNotOpen:
    """An incident over by as_of without the metric's end milestone is missing it, not open."""

    RECORDS = (
        Incident("DONE", reported_at=at(0), acknowledged_at=at(1), resolved_at=at(2)),
        Incident("CLOSED-ONLY", reported_at=at(0), acknowledged_at=at(1), closed_at=at(3)),
        Incident("RESOLVED-UNACKED", reported_at=at(0), resolved_at=at(2)),
        Incident("OPEN", reported_at=at(0)),
        Incident("CLOSES-LATER", reported_at=at(0), closed_at=AS_OF + timedelta(days=1)),
    )
    TO_CLOSE = Metric("time to close", Milestone.REPORTED, Milestone.CLOSED)

    @pytest.mark.parametrize(
        ("metric", "n", "missing_end", "still_open"),
        [
            # Closed without a resolution time: over, its resolution missing from the data.
            (MTTR, 2, 1, 2),
            # Resolved (or closed) without an acknowledgement: it will never be acknowledged.
            (MTTA, 2, 1, 2),
            # Resolved but not yet closed is still to be closed: open, not missing.
            (TO_CLOSE, 1, 0, 4),
        ],
    )
    def test_counts(self, metric: Metric, n: int, missing_end: int, still_open: int) -> None:
        """Measured, open and missing_end cover every incident; open only the unfinished ones."""
        summary = summarize(self.RECORDS, metric, as_of=AS_OF)

        assert (n, missing_end, still_open) == (summary.n, summary.missing_end, summary.open)
        assert len(self.RECORDS) == summary.n + summary.open + summary.missing_end

    def test_open_is_decided_at_as_of(self) -> None:
        """Closed after as_of, an incident was still open then: censored, not missing."""
        before = summarize(self.RECORDS[4:], MTTR, as_of=AS_OF)
        after = summarize(self.RECORDS[4:], MTTR, as_of=AS_OF + timedelta(days=2))

        assert (before.open, before.missing_end) == (1, 0)
        assert (after.open, after.missing_end) == (0, 1)

    @pytest.mark.parametrize(("metric", "index"), [(MTTR, 1), (MTTA, 2)])
    def test_over_at_as_of_itself(self, metric: Metric, index: int) -> None:
        """Closed (or resolved) at as_of exactly, an incident is over by then."""
        record = self.RECORDS[index]
        end = record.closed_at if metric is MTTR else record.resolved_at
        summary = summarize([record], metric, as_of=end)

        assert (summary.open, summary.missing_end) == (0, 1)

    def test_missing_ends_are_not_censored(self) -> None:
        """The Kaplan-Meier estimate counts only open incidents as censored: the curve drops."""
        records = [
            Incident("DONE", reported_at=at(0), resolved_at=at(1)),
            *(Incident(f"C{n}", reported_at=at(0), closed_at=at(5)) for n in range(5)),
        ]
        summary = summarize(records, MTTR, as_of=AS_OF, open_incidents="censor")

        assert (summary.n, summary.open, summary.missing_end) == (1, 0, 5)
        assert timedelta(hours=1) == summary.km_median

    def test_a_warning_names_the_missing_milestone(self) -> None:
        """The summary says in words that the data lack the end, and leaves those out."""
        summary = summarize(self.RECORDS, MTTR, as_of=AS_OF)

        assert (
            "1 incident was over by as_of without resolved: left out, neither measured nor "
            "open; the data do not record it"
        ) in summary.warnings
        both = summarize([*self.RECORDS, self.RECORDS[1]], MTTR, as_of=AS_OF)
        assert any(w.startswith("2 incidents were over by as_of") for w in both.warnings)

    def test_reports_carry_the_count(self) -> None:
        """Report rows give missing_end beside missing_start, for JSON and frames."""
        row = report(self.RECORDS, metrics=[MTTR], by=(), as_of=AS_OF).to_rows()[0]

        assert (row["open"], row["missing_start"], row["missing_end"]) == (2, 0, 1)
