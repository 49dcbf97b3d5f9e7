"""Lifecycles: strict python-statemachine machines, and compiled transition tables.

- :class:`IncidentLifecycle`, :class:`ProblemLifecycle`, :class:`ChangeLifecycle`;
- :data:`MajorIncidentLifecycle` for the seed's process, and :func:`major_incident_lifecycle` for
  any other;
- :func:`restore` at a stored state; :class:`TransitionTable` for bulk validation and replay;
- :func:`to_mermaid` and :func:`to_dot` diagrams, rendered by python-statemachine itself.
"""

from __future__ import annotations

from majorincident.incident import HoldReason
from majorincident.lifecycle.base import (
    Lifecycle,
    allowed_events,
    event_names,
    restore,
    state_values,
    to_dot,
    to_mermaid,
)
from majorincident.lifecycle.machines import (
    ChangeLifecycle,
    IncidentLifecycle,
    ProblemLifecycle,
)
from majorincident.lifecycle.major import (
    MajorIncidentLifecycle,
    MajorIncidentMachine,
    major_incident_lifecycle,
)
from majorincident.lifecycle.table import GATED_EVENT, TransitionTable

__all__ = [
    "GATED_EVENT",
    "ChangeLifecycle",
    "HoldReason",
    "IncidentLifecycle",
    "Lifecycle",
    "MajorIncidentLifecycle",
    "MajorIncidentMachine",
    "ProblemLifecycle",
    "TransitionTable",
    "allowed_events",
    "event_names",
    "major_incident_lifecycle",
    "restore",
    "state_values",
    "to_dot",
    "to_mermaid",
]
