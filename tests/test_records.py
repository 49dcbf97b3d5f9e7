"""Every public record validates in its constructor, so documents are checked the same way.

Reliability checks 6 and 8 for every record type, and the refusals an audit found.
"""

from __future__ import annotations

import typing
from datetime import UTC, datetime
from typing import Any

import attrs
import pendulum
import pytest
from tests.test_serialization import EXAMPLES

from majorincident.errors import (
    ConfigurationError,
    MajorIncidentError,
    NaiveDateTimeError,
    RecordError,
    TimelineError,
)
from majorincident.review import ActionItemStats, action_item_stats
from majorincident.roles import Assignment, Role, Roster
from majorincident.serialization import TYPES, from_dict, to_dict


def _instant_fields() -> list[tuple[str, str]]:
    """(record type, field) for every field of a record that holds an instant."""
    found = []
    for name, kind in TYPES.items():
        if not attrs.has(kind):
            continue
        hints = typing.get_type_hints(kind)
        for field in attrs.fields(kind):
            hint = hints[field.name]
            if field.init and pendulum.DateTime in (hint, *typing.get_args(hint)):
                found.append((name, field.name))
    return found


INSTANT_FIELDS = _instant_fields()
NAIVE = datetime(2024, 1, 1, 10, 0)
TOO_EARLY = datetime(1900, 1, 1, tzinfo=UTC)


class TestInstantsInEveryRecord:
    def test_the_fields_are_found(self) -> None:
        """The records holding instants are the ones expected, so the tests below bite."""
        names = {name for name, _ in INSTANT_FIELDS}
        assert {
            "event",
            "assignment",
            "task",
            "trend_row",
            "sla_status",
            "page",
            "status_update",
            "action_item",
        } <= names

    @pytest.mark.parametrize(("name", "field"), INSTANT_FIELDS)
    def test_naive_is_refused(self, name: str, field: str) -> None:
        """A naive datetime raises NaiveDateTimeError naming the field."""
        with pytest.raises(NaiveDateTimeError, match=rf"^{field}\b"):
            attrs.evolve(EXAMPLES[name], **{field: NAIVE})

    @pytest.mark.parametrize(("name", "field"), INSTANT_FIELDS)
    def test_out_of_range_is_refused(self, name: str, field: str) -> None:
        """An instant before 1970 raises TimelineError naming the field."""
        with pytest.raises(TimelineError, match=rf"^{field}\b"):
            attrs.evolve(EXAMPLES[name], **{field: TOO_EARLY})

    @pytest.mark.parametrize(("name", "field"), INSTANT_FIELDS)
    def test_documents_are_refused(self, name: str, field: str) -> None:
        """The same in a document: RecordError with the path."""
        document = to_dict(EXAMPLES[name])
        document[field] = "2024-01-01T10:00:00"

        with pytest.raises(RecordError, match=rf"^\$\.{field}\b"):
            from_dict(document)

    @pytest.mark.parametrize(
        ("name", "field"), [(n, f) for n, f in INSTANT_FIELDS if getattr(EXAMPLES[n], f)]
    )
    def test_stored_as_pendulum_in_utc(self, name: str, field: str) -> None:
        """The same instant given as a standard datetime in Berlin is stored in UTC, pendulum."""
        kept = getattr(EXAMPLES[name], field)
        berlin = datetime.fromisoformat(kept.in_timezone("Europe/Berlin").isoformat())

        stored = getattr(attrs.evolve(EXAMPLES[name], **{field: berlin}), field)

        assert pendulum.DateTime is type(stored)
        assert "UTC" == stored.tzinfo.name
        assert kept == stored


