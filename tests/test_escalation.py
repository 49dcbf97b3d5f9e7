"""Tests for majorincident.escalation: levels, repeats and acknowledgement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from majorincident.clock import MAX_INSTANT
from majorincident.errors import ConfigurationError, TimelineError
from majorincident.escalation import (
    MAX_DELAY,
    MAX_REPEATS,
    EscalationKind,
    EscalationLevel,
    EscalationPolicy,
    due_escalations,
)
from majorincident.incident import Incident
from majorincident.roles import Role

START = datetime(2024, 3, 4, 12, tzinfo=UTC)
THREE = EscalationPolicy(
    [
        EscalationLevel(timedelta(minutes=5), "on-call engineer"),
        EscalationLevel(timedelta(minutes=15), [Role.TECHNICAL_STAFF, "team lead"]),
        EscalationLevel(timedelta(minutes=30), Role.MAJOR_INCIDENT_MANAGER, "hierarchical"),
    ],
    repeats=2,
)


def minute(n: int) -> datetime:
    """`n` minutes after the start."""
    return START + timedelta(minutes=n)


class TestSimulate:
    def test_acknowledged_at_twelve_minutes(self) -> None:
        """Level 1 fires at minute 5; nothing fires after an acknowledgement at minute 12."""
        pages = THREE.simulate(START, ack_at=minute(12))

        assert [(minute(5), 1, 1, ("on-call engineer",))] == [
            (page.at, page.level, page.round, page.targets) for page in pages
        ]

    def test_without_acknowledgement_two_repeats(self) -> None:
        """Three rounds of three levels; each starts the last level's delay after the last page."""
        pages = THREE.simulate(START)

        assert [
            (5, 1, 1),
            (15, 2, 1),
            (30, 3, 1),
            (60, 1, 2),
            (70, 2, 2),
            (85, 3, 2),
            (115, 1, 3),
            (125, 2, 3),
            (140, 3, 3),
        ] == [((page.at - START).total_seconds() / 60, page.level, page.round) for page in pages]
        assert EscalationKind.HIERARCHICAL is pages[2].kind
        assert EscalationKind.FUNCTIONAL is pages[1].kind

    def test_round_gap(self) -> None:
        """A round gap spaces the passes differently."""
        policy = EscalationPolicy(
            [EscalationLevel(timedelta(0), "a")], repeats=1, round_gap=timedelta(hours=1)
        )

        assert [START, minute(60)] == [page.at for page in policy.simulate(START)]

    def test_rounds_keep_the_levels_spacing(self) -> None:
        """Levels at 5, 15 and 30 minutes with a 10-minute gap page at 5, 15, 30, 40, 50, 65."""
        policy = EscalationPolicy(
            [EscalationLevel(timedelta(minutes=m), "a") for m in (5, 15, 30)],
            repeats=1,
            round_gap=timedelta(minutes=10),
        )

        assert [minute(m) for m in (5, 15, 30, 40, 50, 65)] == [
            page.at for page in policy.simulate(START)
        ]

    @given(
        delays=st.lists(st.integers(0, 600), min_size=1, max_size=5, unique=True).map(sorted),
        gap=st.none() | st.integers(0, 600),
        repeats=st.integers(0, 5),
        ack=st.none() | st.integers(0, 5000),
    )
    def test_pages_come_in_time_order(
        self, delays: list[int], gap: int | None, repeats: int, ack: int | None
    ) -> None:
        """Whatever the levels, gap and repeats, pages come in time order, before the ack."""
        policy = EscalationPolicy(
            [EscalationLevel(timedelta(minutes=d), "a") for d in delays],
            repeats=repeats,
            round_gap=None if gap is None else timedelta(minutes=gap),
        )

        pages = policy.simulate(START, ack_at=None if ack is None else minute(ack))

        moments = [page.at for page in pages]
        assert sorted(moments) == moments
        assert ack is not None or len(delays) * (repeats + 1) == len(pages)
        assert all(moment < minute(ack) for moment in moments) if ack is not None else True

    def test_no_page_after_the_supported_range(self) -> None:
        """Near the end of the supported range, pages stop at MAX_INSTANT instead of overflowing."""
        policy = EscalationPolicy(
            [EscalationLevel(MAX_DELAY, "a")], repeats=MAX_REPEATS, round_gap=MAX_DELAY
        )

        pages = policy.simulate(MAX_INSTANT.subtract(days=1000))

        assert 2 == len(pages)  # 366 and 732 days in; the third would pass MAX_INSTANT
        assert pages[-1].at <= MAX_INSTANT

    @pytest.mark.parametrize(
        ("build", "message"),
        [
            (
                lambda: EscalationLevel(timedelta(days=367), "a"),
                r"^delay \(367 days, 0:00:00\) must be a timedelta from 0 to 366 days",
            ),
            (lambda: EscalationLevel(5, "a"), r"^delay \(5\) must be a timedelta"),
            (
                lambda: EscalationPolicy([EscalationLevel(timedelta(0), "a")], repeats=10**6),
                r"^repeats \(1000000\) must be a whole number from 0 to 100",
            ),
            (
                lambda: EscalationPolicy(
                    [EscalationLevel(timedelta(0), "a")], round_gap=timedelta(minutes=-10)
                ),
                r"^round_gap \(-1 day, 23:50:00\) must be a timedelta from 0 to 366 days",
            ),
        ],
    )
    def test_bounds(self, build: Any, message: str) -> None:
        """Delays, gaps and repeats are bounded, so no policy builds pages without end."""
        with pytest.raises(ConfigurationError, match=message):
            build()

    def test_acknowledged_at_a_level_instant(self) -> None:
        """A level due at the very instant of the acknowledgement does not fire."""
        assert 1 == len(THREE.simulate(START, ack_at=minute(15)))

    def test_ack_before_start(self) -> None:
        """An acknowledgement before the start is refused."""
        with pytest.raises(TimelineError, match=r"^ack_at .* is before start"):
            THREE.simulate(START, ack_at=minute(-1))

    @given(st.integers(0, 200))
    def test_acknowledgement_stops_paging(self, ack: int) -> None:
        """No page fires at or after the acknowledgement; every earlier one does."""
        pages = THREE.simulate(START, ack_at=minute(ack))

        assert all(page.at < minute(ack) for page in pages)
        assert pages == [page for page in THREE.simulate(START) if page.at < minute(ack)]


