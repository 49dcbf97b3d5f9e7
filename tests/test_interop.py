"""Tests for majorincident.interop: ServiceNow and PagerDuty records to and from incidents."""

from __future__ import annotations

import contextlib
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from majorincident import frames, kpi
from majorincident.classification import Channel, Impact, Priority, Urgency
from majorincident.cli.load import PRESETS
from majorincident.errors import ConfigurationError, RecordError
from majorincident.incident import HoldReason, Incident, Milestone
from majorincident.interop import CODED, COLUMNS, from_pagerduty, from_servicenow, to_servicenow
from majorincident.testing import incidents

# ServiceNow records as the Table API returns them (GET /api/now/table/incident), written from
# the incident table's documented fields. Internal values: date-times in UTC, codes as strings,
# references as {"link", "value"} objects.
SN_RESOLVED_MAJOR: dict[str, Any] = {
    "sys_id": "9d385017c611228701d22104cc95c371",
    "number": "INC0010042",
    "short_description": "Checkout returns 502 for every customer",
    "opened_at": "2024-03-01 09:02:11",
    "sys_created_on": "2024-03-01 09:02:11",
    "sys_updated_on": "2024-03-01 11:40:00",
    "resolved_at": "2024-03-01 10:31:45",
    "closed_at": "2024-03-04 10:31:45",
    "state": "7",
    "incident_state": "7",
    "hold_reason": "",
    "impact": "1",
    "urgency": "1",
    "priority": "1",
    "major_incident_state": "accepted",
    "promoted_on": "2024-03-01 09:10:00",
    "proposed_on": "2024-03-01 09:05:00",
    "contact_type": "monitoring",
    "reopen_count": "0",
    "active": "false",
    "business_service": {
        "link": "https://example.service-now.com/api/now/table/cmdb_ci_service/27d3",
        "value": "27d32778c0a8000b00db970eeaa60f16",
    },
    "cmdb_ci": "",
    "problem_id": {
        "link": "https://example.service-now.com/api/now/table/problem/62304320",
        "value": "62304320731823002728660c4cf6a7e8",
    },
    "rfc": {
        "link": "https://example.service-now.com/api/now/table/change_request/a9e30c7d",
        "value": "a9e30c7dc61122760116894de7bcc7bd",
    },
    "parent_incident": "",
}

# The same kind of record read with sysparm_display_value=all: labels, and date-times in the
# reading user's timezone (Europe/Berlin, UTC+1 in winter).
SN_ON_HOLD_DISPLAY: dict[str, Any] = {
    "number": {"display_value": "INC0010043", "value": "INC0010043"},
    "short_description": {"display_value": "VPN drops every ten minutes", "value": ""},
    "opened_at": {"display_value": "2024-02-10 14:00:00", "value": "2024-02-10 13:00:00"},
    "sys_updated_on": {"display_value": "2024-02-10 15:30:00", "value": "2024-02-10 14:30:00"},
    "resolved_at": {"display_value": "", "value": ""},
    "closed_at": {"display_value": "", "value": ""},
    "state": {"display_value": "On Hold", "value": "3"},
    "hold_reason": {"display_value": "Awaiting Vendor", "value": "4"},
    "impact": {"display_value": "2 - Medium", "value": "2"},
    "urgency": {"display_value": "1 - High", "value": "1"},
    "priority": {"display_value": "2 - High", "value": "2"},
    "major_incident_state": {"display_value": "", "value": ""},
    "contact_type": {"display_value": "Self-service", "value": "self-service"},
    "business_service": {"display_value": "VPN", "value": "5f5e0e7bc0a8010e0111b8a44c4e6e53"},
    "cmdb_ci": {"display_value": "vpn-gw-01", "value": "b4fd7c8437201000deeabfc8bcbe5dc1"},
    "parent_incident": {"display_value": "INC0010040", "value": "e8caedcbc0a80164017df472f39eaed1"},
    "problem_id": {"display_value": "", "value": ""},
    "rfc": {"display_value": "", "value": ""},
    "reopen_count": {"display_value": "1", "value": "1"},
}

