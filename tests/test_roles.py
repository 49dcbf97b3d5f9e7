"""Tests for majorincident.roles: roles, the RACI matrix and the roster."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.threads import in_threads

from majorincident.errors import ConfigurationError, NaiveDateTimeError, TimelineError
from majorincident.process import SEED_ACTIVITIES, Activity, Stage
from majorincident.roles import (
    DEFAULT_RACI,
    SEED_ROLES,
    RaciMatrix,
    Responsibility,
    Role,
    Roster,
)
from majorincident.testing import raci_matrices, roles, rosters

R, A, C = (Responsibility.R, Responsibility.A, Responsibility.C)
MIM = Role.MAJOR_INCIDENT_MANAGER

# The seed's table, written out again by hand, row by row, as the guide prints it. Columns:
# service desk technicians, major incident manager, MIT, technical staff, change manager,
# problem manager, external consultants.
SEED_ROWS = {
    "Declaring the major incident": ["C", "A", "R", "C", "I", "I", "I"],
    "Informing stakeholders": ["C", "A", "R", "I", "I", "I", "I"],
    "Assembling the MIT": ["I", "R/A", "C", "C", "I", "C", "I"],
    "Setting up a conference bridge": ["I", "A", "R", "C", "I", "C", "I"],
    "Preparing a designated war room": ["I", "A", "R", "I", "I", "C", "I"],
    "Creating a problem ticket to identify underlying issues": ["I", "A", "R", "C", "I", "I", "I"],
    "Implementing the resolution plan as a change": ["I", "I", "I", "R", "A", "C", "C"],
    "Performing post-implementation review": ["I", "C", "I", "R", "A", "C", "I"],
    "Producing clear documentation": ["C", "A", "R", "C", "C", "C", "C"],
    "Measuring metrics": ["I", "A", "R", "I", "I", "I", "C"],
}
SEED_COLUMNS = [
    "service_desk_technician",
    "major_incident_manager",
    "major_incident_team",
    "technical_staff",
    "change_manager",
    "problem_manager",
    "external_consultant",
]

ONCALL = Role("oncall", "On-call engineer")
LEAD = Role("lead", "Incident lead")
TRIAGE = Stage("triage", "Triage")
PAGE = Activity("page", "Paging", TRIAGE)
FIX = Activity("fix", "Fixing", TRIAGE)


def matrix(cells: dict[Activity, dict[Role, str]]) -> RaciMatrix:
    """A two-role matrix over the activities of `cells`."""
    return RaciMatrix([ONCALL, LEAD], list(cells), cells)


class TestDefaultRaci:
    def test_matches_the_seed_cell_for_cell(self) -> None:
        """DEFAULT_RACI equals the seed's table transcribed independently."""
        assert [role.key for role in DEFAULT_RACI.roles] == SEED_COLUMNS
        assert list(SEED_ROWS) == [activity.title for activity in DEFAULT_RACI.activities]
        for activity in SEED_ACTIVITIES:
            for role, expected in zip(SEED_ROLES, SEED_ROWS[activity.title], strict=True):
                letters = frozenset(Responsibility(letter) for letter in expected.split("/"))
                assert letters == DEFAULT_RACI.letters(activity, role), (activity.key, role.key)

    def test_declaring_is_owned_by_the_major_incident_manager(self) -> None:
        """The major incident manager is accountable for declaring the major incident."""
        assert DEFAULT_RACI.accountable(Activity.DECLARE) is MIM

    def test_change_is_owned_by_the_change_manager(self) -> None:
        """Implementing the change: accountable change manager, responsible technical staff."""
        assert DEFAULT_RACI.accountable(Activity.IMPLEMENT_CHANGE) == Role.CHANGE_MANAGER
        assert frozenset({Role.TECHNICAL_STAFF}) == DEFAULT_RACI.responsible(
            Activity.IMPLEMENT_CHANGE
        )

    def test_consultants_are_consulted_on_documentation(self) -> None:
        """External consultants are consulted on producing documentation."""
        assert Role.EXTERNAL_CONSULTANT in DEFAULT_RACI.consulted(Activity.DOCUMENT)

    def test_informed_of_declaration(self) -> None:
        """Change manager, problem manager and consultants are informed of a declaration."""
        assert frozenset(
            {Role.CHANGE_MANAGER, Role.PROBLEM_MANAGER, Role.EXTERNAL_CONSULTANT}
        ) == DEFAULT_RACI.informed(Activity.DECLARE)

    def test_responsible_and_accountable_in_one_cell(self) -> None:
        """The manager is both R and A for assembling the MIT, as the seed's "R/A" says."""
        assert frozenset({R, A}) == DEFAULT_RACI.letters(Activity.ASSEMBLE_TEAM, MIM)
        assert frozenset({MIM}) == DEFAULT_RACI.performers(Activity.ASSEMBLE_TEAM)

    def test_duties_of_a_role(self) -> None:
        """duties() lists a role's letters per activity."""
        duties = DEFAULT_RACI.duties(Role.CHANGE_MANAGER)

        assert frozenset({A}) == duties[Activity.IMPLEMENT_CHANGE]
        assert frozenset({C}) == duties[Activity.DOCUMENT]
        assert len(duties) == 10

    @pytest.mark.parametrize(
        ("role", "activity", "expected"),
        [
            (MIM, Activity.DECLARE, True),
            (Role.MAJOR_INCIDENT_TEAM, Activity.DECLARE, True),
            (Role.SERVICE_DESK_TECHNICIAN, Activity.DECLARE, False),
            (Role.TECHNICAL_STAFF, Activity.IMPLEMENT_CHANGE, True),
            (MIM, Activity.IMPLEMENT_CHANGE, False),
        ],
    )
    def test_may_perform(self, role: Role, activity: Activity, expected: bool) -> None:
        """A role may perform an activity when it is R or A for it."""
        assert expected == DEFAULT_RACI.may_perform(role, activity)

    def test_unknown_activity_and_role_in_queries(self) -> None:
        """Queries about an activity or role outside the matrix name it."""
        with pytest.raises(ConfigurationError, match=r"^activity 'page' is not in the RACI"):
            DEFAULT_RACI.responsible(PAGE)
        with pytest.raises(ConfigurationError, match=r"^role 'oncall' is not in the RACI"):
            DEFAULT_RACI.duties(ONCALL)
        with pytest.raises(ConfigurationError, match=r"^role 'oncall' is not in the RACI"):
            DEFAULT_RACI.may_perform(ONCALL, Activity.DECLARE)

    def test_markdown_is_the_seed_layout(self) -> None:
        """to_markdown() writes a header of role titles and one row per activity."""
        lines = DEFAULT_RACI.to_markdown().splitlines()

        assert lines[0].startswith("| Process/roles | Service desk technicians | Major")
        assert lines[4] == "| Assembling the MIT | I | R/A | C | C | I | C | I |"
        assert len(lines) == 12

    def test_html_for_notebooks(self) -> None:
        """_repr_html_ renders a table with escaped titles."""
        custom = matrix({Activity("x", "Fix <b>it</b> & go", TRIAGE): {ONCALL: "R", LEAD: "A"}})
        rendered = custom._repr_html_()

        assert rendered.startswith("<table><thead><tr><th>Process/roles</th>")
        assert "<th>Fix &lt;b&gt;it&lt;/b&gt; &amp; go</th><td>R</td><td>A</td>" in rendered

    def test_repr(self) -> None:
        """The repr gives the matrix's size."""
        assert repr(DEFAULT_RACI) == "<RaciMatrix: 10 activities x 7 roles>"


