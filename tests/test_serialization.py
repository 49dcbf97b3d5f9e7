"""Tests for majorincident.serialization: versioned, strict JSON documents for every record."""

from __future__ import annotations

import contextlib
import copy
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import holidays
import jsonschema
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from majorincident import serialization
from majorincident.classification import (
    Assessment,
    MajorIncidentPolicy,
    PriorityMatrix,
    TicketReport,
)
from majorincident.clock import Calendar
from majorincident.communication import DEFAULT_PLAN, update_schedule
from majorincident.errors import NaiveDateTimeError, RecordError
from majorincident.escalation import EscalationLevel, EscalationPolicy
from majorincident.incident import Event, Hold, Incident
from majorincident.kpi import (
    CANNOT_TELL,
    MTTA,
    MTTR,
    REAL_CHANGE,
    compare,
    report,
    summarize,
    trend,
)
from majorincident.kpi.power import interval_detectable
from majorincident.process import SEED_PROCESS, Activity, Stage
from majorincident.review import ActionItem, PostIncidentReview, action_item_stats
from majorincident.roles import DEFAULT_RACI, SEED_ROLES, Role, Roster
from majorincident.serialization import (
    TYPES,
    _codecs,
    _records,
    from_dict,
    from_json,
    json_schema,
    to_dict,
    to_json,
)
from majorincident.sla import SlaPolicy, sla_status
from majorincident.testing import (
    calendars,
    incidents,
    major_incidents,
    priority_matrices,
    processes,
    raci_matrices,
    rosters,
    timelines,
)
from majorincident.workflow import MajorIncident, Step

GOLDEN = Path(__file__).parent / "golden"
AT = datetime(2019, 7, 2, 13, 45, tzinfo=UTC)
PEOPLE = {
    "sam": Role.SERVICE_DESK_TECHNICIAN,
    "matthew": Role.MAJOR_INCIDENT_MANAGER,
    "mia": Role.MAJOR_INCIDENT_TEAM,
    "tom": Role.TECHNICAL_STAFF,
}
ROSTER = Roster.staffed(PEOPLE, at=AT - timedelta(hours=4)).renounce(
    "tom", Role.TECHNICAL_STAFF, at=AT + timedelta(hours=8)
)
CLOUDFLARE = Incident(
    "CF-2019-07-02",
    title="502 errors on every Cloudflare domain",
    service="cdn",
    affected_services={"cdn", "waf"},
    channel="monitoring",
    impact="high",
    urgency="high",
    priority="P1",
    started_at="2019-07-02T13:42:00Z",
    detected_at="2019-07-02T13:45:00Z",
    reported_at="2019-07-02T15:45:00+02:00",
)


def cloudflare() -> MajorIncident:
    """The seed's major incident, declared, worked and resolved, with a task and a link."""
    major, _ = MajorIncident.declare(CLOUDFLARE, by="matthew", at=AT, roster=ROSTER)
    minute = iter(range(1, 100))

    def at() -> datetime:
        return AT + timedelta(minutes=next(minute))

    major.perform(Activity.INFORM_STAKEHOLDERS, by="mia", at=at(), channel="status page")
    major.link("INC-4711", by="sam", at=at())
    major.advance(by="matthew", at=at())
    major.assign_task(
        "Roll back the WAF rule", to="tom", by="matthew", at=at(), due=AT + timedelta(hours=1)
    )
    for activity in (Activity.ASSEMBLE_TEAM, Activity.SET_UP_BRIDGE, Activity.PREPARE_WAR_ROOM):
        major.perform(
            activity, by="matthew" if activity is Activity.ASSEMBLE_TEAM else "mia", at=at()
        )
    major.perform(Activity.CREATE_PROBLEM, by="mia", at=at(), problem_id="PRB0040001")
    major.complete_task("T1", by="tom", at=at())
    major.advance(by="matthew", at=at())
    major.perform(Activity.IMPLEMENT_CHANGE, by="tom", at=at(), change_id="CHG0030002")
    major.advance(by="matthew", at=at())
    return major


def examples() -> dict[str, object]:
    """One value of every record type documents hold, built by the library itself."""
    major = cloudflare()
    record = major.incident
    as_of = AT + timedelta(days=1)
    sla = SlaPolicy(
        response={"P1": timedelta(minutes=15), "P2": timedelta(hours=1)},
        resolution={"P1": timedelta(hours=4), "P2": timedelta(hours=8)},
        calendar=Calendar("Europe/London", {0: [("09:00", "17:30")]}, {date(2019, 12, 25)}),
    )
    escalation = EscalationPolicy(
        [
            EscalationLevel(timedelta(minutes=5), [Role.MAJOR_INCIDENT_MANAGER, "on-call"]),
            EscalationLevel(timedelta(minutes=15), ["cto"], kind="hierarchical"),
        ],
        repeats=1,
        round_gap=timedelta(minutes=30),
    )
    review = PostIncidentReview(
        record,
        impact="Every proxied domain returned 502 for 27 minutes.",
        root_cause="A WAF rule with a regular expression that backtracked without bound.",
        fix="Global WAF kill, then the rule fixed and re-enabled.",
        timeline=major.timeline[:3],
        action_items=[ActionItem("Bound regex run time", "tom", AT + timedelta(days=14))],
        lessons=["Stage rule deployments"],
    )
    steps = Step(major.timeline[:2], (), ("INC-4711",))
    return {
        "incident": record,
        "hold": Hold("2019-07-02T14:00:00Z", "2019-07-02T14:05:30.25Z", "awaiting_vendor"),
        "event": major.timeline[1],
        "timeline": major.timeline,
        "stage": Stage("triage", "Triage"),
        "activity": Activity.DECLARE,
        "process": SEED_PROCESS,
        "role": Role.MAJOR_INCIDENT_MANAGER,
        "raci_matrix": DEFAULT_RACI,
        "assignment": ROSTER.assignments[0],
        "roster": ROSTER,
        "task": major.tasks[0],
        "step": steps,
        "notification": major.perform(
            Activity.REVIEW, by="tom", at=AT + timedelta(hours=2)
        ).notifications[0],
        "priority_matrix": PriorityMatrix.itil(),
        "assessment": Assessment(
            impact="high", priority="P1", services={"cdn"}, affected_share=0.8, loss_per_hour=1e5
        ),
        "surge_report": TicketReport("INC-1", AT, "cdn", "phone"),
        "calendar": sla.calendar,
        "metric": MTTA,
        "summary": summarize([record], MTTR, as_of=as_of),
        "comparison": compare([record], [record], MTTR, as_of=as_of, seed=1, resamples=100),
        "report_row": report([record], as_of=as_of).rows[0],
        "kpi_report": report([record], by=("service", "priority"), every="month", as_of=as_of),
        "trend_row": trend([record], start="2019-07-01T00:00Z", end="2019-08-01T00:00Z")[0],
        "sla_policy": sla,
        "sla_status": sla_status(record, sla, at=as_of)[0],
        "escalation_level": escalation.levels[0],
        "escalation_policy": escalation,
        "page": escalation.simulate(AT)[0],
        "audience_plan": DEFAULT_PLAN.entries[0],
        "communication_plan": DEFAULT_PLAN,
        "status_update": update_schedule(
            attrs.evolve(CLOUDFLARE, major=True),
            DEFAULT_PLAN,
            sent=[],
            until=AT + timedelta(hours=4),
        )[0],
        "action_item": review.action_items[0],
        "action_item_stats": action_item_stats([review], at=as_of),
        "post_incident_review": review,
    }


