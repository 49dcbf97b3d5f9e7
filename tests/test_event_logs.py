"""Incidents rebuilt from state-change logs (ServiceNow audit exports, Jira changelogs)."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.frames_data import rows as frame_rows
from tests.test_frames import duckdb_counted, read_counted

from majorincident import frames
from majorincident.errors import ConfigurationError, RecordError
from majorincident.incident import Hold, HoldReason, Incident
from majorincident.interop import (
    JIRA,
    PAGERDUTY_LOG,
    EventLog,
    LeftOut,
    Phase,
    from_event_log,
    from_pagerduty,
    tally,
)
from majorincident.kpi import MTTA, MTTR, summarize

T0 = datetime(2024, 1, 2, 9, tzinfo=UTC)
DAY_FIRST = "%d-%m-%Y %H:%M"


def at(minutes: int) -> datetime:
    """The instant `minutes` after the first update."""
    return T0 + timedelta(minutes=minutes)


def day_first(moment: datetime) -> str:
    """A moment as the audit export writes it: day first, no offset."""
    return moment.strftime(DAY_FIRST)


def sn_row(
    number: str,
    count: int,
    state: str,
    minutes: int,
    *,
    resolved: int | None = None,
    closed: int | None = None,
    **fields: str,
) -> dict[str, str]:
    """One row of a ServiceNow audit export, written as the export writes it (``?`` for none)."""
    return {
        "number": number,
        "incident_state": state,
        "sys_mod_count": str(count),
        "sys_updated_at": day_first(T0 + timedelta(minutes=minutes)),
        "opened_at": day_first(T0),
        "priority": fields.get("priority", "3 - Moderate"),
        "impact": fields.get("impact", "2 - Medium"),
        "urgency": fields.get("urgency", "?"),
        "made_sla": "TRUE",
        "resolved_at": "?" if resolved is None else day_first(at(resolved)),
        "closed_at": "?" if closed is None else day_first(at(closed)),
    }


AUDIT = [
    # Reopened once, with a wait for the caller; rows out of order and interleaved.
    sn_row("INC1", 3, "Resolved", 90, resolved=90),
    sn_row("INC2", 0, "New", 0),
    sn_row("INC1", 0, "New", 0),
    sn_row("INC1", 1, "Active", 10),
    sn_row("INC1", 2, "Awaiting User Info", 30),
    sn_row("INC1", 5, "Resolved", 200, resolved=200, priority="1 - Critical"),
    sn_row("INC1", 4, "Active", 120),
    sn_row("INC1", 6, "Closed", 300, resolved=200, closed=300, priority="1 - Critical"),
    # Closed without ever being resolved, nor acknowledged.
    sn_row("INC2", 1, "Closed", 60, closed=60),
    # Still open, waiting on a vendor, a field updated without a state change.
    sn_row("INC3", 0, "New", 0),
    sn_row("INC3", 1, "Active", 5),
    sn_row("INC3", 2, "Awaiting Vendor", 20),
    sn_row("INC3", 3, "Awaiting Vendor", 25, priority="2 - High"),
]


def rebuild(rows: list[dict[str, Any]], **options: Any) -> dict[str, Incident]:
    """The incidents by id, read as the audit export is (day first, UTC, ``?`` missing)."""
    options = {"assume_tz": "UTC", "date_format": DAY_FIRST, "nulls": {"?"}, **options}
    return {incident.id: incident for incident in from_event_log(rows, **options)}


class TestServiceNowAudit:
    def test_a_reopened_incident_with_a_wait(self) -> None:
        """Acknowledged at the first Active; the wait is a hold; resolved at the last Resolved."""
        incident = rebuild(AUDIT)["INC1"]

        assert incident.reported_at == T0
        assert incident.acknowledged_at == at(10)
        assert incident.holds == (Hold(at(30), at(90), HoldReason.AWAITING_CALLER),)
        assert (incident.resolved_at, incident.closed_at) == (at(200), at(300))
        assert incident.reopen_count == 1
        assert incident.priority.name == "P1"  # from the latest row

    def test_closed_without_a_resolution(self) -> None:
        """Closed from New: no resolution, no acknowledgement; over, so missing, not open."""
        incident = rebuild(AUDIT)["INC2"]

        assert (incident.acknowledged_at, incident.resolved_at) == (None, None)
        assert incident.closed_at == at(60)
        for metric in (MTTA, MTTR):
            summary = summarize([incident], metric, as_of=at(1000))
            assert (summary.open, summary.missing_end) == (0, 1)

    def test_still_waiting(self) -> None:
        """A case whose log ends in a waiting state holds an open hold; nulls stay missing."""
        incident = rebuild(AUDIT)["INC3"]

        assert incident.holds == (Hold(at(20), None, HoldReason.AWAITING_VENDOR),)
        assert incident.is_open
        assert incident.priority.name == "P2"
        assert incident.urgency is None  # "?" in the export

    def test_cases_in_the_order_they_first_appear(self) -> None:
        """One incident per case, in the log's order of first appearance."""
        assert ["INC1", "INC2", "INC3"] == list(rebuild(AUDIT))

    def test_an_unknown_state_names_the_row(self) -> None:
        """A state the log does not map is refused with its row; mapping it makes it readable."""
        rows = [*AUDIT, sn_row("INC4", 0, "Awaiting Parts", 0)]
        with pytest.raises(
            RecordError,
            match=r"^rows\[13\] \(number 'INC4'\): incident_state \('Awaiting Parts'\) is not a "
            r"state the log maps",
        ):
            rebuild(rows)
        mapped = rebuild(rows, states={"Awaiting Parts": HoldReason.AWAITING_VENDOR})
        assert mapped["INC4"].holds[0].reason is HoldReason.AWAITING_VENDOR

    def test_dates_are_never_guessed(self) -> None:
        """Day-first dates without their format are refused, naming the row and the column."""
        with pytest.raises(RecordError, match=r"^rows\[0\] \(number 'INC1'\): sys_updated_at"):
            rebuild(AUDIT, date_format=None)
        with pytest.raises(RecordError, match=r"does not match the date format"):
            rebuild(AUDIT, date_format="%Y-%m-%d %H:%M")

    def test_naive_times_need_a_zone(self) -> None:
        """Without assume_tz a wall time is refused, not read as UTC."""
        with pytest.raises(RecordError, match=r"no UTC offset"):
            rebuild(AUDIT, assume_tz=None)

    @pytest.mark.parametrize(
        ("row", "message"),
        [
            ({"number": "", "incident_state": "New"}, r"^rows\[0\]: number \(''\) must name"),
            (
                {"number": "INC9", "incident_state": "New", "sys_mod_count": "0"},
                r"^rows\[0\] \(number 'INC9'\): sys_updated_at is missing",
            ),
        ],
    )
    def test_rows_without_their_case_or_time(self, row: dict[str, str], message: str) -> None:
        """A row must say which incident and when."""
        with pytest.raises(RecordError, match=message):
            from_event_log([row])

    def test_a_value_the_record_refuses_names_the_case(self) -> None:
        """A field the record cannot read refuses the case, prefixed with its id."""
        row = sn_row("INC9", 0, "Active", 0, priority="9 - Bogus")
        with pytest.raises(RecordError, match=r"^number 'INC9': priority"):
            rebuild([row])

    def test_a_column_beats_the_states(self) -> None:
        """resolved_at and closed_at are the latest row's: empty there is missing."""
        rows = [
            sn_row("INC1", 0, "New", 0),
            sn_row("INC1", 1, "Resolved", 30),  # logged straight as Resolved: no resolved_at
            sn_row("INC2", 0, "New", 0),
            sn_row("INC2", 1, "Resolved", 30, resolved=25),
            sn_row("INC2", 2, "Closed", 90, resolved=25, closed=95),
        ]
        found = rebuild(rows)

        assert (found["INC1"].resolved_at, found["INC1"].closed_at) == (None, None)
        assert (found["INC2"].resolved_at, found["INC2"].closed_at) == (at(25), at(95))
        assert found.keys() == {"INC1", "INC2"}

    def test_a_fact_out_of_order_is_left_out_and_said(self) -> None:
        """An Active before opened_at loses the acknowledgement, not the incident."""
        late = {"opened_at": day_first(at(60))}
        rows = [
            {**sn_row("INC9", 0, "Active", 0), **late},
            {**sn_row("INC9", 1, "Resolved", 120, resolved=120), **late},
            sn_row("INC8", 0, "Awaiting Vendor", 0),
            sn_row("INC8", 1, "Resolved", 50, resolved=40),
            sn_row("INC8", 2, "Closed", 60, resolved=40, closed=30),
        ]
        rebuilt = from_event_log(rows, assume_tz="UTC", date_format=DAY_FIRST, nulls={"?"})
        late_one, early_close = rebuilt

        assert (late_one.reported_at, late_one.acknowledged_at) == (at(60), None)
        assert late_one.resolved_at == at(120)
        assert (early_close.resolved_at, early_close.closed_at, early_close.holds) == (
            at(40),
            None,
            (),
        )
        assert rebuilt.left_out == (
            LeftOut("INC9", "acknowledged_at", "acknowledgement before opening"),
            LeftOut("INC8", "closed_at", "closure before resolution"),
            LeftOut("INC8", "holds", "hold after resolution"),
        )
        assert tally(rebuilt.left_out) == [
            "1 acknowledgement before opening, left out: INC9",
            "1 closure before resolution, left out: INC8",
            "1 hold after resolution, left out: INC8",
        ]

    def test_the_state_gives_way_to_the_column(self) -> None:
        """Of two milestones out of order, the one from the states goes; never the opening."""
        rows = [
            sn_row("INC1", 0, "New", 0),
            sn_row("INC1", 1, "Resolved", 30, resolved=10),
            sn_row("INC1", 2, "Active", 40),
            sn_row("INC1", 3, "Awaiting Vendor", 50),
            sn_row("INC1", 4, "Resolved", 70, resolved=20),
        ]
        (incident,) = rebuild(rows).values()

        assert (incident.acknowledged_at, incident.resolved_at) == (None, at(20))
        assert incident.reopen_count == 1
        assert incident.holds == ()

    def test_a_hold_before_the_opening(self) -> None:
        """A wait logged before opened_at is left out; the tally names at most five cases."""
        late = {"opened_at": day_first(at(60))}
        rows = [{**sn_row(f"INC{n}", 0, "Awaiting Vendor", 0), **late} for n in range(7)]
        rebuilt = from_event_log(rows, assume_tz="UTC", date_format=DAY_FIRST, nulls={"?"})

        assert [incident.holds for incident in rebuilt] == [()] * 7
        assert tally(rebuilt.left_out) == [
            "7 hold before opening, left out: INC0, INC1, INC2, INC3, INC4 and 2 more"
        ]

    def test_milestone_columns_must_be_milestones(self) -> None:
        """A log's milestone columns are refused unless they name a milestone field."""
        with pytest.raises(RecordError, match=r"^milestones \('reported_at': 'x'\) must map"):
            EventLog(
                case="c", state="s", at="t", order=["t"], opened=None, states={},
                milestones={"reported_at": "x"},
            )  # fmt: skip

    def test_bad_state_meanings(self) -> None:
        """A state mapped to something that is not a Phase or HoldReason is refused."""
        with pytest.raises(RecordError, match=r"^states \('Parts': 'waiting'\) must map"):
            rebuild(AUDIT, states={"Parts": "waiting"})


