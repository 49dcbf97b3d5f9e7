"""Documents: the record types they can hold, by name, and the codec of each name.

A document's ``type`` key names one of :data:`TYPES`; ``"timeline"`` is a tuple of events.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Final

from majorincident.classification import (
    Assessment,
    MajorIncidentPolicy,
    PriorityMatrix,
    Rule,
    TicketReport,
    Verdict,
)
from majorincident.clock import Calendar
from majorincident.communication import (
    AudiencePlan,
    CommunicationPlan,
    Notification,
    StatusUpdate,
)
from majorincident.errors import RecordError
from majorincident.escalation import EscalationLevel, EscalationPolicy, Page
from majorincident.incident import Event, Hold, Incident
from majorincident.kpi import Comparison, Metric, Report, ReportRow, Summary, TrendRow
from majorincident.process import Activity, Process, Stage
from majorincident.review import ActionItem, ActionItemStats, PostIncidentReview
from majorincident.roles import Assignment, RaciMatrix, Role, Roster
from majorincident.serialization._codecs import Codec
from majorincident.serialization._containers import Record
from majorincident.serialization._records import codec
from majorincident.sla import SlaPolicy, SlaStatus
from majorincident.workflow import Step, Task

#: The record types documents can hold, by the name their ``type`` key gives.
TYPES: Final[Mapping[str, type]] = types.MappingProxyType(
    {
        "incident": Incident,
        "hold": Hold,
        "event": Event,
        "timeline": tuple,
        "stage": Stage,
        "activity": Activity,
        "process": Process,
        "role": Role,
        "raci_matrix": RaciMatrix,
        "assignment": Assignment,
        "roster": Roster,
        "task": Task,
        "step": Step,
        "notification": Notification,
        "priority_matrix": PriorityMatrix,
        "assessment": Assessment,
        "surge_report": TicketReport,
        "calendar": Calendar,
        "metric": Metric,
        "summary": Summary,
        "comparison": Comparison,
        "report_row": ReportRow,
        "kpi_report": Report,
        "trend_row": TrendRow,
        "sla_policy": SlaPolicy,
        "sla_status": SlaStatus,
        "escalation_level": EscalationLevel,
        "escalation_policy": EscalationPolicy,
        "page": Page,
        "audience_plan": AudiencePlan,
        "communication_plan": CommunicationPlan,
        "status_update": StatusUpdate,
        "action_item": ActionItem,
        "action_item_stats": ActionItemStats,
        "post_incident_review": PostIncidentReview,
    }
)
NAMES: Final = {kind: name for name, kind in TYPES.items()}
_TIMELINE: Final = Record(
    tuple, [("events", codec(tuple[Event, ...]), tuple)], lambda events: events
)


def document_codec(name: str) -> Codec:
    return _TIMELINE if name == "timeline" else codec(TYPES[name])


def name_of(value: object) -> str:
    if isinstance(value, (tuple, list)) and all(isinstance(item, Event) for item in value):
        return "timeline"
    name = NAMES.get(type(value))
    if isinstance(value, (MajorIncidentPolicy, Rule, Verdict)):
        raise RecordError(
            f"$: a {type(value).__name__} holds Python functions (its rules), which no document "
            "can carry; store the name of the policy and build it in code"
        )
    if name is None or name == "timeline":
        known = ", ".join(kind.__name__ for kind in TYPES.values() if kind is not tuple)
        raise RecordError(
            f"$: a {type(value).__name__} is not a record documents hold; "
            f"expected a timeline (events) or one of: {known}"
        )
    return name
