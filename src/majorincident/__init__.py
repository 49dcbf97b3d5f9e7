"""Major incident management as code: lifecycles, roles and RACI, classification and KPIs.

The package re-exports the everyday names; each lives in the module named for its subject.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # the names, for type checkers and IDEs; at run time __getattr__ loads them
    __version__: str

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
    from majorincident.incident import (
        Event,
        EventKind,
        Hold,
        HoldReason,
        Incident,
        IncidentKind,
        Milestone,
    )
    from majorincident.kpi import (
        MTRS,
        MTTA,
        MTTD,
        MTTR,
        TIME_TO_CONTAIN,
        Metric,
        Summary,
        report,
        summarize,
        trend,
    )
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
    "MTRS",
    "MTTA",
    "MTTD",
    "MTTR",
    "SEED_PROCESS",
    "TIME_TO_CONTAIN",
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
    "HoldReason",
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
    "Summary",
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

#: Where each name of :data:`__all__` lives: its module is imported on first use, so that
#: ``import majorincident`` costs next to nothing and a tool pays only for what it touches.
_WHERE: Final = {
    "FrozenDict": "majorincident._frozen",
    "Assessment": "majorincident.classification",
    "Impact": "majorincident.classification",
    "MajorIncidentPolicy": "majorincident.classification",
    "Priority": "majorincident.classification",
    "PriorityMatrix": "majorincident.classification",
    "Urgency": "majorincident.classification",
    "detect_surge": "majorincident.classification",
    "ALWAYS": "majorincident.clock",
    "Calendar": "majorincident.clock",
    "duration_between": "majorincident.clock",
    "instant": "majorincident.clock",
    "ClassificationError": "majorincident.errors",
    "ConcurrencyError": "majorincident.errors",
    "ConfigurationError": "majorincident.errors",
    "GateError": "majorincident.errors",
    "MajorIncidentError": "majorincident.errors",
    "NaiveDateTimeError": "majorincident.errors",
    "NotAuthorizedError": "majorincident.errors",
    "RecordError": "majorincident.errors",
    "TaskError": "majorincident.errors",
    "TimelineError": "majorincident.errors",
    "TransitionError": "majorincident.errors",
    "Event": "majorincident.incident",
    "EventKind": "majorincident.incident",
    "Hold": "majorincident.incident",
    "HoldReason": "majorincident.incident",
    "Incident": "majorincident.incident",
    "IncidentKind": "majorincident.incident",
    "Milestone": "majorincident.incident",
    "MTRS": "majorincident.kpi",
    "MTTA": "majorincident.kpi",
    "MTTD": "majorincident.kpi",
    "MTTR": "majorincident.kpi",
    "Metric": "majorincident.kpi",
    "Summary": "majorincident.kpi",
    "TIME_TO_CONTAIN": "majorincident.kpi",
    "report": "majorincident.kpi",
    "summarize": "majorincident.kpi",
    "trend": "majorincident.kpi",
    "IncidentLifecycle": "majorincident.lifecycle",
    "MajorIncidentLifecycle": "majorincident.lifecycle",
    "TransitionTable": "majorincident.lifecycle",
    "major_incident_lifecycle": "majorincident.lifecycle",
    "Activity": "majorincident.process",
    "Process": "majorincident.process",
    "SEED_PROCESS": "majorincident.process",
    "Stage": "majorincident.process",
    "DEFAULT_RACI": "majorincident.roles",
    "RaciMatrix": "majorincident.roles",
    "Responsibility": "majorincident.roles",
    "Role": "majorincident.roles",
    "Roster": "majorincident.roles",
    "from_dict": "majorincident.serialization",
    "from_json": "majorincident.serialization",
    "json_schema": "majorincident.serialization",
    "to_dict": "majorincident.serialization",
    "to_json": "majorincident.serialization",
    "MajorIncident": "majorincident.workflow",
    "Notification": "majorincident.workflow",
    "Step": "majorincident.workflow",
}


def __getattr__(name: str) -> object:
    """Load a re-exported name from its module on first use, and ``__version__`` from metadata.

    Raises:
        AttributeError: the package has no such name.
    """
    module = _WHERE.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value  # the next access skips this function
        return value
    if name == "__version__":
        from importlib.metadata import version  # noqa: PLC0415

        return version("majorincident")
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    """The module's names, the lazily loaded ones included."""
    return sorted({*globals(), *_WHERE})
