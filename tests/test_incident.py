"""Tests for majorincident.incident: the record, its milestones, holds and timeline events."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from majorincident.classification import Channel, Impact, Priority
from majorincident.errors import (
    ClassificationError,
    MajorIncidentError,
    NaiveDateTimeError,
    RecordError,
    TimelineError,
)
from majorincident.incident import (
    ORDER_RULES,
    Event,
    EventKind,
    Hold,
    HoldReason,
    Incident,
    IncidentKind,
    Milestone,
)
from majorincident.incident._events import MAX_DETAIL_DEPTH
from majorincident.process import Activity, Stage

T0 = datetime(2019, 7, 2, 13, 42, tzinfo=UTC)


def at(minutes: int) -> datetime:
    """An instant `minutes` after 13:42 UTC on 2019-07-02."""
    return T0 + timedelta(minutes=minutes)


class TestMilestones:
    def test_fields_and_order(self) -> None:
        """Milestones name their record fields and run from started to closed."""
        assert "started_at" == Milestone.STARTED.field
        assert ["started", "detected", "reported", "acknowledged", "declared"] == [
            m.value for m in list(Milestone)[:5]
        ]

    def test_cloudflare_record(self) -> None:
        """The seed's Cloudflare outage: detected three minutes after it started."""
        incident = Incident(
            "INC-2019-0702",
            title="502 errors on every Cloudflare domain",
            service="cdn",
            affected_services={"cdn", "waf"},
            channel="monitoring",
            impact=1,
            urgency="high",
            priority="P1",
            major=True,
            started_at=at(0),
            detected_at=at(3),
            reported_at=at(3),
            acknowledged_at=at(4),
            declared_at=at(5),
            contained_at=at(25),
            resolved_at=at(70),
        )

        assert timedelta(minutes=3) == incident.at(Milestone.DETECTED) - incident.at(
            Milestone.STARTED
        )
        assert pendulum.DateTime is type(incident.resolved_at)
        assert Channel.MONITORING is incident.channel
        assert Impact.HIGH is incident.impact
        assert Priority.P1 is incident.priority
        assert not incident.is_open
        assert [Milestone.STARTED, Milestone.DETECTED] == list(incident.milestones)[:2]
        assert 7 == len(incident.milestones)

    @pytest.mark.parametrize("milestone", list(Milestone))
    def test_each_milestone_is_stored_in_utc(self, milestone: Milestone) -> None:
        """Every milestone comes back as a pendulum value in UTC, whatever offset went in."""
        moment = "2019-07-02T15:42:00+02:00"
        incident = Incident("x", **{milestone.field: moment})

        value = getattr(incident, milestone.field)
        assert pendulum.DateTime is type(value)
        assert pendulum.UTC is value.tzinfo
        assert T0 == value
        assert T0 == incident.moment(milestone)
        assert value == incident.at(milestone)

    def test_open_until_resolved_or_closed(self) -> None:
        """An incident is open until resolved, or closed without a resolution."""
        assert Incident("a", reported_at=at(0)).is_open
        assert not Incident("b", reported_at=at(0), closed_at=at(9)).is_open


