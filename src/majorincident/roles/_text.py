"""RACI tables as text: read as the seed prints them, or as Markdown, each row checked."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from majorincident.errors import ConfigurationError
from majorincident.process import Activity
from majorincident.roles._role import Responsibility, Role


def check_row(activity: Activity, row: Mapping[Role, frozenset[Responsibility]]) -> None:
    """Refuse a row without exactly one Accountable role or without a Responsible one."""
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


def split_row(line: str, columns: int) -> tuple[str, list[str]] | None:
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


def read_table(
    text: str, columns: tuple[Role, ...], activities: Iterable[Activity]
) -> dict[Activity, dict[Role, frozenset[Responsibility]]]:
    """The rows of a RACI table in text, each checked: see :meth:`RaciMatrix.parse`.

    Raises:
        ConfigurationError: naming the line.
    """
    by_title = {activity.title.casefold(): activity for activity in activities}
    rows: dict[Activity, dict[Role, frozenset[Responsibility]]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"line {number} ({line.strip()!r})"
        try:
            split = split_row(line, len(columns))
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
            check_row(activity, row)
        except ConfigurationError as error:
            raise ConfigurationError(f"{where}: {error}") from None
        rows[activity] = row
    return rows
