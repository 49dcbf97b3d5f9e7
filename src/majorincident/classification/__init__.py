"""Classification: impact x urgency priority, which incidents are major, and surge detection.

The subpackage's modules:

- :mod:`~majorincident.classification.levels`: :class:`Impact`, :class:`Urgency`, :class:`Priority`.
- :mod:`~majorincident.classification.matrix`: :class:`PriorityMatrix`.
- :mod:`~majorincident.classification.policy`: :class:`Assessment`, :class:`Rule`,
  :class:`MajorIncidentPolicy` and its :class:`Verdict`.
- :mod:`~majorincident.classification.surge`: :class:`TicketReport`, :func:`detect_surge`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from majorincident._deprecated import renamed
from majorincident.classification.levels import Impact, Priority, Urgency
from majorincident.classification.matrix import PriorityMatrix
from majorincident.classification.policy import (
    DEFAULT_RELATED_INCIDENTS,
    DEFAULT_USER_SHARE,
    Action,
    Assessment,
    MajorIncidentPolicy,
    Rule,
    Verdict,
)
from majorincident.classification.surge import Channel, Surge, TicketReport, detect_surge

__all__ = [
    "DEFAULT_RELATED_INCIDENTS",
    "DEFAULT_USER_SHARE",
    "Action",
    "Assessment",
    "Channel",
    "Impact",
    "MajorIncidentPolicy",
    "Priority",
    "PriorityMatrix",
    "Rule",
    "Surge",
    "TicketReport",
    "Urgency",
    "Verdict",
    "detect_surge",
]

if TYPE_CHECKING:
    Report = TicketReport  # the old name, for type checkers; deprecated


def __getattr__(name: str) -> object:
    """``Report``, the old name of :class:`TicketReport`, with a DeprecationWarning."""
    return renamed(__name__, name, {"Report": ("TicketReport", TicketReport)})