class TestOrderRules:
    @pytest.mark.parametrize(("earlier", "later"), ORDER_RULES)
    def test_each_rule_names_both_fields(self, earlier: Milestone, later: Milestone) -> None:
        """A later milestone before an earlier one raises TimelineError naming both and values."""
        with pytest.raises(
            TimelineError,
            match=rf"^{later.field} \(2019-07-02T13:42:00\+00:00\) is before "
            rf"{earlier.field} \(2019-07-02T13:43:00\+00:00\)$",
        ):
            Incident("x", **{earlier.field: at(1), later.field: at(0)})

    @pytest.mark.parametrize(("earlier", "later"), ORDER_RULES)
    def test_equal_instants_are_fine(self, earlier: Milestone, later: Milestone) -> None:
        """Equal instants satisfy every rule."""
        incident = Incident("x", **{earlier.field: at(1), later.field: at(1)})

        assert incident.at(earlier) == incident.at(later)

    def test_compares_instants_not_wall_clocks(self) -> None:
        """An acknowledgement in the repeated hour after a report is after it (fold)."""
        la = pendulum.timezone("America/Los_Angeles")
        reported = datetime(2020, 11, 1, 1, 50, fold=0, tzinfo=la)
        acknowledged = datetime(2020, 11, 1, 1, 10, fold=1, tzinfo=la)

        incident = Incident("x", reported_at=reported, acknowledged_at=acknowledged)

        assert timedelta(minutes=20) == incident.acknowledged_at - incident.reported_at
        with pytest.raises(TimelineError, match=r"^acknowledged_at"):
            Incident("y", reported_at=acknowledged, acknowledged_at=reported)

    def test_naive_milestone_is_named(self) -> None:
        """A naive milestone raises NaiveDateTimeError naming its field."""
        with pytest.raises(NaiveDateTimeError, match=r"^declared_at \(2019-07-02T13:42:00\)"):
            Incident("x", declared_at=datetime(2019, 7, 2, 13, 42))

    @given(st.lists(st.integers(0, 10_000), min_size=8, max_size=8))
    def test_sorted_milestones_always_valid(self, minutes: list[int]) -> None:
        """Milestones in lifecycle order never break a rule."""
        fields = {m.field: at(n) for m, n in zip(Milestone, sorted(minutes), strict=True)}

        incident = Incident("x", **fields)

        assert [at(n) for n in sorted(minutes)] == list(incident.milestones.values())


class TestHolds:
    def test_holds_inside_the_incident(self) -> None:
        """Holds lie between reported and resolved, in order, without overlapping."""
        incident = Incident(
            "x",
            reported_at=at(0),
            resolved_at=at(60),
            holds=[Hold(at(5), at(10), "awaiting_vendor"), Hold(at(10), at(20))],
        )

        assert HoldReason.AWAITING_VENDOR is incident.holds[0].reason

    def test_open_hold_on_an_open_incident(self) -> None:
        """An incident still on hold has a last hold without an end."""
        incident = Incident("x", reported_at=at(0), holds=[Hold(at(5))])

        assert incident.holds[0].end is None

    @pytest.mark.parametrize(
        ("holds", "message"),
        [
            ([Hold(at(-5), at(1))], r"^holds\[0\].start \(2019-07-02T13:37:00\+00:00\) is before"),
            ([Hold(at(5), at(70))], r"^holds\[0\].end \(2019-07-02T14:52:00\+00:00\) is after"),
            ([Hold(at(5))], r"^holds\[0\].end \(still on hold\) is after resolved_at"),
            (
                [Hold(at(5), at(15)), Hold(at(10), at(20))],
                r"^holds\[1\].start \(2019-07-02T13:52:00\+00:00\) is before holds\[0\].end.*",
            ),
        ],
    )
    def test_bad_holds(self, holds: list[Hold], message: str) -> None:
        """Holds outside [reported, resolved], or overlapping, raise TimelineError."""
        with pytest.raises(TimelineError, match=message):
            Incident("x", reported_at=at(0), resolved_at=at(60), holds=holds)

    def test_hold_after_an_open_hold(self) -> None:
        """No hold may follow one that has not ended."""
        with pytest.raises(TimelineError, match=r"^holds\[1\].start .* holds\[0\].end \(never\)"):
            Incident("x", reported_at=at(0), holds=[Hold(at(5)), Hold(at(10), at(20))])

    def test_hold_ending_before_it_starts(self) -> None:
        """A hold cannot end before it starts."""
        with pytest.raises(TimelineError, match=r"^hold end \(.*\) is before hold start"):
            Hold(at(10), at(5))

    def test_hold_values(self) -> None:
        """Holds must be Hold values; reasons must be known."""
        with pytest.raises(RecordError, match=r"^holds holds \(1, 2\); expected Hold values"):
            Incident("x", holds=[(1, 2)])  # type: ignore[list-item]
        with pytest.raises(RecordError, match=r"^reason \('lunch'\) is not a HoldReason"):
            Hold(at(1), reason="lunch")  # type: ignore[arg-type]


