"""Tests for majorincident.workflow: the MajorIncident process object."""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.threads import in_threads

from majorincident.errors import (
    ConcurrencyError,
    ConfigurationError,
    GateError,
    NotAuthorizedError,
    RecordError,
    TaskError,
    TimelineError,
    TransitionError,
)
from majorincident.incident import (
    GENESIS,
    Event,
    EventKind,
    Hold,
    Incident,
    Milestone,
    event_digest,
)
from majorincident.process import SEED_ACTIVITIES, SEED_PROCESS, Activity, Process, Stage
from majorincident.roles import DEFAULT_RACI, SEED_ROLES, RaciMatrix, Responsibility, Role, Roster
from majorincident.testing import major_incidents, raci_matrices, rosters
from majorincident.workflow import MajorIncident, Notification, Step

DAY = datetime(2019, 7, 2, tzinfo=UTC)


def utc(hhmm: str) -> datetime:
    """A UTC time on 2019-07-02, written "13:42"."""
    hours, minutes = map(int, hhmm.split(":"))
    return DAY + timedelta(hours=hours, minutes=minutes)


PEOPLE = {
    "sam": Role.SERVICE_DESK_TECHNICIAN,
    "matthew": Role.MAJOR_INCIDENT_MANAGER,
    "mia": Role.MAJOR_INCIDENT_TEAM,
    "tom": Role.TECHNICAL_STAFF,
    "cara": Role.CHANGE_MANAGER,
    "paul": Role.PROBLEM_MANAGER,
    "eve": Role.EXTERNAL_CONSULTANT,
}
ROSTER = Roster.staffed(PEOPLE, at=utc("09:00"))
CLOUDFLARE = Incident(
    "CF-2019-07-02",
    title="502 errors on every Cloudflare domain after a WAF rule deployment",
    service="cdn",
    affected_services={"cdn", "waf", "dns"},
    channel="monitoring",
    impact="high",
    urgency="high",
    priority="P1",
    started_at=utc("13:42"),
    detected_at=utc("13:45"),
    reported_at=utc("13:45"),
)


def cloudflare() -> tuple[MajorIncident, list[Step]]:
    """The seed's Cloudflare 2019 outage, through the four stages."""
    major, step = MajorIncident.propose(CLOUDFLARE, by="sam", at=utc("13:45"), roster=ROSTER)
    calls = (
        lambda: major.accept(by="matthew", at=utc("13:46")),
        lambda: major.perform(Activity.INFORM_STAKEHOLDERS, by="mia", at=utc("13:48")),
        lambda: major.advance(by="matthew", at=utc("13:49")),
        lambda: major.perform(Activity.ASSEMBLE_TEAM, by="matthew", at=utc("13:50")),
        lambda: major.perform(Activity.SET_UP_BRIDGE, by="mia", at=utc("13:51")),
        lambda: major.perform(Activity.PREPARE_WAR_ROOM, by="mia", at=utc("13:52")),
        lambda: major.perform(
            Activity.CREATE_PROBLEM, by="mia", at=utc("14:00"), problem_id="PRB-WAF-CPU"
        ),
        lambda: major.advance(by="matthew", at=utc("14:07")),
        lambda: major.perform(
            Activity.IMPLEMENT_CHANGE, by="tom", at=utc("14:52"), change_id="CHG-WAF-REENABLE"
        ),
        lambda: major.advance(by="matthew", at=utc("14:52")),
        lambda: major.perform(Activity.REVIEW, by="tom", at=utc("16:00")),
        lambda: major.perform(Activity.DOCUMENT, by="mia", at=utc("16:30")),
        lambda: major.perform(Activity.MEASURE, by="mia", at=utc("16:45")),
        lambda: major.advance(by="matthew", at=utc("17:00")),
    )
    return major, [step, *(call() for call in calls)]


class TestCloudflare2019:
    def test_through_the_four_stages(self) -> None:
        """Every step is authorized and the major incident ends closed."""
        major, steps = cloudflare()

        assert "closed" == major.state
        assert frozenset(SEED_ACTIVITIES) == major.completed
        assert 15 == len(major.timeline)
        assert list(range(15)) == [event.sequence for event in major.timeline]
        assert [1] * 15 == [len(step.events) for step in steps]

    def test_milestones_on_the_record(self) -> None:
        """Declared at 13:46, contained at the WAF kill (14:07), resolved at 14:52."""
        record = cloudflare()[0].incident

        assert {
            Milestone.STARTED: utc("13:42"),
            Milestone.DETECTED: utc("13:45"),
            Milestone.REPORTED: utc("13:45"),
            Milestone.ACKNOWLEDGED: utc("13:46"),
            Milestone.DECLARED: utc("13:46"),
            Milestone.CONTAINED: utc("14:07"),
            Milestone.RESOLVED: utc("14:52"),
            Milestone.CLOSED: utc("17:00"),
        } == record.milestones
        assert record.major
        assert ("PRB-WAF-CPU", "CHG-WAF-REENABLE") == (record.problem_id, record.change_id)

    def test_who_hears_of_informing_stakeholders(self) -> None:
        """Informing stakeholders consults the service desk and informs four roles."""
        step = cloudflare()[1][2]

        assert (
            Notification(
                "sam",
                Role.SERVICE_DESK_TECHNICIAN,
                Responsibility.CONSULTED,
                Activity.INFORM_STAKEHOLDERS,
                "consulted on 'Informing stakeholders': done by mia at 2019-07-02T13:48:00+00:00",
            ),
            *(
                Notification(
                    person,
                    PEOPLE[person],
                    Responsibility.INFORMED,
                    Activity.INFORM_STAKEHOLDERS,
                    "informed on 'Informing stakeholders': done by mia at "
                    "2019-07-02T13:48:00+00:00",
                )
                for person in ("tom", "cara", "paul", "eve")
            ),
        ) == step.notifications

    def test_declaration_informs_and_consults(self) -> None:
        """Accepting notifies the C and I roles of declaring, not the one who declared."""
        step = cloudflare()[1][1]

        assert [("sam", "C"), ("tom", "C"), ("cara", "I"), ("paul", "I"), ("eve", "I")] == [
            (n.person, n.letter.value) for n in step.notifications
        ]
        assert EventKind.ACCEPTED is step.events[0].kind
        assert Activity.DECLARE == step.events[0].activity
        assert Stage.IDENTIFICATION == step.events[0].stage

    def test_replay_gives_the_same_object(self) -> None:
        """Replaying the timeline gives the same state, record and timeline."""
        major, _ = cloudflare()

        replayed = MajorIncident.replay(major.timeline, incident=CLOUDFLARE, roster=ROSTER)

        assert major == replayed
        assert major.incident == replayed.incident
        assert major.timeline == replayed.timeline
        assert "<MajorIncident 'CF-2019-07-02': closed, 15 events>" == repr(replayed)


def declared(roster: Roster = ROSTER) -> MajorIncident:
    """The Cloudflare incident, declared at 13:46."""
    return MajorIncident.declare(CLOUDFLARE, by="matthew", at=utc("13:46"), roster=roster)[0]