class TestRoleValues:
    def test_custom_roles(self) -> None:
        """Users define roles with a key, a title and a description; equality is by key."""
        scribe = Role("scribe", "Scribe", "Keeps the incident log.")

        assert Role("scribe", "Note-taker") == scribe
        assert "Keeps the incident log." == scribe.description

    @pytest.mark.parametrize("key", ["", "  ", " scribe", 7])
    def test_bad_keys(self, key: object) -> None:
        """A role key must be a non-empty string without surrounding spaces."""
        with pytest.raises(ConfigurationError, match=r"^Role.key \(.*\) must be a non-empty"):
            Role(key, "Scribe")  # type: ignore[arg-type]


class TestRaciValidation:
    @pytest.mark.parametrize(
        ("row", "message"),
        [
            (
                {ONCALL: "A", LEAD: "A"},
                r"^activity 'page' \(Paging\) needs exactly one Accountable.*found lead, oncall$",
            ),
            (
                {ONCALL: "R", LEAD: "C"},
                r"^activity 'page' \(Paging\) needs exactly one Accountable role; found none",
            ),
            (
                {ONCALL: "A", LEAD: "C"},
                r"^activity 'page' \(Paging\) has no Responsible.*involved: lead, oncall$",
            ),
            ({}, r"^activity 'page' \(Paging\) needs exactly one Accountable"),
        ],
    )
    def test_accountability_rules(self, row: dict[Role, str], message: str) -> None:
        """Two A's, no A, or no R: ConfigurationError naming the activity."""
        with pytest.raises(ConfigurationError, match=message):
            matrix({PAGE: row})

    def test_unknown_role(self) -> None:
        """A cell for a role outside the matrix names the activity and the role."""
        with pytest.raises(
            ConfigurationError, match=r"^activity 'page' names role 'change_manager', which is not"
        ):
            matrix({PAGE: {ONCALL: "R", LEAD: "A", Role.CHANGE_MANAGER: "I"}})

    def test_unknown_activity(self) -> None:
        """A row for an activity outside the matrix names the activity."""
        with pytest.raises(ConfigurationError, match=r"^activity 'fix' is not one of the matrix"):
            RaciMatrix([ONCALL, LEAD], [PAGE], {PAGE: {ONCALL: "R/A"}, FIX: {ONCALL: "R/A"}})

    def test_activity_without_a_row(self) -> None:
        """An activity with no row at all has no accountable role."""
        with pytest.raises(ConfigurationError, match=r"^activity 'fix' \(Fixing\) needs exactly"):
            RaciMatrix([ONCALL], [PAGE, FIX], {PAGE: {ONCALL: "R/A"}})

    @pytest.mark.parametrize(
        ("cell", "message"),
        [
            ("R/X", r"^activity 'page', role 'oncall': 'R/X' is not a RACI letter group"),
            ("R/R", r"^activity 'page', role 'oncall': 'R/R' repeats a letter"),
            (3, r"^activity 'page', role 'oncall': 3 is not a RACI cell"),
            (["R"], r"^activity 'page', role 'oncall': \['R'\] is not a RACI cell"),
        ],
    )
    def test_bad_cells(self, cell: object, message: str) -> None:
        """Cells must be letter groups or Responsibility values."""
        with pytest.raises(ConfigurationError, match=message):
            matrix({PAGE: {ONCALL: cell, LEAD: "A"}})  # type: ignore[dict-item]

    def test_cells_as_enum_values(self) -> None:
        """Cells may be Responsibility values or sets of them."""
        built = matrix({PAGE: {ONCALL: R, LEAD: {A, C}}})

        assert frozenset({A, C}) == built.letters(PAGE, LEAD)

    @pytest.mark.parametrize(
        ("roles_", "activities", "cells", "message"),
        [
            ([ONCALL, ONCALL], [PAGE], {}, "^RaciMatrix.roles names the role 'oncall' twice"),
            ([ONCALL], [PAGE, PAGE], {}, "^RaciMatrix.activities names the activity 'page' twice"),
            (["oncall"], [PAGE], {}, "^RaciMatrix.roles holds 'oncall', which is not a Role"),
            ([ONCALL], [PAGE], [], r"^RaciMatrix.cells \(\[\]\) is not a mapping"),
            ([ONCALL], [PAGE], {PAGE: "R"}, r"^activity 'page': row 'R' is not a mapping"),
        ],
    )
    def test_bad_structure(
        self, roles_: list[object], activities: list[object], cells: object, message: str
    ) -> None:
        """Repeated or mistyped roles and activities, and cells that are not mappings."""
        with pytest.raises(ConfigurationError, match=message):
            RaciMatrix(roles_, activities, cells)  # type: ignore[arg-type]

    def test_letter_aliases(self) -> None:
        """R, A, C, I are the same members as RESPONSIBLE, ACCOUNTABLE, CONSULTED, INFORMED."""
        assert Responsibility.RESPONSIBLE is Responsibility.R
        assert [letter.value for letter in Responsibility] == ["R", "A", "C", "I"]


