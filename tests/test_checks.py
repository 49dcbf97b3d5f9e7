"""The checks every record shares read alike wherever a caller meets them.

A blank name and an unknown enum value are refused by one helper each, so the message has one
shape in every module, whichever error the module's domain raises. These tests go through the
public constructors and functions, not the helpers, so that a module that grows its own copy of
a check (with its own wording) fails here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum

import pytest

from majorincident.communication import Audience, AudiencePlan
from majorincident.errors import (
    ConfigurationError,
    MajorIncidentError,
    NotAuthorizedError,
    RecordError,
    TaskError,
    TransitionError,
)
from majorincident.escalation import EscalationKind, EscalationLevel
from majorincident.incident import (
    EXCLUDED_KINDS,
    HoldReason,
    Incident,
    IncidentKind,
    Milestone,
)
from majorincident.interop import from_pagerduty
from majorincident.kpi import MTTR, Metric
from majorincident.lifecycle import IncidentLifecycle, restore
from majorincident.process import Stage
from majorincident.roles import Role, Roster
from majorincident.workflow import MajorIncident

AT = datetime(2024, 3, 1, 9, tzinfo=UTC)
MIM = Role.MAJOR_INCIDENT_MANAGER


def _team() -> MajorIncident:
    incident = Incident("INC1", reported_at=AT, major=True)
    roster = Roster().assign("ana", MIM, at=AT)
    major, _ = MajorIncident.propose(incident, by="ana", at=AT, roster=roster)
    major.accept(by="ana", at=AT)
    return major


def _held(reason: object) -> None:
    restore(IncidentLifecycle, "in_progress").hold(reason=reason)


BLANK: list[tuple[Callable[[], object], type[MajorIncidentError], str]] = [
    (lambda: Incident("  ", reported_at=AT), RecordError, "id"),
    (lambda: Incident("INC1", reported_at=AT, problem_id=""), RecordError, "problem_id"),
    (lambda: Roster().assign("  ", MIM, at=AT), ConfigurationError, "person"),
    (lambda: _team().assign_task("  ", to="ana", by="ana", at=AT), TaskError, "title"),
    (lambda: _team().link("", by="ana", at=AT), TaskError, "child_id"),
    (lambda: _team().advance(by=" ", at=AT), NotAuthorizedError, "by"),
    (lambda: from_pagerduty({"id": " "}, []), RecordError, "id"),
]


@pytest.mark.parametrize(("call", "error", "field"), BLANK)
def test_a_blank_name_is_refused_alike(
    call: Callable[[], object], error: type[MajorIncidentError], field: str
) -> None:
    """Each module names the field and the value, and says what it wanted, in the same words."""
    with pytest.raises(error, match=rf"^{field} \('\s*'\) must be a non-empty string$"):
        call()


@pytest.mark.parametrize(
    ("call", "kind"),
    [
        (lambda: Stage("", "Empty"), "Stage.key"),
        (lambda: Stage("triage", " Triage"), "Stage.title"),
        (lambda: Role("mim ", "MIM"), "Role.key"),
    ],
)
def test_a_key_with_spaces_is_refused_alike(call: Callable[[], object], kind: str) -> None:
    """Keys and titles of the process and the roles share one rule: no surrounding spaces."""
    with pytest.raises(
        ConfigurationError,
        match=rf"^{kind} \(.*\) must be a non-empty string without leading or trailing spaces$",
    ):
        call()


UNKNOWN: list[tuple[Callable[[], object], type[MajorIncidentError], str, type[Enum]]] = [
    (lambda: Incident("INC1", reported_at=AT, kind="exercise"), RecordError, "kind", IncidentKind),
    (lambda: Metric("x", "fixed", "resolved"), ConfigurationError, "milestone", Milestone),
    (lambda: _held("lunch"), TransitionError, "reason", HoldReason),
    (lambda: AudiencePlan("everyone"), RecordError, "audience", Audience),
    (lambda: EscalationLevel(AT - AT, MIM, kind="fax"), RecordError, "kind", EscalationKind),
]


@pytest.mark.parametrize(("call", "error", "field", "kind"), UNKNOWN)
def test_an_unknown_value_is_refused_alike(
    call: Callable[[], object], error: type[MajorIncidentError], field: str, kind: type[Enum]
) -> None:
    """The field, the value, the enum and every value it has: one sentence everywhere."""
    with pytest.raises(error) as refused:
        call()
    values = ", ".join(repr(member.value) for member in kind)
    assert re.fullmatch(
        rf"{field} \(.*\) is not an? {kind.__name__}; expected one of {re.escape(values)}",
        str(refused.value),
    )


def test_an_unhashable_value_is_refused_not_crashed() -> None:
    """A list where an enum value belongs is the library's error, not a TypeError."""
    with pytest.raises(RecordError, match=r"^kind \(\[\]\) is not an IncidentKind"):
        Incident("INC1", reported_at=AT, kind=[])  # type: ignore[arg-type]


def test_milestone_index_is_the_slot_in_instants() -> None:
    """Milestone.index places each milestone where Incident.instants holds it, in order."""
    moments = {m: datetime(2024, 3, 1, n, tzinfo=UTC) for n, m in enumerate(Milestone)}
    incident = Incident("INC1", **{m.field: at for m, at in moments.items()})  # type: ignore[arg-type]
    assert [m.index for m in Milestone] == list(range(len(Milestone)))
    for milestone, moment in moments.items():
        assert moment == incident.instants[milestone.index]


def test_the_kpis_leave_out_the_documented_kinds() -> None:
    """Metrics leave out tests and drills by default, the one set the trend and outages use."""
    assert frozenset({IncidentKind.TEST, IncidentKind.DRILL}) == EXCLUDED_KINDS
    assert EXCLUDED_KINDS == MTTR.exclude_kinds


def test_milestone_properties_read_off_the_class_document_themselves() -> None:
    """``Incident.resolved_at`` on the class is the descriptor, with its docstring for help()."""
    descriptor = Incident.resolved_at
    assert descriptor is Incident.__dict__["resolved_at"]
    assert descriptor.index == Milestone.RESOLVED.index
    assert (descriptor.__doc__ or "").startswith("When service was restored")
