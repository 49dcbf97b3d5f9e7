"""Roles, the RACI matrix and the roster of who holds which role when.

The seed's RACI table says, for each of its ten activities, which of its seven roles is
Responsible, Accountable, Consulted or Informed. :data:`DEFAULT_RACI` is that table, cell for cell;
:class:`RaciMatrix` validates any other (exactly one A and at least one R per activity).
A :class:`Roster` records which person holds which role over time, so hand-overs are honoured.
"""

from __future__ import annotations

from majorincident.roles._raci import DEFAULT_RACI, RaciMatrix
from majorincident.roles._role import SEED_ROLES, Responsibility, Role
from majorincident.roles._roster import Assignment, Roster

__all__ = [
    "DEFAULT_RACI",
    "SEED_ROLES",
    "Assignment",
    "RaciMatrix",
    "Responsibility",
    "Role",
    "Roster",
]
