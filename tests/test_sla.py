"""Tests for majorincident.sla: response and resolution clocks on a business calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from majorincident.classification import Priority
from majorincident.clock import Calendar
from majorincident.errors import ClassificationError, ConfigurationError, TimelineError
from majorincident.incident import Hold, Incident
from majorincident.sla import SlaPolicy, sla_status

BERLIN = ZoneInfo("Europe/Berlin")
POLICY = SlaPolicy(
    response={"P1": timedelta(minutes=15), "P2": timedelta(hours=1)},
    resolution={Priority.P1: timedelta(hours=4), 2: timedelta(hours=8)},
    calendar=Calendar.office_hours("Europe/Berlin", "09:00", "17:00"),
)


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Berlin in June 2024 (the 7th is a Friday)."""
    return datetime(2024, 6, day, hour, minute, tzinfo=BERLIN)


P2 = Incident(
    "INC1",
    priority="P2",
    reported_at=berlin(7, 14),
    acknowledged_at=berlin(7, 14, 30),
    holds=[Hold(berlin(7, 16), berlin(10, 10), "awaiting_vendor")],
)


class TestHandComputed:
    def test_p2_with_a_weekend_hold(self) -> None:
        """Friday 14:00 to Monday 12:30, with Friday 16:00 to Monday 10:00 on hold: 4.5 h."""
        response, resolution = sla_status(P2, POLICY, at=berlin(10, 12, 30))

        assert (timedelta(minutes=30), True, False) == (
            response.elapsed,
            response.stopped,
            response.breached,
        )
        assert timedelta(hours=4, minutes=30) == resolution.elapsed
        assert timedelta(hours=3, minutes=30) == resolution.remaining
        assert berlin(10, 16) == resolution.deadline
        assert (False, False, False) == (resolution.breached, resolution.paused, resolution.stopped)
        assert resolution.rule.startswith("P2 resolution: 8:00:00 on Europe/Berlin")

    def test_raised_to_p1_applies_retroactively(self) -> None:
        """Raised to P1, the 4 h target counts from the original report: breached."""
        p1 = attrs.evolve(P2, priority="P1")

        response, resolution = sla_status(p1, POLICY, at=berlin(10, 12, 30))

        assert response.breached
        assert (timedelta(hours=4), timedelta(0), True) == (
            resolution.limit,
            resolution.remaining,
            resolution.breached,
        )
        assert resolution.deadline is None

    def test_paused_while_on_hold(self) -> None:
        """During the hold the clock is paused and has no deadline."""
        _, resolution = sla_status(P2, POLICY, at=berlin(8, 12))

        assert resolution.paused
        assert resolution.deadline is None
        assert timedelta(hours=2) == resolution.elapsed

    def test_resolved(self) -> None:
        """A resolved incident's clock stops at the resolution."""
        done = attrs.evolve(P2, resolved_at=berlin(10, 11))

        _, resolution = sla_status(done, POLICY, at=berlin(20, 12))

        assert resolution.stopped
        assert timedelta(hours=3) == resolution.elapsed
        assert resolution.deadline is None

    def test_an_open_hold(self) -> None:
        """An incident still on hold is paused."""
        waiting = Incident(
            "INC2", priority="P2", reported_at=berlin(7, 9), holds=[Hold(berlin(7, 10))]
        )

        _, resolution = sla_status(waiting, POLICY, at=berlin(11, 10))

        assert resolution.paused
        assert timedelta(hours=1) == resolution.elapsed

    def test_missing_targets_are_left_out(self) -> None:
        """A priority without targets gives no status."""
        assert () == sla_status(attrs.evolve(P2, priority="P4"), POLICY, at=berlin(8, 9))


