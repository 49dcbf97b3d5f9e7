"""Roles, the RACI matrix and the roster of who holds which role when.

The seed's RACI table says, for each of its ten activities, which of its seven roles is
Responsible, Accountable, Consulted or Informed. :data:`DEFAULT_RACI` is that table, cell for cell;
:class:`RaciMatrix` validates any other (exactly one A and at least one R per activity).
A :class:`Roster` records which person holds which role over time, so hand-overs are honoured.
"""

from __future__ import annotations

import enum
import html
import itertools
from collections.abc import Container, Iterable, Mapping
from datetime import datetime
from typing import ClassVar, Final

import attrs
import pendulum

from majorincident._checks import instant_or_none
from majorincident._frozen import FrozenDict
from majorincident.clock import instant, utc
from majorincident.errors import ConfigurationError, TimelineError
from majorincident.process import SEED_ACTIVITIES, Activity

__all__ = [
    "DEFAULT_RACI",
    "SEED_ROLES",
    "Assignment",
    "RaciMatrix",
    "Responsibility",
    "Role",
    "Roster",
]


def _text(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    """Validate a non-empty string without surrounding spaces."""
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise ConfigurationError(
            f"{type(instance).__name__}.{attribute.name} ({value!r}) must be a non-empty string "
            "without leading or trailing spaces"
        )


@attrs.frozen(order=False)
class Role:
    """A role people hold in major incident management.

    Attributes:
        key: a stable identifier, stored by other tools.
        title: what people call it.
        description: what the role does, in one line.
    """

    key: str = attrs.field(validator=_text)
    title: str = attrs.field(validator=_text, eq=False)
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


def _letters(cell: frozenset[Responsibility]) -> str:
    """Render a cell as the seed does: ``R/A``, ``C``; ``-`` when empty."""
    if not cell:
        return "-"
    return "/".join(sorted((r.value for r in cell), key=_LETTER_ORDER.index))


Cells = Mapping[Activity, Mapping[Role, frozenset[Responsibility]]]


def _cell(value: object, *, where: str) -> frozenset[Responsibility]:
    if isinstance(value, str):
        return Responsibility.parse(value, where=where)
    if isinstance(value, Responsibility):
        return frozenset((value,))
    if isinstance(value, Iterable):
        cell = frozenset(value)
        if all(isinstance(letter, Responsibility) for letter in cell):
            return cell
    raise ConfigurationError(
        f"{where}: {value!r} is not a RACI cell; expected 'R/A'-style text or Responsibility values"
    )


@attrs.frozen(eq=False, repr=False)
class RaciMatrix:
    """Activity x role -> set of R, A, C, I, validated when built.

    Args:
        roles: the roles, in column order.
        activities: the activities, in row order.
        cells: activity -> role -> letters (``"R/A"`` text, a :class:`Responsibility`, or a set of
            them); a missing cell means the role is not involved.

    Raises:
        ConfigurationError: an activity without exactly one A or without an R, a cell naming a
            role or activity that is not in the matrix, or a bad letter.

    >>> DEFAULT_RACI.accountable(Activity.DECLARE).title
    'Major incident manager'
    """

    roles: tuple[Role, ...] = attrs.field(converter=tuple[Role, ...])
    activities: tuple[Activity, ...] = attrs.field(converter=tuple[Activity, ...])
    cells: Cells = attrs.field()
    # Answers to queries, computed once: the workflow asks them for every call it checks.
    _answers: dict[tuple[Activity, Responsibility | None], frozenset[Role]] = attrs.field(
        init=False, factory=dict
    )
    # The hash, worked out once: a workflow looks its compiled rules up by matrix.
    _hash: int = attrs.field(init=False, default=0)

    def __attrs_post_init__(self) -> None:
        """Normalise the cells and check every activity's accountability."""
        _unique("role", self.roles, Role)
        _unique("activity", self.activities, Activity)
        if not isinstance(self.cells, Mapping):
            raise ConfigurationError(
                f"RaciMatrix.cells ({self.cells!r}) is not a mapping of activity -> role -> letters"
            )
        activities = set(self.activities)
        roles = set(self.roles)
        table: dict[Activity, dict[Role, frozenset[Responsibility]]] = {
            activity: {} for activity in self.activities
        }
        for activity, row in self.cells.items():
            if activity not in activities:
                raise ConfigurationError(
                    f"activity {_name(activity)} is not one of the matrix's activities"
                )
            if not isinstance(row, Mapping):
                raise ConfigurationError(
                    f"activity {activity.key!r}: row {row!r} is not a mapping of role -> letters"
                )
            for role, value in row.items():
                if role not in roles:
                    raise ConfigurationError(
                        f"activity {activity.key!r} names role {_name(role)}, "
                        "which is not one of the matrix's roles"
                    )
                cell = _cell(value, where=f"activity {activity.key!r}, role {role.key!r}")
                if cell:
                    table[activity][role] = cell
        for activity, row in table.items():
            _check_row(activity, row)
        object.__setattr__(
            self, "cells", FrozenDict({a: FrozenDict(row) for a, row in table.items()})
        )
        object.__setattr__(self, "_hash", hash((self.roles, self.activities)))

    @classmethod
    def parse(
        cls,
        text: str,
        *,
        roles: Iterable[Role] = SEED_ROLES,
        activities: Iterable[Activity] = SEED_ACTIVITIES,
    ) -> RaciMatrix:
        """Read a RACI table written as in the seed, or as :meth:`to_markdown` writes it.

        Each row is an activity's title followed by one letter group per role, in the order of
        `roles`: ``Declaring the major incident C A R C I I I``. Markdown tables
        (``| title | C | A | ... |``) are read too. Blank lines, a header row (starting with
        ``Process/roles``), a Markdown separator row and legend lines starting with ``*`` are
        skipped. Titles are matched to `activities` without regard to case.

        Args:
            text: the table.
            roles: the roles of the columns, in order.
            activities: the activities the rows may name.

        Returns:
            The validated matrix, with the activities in the order of the rows.

        Raises:
            ConfigurationError: a row with the wrong number of groups, an unknown title, a bad
                letter, a repeated row, or an invalid matrix; the message names the line.
        """
        columns = tuple(roles)
        by_title = {activity.title.casefold(): activity for activity in activities}
        rows: dict[Activity, dict[Role, frozenset[Responsibility]]] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            where = f"line {number} ({line.strip()!r})"
            try:
                split = _split_row(line, len(columns))
            except ConfigurationError:
                raise ConfigurationError(
                    f"{where} does not hold a title and {len(columns)} letter groups"
                ) from None
            if split is None:
                continue
            title, texts = split
            groups = [Responsibility.parse(text, where=where) for text in texts]
            activity = by_title.get(title.casefold())
            if activity is None:
                raise ConfigurationError(f"{where}: {title!r} is not a known activity title")
            if activity in rows:
                raise ConfigurationError(f"{where}: activity {title!r} appears twice")
            row = {role: cell for role, cell in zip(columns, groups, strict=True) if cell}
            try:
                _check_row(activity, row)
            except ConfigurationError as error:
                raise ConfigurationError(f"{where}: {error}") from None
            rows[activity] = row
        return cls(columns, tuple(rows), rows)

    def _row(self, activity: Activity) -> dict[Role, frozenset[Responsibility]]:
        try:
            return self.cells[activity]  # type: ignore[return-value]
        except KeyError:
            raise ConfigurationError(
                f"activity {_name(activity)} is not in the RACI matrix; expected one of "
                f"{', '.join(a.key for a in self.activities)}"
            ) from None

    def _with(self, activity: Activity, letter: Responsibility) -> frozenset[Role]:
        key = (activity, letter)
        found = self._answers.get(key)
        if found is None:
            found = frozenset(role for role, cell in self._row(activity).items() if letter in cell)
            self._answers[key] = found
        return found

    def letters(self, activity: Activity, role: Role) -> frozenset[Responsibility]:
        """Return the letters of one cell (empty when the role is not involved)."""
        if role not in self.roles:
            raise ConfigurationError(f"role {_name(role)} is not in the RACI matrix")
        return self._row(activity).get(role, frozenset())

    def accountable(self, activity: Activity) -> Role:
        """Return the one role accountable for `activity`."""
        (role,) = self._with(activity, Responsibility.A)
        return role

    def responsible(self, activity: Activity) -> frozenset[Role]:
        """Return the roles responsible for doing `activity`."""
        return self._with(activity, Responsibility.R)

    def consulted(self, activity: Activity) -> frozenset[Role]:
        """Return the roles consulted on `activity`."""
        return self._with(activity, Responsibility.C)

    def informed(self, activity: Activity) -> frozenset[Role]:
        """Return the roles informed of `activity`."""
        return self._with(activity, Responsibility.I)

    def duties(self, role: Role) -> dict[Activity, frozenset[Responsibility]]:
        """Return activity -> letters for every activity `role` is involved in."""
        if role not in self.roles:
            raise ConfigurationError(f"role {_name(role)} is not in the RACI matrix")
        return {
            activity: row[role]
            for activity in self.activities
            if role in (row := self.cells[activity])
        }

    def may_perform(self, role: Role, activity: Activity) -> bool:
        """Return whether `role` is R or A for `activity`."""
        cell = self.letters(activity, role)
        return Responsibility.R in cell or Responsibility.A in cell

    def performers(self, activity: Activity) -> frozenset[Role]:
        """Return the roles that may perform `activity` (R or A)."""
        key = (activity, None)
        found = self._answers.get(key)
        if found is None:
            found = self.responsible(activity) | {self.accountable(activity)}
            self._answers[key] = found
        return found

    def to_markdown(self) -> str:
        """Render the matrix as a Markdown table, in the seed's layout."""
        header = ["Process/roles", *(role.title for role in self.roles)]
        lines = [_markdown_row(header), _markdown_row(["---"] * len(header))]
        for activity in self.activities:
            row = self.cells[activity]
            groups = [_letters(row.get(role, frozenset())) for role in self.roles]
            lines.append(_markdown_row([activity.title, *groups]))
        return "\n".join(lines) + "\n"

    def _repr_html_(self) -> str:
        """Render the matrix as an HTML table for notebooks."""
        head = "".join(f"<th>{html.escape(role.title)}</th>" for role in self.roles)
        body = "".join(
            f"<tr><th>{html.escape(activity.title)}</th>"
            + "".join(
                f"<td>{_letters(self.cells[activity].get(role, frozenset()))}</td>"
                for role in self.roles
            )
            + "</tr>"
            for activity in self.activities
        )
        return (
            "<table><thead><tr><th>Process/roles</th>"
            f"{head}</tr></thead><tbody>{body}</tbody></table>"
        )

    def __eq__(self, other: object) -> bool:
        """Matrices are equal when they have the same roles, activities and cells, in order."""
        if not isinstance(other, RaciMatrix):
            return NotImplemented
        return (self.roles, self.activities, self.cells) == (
            other.roles,
            other.activities,
            other.cells,
        )

    def __hash__(self) -> int:
        """Hash by roles and activities."""
        return self._hash

    def __repr__(self) -> str:
        """Summarise the matrix's size."""
        return f"<RaciMatrix: {len(self.activities)} activities x {len(self.roles)} roles>"


def _name(item: object) -> str:
    key = getattr(item, "key", None)
    return repr(key) if isinstance(key, str) else repr(item)


def _unique(kind: str, items: tuple[object, ...], expected: type) -> None:
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, expected):
            raise ConfigurationError(f"RaciMatrix {kind} {item!r} is not a {expected.__name__}")
        key = item.key  # type: ignore[attr-defined]
        if key in seen:
            raise ConfigurationError(f"RaciMatrix names the {kind} {key!r} twice")
        seen.add(key)