EXAMPLES = examples()


def through_json(value: object) -> object:
    """Serialise with real json.dumps, read back with json.loads, then load."""
    return from_dict(json.loads(json.dumps(to_dict(value))))


class TestRoundTrip:
    def test_every_record_type_has_an_example(self) -> None:
        """The examples cover every type a document can hold."""
        assert set(EXAMPLES) == set(TYPES)

    @pytest.mark.parametrize("name", sorted(EXAMPLES))
    def test_example(self, name: str) -> None:
        """Every record type comes back equal, and its document carries version and type."""
        value = EXAMPLES[name]
        document = to_dict(value)
        assert document["schema_version"] == serialization.SCHEMA_VERSION
        assert document["type"] == name
        assert through_json(value) == value
        assert from_json(to_json(value), name if name == "timeline" else TYPES[name]) == value

    @pytest.mark.parametrize("name", sorted(EXAMPLES))
    def test_documents_validate_against_their_schema(self, name: str) -> None:
        """json_schema is valid draft 2020-12 and accepts what to_dict writes."""
        schema = json_schema(name if name == "timeline" else TYPES[name])
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.validate(to_dict(EXAMPLES[name]), schema)

    def test_schemas_are_the_published_ones(self) -> None:
        """Every record type's schema is, key for key, the one published for this version.

        The schemas are a contract other tools validate against: a change shows here, and
        goes with a new schema version.
        """
        name = f"json-schema-v{serialization.SCHEMA_VERSION}.json"
        published = json.loads((GOLDEN / name).read_text(encoding="utf-8"))

        assert sorted(TYPES) == sorted(published)
        for name, kind in TYPES.items():
            assert published[name] == json_schema(name if name == "timeline" else kind), name

    def test_schema_refuses_an_extra_key(self) -> None:
        """The schema is as strict as from_dict about unknown keys."""
        document = {**to_dict(EXAMPLES["hold"]), "colour": "red"}
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(document, json_schema(Hold))

    def test_timestamps_are_utc_iso_and_come_back_as_pendulum(self) -> None:
        """Instants are written in UTC and read back as pendulum DateTimes."""
        document = to_dict(CLOUDFLARE)
        assert document["reported_at"] == "2019-07-02T13:45:00+00:00"
        loaded = from_json(to_json(CLOUDFLARE), Incident)
        assert type(loaded.reported_at) is pendulum.DateTime
        event = from_json(to_json(EXAMPLES["event"]), Event)
        assert type(event.at) is pendulum.DateTime

    def test_durations_are_seconds(self) -> None:
        """Durations are seconds; pendulum Durations come back where declared."""
        document = to_dict(EXAMPLES["sla_policy"])
        assert document["response"] == {"P1": 900, "P2": 3600}
        hold = to_dict(EXAMPLES["hold"])
        assert hold["end"] == "2019-07-02T14:05:30.250000+00:00"
        summary = from_json(to_json(EXAMPLES["summary"]))
        assert type(summary.median) is pendulum.Duration

    @given(
        micro=st.integers(-(2**33) * 10**6, 2**33 * 10**6),
        kind=st.sampled_from([timedelta, pendulum.Duration]),
    )
    def test_durations_are_exact(self, micro: int, kind: type[timedelta]) -> None:
        """Any duration, negative ones and pendulum's included, comes back to the microsecond."""
        codec = _records.codec(kind)
        value = timedelta(microseconds=micro)
        if kind is pendulum.Duration:
            value = pendulum.duration(microseconds=micro)

        written = codec.dump(value, "$")

        assert micro / 1_000_000 == written
        assert value == codec.load(json.loads(json.dumps(written)), "$")

    def test_negative_pendulum_durations(self) -> None:
        """-30 minutes as a pendulum Duration is written as -1800 seconds."""
        assert -1800 == _records.codec(pendulum.Duration).dump(pendulum.duration(minutes=-30), "$")

    def test_fractional_seconds(self) -> None:
        """Microseconds survive as fractional seconds."""
        level = EscalationLevel(timedelta(seconds=1, microseconds=500), ["on-call"])
        assert to_dict(level)["delay"] == 1.0005
        assert through_json(level) == level

    def test_sets_are_sorted(self) -> None:
        """Sets are written sorted, so equal records give equal documents."""
        assert to_dict(CLOUDFLARE)["affected_services"] == ["cdn", "waf"]

    def test_calendar_holidays_survive(self) -> None:
        """A calendar's holidays (not part of its equality) come back too."""
        calendar = EXAMPLES["calendar"]
        assert isinstance(calendar, Calendar)
        loaded = through_json(calendar)
        assert isinstance(loaded, Calendar)
        assert set(loaded.holidays) == {date(2019, 12, 25)}  # type: ignore[arg-type]

    def test_a_replayed_timeline_gives_the_same_major_incident(self) -> None:
        """A stored timeline, record and roster replay to the same major incident."""
        major = cloudflare()
        events = from_json(to_json(major.timeline), "timeline")
        incident = from_json(to_json(major.proposed), Incident)
        roster = from_json(to_json(ROSTER), Roster)
        assert MajorIncident.replay(events, incident=incident, roster=roster) == major

    def test_plain_priority_levels(self) -> None:
        """Matrices over strings and integers are stored as such."""
        matrix = PriorityMatrix(
            ["big", "small"],
            [1, 2],
            ["p1", "p2"],
            {("big", 1): "p1", ("big", 2): "p1", ("small", 1): "p1", ("small", 2): "p2"},
        )
        assert to_dict(matrix)["levels"] == "plain"
        assert through_json(matrix) == matrix


def _settings() -> settings:
    return settings(max_examples=100, deadline=None)