def snapshot(major: MajorIncident) -> tuple[object, ...]:
    """Everything a refused call must leave as it was."""
    return (major.state, major.completed, major.incident, major.timeline, major.tasks)


class TestAuthorization:
    def test_refusal_names_person_roles_and_allowed(self) -> None:
        """A person outside the roles gets NotAuthorizedError naming all three."""
        major = declared()
        before = snapshot(major)

        with pytest.raises(
            NotAuthorizedError,
            match=r"^'sam' holds Service desk technicians at 2019-07-02T13:50:00\+00:00; "
            r"'Informing stakeholders' needs one of: MIT, Major incident manager$",
        ):
            major.perform(Activity.INFORM_STAKEHOLDERS, by="sam", at=utc("13:50"))
        assert before == snapshot(major)

    def test_hand_over_stops_the_rights(self) -> None:
        """A manager who handed over at 14:00 may not advance at 14:00; the new one may."""
        roster = ROSTER.renounce("matthew", Role.MAJOR_INCIDENT_MANAGER, at=utc("14:00")).assign(
            "nora", Role.MAJOR_INCIDENT_MANAGER, at=utc("14:00")
        )
        major = declared(roster)
        major.perform(Activity.INFORM_STAKEHOLDERS, by="mia", at=utc("13:50"))

        with pytest.raises(NotAuthorizedError, match=r"^'matthew' holds no role at 2019-07-02T14"):
            major.advance(by="matthew", at=utc("14:00"))
        major.advance(by="nora", at=utc("14:00"))

        assert "containment" == major.state

    def test_strangers_cannot_propose(self) -> None:
        """Only people holding a role may propose."""
        with pytest.raises(NotAuthorizedError, match=r"^'zed' holds no role"):
            MajorIncident.propose(CLOUDFLARE, by="zed", at=utc("13:45"), roster=ROSTER)
        with pytest.raises(NotAuthorizedError, match=r"^by \(''\) must be a non-empty string"):
            MajorIncident.propose(CLOUDFLARE, by="", at=utc("13:45"), roster=ROSTER)

    def test_only_the_owner_advances(self) -> None:
        """The MIT may inform stakeholders but only the owner advances."""
        major = declared()
        major.perform(Activity.INFORM_STAKEHOLDERS, by="mia", at=utc("13:50"))

        with pytest.raises(NotAuthorizedError, match="advancing to the next stage needs one of"):
            major.advance(by="mia", at=utc("13:51"))
        assert Role.MAJOR_INCIDENT_MANAGER == major.owner

    @settings(max_examples=60)
    @given(st.data())
    def test_success_iff_authorized(self, data: st.DataObject) -> None:
        """With random RACI matrices and rosters, a call succeeds iff its actor may make it."""
        raci = data.draw(raci_matrices(roles=SEED_ROLES, activities=SEED_ACTIVITIES))
        roster = data.draw(rosters(roles=SEED_ROLES, start=datetime(2024, 1, 1)))
        people = sorted(roster.people | {"zed"})
        major = MajorIncident(
            Incident("INC-9", reported_at="2024-01-01T00:00Z"), roster=roster, raci=raci
        )
        moment = datetime(2024, 1, 1, tzinfo=UTC)
        for _ in range(data.draw(st.integers(1, 25))):
            moment += timedelta(minutes=data.draw(st.integers(0, 120)))
            person = data.draw(st.sampled_from(people))
            call, allowed = _random_call(data, major, person, moment, raci, roster)
            before = snapshot(major)
            try:
                call()
            except NotAuthorizedError:
                assert not allowed
                assert before == snapshot(major)
            except (GateError, TransitionError, TaskError):
                assert allowed
                assert before == snapshot(major)
            else:
                assert allowed
        replayed = MajorIncident.replay(
            major.timeline,
            incident=Incident("INC-9", reported_at="2024-01-01T00:00Z"),
            roster=roster,
            raci=raci,
        )
        assert major == replayed


def _random_call(
    data: st.DataObject,
    major: MajorIncident,
    person: str,
    moment: datetime,
    raci: RaciMatrix,
    roster: Roster,
) -> tuple[Any, bool]:
    """A random workflow call and whether the RACI matrix and roster allow `person` to make it."""
    held = roster.roles_of(person, at=moment)
    if not major.timeline:
        return (
            lambda: major._call([(EventKind.PROPOSED, person, moment, None, {})]),
            bool(held),
        )
    kind = data.draw(st.sampled_from(["accept", "perform", "advance", "link"]))
    if kind == "accept":
        return lambda: major.accept(by=person, at=moment), bool(
            held & raci.performers(Activity.DECLARE)
        )
    if kind == "perform":
        activity = data.draw(st.sampled_from(major.pending or SEED_ACTIVITIES))
        details = {"problem_id": "PRB1", "change_id": "CHG1"}
        return lambda: major.perform(activity, by=person, at=moment, **details), bool(
            held & raci.performers(activity)
        )
    if kind == "advance":
        return lambda: major.advance(by=person, at=moment), raci.accountable(
            Activity.DECLARE
        ) in held
    child = data.draw(st.sampled_from(["INC-10", "INC-11"]))
    return lambda: major.link(child, by=person, at=moment), bool(held)


class TestRefusalsChangeNothing:
    def test_gate(self) -> None:
        """Advancing with activities missing raises GateError naming them; nothing changes."""
        major = declared()
        before = snapshot(major)

        with pytest.raises(GateError, match=r"missing Informing stakeholders$"):
            major.advance(by="matthew", at=utc("13:50"))
        assert before == snapshot(major)

    def test_activity_of_another_stage(self) -> None:
        """An activity of a later stage is refused with GateError."""
        major = declared()

        with pytest.raises(GateError, match="Implementing the resolution plan"):
            major.perform(Activity.IMPLEMENT_CHANGE, by="tom", at=utc("13:50"), change_id="C")
        with pytest.raises(GateError, match=r"^activity 'x' is not an activity of this process"):
            major.perform(Activity("x", "X", Stage.CONTAINMENT), by="tom", at=utc("13:50"))

    def test_going_back_in_time(self) -> None:
        """A call earlier than the last event raises TimelineError naming its sequence."""
        major = declared()
        before = snapshot(major)

        with pytest.raises(
            TimelineError,
            match=r"^at \(2019-07-02T13:40:00\+00:00\) is before the last event's at "
            r"\(2019-07-02T13:46:00\+00:00, sequence 1\)",
        ):
            major.perform(Activity.INFORM_STAKEHOLDERS, by="mia", at=utc("13:40"))
        assert before == snapshot(major)

    def test_transition_not_allowed(self) -> None:
        """Accepting twice is a TransitionError; proposing happens once."""
        major = declared()

        with pytest.raises(TransitionError, match="event 'accept' is not allowed"):
            major.accept(by="matthew", at=utc("13:50"))
        with pytest.raises(TransitionError, match="proposed once"):
            major._call([(EventKind.PROPOSED, "sam", utc("13:50"), None, {})])

    def test_record_rules_refuse_the_call(self) -> None:
        """A declaration before the incident was reported breaks the record: refused."""
        late = attrs.evolve(CLOUDFLARE, reported_at=utc("14:00"))

        with pytest.raises(
            TimelineError, match=r"_at \(2019-07-02T13:46:00\+00:00\) is before reported_at"
        ):
            MajorIncident.declare(late, by="matthew", at=utc("13:46"), roster=ROSTER)

    def test_holds_are_kept_and_checked(self) -> None:
        """A record's holds go through the workflow's calls, checked against its milestones."""
        held = attrs.evolve(CLOUDFLARE, holds=[Hold(utc("13:50"), utc("14:00"))])
        major = MajorIncident.declare(held, by="matthew", at=utc("13:46"), roster=ROSTER)[0]
        assert major.incident.holds == held.holds
        assert major.incident.declared_at == utc("13:46")

    def test_missing_details(self) -> None:
        """Creating the problem ticket without a problem id is refused."""
        major = declared()
        major.perform(Activity.INFORM_STAKEHOLDERS, by="mia", at=utc("13:50"))
        major.advance(by="matthew", at=utc("13:51"))

        with pytest.raises(TaskError, match=r"^problem_id \(None\) is required for 'Creating"):
            major.perform(Activity.CREATE_PROBLEM, by="mia", at=utc("14:00"))

    def test_naive_at(self) -> None:
        """A naive instant is refused and names the field."""
        with pytest.raises(Exception, match=r"^at \(2019-07-02T13:46:00\) has no UTC offset"):
            declared().advance(by="matthew", at=datetime(2019, 7, 2, 13, 46))