def _check_row(activity: Activity, row: Mapping[Role, frozenset[Responsibility]]) -> None:
    accountable = sorted(role.key for role, cell in row.items() if Responsibility.A in cell)
    if len(accountable) != 1:
        found = ", ".join(accountable) if accountable else "none"
        raise ConfigurationError(
            f"activity {activity.key!r} ({activity.title}) needs exactly one Accountable role; "
            f"found {found}"
        )
    if not any(Responsibility.R in cell for cell in row.values()):
        raise ConfigurationError(
            f"activity {activity.key!r} ({activity.title}) has no Responsible role; "
            f"roles involved: {', '.join(sorted(role.key for role in row)) or 'none'}"
        )


def _markdown_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _split_row(line: str, columns: int) -> tuple[str, list[str]] | None:
    """Split a table line into a title and letter groups; None for lines without a row."""
    stripped = line.strip()
    if not stripped or stripped.startswith("*"):
        return None
    if stripped.startswith("|"):
        fields = [field.strip() for field in stripped.strip("|").split("|")]
        if all(set(field) <= set("-: ") for field in fields):
            return None
        title, groups = fields[0], fields[1:]
    else:
        fields = stripped.split()
        title, groups = " ".join(fields[:-columns]), fields[-columns:]
    if title.casefold().startswith("process/roles"):
        return None
    if len(groups) != columns or not title:
        raise ConfigurationError(
            f"line ({stripped!r}) does not hold a title and {columns} letter groups"
        )
    return title, groups