class TestStrategiesRoundTrip:
    """Reliability 25: from_dict(to_dict(x)) == x through real JSON for what the strategies make."""

    @_settings()
    @given(incidents())
    def test_incidents(self, incident: Incident) -> None:
        """Drawn incidents survive real JSON, with pendulum milestones."""
        loaded = through_json(incident)
        assert loaded == incident
        assert all(type(m) is pendulum.DateTime for m in loaded.milestones.values())  # type: ignore[attr-defined]

    @_settings()
    @given(timelines())
    def test_timelines(self, events: tuple[Event, ...]) -> None:
        """Drawn timelines survive real JSON, with pendulum instants."""
        loaded = through_json(events)
        assert loaded == events
        assert all(type(event.at) is pendulum.DateTime for event in loaded)  # type: ignore[attr-defined]

    @_settings()
    @given(major_incidents())
    def test_major_incidents_replay_from_documents(self, major: MajorIncident) -> None:
        """Everything replay needs, stored and loaded, rebuilds the same object."""
        replayed = MajorIncident.replay(
            through_json(major.timeline),  # type: ignore[arg-type]
            incident=through_json(major.proposed),  # type: ignore[arg-type]
            roster=through_json(major.roster),  # type: ignore[arg-type]
            raci=through_json(major.raci),  # type: ignore[arg-type]
            process=through_json(major.process),  # type: ignore[arg-type]
        )
        assert replayed == major

    @_settings()
    @given(
        st.one_of(
            raci_matrices(),
            processes(),
            priority_matrices(),
            calendars(),
            rosters(roles=SEED_ROLES),
        )
    )
    def test_configuration(self, value: object) -> None:
        """Matrices, processes, calendars and rosters survive real JSON."""
        assert through_json(value) == value


def document(name: str, **changes: Any) -> dict[str, Any]:
    """An example's document with some keys changed (``...`` for removing them)."""
    found = to_dict(EXAMPLES[name])
    for key, value in changes.items():
        if value is ...:
            del found[key]
        else:
            found[key] = value
    return found


