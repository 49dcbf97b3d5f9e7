"""Tests for majorincident.classification: levels, matrices, the major incident policy, surges."""

from __future__ import annotations

import enum
import importlib
import itertools
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from majorincident.classification import (
    Action,
    Assessment,
    Channel,
    Impact,
    MajorIncidentPolicy,
    Priority,
    PriorityMatrix,
    Rule,
    Surge,
    TicketReport,
    Urgency,
    detect_surge,
)
from majorincident.errors import (
    ClassificationError,
    ConfigurationError,
    NaiveDateTimeError,
    RecordError,
    TimelineError,
)
from majorincident.testing import priority_matrices

H, M, L = Impact.HIGH, Impact.MEDIUM, Impact.LOW
UH, UM, UL = Urgency.HIGH, Urgency.MEDIUM, Urgency.LOW


class TestLevels:
    @pytest.mark.parametrize(
        ("kind", "value", "expected"),
        [
            (Impact, Impact.HIGH, Impact.HIGH),
            (Impact, "high", Impact.HIGH),
            (Impact, "MEDIUM", Impact.MEDIUM),
            (Impact, "Low", Impact.LOW),
            (Impact, 1, Impact.HIGH),
            (Impact, "3", Impact.LOW),
            (Impact, "2 - Medium", Impact.MEDIUM),
            (Urgency, 2, Urgency.MEDIUM),
            (Urgency, " low ", Urgency.LOW),
            (Priority, "P1", Priority.P1),
            (Priority, "p4", Priority.P4),
            (Priority, 5, Priority.P5),
            (Priority, "critical", Priority.P1),
            (Priority, "Moderate", Priority.P3),
            (Priority, "1 - Critical", Priority.P1),
        ],
    )
    def test_parse(self, kind: Any, value: object, expected: object) -> None:
        """Levels parse from members, values, names, codes, titles and display values."""
        assert expected is kind.parse(value)

    @pytest.mark.parametrize(
        ("kind", "value"),
        [
            (Impact, 4),
            (Impact, 0),
            (Impact, "severe"),
            (Impact, True),
            (Impact, None),
            (Impact, 1.0),
            (Impact, Urgency.HIGH),
            (Priority, 6),
            (Priority, "P6"),
            (Priority, "9 - Unknown"),
        ],
    )
    def test_unknown_values(self, kind: Any, value: object) -> None:
        """Anything else raises ClassificationError naming the value and the allowed ones."""
        with pytest.raises(ClassificationError, match=rf"\({value!r}\) is not a known") as caught:
            kind.parse(value)
        message = str(caught.value)
        assert message.startswith(kind.__name__.lower())
        assert all(f"{member.value!r} ({member.code})" in message for member in kind)

    def test_field_is_named(self) -> None:
        """A field name given to parse appears in the message."""
        with pytest.raises(ClassificationError, match=r"^u_impact \('x'\)"):
            Impact.parse("x", field="u_impact")
        with pytest.raises(
            ClassificationError,
            match=r"^u_priority \('P9'\) is not a known Priority; expected 'P1' \(1\), "
            r"'P2' \(2\), 'P3' \(3\), 'P4' \(4\), 'P5' \(5\)$",
        ):
            Priority.parse("P9", field="u_priority")

    def test_more_severe_is_greater(self) -> None:
        """Comparisons say which level is more severe."""
        assert Impact.HIGH > Impact.MEDIUM > Impact.LOW
        assert Urgency.LOW < Urgency.HIGH
        assert Priority.P1 > Priority.P5
        assert Priority.P2 >= Priority.P3
        assert Priority.P2 >= Priority.P2
        assert not Priority.P3 >= Priority.P2
        assert Priority.P3 <= Priority.P2
        assert [Priority.P1, Priority.P3, Priority.P5] == sorted(
            [Priority.P5, Priority.P1, Priority.P3], reverse=True
        )

    @pytest.mark.parametrize("kind", [Impact, Urgency, Priority])
    def test_each_comparison_answers_for_its_own_kind(self, kind: Any) -> None:
        """Every operator answers by severity for every pair of one kind, itself included.

        Called directly, so that an operator which passed the question on to the reflected one
        (``NotImplemented``) would show: Python's fallback would hide it.
        """
        for a, b in itertools.product(kind, repeat=2):
            assert (a.__lt__(b), a.__le__(b), a.__gt__(b), a.__ge__(b)) == (
                a.severity < b.severity,
                a.severity <= b.severity,
                a.severity > b.severity,
                a.severity >= b.severity,
            ), (a, b)
            for other in (1, None, Urgency.HIGH if kind is not Urgency else Impact.HIGH):
                assert NotImplemented is a.__lt__(other) is a.__le__(other)
                assert NotImplemented is a.__gt__(other) is a.__ge__(other)

    def test_different_kinds_do_not_compare(self) -> None:
        """An impact is not comparable with an urgency."""
        with pytest.raises(TypeError):
            _ = Impact.HIGH < Urgency.LOW  # type: ignore[operator]
        with pytest.raises(TypeError):
            _ = Priority.P1 >= 1  # type: ignore[operator]
        with pytest.raises(TypeError):
            _ = Priority.P1 <= "P1"  # type: ignore[operator]
        with pytest.raises(TypeError):
            _ = Impact.LOW > None  # type: ignore[operator]

    def test_codes_titles_and_values(self) -> None:
        """Members carry stable values, the codes ITSM tools store, and titles."""
        assert ("P3", 3, "Moderate", "P3") == (
            Priority.P3.value,
            Priority.P3.code,
            Priority.P3.title,
            str(Priority.P3),
        )
        assert ["high", "medium", "low"] == [level.value for level in Impact]