class TestDecisions:
    def test_propose_then_reject(self) -> None:
        """A candidate may be rejected, with a reason, by whoever may declare."""
        major, step = MajorIncident.propose(CLOUDFLARE, by="sam", at=utc("13:45"), roster=ROSTER)
        assert EventKind.PROPOSED is step.events[0].kind
        assert "proposed" == major.state

        with pytest.raises(TaskError, match=r"^reason \(''\) must be a non-empty string"):
            major.reject(by="matthew", at=utc("13:50"), reason="")
        major.reject(by="matthew", at=utc("13:50"), reason="one customer only")

        assert "rejected" == major.state
        assert not major.incident.major
        assert major.stage is None
        assert () == major.pending

    def test_propose_sets_reported_when_missing(self) -> None:
        """A record without REPORTED is reported when proposed."""
        major, _ = MajorIncident.propose(Incident("X"), by="sam", at=utc("13:45"), roster=ROSTER)

        assert utc("13:45") == major.incident.reported_at

    def test_demote(self) -> None:
        """Demoting cancels and unmarks the record as major."""
        major = declared()

        major.demote(by="matthew", at=utc("14:00"), reason="one region only")

        assert "canceled" == major.state
        assert not major.incident.major
        assert Stage.IDENTIFICATION == major.timeline[-1].stage

    def test_reopen_keeps_the_latest_resolution(self) -> None:
        """After a reopen the record waits for the next resolution; the timeline keeps both."""
        major, _ = cloudflare()

        major.reopen(by="matthew", at=utc("18:00"), reason="CPU exhaustion came back")
        assert "resolution" == major.state
        assert major.incident.resolved_at is None
        assert major.incident.closed_at is None
        assert 1 == major.incident.reopen_count

        major.perform(Activity.IMPLEMENT_CHANGE, by="tom", at=utc("18:30"), change_id="CHG-2")
        major.advance(by="matthew", at=utc("18:40"))

        assert utc("18:40") == major.incident.resolved_at
        advances = [e for e in major.timeline if e.kind is EventKind.ADVANCED and e.stage]
        assert 2 == sum(1 for e in advances if e.stage == Stage.RESOLUTION)
        assert major == MajorIncident.replay(major.timeline, incident=CLOUDFLARE, roster=ROSTER)

    def test_linked_children_resolve_with_it(self) -> None:
        """Leaving the resolution stage lists the linked incidents as resolved."""
        major = declared()
        major.link("INC-101", by="sam", at=utc("13:50"))
        major.link("INC-102", by="sam", at=utc("13:51"))
        for activity, who in ((Activity.INFORM_STAKEHOLDERS, "mia"),):
            major.perform(activity, by=who, at=utc("13:52"))
        major.advance(by="matthew", at=utc("13:53"))
        for activity in SEED_PROCESS.activities_of(Stage.CONTAINMENT):
            major.perform(activity, by="matthew", at=utc("13:54"), problem_id="PRB1")
        major.advance(by="matthew", at=utc("14:07"))
        major.perform(Activity.IMPLEMENT_CHANGE, by="tom", at=utc("14:50"), change_id="CHG1")

        step = major.advance(by="matthew", at=utc("14:52"))

        assert ("INC-101", "INC-102") == step.resolved_children
        assert ("INC-101", "INC-102") == step.events[0].details["resolved_children"]
        assert ("INC-101", "INC-102") == major.incident.child_ids == major.children

    @pytest.mark.parametrize(
        ("child", "error", "message"),
        [
            ("", TaskError, r"^child_id \(''\) must be a non-empty string"),
            ("CF-2019-07-02", TaskError, "is the incident itself or already linked"),
            ("INC-1", TaskError, "already linked"),
        ],
    )
    def test_bad_links(self, child: str, error: type[Exception], message: str) -> None:
        """A link needs a new, other incident."""
        major = declared()
        major.link("INC-1", by="sam", at=utc("13:50"))

        with pytest.raises(error, match=message):
            major.link(child, by="sam", at=utc("13:51"))

    def test_no_links_after_the_end(self) -> None:
        """A closed major incident takes no more links."""
        major, _ = cloudflare()

        with pytest.raises(TransitionError, match="cannot link to a major incident in state"):
            major.link("INC-9", by="sam", at=utc("18:00"))