class TestJira:
    ROWS = (
        {"issue_key": "SD-1", "created": "2024-01-02T09:00:00+00:00", "field": "status",
         "from": "Open", "to": "In Progress", "changed": "2024-01-02T09:15:00+00:00"},
        {"issue_key": "SD-1", "created": "2024-01-02T09:00:00+00:00", "field": "assignee",
         "from": "", "to": "ana", "changed": "2024-01-02T09:16:00+00:00"},
        {"issue_key": "SD-1", "created": "2024-01-02T09:00:00+00:00", "field": "status",
         "from": "In Progress", "to": "Waiting for customer",
         "changed": "2024-01-02T10:00:00+00:00"},
        {"issue_key": "SD-1", "created": "2024-01-02T09:00:00+00:00", "field": "status",
         "from": "Waiting for customer", "to": "Resolved", "changed": "2024-01-02T12:00:00+00:00"},
    )  # fmt: skip

    def test_status_changes_rebuild_the_timeline(self) -> None:
        """Only status rows count; created is the report; statuses mean what the preset says."""
        (incident,) = from_event_log(self.ROWS, JIRA)

        assert incident.id == "SD-1"
        assert incident.reported_at == T0
        assert incident.acknowledged_at == at(15)
        assert incident.holds == (Hold(at(60), at(180), HoldReason.AWAITING_CALLER),)
        assert incident.resolved_at == at(180)


