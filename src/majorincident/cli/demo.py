"""The demo: the guide's Cloudflare outage of 2 July 2019, walked through the four stages."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from majorincident.classification import Assessment, MajorIncidentPolicy
from majorincident.communication import DEFAULT_PLAN, Audience
from majorincident.errors import GateError
from majorincident.incident import Incident
from majorincident.kpi import MTTA, MTTD, MTTR, TIME_TO_CONTAIN, summarize
from majorincident.process import Activity
from majorincident.roles import Role, Roster
from majorincident.workflow import MajorIncident, Step

__all__ = ["demo"]

PEOPLE = {
    "Sam (service desk)": Role.SERVICE_DESK_TECHNICIAN,
    "Maya (major incident manager)": Role.MAJOR_INCIDENT_MANAGER,
    "Mia (incident team)": Role.MAJOR_INCIDENT_TEAM,
    "Tom (SRE)": Role.TECHNICAL_STAFF,
    "Cara (change manager)": Role.CHANGE_MANAGER,
    "Paul (problem manager)": Role.PROBLEM_MANAGER,
    "Eve (WAF vendor)": Role.EXTERNAL_CONSULTANT,
}
SAM, MAYA, MIA, TOM = list(PEOPLE)[:4]
DAY = "2019-07-02T"


def demo(write: Callable[[str], object]) -> None:
    """Walk the outage through the process, writing each line with `write`."""
    roster = Roster.staffed(PEOPLE, at=f"{DAY}09:00Z")
    outage = Incident(
        "CF-2019-07-02",
        title="502 errors on every Cloudflare domain",
        service="cdn",
        affected_services={"cdn", "waf"},
        channel="monitoring",
        impact="high",
        urgency="high",
        priority="P1",
        started_at=f"{DAY}13:42Z",
        detected_at=f"{DAY}13:45Z",
        reported_at=f"{DAY}13:45Z",
    )
    write("Major incident demo: the Cloudflare outage of 2 July 2019 (times in UTC)")
    write("")
    write("13:42  A WAF managed rule is deployed; CPUs serving HTTP/HTTPS traffic hit 100%.")
    verdict = MajorIncidentPolicy.default().evaluate(
        Assessment(impact="high", urgency="high", services={"cdn", "waf"}, business_critical=True)
    )
    write(f"13:45  Alerts fire. Classification: {verdict.action.value.upper()}, because")
    for reason in verdict.reasons:
        write(f"         - {reason}")
    members: dict[Audience, tuple[Role | str, ...]] = dict(DEFAULT_PLAN.members)
    members[Audience.MANAGEMENT] = ("Carl (CIO)",)
    members[Audience.USERS] = ("status page",)
    audiences = attrs.evolve(DEFAULT_PLAN, members=members)
    major, step = MajorIncident.propose(
        outage, by=SAM, at=f"{DAY}13:45Z", roster=roster, plan=audiences
    )
    _step(write, "13:45", SAM, "proposes a major incident", step)
    script: list[tuple[str, str, str, Callable[[], Step]]] = [
        (
            "13:46",
            MAYA,
            "accepts: declared major",
            lambda: major.accept(by=MAYA, at=f"{DAY}13:46Z"),
        ),
        (
            "13:48",
            MIA,
            "informs the stakeholders",
            _do(major, Activity.INFORM_STAKEHOLDERS, MIA, "13:48"),
        ),
        ("13:49", MAYA, "moves to containment", lambda: major.advance(by=MAYA, at=f"{DAY}13:49Z")),
        (
            "13:50",
            MAYA,
            "assembles the major incident team",
            _do(major, Activity.ASSEMBLE_TEAM, MAYA, "13:50"),
        ),
        (
            "13:51",
            MIA,
            "opens the conference bridge",
            _do(major, Activity.SET_UP_BRIDGE, MIA, "13:51"),
        ),
    ]
    _play(write, major, script)
    try:
        major.advance(by=MAYA, at=f"{DAY}13:55Z")
    except GateError as refused:
        write(f"13:55  {MAYA} tries to leave containment -> refused: {refused}")
    script = [
        (
            "13:56",
            MIA,
            "prepares the war room",
            _do(major, Activity.PREPARE_WAR_ROOM, MIA, "13:56"),
        ),
        (
            "14:00",
            MIA,
            "opens problem PRB-WAF-CPU: the WAF is the cause",
            lambda: major.perform(
                Activity.CREATE_PROBLEM, by=MIA, at=f"{DAY}14:00Z", problem_id="PRB-WAF-CPU"
            ),
        ),
        (
            "14:07",
            MAYA,
            "global WAF kill: contained",
            lambda: major.advance(by=MAYA, at=f"{DAY}14:07Z"),
        ),
        (
            "14:52",
            TOM,
            "re-enables the WAF with the fix, change CHG-WAF-FIX",
            lambda: major.perform(
                Activity.IMPLEMENT_CHANGE, by=TOM, at=f"{DAY}14:52Z", change_id="CHG-WAF-FIX"
            ),
        ),
        (
            "14:52",
            MAYA,
            "resolved: moves to maintenance",
            lambda: major.advance(by=MAYA, at=f"{DAY}14:52Z"),
        ),
        (
            "16:00",
            TOM,
            "leads the post-implementation review",
            _do(major, Activity.REVIEW, TOM, "16:00"),
        ),
        ("16:30", MIA, "writes the documentation", _do(major, Activity.DOCUMENT, MIA, "16:30")),
        ("16:45", MIA, "measures the metrics", _do(major, Activity.MEASURE, MIA, "16:45")),
        (
            "17:00",
            MAYA,
            "closes the major incident",
            lambda: major.advance(by=MAYA, at=f"{DAY}17:00Z"),
        ),
    ]
    _play(write, major, script)
    record = major.incident
    write("")
    write(
        f"Final record {record.id}: state {major.state}, problem {record.problem_id}, "
        f"change {record.change_id}"
    )
    for milestone, moment in record.milestones.items():
        write(f"  {milestone.value:<13} {moment.isoformat()}")
    write("")
    write("KPIs for this incident:")
    for metric in (MTTD, MTTA, TIME_TO_CONTAIN, MTTR):
        summary = summarize([record], metric, as_of=f"{DAY}23:59Z")
        write(f"  {metric.name:<16} {summary.median.in_words() if summary.median else '-'}")
    replayed = MajorIncident.replay(major.timeline, incident=outage, roster=roster)
    write("")
    write(
        f"Replaying the {len(major.timeline)} stored events gives the same major incident: "
        f"{replayed == major}"
    )


def _play(
    write: Callable[[str], object],
    major: MajorIncident,
    script: list[tuple[str, str, str, Callable[[], Step]]],
) -> None:
    """Make each call of the script, saying so whenever the incident enters a stage."""
    for when, who, what, call in script:
        before = major.stage
        _step(write, when, who, what, call())
        if major.stage is not None and major.stage != before:
            write(f"{when}  == The major incident enters {major.stage.title} ==")


def _do(major: MajorIncident, activity: Activity, who: str, when: str) -> Callable[[], Step]:
    return lambda: major.perform(activity, by=who, at=f"{DAY}{when}Z")


def _step(write: Callable[[str], object], when: str, who: str, what: str, step: Step) -> None:
    write(f"{when}  {who} {what}")
    for notice in step.notifications:
        via = notice.role.title if notice.role else f"the {notice.audience.value} audience"  # type: ignore[union-attr]
        write(f"         -> {notice.person}: {notice.letter.name.lower()} as {via}")