class TestTasks:
    def test_assign_and_complete(self) -> None:
        """The owner assigns tasks; the assignee completes them."""
        major = declared()
        step = major.assign_task(
            "Roll back the WAF rule", to="tom", by="matthew", at=utc("13:50"), due=utc("14:30")
        )
        assert () == step.notifications
        assert "T1" == step.events[0].details["task_id"]

        major.complete_task("T1", by="tom", at=utc("14:07"))

        (task,) = major.tasks
        assert ("T1", "tom", utc("14:30"), utc("14:07")) == (
            task.id,
            task.assignee,
            task.due,
            task.done_at,
        )
        assert not task.is_open

    def test_duplicate_effort_is_refused(self) -> None:
        """The same open task for a second person is refused unless also=True."""
        major = declared()
        major.assign_task("Check CPU graphs", to="tom", by="matthew", at=utc("13:50"))

        with pytest.raises(TaskError, match=r"^task T1 'Check CPU graphs' is already assigned"):
            major.assign_task("check cpu graphs", to="mia", by="matthew", at=utc("13:51"))
        major.assign_task("Check CPU graphs", to="mia", by="matthew", at=utc("13:52"), also=True)

        assert ["tom", "mia"] == [task.assignee for task in major.tasks]

    def test_owner_may_complete_others_may_not(self) -> None:
        """The owner may close someone's task; a third person may not."""
        major = declared()
        major.assign_task("A", to="tom", by="matthew", at=utc("13:50"))
        major.assign_task("B", to="tom", by="matthew", at=utc("13:50"))

        with pytest.raises(NotAuthorizedError, match="completing 'tom''s T1"):
            major.complete_task("T1", by="mia", at=utc("13:55"))
        major.complete_task("T2", by="matthew", at=utc("13:56"))

        assert [True, False] == [task.is_open for task in major.tasks]

    def test_an_assignee_without_roles_cannot_complete(self) -> None:
        """An assignee who renounced every role may no longer complete their task."""
        roster = ROSTER.renounce("tom", Role.TECHNICAL_STAFF, at=utc("13:55"))
        major = declared(roster)
        major.assign_task("A", to="tom", by="matthew", at=utc("13:50"))
        before = snapshot(major)

        with pytest.raises(NotAuthorizedError, match=r"^'tom' holds no role at .*completing"):
            major.complete_task("T1", by="tom", at=utc("13:56"))

        assert before == snapshot(major)
        major.complete_task("T1", by="matthew", at=utc("13:57"))
        assert not major.tasks[0].is_open

    @pytest.mark.parametrize(
        ("call", "error", "message"),
        [
            (
                lambda m: m.complete_task("T9", by="tom", at=utc("14:00")),
                TaskError,
                "names no task",
            ),
            (lambda m: m.complete_task("T1", by="tom", at=utc("14:00")), TaskError, "already"),
            (
                lambda m: m.assign_task("", to="tom", by="matthew", at=utc("14:00")),
                TaskError,
                r"^title \(''\) must be a non-empty string",
            ),
            (
                lambda m: m.assign_task("C", to="zed", by="matthew", at=utc("14:00")),
                TaskError,
                r"^to \('zed'\) holds no role",
            ),
            (
                lambda m: m.assign_task("C", to="tom", by="mia", at=utc("14:00")),
                NotAuthorizedError,
                "assigning a task needs one of",
            ),
        ],
    )
    def test_bad_task_calls(self, call: Any, error: type[Exception], message: str) -> None:
        """Unknown or finished tasks, empty titles and outsiders are refused."""
        major = declared()
        major.assign_task("A", to="tom", by="matthew", at=utc("13:50"))
        major.complete_task("T1", by="tom", at=utc("13:55"))
        before = snapshot(major)

        with pytest.raises(error, match=message):
            call(major)
        assert before == snapshot(major)

    def test_tasks_only_inside_stages(self) -> None:
        """A candidate has no team to assign tasks to yet."""
        major, _ = MajorIncident.propose(CLOUDFLARE, by="sam", at=utc("13:45"), roster=ROSTER)

        with pytest.raises(TransitionError, match="tasks are assigned in a stage"):
            major.assign_task("A", to="tom", by="matthew", at=utc("13:50"))


class TestReplay:
    def test_tampered_actor(self) -> None:
        """A timeline whose actor was changed is refused, naming the event's sequence number."""
        major, _ = cloudflare()
        events = list(major.timeline)
        events[4] = attrs.evolve(events[4], actor="sam")

        with pytest.raises(TimelineError, match=r"^event 4: 'sam' holds Service desk"):
            MajorIncident.replay(events, incident=CLOUDFLARE, roster=ROSTER)

    def test_tampered_details(self) -> None:
        """A changed detail makes the stored event differ from what the workflow records."""
        major, _ = cloudflare()
        events = list(major.timeline)
        events[3] = attrs.evolve(events[3], details={"note": "added later"})

        with pytest.raises(TimelineError, match=r"^event 3: the stored event does not match"):
            MajorIncident.replay(events, incident=CLOUDFLARE, roster=ROSTER)

    def test_out_of_order(self) -> None:
        """Events out of sequence, or going back in time, are refused."""
        major, _ = cloudflare()
        events = list(major.timeline)

        with pytest.raises(TimelineError, match=r"^event 1: sequence 2 is out of order"):
            MajorIncident.replay([events[0], events[2]], incident=CLOUDFLARE, roster=ROSTER)
        earlier = attrs.evolve(events[2], at=utc("13:00"))
        with pytest.raises(TimelineError, match=r"^event 2: at \(2019-07-02T13:00:00"):
            MajorIncident.replay(
                [events[0], events[1], earlier], incident=CLOUDFLARE, roster=ROSTER
            )
        with pytest.raises(TimelineError, match=r"^event 0: 'not an event' is not an Event"):
            MajorIncident.replay(["not an event"], incident=CLOUDFLARE, roster=ROSTER)  # type: ignore[list-item]

    def test_invalid_record_after_replay(self) -> None:
        """A replay whose record breaks the order rules is refused."""
        major, _ = cloudflare()
        early = attrs.evolve(CLOUDFLARE, resolved_at=utc("13:45"))

        with pytest.raises(TimelineError, match=r"^the replayed record is invalid: resolved_at"):
            MajorIncident.replay(major.timeline[:2], incident=early, roster=ROSTER)

    def test_empty_timeline(self) -> None:
        """Replaying nothing gives a major incident not yet proposed."""
        major = MajorIncident.replay([], incident=CLOUDFLARE, roster=ROSTER)

        assert "proposed" == major.state
        assert CLOUDFLARE == major.incident
        assert major != "proposed"


TRIAGE, FIX = Stage("triage", "Triage"), Stage("fix", "Fix")
PAGE = Activity("page", "Paging the on-call engineer", TRIAGE)
PATCH = Activity("patch", "Deploying the patch", FIX)
ONCALL, LEAD = Role("oncall", "On-call"), Role("lead", "Incident lead")


class TestCustomProcess:
    def test_two_stages_and_a_custom_declaration(self) -> None:
        """Without the seed's declaring activity, the first activity declares; exits follow."""
        process = Process([TRIAGE, FIX], [PAGE, PATCH], exits={"triage": "contained"})
        raci = RaciMatrix(
            [ONCALL, LEAD], [PAGE, PATCH], {PAGE: {LEAD: "R/A"}, PATCH: {ONCALL: "R", LEAD: "A"}}
        )
        roster = Roster.staffed({"ola": ONCALL, "lee": LEAD}, at=utc("09:00"))

        major, _ = MajorIncident.declare(
            Incident("X", reported_at=utc("10:00")),
            by="lee",
            at=utc("10:00"),
            roster=roster,
            raci=raci,
            process=process,
        )
        assert PAGE == major.declaration
        assert frozenset({PAGE}) == major.completed
        major.advance(by="lee", at=utc("10:10"))
        major.perform(PATCH, by="ola", at=utc("10:20"))
        major.advance(by="lee", at=utc("10:30"))

        record = major.incident
        assert (utc("10:10"), utc("10:30"), utc("10:30")) == (
            record.contained_at,
            record.resolved_at,
            record.closed_at,
        )

    def test_declaration_outside_the_first_stage(self) -> None:
        """A declaring activity of a later stage is not recorded as done by accepting."""
        process = Process([TRIAGE, FIX], [PAGE, PATCH])
        raci = RaciMatrix(
            [ONCALL, LEAD], [PAGE, PATCH], {PAGE: {ONCALL: "R/A"}, PATCH: {LEAD: "R/A"}}
        )
        roster = Roster.staffed({"lee": LEAD}, at=utc("09:00"))

        major, _ = MajorIncident.declare(
            Incident("X", reported_at=utc("10:00")),
            by="lee",
            at=utc("10:00"),
            roster=roster,
            raci=raci,
            process=process,
            declaration=PATCH,
        )

        assert frozenset() == major.completed
        assert LEAD == major.owner

    def test_raci_must_cover_the_process(self) -> None:
        """A RACI matrix that lacks an activity of the process is refused at once."""
        process = Process([TRIAGE], [PAGE])

        with pytest.raises(ConfigurationError, match=r"^activity 'page' is not in the RACI"):
            MajorIncident(Incident("X"), roster=ROSTER, raci=DEFAULT_RACI, process=process)

    def test_process_without_activities(self) -> None:
        """A process with no activity has nothing that declares."""
        with pytest.raises(GateError, match="the process has no activities"):
            MajorIncident(Incident("X"), roster=ROSTER, process=Process([TRIAGE], []))

    def test_not_an_incident(self) -> None:
        """The record must be an Incident."""
        with pytest.raises(RecordError, match=r"^incident \('X'\) is not an Incident"):
            MajorIncident("X", roster=ROSTER)  # type: ignore[arg-type]