# -- the property: a log written from a timeline gives that timeline back ---------------------

#: One state name per meaning, as the ServiceNow audit export writes them.
NAMES = {
    Phase.NEW: "New",
    Phase.WORKING: "Active",
    Phase.RESOLVED: "Resolved",
    Phase.CLOSED: "Closed",
    HoldReason.AWAITING_CALLER: "Awaiting User Info",
    HoldReason.AWAITING_PROBLEM: "Awaiting Problem",
    HoldReason.AWAITING_VENDOR: "Awaiting Vendor",
    HoldReason.AWAITING_CHANGE: "Awaiting Change",
}
#: Where a case may go from each meaning (a closed case may be reopened to work).
NEXT = {
    Phase.NEW: [Phase.WORKING, *HoldReason, Phase.RESOLVED, Phase.CLOSED],
    Phase.WORKING: [*HoldReason, Phase.RESOLVED, Phase.CLOSED],
    Phase.RESOLVED: [Phase.WORKING, *HoldReason, Phase.CLOSED],
    Phase.CLOSED: [Phase.WORKING],
    **{reason: [Phase.WORKING, Phase.RESOLVED, Phase.CLOSED] for reason in HoldReason},
}


@st.composite
def timelines(draw: st.DrawFn) -> list[tuple[Any, datetime]]:
    """A walk through the states from New, each move some minutes after the last."""
    meaning: Any = Phase.NEW
    moment = T0 + timedelta(minutes=draw(st.integers(0, 10_000)))
    walk = [(meaning, moment)]
    for _ in range(draw(st.integers(0, 8))):
        meaning = draw(st.sampled_from(NEXT[meaning]))
        moment += timedelta(minutes=draw(st.integers(1, 600)))
        walk.append((meaning, moment))
    return walk


