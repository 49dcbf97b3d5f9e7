"""Major incident management as code: lifecycles, roles and RACI, classification and KPIs.

The package re-exports the everyday names; each lives in the module named for its subject.
"""

from __future__ import annotations

from majorincident._frozen import FrozenDict
from majorincident.classification import (
    Assessment,
    Impact,
    MajorIncidentPolicy,
    Priority,
    PriorityMatrix,
    Urgency,
    detect_surge,
)
from majorincident.clock import ALWAYS, Calendar, duration_between, instant
from majorincident.errors import (
    ClassificationError,
    ConcurrencyError,
    ConfigurationError,
    GateError,
    MajorIncidentError,
    NaiveDateTimeError,
    NotAuthorizedError,
    RecordError,
    TaskError,
    TimelineError,
    TransitionError,
)
from majorincident.incident import Event, EventKind, Hold, Incident, IncidentKind, Milestone
from majorincident.kpi import MTTA, MTTD, MTTR, Metric, report, summarize, trend
from majorincident.lifecycle import (
    IncidentLifecycle,
    MajorIncidentLifecycle,
    TransitionTable,
    major_incident_lifecycle,
)
from majorincident.process import SEED_PROCESS, Activity, Process, Stage
from majorincident.roles import DEFAULT_RACI, RaciMatrix, Responsibility, Role, Roster
from majorincident.serialization import from_dict, from_json, json_schema, to_dict, to_json
from majorincident.workflow import MajorIncident, Notification, Step

__all__ = [
    "ALWAYS",
    "DEFAULT_RACI",
    "MTTA",
    "MTTD",
    "MTTR",
    "SEED_PROCESS",
    "Activity",
    "Assessment",
    "Calendar",
    "ClassificationError",
    "ConcurrencyError",
    "ConfigurationError",
    "Event",
    "EventKind",
    "FrozenDict",
    "GateError",
    "Hold",
    "Impact",
    "Incident",
    "IncidentKind",
    "IncidentLifecycle",
    "MajorIncident",
    "MajorIncidentError",
    "MajorIncidentLifecycle",
    "MajorIncidentPolicy",
    "Metric",
    "Milestone",
    "NaiveDateTimeError",
    "NotAuthorizedError",
    "Notification",
    "Priority",
    "PriorityMatrix",
    "Process",
    "RaciMatrix",
    "RecordError",
    "Responsibility",
    "Role",
    "Roster",
    "Stage",
    "Step",
    "TaskError",
    "TimelineError",
    "TransitionError",
    "TransitionTable",
    "Urgency",
    "detect_surge",
    "duration_between",
    "from_dict",
    "from_json",
    "instant",
    "json_schema",
    "major_incident_lifecycle",
    "report",
    "summarize",
    "to_dict",
    "to_json",
    "trend",
]


def __getattr__(name: str) -> str:
    """Serve ``__version__`` from the installed metadata, read only when asked for."""
    if name != "__version__":
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)

    from importlib.metadata import version  # noqa: PLC0415

    return version("majorincident")
