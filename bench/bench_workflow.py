"""Benchmark MajorIncident.replay against a baseline measured in the same run.

Target (issue: incident record and workflow): replaying a 15-event timeline at least 20x faster
than making the same 15 calls through python-statemachine instances (a major incident lifecycle
instance built, then the same transitions fired and activities recorded on it). The figure for
an instance restored per call, as a stateless ITSM request handler would, is printed beside it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from majorincident.incident import EventKind, Incident
from majorincident.lifecycle import MajorIncidentLifecycle
from majorincident.process import Activity
from majorincident.roles import Role, Roster
from majorincident.workflow import MajorIncident

from _harness import Report, per_call

START = datetime(2019, 7, 2, 13, 45, tzinfo=UTC)
PEOPLE = {
    "sam": Role.SERVICE_DESK_TECHNICIAN,
    "matthew": Role.MAJOR_INCIDENT_MANAGER,
    "mia": Role.MAJOR_INCIDENT_TEAM,
    "tom": Role.TECHNICAL_STAFF,
}
ROSTER = Roster.staffed(PEOPLE, at=START - timedelta(hours=4))
INCIDENT = Incident("CF-2019-07-02", reported_at=START)
CALLS: list[tuple[str, object, str, dict[str, str]]] = [
    ("accept", None, "matthew", {}),
    ("perform", Activity.INFORM_STAKEHOLDERS, "mia", {}),
    ("advance", None, "matthew", {}),
    ("perform", Activity.ASSEMBLE_TEAM, "matthew", {}),
    ("perform", Activity.SET_UP_BRIDGE, "mia", {}),
    ("perform", Activity.PREPARE_WAR_ROOM, "mia", {}),
    ("perform", Activity.CREATE_PROBLEM, "mia", {"problem_id": "PRB1"}),
    ("advance", None, "matthew", {}),
    ("perform", Activity.IMPLEMENT_CHANGE, "tom", {"change_id": "CHG1"}),
    ("advance", None, "matthew", {}),
    ("perform", Activity.REVIEW, "tom", {}),
    ("perform", Activity.DOCUMENT, "mia", {}),
    ("perform", Activity.MEASURE, "mia", {}),
    ("advance", None, "matthew", {}),
]


def timeline() -> MajorIncident:
    """The 15-event Cloudflare timeline, made through the workflow."""
    major, _ = MajorIncident.propose(INCIDENT, by="sam", at=START, roster=ROSTER)
    for minute, (name, activity, person, details) in enumerate(CALLS, start=1):
        at = START + timedelta(minutes=minute)
        if name == "perform":
            major.perform(activity, by=person, at=at, **details)  # type: ignore[arg-type]
        else:
            getattr(major, name)(by=person, at=at)
    return major


def through_machines() -> None:
    """The baseline: the same 15 calls through a python-statemachine instance."""
    machine = MajorIncidentLifecycle()
    for name, activity, _, _ in CALLS:
        if name == "perform":
            machine.record(activity)  # type: ignore[arg-type]
        else:
            machine.send(name)
        if name == "accept":  # the workflow records the declaration when accepting
            machine.record(Activity.DECLARE)


def instance_per_call() -> None:
    """The same 15 calls as an ITSM tool makes them: one restored instance per request."""
    state, done = "proposed", frozenset()
    for name, activity, _, _ in CALLS:
        machine = MajorIncidentLifecycle.restore(state, completed=done)
        if name == "perform":
            machine.record(activity)  # type: ignore[arg-type]
        else:
            machine.send(name)
            if name == "accept":
                machine.record(Activity.DECLARE)
        state, done = machine.current_state_value, machine.completed


def main() -> None:
    """Measure and report."""
    report = Report("workflow")
    events = timeline().timeline
    if len(events) != 15 or events[0].kind is not EventKind.PROPOSED:
        raise SystemExit("the timeline is not the 15-event one")
    replay = per_call(
        lambda: MajorIncident.replay(events, incident=INCIDENT, roster=ROSTER), number=200
    )
    machines = per_call(through_machines, number=50)
    restored = per_call(instance_per_call, number=20)
    report.info("python-statemachine: 15 calls on one instance", machines * 1e6, "us")
    report.info("python-statemachine: 15 calls, an instance per call", restored * 1e6, "us")
    report.info("MajorIncident.replay: 15 events", replay * 1e6, "us")
    report.info("an instance per call / replay (speed-up)", restored / replay, "x")
    report.at_least("one instance / replay (speed-up)", machines / replay, minimum=20)
    report.finish()


if __name__ == "__main__":
    main()