def expected(case: str, walk: list[tuple[Any, datetime]]) -> Incident:
    """The incident the walk describes, stated run by run (not move by move)."""
    runs = [
        (meaning, [m for _, m in group])
        for meaning, group in itertools.groupby(walk, lambda x: x[0])
    ]
    starts = [moments[0] for _, moments in runs]
    ends: list[datetime | None] = [*starts[1:], None]
    meanings = [meaning for meaning, _ in runs]
    working = [
        start for meaning, start in zip(meanings, starts, strict=True) if meaning is Phase.WORKING
    ]
    holds = [
        Hold(start, end, meaning)
        for meaning, start, end in zip(meanings, starts, ends, strict=True)
        if isinstance(meaning, HoldReason)
    ]
    over = (Phase.RESOLVED, Phase.CLOSED)
    reopened = sum(1 for a, b in itertools.pairwise(meanings) if a in over and b not in over)
    last_active = max((n for n, m in enumerate(meanings) if m not in over), default=-1)
    tail = list(zip(meanings, starts, strict=True))[last_active + 1 :]
    resolved = [start for meaning, start in tail if meaning is Phase.RESOLVED]
    closed = meanings[-1] is Phase.CLOSED
    return Incident(
        case,
        reported_at=walk[0][1],
        acknowledged_at=working[0] if working else None,
        holds=holds,
        resolved_at=resolved[-1] if resolved else None,
        closed_at=starts[-1] if closed else None,
        reopen_count=reopened,
    )


def log_of(case: str, walk: list[tuple[Any, datetime]], echoes: list[int]) -> list[dict[str, Any]]:
    """The audit rows of a walk, with field updates repeating a state at the given moves.

    Each row carries ``resolved_at`` and ``closed_at`` as the incident had them then, as the
    audit export writes them.
    """
    rows = []
    count = 0
    for index, (meaning, moment) in enumerate(walk):
        so_far = expected(case, walk[: index + 1])
        for _ in range(1 + echoes.count(index)):
            rows.append(
                {
                    "number": case,
                    "incident_state": NAMES[meaning],
                    "sys_mod_count": count,
                    "sys_updated_at": moment,
                    "opened_at": walk[0][1].isoformat(),
                    "resolved_at": so_far.resolved_at,
                    "closed_at": so_far.closed_at,
                }
            )
            count += 1
    return rows


class TestRebuildingIsFaithful:
    @settings(max_examples=200, deadline=None)
    @given(
        st.lists(timelines(), min_size=1, max_size=5),
        st.lists(st.integers(0, 8), max_size=4),
        st.randoms(use_true_random=False),
    )
    def test_a_log_gives_back_its_timeline(
        self, walks: list[list[tuple[Any, datetime]]], echoes: list[int], rng: random.Random
    ) -> None:
        """Whatever the order of the rows, each case comes back as the timeline it was."""
        rows = [row for n, walk in enumerate(walks) for row in log_of(f"INC{n}", walk, echoes)]
        rng.shuffle(rows)
        rebuilt = {incident.id: incident for incident in from_event_log(rows)}

        assert sorted(rebuilt) == sorted(f"INC{n}" for n in range(len(walks)))
        for n, walk in enumerate(walks):
            assert rebuilt[f"INC{n}"] == expected(f"INC{n}", walk)


def test_a_log_layout_of_ones_own() -> None:
    """Any log works given its columns and states; rows order by the time column alone."""
    log = EventLog(
        case="ticket",
        state="status",
        at="when",
        order=["when"],
        opened=None,
        states={"open": Phase.NEW, "doing": Phase.WORKING, "done": Phase.RESOLVED},
        fields={"service": "svc"},
    )
    rows = [
        {"ticket": "T1", "status": "done", "when": at(50).isoformat(), "svc": "cdn"},
        {"ticket": "T1", "status": "open", "when": at(0).isoformat(), "svc": "dns"},
        {"ticket": "T1", "status": "doing", "when": at(5).isoformat(), "svc": "dns"},
    ]
    (incident,) = from_event_log(rows, log)

    assert (incident.reported_at, incident.acknowledged_at, incident.resolved_at) == (
        at(0),
        at(5),
        at(50),
    )
    assert incident.service == "cdn"


# -- the same rebuild on dataframes -----------------------------------------------------------

ENGINES = {
    "pandas": lambda frame: frame.to_pandas(),
    "polars": lambda frame: frame,
    "polars-lazy": lambda frame: frame.lazy(),
    "duckdb": lambda frame: duckdb.from_arrow(frame.to_arrow()),
}
TIME = pl.Datetime("us", "UTC")
#: Text that Python's ``repr`` writes as it is (letters, marks, numbers, punctuation, symbols).
PRINTABLE = st.characters(
    codec="utf-8", categories=["L", "M", "N", "P", "S"], include_characters=" "
)
LOG_SCHEMA = {
    "number": pl.String,
    "incident_state": pl.String,
    "sys_mod_count": pl.Int64,
    "sys_updated_at": TIME,
    "opened_at": TIME,
    "resolved_at": TIME,
    "closed_at": TIME,
    "priority": pl.String,
    "impact": pl.String,
    "urgency": pl.String,
}


