"""Exercise the public API under mypy --strict: what users write must type-check."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pendulum

import majorincident
from majorincident import (
    ALWAYS,
    DEFAULT_RACI,
    SEED_PROCESS,
    Activity,
    Calendar,
    MajorIncidentError,
    Process,
    RaciMatrix,
    Role,
    Roster,
    Stage,
    duration_between,
    instant,
)
from majorincident.testing import aware_datetimes, calendars, processes, raci_matrices, rosters

moment: pendulum.DateTime = instant(datetime(2024, 1, 1, tzinfo=UTC), field="reported_at")
parsed: pendulum.DateTime = instant("2024-01-01T09:00:00+01:00")
span: pendulum.Duration = duration_between(moment, parsed)
office: Calendar = Calendar.office_hours(
    "Europe/Berlin", "09:00", "17:00", holidays={date(2024, 1, 1)}
)
worked: pendulum.Duration = office.elapsed(moment, parsed, start_field="a", end_field="b")
deadline: pendulum.DateTime = office.add(moment, timedelta(hours=4))
working: bool = ALWAYS.is_working(moment)
custom = Calendar("UTC", {"mon": [("09:00", "24:00")], 2: [(0, 3600)]})
version: str = majorincident.__version__
strategy = aware_datetimes(zones=("UTC",))
calendar_strategy = calendars(holidays=False)

try:
    instant("2024-01-01")
except MajorIncidentError as error:
    message: str = str(error)


triage = Stage("triage", "Triage")
page = Activity("page", "Paging", triage)
process: Process = Process([triage], [page], required=[page])
missing: tuple[str, ...] = SEED_PROCESS.missing(Stage.CONTAINMENT, done=[Activity.ASSEMBLE_TEAM])
following: Stage | None = SEED_PROCESS.next_stage(Stage.IDENTIFICATION)
owner: Role = DEFAULT_RACI.accountable(Activity.DECLARE)
doers: frozenset[Role] = DEFAULT_RACI.responsible(Activity.DECLARE)
allowed: bool = DEFAULT_RACI.may_perform(Role.MAJOR_INCIDENT_TEAM, Activity.DECLARE)
table: str = DEFAULT_RACI.to_markdown()
matrix: RaciMatrix = RaciMatrix.parse(
    "Paging R/A\n", roles=[Role.TECHNICAL_STAFF], activities=[page]
)
roster: Roster = Roster.staffed({"ana": Role.MAJOR_INCIDENT_MANAGER}, at="2024-01-01T09:00Z")
holders: frozenset[str] = roster.holders(Role.MAJOR_INCIDENT_MANAGER, at="2024-01-01T10:00Z")
process_strategy = processes()
raci_strategy = raci_matrices(roles=(Role.TECHNICAL_STAFF,))
roster_strategy = rosters(roles=(Role.TECHNICAL_STAFF,))

from majorincident import (  # noqa: E402
    Assessment,
    Impact,
    MajorIncidentPolicy,
    Priority,
    PriorityMatrix,
    Urgency,
    detect_surge,
)
from majorincident.classification import Action, Rule, Surge, TicketReport, Verdict  # noqa: E402
from majorincident.testing import priority_matrices  # noqa: E402

level: Impact = Impact.parse("high")
urgent: Urgency = Urgency.parse(1)
p1: Priority = PriorityMatrix.itil().priority(level, urgent)
custom_matrix: PriorityMatrix[str, str, str] = PriorityMatrix.from_rows(
    [["S1"]], impacts=["big"], urgencies=["now"], priorities=["S1"]
)
verdict: Verdict = MajorIncidentPolicy.default().evaluate(Assessment(impact="high", urgency="high"))
declared: bool = verdict.is_major
act: Action = verdict.action
rule = Rule("always", lambda _: True, Action.PROPOSE, "because")
surges: list[Surge] = list(
    detect_surge(
        [TicketReport("1", "2024-01-01T00:00Z", "cdn")], window=timedelta(minutes=5), threshold=1
    )
)
matrix_strategy = priority_matrices()

from majorincident import IncidentLifecycle, MajorIncidentLifecycle, TransitionTable  # noqa: E402
from majorincident.lifecycle import restore, to_mermaid  # noqa: E402
from majorincident.testing import lifecycle_test  # noqa: E402

ticket = restore(IncidentLifecycle, "in_progress")
graph: TransitionTable = TransitionTable.of(IncidentLifecycle)
final_state = graph.replay("new", ["start", "resolve"])
major = MajorIncidentLifecycle.restore("containment", completed=[Activity.ASSEMBLE_TEAM])
waiting: tuple[Activity, ...] = major.pending
diagram: str = to_mermaid(IncidentLifecycle)
stateful = lifecycle_test(IncidentLifecycle)

from majorincident import Incident, MajorIncident, Milestone, Step  # noqa: E402

record = Incident("INC-1", reported_at="2024-01-01T00:00Z", impact="high")
when = record.at(Milestone.REPORTED)
flow, first = MajorIncident.declare(record, by="ana", at="2024-01-01T00:05Z", roster=roster)
next_step: Step = flow.perform(Activity.INFORM_STAKEHOLDERS, by="ana", at="2024-01-01T00:06Z")
again = MajorIncident.replay(flow.timeline, incident=record, roster=roster)

from majorincident import MTTR, report, summarize, trend  # noqa: E402
from majorincident.kpi import Summary, TrendRow, availability  # noqa: E402

summary: Summary = summarize([record], MTTR, as_of="2024-02-01T00:00Z", open_incidents="censor")
rows: list[TrendRow] = trend([record], start="2024-01-01T00:00Z", end="2024-02-01T00:00Z")
table_rows = report([record], as_of="2024-02-01T00:00Z").to_rows()
share = availability([record], window=("2024-01-01T00:00Z", "2024-02-01T00:00Z"))

from majorincident.communication import DEFAULT_PLAN, Audience, due_updates  # noqa: E402
from majorincident.escalation import EscalationLevel, EscalationPolicy  # noqa: E402
from majorincident.review import PostIncidentReview, review_due  # noqa: E402
from majorincident.sla import SlaPolicy, sla_status  # noqa: E402

pending = due_updates(
    record, DEFAULT_PLAN, sent=[(Audience.USERS, "2024-01-01T01:00Z")], at="2024-01-01T02:00Z"
)
pages = EscalationPolicy([EscalationLevel(timedelta(minutes=5), "on-call")]).simulate(
    "2024-01-01T00:00Z"
)
clocks = sla_status(
    record, SlaPolicy(response={"P1": timedelta(minutes=15)}, resolution={}), at="2024-01-01T01:00Z"
)
write_up: str = PostIncidentReview(record, impact="i", root_cause="r", fix="f").to_markdown()
due = review_due(record)

from hypothesis import strategies as st  # noqa: E402

from majorincident.incident import Event  # noqa: E402
from majorincident.interop import from_pagerduty, from_servicenow, to_servicenow  # noqa: E402
from majorincident.serialization import from_dict, from_json, json_schema, to_dict, to_json  # noqa: E402
from majorincident.testing import event_sequences, incidents, major_incidents, timelines  # noqa: E402

document: dict[str, object] = to_dict(record)
text: str = to_json(flow.timeline, indent=2)
loaded: Incident = from_json(text, Incident)
loaded_again: Incident = from_dict(document, Incident)
schema: dict[str, object] = json_schema(Incident)
imported: Incident = from_servicenow({"number": "INC1", "opened_at": "2024-01-01 00:00:00"})
exported: dict[str, str] = to_servicenow(imported)
paged: Incident = from_pagerduty(
    {"id": "P1", "status": "triggered", "created_at": "2024-01-01T00:00:00Z"}
)
records: st.SearchStrategy[Incident] = incidents(resolved=True)
flows: st.SearchStrategy[MajorIncident] = major_incidents(max_steps=5)
events: st.SearchStrategy[tuple[Event, ...]] = timelines()
walks: st.SearchStrategy[list[str | Activity]] = event_sequences(IncidentLifecycle, valid=False)
proposed: Incident = flow.proposed