_SEED_TABLE: Final = """\
Declaring the major incident C A R C I I I
Informing stakeholders C A R I I I I
Assembling the MIT I R/A C C I C I
Setting up a conference bridge I A R C I C I
Preparing a designated war room I A R I I C I
Creating a problem ticket to identify underlying issues I A R C I I I
Implementing the resolution plan as a change I I I R A C C
Performing post-implementation review I C I R A C I
Producing clear documentation C A R C C C C
Measuring metrics I A R I I I C
"""

#: The seed's RACI table, cell for cell, over :data:`SEED_ROLES` and the seed's ten activities.
DEFAULT_RACI: Final = RaciMatrix.parse(_SEED_TABLE)


def _person(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"person ({value!r}) must be a non-empty string")
    return value


def _assumed_at(value: datetime | str) -> pendulum.DateTime:
    return instant(value, field="assumed_at")


def _renounced_at(value: datetime | str | None) -> pendulum.DateTime | None:
    return instant_or_none(value, "renounced_at")


@attrs.frozen
class Assignment:
    """One person holding one role from `assumed_at` (inclusive) until `renounced_at` (exclusive).

    Attributes:
        person: who.
        role: which role.
        assumed_at: when they took it.
        renounced_at: when they handed it over; None while they still hold it.
    """

    person: str = attrs.field(converter=_person)
    role: Role = attrs.field()
    assumed_at: pendulum.DateTime = attrs.field(converter=_assumed_at)
    renounced_at: pendulum.DateTime | None = attrs.field(default=None, converter=_renounced_at)

    @role.validator
    def _check_role(self, _attribute: object, value: object) -> None:
        if not isinstance(value, Role):
            raise ConfigurationError(f"role ({value!r}) is not a Role")

    def __attrs_post_init__(self) -> None:
        """A role is handed over no earlier than it was taken."""
        if self.renounced_at is not None and self.renounced_at < self.assumed_at:
            raise TimelineError(
                f"renounced_at ({self.renounced_at.isoformat()}) is before assumed_at "
                f"({self.assumed_at.isoformat()}) for {self.person!r} as {self.role.key!r}"
            )

    def holds_at(self, moment: datetime) -> bool:
        """Return whether the role is held at `moment`."""
        return self.assumed_at <= moment and (
            self.renounced_at is None or moment < self.renounced_at
        )


