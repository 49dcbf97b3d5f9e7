"""Incidents rebuilt from state-change logs (ServiceNow audit exports, Jira changelogs)."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from majorincident.errors import RecordError
from majorincident.incident import Hold, HoldReason, Incident
from majorincident.interop import JIRA, EventLog, Phase, from_event_log
from majorincident.kpi import MTTA, MTTR, summarize

T0 = datetime(2024, 1, 2, 9, tzinfo=UTC)
DAY_FIRST = "%d-%m-%Y %H:%M"


def day_first(moment: datetime) -> str:
    """A moment as the audit export writes it: day first, no offset."""
    return moment.strftime(DAY_FIRST)


def sn_row(number: str, count: int, state: str, minutes: int, **fields: str) -> dict[str, str]:
    """One row of a ServiceNow audit export, written as the export writes it."""
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
    }


AUDIT = [
    # Reopened once, with a wait for the caller; rows out of order and interleaved.
    sn_row("INC1", 3, "Resolved", 90),
    sn_row("INC2", 0, "New", 0),
    sn_row("INC1", 0, "New", 0),
    sn_row("INC1", 1, "Active", 10),
    sn_row("INC1", 2, "Awaiting User Info", 30),
    sn_row("INC1", 5, "Resolved", 200, priority="1 - Critical"),
    sn_row("INC1", 4, "Active", 120),
    sn_row("INC1", 6, "Closed", 300, priority="1 - Critical"),
    # Closed without ever being resolved, nor acknowledged.
    sn_row("INC2", 1, "Closed", 60),
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


def at(minutes: int) -> datetime:
    """The instant `minutes` after the first update."""
    return T0 + timedelta(minutes=minutes)


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

    def test_a_timeline_the_record_refuses_names_the_case(self) -> None:
        """Opened after its first update: the incident's own check, prefixed with the case."""
        row = {**sn_row("INC9", 0, "Active", 0), "opened_at": day_first(at(60))}
        with pytest.raises(RecordError, match=r"^number 'INC9': acknowledged_at .* is before"):
            rebuild([row])

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
    """The audit rows of a walk, with field updates repeating a state at the given moves."""
    rows = []
    count = 0
    for index, (meaning, moment) in enumerate(walk):
        for _ in range(1 + echoes.count(index)):
            rows.append(
                {
                    "number": case,
                    "incident_state": NAMES[meaning],
                    "sys_mod_count": count,
                    "sys_updated_at": moment,
                    "opened_at": walk[0][1].isoformat(),
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