def log_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Audit rows as a Polars frame, times parsed, ``?`` as null, absent columns left out."""
    names = [name for name in LOG_SCHEMA if any(name in row for row in rows)]
    data = {
        name: [
            None
            if row.get(name) in (None, "?")
            else datetime.fromisoformat(row[name])
            if LOG_SCHEMA[name] == TIME and isinstance(row[name], str)
            else row[name]
            for row in rows
        ]
        for name in names
    }
    return pl.DataFrame(data, schema={name: LOG_SCHEMA[name] for name in names})


#: A log of cases, states and times alone: no opened column, no fields, no milestone columns.
BARE_LOG = EventLog(
    case="case",
    state="state",
    at="at",
    order=("at",),
    opened=None,
    states={"new": Phase.NEW, "fixed": Phase.RESOLVED},
)


def bare_log() -> pl.DataFrame:
    """One case of :data:`BARE_LOG`, reported at 0 and fixed at 30 minutes."""
    return pl.DataFrame({"case": ["C1", "C1"], "state": ["New", "Fixed"], "at": [at(0), at(30)]})


def frame_timelines(result: object) -> dict[str, dict[str, Any]]:
    """The rebuilt frame's rows by id."""
    return {row.pop("id"): row for row in frame_rows(result)}


def record_timeline(incident: Incident) -> dict[str, Any]:
    """What a rebuilt frame says of an incident."""
    return {
        "reported_at": incident.reported_at,
        "acknowledged_at": incident.acknowledged_at,
        "resolved_at": incident.resolved_at,
        "closed_at": incident.closed_at,
        "reopen_count": incident.reopen_count,
    }