class TestDueEscalations:
    def test_by_an_instant(self) -> None:
        """The pages fired by an instant, from the report."""
        incident = Incident("INC1", reported_at=START)

        assert [1, 2] == [page.level for page in due_escalations(THREE, incident, at=minute(20))]

    def test_acknowledged_incident(self) -> None:
        """The incident's acknowledgement stops its escalation."""
        incident = Incident("INC1", reported_at=START, acknowledged_at=minute(12))

        assert 1 == len(due_escalations(THREE, incident, at=minute(120)))

    def test_unreported(self) -> None:
        """An incident without REPORTED cannot be escalated."""
        with pytest.raises(TimelineError, match="has no reported_at to escalate from"):
            due_escalations(THREE, Incident("INC1"), at=START)


class TestDefinition:
    @pytest.mark.parametrize(
        ("build", "message"),
        [
            (lambda: EscalationPolicy([]), "needs at least one level"),
            (lambda: EscalationPolicy(["x"]), r"^level 1 \('x'\) is not an EscalationLevel"),
            (
                lambda: EscalationPolicy(
                    [
                        EscalationLevel(timedelta(minutes=5), "a"),
                        EscalationLevel(timedelta(minutes=5), "b"),
                    ]
                ),
                r"^level 2 delay \(0:05:00\) must be at least 0 and later",
            ),
            (
                lambda: EscalationPolicy([EscalationLevel(timedelta(minutes=-1), "a")]),
                r"^delay \(-1 day, 23:59:00\) must be a timedelta from 0 to 366 days",
            ),
            (lambda: EscalationLevel(timedelta(0), []), "needs at least one target"),
            (lambda: EscalationLevel(timedelta(0), [""]), r"^escalation target \(''\) is not"),
            (
                lambda: EscalationPolicy([EscalationLevel(timedelta(0), "a")], repeats=-1),
                r"^repeats \(-1\) must be a whole number",
            ),
        ],
    )
    def test_invalid(self, build: object, message: str) -> None:
        """Invalid policies raise ConfigurationError saying what is wrong."""
        with pytest.raises(ConfigurationError, match=message):
            build()  # type: ignore[operator]