class TestErrors:
    def test_no_priority_or_report(self) -> None:
        """An incident needs a priority and a report time."""
        with pytest.raises(ConfigurationError, match="has no priority"):
            sla_status(Incident("X", reported_at=berlin(7, 9)), POLICY, at=berlin(7, 10))
        with pytest.raises(TimelineError, match="has no reported_at"):
            sla_status(Incident("X", priority="P1"), POLICY, at=berlin(7, 10))

    @pytest.mark.parametrize(
        ("targets", "error", "message"),
        [
            (
                {"P1": timedelta(0)},
                ConfigurationError,
                r"^target for P1 \(datetime.timedelta\(0\)\)",
            ),
            ({"P1": 3600}, ConfigurationError, r"^target for P1 \(3600\) must be a positive"),
            ({"P9": timedelta(hours=1)}, ClassificationError, r"^priority \('P9'\)"),
        ],
    )
    def test_bad_targets(
        self, targets: dict[str, object], error: type[Exception], message: str
    ) -> None:
        """Targets must be positive durations for known priorities."""
        with pytest.raises(error, match=message):
            SlaPolicy(response=targets, resolution={})  # type: ignore[arg-type]


class TestProperties:
    @given(st.integers(0, 20 * 24 * 60), st.integers(0, 20 * 24 * 60))
    def test_elapsed_never_decreases(self, first: int, second: int) -> None:
        """The clock never runs backwards as the instant moves on."""
        early, late = sorted((first, second))
        start = berlin(7, 14)

        before = sla_status(P2, POLICY, at=start + timedelta(minutes=early))[1].elapsed
        after = sla_status(P2, POLICY, at=start + timedelta(minutes=late))[1].elapsed

        assert before <= after

    @given(st.integers(1, 5 * 24 * 60), st.integers(0, 5 * 24 * 60))
    def test_hold_time_is_never_counted(self, offset: int, length: int) -> None:
        """Adding a hold takes exactly its working time off the clock."""
        start = datetime(2024, 6, 3, 7, tzinfo=UTC)
        plain = Incident("X", priority="P2", reported_at=start)
        hold = Hold(start + timedelta(minutes=offset), start + timedelta(minutes=offset + length))
        held = attrs.evolve(plain, holds=[hold])
        at = start + timedelta(days=12)

        without = sla_status(plain, POLICY, at=at)[1].elapsed
        with_hold = sla_status(held, POLICY, at=at)[1].elapsed

        assert without - with_hold == POLICY.calendar.elapsed(hold.start, hold.end)  # type: ignore[arg-type]


class TestPausedIntervals:
    ROUND_THE_CLOCK = SlaPolicy(response={}, resolution={"P1": timedelta(hours=4)})

    def test_a_reopen_resumes_the_clock(self) -> None:
        """With the resolved periods paused, a reopened clock resumes where it stopped."""
        from test_workflow import CLOUDFLARE, ROSTER, cloudflare  # noqa: PLC0415

        major, _ = cloudflare()
        major.reopen(by="matthew", at="2019-07-02T18:00Z", reason="CPU exhaustion came back")
        record = attrs.evolve(major.incident, priority="P1")

        (counted,) = sla_status(record, self.ROUND_THE_CLOCK, at="2019-07-02T19:00Z")
        (resumed,) = sla_status(
            record, self.ROUND_THE_CLOCK, at="2019-07-02T19:00Z", paused=major.resolved_periods
        )

        assert timedelta(hours=5, minutes=15) == counted.elapsed
        assert timedelta(hours=2, minutes=7) == resumed.elapsed
        assert CLOUDFLARE.id == record.id
        assert ROSTER.people

    @pytest.mark.parametrize(
        ("paused", "elapsed"),
        [
            ([("2024-06-03T08:00Z", "2024-06-03T12:00Z")], 5),
            ([("2024-06-03T09:30Z", None)], 0.5),
            ([("2024-06-03T12:00Z", None), ("2024-06-03T13:00Z", "2024-06-03T14:00Z")], 2),
            ([("2024-06-03T12:00Z", "2024-06-03T13:00Z"), ("2024-06-03T12:30Z", None)], 2),
        ],
    )
    def test_overlapping_pauses_count_once(
        self, paused: list[tuple[str, str | None]], elapsed: float
    ) -> None:
        """Holds and pauses that overlap are merged, open-ended ones run to the instant."""
        record = Incident(
            "X",
            priority="P1",
            reported_at="2024-06-03T09:00Z",
            holds=[Hold("2024-06-03T10:00Z", "2024-06-03T11:00Z")],
        )

        (status,) = sla_status(record, self.ROUND_THE_CLOCK, at="2024-06-03T17:00Z", paused=paused)

        assert timedelta(hours=elapsed) == status.elapsed