ITIL_TABLE = {
    (H, UH): Priority.P1,
    (H, UM): Priority.P2,
    (H, UL): Priority.P3,
    (M, UH): Priority.P2,
    (M, UM): Priority.P3,
    (M, UL): Priority.P4,
    (L, UH): Priority.P3,
    (L, UM): Priority.P4,
    (L, UL): Priority.P5,
}


class TestPriorityMatrix:
    @pytest.mark.parametrize(("cell", "expected"), list(ITIL_TABLE.items()))
    def test_itil_cell_by_cell(self, cell: tuple[Impact, Urgency], expected: Priority) -> None:
        """The ITIL matrix gives impact rank + urgency rank - 1, cell by cell."""
        assert expected is PriorityMatrix.itil().priority(*cell)

    def test_levels_in_stored_forms(self) -> None:
        """Levels may be given as values or codes, as tools store them."""
        matrix = PriorityMatrix.itil()

        assert Priority.P2 is matrix.priority("high", 2)
        assert Priority.P5 is matrix.priority("3 - Low", "low")

    @pytest.mark.parametrize(
        ("impact", "urgency", "message"),
        [
            ("severe", "high", r"^impact \('severe'\) is not a level of this matrix"),
            (H, 9, r"^urgency \(9\) is not a level of this matrix; expected HIGH, MEDIUM, LOW"),
            ([1], "high", r"^impact \(\[1\]\) is not a level"),
        ],
    )
    def test_unknown_levels(self, impact: object, urgency: object, message: str) -> None:
        """A level outside the matrix raises ClassificationError naming it."""
        with pytest.raises(ClassificationError, match=message):
            PriorityMatrix.itil().priority(impact, urgency)

    def test_custom_four_by_four_with_own_levels(self) -> None:
        """Custom matrices work over the user's own ordered levels."""
        scale = ["extensive", "significant", "moderate", "minor"]
        matrix = PriorityMatrix.from_rows(
            [
                ["S1", "S1", "S2", "S2"],
                ["S1", "S2", "S2", "S3"],
                ["S2", "S2", "S3", "S4"],
                ["S2", "S3", "S4", "S4"],
            ],
            impacts=scale,
            urgencies=["critical", "high", "medium", "low"],
            priorities=["S1", "S2", "S3", "S4"],
        )

        assert "S3" == matrix.priority("moderate", "medium")
        with pytest.raises(ClassificationError, match=r"^impact \('huge'\)"):
            matrix.priority("huge", "low")

    def test_non_monotone_matrix_names_the_cell(self) -> None:
        """A cell less severe than a cell of lower impact is refused, naming both."""
        cells = dict(ITIL_TABLE)
        cells[(M, UH)] = Priority.P4

        with pytest.raises(
            ConfigurationError,
            match=r"^cell \(impact MEDIUM, urgency HIGH\) is P4, less severe than P3 at a lower "
            r"impact \(impact LOW, urgency HIGH\)",
        ):
            PriorityMatrix(Impact, Urgency, Priority, cells)

    def test_non_monotone_in_urgency(self) -> None:
        """A cell less severe than a cell of lower urgency is refused."""
        cells = dict(ITIL_TABLE)
        cells[(L, UM)] = Priority.P3
        cells[(L, UH)] = Priority.P4
        with pytest.raises(
            ConfigurationError, match=r"lower urgency \(impact LOW, urgency MEDIUM\)"
        ):
            PriorityMatrix(Impact, Urgency, Priority, cells)

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (lambda c: c.pop((L, UL)), r"^cell \(impact LOW, urgency LOW\) is empty"),
            (lambda c: c.update({(L, UL): "P9"}), r"^cell \(impact LOW, urgency LOW\) holds 'P9'"),
            (lambda c: c.update({(H, "x"): Priority.P1}), r"^cell \(.*'x'\) is not an \(impact"),
            (lambda c: c.update({"HH": Priority.P1}), r"^cell 'HH' is not an \(impact, urgency\)"),
        ],
    )
    def test_incomplete_or_unknown_cells(self, change: Any, message: str) -> None:
        """Missing cells, unknown priorities and unknown keys name the cell."""
        cells: dict[Any, Any] = dict(ITIL_TABLE)
        change(cells)

        with pytest.raises(ConfigurationError, match=message):
            PriorityMatrix(Impact, Urgency, Priority, cells)

    @pytest.mark.parametrize(
        ("arguments", "message"),
        [
            (([], Urgency, Priority, {}), r"^PriorityMatrix.impacts is empty"),
            (([H, H], Urgency, Priority, {}), r"^PriorityMatrix.impacts \(.*\) repeats a level"),
            ((Impact, [], Priority, {}), r"^PriorityMatrix.urgencies is empty"),
            ((Impact, Urgency, [], {}), r"^PriorityMatrix.priorities is empty"),
            ((Impact, Urgency, Priority, [1]), r"^PriorityMatrix.cells \(\[1\]\) is not a mapping"),
        ],
    )
    def test_bad_levels(self, arguments: tuple[Any, ...], message: str) -> None:
        """Level lists must be non-empty and without repeats; cells a mapping."""
        with pytest.raises(ConfigurationError, match=message):
            PriorityMatrix(*arguments)

    def test_from_rows_shape(self) -> None:
        """Rows must match the levels' counts."""
        message = r"^rows must be 2 rows \(impacts\) of 2 priorities \(urgencies\)$"
        with pytest.raises(ConfigurationError, match=message):
            PriorityMatrix.from_rows([["a", "b"]], impacts="xy", urgencies="uv", priorities="ab")
        with pytest.raises(ConfigurationError, match=message):
            PriorityMatrix.from_rows(
                [["a", "b"], ["b"]], impacts="xy", urgencies="uv", priorities="ab"
            )

    def test_markdown_and_html(self) -> None:
        """The matrix renders as a Markdown table and as notebook HTML."""
        matrix = PriorityMatrix.itil()

        assert (
            "| Impact \\ Urgency | HIGH | MEDIUM | LOW |\n"
            "| --- | --- | --- | --- |\n"
            "| HIGH | P1 | P2 | P3 |\n"
            "| MEDIUM | P2 | P3 | P4 |\n"
            "| LOW | P3 | P4 | P5 |\n"
        ) == matrix.to_markdown()
        assert (
            "<table><thead><tr><th>Impact \\ Urgency</th>"
            "<th>HIGH</th><th>MEDIUM</th><th>LOW</th></tr></thead><tbody>"
            "<tr><th>HIGH</th><td>P1</td><td>P2</td><td>P3</td></tr>"
            "<tr><th>MEDIUM</th><td>P2</td><td>P3</td><td>P4</td></tr>"
            "<tr><th>LOW</th><td>P3</td><td>P4</td><td>P5</td></tr>"
            "</tbody></table>"
        ) == matrix._repr_html_()
        assert "<PriorityMatrix: 3 impacts x 3 urgencies>" == repr(matrix)

    def test_a_level_outside_a_smaller_matrix(self) -> None:
        """A level its type knows but the matrix lacks is refused, naming the matrix's levels."""
        matrix = PriorityMatrix.from_rows(
            [[Priority.P1, Priority.P2], [Priority.P2, Priority.P3]],
            impacts=[Impact.HIGH, Impact.LOW],
            urgencies=[Urgency.HIGH, Urgency.LOW],
            priorities=[Priority.P1, Priority.P2, Priority.P3],
        )

        assert Priority.P2 is matrix.priority("low", "1")
        with pytest.raises(
            ClassificationError,
            match=r"^impact \('medium'\) is not a level of this matrix; expected HIGH, LOW$",
        ):
            matrix.priority("medium", "high")

    def test_labels_of_levels_of_any_kind(self) -> None:
        """Members of any enum show by name, other levels as text, escaped in HTML."""
        scope = enum.Enum("Scope", [("SITE", "site-wide"), ("TEAM", "one team")])
        matrix = PriorityMatrix.from_rows(
            [[1, 2], [2, 3]],
            impacts=list(scope),
            urgencies=["<now>", "later"],
            priorities=[1, 2, 3],
        )

        assert (
            "| Impact \\ Urgency | <now> | later |\n"
            "| --- | --- | --- |\n"
            "| SITE | 1 | 2 |\n"
            "| TEAM | 2 | 3 |\n"
        ) == matrix.to_markdown()
        assert (
            "<table><thead><tr><th>Impact \\ Urgency</th><th>&lt;now&gt;</th><th>later</th>"
            "</tr></thead><tbody><tr><th>SITE</th><td>1</td><td>2</td></tr>"
            "<tr><th>TEAM</th><td>2</td><td>3</td></tr></tbody></table>"
        ) == matrix._repr_html_()

    @given(priority_matrices())
    def test_raising_impact_or_urgency_never_lowers_priority(
        self, matrix: PriorityMatrix[str, str, str]
    ) -> None:
        """For any valid matrix, a more severe impact or urgency gives no less severe priority."""
        rank = {p: n for n, p in enumerate(matrix.priorities)}
        for (i, impact), (u, urgency) in itertools.product(
            enumerate(matrix.impacts), enumerate(matrix.urgencies)
        ):
            here = rank[matrix.priority(impact, urgency)]
            for higher in matrix.impacts[:i]:
                assert rank[matrix.priority(higher, urgency)] <= here
            for higher in matrix.urgencies[:u]:
                assert rank[matrix.priority(impact, higher)] <= here

    @given(priority_matrices(), st.data())
    def test_swapping_two_cells_across_a_gap_is_refused(
        self, matrix: PriorityMatrix[str, str, str], data: st.DataObject
    ) -> None:
        """Making a higher-impact cell less severe than the one below it is always refused."""
        rows = list(range(len(matrix.impacts) - 1))
        if not rows or len(matrix.priorities) < 2:
            return
        i = data.draw(st.sampled_from(rows))
        urgency = data.draw(st.sampled_from(matrix.urgencies))
        below = matrix.priority(matrix.impacts[i + 1], urgency)
        weaker = [
            p
            for p in matrix.priorities
            if matrix.priorities.index(p) > matrix.priorities.index(below)
        ]
        if not weaker:
            return
        cells = dict(matrix.cells)
        cells[(matrix.impacts[i], urgency)] = weaker[0]

        with pytest.raises(ConfigurationError, match="must never lower the priority"):
            PriorityMatrix(matrix.impacts, matrix.urgencies, matrix.priorities, cells)