class TestRaciParse:
    def test_seed_lines(self) -> None:
        """Lines as the seed prints them, with the header and legend, parse to DEFAULT_RACI."""
        text = "Process/roles Service desk technicians Major incident manager MIT ...\n"
        text += "\n".join(f"{title} {' '.join(groups)}" for title, groups in SEED_ROWS.items())
        text += "\n\n* R - Responsible, A - Accountable, C - Consulted, I - Informed\n"

        assert RaciMatrix.parse(text) == DEFAULT_RACI

    def test_titles_match_regardless_of_case(self) -> None:
        """Titles are matched without regard to case."""
        parsed = RaciMatrix.parse("PAGING R A\n", roles=[ONCALL, LEAD], activities=[PAGE])

        assert ONCALL in parsed.responsible(PAGE)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("Paging R\n", r"^line 1 \('Paging R'\) does not hold a title and 2 letter groups"),
            ("R A\n", r"^line 1 \('R A'\) does not hold a title and 2 letter groups"),
            ("| Paging | R |\n", r"^line 1 \('\| Paging \| R \|'\) does not hold a title"),
            ("Paging R A\nWaiting R A\n", r"^line 2 \('Waiting R A'\): 'Waiting' is not a known"),
            (
                "Paging R A\nPaging R A\n",
                r"^line 2 \('Paging R A'\): activity 'Paging' appears twice",
            ),
            ("Paging R X\n", r"^line 1 \('Paging R X'\): 'X' is not a RACI letter group"),
            ("\n\nPaging R C\n", r"^line 3 \('Paging R C'\): activity 'page' \(Paging\) needs"),
        ],
    )
    def test_bad_tables_name_the_line(self, text: str, message: str) -> None:
        """Every bad table raises ConfigurationError naming the line."""
        with pytest.raises(ConfigurationError, match=message):
            RaciMatrix.parse(text, roles=[ONCALL, LEAD], activities=[PAGE])

    def test_dash_means_not_involved(self) -> None:
        """A '-' cell, as to_markdown writes it, means no involvement."""
        parsed = RaciMatrix.parse("| Paging | R/A | - |", roles=[ONCALL, LEAD], activities=[PAGE])

        assert frozenset() == parsed.letters(PAGE, LEAD)

    @given(raci_matrices())
    def test_markdown_round_trip(self, original: RaciMatrix) -> None:
        """parse(to_markdown(m)) == m for any valid matrix."""
        text = original.to_markdown()

        assert original == RaciMatrix.parse(
            text, roles=original.roles, activities=original.activities
        )

    @given(raci_matrices())
    def test_plain_round_trip(self, original: RaciMatrix) -> None:
        """The seed's plain layout, one row per line, round-trips too."""
        lines = [
            " ".join(
                [activity.title]
                + [
                    "/".join(
                        sorted(
                            (x.value for x in original.letters(activity, role)), key="RACI".index
                        )
                    )
                    or "-"
                    for role in original.roles
                ]
            )
            for activity in original.activities
        ]

        assert original == RaciMatrix.parse(
            "\n".join(lines), roles=original.roles, activities=original.activities
        )

    @given(raci_matrices())
    def test_every_activity_has_one_owner_and_a_doer(self, generated: RaciMatrix) -> None:
        """Generated matrices have exactly one A and at least one R per activity."""
        for activity in generated.activities:
            assert generated.accountable(activity) in generated.roles
            assert generated.responsible(activity)
            assert generated.performers(activity) == {
                role for role in generated.roles if generated.may_perform(role, activity)
            }

    def test_equality_with_other_types(self) -> None:
        """A matrix is not equal to a value of another type."""
        assert DEFAULT_RACI.to_markdown() != DEFAULT_RACI
        assert hash(DEFAULT_RACI) == hash(RaciMatrix.parse(DEFAULT_RACI.to_markdown()))


