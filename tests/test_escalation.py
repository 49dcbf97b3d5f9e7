"""Tests for majorincident.escalation: levels, repeats and acknowledgement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from majorincident.errors import ConfigurationError, TimelineError
from majorincident.escalation import (
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
        """Without an acknowledgement, three rounds of three levels, thirty minutes apart."""
        pages = THREE.simulate(START)

        assert [
            (5, 1, 1),
            (15, 2, 1),
            (30, 3, 1),
            (35, 1, 2),
            (45, 2, 2),
            (60, 3, 2),
            (65, 1, 3),
            (75, 2, 3),
            (90, 3, 3),
        ] == [((page.at - START).total_seconds() / 60, page.level, page.round) for page in pages]
        assert EscalationKind.HIERARCHICAL is pages[2].kind
        assert EscalationKind.FUNCTIONAL is pages[1].kind

    def test_round_gap(self) -> None:
        """A round gap spaces the passes differently."""
        policy = EscalationPolicy(
            [EscalationLevel(timedelta(0), "a")], repeats=1, round_gap=timedelta(hours=1)
        )

        assert [START, minute(60)] == [page.at for page in policy.simulate(START)]

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
                r"^level 1 delay",
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