class TestNotifications:
    def test_what_replay_needs_is_handed_out(self) -> None:
        """The record as proposed, the roster, matrix, process and plan are kept as given."""
        major = declared()
        assert (major.proposed, major.roster, major.raci, major.process, major.plan) == (
            CLOUDFLARE,
            ROSTER,
            DEFAULT_RACI,
            SEED_PROCESS,
            None,
        )

    def test_same_reason_through_two_roles_counts_once(self) -> None:
        """A person informed through two roles hears once, with the reason once."""
        roster = ROSTER.assign("cara", Role.PROBLEM_MANAGER, at=utc("09:00"))

        _, step = MajorIncident.propose(CLOUDFLARE, by="sam", at=utc("13:45"), roster=roster)

        (cara,) = [n for n in step.notifications if n.person == "cara"]
        assert 1 == cara.reason.count("proposed as a major incident")

    def test_one_per_person_with_every_reason(self) -> None:
        """Someone who is consulted and informed by one step hears once, with both reasons."""
        roster = ROSTER.assign("sam", Role.PROBLEM_MANAGER, at=utc("09:00"))

        major, step = MajorIncident.declare(
            CLOUDFLARE, by="matthew", at=utc("13:46"), roster=roster
        )

        sam = [n for n in step.notifications if n.person == "sam"]
        assert 1 == len(sam)
        assert Responsibility.CONSULTED is sam[0].letter
        assert "proposed as a major incident" in sam[0].reason
        assert "declared a major incident" in sam[0].reason
        assert major.timeline == step.events


ALL_ROLES = Roster.staffed({"ana": SEED_ROLES}, at=utc("09:00"))


def _forgeries(activity: Activity) -> st.SearchStrategy[Activity]:
    """Copies of `activity` with its key kept and its title, its stage or both changed."""
    titles = st.sampled_from(["Forged", activity.title])
    stages = st.sampled_from(
        [*SEED_PROCESS.stages, Stage(activity.stage.key, "Renamed"), Stage("other", "Other")]
    )
    return st.builds(
        lambda title, stage: attrs.evolve(activity, title=title, stage=stage), titles, stages
    ).filter(
        lambda forged: (
            (forged.title, forged.stage.key, forged.stage.title)
            != (activity.title, activity.stage.key, activity.stage.title)
        )
    )


class TestForgedActivities:
    def test_another_stage_cannot_open_the_gate(self) -> None:
        """An activity copied with the current stage is refused, naming both versions."""
        major = declared(ALL_ROLES.assign("matthew", Role.MAJOR_INCIDENT_MANAGER, at=utc("09:00")))
        before = snapshot(major)
        forged = attrs.evolve(Activity.SET_UP_BRIDGE, stage=Stage.IDENTIFICATION)

        with pytest.raises(GateError, match=r"does not match the process's") as caught:
            major.perform(forged, by="ana", at=utc("13:50"))

        assert "Stage(key='identification'" in str(caught.value)
        assert "Stage(key='containment'" in str(caught.value)
        assert before == snapshot(major)

    def test_a_forged_change_sets_nothing(self) -> None:
        """IMPLEMENT_CHANGE copied into identification cannot set the change id."""
        major = declared(ALL_ROLES.assign("matthew", Role.MAJOR_INCIDENT_MANAGER, at=utc("09:00")))
        forged = attrs.evolve(Activity.IMPLEMENT_CHANGE, stage=Stage.IDENTIFICATION)

        with pytest.raises(GateError):
            major.perform(forged, by="ana", at=utc("13:50"), change_id="CHG-1")

        assert major.incident.change_id is None

    def test_an_equal_copy_is_the_process_own(self) -> None:
        """A copy with every field the same is accepted, and the event holds the process's own."""
        major = declared()

        step = major.perform(attrs.evolve(Activity.INFORM_STAKEHOLDERS), by="mia", at=utc("13:48"))

        assert step.events[0].activity is Activity.INFORM_STAKEHOLDERS

    def test_a_forged_declaration_is_refused(self) -> None:
        """A declaring activity whose stage was changed is refused before anything is built."""
        forged = attrs.evolve(Activity.DECLARE, stage=Stage.CONTAINMENT)

        with pytest.raises(GateError, match=r"does not match the process's"):
            MajorIncident.declare(
                CLOUDFLARE, by="matthew", at=utc("13:46"), roster=ROSTER, declaration=forged
            )

    def test_replay_refuses_a_forged_timeline(self) -> None:
        """A stored activity event whose stage was changed is refused on replay."""
        major, _ = cloudflare()
        events = list(major.timeline)
        events[2] = attrs.evolve(events[2], activity=attrs.evolve(events[2].activity, title="X"))

        with pytest.raises(TimelineError, match=r"^event 2: activity .* does not match"):
            MajorIncident.replay(events, incident=CLOUDFLARE, roster=ROSTER)

    def test_replay_refuses_a_forged_declaration_event(self) -> None:
        """The acceptance's stored activity must be the declaration in every field."""
        major, _ = cloudflare()
        events = list(major.timeline)
        forged = attrs.evolve(Activity.DECLARE, stage=Stage.MAINTENANCE)
        events[1] = attrs.evolve(events[1], activity=forged)

        with pytest.raises(TimelineError, match=r"^event 1: the stored event does not match"):
            MajorIncident.replay(events, incident=CLOUDFLARE, roster=ROSTER)

    @settings(max_examples=200)
    @given(data=st.data())
    def test_no_forged_activity_is_ever_accepted(self, data: st.DataObject) -> None:
        """Whatever the stage and the call sequence, a forged activity is refused."""
        roster = ALL_ROLES.assign("matthew", Role.MAJOR_INCIDENT_MANAGER, at=utc("09:00"))
        major = declared(roster)
        moment = utc("13:47")
        for _ in range(data.draw(st.integers(0, 12), label="steps")):
            moment += timedelta(minutes=1)
            pending = major.pending
            if major.stage is None:
                break
            if pending:
                needed = pending[0]
                details = {
                    "problem_id": "PRB-1",
                    "change_id": "CHG-1",
                }
                major.perform(needed, by="ana", at=moment, **details)
            else:
                major.advance(by="matthew", at=moment)
        activity = data.draw(st.sampled_from(SEED_ACTIVITIES), label="activity")
        forged = data.draw(_forgeries(activity), label="forged")
        before = snapshot(major)

        with pytest.raises((GateError, TransitionError)):
            major.perform(
                forged, by="ana", at=moment + timedelta(minutes=1), problem_id="P", change_id="C"
            )

        assert before == snapshot(major)


