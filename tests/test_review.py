"""Tests for majorincident.review: the post-implementation review and its due dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pytest

from majorincident.errors import ConfigurationError, RecordError, TransitionError
from majorincident.incident import Incident
from majorincident.lifecycle import TransitionTable
from majorincident.review import (
    ActionItem,
    PostIncidentReview,
    ReviewLifecycle,
    action_item_stats,
    review_due,
)
from majorincident.testing import lifecycle_test
from test_workflow import CLOUDFLARE, cloudflare

GOLDEN = Path(__file__).parent / "golden" / "cloudflare-review.md"


def review() -> PostIncidentReview:
    """The Cloudflare outage's review, from the workflow's record and timeline."""
    major, _ = cloudflare()
    return PostIncidentReview(
        major.incident,
        impact="About half of the internet answered 502 for 27 minutes; Cloudflare's own "
        "tools were unreachable too.",
        root_cause="A routine update of a WAF managed rule drove the CPUs serving HTTP and HTTPS "
        "traffic to nearly 100 percent across the network.",
        fix="A global WAF kill at 14:07, then the rule reverted and the WAF re-enabled at 14:52.",
        timeline=major.timeline,
        action_items=[
            ActionItem("Limit the CPU a WAF rule may use", "tom", "2019-07-31T00:00Z"),
            ActionItem(
                "Stage WAF rule rollouts", "cara", "2019-07-15T00:00Z", done_at="2019-07-12T10:00Z"
            ),
        ],
        lessons=["Emergency rule rollouts need a staged path too."],
    )


class TestReview:
    def test_markdown_matches_the_stored_document(self) -> None:
        """The Cloudflare review renders exactly as the stored expected file."""
        assert GOLDEN.read_text(encoding="utf-8") == review().to_markdown()

    def test_lifecycle(self) -> None:
        """Draft, in review (and back), reviewed, closed; nothing after closing."""
        draft = review()

        closed = draft.fire("submit").fire("revise").fire("submit").fire("approve").fire("close")

        assert "closed" == closed.state
        assert "Review state: closed" in closed.to_markdown()
        with pytest.raises(
            TransitionError, match="event 'submit' is not allowed in state 'closed'"
        ):
            closed.fire("submit")

    def test_bad_fields(self) -> None:
        """Empty texts, unknown states and wrong items are refused."""
        with pytest.raises(RecordError, match=r"^impact \(''\) must be a non-empty string"):
            PostIncidentReview(CLOUDFLARE, impact="", root_cause="x", fix="y")
        with pytest.raises(RecordError, match=r"^state \('done'\) is not one of draft"):
            PostIncidentReview(CLOUDFLARE, impact="i", root_cause="x", fix="y", state="done")
        with pytest.raises(RecordError, match=r"^action_items holds 'x'; expected ActionItem"):
            PostIncidentReview(CLOUDFLARE, impact="i", root_cause="x", fix="y", action_items=["x"])  # type: ignore[list-item]

    def test_minimal_review(self) -> None:
        """A review of a bare record renders with dashes where facts are missing."""
        text = PostIncidentReview(Incident("X"), impact="i", root_cause="r", fix="f").to_markdown()

        assert "- Service: -" in text
        assert "- Priority: -" in text

    TestLifecycle = lifecycle_test(ReviewLifecycle).TestCase

    def test_table(self) -> None:
        """The review lifecycle compiles like the others."""
        assert ("revise", "approve") == TransitionTable.of(ReviewLifecycle).allowed("in_review")


class TestDueDates:
    def test_p1_three_calendar_days(self) -> None:
        """A P1 review is due three calendar days after the resolution."""
        assert datetime(2019, 7, 5, 14, 52, tzinfo=UTC) == review_due(cloudflare()[0].incident)

    def test_p2_five_business_days(self) -> None:
        """A P2 resolved on a Friday is due five business days later: the next Friday."""
        friday = Incident(
            "X", priority="P2", reported_at="2024-06-07T10:00Z", resolved_at="2024-06-07T12:00Z"
        )

        assert datetime(2024, 6, 14, 12, tzinfo=UTC) == review_due(friday)

    def test_not_resolved_or_no_rule(self) -> None:
        """No due date before the resolution; a priority without a rule is an error."""
        assert review_due(Incident("X", priority="P1")) is None
        with pytest.raises(ConfigurationError, match="no review due date for priority None"):
            review_due(Incident("X", resolved_at="2024-06-07T12:00Z"))


class TestActionItems:
    def test_overdue_kpi(self) -> None:
        """One of two items is done; the other is overdue after its date."""
        reviews = [review()]

        before = action_item_stats(reviews, at="2019-07-20T00:00Z")
        after = action_item_stats(reviews, at="2019-08-01T00:00Z")

        assert (2, 1, 0, 0.0) == attrs.astuple(before)
        assert (2, 1, 1, 1.0) == attrs.astuple(after)
        assert (0, 0, 0, None) == attrs.astuple(action_item_stats([], at="2019-08-01T00:00Z"))

    def test_bad_items(self) -> None:
        """Items need a title and an owner."""
        with pytest.raises(RecordError, match=r"^owner \(''\) must be a non-empty string"):
            ActionItem("Fix it", "", "2019-07-31T00:00Z")

    def test_done_items_are_never_overdue(self) -> None:
        """A done item is not overdue, whatever the date."""
        item = ActionItem("A", "b", "2019-07-01T00:00Z", done_at="2019-07-02T00:00Z")

        assert not item.is_overdue(datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=1))