class TestFields:
    @pytest.mark.parametrize(
        ("field", "value", "error", "message"),
        [
            ("id", "", RecordError, r"^id \(''\) must be a non-empty string"),
            ("id", 7, RecordError, r"^id \(7\) must be a non-empty string"),
            ("title", None, RecordError, r"^title \(None\) must be a string"),
            ("service", " ", RecordError, r"^service \(' '\) must be a non-empty string"),
            ("affected_services", ["cdn", ""], RecordError, r"^affected_services item \(''\)"),
            ("channel", "pigeon", RecordError, r"^channel \('pigeon'\) is not a Channel"),
            ("impact", "huge", ClassificationError, r"^impact \('huge'\) is not a known Impact"),
            ("urgency", 0, ClassificationError, r"^urgency \(0\) is not a known Urgency"),
            ("priority", "P9", ClassificationError, r"^priority \('P9'\) is not a known"),
            ("major", "yes", RecordError, r"^major \('yes'\) must be True or False"),
            ("kind", "exercise", RecordError, r"^kind \('exercise'\) is not an IncidentKind"),
            ("reopen_count", -1, RecordError, r"^reopen_count \(-1\) must be a whole number"),
            ("reopen_count", True, RecordError, r"^reopen_count \(True\) must be a whole number"),
            ("parent_id", "", RecordError, r"^parent_id \(''\) must be a non-empty string"),
            ("child_ids", ["INC2", 3], RecordError, r"^child_ids item \(3\) must be"),
            ("problem_id", 5, RecordError, r"^problem_id \(5\) must be a non-empty string"),
            ("change_id", "", RecordError, r"^change_id \(''\) must be a non-empty string"),
            ("resolved_at", "soon", TimelineError, r"^resolved_at \('soon'\) is not an ISO"),
        ],
    )
    def test_bad_fields_are_named(
        self, field: str, value: object, error: type[Exception], message: str
    ) -> None:
        """Every bad field raises a library error naming the field and the value."""
        arguments: dict[str, Any] = {"id": "x", field: value}

        with pytest.raises(error, match=message):
            Incident(**arguments)

    def test_kinds_references_and_children(self) -> None:
        """Kinds, references and children are kept; children keep their order, once each."""
        incident = Incident(
            "x",
            kind="drill",
            parent_id="INC1",
            child_ids=["INC3", "INC2", "INC3"],
            problem_id="PRB1",
            change_id="CHG1",
            affected_services="cdn",
            reopen_count=2,
        )

        assert IncidentKind.DRILL is incident.kind
        assert ("INC3", "INC2") == incident.child_ids
        assert frozenset({"cdn"}) == incident.affected_services
        assert ("PRB1", "CHG1", 2) == (
            incident.problem_id,
            incident.change_id,
            incident.reopen_count,
        )

    def test_evolve(self) -> None:
        """attrs.evolve gives a modified, re-validated copy; the original is unchanged."""
        original = Incident("x", reported_at=at(0), resolved_at=at(10))

        later = attrs.evolve(original, title="Fixed", closed_at=at(20))

        assert ("Fixed", pendulum.instance(at(20))) == (later.title, later.closed_at)
        assert original.closed_at is None
        assert original == attrs.evolve(original)
        assert hash(original) == hash(attrs.evolve(original))
        with pytest.raises(TimelineError, match=r"^closed_at"):
            attrs.evolve(original, closed_at=at(5))

    def test_evolve_can_set_every_milestone(self) -> None:
        """Each milestone can be changed through evolve."""
        original = Incident("x")
        fields = {m.field: at(n) for n, m in enumerate(Milestone)}

        changed = attrs.evolve(original, **fields)

        assert [at(n) for n in range(8)] == list(changed.milestones.values())

    def test_frozen(self) -> None:
        """Records cannot be changed in place."""
        incident = Incident("x")

        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            incident.title = "changed"  # type: ignore[misc]

    def test_repr_shows_what_is_set(self) -> None:
        """The repr shows the id, the fields set and the milestones reached."""
        incident = Incident("INC1", service="cdn", major=True, reported_at=at(3))

        assert (
            "Incident('INC1', service='cdn', major=True, reported_at=2019-07-02T13:45:00+00:00)"
        ) == repr(incident)


