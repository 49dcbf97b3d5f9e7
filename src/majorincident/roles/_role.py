"""Roles and the RACI letters: who the process speaks of, and what each may do."""

from __future__ import annotations

import enum
from typing import ClassVar, Final

import attrs

from majorincident._checks import trimmed
from majorincident.errors import ConfigurationError


@attrs.frozen(order=False)
class Role:
    """A role people hold in major incident management.

    Attributes:
        key: a stable identifier, stored by other tools.
        title: what people call it.
        description: what the role does, in one line.
    """

    key: str = attrs.field(validator=trimmed)
    title: str = attrs.field(validator=trimmed, eq=False)
    description: str = attrs.field(default="", eq=False, repr=False)

    SERVICE_DESK_TECHNICIAN: ClassVar[Role]
    MAJOR_INCIDENT_MANAGER: ClassVar[Role]
    MAJOR_INCIDENT_TEAM: ClassVar[Role]
    TECHNICAL_STAFF: ClassVar[Role]
    CHANGE_MANAGER: ClassVar[Role]
    PROBLEM_MANAGER: ClassVar[Role]
    EXTERNAL_CONSULTANT: ClassVar[Role]


Role.SERVICE_DESK_TECHNICIAN = Role(
    "service_desk_technician",
    "Service desk technicians",
    "First line: analyse incoming tickets, escalate to the incident manager, help implement fixes.",
)
Role.MAJOR_INCIDENT_MANAGER = Role(
    "major_incident_manager",
    "Major incident manager",
    "Owns the major incident: declares it, runs the process, leads the team, single contact.",
)
Role.MAJOR_INCIDENT_TEAM = Role(
    "major_incident_team",
    "MIT",
    "The major incident team: analyses the incident and plans the response.",
)
Role.TECHNICAL_STAFF = Role(
    "technical_staff",
    "Technical staff",
    "Sysadmins, network and security staff: troubleshoot and implement the resolution.",
)
Role.CHANGE_MANAGER = Role(
    "change_manager",
    "Change manager",
    "Owns, and is accountable for, the change that implements the fix.",
)
Role.PROBLEM_MANAGER = Role(
    "problem_manager",
    "Problem manager",
    "Owns the problem ticket: finds the root cause and prevents recurrence.",
)
Role.EXTERNAL_CONSULTANT = Role(
    "external_consultant",
    "External consultants",
    "Specialists or vendors the incident manager adds to the team when needed.",
)

#: The seed's seven roles, in the column order of its RACI table.
SEED_ROLES: Final = (
    Role.SERVICE_DESK_TECHNICIAN,
    Role.MAJOR_INCIDENT_MANAGER,
    Role.MAJOR_INCIDENT_TEAM,
    Role.TECHNICAL_STAFF,
    Role.CHANGE_MANAGER,
    Role.PROBLEM_MANAGER,
    Role.EXTERNAL_CONSULTANT,
)


class Responsibility(enum.Enum):
    """A letter of RACI. ``Responsibility.R`` is ``Responsibility.RESPONSIBLE``, and so on."""

    RESPONSIBLE = "R"
    ACCOUNTABLE = "A"
    CONSULTED = "C"
    INFORMED = "I"
    # Aliases, so that tables read as the seed prints them.
    R = "R"  # noqa: PIE796
    A = "A"  # noqa: PIE796
    C = "C"  # noqa: PIE796
    I = "I"  # noqa: E741, PIE796

    @classmethod
    def parse(cls, group: str, *, where: str) -> frozenset[Responsibility]:
        """Read a letter group such as ``"R/A"``, ``"C"`` or ``"-"`` (no involvement).

        Raises:
            ConfigurationError: a letter that is not R, A, C or I, or one given twice.
        """
        if group.strip() in ("", "-"):
            return frozenset()
        letters = [part.strip().upper() for part in group.split("/")]
        try:
            parsed = [cls(letter) for letter in letters]
        except ValueError:
            raise ConfigurationError(
                f"{where}: {group!r} is not a RACI letter group; expected letters R, A, C, I "
                "joined by '/', or '-'"
            ) from None
        if len(set(parsed)) != len(parsed):
            raise ConfigurationError(f"{where}: {group!r} repeats a letter")
        return frozenset(parsed)


_LETTER_ORDER: Final = "RACI"


def letters_text(cell: frozenset[Responsibility]) -> str:
    """Render a cell as the seed does: ``R/A``, ``C``; ``-`` when empty."""
    if not cell:
        return "-"
    return "/".join(sorted((r.value for r in cell), key=_LETTER_ORDER.index))


def key_name(item: object) -> str:
    """How messages name a role or an activity: its key, or the value itself if it has none."""
    key = getattr(item, "key", None)
    return repr(key) if isinstance(key, str) else repr(item)
