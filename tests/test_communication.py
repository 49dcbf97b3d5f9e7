"""Tests for majorincident.communication: plans, audiences, notifications and update cadence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest

from majorincident.communication import (
    DEFAULT_PLAN,
    Audience,
    AudiencePlan,
    CommunicationPlan,
    cadence_adherence,
    due_updates,
    update_schedule,
)
from majorincident.errors import ConfigurationError
from majorincident.incident import Incident
from majorincident.process import Activity
from majorincident.roles import Responsibility, Role, Roster
from majorincident.workflow import MajorIncident


def utc(hhmm: str) -> datetime:
    """A UTC time on 2019-07-02."""
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(2019, 7, 2, hours, minutes, tzinfo=UTC)


PLAN = attrs.evolve(
    DEFAULT_PLAN,
    members={
        Audience.TECHNICAL_TEAM: (Role.MAJOR_INCIDENT_TEAM, Role.TECHNICAL_STAFF),
        Audience.MANAGEMENT: ("carl",),
        Audience.KEY_STAKEHOLDERS: ("dana",),
        Audience.USERS: ("status page",),
    },
)
ROSTER = Roster.staffed(
    {
        "sam": Role.SERVICE_DESK_TECHNICIAN,
        "maya": Role.MAJOR_INCIDENT_MANAGER,
        "mia": Role.MAJOR_INCIDENT_TEAM,
        "tom": Role.TECHNICAL_STAFF,
    },
    at=utc("09:00"),
)
CLOUDFLARE = Incident(
    "CF-2019-07-02",
    title="502 errors everywhere",
    priority="P1",
    major=True,
    reported_at=utc("13:45"),
    declared_at=utc("13:46"),
    resolved_at=utc("14:52"),
)


class TestCloudflareUpdates:
    def test_schedule_without_any_update(self) -> None:
        """Every update owed between the declaration and the resolution, none sent."""
        schedule = update_schedule(CLOUDFLARE, PLAN, sent=[], until=utc("16:00"))

        assert [
            ("14:16", "management"),
            ("14:16", "technical_team"),
            ("14:46", "key_stakeholders"),
            ("14:46", "management"),
            ("14:46", "technical_team"),
            ("14:46", "users"),
        ] == [(u.due.strftime("%H:%M"), u.audience.value) for u in schedule]
        assert not any(update.on_time for update in schedule)

    def test_overdue_when_nothing_is_sent_after_two_pm(self) -> None:
        """Updates sent to everyone at 14:00 and never again: the 14:30 ones are overdue."""
        sent = [(audience, utc("14:00")) for audience in Audience]

        overdue = due_updates(CLOUDFLARE, PLAN, sent=sent, at=utc("14:52"))

        assert [("14:30", "management"), ("14:30", "technical_team")] == [
            (u.due.strftime("%H:%M"), u.audience.value) for u in overdue
        ]
        assert {
            Audience.TECHNICAL_TEAM: 0.5,
            Audience.MANAGEMENT: 0.5,
            Audience.KEY_STAKEHOLDERS: 1.0,
            Audience.USERS: 1.0,
        } == cadence_adherence(CLOUDFLARE, PLAN, sent=sent, until=utc("14:52"))

    def test_nothing_owed_before_the_first_due_time(self) -> None:
        """At 14:10 no update is due yet; with no start there is no schedule at all."""
        assert [] == due_updates(CLOUDFLARE, PLAN, sent=[], at=utc("14:10"))
        assert [] == update_schedule(
            Incident("X", priority="P1"), PLAN, sent=[], until=utc("16:00")
        )

    def test_an_update_sent_after_the_instant_asked_about(self) -> None:
        """An update sent later than `at` does not count yet."""
        late = [("management", utc("14:20"))]

        pending = due_updates(CLOUDFLARE, PLAN, sent=late, at=utc("14:17"))

        assert {"management", "technical_team"} == {u.audience.value for u in pending}

    def test_adherence_with_nothing_owed(self) -> None:
        """An audience owed nothing has no adherence figure."""
        minor = attrs.evolve(CLOUDFLARE, priority="P4", major=False)

        assert {} == cadence_adherence(minor, PLAN, sent=[], until=utc("16:00"))
        short = attrs.evolve(CLOUDFLARE, resolved_at=utc("13:50"))
        assert dict.fromkeys(Audience) == cadence_adherence(
            short, PLAN, sent=[], until=utc("16:00")
        )


class TestCadenceAtResolution:
    PLAN = CommunicationPlan(
        [AudiencePlan(Audience.MANAGEMENT, every=timedelta(minutes=30))],
        members={Audience.MANAGEMENT: ("carl",)},
    )
    INCIDENT = Incident(
        "INC-1", priority="P1", major=True, declared_at=utc("13:00"), resolved_at=utc("15:00")
    )

    def test_no_update_owed_at_the_resolution(self) -> None:
        """Declared 13:00, resolved 15:00, every 30 minutes: owed at 13:30, 14:00 and 14:30."""
        schedule = update_schedule(self.INCIDENT, self.PLAN, sent=[], until=utc("16:00"))

        assert ["13:30", "14:00", "14:30"] == [u.due.strftime("%H:%M") for u in schedule]

    def test_updates_on_cadence_score_one(self) -> None:
        """Updates sent exactly on cadence until the resolution score adherence 1.0."""
        sent = [("management", utc(hhmm)) for hhmm in ("13:30", "14:00", "14:30")]

        assert {Audience.MANAGEMENT: 1.0} == cadence_adherence(
            self.INCIDENT, self.PLAN, sent=sent, until=utc("16:00")
        )

    def test_one_due_at_until_is_owed(self) -> None:
        """Without a resolution, an update due exactly at `until` is owed."""
        open_incident = attrs.evolve(self.INCIDENT, resolved_at=None)

        schedule = update_schedule(open_incident, self.PLAN, sent=[], until=utc("14:00"))

        assert ["13:30", "14:00"] == [u.due.strftime("%H:%M") for u in schedule]


class TestNotifications:
    def test_declaration_reaches_every_audience(self) -> None:
        """With the plan, accepting informs the audiences' members too, once per person."""
        major, _ = MajorIncident.propose(
            attrs.evolve(CLOUDFLARE, declared_at=None, resolved_at=None, major=False),
            by="sam",
            at=utc("13:45"),
            roster=ROSTER,
            plan=PLAN,
        )

        step = major.accept(by="maya", at=utc("13:46"))

        assert major.plan is PLAN
        audience = [(n.person, n.audience.value) for n in step.notifications if n.audience]
        assert [
            ("mia", "technical_team"),
            ("carl", "management"),
            ("dana", "key_stakeholders"),
            ("status page", "users"),
        ] == audience
        (tom,) = [n for n in step.notifications if n.person == "tom"]
        assert Responsibility.CONSULTED is tom.letter
        assert "consulted on 'Declaring the major incident'" in tom.reason
        assert "technical_team: [P1] 502 errors everywhere (CF-2019-07-02): accepted" in tom.reason

    def test_activities_reach_who_hears_them(self) -> None:
        """An entry may name activity keys; people named directly have no role."""
        plan = CommunicationPlan(
            [AudiencePlan("users", {Activity.INFORM_STAKEHOLDERS.key})],
            members={"users": ["status page"]},
            subject="{service}: {title} [{impact}/{urgency}] {kind}",
        )
        major = MajorIncident.declare(
            attrs.evolve(CLOUDFLARE, declared_at=None, resolved_at=None),
            by="maya",
            at=utc("13:46"),
            roster=ROSTER,
            plan=plan,
        )[0]

        step = major.perform(Activity.INFORM_STAKEHOLDERS, by="mia", at=utc("13:50"))

        (page,) = [n for n in step.notifications if n.audience]
        assert (None, "users") == (page.role, page.audience.value if page.audience else None)
        assert page.reason.startswith("users: : 502 errors everywhere [/] normal: activity by mia")

    def test_incidents_without_priority_hear_nothing(self) -> None:
        """Entries apply by priority; an incident without one matches none."""
        assert not DEFAULT_PLAN.entries[0].applies_to(Incident("X"))