POLICY = MajorIncidentPolicy.default()


CANDIDATE = (
    "a P1 whose impact is not shown to be organisation-wide: the major incident manager decides"
)


class TestMajorIncidentPolicy:
    @pytest.mark.parametrize(
        ("assessment", "action", "rule", "reasons"),
        [
            (
                Assessment(priority="P1", business_critical=True),
                Action.DECLARE,
                "organisation-wide P1",
                ("P1: given", "a business-critical service is affected"),
            ),
            (
                Assessment(priority="P1", business_critical=False, affected_share=0.25),
                Action.DECLARE,
                "organisation-wide P1",
                ("P1: given", "25% of users are affected (at least 25%)"),
            ),
            (
                Assessment(priority="P1", affected_share=0.2499),
                Action.PROPOSE,
                "P1 candidate",
                ("P1: given", CANDIDATE),
            ),
            (
                Assessment(priority="P1", business_critical=False),
                Action.PROPOSE,
                "P1 candidate",
                ("P1: given", CANDIDATE),
            ),
            (
                Assessment(priority="P2", business_critical=True, related_open_incidents=5),
                Action.PROPOSE,
                "influx of related incidents",
                ("P2: given", "5 related open incidents (at least 5)"),
            ),
            (
                Assessment(impact="medium", urgency="high", related_open_incidents=4),
                Action.NONE,
                None,
                ("P2: impact MEDIUM and urgency HIGH", "no rule matched"),
            ),
        ],
    )
    def test_default_verdicts_word_for_word(
        self, assessment: Assessment, action: Action, rule: str | None, reasons: tuple[str, ...]
    ) -> None:
        """The default policy's every rule, at and beside its thresholds, with its reasons."""
        verdict = MajorIncidentPolicy.default().evaluate(assessment)

        assert (action, Priority.P1 if "P1" in reasons[0] else Priority.P2, rule, reasons) == (
            verdict.action,
            verdict.priority,
            None if verdict.rule is None else verdict.rule.name,
            verdict.reasons,
        )

    def test_cloudflare_2019_is_declared(self) -> None:
        """Cloudflare 2019: impact large, urgency high, a business-critical service: P1, DECLARE."""
        verdict = POLICY.evaluate(
            Assessment(
                impact=Impact.HIGH,
                urgency=Urgency.HIGH,
                services={"cdn", "waf"},
                business_critical=True,
                affected_share=0.8,
            )
        )

        assert Action.DECLARE is verdict.action
        assert Priority.P1 is verdict.priority
        assert verdict.is_major
        assert not verdict.is_candidate
        assert "organisation-wide P1" == verdict.rule.name if verdict.rule else None
        assert (
            "P1: impact HIGH and urgency HIGH",
            "a business-critical service is affected",
        ) == verdict.reasons

    def test_large_share_of_users_is_declared(self) -> None:
        """A P1 affecting at least a quarter of the users is declared, saying so."""
        verdict = POLICY.evaluate(Assessment(impact="high", urgency="high", affected_share=0.3))

        assert Action.DECLARE is verdict.action
        assert "30% of users are affected (at least 25%)" == verdict.reasons[1]

    def test_p1_for_one_team_is_only_proposed(self) -> None:
        """Not every P1 is major: without organisation-wide impact it is a candidate."""
        verdict = POLICY.evaluate(
            Assessment(impact="high", urgency="high", business_critical=False, affected_share=0.02)
        )

        assert Action.PROPOSE is verdict.action
        assert verdict.is_candidate
        assert verdict.reasons[1].startswith("a P1 whose impact is not shown to be organisation")

    def test_influx_of_related_incidents_is_proposed(self) -> None:
        """Five related open incidents make even a P3 a candidate."""
        verdict = POLICY.evaluate(
            Assessment(impact="low", urgency="high", related_open_incidents=5)
        )

        assert Action.PROPOSE is verdict.action
        assert Priority.P3 is verdict.priority
        assert ("P3: impact LOW and urgency HIGH", "5 related open incidents (at least 5)") == (
            verdict.reasons
        )

    def test_ordinary_incident(self) -> None:
        """A P3 with few related incidents is not major."""
        verdict = POLICY.evaluate(
            Assessment(impact="medium", urgency="medium", related_open_incidents=4)
        )

        assert Action.NONE is verdict.action
        assert verdict.rule is None
        assert ("P3: impact MEDIUM and urgency MEDIUM", "no rule matched") == verdict.reasons

    def test_given_priority_wins(self) -> None:
        """A priority given outright is used as is."""
        verdict = POLICY.evaluate(Assessment(priority="P1", impact="low", urgency="low"))

        assert Priority.P1 is verdict.priority
        assert "P1: given" == verdict.reasons[0]

    def test_unknown_priority(self) -> None:
        """With impact or urgency unknown, P1 rules cannot fire; the verdict says why."""
        verdict = POLICY.evaluate(Assessment(impact="high", business_critical=True))

        assert verdict.priority is None
        assert Action.NONE is verdict.action
        assert "priority unknown: impact or urgency not assessed" == verdict.reasons[0]

    def test_thresholds_are_settings(self) -> None:
        """The default policy's thresholds can be changed."""
        strict = MajorIncidentPolicy.default(user_share=0.5, related_incidents=2)

        share = Assessment(impact="high", urgency="high", affected_share=0.3)
        assert Action.PROPOSE is strict.evaluate(share).action
        assert Action.PROPOSE is strict.evaluate(Assessment(related_open_incidents=2)).action

    def test_custom_rules_first_match_wins(self) -> None:
        """Rules are tried in order; reasons may be text or computed."""
        policy = MajorIncidentPolicy(
            [
                Rule(
                    "costly",
                    lambda a: (a.loss_per_hour or 0) >= 100_000,
                    Action.DECLARE,
                    lambda a: f"losing {a.loss_per_hour:,.0f} an hour",
                ),
                Rule("payments", lambda a: "payments" in a.services, Action.PROPOSE),
            ]
        )

        costly = policy.evaluate(Assessment(services="payments", loss_per_hour=250_000))
        assert ("priority unknown: impact or urgency not assessed", "losing 250,000 an hour") == (
            costly.reasons
        )
        assert "payments" == policy.evaluate(Assessment(services=["payments"])).reasons[1]

    @pytest.mark.parametrize(
        ("rules", "message"),
        [
            (["not a rule"], r"^policy rule 'not a rule' is not a Rule"),
            (
                [Rule("a", bool, Action.PROPOSE), Rule("a", bool, Action.DECLARE)],
                "^policy names the rule 'a' twice",
            ),
        ],
    )
    def test_bad_policies(self, rules: list[Any], message: str) -> None:
        """Rules must be Rule values with distinct names."""
        with pytest.raises(ConfigurationError, match=message):
            MajorIncidentPolicy(rules)

    def test_rule_action_must_act(self) -> None:
        """A rule's action is PROPOSE or DECLARE."""
        with pytest.raises(ConfigurationError, match=r"^rule 'x': action \(<Action.NONE"):
            Rule("x", bool, Action.NONE)