def _assignments(value: Iterable[Assignment]) -> tuple[Assignment, ...]:
    """Assignments of which no two of one person in one role overlap, as assign() ensures.

    Raises:
        ConfigurationError: something that is not an Assignment.
        TimelineError: a person holding one role twice at once, naming both spans.
    """
    assignments = tuple(value)
    spans: dict[tuple[str, str], list[Assignment]] = {}
    for held in assignments:
        if not isinstance(held, Assignment):
            raise ConfigurationError(f"assignments holds {held!r}, which is not an Assignment")
        spans.setdefault((held.person, held.role.key), []).append(held)
    for (person, role), spanned in spans.items():
        spanned.sort(key=lambda a: a.assumed_at)
        for before, after in itertools.pairwise(spanned):
            if before.renounced_at is None or before.renounced_at > after.assumed_at:
                raise TimelineError(
                    f"{person!r} holds role {role!r} twice at once: from "
                    f"{before.assumed_at.isoformat()} and from {after.assumed_at.isoformat()}"
                )
    return assignments


@attrs.frozen
class Roster:
    """Who holds which role, over time. Immutable: changes return a new roster.

    >>> roster = Roster().assign("ana", Role.MAJOR_INCIDENT_MANAGER, at="2019-07-02T13:00Z")
    >>> roster = roster.renounce("ana", Role.MAJOR_INCIDENT_MANAGER, at="2019-07-02T14:00Z")
    >>> roster = roster.assign("ben", Role.MAJOR_INCIDENT_MANAGER, at="2019-07-02T14:00Z")
    >>> sorted(roster.holders(Role.MAJOR_INCIDENT_MANAGER, at="2019-07-02T14:00Z"))
    ['ben']
    """

    assignments: tuple[Assignment, ...] = attrs.field(default=(), converter=_assignments)
    # Who held what when, by person and by role, in standard-library UTC datetimes: built on the
    # first query, as the workflow asks for every call it checks; never changed once published.
    _spans: dict[object, tuple[tuple[str, Role, datetime, datetime | None], ...]] | None = (
        attrs.field(init=False, default=None, eq=False, repr=False)
    )

    @classmethod
    def staffed(cls, people: Mapping[str, Role | Iterable[Role]], *, at: datetime | str) -> Roster:
        """Return a roster in which each person takes the given role or roles at `at`."""
        moment = instant(at, field="assumed_at")
        return cls(
            Assignment(person, role, moment)
            for person, roles in people.items()
            for role in ((roles,) if isinstance(roles, Role) else roles)
        )

    def assign(self, person: str, role: Role, *, at: datetime | str) -> Roster:
        """Return a roster in which `person` holds `role` from `at` on.

        Raises:
            ConfigurationError: an empty person or a value that is not a Role.
            TimelineError: the person already holds the role at or after `at`.
        """
        _person(person)
        if not isinstance(role, Role):
            raise ConfigurationError(f"role ({role!r}) is not a Role")
        moment = instant(at, field="assumed_at")
        for held in self.assignments:
            if (
                held.person == person
                and held.role == role
                and (held.renounced_at is None or held.renounced_at > moment)
            ):
                raise TimelineError(
                    f"{person!r} already holds role {role.key!r} from "
                    f"{held.assumed_at.isoformat()}; renounce it before assigning it again"
                )
        return Roster((*self.assignments, Assignment(person, role, moment)))

    def renounce(self, person: str, role: Role, *, at: datetime | str) -> Roster:
        """Return a roster in which `person` stops holding `role` at `at`.

        Raises:
            TimelineError: the person does not hold the role, or `at` is before they took it.
        """
        moment = instant(at, field="renounced_at")
        for index, held in enumerate(self.assignments):
            if held.person == person and held.role == role and held.renounced_at is None:
                if moment < held.assumed_at:
                    raise TimelineError(
                        f"renounced_at ({moment.isoformat()}) is before assumed_at "
                        f"({held.assumed_at.isoformat()}) for {person!r} as {role.key!r}"
                    )
                ended = attrs.evolve(held, renounced_at=moment)
                return Roster((*self.assignments[:index], ended, *self.assignments[index + 1 :]))
        raise TimelineError(f"{person!r} does not hold role {_name(role)}; nothing to renounce")

    def holders(self, role: Role, *, at: datetime | str) -> frozenset[str]:
        """Return the people who hold `role` at `at`."""
        moment = utc(at, field="at")
        return frozenset(
            person
            for person, _, start, end in self._spans_of(role)
            if start <= moment and (end is None or moment < end)
        )

    def roles_of(self, person: str, *, at: datetime | str) -> frozenset[Role]:
        """Return the roles `person` holds at `at`."""
        moment = utc(at, field="at")
        return frozenset(
            role
            for _, role, start, end in self._spans_of(person)
            if start <= moment and (end is None or moment < end)
        )

    def holds_any(self, person: str, roles: Container[Role | str], *, at: datetime | str) -> bool:
        """Whether `person` holds, at `at`, one of `roles` (given as roles or as their keys).

        The check behind every authorised call of the workflow: no set of roles is built, and
        `roles` may be any container (a frozenset of keys is the fastest).

        >>> from majorincident import Role
        >>> roster = Roster.staffed({"ana": Role.MAJOR_INCIDENT_MANAGER}, at="2024-01-01T09:00Z")
        >>> roster.holds_any("ana", {"major_incident_manager"}, at="2024-01-01T10:00Z")
        True
        >>> roster.holds_any("ana", [Role.CHANGE_MANAGER], at="2024-01-01T10:00Z")
        False

        Raises:
            NaiveDateTimeError: `at` has no UTC offset.
            TimelineError: `at` is not a usable timestamp.
        """
        moment = utc(at, field="at")
        for _, role, start, end in self._spans_of(person):
            if (
                (role.key in roles or role in roles)
                and start <= moment
                and (end is None or moment < end)
            ):
                return True
        return False

    def _spans_of(self, key: str | Role) -> tuple[tuple[str, Role, datetime, datetime | None], ...]:
        """The assignments of a person or of a role, with their bounds as standard datetimes."""
        spans = self._spans
        if spans is None:
            # Built whole, then published by one attribute store: another thread sees either
            # no index or a complete one, never a half-filled dict.
            grouped: dict[object, list[tuple[str, Role, datetime, datetime | None]]] = {}
            for a in self.assignments:
                end = None if a.renounced_at is None else utc(a.renounced_at)
                span = (a.person, a.role, utc(a.assumed_at), end)
                grouped.setdefault(a.person, []).append(span)
                grouped.setdefault(a.role, []).append(span)
            spans = {k: tuple(v) for k, v in grouped.items()}
            object.__setattr__(self, "_spans", spans)
        return spans.get(key, ())

    def history(self, person: str) -> tuple[Assignment, ...]:
        """Return every assignment of `person`, in the order they were taken."""
        return tuple(
            sorted(
                (a for a in self.assignments if a.person == person),
                key=lambda a: (a.assumed_at, a.role.key),
            )
        )

    @property
    def people(self) -> frozenset[str]:
        """Everyone who ever held a role."""
        return frozenset(a.person for a in self.assignments)