class TestTamperEvidence:
    def test_every_event_is_chained_to_the_one_before(self) -> None:
        """Each digest is event_digest of the previous one, the incident id and the event."""
        major, _ = cloudflare()
        previous = GENESIS

        for event in major.timeline:
            assert event_digest(previous, CLOUDFLARE.id, event) == event.digest
            previous = event.digest
        assert previous == major.head

    def test_replay_with_the_head_accepts_the_timeline(self) -> None:
        """The stored timeline and its head replay to the same major incident."""
        major, _ = cloudflare()

        replayed = MajorIncident.replay(
            major.timeline, incident=CLOUDFLARE, roster=ROSTER, head=major.head
        )

        assert major == replayed
        assert major.head == replayed.head

    @pytest.mark.parametrize(
        ("tamper", "message"),
        [
            (
                lambda events: [
                    *events[:5],
                    attrs.evolve(events[5], at=events[5].at.add(seconds=30)),
                    *events[6:],
                ],
                r"^event 5: digest",
            ),
            (lambda events: events[:-1], r"^head \([0-9a-f]{64}\) is not the digest"),
            (
                lambda events: [
                    *events[:7],
                    attrs.evolve(events[7], details={"problem_id": "PRB-OTHER"}),
                    *events[8:],
                ],
                r"^event 7: digest",
            ),
        ],
        ids=["moved-timestamp", "dropped-last-event", "changed-problem-id"],
    )
    def test_consistent_edits_are_refused_with_the_head(self, tamper: Any, message: str) -> None:
        """Edits the rules cannot see are refused by the chain, naming the first bad event."""
        major, _ = cloudflare()
        events = tamper(list(major.timeline))
        MajorIncident.replay(events, incident=CLOUDFLARE, roster=ROSTER)  # the rules accept it

        with pytest.raises(TimelineError, match=message):
            MajorIncident.replay(events, incident=CLOUDFLARE, roster=ROSTER, head=major.head)

    def test_another_incident_is_refused(self) -> None:
        """A timeline replayed onto another incident fails at its first event."""
        major, _ = cloudflare()
        other = attrs.evolve(CLOUDFLARE, id="INC-OTHER")

        with pytest.raises(TimelineError, match=r"^event 0: digest"):
            MajorIncident.replay(major.timeline, incident=other, roster=ROSTER, head=major.head)

    def test_recomputed_digests_do_not_match_the_head(self) -> None:
        """Whoever rewrites the chain after an edit cannot match the head stored elsewhere."""
        major, _ = cloudflare()
        events = list(major.timeline)
        events[5] = attrs.evolve(events[5], at=events[5].at.add(seconds=30))
        previous, rechained = GENESIS, []
        for event in events:
            rechained.append(event.chained(previous, CLOUDFLARE.id))
            previous = rechained[-1].digest

        with pytest.raises(TimelineError, match=r"^head .* events were dropped, added or changed"):
            MajorIncident.replay(rechained, incident=CLOUDFLARE, roster=ROSTER, head=major.head)

    def test_unchained_timelines_are_chained_on_replay(self) -> None:
        """A timeline stored before chaining replays with the digests the workflow gives."""
        major, _ = cloudflare()
        stripped = [attrs.evolve(event, digest=None) for event in major.timeline]

        replayed = MajorIncident.replay(stripped, incident=CLOUDFLARE, roster=ROSTER)

        assert major.timeline == replayed.timeline
        assert major.head == replayed.head

    def test_half_chained_timelines_are_refused(self) -> None:
        """Digests stripped from some events only are refused, naming the first such event."""
        major, _ = cloudflare()
        events = list(major.timeline)
        events[3] = attrs.evolve(events[3], digest=None)

        with pytest.raises(TimelineError, match=r"^event 3: has no digest, unlike event 0"):
            MajorIncident.replay(events, incident=CLOUDFLARE, roster=ROSTER)
        first = [attrs.evolve(events[0], digest=None), *events[1:3]]
        with pytest.raises(TimelineError, match=r"^event 1: has a digest, unlike event 0"):
            MajorIncident.replay(first, incident=CLOUDFLARE, roster=ROSTER)

    @pytest.mark.parametrize("head", ["abc", 5, "g" * 64])
    def test_bad_heads(self, head: Any) -> None:
        """A head that is not a digest is refused, naming it."""
        major, _ = cloudflare()

        with pytest.raises(TimelineError, match=r"^head \(.*\) (must be a digest|is not the)"):
            MajorIncident.replay(major.timeline, incident=CLOUDFLARE, roster=ROSTER, head=head)

    def test_a_digest_is_64_hex_digits(self) -> None:
        """An event's digest, when given, must look like one."""
        with pytest.raises(RecordError, match=r"^digest \('XYZ'\) must be 64 lowercase"):
            Event(0, utc("13:45"), "sam", "proposed", digest="XYZ")

    @settings(max_examples=30, deadline=None)
    @given(major=major_incidents(), data=st.data())
    def test_any_dropped_or_shifted_event_is_refused(
        self, major: MajorIncident, data: st.DataObject
    ) -> None:
        """Dropping a suffix of events, or moving one by a microsecond, is refused with the head."""
        events = list(major.timeline)
        kept = data.draw(st.integers(0, len(events) - 1), label="kept")
        number = data.draw(st.integers(0, len(events) - 1), label="shifted")
        shifted = list(events)
        shifted[number] = attrs.evolve(events[number], at=events[number].at.add(microseconds=1))
        replay = functools.partial(
            MajorIncident.replay,
            incident=major.proposed,
            roster=major.roster,
            raci=major.raci,
            process=major.process,
            declaration=major.declaration,
            head=major.head,
        )

        with pytest.raises(TimelineError):
            replay(events[:kept])
        with pytest.raises(TimelineError):
            replay(shifted)