# PagerDuty REST API v2: GET /incidents/{id}, and GET /incidents/{id}/log_entries.
PD_RESOLVED: dict[str, Any] = {
    "id": "Q2KF1KJ9JQ8QFS",
    "type": "incident",
    "summary": "[#1234] Payment API error rate above 5%",
    "self": "https://api.pagerduty.com/incidents/Q2KF1KJ9JQ8QFS",
    "html_url": "https://acme.pagerduty.com/incidents/Q2KF1KJ9JQ8QFS",
    "incident_number": 1234,
    "title": "Payment API error rate above 5%",
    "created_at": "2024-05-14T03:12:07Z",
    "updated_at": "2024-05-14T04:01:10Z",
    "status": "resolved",
    "incident_key": "d1a9e2b1b6e2460f92c1a0e2a39f1c10",
    "service": {
        "id": "PIJ90N7",
        "type": "service_reference",
        "summary": "Payment API",
        "self": "https://api.pagerduty.com/services/PIJ90N7",
    },
    "assignments": [],
    "acknowledgements": [],
    "last_status_change_at": "2024-05-14T04:01:10Z",
    "urgency": "high",
    "priority": {"id": "P53ZZH5", "type": "priority_reference", "summary": "P1", "name": "P1"},
}
PD_LOG: list[dict[str, Any]] = [
    {
        "id": "R2XGXEI3W0FHMRGTN0OHH5LTFK",
        "type": "trigger_log_entry",
        "created_at": "2024-05-14T03:12:07Z",
        "channel": {"type": "api"},
    },
    {"id": "R1", "type": "notify_log_entry", "created_at": "2024-05-14T03:12:09Z"},
    {"id": "R2", "type": "acknowledge_log_entry", "created_at": "2024-05-14T03:19:40Z"},
    {"id": "R3", "type": "acknowledge_log_entry", "created_at": "2024-05-14T03:25:00Z"},
    {"id": "R4", "type": "annotate_log_entry", "created_at": "2024-05-14T03:30:00Z"},
    {"id": "R5", "type": "resolve_log_entry", "created_at": "2024-05-14T04:01:10Z"},
]
PD_ACKNOWLEDGED: dict[str, Any] = {
    **PD_RESOLVED,
    "id": "PT4KHLK",
    "status": "acknowledged",
    "urgency": "low",
    "priority": None,
    "acknowledgements": [
        {
            "at": "2024-05-14T03:15:00Z",
            "acknowledger": {"id": "PXPGF42", "type": "user_reference", "summary": "Earline"},
        }
    ],
}