class TestRefusals:
    """Reliability 26: every bad input raises RecordError, naming the JSON path."""

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("{", r"^\$: not valid JSON: .*line 1 column 2"),
            ("", r"^\$: not valid JSON"),
            ("[" * 100_000 + "]" * 100_000, r"^\$: nested deeper than 64 levels"),
            (
                '{"schema_version": 1, "type": "hold", "start": NaN}',
                r"^\$\.start: NaN is not a finite",
            ),
            ('{"schema_version": 1, "type": "hold", "start": Infinity}', r"^\$\.start: Infinity"),
            ('{"schema_version": 1, "type": "hold", "start": -Infinity}', r"^\$\.start: -Infinity"),
            (
                '{"schema_version": 1, "type": "hold", "start": 1e400}',
                r"^\$\.start: 1e400 is not a finite",
            ),
            (
                '{"schema_version": 1, "type": "hold", "start": ' + "9" * 5000 + "}",
                r"^\$\.start: 9{40} is not a finite number",
            ),
            ('{"schema_version": 1, "schema_version": 1}', r"^\$\.schema_version: repeated key"),
            ('{"a": {"b": 1, "b": 2}}', r"^\$\.a\.b: repeated key"),
            ('{"a": {"x": 1, "b": 1, "b": 2}}', r"^\$\.a\.b: repeated key"),
            ('{"a b": [{"c": 1, "c": 1}]}', r'^\$\["a b"\]\[0\]\.c: repeated key'),
            ("[]", r"^\$: \[\] is not an object"),
            ("3", r"^\$: 3 is not an object"),
        ],
    )
    def test_malformed_json(self, text: str, message: str) -> None:
        """Text that is not JSON, or JSON no document can be, names the path."""
        with pytest.raises(RecordError, match=message):
            from_json(text)

    def test_deep_nesting_inside_a_document(self) -> None:
        """Nesting deeper than MAX_DEPTH is refused where it happens."""
        deep: object = 1
        for _ in range(70):
            deep = [deep]
        with pytest.raises(RecordError, match=r"^\$\.details(\[0\])+: nested deeper than 64"):
            from_dict(document("event", details=deep))

    def test_what_the_fast_reader_skips_is_still_refused(self) -> None:
        """Text with a raw lone surrogate, deep nesting or a repeated key deep down is refused.

        from_json walks the parsed tree only when the text could hold such a thing; each case
        here is one the walk must then find, with the path it names.
        """
        good = json.loads(to_json(Event(0, AT, "sam", "proposed", details={"note": "x"})))
        raw = {**good, "details": {"note": "x\ud800"}}
        with pytest.raises(RecordError, match=r"^\$\.details\.note: .* lone surrogate"):
            from_json(json.dumps(raw, ensure_ascii=False))
        deep: object = 1
        for _ in range(70):
            deep = [deep]
        with pytest.raises(RecordError, match=r"^\$\.details\.note(\[0\])+: nested deeper"):
            from_json(json.dumps({**good, "details": {"note": deep}}))
        text = json.dumps({**good, "details": {"note": {"a": 1}}}).replace(
            '{"a": 1}', '{"a": 1, "a": 2}'
        )
        with pytest.raises(RecordError, match=r"^\$\.details\.note\.a: repeated key"):
            from_json(text)

    def test_the_fast_reader_and_the_walk_agree(self) -> None:
        """A good document reads the same through from_json and through from_dict."""
        for value in EXAMPLES.values():
            text = to_json(value)
            assert from_dict(json.loads(text)) == from_json(text) == value

    @pytest.mark.parametrize("shape", ["list", "object"])
    def test_nesting_bound_is_exact(self, shape: str) -> None:
        """A value 64 levels deep passes the tree check; one 65 deep is refused with its path."""

        def nested(levels: int) -> object:
            value: object = 1
            for _ in range(levels):
                value = [value] if shape == "list" else {"a": value}
            return value

        # The document is level 0 and its details level 1: 63 more levels reach 64.
        with pytest.raises(RecordError) as allowed:
            from_dict(document("event", details=nested(63)))
        assert "deeper than 64" not in str(allowed.value)  # the event's own, lower limit
        step = r"\[0\]" if shape == "list" else r"\.a"
        for read in (from_dict, lambda d: from_json(json.dumps(d))):
            with pytest.raises(RecordError, match=rf"^\$\.details({step}){{64}}: nested deeper"):
                read(document("event", details=nested(64)))

    def test_a_bad_timestamp_is_named_by_its_path(self) -> None:
        """A milestone that is text but no timestamp is refused at its path, as before."""
        with pytest.raises(
            RecordError, match=r"^\$\.reported_at \('yesterday'\) is not an ISO-8601 timestamp"
        ):
            from_dict(document("incident", reported_at="yesterday"))

    def test_bytes(self) -> None:
        """UTF-8 bytes are read; other bytes and other values are refused."""
        assert from_json(to_json(CLOUDFLARE).encode()) == CLOUDFLARE
        with pytest.raises(RecordError, match=r"^\$: not UTF-8 text"):
            from_json(b"\xff\xfe{")
        with pytest.raises(RecordError, match=r"^\$: 42 is not JSON text"):
            from_json(42)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("name", "changes", "message"),
        [
            ("incident", {"id": 5}, r"^\$\.id: 5 is not a string"),
            ("incident", {"reopen_count": "5"}, r"^\$\.reopen_count: '5' is not an integer"),
            ("incident", {"reopen_count": True}, r"^\$\.reopen_count: True is not an integer"),
            ("incident", {"major": 1}, r"^\$\.major: 1 is not true or false"),
            (
                "incident",
                {"impact": "huge"},
                r"^\$\.impact: 'huge' is not one of the Impact values: 'high', 'medium', 'low'",
            ),
            ("incident", {"kind": None}, r"^\$\.kind: None is not one of the IncidentKind values"),
            ("incident", {"colour": "red"}, r"^\$\.colour: unknown key for Incident"),
            ("incident", {"title": ...}, r"^\$\.title: missing; Incident needs it"),
            ("incident", {"id": ""}, r"^\$: id \(''\) must be a non-empty string"),
            (
                "incident",
                {"reported_at": "2019-07-02T13:45:00"},
                r"^\$\.reported_at \('2019-07-02T13:45:00'\) has no UTC offset",
            ),
            (
                "incident",
                {"reported_at": "1969-12-31T23:00:00Z"},
                r"^\$\.reported_at \('1969-12-31T23:00:00Z'\) is outside the supported range",
            ),
            (
                "incident",
                {"reported_at": "yesterday"},
                r"^\$\.reported_at \('yesterday'\) is not an ISO-8601",
            ),
            (
                "incident",
                {"reported_at": 1562075100},
                r"^\$\.reported_at: 1562075100 is not an ISO-8601 timestamp string",
            ),
            (
                "incident",
                {"resolved_at": "2019-07-02T13:00:00Z"},
                r"^\$: not a valid Incident: resolved_at \(2019-07-02T13:00:00\+00:00\) is before",
            ),
            (
                "incident",
                {"affected_services": "cdn"},
                r"^\$\.affected_services: 'cdn' is not an array",
            ),
            (
                "incident",
                {"affected_services": ["cdn", "cdn"]},
                r"^\$\.affected_services: repeats an item",
            ),
            (
                "incident",
                {"holds": [{"start": "2019-07-02T14:00:00Z", "end": None}]},
                r"^\$\.holds\[0\]\.reason: missing",
            ),
            ("incident", {"holds": [7]}, r"^\$\.holds\[0\]: 7 is not an object \(Hold\)"),
            (
                "event",
                {"kind": "exploded"},
                r"^\$\.kind: 'exploded' is not one of the EventKind values",
            ),
            ("event", {"sequence": -1}, r"^\$: sequence \(-1\) must be a whole number"),
            (
                "event",
                {"details": {"when": float("nan")}},
                r"^\$\.details\.when: (nan|NaN) is not a finite",
            ),
            ("event", {"activity": {"key": "x", "title": "X"}}, r"^\$\.activity\.stage: missing"),
            (
                "sla_policy",
                {"response": {"P9": 60}},
                r"^\$\.response\.P9: 'P9' is not one of the Priority values",
            ),
            (
                "sla_policy",
                {"response": {"P1": "60"}},
                r"^\$\.response\.P1: '60' is not a number of seconds",
            ),
            (
                "sla_policy",
                {"response": {"P1": 1e300}},
                r"^\$\.response\.P1: 1e\+300 seconds is out of range",
            ),
            (
                "calendar",
                {"holidays": ["2019-13-01"]},
                r"^\$\.holidays\[0\]: '2019-13-01' is not an ISO-8601 date",
            ),
            (
                "calendar",
                {"holidays": ["20191225"]},
                r"^\$\.holidays\[0\]: '20191225' is not an ISO-8601 date \(YYYY-MM-DD\)",
            ),
            (
                "calendar",
                {"holidays": [20191225]},
                r"^\$\.holidays\[0\]: 20191225 is not an ISO-8601 date",
            ),
            (
                "calendar",
                {"hours": [[[0, 1, 2]]]},
                r"^\$\.hours\[0\]\[0\]: has 3 items; expected 2",
            ),
            ("calendar", {"timezone": "Mars/Olympus"}, r"^\$: not a valid Calendar"),
            (
                "raci_matrix",
                {"cells": {"nope": {}}},
                r"^\$\.cells\.nope: names no activity of the matrix",
            ),
            (
                "raci_matrix",
                {"cells": {"declare_major_incident": {"nobody": ["R"]}}},
                r"^\$\.cells\.declare_major_incident\.nobody: names no role",
            ),
            (
                "raci_matrix",
                {"cells": {"declare_major_incident": {"major_incident_manager": ["X"]}}},
                (
                    r"^\$\.cells\.declare_major_incident\.major_incident_manager\[0\]: "
                    r"'X' is not one of the Responsibility values"
                ),
            ),
            (
                "priority_matrix",
                {"levels": "roman"},
                r"^\$\.levels: 'roman' is not one of the _LevelKind values",
            ),
            (
                "priority_matrix",
                {"impacts": ["high", "mighty", "low"]},
                r"^\$\.impacts\[1\]: 'mighty' is not one of the Impact values",
            ),
            ("priority_matrix", {"impacts": [[1]]}, r"^\$\.impacts\[0\]: \[1\] is not a level"),
            ("priority_matrix", {"cells": [["high", "high", "P1"]] * 2}, r"^\$\.cells: repeats an"),
            (
                "priority_matrix",
                {"cells": [["high", "high", "P9"]]},
                r"^\$\.cells\[0\]\[2\]: 'P9' is not one of the Priority values",
            ),
            (
                "priority_matrix",
                {"cells": [["high", "high", "P1"]]},
                r"^\$: not a valid PriorityMatrix",
            ),
            (
                "comparison",
                {"ratio": float("inf")},
                r"^\$\.ratio: (inf|Infinity) is not a finite number",
            ),
            ("comparison", {"ratio": 10**400}, r"^\$\.ratio: 1000.* is not a finite number"),
            (
                "roster",
                {"assignments": [to_dict(ROSTER)["assignments"][0]] * 2},
                r"^\$\.assignments\[1\]: ",
            ),
            (
                "kpi_report",
                {"rows": [{"group": [["service"]], "period": None, "summary": {}}]},
                r"^\$\.rows\[0\]\.group\[0\]: has 1 items",
            ),
            (
                "communication_plan",
                {"members": [["users", []]]},
                r"^\$\.members: .* is not an object",
            ),
            ("metric", {"exclude_kinds": ["test", "test"]}, r"^\$\.exclude_kinds: repeats an item"),
            (
                "escalation_level",
                {"targets": [5]},
                r"^\$\.targets\[0\]: 5 is not an object \(Role\)",
            ),
        ],
    )
    def test_bad_fields(self, name: str, changes: dict[str, Any], message: str) -> None:
        """Each bad field raises RecordError naming its JSON path, from dicts and text."""
        with pytest.raises(RecordError, match=message):
            from_dict(document(name, **changes))
        with pytest.raises(RecordError, match=message):
            from_json(json.dumps(document(name, **changes), allow_nan=True))

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            (
                {"schema_version": 5},
                r"^\$\.schema_version: 5 is newer than this release reads \(4\)",
            ),
            ({"schema_version": 0}, r"^\$\.schema_version: 0 is not a schema version"),
            ({"schema_version": "1"}, r"^\$\.schema_version: '1' is not a schema version"),
            ({"schema_version": None}, r"^\$\.schema_version: None is not a schema version"),
            ({"type": "spaceship"}, r"^\$\.type: 'spaceship' is not a record type"),
            ({"type": None}, r"^\$\.type: None is not a record type"),
            ({"type": "hold"}, r"^\$\.type: 'hold' is not the 'incident' asked for"),
        ],
    )
    def test_versions_and_types(self, changes: dict[str, Any], message: str) -> None:
        """Newer, malformed or missing versions and wrong types are refused."""
        with pytest.raises(RecordError, match=message):
            from_dict(document("incident", **changes), Incident)

    def test_an_unknown_type_lists_every_type(self) -> None:
        """The refusal of an unknown type lists the names documents may give, all of them."""
        with pytest.raises(RecordError) as refused:
            from_dict(document("incident", type="spaceship"))
        assert str(refused.value).endswith(f"expected one of {', '.join(TYPES)}")

    def test_a_class_no_document_holds_is_named_as_asked(self) -> None:
        """Asking for a class documents never hold names the class in the refusal."""
        with pytest.raises(
            RecordError, match=r"^\$\.type: 'incident' is not the 'Path' asked for$"
        ):
            from_dict(document("incident"), Path)

    def test_a_bad_timestamp_is_named_before_the_records_own_refusal(self) -> None:
        """With a blank id and a naive timestamp, the timestamp is named by its JSON path.

        The constructor refuses the id first; the timestamps it was handed unparsed are then
        checked strictly, so the message names the same path as when the id is good.
        """
        with pytest.raises(RecordError, match=r"^\$\.reported_at \('2024-01-01T00:00'\) has no"):
            from_dict(document("incident", id="", reported_at="2024-01-01T00:00"))

    def test_a_python_datetime_is_no_json_timestamp(self) -> None:
        """Documents hold text timestamps: a datetime object is refused, though records take one."""
        example = EXAMPLES["incident"]
        moment = datetime.fromisoformat(example.reported_at.isoformat())  # the same instant
        with pytest.raises(RecordError, match=r"^\$\.reported_at: datetime\.datetime\(.* string$"):
            from_dict(document("incident", reported_at=moment))
        assert attrs.evolve(example, reported_at=moment) == example

    def test_scalars_keep_their_json_type(self) -> None:
        """A text field's codec writes keys (is_text) and refuses another JSON type by name."""
        codec = _records.SCALARS[str]
        assert codec.is_text
        assert not _records.SCALARS[int].is_text
        with pytest.raises(RecordError, match=r"^\$\.x: 5 is not a string$"):
            codec.load(5, ("$", "x"))
        text, number = _codecs.Scalar(str, "string"), _codecs.Scalar(int, "integer")
        assert (text.is_text, number.is_text) == (True, False)
        assert "five" == text.load("five", "$")

    def test_the_callers_document_is_left_as_it_was(self) -> None:
        """from_dict reads a caller's document without taking it apart."""
        given = document("incident")
        kept = copy.deepcopy(given)
        from_dict(given, Incident)
        assert kept == given

    def test_keys_must_be_strings(self) -> None:
        """Python mappings with other keys are refused."""
        with pytest.raises(RecordError, match=r"^\$: key 1 is not a string"):
            from_dict({1: 2})

    def test_python_values_json_cannot_hold(self) -> None:
        """NaN given by Python code (not JSON text) is refused too."""
        with pytest.raises(RecordError, match=r"^\$\.rows: nan is not a finite"):
            from_dict({"schema_version": 1, "type": "kpi_report", "rows": float("nan")})


