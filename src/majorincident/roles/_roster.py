"""The roster: which person holds which role, over time, with hand-overs."""

from __future__ import annotations

import itertools
from collections.abc import Container, Iterable, Mapping
from datetime import UTC, datetime

import attrs
import pendulum

from majorincident._checks import instant_or_none, nonempty
from majorincident.clock import instant, utc
from majorincident.errors import ConfigurationError, TimelineError
from majorincident.roles._role import Role, key_name


def _person(value: object) -> str:
    return nonempty(value, "person", ConfigurationError)


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
        raise TimelineError(f"{person!r} does not hold role {key_name(role)}; nothing to renounce")

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
        # The workflow passes standard UTC datetimes: taken as they are, as utc() would.
        moment = at if type(at) is datetime and at.tzinfo is UTC else utc(at, field="at")
        for _, role, start, end in self._spans_of(person):
            if (
                start <= moment
                and (end is None or moment < end)
                and (role.key in roles or role in roles)
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
