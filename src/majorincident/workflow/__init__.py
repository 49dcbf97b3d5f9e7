"""The major incident process as one object, :class:`MajorIncident`, and what its calls return.

An ITSM tool embeds it: it proposes or declares a major incident, has the people on its roster
perform the process's activities, advances the stages and closes. Every call checks that the
person holds, at that instant, a role the RACI matrix allows, and returns a :class:`Step`: the new
timeline events and the notifications due. A refused call changes nothing. The timeline is
append-only; :meth:`MajorIncident.replay` rebuilds an identical object from it, and refuses one
that was tampered with.
"""

from __future__ import annotations

from majorincident.workflow.major import MajorIncident
from majorincident.workflow.records import Notification, Step, Task
from majorincident.workflow.rules import REQUIRED_DETAILS

__all__ = ["REQUIRED_DETAILS", "MajorIncident", "Notification", "Step", "Task"]
