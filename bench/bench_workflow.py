"""Benchmark MajorIncident.replay against baselines measured in the same run.

Targets:
- replaying a 15-event timeline at least 20x faster than making the same 15 calls through
  python-statemachine instances (a major incident lifecycle instance built, then the same
  transitions fired and activities recorded on it). The figure for an instance restored per
  call, as a stateless ITSM request handler would, and for a replay that checks the digest chain
  against the stored head, are printed beside it;
- the cost of replaying one event stays flat as timelines grow: per event, a timeline of 3,000
  performs, tasks (assigned and completed in turn) or links replays at most 1.5x as slowly as
  one of 15. The cost of one live call at 3,000 events against one at 15 is printed beside it.
"""

from __future__ import annotations

import time
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


def grown(kind: str, size: int) -> MajorIncident:
    """A declared major incident whose timeline grows to `size` events of one kind of call."""
    major, _ = MajorIncident.declare(INCIDENT, by="matthew", at=START, roster=ROSTER)
    at = START
    number = 0
    while major.version < size:
        at += timedelta(seconds=1)
        _grow(major, kind, number, at)
        number += 1
    return major


def _grow(major: MajorIncident, kind: str, number: int, at: datetime) -> None:
    if kind == "performs":
        major.perform(Activity.INFORM_STAKEHOLDERS, by="mia", at=at)
    elif kind == "links":
        major.link(f"INC-{number}", by="sam", at=at)
    elif number % 2 == 0:
        major.assign_task(f"Task {number}", to="tom", by="matthew", at=at)
    else:
        major.complete_task(f"T{number // 2 + 1}", by="tom", at=at)


def per_event(kind: str, size: int) -> tuple[float, float]:
    """Seconds to replay one event, and to make one more live call, at `size` events."""
    major = grown(kind, size)
    events = major.timeline
    # Nine repeats: a single replay of 3,000 events is short enough for one pause to show.
    replay = per_call(
        lambda: MajorIncident.replay(events, incident=INCIDENT, roster=ROSTER),
        number=max(1, 3000 // size),
        repeat=9,
    ) / len(events)
    copies = [grown(kind, size) for _ in range(5)]
    at = events[-1].at.add(seconds=1)
    best = float("inf")
    for copy in copies:  # one live call each: the call after the `size - 2` that grew it
        started = time.perf_counter()
        _grow(copy, kind, size - 2, at)
        best = min(best, time.perf_counter() - started)
    return replay, best


def flat_cost(report: Report) -> None:
    """Per-event replay cost at 3,000 events against 15, for each kind of call."""
    for kind in ("performs", "tasks", "links"):
        small, small_live = per_event(kind, 15)
        large, large_live = per_event(kind, 3000)
        report.info(f"replay per event, 15 {kind}", small * 1e6, "us")
        report.info(f"replay per event, 3,000 {kind}", large * 1e6, "us")
        report.ratio(f"replay per event, 3,000 / 15 {kind}", large, small, at_most=1.5)
        report.info(f"one live call at 3,000 / at 15 {kind}", large_live / small_live, "x")


def main() -> None:
    """Measure and report."""
    report = Report("workflow")
    events = timeline().timeline
    if len(events) != 15 or events[0].kind is not EventKind.PROPOSED:
        raise SystemExit("the timeline is not the 15-event one")
    replay = per_call(
        lambda: MajorIncident.replay(events, incident=INCIDENT, roster=ROSTER), number=200
    )
    head = events[-1].digest
    checked = per_call(
        lambda: MajorIncident.replay(events, incident=INCIDENT, roster=ROSTER, head=head),
        number=200,
    )
    machines = per_call(through_machines, number=50)
    restored = per_call(instance_per_call, number=20)
    report.info("python-statemachine: 15 calls on one instance", machines * 1e6, "us")
    report.info("python-statemachine: 15 calls, an instance per call", restored * 1e6, "us")
    report.info("MajorIncident.replay: 15 events", replay * 1e6, "us")
    report.info("an instance per call / replay (speed-up)", restored / replay, "x")
    report.at_least("one instance / replay (speed-up)", machines / replay, minimum=20)
    report.info("MajorIncident.replay checking the head: 15 events", checked * 1e6, "us")
    report.info("one instance / replay checking the head (speed-up)", machines / checked, "x")
    flat_cost(report)
    report.finish()


if __name__ == "__main__":
    main()
