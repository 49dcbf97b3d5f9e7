"""A stateful test: several major incidents driven at once through random calls."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from majorincident.errors import MajorIncidentError
from majorincident.incident import EventKind, Incident
from majorincident.lifecycle import MajorIncidentLifecycle, TransitionTable
from majorincident.process import SEED_ACTIVITIES
from majorincident.roles import Role, Roster
from majorincident.workflow import MajorIncident

START = datetime(2024, 5, 1, 9, tzinfo=UTC)
PEOPLE = {
    "sam": Role.SERVICE_DESK_TECHNICIAN,
    "maya": Role.MAJOR_INCIDENT_MANAGER,
    "mia": Role.MAJOR_INCIDENT_TEAM,
    "tom": Role.TECHNICAL_STAFF,
    "cara": Role.CHANGE_MANAGER,
}
ROSTER = Roster.staffed(PEOPLE, at=START)
TABLE = TransitionTable.of(MajorIncidentLifecycle)
CALLS = ("accept", "reject", "perform", "advance", "demote", "reopen", "link")


def _call(major: MajorIncident, name: str, person: str, at: datetime, data: st.DataObject) -> Any:
    if name == "perform":
        activity = data.draw(st.sampled_from(SEED_ACTIVITIES), label="activity")
        return major.perform(activity, by=person, at=at, problem_id="PRB1", change_id="CHG1")
    if name in ("reject", "demote", "reopen"):
        return getattr(major, name)(by=person, at=at, reason="drill")
    if name == "link":
        return major.link(f"CHILD-{data.draw(st.integers(0, 3))}", by=person, at=at)
    return getattr(major, name)(by=person, at=at)


class WorkflowMachine(RuleBasedStateMachine):
    """Three major incidents, random calls by random people at moving instants."""

    def __init__(self) -> None:
        """Propose three major incidents at the start."""
        super().__init__()
        self.clock = START
        self.incidents = [Incident(f"INC-{n}", reported_at=START) for n in range(3)]
        self.majors = [
            MajorIncident.propose(incident, by="sam", at=START, roster=ROSTER)[0]
            for incident in self.incidents
        ]

    @rule(data=st.data())
    def call(self, data: st.DataObject) -> None:
        """Make a random call; a refusal must leave everything as it was."""
        index = data.draw(st.integers(0, 2), label="incident")
        major = self.majors[index]
        step_back = data.draw(st.booleans(), label="earlier than the last event")
        minutes = data.draw(st.integers(0, 90), label="minutes")
        last = major.timeline[-1].at
        at = last - timedelta(minutes=1) if step_back else self.clock + timedelta(minutes=minutes)
        name = data.draw(st.sampled_from(CALLS), label="call")
        person = data.draw(st.sampled_from(sorted(PEOPLE)), label="person")
        before = (major.state, major.completed, major.incident, major.timeline)
        final = major.state in TABLE.finals
        try:
            step = _call(major, name, person, at, data)
        except MajorIncidentError:
            assert before == (major.state, major.completed, major.incident, major.timeline)
            return
        assert not final, f"{major.state} accepted {name}"
        assert not step_back, "a call earlier than the last event was accepted"
        assert major.timeline[-len(step.events) :] == step.events
        self.clock = max(self.clock, at)

    @invariant()
    def timelines_only_go_forward(self) -> None:
        """Timestamps never go back, sequence numbers count up, states follow the graph."""
        for major in self.majors:
            events = major.timeline
            assert [event.sequence for event in events] == list(range(len(events)))
            assert all(a.at <= b.at for a, b in itertools.pairwise(events))
            steps = [
                {EventKind.ACCEPTED: "accept", EventKind.REJECTED: "reject"}.get(e.kind)
                or {EventKind.ADVANCED: "advance", EventKind.DEMOTED: "demote"}.get(e.kind)
                or {EventKind.REOPENED: "reopen"}.get(e.kind)
                for e in events
            ]
            assert major.state == TABLE.replay("proposed", [s for s in steps if s])

    def teardown(self) -> None:
        """Each timeline replays to an equal object."""
        for incident, major in zip(self.incidents, self.majors, strict=True):
            assert major == MajorIncident.replay(major.timeline, incident=incident, roster=ROSTER)


TestWorkflow = WorkflowMachine.TestCase
TestWorkflow.settings = settings(max_examples=40, stateful_step_count=40, deadline=None)