def _with_zone(value: Any, zone: str) -> tuple[Any, int]:
    """The document with every timezone field set to `zone`, and how many there were."""
    if isinstance(value, dict):
        found = 0
        changed = {}
        for key, item in value.items():
            if key in ("timezone", "tz") and isinstance(item, str):
                changed[key], found = zone, found + 1
            else:
                changed[key], inner = _with_zone(item, zone)
                found += inner
        return changed, found
    if isinstance(value, list):
        pairs = [_with_zone(item, zone) for item in value]
        return [item for item, _ in pairs], sum(count for _, count in pairs)
    return value, 0


class TestHostileTimezones:
    @pytest.mark.parametrize("zone", ["America", "Europe/" + "x" * 300, "\x00", "Mars/Olympus"])
    @pytest.mark.parametrize(
        "name", sorted(n for n in EXAMPLES if _with_zone(to_dict(EXAMPLES[n]), "UTC")[1])
    )
    def test_documents(self, name: str, zone: str) -> None:
        """A document whose timezone is a folder, overlong or unknown raises RecordError only."""
        document, _ = _with_zone(to_dict(EXAMPLES[name]), zone)

        with pytest.raises(RecordError, match=r"is not a known IANA timezone"):
            from_dict(document)

    def test_the_documents_that_hold_one(self) -> None:
        """Calendars, SLA policies, metrics, summaries and reports carry a timezone."""
        holding = {name for name in EXAMPLES if _with_zone(to_dict(EXAMPLES[name]), "UTC")[1]}

        assert {
            "calendar",
            "sla_policy",
            "metric",
            "summary",
            "report_row",
            "kpi_report",
            "comparison",
        } <= holding