class TestEvent:
    def test_fields(self) -> None:
        """An event records position, instant, actor, kind, activity, stage and details."""
        event = Event(
            0,
            "2019-07-02T14:00:00Z",
            "ana",
            "activity",
            activity=Activity.CREATE_PROBLEM,
            stage=Stage.CONTAINMENT,
            details={"problem_id": "PRB1", "notes": ["waf", 3, 1.5, None, True]},
        )

        assert EventKind.ACTIVITY is event.kind
        assert pendulum.DateTime is type(event.at)
        assert "PRB1" == event.details["problem_id"]
        assert event == Event(
            0,
            at(18),
            "ana",
            EventKind.ACTIVITY,
            activity=Activity.CREATE_PROBLEM,
            stage=Stage.CONTAINMENT,
            details={"problem_id": "PRB1", "notes": ("waf", 3, 1.5, None, True)},
        )
        assert hash(event) == hash(Event(0, at(18), "ana", "activity"))
        assert event != "event"

    def test_details_are_read_only(self) -> None:
        """Details cannot be changed through the event."""
        event = Event(0, at(0), "ana", "linked", details={"child_id": "INC2"})

        with pytest.raises(TypeError):
            event.details["child_id"] = "INC3"  # type: ignore[index]

    def test_activity_title_matters_for_equality(self) -> None:
        """Events compare activities by key, title and stage, not by key alone."""
        renamed = attrs.evolve(Activity.DECLARE, title="Declare")

        assert Event(0, at(0), "a", "accepted", activity=Activity.DECLARE) != Event(
            0, at(0), "a", "accepted", activity=renamed
        )

    @pytest.mark.parametrize(
        ("details", "message"),
        [
            ({"x": float("nan")}, r"^details.x \(nan\) is not a finite number"),
            ({"x": [1, float("inf")]}, r"^details.x\[1\] \(inf\) is not a finite number"),
            ({1: "a"}, r"^details has key 1; JSON object keys are strings"),
            ({"x": {1, 2}}, r"^details.x \(\{1, 2\}\) is not JSON-compatible"),
            ({"x": at(0)}, r"^details.x \(datetime.datetime\(.*\)\) is not JSON-compatible"),
            ("reason", r"^details \('reason'\) must be a mapping"),
        ],
    )
    def test_details_must_be_json(self, details: Any, message: str) -> None:
        """Details must be what JSON can hold: the path of the bad value is named."""
        with pytest.raises(RecordError, match=message):
            Event(0, at(0), "ana", "linked", details=details)

    def test_details_depth_is_bounded(self) -> None:
        """Details nesting deeper than the limit are refused."""
        deep: dict[str, Any] = {}
        inner = deep
        for _ in range(MAX_DETAIL_DEPTH + 1):
            inner["x"] = {}
            inner = inner["x"]

        with pytest.raises(RecordError, match="nests deeper than 32 levels"):
            Event(0, at(0), "ana", "linked", details=deep)

    @pytest.mark.parametrize(
        ("arguments", "error", "message"),
        [
            ((-1, at(0), "ana", "linked"), RecordError, r"^sequence \(-1\) must be a whole"),
            ((0, at(0), "", "linked"), RecordError, r"^actor \(''\) must be a non-empty string"),
            ((0, at(0), "ana", "shouted"), RecordError, r"^kind \('shouted'\) is not an EventKind"),
            ((0, at(0), "ana", None), RecordError, r"^kind \(None\) is not an EventKind"),
            ((0, "13:42", "ana", "linked"), TimelineError, r"^at \('13:42'\) is not an ISO"),
        ],
    )
    def test_bad_events(
        self, arguments: tuple[Any, ...], error: type[Exception], message: str
    ) -> None:
        """Bad fields raise a library error naming the field."""
        with pytest.raises(error, match=message):
            Event(*arguments)

    def test_no_details(self) -> None:
        """Details default to an empty mapping, also when None is given."""
        assert {} == dict(Event(0, at(0), "ana", "linked", details=None).details)


# -- Incident.from_rows ------------------------------------------------------------------------

ZONES = (UTC, timezone(timedelta(hours=5, minutes=45)), timezone(-timedelta(hours=7)))


@st.composite
def milestone_values(draw: st.DrawFn, moment: datetime) -> object:
    """One milestone as exports give it: a UTC string, another offset, a datetime, or worse."""
    zone = draw(st.sampled_from(ZONES))
    local = moment.astimezone(zone)
    good = [local.isoformat().replace("+00:00", "Z"), local.isoformat(), local, None]
    bad = [
        pendulum.instance(local),
        local.replace(tzinfo=None).isoformat(),
        "soon",
        datetime(1969, 12, 31, 23, tzinfo=UTC).isoformat(),
        7,
    ]
    return draw(values_of(good, bad))