class TestAssessment:
    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("impact", "huge", r"^impact \('huge'\) is not a known Impact"),
            ("urgency", 7, r"^urgency \(7\) is not a known Urgency"),
            ("priority", "P0", r"^priority \('P0'\) is not a known Priority"),
            ("affected_users", -1, r"^affected_users \(-1\) must be a whole number"),
            ("affected_users", 2.5, r"^affected_users \(2.5\) must be a whole number"),
            ("related_open_incidents", True, r"^related_open_incidents \(True\) must be"),
            ("affected_share", 1.5, r"^affected_share \(1.5\) must be a share from 0 to 1"),
            ("affected_share", "half", r"^affected_share \('half'\) must be a share"),
            ("loss_per_hour", float("nan"), r"^loss_per_hour \(nan\) must be a finite amount"),
            ("loss_per_hour", -5, r"^loss_per_hour \(-5\) must be a finite amount"),
            ("loss_per_hour", "lots", r"^loss_per_hour \('lots'\) must be a finite amount"),
            ("services", ["cdn", ""], r"^services holds ''; expected non-empty names"),
        ],
    )
    def test_bad_fields_are_named(self, field: str, value: object, message: str) -> None:
        """Every bad field raises ClassificationError naming the field and the value."""
        with pytest.raises(ClassificationError, match=message):
            Assessment(**{field: value})  # type: ignore[arg-type]

    def test_bounds_are_allowed(self) -> None:
        """A share of 0 or 1, a loss of 0 or a fraction, and one service by its name hold."""
        bounds = [
            Assessment(affected_share=0, loss_per_hour=0, services="cdn"),
            Assessment(affected_share=1, loss_per_hour=0.5, services=["cdn", "dns"]),
        ]

        assert [(0, 0, {"cdn"}), (1, 0.5, {"cdn", "dns"})] == [
            (a.affected_share, a.loss_per_hour, a.services) for a in bounds
        ]

    def test_unknowns_are_allowed(self) -> None:
        """Triage often knows little: every field is optional."""
        empty = Assessment()

        assert (None, None, frozenset(), 0) == (
            empty.impact,
            empty.priority,
            empty.services,
            empty.related_open_incidents,
        )