class TestWhatCannotBeStored:
    def test_policies_hold_code(self) -> None:
        """A policy whose rules are functions cannot be written."""
        with pytest.raises(RecordError, match=r"MajorIncidentPolicy holds Python functions") as err:
            to_dict(MajorIncidentPolicy.default())
        assert str(err.value).endswith(
            "which no document can carry; store the name of the policy and build it in code"
        )

    def test_other_objects(self) -> None:
        """Values that are not records are refused, naming what is accepted."""
        with pytest.raises(
            RecordError, match=r"^\$: a object is not a record documents hold"
        ) as err:
            to_dict(object())
        known = ", ".join(kind.__name__ for kind in TYPES.values() if kind is not tuple)
        assert str(err.value).endswith(f"expected a timeline (events) or one of: {known}")
        assert "Incident, Hold, Event, Stage" in known
        with pytest.raises(RecordError, match=r"^\$: a tuple is not a record"):
            to_dict((1, 2))

    def test_computed_holidays(self) -> None:
        """A calendar with computed holidays (the holidays library) cannot be written."""
        import holidays  # noqa: PLC0415

        calendar = Calendar("Europe/London", {0: [("09:00", "17:00")]}, holidays.UK(years=2024))
        with pytest.raises(RecordError, match=r"^\$\.holidays: a \w+ is not a list of dates"):
            to_dict(calendar)

    def test_levels_of_custom_enums(self) -> None:
        """A matrix over the user's own enums cannot be written, naming the level."""
        import enum  # noqa: PLC0415

        class Sev(enum.Enum):
            ONE = 1

        matrix = PriorityMatrix([Sev.ONE], [Sev.ONE], ["p1"], {(Sev.ONE, Sev.ONE): "p1"})
        with pytest.raises(RecordError, match=r"^\$\.impacts\[0\]: <Sev.ONE: 1>: documents hold"):
            to_dict(matrix)

    @pytest.mark.parametrize("kind", [object, "spaceship"])
    def test_schema_of_something_else(self, kind: object) -> None:
        """json_schema refuses what is not a record type."""
        with pytest.raises(
            RecordError,
            match=rf"^\$: {kind!r} is not a record type; expected one of incident, hold, event, ",
        ):
            json_schema(kind)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("name", "change", "message"),
        [
            ("calendar", {"hours": [5] * 7}, r"^\$\.hours\[0\]: 5 is not an array$"),
            ("calendar", {"hours": [[5]] * 7}, r"^\$\.hours\[0\]\[0\]: 5 is not an array$"),
            (
                "calendar",
                {"hours": [[["a", 1]]] * 7},
                r"^\$\.hours\[0\]\[0\]\[0\]: 'a' is not an integer$",
            ),
            ("raci_matrix", {"cells": 5}, r"^\$\.cells: 5 is not an object$"),
            (
                "kpi_report",
                {"schema_version": 1, "rows": [5]},
                r"^\$\.rows\[0\]: 5 is not an object \(ReportRow\)$",
            ),
        ],
    )
    def test_nested_refusals_name_their_path(
        self, name: str, change: dict[str, Any], message: str
    ) -> None:
        """A bad value deep in a document is named by its whole path, in any version."""
        with pytest.raises(RecordError, match=message):
            from_dict({**to_dict(EXAMPLES[name]), **change})

    def test_roster_refusals_keep_the_roster_words(self) -> None:
        """A stored roster assigning a role twice is refused in the roster's own words."""
        document = to_dict(EXAMPLES["roster"])
        first = document["assignments"][0]
        again = {**first, "assumed_at": "2019-07-02T10:00:00+00:00"}

        with pytest.raises(
            RecordError,
            match=r"^\$\.assignments\[1\]: 'sam' already holds role 'service_desk_technician' "
            r"from 2019-07-02T09:45:00\+00:00; renounce it before assigning it again$",
        ):
            from_dict({**document, "assignments": [first, again]})

    def test_calendars_of_a_holidays_package_are_not_stored(self) -> None:
        """Holidays computed by a package are refused by name: store the dates themselves."""
        calendar = Calendar("UTC", {0: [("09:00", "17:00")]}, holidays=holidays.US(years=2024))

        with pytest.raises(
            RecordError,
            match=r"^\$\.holidays: a US is not a list of dates; build the calendar with the "
            r"dates themselves to store it$",
        ):
            to_dict(calendar)

    def test_matrices_of_other_levels_are_not_stored(self) -> None:
        """Levels that are neither ITIL's nor plain strings or integers are refused by path."""
        matrix = PriorityMatrix.from_rows(
            [[1.0]], impacts=[0.5], urgencies=["now"], priorities=[1.0]
        )

        with pytest.raises(
            RecordError,
            match=r"^\$\.impacts\[0\]: 0\.5: documents hold the ITIL levels, or levels that "
            r"are all strings or integers$",
        ):
            to_dict(matrix)

    @pytest.mark.parametrize(
        ("kind", "value", "where"),
        [
            (tuple[datetime, ...], (AT, datetime(2019, 7, 2)), r"\$\[1\]"),
            (tuple[datetime, datetime], (AT, datetime(2019, 7, 2)), r"\$\[1\]"),
            (dict[str, datetime], {"a b": datetime(2019, 7, 2)}, r'\$\["a b"\]'),
            (datetime | None, datetime(2019, 7, 2), r"\$"),
        ],
    )
    def test_codecs_name_the_path_of_a_value_they_cannot_write(
        self, kind: object, value: object, where: str
    ) -> None:
        """A naive instant deep in a value is refused naming where it sits."""
        with pytest.raises(NaiveDateTimeError, match=rf"^{where} "):
            _records.codec(kind).dump(value, "$")

    def test_instants_are_written_in_utc_whatever_their_zone(self) -> None:
        """Standard and pendulum datetimes in any zone are written as the same UTC instant."""
        codec = _records.codec(datetime)
        berlin = AT.astimezone(ZoneInfo("Europe/Berlin"))
        values = [AT, berlin, pendulum.instance(AT), pendulum.instance(berlin)]
        assert {"2019-07-02T13:45:00+00:00"} == {codec.dump(v, "$") for v in values}

    def test_whole_seconds_are_written_as_integers(self) -> None:
        """A duration of whole seconds is an integer in JSON, one with a fraction a number."""
        codec = _records.codec(timedelta)

        assert [1, 1.5, -2] == [codec.dump(timedelta(seconds=s), "$") for s in (1, 1.5, -2)]
        assert [int, float, int] == [
            type(codec.dump(timedelta(seconds=s), "$")) for s in (1, 1.5, -2)
        ]

    def test_long_values_are_shortened_in_messages(self) -> None:
        """A value shows whole up to 80 characters, and as its first 77 and '...' beyond."""
        row = to_dict(EXAMPLES["report_row"])
        whole, cut = "x" * 78, "x" * 79

        with pytest.raises(
            RecordError, match=rf"^\$\.summary: '{whole}' is not an object \(Summary\)$"
        ):
            from_dict({**row, "summary": whole})
        with pytest.raises(
            RecordError, match=rf"^\$\.summary: '{cut[:76]}\.\.\. is not an object \(Summary\)$"
        ):
            from_dict({**row, "summary": cut})

    def test_json_text_keeps_its_characters_and_asks_for_its_kind(self) -> None:
        """Text is written as UTF-8 characters, indented on request, and read as the kind asked."""
        incident = Incident("INC-é", title="Café down", reported_at="2024-01-01T00:00Z")

        assert to_json(incident).startswith(
            '{"schema_version": 4, "type": "incident", "id": "INC-é"'
        )
        assert to_json(incident, indent=2).startswith('{\n  "schema_version": 4,\n  "type"')
        with pytest.raises(
            RecordError, match=r"^\$\.type: 'incident' is not the 'event' asked for$"
        ):
            from_json(to_json(incident), Event)