class TestFromServiceNow:
    def test_a_resolved_major_incident(self) -> None:
        """Codes, references and UTC date-times map to levels, milestones and ids."""
        incident = from_servicenow(SN_RESOLVED_MAJOR)
        assert incident.id == "INC0010042"
        assert (incident.impact, incident.urgency, incident.priority) == (
            Impact.HIGH,
            Urgency.HIGH,
            Priority.P1,
        )
        assert incident.major
        assert incident.channel is Channel.MONITORING
        milestones = {m: t.isoformat() for m, t in incident.milestones.items()}
        assert milestones == {
            Milestone.REPORTED: "2024-03-01T09:02:11+00:00",
            Milestone.DECLARED: "2024-03-01T09:10:00+00:00",
            Milestone.RESOLVED: "2024-03-01T10:31:45+00:00",
            Milestone.CLOSED: "2024-03-04T10:31:45+00:00",
        }
        assert incident.problem_id == "62304320731823002728660c4cf6a7e8"
        assert incident.change_id == "a9e30c7dc61122760116894de7bcc7bd"
        assert incident.service == "27d32778c0a8000b00db970eeaa60f16"

    def test_display_values_in_the_readers_zone(self) -> None:
        """Display values and labels, read in the user's zone, give the same incident."""
        incident = from_servicenow(SN_ON_HOLD_DISPLAY, tz="Europe/Berlin")
        assert incident.reported_at.isoformat() == "2024-02-10T13:00:00+00:00"
        assert incident.is_open
        (hold,) = incident.holds
        assert (hold.start.isoformat(), hold.end, hold.reason) == (
            "2024-02-10T14:30:00+00:00",
            None,
            HoldReason.AWAITING_VENDOR,
        )
        assert (incident.impact, incident.urgency, incident.priority) == (
            Impact.MEDIUM,
            Urgency.HIGH,
            Priority.P2,
        )
        assert incident.channel is Channel.PORTAL
        assert (incident.service, incident.affected_services) == ("VPN", frozenset({"vpn-gw-01"}))
        assert (incident.parent_id, incident.reopen_count, incident.major) == (
            "INC0010040",
            1,
            False,
        )

    def test_iso_timestamps_and_no_hold_update_time(self) -> None:
        """ISO-8601 times are read too; a hold without an update time starts at opening."""
        record = {"number": "INC1", "opened_at": "2024-01-01T10:00:00+01:00", "state": "3"}
        incident = from_servicenow(record)
        assert incident.holds[0].start == incident.reported_at
        assert incident.holds[0].reason is None

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"number": ""}, r"^number \(missing\) is required"),
            ({"state": "4"}, r"^state \('4'\) is not a known code; expected one of 1 \(new\)"),
            ({"hold_reason": "2"}, r"^hold_reason \('2'\) is not a known code"),
            ({"impact": "4"}, r"impact"),
            ({"priority": "6 - Whenever"}, r"priority"),
            (
                {"major_incident_state": "maybe"},
                r"^major_incident_state \('maybe'\) is not a known",
            ),
            ({"contact_type": "pigeon"}, r"^contact_type \('pigeon'\) is not a known code"),
            (
                {"opened_at": "01/03/2024 09:02"},
                r"^opened_at \('01/03/2024 09:02'\) is not a ServiceNow",
            ),
            ({"reopen_count": "two"}, r"^reopen_count \('two'\) is not a whole number"),
            ({"resolved_at": "2024-03-01 08:00:00"}, r"^INC0010042: resolved_at .* is before"),
            ({"short_description": 3.5}, r"^short_description \(3\.5\) is not a string"),
        ],
    )
    def test_refusals_name_the_field(self, changes: dict[str, Any], message: str) -> None:
        """Each unknown code or malformed value raises RecordError naming its field."""
        with pytest.raises(RecordError, match=message):
            from_servicenow({**SN_RESOLVED_MAJOR, **changes})

    def test_other_refusals(self) -> None:
        """A record that is no mapping, an unknown zone, a hold with no opening time."""
        with pytest.raises(RecordError, match=r"^record \(\[\]\) is not a ServiceNow record"):
            from_servicenow([])  # type: ignore[arg-type]
        with pytest.raises(ConfigurationError, match=r"^tz \('Mars/Olympus'\) is not a known"):
            from_servicenow(SN_RESOLVED_MAJOR, tz="Mars/Olympus")
        with pytest.raises(
            RecordError, match=r"^opened_at \(missing\) is required for a record on hold"
        ):
            from_servicenow({"number": "INC1", "state": "3"})