def utc(hour: int, minute: int = 0) -> datetime:
    """2019-07-02 at a UTC time."""
    return datetime(2019, 7, 2, hour, minute, tzinfo=UTC)


class TestRoster:
    def test_hand_over_at_two_pm(self) -> None:
        """At 13:59 the first manager holds the role; at 14:00 the second, not the first."""
        roster = (
            Roster()
            .assign("ana", MIM, at=utc(9))
            .renounce("ana", MIM, at=utc(14))
            .assign("ben", MIM, at=utc(14))
        )

        assert frozenset({"ana"}) == roster.holders(MIM, at=utc(13, 59))
        assert frozenset({"ben"}) == roster.holders(MIM, at=utc(14))
        assert frozenset() == roster.roles_of("ana", at=utc(14))

    def test_history_and_several_roles(self) -> None:
        """A person may hold several roles; history lists them in order."""
        roster = Roster.staffed({"cy": [Role.TECHNICAL_STAFF, Role.MAJOR_INCIDENT_TEAM]}, at=utc(9))
        roster = roster.renounce("cy", Role.TECHNICAL_STAFF, at=utc(10))

        assert frozenset({Role.MAJOR_INCIDENT_TEAM}) == roster.roles_of("cy", at=utc(11))
        history = roster.history("cy")
        assert [a.role for a in history] == [Role.MAJOR_INCIDENT_TEAM, Role.TECHNICAL_STAFF]
        assert utc(10) == history[1].renounced_at
        assert frozenset({"cy"}) == roster.people

    def test_staffed_with_single_roles(self) -> None:
        """staffed() takes a role or several per person."""
        roster = Roster.staffed({"ana": MIM, "ben": [Role.CHANGE_MANAGER]}, at=utc(9))

        assert frozenset({MIM}) == roster.roles_of("ana", at=utc(9))
        assert frozenset() == roster.roles_of("ana", at=utc(8, 59))

    def test_renounce_without_holding(self) -> None:
        """Renouncing a role not held is a TimelineError naming the person and role."""
        with pytest.raises(
            TimelineError, match=r"^'ana' does not hold role 'major_incident_manager'"
        ):
            Roster().renounce("ana", MIM, at=utc(9))

    def test_renounce_before_assumed(self) -> None:
        """Renouncing before the role was taken is a TimelineError naming both instants."""
        roster = Roster().assign("ana", MIM, at=utc(9))

        with pytest.raises(
            TimelineError,
            match=r"^renounced_at \(2019-07-02T08:00:00\+00:00\) is before assumed_at "
            r"\(2019-07-02T09:00:00\+00:00\)",
        ):
            roster.renounce("ana", MIM, at=utc(8))

    def test_assign_twice(self) -> None:
        """Taking a role already held is refused."""
        roster = Roster().assign("ana", MIM, at=utc(9))

        with pytest.raises(
            TimelineError, match=r"^'ana' already holds role 'major_incident_manager'"
        ):
            roster.assign("ana", MIM, at=utc(10))

    def test_assign_again_after_hand_back(self) -> None:
        """After renouncing, the same person may take the role again later."""
        roster = Roster().assign("ana", MIM, at=utc(9)).renounce("ana", MIM, at=utc(10))
        roster = roster.assign("ana", MIM, at=utc(11))

        assert frozenset() == roster.holders(MIM, at=utc(10, 30))
        assert frozenset({"ana"}) == roster.holders(MIM, at=utc(11))

    @pytest.mark.parametrize(
        ("person", "role", "error", "message"),
        [
            ("", MIM, ConfigurationError, r"^person \(''\) must be a non-empty string"),
            (
                "ana",
                "major_incident_manager",
                ConfigurationError,
                r"^role \('major_incident_manager'\) is not a Role",
            ),
        ],
    )
    def test_bad_assignments(
        self, person: str, role: object, error: type[Exception], message: str
    ) -> None:
        """Empty people and roles that are not Role values are refused."""
        with pytest.raises(error, match=message):
            Roster().assign(person, role, at=utc(9))  # type: ignore[arg-type]

    def test_naive_instants(self) -> None:
        """Roster times must be aware, and the field is named."""
        with pytest.raises(NaiveDateTimeError, match=r"^assumed_at"):
            Roster().assign("ana", MIM, at=datetime(2019, 7, 2, 9))

    @given(st.data())
    def test_generated_rosters_never_overlap(self, data: st.DataObject) -> None:
        """In generated rosters nobody holds the same role twice at once."""
        seven = SEED_ROLES
        roster = data.draw(rosters(roles=seven))
        moment = data.draw(st.datetimes(datetime(2024, 1, 1), datetime(2024, 1, 3))).replace(
            tzinfo=UTC
        )
        held = [(a.person, a.role) for a in roster.assignments if a.holds_at(moment)]

        assert len(set(held)) == len(held)

    @given(roles(min_size=2, max_size=3), st.data())
    def test_holders_and_roles_of_agree(
        self, custom: tuple[Role, ...], data: st.DataObject
    ) -> None:
        """A person holds a role at an instant iff they are among its holders then."""
        roster = data.draw(rosters(roles=custom, people=("ana", "ben")))
        moment = datetime(2024, 1, 1, 12, tzinfo=UTC)

        for role in custom:
            for person in ("ana", "ben"):
                assert (person in roster.holders(role, at=moment)) == (
                    role in roster.roles_of(person, at=moment)
                )