class TestPlanDefinition:
    @pytest.mark.parametrize(
        ("build", "message"),
        [
            (lambda: CommunicationPlan([], subject="{owner}"), r"uses the field 'owner'"),
            (lambda: CommunicationPlan([], subject="{id"), r"is not a format string"),
            (
                lambda: CommunicationPlan([AudiencePlan("users", "*", timedelta(0))]),
                r"^users cadence \(0:00:00\) must be positive",
            ),
            (lambda: CommunicationPlan(["users"]), r"^plan entry 'users' is not an AudiencePlan"),
            (
                lambda: CommunicationPlan([], members={"users": [""]}),
                r"^members\['users'\] holds ''; expected roles or people",
            ),
        ],
    )
    def test_invalid_plans(self, build: object, message: str) -> None:
        """Bad plans fail when built, not when sending."""
        with pytest.raises(ConfigurationError, match=message):
            build()  # type: ignore[operator]


def test_every_notification_from_13_45_to_14_52() -> None:
    """The Cloudflare outage with the default plan: who hears of each step, and as what."""
    incident = Incident(
        "CF", title="502 errors everywhere", priority="P1", reported_at=utc("13:45")
    )
    major, first = MajorIncident.propose(
        incident, by="sam", at=utc("13:45"), roster=ROSTER, plan=PLAN
    )
    steps = [first]
    steps.append(major.accept(by="maya", at=utc("13:46")))
    steps.append(major.perform(Activity.INFORM_STAKEHOLDERS, by="mia", at=utc("13:48")))
    steps.append(major.advance(by="maya", at=utc("13:49")))
    for activity in (Activity.ASSEMBLE_TEAM, Activity.SET_UP_BRIDGE, Activity.PREPARE_WAR_ROOM):
        major.perform(activity, by="maya", at=utc("13:55"))
    steps.append(major.perform(Activity.CREATE_PROBLEM, by="mia", at=utc("14:00"), problem_id="P"))
    steps.append(major.advance(by="maya", at=utc("14:07")))
    steps.append(major.perform(Activity.IMPLEMENT_CHANGE, by="tom", at=utc("14:52"), change_id="C"))
    steps.append(major.advance(by="maya", at=utc("14:52")))
    everyone = [
        ("sam", "C", None),
        ("tom", "C", None),
        ("mia", "I", "technical_team"),
        ("carl", "I", "management"),
        ("dana", "I", "key_stakeholders"),
        ("status page", "I", "users"),
    ]

    assert [
        [("tom", "C", None), ("mia", "I", "technical_team")],
        everyone,
        [("sam", "C", None), ("tom", "I", None)],
        everyone,
        [("tom", "C", None), ("sam", "I", None)],
        everyone,
        [("sam", "I", None), ("maya", "I", None), ("mia", "I", None)],
        everyone,
    ] == [
        [
            (n.person, n.letter.value, n.audience.value if n.audience else None)
            for n in step.notifications
        ]
        for step in steps
    ]