class TestToServiceNow:
    def test_back_to_the_table(self) -> None:
        """An incident read from ServiceNow is written back with the same codes."""
        record = to_servicenow(from_servicenow(SN_RESOLVED_MAJOR))
        assert record["number"] == "INC0010042"
        assert record["state"] == "7"
        assert record["opened_at"] == "2024-03-01 09:02:11"
        assert (record["impact"], record["urgency"], record["priority"]) == ("1", "1", "1")
        assert record["major_incident_state"] == "accepted"
        assert record["rfc"] == "a9e30c7dc61122760116894de7bcc7bd"

    def test_states_from_milestones(self) -> None:
        """The state code follows from the milestones reached."""
        new = Incident("INC1", reported_at="2024-01-01T10:00Z")
        assert to_servicenow(new)["state"] == "1"
        acknowledged = attrs.evolve(new, acknowledged_at="2024-01-01T10:05Z")
        assert to_servicenow(acknowledged)["state"] == "2"
        resolved = attrs.evolve(acknowledged, resolved_at="2024-01-01T11:00Z")
        assert to_servicenow(resolved)["state"] == "6"

    def test_in_the_readers_zone(self) -> None:
        """Written in the reader's zone, read back in it, the incident is unchanged."""
        incident = from_servicenow(SN_ON_HOLD_DISPLAY, tz="Europe/Berlin")
        record = to_servicenow(incident, tz="Europe/Berlin")
        assert (record["opened_at"], record["state"], record["hold_reason"]) == (
            "2024-02-10 14:00:00",
            "3",
            "4",
        )
        assert from_servicenow(record, tz="Europe/Berlin") == incident

    @settings(max_examples=200)
    @given(incidents())
    def test_round_trip_of_what_servicenow_holds(self, incident: Incident) -> None:
        """What ServiceNow has fields for comes back unchanged (to the second, as it stores)."""
        back = from_servicenow(to_servicenow(incident))
        assert back.id == incident.id.strip()
        for milestone in (Milestone.REPORTED, Milestone.RESOLVED, Milestone.CLOSED):
            moment = incident.at(milestone)
            expected = None if moment is None else moment.replace(microsecond=0)
            assert back.at(milestone) == expected
        assert (back.impact, back.urgency, back.priority) == (
            incident.impact,
            incident.urgency,
            incident.priority,
        )
        assert back.major == incident.major
        assert back.reopen_count == incident.reopen_count