class TestOnFrames:
    @pytest.mark.parametrize("engine", ENGINES)
    def test_the_audit_as_the_pure_path_reads_it(self, engine: str) -> None:
        """The reopened, closed-unresolved and waiting incidents of the audit, every engine."""
        rows = [{**row, **dict.fromkeys(("opened_at",), day_first(T0))} for row in AUDIT]
        parsed = [
            {
                k: datetime.strptime(v, DAY_FIRST).replace(tzinfo=UTC)
                if k.endswith("_at") and v != "?"
                else v
                for k, v in row.items()
            }
            for row in rows
        ]
        for row in parsed:
            row["sys_mod_count"] = int(row["sys_mod_count"])
        found = frame_timelines(frames.from_event_log(ENGINES[engine](log_frame(parsed))))

        for incident in rebuild(AUDIT).values():
            row = found[incident.id]
            assert {k: row[k] for k in record_timeline(incident)} == record_timeline(incident)
            assert row["left_out"] is None
        assert found["INC1"]["priority"] == "1 - Critical"  # the latest row's, as written
        assert found["INC3"]["urgency"] is None

    @pytest.mark.parametrize("engine", ENGINES)
    def test_facts_out_of_order_are_left_out_and_said(self, engine: str) -> None:
        """An Active before the opening loses its acknowledgement; a late closure is kept."""
        rows = [
            {"number": "A", "incident_state": "Active", "sys_mod_count": 0,
             "sys_updated_at": at(0), "opened_at": at(60)},
            {"number": "A", "incident_state": "Resolved", "sys_mod_count": 1,
             "sys_updated_at": at(90), "opened_at": at(60), "resolved_at": at(80),
             "closed_at": at(70)},
        ]  # fmt: skip
        found = frame_timelines(frames.from_event_log(ENGINES[engine](log_frame(rows))))
        expected = from_event_log(rows)

        assert {k: found["A"][k] for k in record_timeline(expected[0])} == record_timeline(
            expected[0]
        )
        assert found["A"]["left_out"] == (
            "acknowledged_at (acknowledgement before opening); "
            "closed_at (closure before resolution)"
        )
        assert [note.field for note in expected.left_out] == ["acknowledged_at", "closed_at"]

    @settings(max_examples=60, deadline=None)
    @given(
        st.lists(timelines(), min_size=1, max_size=5),
        st.lists(st.integers(0, 8), max_size=4),
        st.booleans(),
        st.sampled_from(sorted(ENGINES)),
        st.randoms(use_true_random=False),
    )
    def test_a_log_gives_back_its_timeline(
        self,
        walks: list[list[tuple[Any, datetime]]],
        echoes: list[int],
        with_columns: bool,
        engine: str,
        rng: random.Random,
    ) -> None:
        """Any engine, shuffled rows, with or without the milestone columns: the walk's timeline."""
        rows = []
        for n, walk in enumerate(walks):
            for row in log_of(f"INC{n}", walk, echoes):
                if not with_columns:
                    del row["resolved_at"], row["closed_at"]
                rows.append({**row, "priority": f"{row['sys_mod_count'] % 4 + 1} - P"})
        rng.shuffle(rows)
        found = frame_timelines(frames.from_event_log(ENGINES[engine](log_frame(rows))))

        assert sorted(found) == sorted(f"INC{n}" for n in range(len(walks)))
        for n, walk in enumerate(walks):
            row = found[f"INC{n}"]
            assert {k: row[k] for k in _TIMELINE} == record_timeline(expected(f"INC{n}", walk))
            last = max(r["sys_mod_count"] for r in rows if r["number"] == f"INC{n}")
            assert row["priority"] == f"{last % 4 + 1} - P"
            assert row["left_out"] is None

    def test_a_jira_changelog_and_states_of_ones_own(self) -> None:
        """Only the status rows; a state mapped by the caller; naive times stay naive."""
        rows = [
            {"issue_key": "SD-1", "created": datetime(2024, 1, 2, 9), "field": "status",
             "to": "In Progress", "changed": datetime(2024, 1, 2, 9, 15)},
            {"issue_key": "SD-1", "created": datetime(2024, 1, 2, 9), "field": "assignee",
             "to": "ana", "changed": datetime(2024, 1, 2, 9, 16)},
            {"issue_key": "SD-1", "created": datetime(2024, 1, 2, 9), "field": "status",
             "to": "Fixed", "changed": datetime(2024, 1, 2, 12)},
        ]  # fmt: skip
        result = frames.from_event_log(pl.DataFrame(rows), JIRA, states={"fixed": Phase.RESOLVED})
        (row,) = result.to_dicts()
        assert (row["acknowledged_at"], row["resolved_at"]) == (
            datetime(2024, 1, 2, 9, 15),
            datetime(2024, 1, 2, 12),
        )
        assert list(result.columns) == [
            "id", "reported_at", "acknowledged_at", "resolved_at", "closed_at", "reopen_count",
            "left_out",
        ]  # fmt: skip

    @pytest.mark.parametrize("engine", ENGINES)
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"incident_state": "Awaiting Parts"}, r"^number 'A': incident_state \('Awaiting "),
            ({"number": None}, r"^a row in state 'New' has no number"),
            ({"sys_updated_at": None}, r"^number 'A': sys_updated_at is missing"),
        ],
    )
    def test_bad_rows_are_refused(self, engine: str, change: dict[str, Any], message: str) -> None:
        """An unknown state, a row without its case or its time: RecordError naming them.

        Eager frames at the call; lazy ones when read, DuckDB with its own error and the same
        message; any engine at the call with ``check="now"``.
        """
        rows = [
            {"number": "A", "incident_state": "Active", "sys_mod_count": 1,
             "sys_updated_at": at(5), "opened_at": at(0)},
            {"number": "A", "incident_state": "New", "sys_mod_count": 0,
             "sys_updated_at": at(0), "opened_at": at(0), **change},
        ]  # fmt: skip
        native = ENGINES[engine](log_frame(rows))
        with pytest.raises(RecordError, match=message) as refused:
            frames.from_event_log(native, check="now")
        if engine in ("pandas", "polars"):
            with pytest.raises(RecordError, match=message):
                frames.from_event_log(native)
            return
        result = frames.from_event_log(native)  # read when collected, and refused then
        if engine == "polars-lazy":
            with pytest.raises(RecordError, match=message):
                result.collect()
            return
        with pytest.raises(duckdb.InvalidInputException) as raised:
            result.fetchall()
        assert str(raised.value) == f"Invalid Input Error: {refused.value}"

    @settings(max_examples=60, deadline=None)
    @given(
        st.one_of(st.none(), st.text(PRINTABLE)),
        st.one_of(st.none(), st.text(PRINTABLE)),
        st.booleans(),
    )
    def test_duckdb_refuses_with_the_records_message(
        self, case: str | None, state: str | None, timed: bool
    ) -> None:
        """Any printable case and state (quotes, backslashes, unicode): the pure message."""
        rows = [
            {"number": "A", "incident_state": "Active", "sys_mod_count": 1,
             "sys_updated_at": at(5), "opened_at": at(0)},
            {"number": case, "incident_state": state, "sys_mod_count": 0,
             "sys_updated_at": at(0) if timed else None, "opened_at": at(0)},
        ]  # fmt: skip
        frame = log_frame(rows)
        try:
            frames.from_event_log(frame)
        except RecordError as error:
            expected = f"Invalid Input Error: {error}"
        else:
            assert frames.from_event_log(duckdb.from_arrow(frame.to_arrow())).fetchall()
            return
        with pytest.raises(duckdb.InvalidInputException) as raised:
            frames.from_event_log(duckdb.from_arrow(frame.to_arrow())).fetchall()
        assert str(raised.value) == expected

    def test_duckdb_refuses_numbered_cases_with_the_records_message(self) -> None:
        """A case column of numbers: written as Python writes numbers, unquoted."""
        frame = pl.DataFrame(
            {
                "number": [7, 7, None],
                "incident_state": ["New", "Awaiting Parts", "New"],
                "sys_mod_count": [0, 1, 2],
                "sys_updated_at": [at(0), at(1), at(2)],
                "opened_at": [at(0), at(0), at(0)],
            }
        )
        for rows in (frame.head(2), frame.slice(2)):
            with pytest.raises(RecordError) as refused:
                frames.from_event_log(rows)
            with pytest.raises(duckdb.InvalidInputException) as raised:
                frames.from_event_log(duckdb.from_arrow(rows.to_arrow())).fetchall()
            assert str(raised.value) == f"Invalid Input Error: {refused.value}"
        assert str(refused.value).startswith("a row in state 'New' has no number")

    def test_messages_name_the_callers_columns(self) -> None:
        """Dotted columns (renamed inside for SQL engines) are named as the caller wrote them."""
        log = EventLog(
            case="incident.id",
            state="entry.type",
            at="created_at",
            order=("created_at",),
            opened=None,
            states={"triggered": Phase.NEW},
        )
        frame = pl.DataFrame(
            {"incident.id": ["PD1"], "entry.type": ["Paused"], "created_at": [at(0)]}
        )
        message = r"^incident\.id 'PD1': entry\.type \('Paused'\) is not a state"
        with pytest.raises(RecordError, match=message):
            frames.from_event_log(frame, log)
        with pytest.raises(duckdb.InvalidInputException, match=message.replace("^", ": ")):
            frames.from_event_log(duckdb.from_arrow(frame.to_arrow()), log).fetchall()

    @pytest.mark.parametrize("engine", ENGINES)
    def test_a_log_of_only_cases_states_and_times(self, engine: str) -> None:
        """No opened column, no fields, no milestone columns: the moves alone.

        (Adding the latest row's values with none to add raised narwhals' ValueError.)
        """
        (row,) = frame_rows(frames.from_event_log(ENGINES[engine](bare_log()), BARE_LOG))
        assert (row["id"], row["reported_at"], row["resolved_at"]) == ("C1", at(0), at(30))

    def test_check_must_be_lazily_or_now(self) -> None:
        """Any other value: ConfigurationError naming it."""
        with pytest.raises(ConfigurationError, match=r"^check must be 'lazily' or 'now', not 'x'"):
            frames.from_event_log(log_frame([]), check="x")  # type: ignore[arg-type]

    def test_bad_columns_are_refused(self) -> None:
        """Missing columns, text times, text order, naive mixed with aware: named."""
        good = log_frame([{"number": "A", "incident_state": "New", "sys_mod_count": 0,
                           "sys_updated_at": at(0), "opened_at": at(0)}])  # fmt: skip
        cases = [
            (good.drop("number", "sys_mod_count"), r"number \(case\), sys_mod_count \(order\)"),
            (good.with_columns(pl.col("sys_updated_at").dt.to_string()), "not datetime"),
            (good.with_columns(pl.col("sys_mod_count").cast(pl.String)), "numbers or datetimes"),
            (good.with_columns(pl.col("opened_at").dt.replace_time_zone(None)), "mix naive"),
        ]
        for frame, message in cases:
            with pytest.raises(ConfigurationError, match=message):
                frames.from_event_log(frame)

    def test_a_lazy_log_is_read_once_when_collected(self) -> None:
        """Nothing read at the call; one pass when the caller collects, its rows checked then."""
        log = log_frame(log_of("INC1", [(Phase.NEW, at(0)), (Phase.WORKING, at(5))], []))
        lazy, batches = read_counted(log)
        result = frames.from_event_log(lazy)
        assert isinstance(result, pl.LazyFrame)
        assert batches == []
        assert result.collect()["acknowledged_at"].to_list() == [at(5)]
        assert batches == [len(log)]

    def test_a_duckdb_log_is_read_once_when_fetched(self) -> None:
        """Nothing read at the call; one pass when fetched; all of it at the call with "now"."""
        log = log_frame(log_of("INC1", [(Phase.NEW, at(0)), (Phase.WORKING, at(5))], []))
        relation, batches = duckdb_counted(log)
        result = frames.from_event_log(relation)
        assert batches == []
        assert frame_rows(result)[0]["acknowledged_at"] == at(5)
        assert sum(batches) == len(log)
        relation, batches = duckdb_counted(log)
        frames.from_event_log(relation, check="now")
        assert sum(batches) == len(log)

    @pytest.mark.parametrize(
        "fetched",
        [
            lambda result: result,
            lambda result: result.select("id"),
            lambda result: result.aggregate("count(*)"),
            lambda result: result.filter("id = 'INC1'"),
            lambda result: result.limit(1),
        ],
        ids=["all", "id", "count", "another case", "head"],
    )
    def test_a_duckdb_log_checks_every_row_whatever_is_fetched(self, fetched: Any) -> None:
        """A bad row in another case is refused whatever the caller fetches."""
        good = log_frame(log_of("INC1", [(Phase.NEW, at(0)), (Phase.WORKING, at(5))], []))
        bad = log_frame(log_of("INC2", [(Phase.NEW, at(1))], [])).with_columns(
            incident_state=pl.lit("Awaiting Parts")
        )
        relation = duckdb.from_arrow(pl.concat([good, good, bad]).to_arrow())
        result = frames.from_event_log(relation)
        with pytest.raises(duckdb.InvalidInputException, match=r": number 'INC2': incident_state"):
            fetched(result).fetchall()

    @pytest.mark.parametrize("engine", ["in-memory", "streaming"])
    @pytest.mark.parametrize(
        "collected",
        [
            lambda result: result,
            lambda result: result.select("id"),
            lambda result: result.select(pl.len()),
            lambda result: result.filter(pl.col("id") == "INC1"),
            lambda result: result.head(1),
        ],
        ids=["all", "id", "count", "another case", "head"],
    )
    def test_a_lazy_log_checks_every_row_whatever_is_collected(
        self, engine: str, collected: Any
    ) -> None:
        """A bad row in another case, in a later batch, is refused whatever the caller asks."""
        good = log_frame(log_of("INC1", [(Phase.NEW, at(0)), (Phase.WORKING, at(5))], []))
        bad = log_frame(log_of("INC2", [(Phase.NEW, at(1))], [])).with_columns(
            incident_state=pl.lit("Awaiting Parts")
        )
        lazy = pl.concat([good.lazy(), *([good.lazy()] * 3), bad.lazy()])
        result = frames.from_event_log(lazy)
        with pytest.raises(RecordError, match=r"^number 'INC2': incident_state \('Awaiting "):
            collected(result).collect(engine=engine)