#: Values each other field may take: first those it keeps or converts, then those refused.
OTHER_VALUES: dict[str, tuple[list[object], list[object]]] = {
    "title": (["", "502s"], [None, 3]),
    "service": (["cdn", None], ["", " ", 4]),
    "affected_services": ([(), None, "cdn", ["cdn", "waf"]], [[""]]),
    "channel": ([None, "email", Channel.MONITORING], ["pigeon"]),
    "impact": ([None, 1, "high", Impact.LOW], ["huge", True]),
    "urgency": ([None, 3, "medium"], [0]),
    "priority": ([None, "P1", Priority.P3], ["P9", [1]]),
    "major": ([False, True], [1, None, "yes"]),
    "kind": ([IncidentKind.NORMAL, "drill", IncidentKind.TEST], ["exercise"]),
    "reopen_count": ([0, 2, 1], [True, -1, None]),
    "parent_id": ([None, "INC0"], [""]),
    "child_ids": ([(), None, ["INC2", "INC3"]], [["INC2", 3]]),
    "problem_id": ([None, "PRB1"], [5]),
    "change_id": ([None, "CHG1"], [" "]),
    "holds": ([(), None], []),
}


def values_of(good: list[object], bad: list[object]) -> st.SearchStrategy[object]:
    """Mostly good values, sometimes a bad one."""
    return st.sampled_from(good * 6 + bad)


@st.composite
def tables(draw: st.DrawFn) -> tuple[tuple[str, ...], list[tuple[object, ...]]]:
    """Field names (always with id) and rows of mostly sane, sometimes bad values."""
    others = draw(st.lists(st.sampled_from(sorted(OTHER_VALUES)), unique=True, max_size=6))
    milestones = draw(st.lists(st.sampled_from(list(Milestone)), unique=True, max_size=5))
    fields = ("id", *others, *(m.field for m in milestones))
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(
            st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC))
        )
        steps = draw(
            st.lists(st.integers(-5, 600), min_size=len(Milestone), max_size=len(Milestone))
        )
        moments = {
            m: start + timedelta(minutes=sum(steps[: n + 1])) for n, m in enumerate(Milestone)
        }
        row = (
            draw(values_of(["INC1", "INC2"], ["", None, 9])),
            *(draw(values_of(*OTHER_VALUES[name])) for name in others),
            *(draw(milestone_values(moments[m])) for m in milestones),
        )
        rows.append(row)
    return fields, rows


def one_by_one(fields: tuple[str, ...], rows: list[tuple[object, ...]]) -> list[Incident] | str:
    """What the constructor makes of each row, or the error of the first row it refuses."""
    built = []
    for number, row in enumerate(rows):
        arguments: dict[str, Any] = dict(zip(fields, row, strict=True))
        try:
            built.append(Incident(**arguments))
        except MajorIncidentError as error:
            return f"{type(error).__name__}: rows[{number}]: {error}"
    return built


FIELDS_AT = ("id", "reported_at")