class TestConcurrentWriters:
    def test_version_counts_the_events(self) -> None:
        """The version is the number of events, before and after a call."""
        major = declared()
        assert 2 == major.version

        major.link("INC-9", by="sam", at=utc("13:50"), expected_version=2)

        assert 3 == major.version

    def test_a_stale_version_changes_nothing(self) -> None:
        """A call made on a stale version is refused, naming both versions."""
        major = declared()
        major.link("INC-9", by="sam", at=utc("13:50"))
        before = snapshot(major)

        with pytest.raises(ConcurrencyError, match=r"^expected_version \(2\) is not .*\(3\)"):
            major.perform(
                Activity.INFORM_STAKEHOLDERS, by="mia", at=utc("13:51"), expected_version=2
            )

        assert before == snapshot(major)

    @pytest.mark.parametrize("version", [-1, True, "3", 2.0])
    def test_bad_versions(self, version: Any) -> None:
        """A version that is not a whole number of events is refused, naming it."""
        major = declared()

        with pytest.raises(TaskError, match=r"^expected_version \(.*\) must be a whole number"):
            major.advance(by="matthew", at=utc("13:50"), expected_version=version)

    @pytest.mark.parametrize(
        "call",
        [
            lambda m, v: m.accept(by="matthew", at=utc("14:00"), expected_version=v),
            lambda m, v: m.reject(by="matthew", at=utc("14:00"), reason="r", expected_version=v),
            lambda m, v: m.perform(
                Activity.DECLARE, by="matthew", at=utc("14:00"), expected_version=v
            ),
            lambda m, v: m.advance(by="matthew", at=utc("14:00"), expected_version=v),
            lambda m, v: m.demote(by="matthew", at=utc("14:00"), reason="r", expected_version=v),
            lambda m, v: m.reopen(by="matthew", at=utc("14:00"), reason="r", expected_version=v),
            lambda m, v: m.link("INC-2", by="sam", at=utc("14:00"), expected_version=v),
            lambda m, v: m.assign_task(
                "T", to="tom", by="matthew", at=utc("14:00"), expected_version=v
            ),
            lambda m, v: m.complete_task("T1", by="tom", at=utc("14:00"), expected_version=v),
        ],
    )
    def test_every_call_takes_a_version(self, call: Any) -> None:
        """Every mutating call checks expected_version before anything else."""
        major = declared()

        with pytest.raises(ConcurrencyError):
            call(major, 7)

    def test_threads_sharing_one_object_lose_nothing(self) -> None:
        """Eight threads making five links each on one object: all forty are kept."""
        for _ in range(10):
            major = declared()

            def work(worker: int, major: MajorIncident = major) -> None:
                for n in range(5):
                    major.link(f"INC-{worker}-{n}", by="sam", at=utc("13:50"))

            assert [None] * 8 == in_threads(8, work)

            assert 42 == major.version
            assert 40 == len(major.children)

    def test_the_optimistic_pattern(self) -> None:
        """Writers that read the version, decide and retry on conflict all get their turn."""
        major = declared()

        def work(worker: int) -> None:
            for n in range(5):
                while True:
                    version = major.version
                    try:
                        major.link(
                            f"INC-{worker}-{n}", by="sam", at=utc("13:50"), expected_version=version
                        )
                        break
                    except ConcurrencyError:
                        continue

        assert [None] * 8 == in_threads(8, work)

        assert 42 == major.version
        assert list(range(42)) == [event.sequence for event in major.timeline]


def _first_reason(step: Step) -> str:
    return min({notification.reason for notification in step.notifications})


