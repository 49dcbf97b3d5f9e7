"""Priority matrices: impact x urgency -> priority, validated for completeness and monotonicity."""

from __future__ import annotations

import contextlib
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Generic, TypeVar, cast

import attrs

from majorincident._frozen import FrozenDict
from majorincident._tables import html_table, markdown_table
from majorincident.classification.levels import Impact, Priority, Urgency
from majorincident.errors import ClassificationError, ConfigurationError

__all__ = ["PriorityMatrix"]

I = TypeVar("I", bound=Hashable)  # noqa: E741 - impact, as the matrices are written
U = TypeVar("U", bound=Hashable)
P = TypeVar("P", bound=Hashable)


def _label(level: object) -> str:
    return getattr(level, "name", None) or str(level)


def _levels(kind: str, values: Sequence[Any]) -> tuple[Any, ...]:
    levels = tuple(values)
    if not levels:
        raise ConfigurationError(f"PriorityMatrix.{kind} is empty")
    if len(set(levels)) != len(levels):
        raise ConfigurationError(f"PriorityMatrix.{kind} ({levels!r}) repeats a level")
    return levels


def _impacts(values: Sequence[Any]) -> tuple[Any, ...]:
    return _levels("impacts", values)


def _urgencies(values: Sequence[Any]) -> tuple[Any, ...]:
    return _levels("urgencies", values)


def _priorities(values: Sequence[Any]) -> tuple[Any, ...]:
    return _levels("priorities", values)


def _cells(value: Mapping[Any, Any]) -> dict[Any, Any]:
    if not isinstance(value, Mapping):
        raise ConfigurationError(f"PriorityMatrix.cells ({value!r}) is not a mapping")
    return FrozenDict(value)


@attrs.frozen(repr=False)
class PriorityMatrix(Generic[I, U, P]):
    """Impact x urgency -> priority over any ordered levels.

    Levels are listed most severe first. The matrix is validated when built: every cell is filled
    with one of `priorities`, and raising impact or urgency never gives a less severe priority.

    Args:
        impacts: the impact levels, most severe first.
        urgencies: the urgency levels, most severe first.
        priorities: the priority levels, most severe first.
        cells: (impact, urgency) -> priority.

    Raises:
        ConfigurationError: an empty or repeated level list, a missing or unknown cell, or a
            cell less severe than one below it in impact or urgency; the message names the cell.

    >>> PriorityMatrix.itil().priority(Impact.HIGH, Urgency.MEDIUM)
    <Priority.P2: 'P2'>
    """

    impacts: tuple[I, ...] = attrs.field(converter=_impacts)
    urgencies: tuple[U, ...] = attrs.field(converter=_urgencies)
    priorities: tuple[P, ...] = attrs.field(converter=_priorities)
    cells: Mapping[tuple[I, U], P] = attrs.field(converter=_cells)

    def __attrs_post_init__(self) -> None:
        """Check completeness and monotonicity."""
        _check_cells(self.impacts, self.urgencies, self.priorities, self.cells)

    @classmethod
    def itil(cls) -> PriorityMatrix[Impact, Urgency, Priority]:
        """The common ITIL matrix: priority = impact rank + urgency rank - 1.

        HIGH/HIGH is P1, HIGH/MEDIUM and MEDIUM/HIGH are P2, ... LOW/LOW is P5.
        """
        return PriorityMatrix(
            tuple(Impact),
            tuple(Urgency),
            tuple(Priority),
            {
                (impact, urgency): Priority.parse(impact.code + urgency.code - 1)
                for impact in Impact
                for urgency in Urgency
            },
        )

    @classmethod
    def from_rows(
        cls,
        rows: Sequence[Sequence[P]],
        *,
        impacts: Sequence[I],
        urgencies: Sequence[U],
        priorities: Sequence[P],
    ) -> PriorityMatrix[I, U, P]:
        """Build a matrix from rows (one per impact) of priorities (one per urgency)."""
        table = [tuple(row) for row in rows]
        if len(table) != len(impacts) or any(len(row) != len(urgencies) for row in table):
            raise ConfigurationError(
                f"rows must be {len(impacts)} rows (impacts) of {len(urgencies)} priorities "
                "(urgencies)"
            )
        cells = {
            (impact, urgency): priority
            for impact, row in zip(impacts, table, strict=True)
            for urgency, priority in zip(urgencies, row, strict=True)
        }
        return cls(impacts, urgencies, priorities, cells)

    def priority(self, impact: I | object, urgency: U | object) -> P:
        """Return the priority of a cell.

        Impact and urgency may be given in any form their level type's ``parse`` accepts.

        Raises:
            ClassificationError: a level that is not in the matrix, naming it.
        """
        try:
            return self.cells[(impact, urgency)]  # type: ignore[index]
        except (KeyError, TypeError):
            pass
        impact = _coerce(impact, self.impacts, "impact")
        urgency = _coerce(urgency, self.urgencies, "urgency")
        return self.cells[(impact, urgency)]  # type: ignore[index]

    def to_markdown(self) -> str:
        """Render as a Markdown table: a row per impact, a column per urgency."""
        return markdown_table(*self._table())

    def _repr_html_(self) -> str:
        """Render as an HTML table for notebooks."""
        return html_table(*self._table(), row_headers=True)

    def _table(self) -> tuple[list[str], list[list[str]]]:
        header = ["Impact \\ Urgency", *(_label(u) for u in self.urgencies)]
        rows = [
            [_label(impact), *(_label(self.cells[(impact, u)]) for u in self.urgencies)]
            for impact in self.impacts
        ]
        return header, rows

    def __repr__(self) -> str:
        """Summarise the matrix's shape."""
        return f"<PriorityMatrix: {len(self.impacts)} impacts x {len(self.urgencies)} urgencies>"