AT = datetime(2024, 1, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (
            lambda: Assignment(
                "ana", Role.MAJOR_INCIDENT_MANAGER, AT, datetime(2023, 1, 1, tzinfo=UTC)
            ),
            TimelineError,
            r"^renounced_at \(2023-01-01T00:00:00\+00:00\) is before assumed_at",
        ),
        (lambda: Assignment("", Role.MAJOR_INCIDENT_MANAGER, AT), ConfigurationError, "^person"),
        (lambda: Assignment("ana", "manager", AT), ConfigurationError, r"^role \('manager'\)"),
        (
            lambda: Roster(
                [
                    Assignment("ana", Role.MAJOR_INCIDENT_MANAGER, AT),
                    Assignment("ana", Role.MAJOR_INCIDENT_MANAGER, AT.replace(hour=11)),
                ]
            ),
            TimelineError,
            r"^'ana' holds role 'major_incident_manager' twice at once",
        ),
        (lambda: Roster(["ana"]), ConfigurationError, r"^assignments holds 'ana'"),
        (
            lambda: attrs.evolve(EXAMPLES["trend_row"], count=-5),
            RecordError,
            r"^count \(-5\) must be a whole number",
        ),
        (
            lambda: attrs.evolve(EXAMPLES["trend_row"], p_value=7.0),
            RecordError,
            r"^p_value \(7\.0\) must be a probability",
        ),
        (
            lambda: attrs.evolve(EXAMPLES["trend_row"], rate_per_day=float("nan")),
            RecordError,
            r"^rate_per_day \(nan\) must be a finite number",
        ),
        (
            lambda: attrs.evolve(EXAMPLES["trend_row"], end=EXAMPLES["trend_row"].start),
            TimelineError,
            r"^end .* is not after start",
        ),
        (lambda: attrs.evolve(EXAMPLES["task"], id=""), RecordError, r"^id \(''\) must be"),
        (
            lambda: attrs.evolve(
                EXAMPLES["task"], done_at=EXAMPLES["task"].assigned_at.subtract(hours=1)
            ),
            TimelineError,
            r"^done_at .* is before assigned_at",
        ),
        (lambda: ActionItemStats(1, 2, 3, 1.0), RecordError, r"^counts \(total 1, open 2"),
        (lambda: ActionItemStats(3, 2, 1, 0.9), RecordError, r"^overdue_share \(0\.9\)"),
        (lambda: ActionItemStats(3, 0, 0, 0.5), RecordError, r"^overdue_share \(0\.5\)"),
        (lambda: action_item_stats([], at=NAIVE), NaiveDateTimeError, r"^at \("),
        (lambda: attrs.evolve(EXAMPLES["page"], level=0), RecordError, r"^level \(0\) must be"),
        (
            lambda: attrs.evolve(EXAMPLES["page"], kind="sideways"),
            RecordError,
            r"^kind \('sideways'\)",
        ),
        (
            lambda: attrs.evolve(EXAMPLES["status_update"], audience="everyone"),
            RecordError,
            r"^audience \('everyone'\) is not an Audience; expected one of",
        ),
        (
            lambda: attrs.evolve(EXAMPLES["sla_status"], target="lunch"),
            RecordError,
            r"^target \('lunch'\)",
        ),
        (
            lambda: attrs.evolve(EXAMPLES["sla_status"], elapsed=pendulum.duration(seconds=-1)),
            RecordError,
            r"^elapsed .* must be a duration of at least 0",
        ),
        (
            lambda: attrs.evolve(EXAMPLES["comparison"], verdict="maybe"),
            RecordError,
            r"^verdict \('maybe'\) must be '(real change|cannot tell from chance)' when conclusive",
        ),
        (
            lambda: attrs.evolve(EXAMPLES["trend_row"], verdict="real change"),
            RecordError,
            r"^verdict \('real change'\) must be None for adjusted_p_value \(None\)",
        ),
        (
            lambda: attrs.evolve(
                EXAMPLES["trend_row"], p_value=0.01, adjusted_p_value=0.2, verdict="real change"
            ),
            RecordError,
            r"^verdict \('real change'\) must be 'cannot tell from chance' for adjusted_p_value",
        ),
        (
            lambda: attrs.evolve(
                EXAMPLES["trend_row"], p_value=0.5, adjusted_p_value=0.2, verdict="real change"
            ),
            RecordError,
            r"^adjusted_p_value \(0\.2\) must be at least p_value \(0\.5\)",
        ),
        (
            lambda: attrs.evolve(EXAMPLES["trend_row"], adjusted_p_value=0.2),
            RecordError,
            r"^adjusted_p_value \(0\.2\) must be at least p_value \(None\)",
        ),
        (
            lambda: attrs.evolve(EXAMPLES["trend_row"], detectable_rise=3.0),
            RecordError,
            r"^detectable_rise \(3\.0\) must be a factor of at least 1, and only beside a test",
        ),
        (
            lambda: attrs.evolve(
                EXAMPLES["trend_row"],
                p_value=0.5,
                adjusted_p_value=0.5,
                verdict="cannot tell from chance",
                detectable_rise=0.5,
            ),
            RecordError,
            r"^detectable_rise \(0\.5\) must be a factor of at least 1",
        ),
        (
            lambda: attrs.evolve(EXAMPLES["trend_row"], rate_per_day=123.0),
            RecordError,
            r"^rate_per_day \(123\.0\) is not count / days",
        ),
        (
            lambda: attrs.evolve(EXAMPLES["sla_status"], limit=pendulum.duration()),
            RecordError,
            r"^limit .* must be a positive duration",
        ),
        (
            lambda: attrs.evolve(EXAMPLES["sla_status"], breached="no"),
            RecordError,
            r"^breached \('no'\) must be True or False",
        ),
    ],
)
def test_nonsense_is_refused(build: Any, error: type[MajorIncidentError], message: str) -> None:
    """Each record refuses what cannot be, with the library's error naming the field."""
    with pytest.raises(error, match=message):
        build()