class TestWordForWord:
    """What people read: notification reasons and refusals, for every kind of event."""

    def test_reasons_through_the_four_stages(self) -> None:
        """Each step's notification names the event, its actor and moment, and a stage left."""
        done = "consulted on '{}': done by {} at 2019-07-02T{}:00+00:00"
        left = "consulted on 'Declaring the major incident': {} stage left by matthew at "
        declare = "consulted on 'Declaring the major incident': "

        assert [
            declare + "proposed as a major incident by sam at 2019-07-02T13:45:00+00:00",
            declare + "declared a major incident by matthew at 2019-07-02T13:46:00+00:00",
            done.format("Informing stakeholders", "mia", "13:48"),
            left.format("Identification") + "2019-07-02T13:49:00+00:00",
            done.format("Assembling the MIT", "matthew", "13:50"),
            done.format("Setting up a conference bridge", "mia", "13:51"),
            done.format("Preparing a designated war room", "mia", "13:52"),
            done.format("Creating a problem ticket to identify underlying issues", "mia", "14:00"),
            left.format("Containment") + "2019-07-02T14:07:00+00:00",
            done.format("Implementing the resolution plan as a change", "tom", "14:52"),
            left.format("Resolution") + "2019-07-02T14:52:00+00:00",
            done.format("Performing post-implementation review", "tom", "16:00"),
            done.format("Producing clear documentation", "mia", "16:30"),
            done.format("Measuring metrics", "mia", "16:45"),
            left.format("Maintenance") + "2019-07-02T17:00:00+00:00",
        ] == [_first_reason(step) for step in cloudflare()[1]]

    def test_reasons_off_the_main_path(self) -> None:
        """Rejecting, demoting, reopening and linking are told in their own words."""
        declare = "consulted on 'Declaring the major incident': "
        rejected, _ = MajorIncident.propose(CLOUDFLARE, by="sam", at=utc("13:45"), roster=ROSTER)
        demoted, _ = MajorIncident.propose(CLOUDFLARE, by="sam", at=utc("13:45"), roster=ROSTER)
        demoted.accept(by="matthew", at=utc("13:46"))
        closed, _ = cloudflare()

        assert [
            declare + "rejected as a major incident by matthew at 2019-07-02T13:46:00+00:00",
            declare + "related incident linked by eve at 2019-07-02T13:47:00+00:00",
            declare + "no longer a major incident by matthew at 2019-07-02T13:47:00+00:00",
            declare + "reopened by matthew at 2019-07-02T17:30:00+00:00",
        ] == [
            _first_reason(rejected.reject(by="matthew", at=utc("13:46"), reason="a blip")),
            _first_reason(demoted.link("INC-2", by="eve", at=utc("13:47"))),
            _first_reason(demoted.demote(by="matthew", at=utc("13:47"), reason="one team")),
            _first_reason(closed.reopen(by="matthew", at=utc("17:30"), reason="back")),
        ]

    def test_refusals_name_what_was_asked(self) -> None:
        """A refusal names the person, their roles then, what they asked and who may."""
        everyone = (
            "Change manager, External consultants, MIT, Major incident manager, Problem "
            "manager, Service desk technicians, Technical staff"
        )
        major, _ = cloudflare()
        sam = re.escape("'sam' holds Service desk technicians at 2019-07-02T17:40:00+00:00; ")

        with pytest.raises(
            NotAuthorizedError,
            match=r"^'zed' holds no role at 2019-07-02T13:45:00\+00:00; proposing a major "
            rf"incident needs one of: {everyone}$",
        ):
            MajorIncident.propose(CLOUDFLARE, by="zed", at=utc("13:45"), roster=ROSTER)
        with pytest.raises(
            NotAuthorizedError,
            match=rf"^'zed' holds no role at .*; linking a related incident needs one of: "
            rf"{everyone}$",
        ):
            major.link("INC-3", by="zed", at=utc("17:40"))
        with pytest.raises(
            NotAuthorizedError,
            match=rf"^{sam}reopening the major incident needs one of: Major incident manager$",
        ):
            major.reopen(by="sam", at=utc("17:40"), reason="back")
        open_, _ = MajorIncident.propose(CLOUDFLARE, by="sam", at=utc("13:45"), roster=ROSTER)
        open_.accept(by="matthew", at=utc("13:46"))
        with pytest.raises(
            NotAuthorizedError,
            match=r"^'sam' holds Service desk technicians at 2019-07-02T13:47:00\+00:00; demoting "
            "the major incident needs one of: Major incident manager$",
        ):
            open_.demote(by="sam", at=utc("13:47"), reason="one team")

    def test_gates_and_two_roles_word_for_word(self) -> None:
        """Missing activities are listed in order; a person's several roles all named."""
        major, _ = MajorIncident.propose(CLOUDFLARE, by="sam", at=utc("13:45"), roster=ROSTER)
        major.accept(by="matthew", at=utc("13:46"))
        with pytest.raises(
            GateError,
            match=r"^cannot leave stage 'Identification': missing Informing stakeholders$",
        ):
            major.advance(by="matthew", at=utc("13:47"))
        major.perform(Activity.INFORM_STAKEHOLDERS, by="mia", at=utc("13:48"))
        major.advance(by="matthew", at=utc("13:49"))
        with pytest.raises(
            GateError,
            match=r"^cannot leave stage 'Containment': missing Assembling the MIT; Setting up a "
            r"conference bridge; Preparing a designated war room; Creating a problem ticket to "
            r"identify underlying issues$",
        ):
            major.advance(by="matthew", at=utc("13:50"))
        both = Roster.staffed(PEOPLE, at=utc("09:00")).assign(
            "sam", Role.TECHNICAL_STAFF, at=utc("09:00")
        )
        candidate, _ = MajorIncident.propose(CLOUDFLARE, by="sam", at=utc("13:45"), roster=both)
        with pytest.raises(
            NotAuthorizedError,
            match=r"^'sam' holds Service desk technicians, Technical staff at "
            r"2019-07-02T13:46:00\+00:00; 'Declaring the major incident' needs one of: MIT, "
            r"Major incident manager$",
        ):
            candidate.accept(by="sam", at=utc("13:46"))

    def test_refusals_off_the_main_path(self) -> None:
        """Acting out of turn, late, twice, or after the end is refused in words."""
        major, _ = MajorIncident.propose(CLOUDFLARE, by="sam", at=utc("13:45"), roster=ROSTER)
        with pytest.raises(
            GateError,
            match=r"^activity 'Informing stakeholders' belongs to stage 'Identification'; the "
            r"major incident is in state 'proposed'$",
        ):
            major.perform(Activity.INFORM_STAKEHOLDERS, by="mia", at=utc("13:46"))
        with pytest.raises(
            NotAuthorizedError,
            match=r"^'sam' holds Service desk technicians at 2019-07-02T13:46:00\+00:00; "
            r"rejecting \('Declaring the major incident'\) needs one of: MIT, Major incident "
            r"manager$",
        ):
            major.reject(by="sam", at=utc("13:46"), reason="a blip")
        major.link("INC-9", by="sam", at=utc("13:46"))
        major.accept(by="matthew", at=utc("13:47"))
        with pytest.raises(TimelineError, match=r"^due \('soon'\) is not an ISO-8601"):
            major.assign_task("Call the CDN", to="tom", by="matthew", at=utc("13:48"), due="soon")
        major.assign_task("Call the CDN", to="tom", by="matthew", at=utc("13:48"))
        with pytest.raises(
            TaskError,
            match=r"^task T1 'Call the CDN' is already assigned to 'tom'; pass also=True if a "
            r"second person should work on it too$",
        ):
            major.assign_task("Call the CDN", to="mia", by="matthew", at=utc("13:49"))
        with pytest.raises(TaskError, match=r"^task_id \(\['x'\]\) names no task$"):
            major.complete_task(["x"], by="tom", at=utc("13:50"))  # type: ignore[arg-type]
        with pytest.raises(
            TimelineError,
            match=r"^at \(2019-07-02T13:40:00\+00:00\) is before the last event's at "
            r"\(2019-07-02T13:48:00\+00:00, sequence 3\); timelines only go forward$",
        ):
            major.link("INC-8", by="sam", at=utc("13:40"))
        major.demote(by="matthew", at=utc("13:51"), reason="one team")
        assert (False, "canceled") == (major.incident.major, major.state)
        rejected, _ = MajorIncident.propose(CLOUDFLARE, by="sam", at=utc("13:45"), roster=ROSTER)
        rejected.reject(by="matthew", at=utc("13:46"), reason="a blip")
        for ended in (major, rejected):
            with pytest.raises(
                TransitionError,
                match=rf"^cannot link to a major incident in state '{ended.state}'$",
            ):
                ended.link("INC-7", by="sam", at=utc("13:52"))

    def test_reopening_twice(self) -> None:
        """Each reopening is counted, and the event names the stage it goes back to."""
        major, _ = cloudflare()
        major.reopen(by="matthew", at=utc("17:10"), reason="errors again")
        major.perform(Activity.IMPLEMENT_CHANGE, by="tom", at=utc("17:15"), change_id="CHG-2")
        major.advance(by="matthew", at=utc("17:20"))
        major.perform(Activity.REVIEW, by="tom", at=utc("17:30"))
        major.perform(Activity.DOCUMENT, by="mia", at=utc("17:31"))
        major.perform(Activity.MEASURE, by="mia", at=utc("17:32"))
        major.advance(by="matthew", at=utc("17:33"))
        major.reopen(by="matthew", at=utc("17:40"), reason="and again")

        assert 2 == major.incident.reopen_count
        assert "Resolution" == getattr(major.timeline[-1].stage, "title", None)

    @pytest.mark.parametrize(
        ("index", "change", "message"),
        [
            (
                2,
                lambda e: attrs.evolve(e, activity=attrs.evolve(e.activity, title="Told all")),
                r"^event 2: activity \(.*'Told all'.*\) does not match the process's",
            ),
            (
                3,
                lambda e: attrs.evolve(e, stage=Stage("identification", "Triage")),
                r"^event 3: the stored event does not match what the workflow records",
            ),
            (
                3,
                lambda e: attrs.evolve(e, stage=None),
                r"^event 3: the stored event does not match what the workflow records",
            ),
            (
                1,
                lambda e: attrs.evolve(e, activity=None),
                r"^event 1: the stored event does not match what the workflow records",
            ),
        ],
    )
    def test_replay_names_an_edited_event(self, index: int, change: Any, message: str) -> None:
        """An event edited in its activity or stage, even to an equal key, is refused."""
        timeline = list(cloudflare()[0].timeline)
        timeline[index] = change(timeline[index])

        with pytest.raises(TimelineError, match=message):
            MajorIncident.replay(timeline, incident=CLOUDFLARE, roster=ROSTER)

    def test_an_earlier_acknowledgement_is_kept(self) -> None:
        """Accepting does not move an acknowledgement the record already holds."""
        acknowledged = Incident("ACK", reported_at=utc("13:40"), acknowledged_at=utc("13:41"))
        major, _ = MajorIncident.propose(acknowledged, by="sam", at=utc("13:45"), roster=ROSTER)
        major.accept(by="matthew", at=utc("13:46"))

        assert utc("13:41") == major.incident.acknowledged_at