class TestMigrations:
    """Reliability 27: older documents load through pure migrations; golden files keep loading."""

    def test_a_version_1_document_is_migrated(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """With a version 2 whose stages' titles are upper case, a version-1 stage is migrated."""

        def shout(old: dict[str, Any]) -> dict[str, Any]:
            return {**old, "title": old["title"].upper()}

        monkeypatch.setattr(serialization, "SCHEMA_VERSION", 2)
        monkeypatch.setitem(serialization.MIGRATIONS, 1, shout)
        old = {"schema_version": 1, "type": "stage", "key": "triage", "title": "Triage"}
        before = dict(old)
        assert from_dict(old) == Stage("triage", "TRIAGE")
        assert from_dict(old).title == "TRIAGE"
        assert old == before  # the migration left its input alone
        current = {**old, "schema_version": 2}
        assert from_dict(current).title == "Triage"  # no migration for the current version
        assert to_dict(Stage("triage", "Triage"))["schema_version"] == 2

    @pytest.mark.parametrize(
        "path", sorted(GOLDEN.glob("v*/*.json")), ids=lambda p: f"{p.parent.name}-{p.stem}"
    )
    def test_golden_files_load(self, path: Path) -> None:
        """Each golden file loads into the example it was written from.

        Version 1 was written before timelines were chained: its events load without digests.
        """
        text = path.read_text(encoding="utf-8")
        version = int(path.parent.name[1:])
        expected = EXAMPLES[path.stem] if version >= 2 else unchained(EXAMPLES[path.stem])
        assert from_json(text) == expected
        if version == serialization.SCHEMA_VERSION:
            assert json.loads(text) == to_dict(EXAMPLES[path.stem])

    def test_a_version_3_trend_row_loads_with_a_verdict(self) -> None:
        """Version 3 rows tested each period alone: the adjusted p-value is the p-value."""
        start = datetime(2024, 1, 1, tzinfo=UTC)
        records = [Incident("a", reported_at=start, major=True)]
        row = trend(records, start=start, end=start + timedelta(days=60), control="period")[1]
        document = {
            key: value
            for key, value in to_dict(row).items()
            if key not in ("adjusted_p_value", "verdict", "detectable_rise")
        }
        document.update(schema_version=3, likely_noise=True)

        loaded = from_dict(document)

        assert loaded.verdict == CANNOT_TELL
        assert loaded.adjusted_p_value == row.p_value
        assert loaded.detectable_rise is None
        assert {**to_dict(loaded), "detectable_rise": row.detectable_rise} == to_dict(row)

    def test_a_version_3_comparison_loads_with_a_verdict(self) -> None:
        """Its detectable change is read off its interval, as a new comparison's is."""
        start = datetime(2024, 1, 1, tzinfo=UTC)

        def side(name: str, hours: list[float]) -> list[Incident]:
            return [
                Incident(f"{name}{n}", reported_at=start, resolved_at=start + timedelta(hours=h))
                for n, h in enumerate(hours)
            ]

        as_of = start + timedelta(days=1)
        result = compare(
            side("a", [1, 2, 3, 4, 5]), side("b", [2, 3, 4, 5, 9]), MTTR, as_of=as_of, seed=1
        )
        document = {
            key: value
            for key, value in to_dict(result).items()
            if key not in ("verdict", "detectable_change")
        }
        document["schema_version"] = 3

        assert result.detectable_change is not None
        assert from_dict(document) == result
        assert from_dict({**document, "low": None, "high": None, "conclusive": False}).verdict == (
            CANNOT_TELL
        )

    @pytest.mark.parametrize(
        ("changes", "detectable"),
        [
            ({"low": 2.0, "high": 2.0}, 1.0),
            ({"low": "1.5"}, None),
            ({"high": None}, None),
            ({"confidence": 1.0}, None),
            ({"confidence": 0.0}, None),
            ({"low": 0.0}, None),
            ({"low": 3.0, "high": 2.0}, None),
        ],
    )
    def test_a_version_3_interval_that_reads_as_none_has_no_detectable_change(
        self, changes: dict[str, Any], detectable: float | None
    ) -> None:
        """Only an interval of two positive numbers in order, at a confidence within (0, 1)."""
        document = {"type": "comparison", "low": 1.5, "high": 3.0, "confidence": 0.95}

        assert (
            detectable == serialization.MIGRATIONS[3]({**document, **changes})["detectable_change"]
        )
        assert serialization.MIGRATIONS[3](document)["detectable_change"] == pytest.approx(
            interval_detectable(1.5, 3.0, 0.95)
        )

    @pytest.mark.parametrize(
        ("conclusive", "verdict"), [(True, REAL_CHANGE), (False, CANNOT_TELL), (None, CANNOT_TELL)]
    )
    def test_a_version_3_comparison_s_verdict(self, conclusive: object, verdict: str) -> None:
        """A real change only where the version-3 comparison was conclusive."""
        migrated = serialization.MIGRATIONS[3]({"type": "comparison", "conclusive": conclusive})

        assert verdict == migrated["verdict"]

    @pytest.mark.parametrize(
        ("noise", "verdict"), [(None, None), (True, CANNOT_TELL), (False, REAL_CHANGE)]
    )
    def test_a_version_3_trend_row_s_verdict(self, noise: bool | None, verdict: str | None) -> None:
        """likely_noise becomes the verdict; the first period, untested, has none."""
        migrated = serialization.MIGRATIONS[3](
            {"type": "trend_row", "p_value": 0.2, "likely_noise": noise}
        )

        assert verdict == migrated["verdict"]
        assert "likely_noise" not in migrated

    def test_golden_files_cover_the_stored_records(self) -> None:
        """The records other tools store most have a golden file in every version."""
        for version in range(1, serialization.SCHEMA_VERSION + 1):
            stored = {p.stem for p in (GOLDEN / f"v{version}").glob("*.json")}
            assert {
                "incident",
                "timeline",
                "roster",
                "raci_matrix",
                "process",
                "priority_matrix",
            } <= stored

    @pytest.mark.parametrize("name", ["summary", "report_row", "kpi_report"])
    def test_version_1_summaries_count_no_negatives(self, name: str) -> None:
        """Summaries inside version-1 documents (which had no `negative`) load with 0."""
        document = _without_key(to_dict(EXAMPLES[name]), "negative")
        document["schema_version"] = 1

        assert EXAMPLES[name] == from_dict(document)

    @pytest.mark.parametrize("name", ["summary", "report_row", "kpi_report"])
    def test_version_2_summaries_have_nothing_missing_at_the_end(self, name: str) -> None:
        """Summaries of version 2 (which counted every unended incident as open) gain 0."""
        document = _without_key(to_dict(EXAMPLES[name]), "missing_end")
        document["schema_version"] = 2

        assert EXAMPLES[name] == from_dict(document)

    @pytest.mark.parametrize("name", ["event", "timeline", "step", "post_incident_review"])
    def test_version_1_events_load_unchained(self, name: str) -> None:
        """Events inside version-1 documents (written before digests) load with none."""
        document = _without_key(to_dict(EXAMPLES[name]), "digest")
        document["schema_version"] = 1
        loaded = from_dict(document)

        events = (
            [loaded]
            if isinstance(loaded, Event)
            else getattr(loaded, "events", getattr(loaded, "timeline", loaded))
        )
        assert events
        assert all(event.digest is None for event in events)

    @pytest.mark.parametrize(
        ("name", "key", "path"),
        [
            ("timeline", "events", r"\$\.events\[0\]"),
            ("step", "events", r"\$\.events\[0\]"),
            ("post_incident_review", "timeline", r"\$\.timeline\[0\]"),
        ],
    )
    def test_a_broken_version_1_event_is_named(self, name: str, key: str, path: str) -> None:
        """An event that is no object is left to the loader to name, after migrating."""
        document = {**to_dict(EXAMPLES[name]), "schema_version": 1}
        document[key] = [5, *document[key][1:]]

        with pytest.raises(RecordError, match=rf"^{path}: 5 is not an object"):
            from_dict(document)
        document[key] = "none"
        with pytest.raises(RecordError, match=rf"^\$\.{key}: 'none' is not an array"):
            from_dict(document)

    def test_a_broken_version_1_summary_is_named(self) -> None:
        """A report row whose summary is no object is refused after migrating, with its path."""
        document = {**to_dict(EXAMPLES["report_row"]), "schema_version": 1, "summary": 5}

        with pytest.raises(RecordError, match=r"^\$\.summary: 5 is not an object"):
            from_dict(document)

    def test_a_version_1_timeline_is_chained_on_replay(self) -> None:
        """Replaying a timeline stored unchained gives the digests the workflow records now."""
        events = from_json((GOLDEN / "v1" / "timeline.json").read_text(encoding="utf-8"))
        assert all(event.digest is None for event in events)

        major = MajorIncident.replay(events, incident=CLOUDFLARE, roster=ROSTER)

        assert EXAMPLES["timeline"] == major.timeline
        assert (
            MajorIncident.replay(
                major.timeline, incident=CLOUDFLARE, roster=ROSTER, head=major.head
            )
            == major
        )


def _without_key(value: Any, key: str) -> Any:
    """A JSON document with `key` removed from every object in it."""
    if isinstance(value, dict):
        return {k: _without_key(v, key) for k, v in value.items() if k != key}
    if isinstance(value, list):
        return [_without_key(item, key) for item in value]
    return value


def unchained(value: Any) -> Any:
    """The value as version 1 documents held it: events without digests."""
    if isinstance(value, Event):
        return attrs.evolve(value, digest=None)
    if isinstance(value, tuple):
        return tuple(unchained(item) for item in value)
    if isinstance(value, Step):
        return attrs.evolve(value, events=unchained(value.events))
    if isinstance(value, PostIncidentReview):
        return attrs.evolve(value, timeline=unchained(value.timeline))
    return value


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every place in a JSON document: keys and indices from the top."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _at(value: Any, path: tuple[object, ...]) -> Any:
    """The value at `path` in a JSON document."""
    for step in path:
        value = value[step]
    return value


def _replaced(value: Any, path: tuple[object, ...], new: object) -> Any:
    """A copy of a JSON document with the value at `path` replaced (or a key added)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replaced(value.get(head), rest, new)}
    copy = list(value)
    copy[head] = _replaced(copy[head], rest, new)  # type: ignore[index]
    return copy


def _mutations(name: str) -> st.SearchStrategy[Any]:
    """An example's document with one value anywhere replaced by arbitrary JSON, or a key added."""
    base = to_dict(EXAMPLES[name])
    places = [path for path in _paths(base) if path] + [("extra",)]
    return st.tuples(st.sampled_from(places), JSON_VALUES).map(
        lambda change: _replaced(base, *change)
    )


class TestFuzz:
    """from_json sees arbitrary bytes, JSON values and mutated documents: RecordError only."""

    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
    def test_bytes(self, data: bytes) -> None:
        """Arbitrary bytes and text."""
        with contextlib.suppress(RecordError):
            from_json(data)

    @settings(max_examples=300, deadline=None)
    @given(JSON_VALUES)
    def test_json_values(self, value: object) -> None:
        """Arbitrary JSON values."""
        with contextlib.suppress(RecordError):
            from_json(json.dumps(value))

    @settings(max_examples=300, deadline=None)
    @given(st.sampled_from(sorted(EXAMPLES)).flatmap(_mutations))
    def test_mutated_documents(self, data: object) -> None:
        """Valid documents with one key set to an arbitrary JSON value, or one added.

        What loads always serialises again, to text that encodes as UTF-8.
        """
        try:
            value = from_json(json.dumps(data))
        except RecordError:
            return
        assert value == from_json(to_json(value).encode("utf-8"))

    @pytest.mark.parametrize("name", sorted(EXAMPLES))
    def test_lone_surrogates(self, name: str) -> None:
        """A lone surrogate in any string field, or key, is refused with its path."""
        text = to_json(EXAMPLES[name])
        strings = [p for p in _paths(json.loads(text)) if isinstance(_at(json.loads(text), p), str)]
        for path in strings[:: max(1, len(strings) // 12)]:  # a dozen fields of each record
            document = _replaced(json.loads(text), path, "x\ud800")
            with pytest.raises(RecordError, match=r"'x\\ud800' holds '\\ud800', a lone surrogate"):
                from_json(json.dumps(document))
        keyed = json.loads(text)
        keyed["\udc00"] = 1
        with pytest.raises(RecordError, match=r"^\$ key '\\udc00': .* lone surrogate"):
            from_json(json.dumps(keyed))

    def test_lone_surrogates_in_event_details(self) -> None:
        """Details holding a lone surrogate are refused when the event is built."""
        with pytest.raises(RecordError, match=r"^details.note \('\\ud800'\) holds a lone"):
            Event(0, AT, "sam", "proposed", details={"note": "\ud800"})

    @pytest.mark.parametrize(
        "text",
        [
            # Edges found by hand and by longer fuzzing runs; each stays a regression test.
            (
                '{"schema_version": 1, "type": "sla_policy", "response": {"P1": 1e300}, '
                '"resolution": {}, "calendar": null}'
            ),
        ],
    )
    def test_regressions(self, text: str) -> None:
        """Inputs that once raised another exception."""
        with pytest.raises(RecordError):
            from_json(text)