T0 = datetime(2019, 7, 2, 13, 45, tzinfo=UTC)


def reports(minutes: list[float], service: str = "cdn", prefix: str = "INC") -> list[TicketReport]:
    """Reports for one service at the given minutes after 13:45 UTC."""
    return [
        TicketReport(f"{prefix}{n}", T0 + timedelta(minutes=m), service, Channel.PORTAL)
        for n, m in enumerate(minutes)
    ]


FIFTEEN = timedelta(minutes=15)


class TestDetectSurge:
    def test_twelve_reports_in_fifteen_minutes(self) -> None:
        """12 reports inside 15 minutes with threshold 10: one surge, at the 10th report."""
        stream = reports([m * 1.2 for m in range(12)])

        surges = list(detect_surge(stream, window=FIFTEEN, threshold=10))

        assert [Surge("cdn", stream[0], stream[9], 10, FIFTEEN)] == surges

    def test_same_reports_spread_over_three_hours(self) -> None:
        """The same 12 reports spread over three hours make no surge."""
        stream = reports([m * 16.0 for m in range(12)])

        assert [] == list(detect_surge(stream, window=FIFTEEN, threshold=10))

    def test_services_are_counted_apart(self) -> None:
        """Interleaved services each need the threshold on their own."""
        cdn = reports(list(range(6)), "cdn", "A")
        dns = reports([m + 0.5 for m in range(6)], "dns", "B")
        stream = sorted(cdn + dns, key=lambda r: r.at)

        assert [] == list(detect_surge(stream, window=FIFTEEN, threshold=10))
        assert ["cdn", "dns"] == [s.key for s in detect_surge(stream, window=FIFTEEN, threshold=6)]

    def test_window_is_half_open(self) -> None:
        """A report exactly one window old has left the window."""
        stream = reports([0, 5, 15])

        assert [] == list(detect_surge(stream, window=FIFTEEN, threshold=3))
        assert 1 == len(list(detect_surge(reports([0, 5, 14.99]), window=FIFTEEN, threshold=3)))

    def test_a_new_burst_after_the_window_empties(self) -> None:
        """After a quiet spell a second burst of the same service surges again."""
        stream = reports([0, 1, 2, 3, 40, 41, 42])

        surges = list(detect_surge(stream, window=FIFTEEN, threshold=3))

        assert [("INC0", "INC2"), ("INC4", "INC6")] == [(s.first.id, s.last.id) for s in surges]

    def test_mappings_callables_and_iso_strings(self) -> None:
        """Reports may be mappings with other field names, read through callables or names."""
        stream = [
            {"number": f"INC{n}", "opened_at": f"2019-07-02T13:4{n}:00Z", "ci": "waf"}
            for n in range(5)
        ]

        surges = list(
            detect_surge(
                stream,
                window=FIFTEEN,
                threshold=5,
                key=lambda r: r["ci"],
                at="opened_at",
                id="number",
            )
        )

        assert [("waf", 5)] == [(s.key, s.count) for s in surges]

    def test_out_of_order_names_both_reports(self) -> None:
        """A report earlier than the one before it raises TimelineError naming both."""
        stream = reports([0, 5, 3])

        with pytest.raises(
            TimelineError,
            match=r"^report 'INC2' at 2019-07-02 13:48:00\+00:00 comes after report 'INC1' at "
            r"2019-07-02 13:50:00\+00:00, but is earlier; reports must be in time order$",
        ):
            list(detect_surge(stream, window=FIFTEEN, threshold=10))
        with pytest.raises(TimelineError, match=r"^report 'inc2' at .* report 'inc1' at "):
            list(detect_surge(stream, window=FIFTEEN, threshold=10, id=lambda r: r.id.lower()))

    def test_windows_of_centuries_stay_exact(self) -> None:
        """A window of 2**53 + 1 microseconds (no float holds it) keeps its last microsecond."""
        window = timedelta(microseconds=2**53 + 1)
        stream = [
            TicketReport("A", T0, "cdn"),
            TicketReport("B", T0 + window - timedelta(microseconds=1), "cdn"),
        ]

        assert ["B"] == [s.last.id for s in detect_surge(stream, window=window, threshold=2)]

    def test_instants_near_the_end_of_time_stay_exact(self) -> None:
        """Reports a microsecond apart in year 9999 are told apart (no float rounding)."""
        last = datetime(9999, 12, 29, 23, 59, 59, 999_999, tzinfo=UTC)
        stream = [
            TicketReport("A", last - timedelta(microseconds=1), "cdn"),
            TicketReport("B", last, "cdn"),
        ]

        texts = [{"id": r.id, "at": r.at.isoformat(), "service": "cdn"} for r in stream]
        assert [] == list(detect_surge(stream, window=timedelta(microseconds=1), threshold=2))
        assert [texts[1]] == [
            surge.last
            for surge in detect_surge(texts, window=timedelta(microseconds=2), threshold=2)
        ]
        with pytest.raises(TimelineError, match=r"^at \('soon'\) is not an ISO-8601"):
            list(detect_surge([{**texts[0], "at": "soon"}], window=FIFTEEN, threshold=1))
        assert ["B"] == [
            surge.last.id
            for surge in detect_surge(stream, window=timedelta(microseconds=2), threshold=2)
        ]

    def test_naive_times_are_refused(self) -> None:
        """A naive report time raises NaiveDateTimeError."""
        stream = [{"id": "1", "at": datetime(2019, 7, 2, 13, 45), "service": "cdn"}]

        with pytest.raises(NaiveDateTimeError, match=r"^at \(2019-07-02T13:45:00\) has no UTC"):
            list(detect_surge(stream, window=FIFTEEN, threshold=1))

    @pytest.mark.parametrize(
        "report",
        [{"id": "1", "at": "2019-07-02T13:45:00Z"}, ("1", "2019-07-02T13:45:00Z")],
    )
    def test_report_without_the_key(self, report: object) -> None:
        """A report that lacks the key field raises RecordError naming the field."""
        with pytest.raises(RecordError, match=r"has no field 'service'$"):
            list(detect_surge([report], window=FIFTEEN, threshold=1, id=str, at=lambda _: T0))

    @pytest.mark.parametrize(
        ("window", "threshold", "message"),
        [
            (timedelta(0), 3, r"^window \(datetime.timedelta\(0\)\) must be a positive"),
            (900, 3, r"^window \(900\) must be a positive timedelta"),
            (FIFTEEN, 0, r"^threshold \(0\) must be a whole number >= 1"),
            (FIFTEEN, True, r"^threshold \(True\) must be a whole number"),
        ],
    )
    def test_bad_settings(self, window: Any, threshold: Any, message: str) -> None:
        """A window or threshold that is not positive is refused at once."""
        with pytest.raises(ConfigurationError, match=message):
            detect_surge([], window=window, threshold=threshold)

    def test_report_record(self) -> None:
        """Report stores its instant in UTC and its channel as a Channel."""
        report = TicketReport("INC1", "2019-07-02T15:45:00+02:00", "cdn", "hotline")

        assert T0 == report.at
        assert Channel.HOTLINE is report.channel
        with pytest.raises(TimelineError, match=r"^at \('soon'\) is not"):
            TicketReport("INC1", "soon", "cdn")

    @given(
        st.lists(
            st.tuples(st.integers(0, 120), st.sampled_from(["cdn", "dns", "waf"])),
            max_size=60,
        ),
        st.integers(1, 6),
        st.randoms(use_true_random=False),
    )
    def test_same_instant_permutations_change_nothing(
        self, events: list[tuple[int, str]], threshold: int, rng: Any
    ) -> None:
        """Shuffling reports of different services that share an instant changes no surge."""
        ordered = sorted(events)
        stream = [
            TicketReport(f"{service}-{n}", T0 + timedelta(minutes=minute), service)
            for n, (minute, service) in enumerate(ordered)
        ]
        shuffled: list[TicketReport] = []
        for _, group in itertools.groupby(stream, key=lambda r: r.at):
            by_service = [list(g) for _, g in itertools.groupby(group, key=lambda r: r.service)]
            rng.shuffle(by_service)
            shuffled.extend(itertools.chain.from_iterable(by_service))

        def summary(items: list[TicketReport]) -> list[tuple[str, str, str, int]]:
            return sorted(
                (s.key, s.first.id, s.last.id, s.count)
                for s in detect_surge(items, window=FIFTEEN, threshold=threshold)
            )

        assert summary(stream) == summary(shuffled)

    @given(st.lists(st.integers(0, 300), max_size=80), st.integers(1, 8))
    def test_count_never_exceeds_the_reports_in_the_window(
        self, minutes: list[int], threshold: int
    ) -> None:
        """A surge's count is exactly the reports inside its window, and at least the threshold."""
        stream = reports(sorted(minutes))

        for surge in detect_surge(stream, window=FIFTEEN, threshold=threshold):
            inside = [
                r for r in stream[: stream.index(surge.last) + 1] if surge.last.at - r.at < FIFTEEN
            ]
            assert len(inside) == surge.count
            assert surge.count >= threshold
            assert inside[0] is surge.first


class TestRenamedTicketReport:
    @pytest.mark.parametrize(
        "module", ["majorincident.classification", "majorincident.classification.surge"]
    )
    def test_the_old_name_warns_and_still_works(self, module: str) -> None:
        """``Report`` is ``TicketReport`` for one more release, with a DeprecationWarning."""
        imported = importlib.import_module(module)
        name = re.escape(module)
        with pytest.warns(
            DeprecationWarning, match=rf"^{name}\.Report is deprecated .* use {name}\.TicketReport$"
        ):
            old = imported.Report
        assert old is TicketReport

    def test_other_names_are_still_missing(self) -> None:
        """Any other missing name is an AttributeError naming it."""
        with pytest.raises(AttributeError, match="no attribute 'Nope'"):
            _ = importlib.import_module("majorincident.classification").Nope