class TestFromPagerDuty:
    def test_resolved_with_its_log(self) -> None:
        """Created, first acknowledged and resolved come from the object and its log."""
        incident = from_pagerduty(PD_RESOLVED, PD_LOG)
        assert (incident.id, incident.title, incident.service) == (
            "Q2KF1KJ9JQ8QFS",
            "Payment API error rate above 5%",
            "Payment API",
        )
        assert (incident.urgency, incident.priority) == (Urgency.HIGH, Priority.P1)
        assert incident.channel is Channel.MONITORING
        milestones = {m: t.isoformat() for m, t in incident.milestones.items()}
        assert milestones == {
            Milestone.REPORTED: "2024-05-14T03:12:07+00:00",
            Milestone.ACKNOWLEDGED: "2024-05-14T03:19:40+00:00",  # the first acknowledgement
            Milestone.RESOLVED: "2024-05-14T04:01:10+00:00",
        }

    def test_resolved_at_field_wins(self) -> None:
        """The incident's own resolved_at is preferred to the log."""
        incident = from_pagerduty({**PD_RESOLVED, "resolved_at": "2024-05-14T04:00:00Z"}, PD_LOG)
        assert incident.resolved_at.isoformat() == "2024-05-14T04:00:00+00:00"

    def test_resolved_without_a_log(self) -> None:
        """Without a log, the last status change of a resolved incident resolves it."""
        incident = from_pagerduty(PD_RESOLVED)
        assert incident.resolved_at.isoformat() == "2024-05-14T04:01:10+00:00"
        assert incident.acknowledged_at is None
        assert incident.channel is None

    def test_acknowledged(self) -> None:
        """The acknowledgements of an acknowledged incident give ACKNOWLEDGED."""
        incident = from_pagerduty(PD_ACKNOWLEDGED)
        assert incident.acknowledged_at.isoformat() == "2024-05-14T03:15:00+00:00"
        assert (incident.urgency, incident.priority, incident.is_open) == (Urgency.LOW, None, True)

    def test_acknowledged_without_acknowledgements(self) -> None:
        """An acknowledged incident without them uses its last status change."""
        incident = from_pagerduty({**PD_ACKNOWLEDGED, "acknowledgements": []})
        assert incident.acknowledged_at.isoformat() == "2024-05-14T04:01:10+00:00"

    def test_triggered_by_email(self) -> None:
        """The trigger entry's channel says how it was reported; it may come later."""
        log = [
            {"type": "notify_log_entry", "created_at": "2024-05-14T03:12:08Z"},
            {
                "type": "trigger_log_entry",
                "created_at": "2024-05-14T03:12:07Z",
                "channel": {"type": "email"},
            },
        ]
        incident = from_pagerduty({**PD_RESOLVED, "status": "triggered"}, log)
        assert (incident.channel, incident.is_open) == (Channel.EMAIL, True)

    def test_custom_priority_names(self) -> None:
        """Accounts with their own priority names pass a mapping."""
        named = {**PD_RESOLVED, "priority": {"name": "SEV-1", "summary": "SEV-1"}}
        incident = from_pagerduty(named, priorities={"SEV-1": Priority.P1})
        assert incident.priority is Priority.P1
        with pytest.raises(RecordError, match=r"^priority.name \('SEV-1'\) is not one of"):
            from_pagerduty(named, priorities={"SEV-2": Priority.P2})

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"id": ""}, r"^id \(''\) must be a non-empty string"),
            (
                {"status": "snoozed"},
                r"^status \('snoozed'\) is not one of triggered, acknowledged, resolved",
            ),
            ({"urgency": "medium"}, r"^urgency \('medium'\) is not one of high, low"),
            ({"created_at": None}, r"^created_at \(missing\) is required"),
            ({"created_at": "2024-05-14 03:12"}, r"^created_at .* has no UTC offset"),
            ({"created_at": 1715656327}, r"^created_at \(1715656327\) is not an ISO-8601"),
            ({"priority": {"name": "SEV-1"}}, r"priority.name"),
            ({"priority": "P1"}, r"^priority \('P1'\) has no name"),
            ({"title": 5, "summary": None}, r"^title \(5\) is not a string"),
            ({"acknowledgements": "yes"}, r"^acknowledgements \('yes'\) is not a list"),
            (
                {"last_status_change_at": None},
                r"^resolved_at \(missing\) is required for a resolved",
            ),
            (
                {"status": "acknowledged", "acknowledgements": [{"at": "2024-05-14T03:00:00Z"}]},
                r"^Q2KF1KJ9JQ8QFS: acknowledged_at .* is before reported_at",
            ),
        ],
    )
    def test_refusals_name_the_field(self, changes: dict[str, Any], message: str) -> None:
        """Each unknown code or malformed value raises RecordError naming its field."""
        with pytest.raises(RecordError, match=message):
            from_pagerduty({**PD_RESOLVED, **changes})

    def test_bad_log_entries(self) -> None:
        """Log entries that are not objects or have no time are refused by index."""
        with pytest.raises(RecordError, match=r"^log_entries\[0\] \(5\) is not a log entry"):
            from_pagerduty(PD_RESOLVED, [5])  # type: ignore[list-item]
        with pytest.raises(
            RecordError, match=r"^log_entries\[0\]\.created_at \(None\) is required"
        ):
            from_pagerduty(PD_RESOLVED, [{"type": "resolve_log_entry"}])
        with pytest.raises(RecordError, match=r"^incident \(None\) is not a PagerDuty incident"):
            from_pagerduty(None)  # type: ignore[arg-type]