_TIMELINE = ("reported_at", "acknowledged_at", "resolved_at", "closed_at", "reopen_count")


class TestPagerDutyLog:
    ENTRIES = (
        {"id": "R1", "type": "trigger_log_entry", "created_at": "2024-01-02T09:00:00Z",
         "incident": {"id": "PD1"}, "service": {"summary": "checkout"},
         "channel": {"type": "api"}},
        {"id": "R2", "type": "notify_log_entry", "created_at": "2024-01-02T09:01:00Z",
         "incident": {"id": "PD1"}, "service": {"summary": "checkout"}},
        {"id": "R3", "type": "acknowledge_log_entry", "created_at": "2024-01-02T09:04:00Z",
         "incident": {"id": "PD1"}, "service": {"summary": "checkout"}},
        {"id": "R4", "type": "unacknowledge_log_entry", "created_at": "2024-01-02T09:34:00Z",
         "incident": {"id": "PD1"}, "service": {"summary": "checkout"}},
        {"id": "R5", "type": "annotate_log_entry", "created_at": "2024-01-02T09:40:00Z",
         "incident": {"id": "PD1"}, "service": {"summary": "checkout"}},
        {"id": "R6", "type": "acknowledge_log_entry", "created_at": "2024-01-02T09:41:00Z",
         "incident": {"id": "PD1"}, "service": {"summary": "checkout"}},
        {"id": "R7", "type": "resolve_log_entry", "created_at": "2024-01-02T10:30:00Z",
         "incident": {"id": "PD1"}, "service": {"summary": "checkout-v2"}},
    )  # fmt: skip

    def test_the_entries_that_move_an_incident(self) -> None:
        """Notifications and notes move nothing; the first acknowledgement acknowledges."""
        (incident,) = from_event_log(reversed(self.ENTRIES), PAGERDUTY_LOG)

        assert (incident.id, incident.service) == ("PD1", "checkout-v2")
        assert (incident.reported_at, incident.acknowledged_at) == (at(0), at(4))
        assert (incident.resolved_at, incident.reopen_count) == (at(90), 0)

    def test_the_same_timeline_as_from_pagerduty(self) -> None:
        """The preset and the incident reader read the same entries the same way."""
        record = {"id": "PD1", "status": "resolved", "created_at": "2024-01-02T09:00:00Z",
                  "service": {"summary": "checkout-v2"}}  # fmt: skip
        direct = from_pagerduty(record, self.ENTRIES)
        (rebuilt,) = from_event_log(self.ENTRIES, PAGERDUTY_LOG)

        assert (direct.reported_at, direct.acknowledged_at, direct.resolved_at) == (
            rebuilt.reported_at,
            rebuilt.acknowledged_at,
            rebuilt.resolved_at,
        )

    @pytest.mark.parametrize("engine", ENGINES)
    def test_flattened_entries_on_frames(self, engine: str) -> None:
        """Entries flattened as json_normalize flattens them, on every engine."""
        flat = pl.DataFrame(
            [
                {
                    "incident.id": e["incident"]["id"],
                    "type": e["type"],
                    "created_at": datetime.fromisoformat(e["created_at"]),
                    "service.summary": e["service"]["summary"],
                }
                for e in self.ENTRIES
            ]
        )
        found = frame_timelines(frames.from_event_log(ENGINES[engine](flat), PAGERDUTY_LOG))
        (incident,) = from_event_log(self.ENTRIES, PAGERDUTY_LOG)

        assert {k: found["PD1"][k] for k in _TIMELINE} == record_timeline(incident)
        assert found["PD1"]["service"] == "checkout-v2"