class TestHoldsAny:
    ROSTER = (
        Roster()
        .assign("ana", MIM, at=utc(9))
        .renounce("ana", MIM, at=utc(14))
        .assign("ana", Role.CHANGE_MANAGER, at=utc(14))
    )

    def test_by_role_or_by_key(self) -> None:
        """Roles may be given as roles or as their keys, in any container."""
        assert self.ROSTER.holds_any("ana", [MIM], at=utc(10))
        assert self.ROSTER.holds_any("ana", frozenset({MIM.key}), at=utc(10))
        assert self.ROSTER.holds_any("ana", (Role.PROBLEM_MANAGER, MIM.key), at=utc(10))
        assert not self.ROSTER.holds_any("ana", {Role.CHANGE_MANAGER}, at=utc(10))

    def test_bounds_of_a_hand_over(self) -> None:
        """A role is held from its start, inclusive, to its renouncement, exclusive."""
        assert not self.ROSTER.holds_any("ana", [MIM], at=utc(8, 59))
        assert self.ROSTER.holds_any("ana", [MIM], at=utc(13, 59))
        assert not self.ROSTER.holds_any("ana", [MIM], at=utc(14))
        assert self.ROSTER.holds_any("ana", [Role.CHANGE_MANAGER], at=utc(14))

    def test_unknown_person_and_no_roles(self) -> None:
        """Someone never assigned, or an empty list of roles, holds nothing."""
        assert not self.ROSTER.holds_any("zed", [MIM], at=utc(10))
        assert not self.ROSTER.holds_any("ana", [], at=utc(10))

    def test_any_offset_and_strings(self) -> None:
        """`at` is any aware instant or ISO-8601 string with an offset, compared by instant."""
        assert self.ROSTER.holds_any("ana", [MIM], at="2019-07-02T11:30:00+02:00")

    def test_agrees_with_roles_of(self) -> None:
        """holds_any says yes exactly when roles_of shares a role with those asked for."""
        for hour in range(8, 16):
            held = self.ROSTER.roles_of("ana", at=utc(hour))
            for asked in ([MIM], [Role.CHANGE_MANAGER], [MIM, Role.CHANGE_MANAGER]):
                assert bool(held & set(asked)) == self.ROSTER.holds_any("ana", asked, at=utc(hour))

    def test_naive_at_is_refused(self) -> None:
        """A naive instant is refused, naming the field."""
        with pytest.raises(NaiveDateTimeError, match=r"^at "):
            self.ROSTER.holds_any("ana", [MIM], at=datetime(2019, 7, 2, 10))

    def test_garbage_at_is_refused(self) -> None:
        """A value that is no timestamp is refused, naming the field."""
        with pytest.raises(TimelineError, match=r"^at "):
            self.ROSTER.holds_any("ana", [MIM], at="yesterday")


class TestRosterThreads:
    def test_a_shared_roster_answers_every_thread_in_full(self) -> None:
        """Eight threads asking one fresh roster all see every holder (the index is whole)."""
        moment = datetime(2024, 1, 1, tzinfo=UTC)
        people = {f"p{n:04}": Role.MAJOR_INCIDENT_TEAM for n in range(1999)}
        people["zara"] = Role.MAJOR_INCIDENT_MANAGER
        base = Roster.staffed(people, at=moment)
        expected_team = frozenset(p for p in people if p != "zara")
        for _ in range(100):
            roster = Roster(base.assignments)

            def ask(_: int, roster: Roster = roster) -> tuple[frozenset[Role], frozenset[str]]:
                return (
                    roster.roles_of("zara", at=moment),
                    roster.holders(Role.MAJOR_INCIDENT_TEAM, at=moment),
                )

            answers = in_threads(8, ask)

            assert [({Role.MAJOR_INCIDENT_MANAGER}, expected_team)] * 8 == answers