JSON_LIKE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _replaced(record: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """The record with a few of its fields, or new ones, set to arbitrary JSON values."""
    keys = data.draw(
        st.lists(st.sampled_from(sorted(record)) | st.text(max_size=5), min_size=1, max_size=3),
        label="keys",
    )
    return {**record, **{key: data.draw(JSON_LIKE, label=key) for key in keys}}


class TestHostileRecords:
    @settings(max_examples=300)
    @given(data=st.data())
    def test_servicenow(self, data: st.DataObject) -> None:
        """Any JSON value in any field gives an Incident or a RecordError, never another error."""
        record = _replaced(SN_RESOLVED_MAJOR, data)
        with contextlib.suppress(RecordError):
            from_servicenow(record)

    @settings(max_examples=300)
    @given(data=st.data())
    def test_pagerduty(self, data: st.DataObject) -> None:
        """Any JSON value in any field, or in the log, gives an Incident or a RecordError."""
        record = _replaced(PD_RESOLVED, data)
        log = [_replaced(entry, data) for entry in PD_LOG]
        with contextlib.suppress(RecordError):
            from_pagerduty(record, log)

    @pytest.mark.parametrize("urgency", [{"x": 1}, ["high"], 3])
    def test_unhashable_urgency(self, urgency: object) -> None:
        """An urgency that is an object or a list is named, not a TypeError."""
        with pytest.raises(RecordError, match=r"^urgency \(.*\) is not one of high, low"):
            from_pagerduty({**PD_RESOLVED, "urgency": urgency})


def _nested(path: str, value: object) -> dict[str, object]:
    """A JSON object holding `value` at a dotted path (``service.summary``)."""
    head, _, rest = path.partition(".")
    return {head: _nested(rest, value) if rest else value}


class TestOneColumnMap:
    """The CLI's presets, the dataframe presets and interop name every field alike."""

    @pytest.mark.parametrize("vendor", sorted(COLUMNS))
    def test_cli_presets_are_the_map(self, vendor: str) -> None:
        """Each CLI preset is the vendor's map, on the fields the CLI reads."""
        columns = COLUMNS[vendor]
        assert PRESETS[vendor] == {f: c for f, c in columns.items() if f in PRESETS[vendor]}
        left_out = set(columns) - set(PRESETS[vendor])
        assert left_out <= {"channel", "reopen_count"}  # coded, or not a field the CLI reads
        assert ("major" in PRESETS[vendor]) == ("major" in columns)

    @pytest.mark.parametrize(
        ("vendor", "preset"), [("servicenow", frames.SERVICENOW), ("pagerduty", frames.PAGERDUTY)]
    )
    def test_frames_presets_are_the_map(self, vendor: str, preset: frames.ColumnMap) -> None:
        """Each dataframe preset maps exactly the map's grouping fields and milestones.

        A coded major flag is left to the caller: frames need a boolean column.
        """
        columns = COLUMNS[vendor]
        for field in (*kpi.GROUPS, "id"):
            coded = field == "major" and field in CODED[vendor]
            assert (None if coded else columns.get(field)) == getattr(preset, field)
        milestones = {m.field: c for m, c in preset.milestones.items()}
        assert milestones == {f: c for f, c in columns.items() if f.endswith("_at")}

    def test_servicenow_reads_and_writes_the_map(self) -> None:
        """to_servicenow writes, and from_servicenow reads, every mapped field by its name."""
        incident = Incident(
            "INC1",
            title="down",
            service="cdn",
            channel="email",
            impact="high",
            urgency="high",
            priority="P1",
            reported_at="2024-01-01T09:00Z",
            declared_at="2024-01-01T09:10Z",
            resolved_at="2024-01-01T10:00Z",
            closed_at="2024-01-02T10:00Z",
            reopen_count=1,
            parent_id="INC0",
            problem_id="PRB1",
            change_id="CHG1",
        )
        record = to_servicenow(incident)
        assert set(COLUMNS["servicenow"].values()) <= set(record)
        only_mapped = {c: record[c] for c in COLUMNS["servicenow"].values()}
        assert incident == from_servicenow({**only_mapped, "state": record["state"]})

    def test_pagerduty_reads_the_map(self) -> None:
        """from_pagerduty reads each mapped field at the path the map gives."""
        columns = COLUMNS["pagerduty"]
        values = {
            "id": "PT4KHLK",
            "title": "down",
            "service": "cdn",
            "urgency": "low",
            "priority": "P2",
            "reported_at": "2024-01-01T09:00:00Z",
            "resolved_at": "2024-01-01T10:00:00Z",
        }
        record: dict[str, Any] = {"status": "resolved"}
        for field, value in values.items():
            for key, inner in _nested(columns[field], value).items():
                record[key] = {**record.get(key, {}), **inner} if isinstance(inner, dict) else inner
        found = from_pagerduty(record)
        assert ("PT4KHLK", "down", "cdn", Urgency.LOW, Priority.P2) == (
            found.id,
            found.title,
            found.service,
            found.urgency,
            found.priority,
        )
        assert "2024-01-01T10:00:00+00:00" == found.resolved_at.isoformat()  # type: ignore[union-attr]
