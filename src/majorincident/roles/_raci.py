"""The RACI matrix: activity x role -> R, A, C, I, validated when built; the seed's own."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

import attrs

from majorincident._checks import keyed
from majorincident._frozen import FrozenDict
from majorincident._tables import html_table, markdown_table
from majorincident.errors import ConfigurationError
from majorincident.process import SEED_ACTIVITIES, Activity
from majorincident.roles._role import SEED_ROLES, Responsibility, Role, key_name, letters_text
from majorincident.roles._text import check_row, read_table

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
        keyed(self.roles, Role, "RaciMatrix.roles")
        keyed(self.activities, Activity, "RaciMatrix.activities")
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
                    f"activity {key_name(activity)} is not one of the matrix's activities"
                )
            if not isinstance(row, Mapping):
                raise ConfigurationError(
                    f"activity {activity.key!r}: row {row!r} is not a mapping of role -> letters"
                )
            for role, value in row.items():
                if role not in roles:
                    raise ConfigurationError(
                        f"activity {activity.key!r} names role {key_name(role)}, "
                        "which is not one of the matrix's roles"
                    )
                cell = _cell(value, where=f"activity {activity.key!r}, role {role.key!r}")
                if cell:
                    table[activity][role] = cell
        for activity, row in table.items():
            check_row(activity, row)
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
        rows = read_table(text, columns, activities)
        return cls(columns, tuple(rows), rows)

    def _row(self, activity: Activity) -> dict[Role, frozenset[Responsibility]]:
        try:
            return self.cells[activity]  # type: ignore[return-value]
        except KeyError:
            raise ConfigurationError(
                f"activity {key_name(activity)} is not in the RACI matrix; expected one of "
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
            raise ConfigurationError(f"role {key_name(role)} is not in the RACI matrix")
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
            raise ConfigurationError(f"role {key_name(role)} is not in the RACI matrix")
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
        return markdown_table(*self._table())

    def _repr_html_(self) -> str:
        """Render the matrix as an HTML table for notebooks."""
        return html_table(*self._table(), row_headers=True)

    def _table(self) -> tuple[list[str], list[list[str]]]:
        header = ["Process/roles", *(role.title for role in self.roles)]
        rows = [
            [
                activity.title,
                *(letters_text(self.cells[activity].get(role, frozenset())) for role in self.roles),
            ]
            for activity in self.activities
        ]
        return header, rows

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