class TestFromRows:
    @given(tables())
    def test_same_as_the_constructor_row_by_row(
        self, table: tuple[tuple[str, ...], list[tuple[object, ...]]]
    ) -> None:
        """Every row gives the record the constructor gives, or the error it raises."""
        fields, rows = table
        expected = one_by_one(fields, rows)

        try:
            found: list[Incident] | str = Incident.from_rows(fields, rows)
        except MajorIncidentError as error:
            found = f"{type(error).__name__}: {error}"

        assert expected == found
        if isinstance(found, list):
            assert {Incident} >= {type(record) for record in found}

    def test_the_bad_row_is_named_across_chunks(self) -> None:
        """A bad row after thousands of good ones is named by its position."""
        rows: list[tuple[object, ...]] = [(f"INC{n}", at(n), at(n + 1)) for n in range(9_000)]
        rows[8_500] = ("INC8500", at(10), at(5))

        with pytest.raises(TimelineError, match=r"^rows\[8500\]: resolved_at \(2019-07-02T13:47"):
            Incident.from_rows(("id", "reported_at", "resolved_at"), rows)

    def test_converted_values_keep_their_type_apart(self) -> None:
        """1 and True are equal keys in Python; as a count, True is still refused."""
        with pytest.raises(RecordError, match=r"^rows\[1\]: reopen_count \(True\) must be"):
            Incident.from_rows(("id", "reopen_count"), [("a", 1), ("b", True)])

    @pytest.mark.parametrize(
        ("fields", "rows", "message"),
        [
            (("id", "tilte"), [], r"^fields\[1\] \('tilte'\) is not a field of Incident; expected"),
            (("id", 3), [], r"^fields\[1\] \(3\) is not a field"),
            (("id", "moments"), [], r"^fields\[1\] \('moments'\) is not a field"),
            (("id", "title", "id"), [], r"^fields\[2\] \('id'\) names a field already given"),
            (("title",), [], r"^fields \(\('title',\)\) must include 'id'"),
            ("id", [], r"^fields \('id'\) must be a sequence of field names"),
            ({"id"}, [], r"^fields \(\{'id'\}\) must be a sequence"),
            (("id",), 5, r"^rows \(5\) must be an iterable of rows"),
            (("id",), [("a",), ("b", "c")], r"^rows\[1\] has 2 values; fields names 1: \('id',\)"),
            (("id",), [("a",), 7], r"^rows\[1\] \(7\) is not a sequence of values"),
        ],
    )
    def test_bad_fields_and_rows_are_named(self, fields: Any, rows: Any, message: str) -> None:
        """Field names are checked before any row; a row of the wrong shape is named."""
        with pytest.raises(RecordError, match=message):
            Incident.from_rows(fields, rows)

    def test_bulk_columns_of_offsets_and_bounds(self) -> None:
        """A column with offsets is stored in UTC; one past either bound of time is refused."""
        rows = [("INC-1", "2024-03-01T10:00:00+01:00"), ("INC-2", "2024-03-01T09:30:00+01:00")]
        moments = [record.reported_at for record in Incident.from_rows(FIELDS_AT, rows)]

        assert ["2024-03-01T09:00:00+00:00", "2024-03-01T08:30:00+00:00"] == [
            moment.isoformat() for moment in moments if moment is not None
        ]
        for outside in ("9999-12-30T00:00:00.000001Z", "1969-12-31T23:59:59.999999Z"):
            with pytest.raises(TimelineError, match=r"^rows\[1\]: reported_at .* outside"):
                Incident.from_rows(FIELDS_AT, [("INC-1", "2024-03-01T09:00:00Z"), ("X", outside)])

    def test_rows_from_a_generator(self) -> None:
        """Rows may come from any iterable, a cursor or a generator, read once."""
        rows = ((f"INC{n}", at(n)) for n in range(3))

        records = Incident.from_rows(["id", "reported_at"], rows)

        assert ["INC0", "INC1", "INC2"] == [r.id for r in records]

    def test_a_subclass_gets_its_own_records(self) -> None:
        """A subclass builds instances of itself, through its constructor."""

        class Ticket(Incident):
            pass

        (ticket,) = Ticket.from_rows(("id", "reported_at"), [("INC1", at(0))])

        assert Ticket is type(ticket)
        assert attrs.astuple(Incident("INC1", reported_at=at(0))) == attrs.astuple(ticket)

    @pytest.mark.parametrize("enabled", [True, False])
    def test_the_collector_is_left_as_it_was(self, enabled: bool) -> None:
        """Asked to, the collector pauses while records are built and is restored even on error."""
        toggle = gc.enable if enabled else gc.disable
        toggle()
        try:
            paused = []

            def rows() -> Iterator[tuple[str]]:
                paused.append(not gc.isenabled())
                yield ("a",)

            Incident.from_rows(("id",), rows(), pause_collector=True)
            assert [True] == paused
            assert enabled == gc.isenabled()
            with pytest.raises(RecordError):
                Incident.from_rows(("id",), [("",)], pause_collector=True)
            assert enabled == gc.isenabled()
        finally:
            gc.enable()

    def test_by_default_the_collector_is_the_host_s(self) -> None:
        """By default the build leaves the collector alone: a change made meanwhile stays."""

        def rows() -> Iterator[tuple[str]]:
            assert gc.isenabled()
            yield ("a",)
            gc.disable()  # as another thread of the host application might
            yield ("b",)

        try:
            assert 2 == len(Incident.from_rows(("id",), rows()))
            assert not gc.isenabled()
        finally:
            gc.enable()