def _coerce(value: object, levels: tuple[object, ...], field: str) -> object:
    if value in levels:
        return value
    parse = getattr(type(levels[0]), "parse", None)
    if parse is not None:
        with contextlib.suppress(ClassificationError):  # refused below, naming the field
            parsed = parse(value)
            if parsed in levels:
                return parsed
    allowed = ", ".join(_label(level) for level in levels)
    raise ClassificationError(
        f"{field} ({value!r}) is not a level of this matrix; expected {allowed}"
    )


def _check_cells(
    impacts: tuple[Any, ...],
    urgencies: tuple[Any, ...],
    priorities: tuple[Any, ...],
    cells: Mapping[tuple[Any, Any], Any],
) -> None:
    """Every cell filled with a known priority; more impact or urgency never less severe."""
    rank = {priority: index for index, priority in enumerate(priorities)}
    for key in cast("Mapping[object, object]", cells):
        if not (
            isinstance(key, tuple) and len(key) == 2 and key[0] in impacts and key[1] in urgencies
        ):
            raise ConfigurationError(
                f"cell {key!r} is not an (impact, urgency) pair of this matrix"
            )
    for i, impact in enumerate(impacts):
        for u, urgency in enumerate(urgencies):
            where = f"cell (impact {_label(impact)}, urgency {_label(urgency)})"
            if (impact, urgency) not in cells:
                raise ConfigurationError(f"{where} is empty; every cell needs a priority")
            priority = cells[(impact, urgency)]
            if priority not in rank:
                raise ConfigurationError(
                    f"{where} holds {priority!r}, which is not one of the priorities"
                )
            for neighbour, what in (((i + 1, u), "impact"), ((i, u + 1), "urgency")):
                if neighbour[0] >= len(impacts) or neighbour[1] >= len(urgencies):
                    continue
                lower = cells.get((impacts[neighbour[0]], urgencies[neighbour[1]]))
                if lower in rank and rank[lower] < rank[priority]:
                    raise ConfigurationError(
                        f"{where} is {_label(priority)}, less severe than "
                        f"{_label(lower)} at a lower {what} "
                        f"(impact {_label(impacts[neighbour[0]])}, urgency "
                        f"{_label(urgencies[neighbour[1]])}); raising {what} must never lower "
                        "the priority"
                    )
