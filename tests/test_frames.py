"""Tests for majorincident.frames: the KPIs on dataframes give the pure path's numbers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.frames_data import DURATIONS, SCHEMA, assert_rows_match, polars_frame, rows

from majorincident import frames, kpi
from majorincident.cli.load import read_incidents
from majorincident.clock import Calendar
from majorincident.errors import ConfigurationError, NaiveDateTimeError, TimelineError
from majorincident.frames import _engine as engine
from majorincident.incident import Incident
from majorincident.testing import incidents

SAMPLE = Path(__file__).parents[1] / "src" / "majorincident" / "data" / "sample-incidents.csv.gz"
RECORDS = list(read_incidents(SAMPLE))
AS_OF = "2025-01-01T00:00Z"
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu")
METRICS = (kpi.MTTA, kpi.MTTR, kpi.MTTD, kpi.MTRS, kpi.TIME_TO_CONTAIN)
ENGINES = {
    "pandas": lambda frame: frame.to_pandas(),
    "polars": lambda frame: frame,
    "polars-lazy": lambda frame: frame.lazy(),
    "pyarrow": lambda frame: frame.to_arrow(),
    "duckdb": lambda frame: duckdb.from_arrow(frame.to_arrow()),
}
NATIVE = {
    "pandas": pd.DataFrame,
    "polars": pl.DataFrame,
    "polars-lazy": pl.LazyFrame,
    "pyarrow": pa.Table,
    "duckdb": duckdb.DuckDBPyRelation,
}
SAMPLE_FRAME = polars_frame(RECORDS)
#: Three incidents measured at 1 hour and one open for 1 hour at CENSORED_AS_OF, one open for
#: 90 minutes, one measured at 2 hours and one at 3. The open ones leave at their times, after
#: that time's events: the Kaplan-Meier median is 2 hours (1 hour if the first open one left
#: before the events, 90 minutes if the second counted as an event).
CENSORED_AS_OF = datetime(2024, 2, 1, tzinfo=UTC)
CENSORED_AT_MEASURED = [
    *(
        Incident(
            f"M{n}",
            reported_at=datetime(2024, 1, 1 + n, tzinfo=UTC),
            resolved_at=datetime(2024, 1, 1 + n, tzinfo=UTC) + timedelta(hours=hours),
        )
        for n, hours in enumerate((1, 1, 1, 2, 3))
    ),
    *(
        Incident(f"C{minutes}", reported_at=CENSORED_AS_OF - timedelta(minutes=minutes))
        for minutes in (60, 90)
    ),
]


def pure_summary(summary: kpi.Summary) -> dict[str, Any]:
    """A pure Summary in the shape of a frames.summarize row."""
    row: dict[str, Any] = {
        "metric": summary.metric.name,
        "n": summary.n,
        "open": summary.open,
        "excluded": summary.excluded,
        "missing_start": summary.missing_start,
        "missing_end": summary.missing_end,
        "negative": summary.negative,
        "zeros": summary.zeros,
        "km_median_reached": summary.km_median_reached,
        "detectable_change": summary.detectable_change,
    }
    for name in (*DURATIONS, "geometric_mean"):
        value = getattr(summary, name)
        row[f"{name}_s"] = None if value is None else value.total_seconds()
    row.update(summary.buckets)
    return row


def pure_trend(found: list[kpi.TrendRow]) -> list[dict[str, Any]]:
    """Pure trend rows in the shape of a frames.trend row."""
    return [attrs.asdict(row) for row in found]


def pure_outages(
    records: list[Incident], window: tuple[datetime, datetime], *, by_service: bool
) -> list[dict[str, Any]]:
    """Pure downtime figures in the shape of frames.reliability rows."""
    figures = {
        "downtime_s": kpi.downtime(records, window=window, by_service=True),
        "availability": kpi.availability(records, window=window, by_service=True),
        "mtbf_s": kpi.mtbf(records, window=window, by_service=True),
        "mtbsi_s": kpi.mtbsi(records, window=window, by_service=True),
    }
    if not by_service:
        figures = {
            "downtime_s": {None: kpi.downtime(records, window=window)},
            "availability": {None: kpi.availability(records, window=window)},
            "mtbf_s": {None: kpi.mtbf(records, window=window)},
            "mtbsi_s": {None: kpi.mtbsi(records, window=window)},
        }
    services = sorted(figures["downtime_s"], key=lambda s: (s is None, str(s)))  # type: ignore[arg-type]
    found = []
    for service in services:
        row: dict[str, Any] = {"service": service} if by_service else {}
        for name, values in figures.items():
            value = values[service]  # type: ignore[index]
            row[name] = value.total_seconds() if hasattr(value, "total_seconds") else value
        found.append(row)
    return found


class TestSample:
    """The bundled sample, on every in-process engine, against the pure path."""

    @pytest.mark.parametrize("engine", ENGINES)
    def test_report_by_service_and_month(self, engine: str) -> None:
        """MTTA and MTTR per service and Berlin month: the pure report, row for row."""
        expected = kpi.report(
            RECORDS, by=("service",), every="month", tz="Europe/Berlin", as_of=AS_OF
        )
        native = ENGINES[engine](SAMPLE_FRAME)
        result = frames.report(
            native, by=("service",), every="month", tz="Europe/Berlin", as_of=AS_OF
        )
        assert isinstance(result, NATIVE[engine])
        assert_rows_match(expected.to_rows(), rows(result))

    @pytest.mark.parametrize(
        "form",
        [
            "datetime64[ns, UTC]",
            "datetime64[ms, Europe/Paris]",
            "timestamp[us, tz=UTC][pyarrow]",
        ],
    )
    def test_report_from_every_form_of_pandas_datetimes(self, form: str) -> None:
        """Nanoseconds, another zone, Arrow-backed: pandas gives the pure report, row for row.

        NumPy-backed datetimes are read as integers off the array; others through narwhals.
        """
        native = SAMPLE_FRAME.to_pandas()
        stamps = [column for column in native if column.endswith("_at")]
        native = native.astype(dict.fromkeys(stamps, form))
        assert native[stamps].isna().any().any()  # missing instants stay missing
        expected = kpi.report(RECORDS, metrics=METRICS, by=("service",), every="month", as_of=AS_OF)
        result = frames.report(native, metrics=METRICS, by=("service",), every="month", as_of=AS_OF)
        assert_rows_match(expected.to_rows(), rows(result))

    @pytest.mark.parametrize("engine", ENGINES)
    def test_summarize_censored(self, engine: str) -> None:
        """Every field of the summary, the Kaplan-Meier median included."""
        expected = kpi.summarize(
            RECORDS, kpi.MTTR, as_of="2024-03-01T00:00Z", open_incidents="censor"
        )
        result = frames.summarize(
            ENGINES[engine](SAMPLE_FRAME),
            kpi.MTTR,
            as_of="2024-03-01T00:00Z",
            open_incidents="censor",
        )
        assert isinstance(result, NATIVE[engine])
        assert_rows_match([pure_summary(expected)], rows(result))

    @pytest.mark.parametrize("engine", ENGINES)
    def test_summarize_censored_at_the_durations_measured(self, engine: str) -> None:
        """An open incident's time so far equal to measured durations: it leaves at that time."""
        native = ENGINES[engine](polars_frame(CENSORED_AT_MEASURED))
        result = frames.summarize(native, kpi.MTTR, as_of=CENSORED_AS_OF, open_incidents="censor")
        expected = kpi.summarize(
            CENSORED_AT_MEASURED, kpi.MTTR, as_of=CENSORED_AS_OF, open_incidents="censor"
        )
        assert expected.km_median == timedelta(hours=2)
        assert_rows_match([pure_summary(expected)], rows(result))

    @pytest.mark.parametrize("engine", ENGINES)
    def test_trend_by_week(self, engine: str) -> None:
        """Counts, rates, changes and p-values per ISO week in New York."""
        kwargs: dict[str, Any] = {
            "start": "2024-01-01T00:00Z",
            "end": "2024-07-01T00:00Z",
            "every": "week",
            "tz": "America/New_York",
        }
        expected = kpi.trend(RECORDS, **kwargs)
        result = frames.trend(ENGINES[engine](SAMPLE_FRAME), **kwargs)
        assert isinstance(result, NATIVE[engine])
        assert_rows_match(pure_trend(expected), rows(result))

    @pytest.mark.parametrize("engine", ENGINES)
    @pytest.mark.parametrize(
        ("start", "end", "tz"),
        [
            ("2011-12-29T00:00Z", "2011-12-31T12:00Z", "Pacific/Apia"),
            ("9999-12-01T00:00Z", "9999-12-30T00:00Z", "Pacific/Kiritimati"),
        ],
        ids=["samoa-skipped-a-day", "year-9999"],
    )
    def test_trend_at_calendar_edges(self, engine: str, start: str, end: str, tz: str) -> None:
        """A day a zone skipped, and the end of the range, give the pure path's periods."""
        kwargs: dict[str, Any] = {"start": start, "end": end, "every": "day", "tz": tz}
        expected = kpi.trend(RECORDS, **kwargs)
        result = frames.trend(ENGINES[engine](SAMPLE_FRAME), **kwargs)
        assert_rows_match(pure_trend(expected), rows(result))

    @pytest.mark.parametrize("engine", ENGINES)
    def test_negative_durations(self, engine: str) -> None:
        """An end before its start is counted apart, as on the pure path."""
        records = [
            Incident("OK", declared_at="2024-01-01T10:00Z", contained_at="2024-01-01T10:10Z"),
            Incident("BACK", declared_at="2024-01-01T10:00Z", contained_at="2024-01-01T09:55Z"),
        ]
        expected = kpi.summarize(records, kpi.TIME_TO_CONTAIN, as_of=AS_OF)

        result = frames.summarize(
            ENGINES[engine](polars_frame(records)), kpi.TIME_TO_CONTAIN, as_of=AS_OF
        )

        assert 1 == expected.negative
        assert_rows_match([pure_summary(expected)], rows(result))

    @pytest.mark.parametrize("engine", ENGINES)
    def test_downtime_by_service(self, engine: str) -> None:
        """Merged, clipped outages per service; availability, MTBF and MTBSI beside them."""
        window = (datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 9, 1, tzinfo=UTC))
        result = frames.reliability(ENGINES[engine](SAMPLE_FRAME), window=window, by_service=True)
        assert isinstance(result, NATIVE[engine])
        assert_rows_match(pure_outages(RECORDS, window, by_service=True), rows(result))

    @pytest.mark.parametrize("every", kpi.EVERY)
    def test_report_every_period(self, every: str) -> None:
        """Days, ISO weeks, months, quarters and years in Kathmandu (UTC+05:45)."""
        kwargs: dict[str, Any] = {"every": every, "tz": "Asia/Kathmandu", "as_of": AS_OF}
        expected = kpi.report(RECORDS, metrics=[kpi.MTTR], by=(), **kwargs)
        result = frames.report(SAMPLE_FRAME, metrics=[kpi.MTTR], by=(), **kwargs)
        assert_rows_match(expected.to_rows(), rows(result))

    def test_downtime_without_a_started_column(self) -> None:
        """Outages then begin at REPORTED, as when every STARTED value is missing."""
        window = ("2024-01-01T00:00Z", "2025-01-01T00:00Z")
        empty = SAMPLE_FRAME.with_columns(
            pl.lit(None, dtype=pl.Datetime("us", "UTC")).alias("started_at")
        )
        expected = rows(frames.reliability(empty, window=window))
        assert rows(frames.reliability(SAMPLE_FRAME.drop("started_at"), window=window)) == expected

    def test_presets_read_their_exports(self) -> None:
        """A ServiceNow-shaped frame through SERVICENOW gives the same MTTR as the records."""
        renamed = SAMPLE_FRAME.rename(
            {
                "id": "number",
                "service": "business_service",
                "channel": "contact_type",
                "reported_at": "opened_at",
            }
        ).drop("kind", "major")
        expected = kpi.summarize(
            [attrs.evolve(r, kind="normal") for r in RECORDS], kpi.MTTR, as_of=AS_OF
        )
        result = rows(frames.summarize(renamed, kpi.MTTR, as_of=AS_OF, columns=frames.SERVICENOW))
        assert result[0]["n"] == expected.n
        # As pandas.json_normalize flattens PagerDuty's incident objects.
        pagerduty = SAMPLE_FRAME.rename(
            {"service": "service.summary", "priority": "priority.name", "reported_at": "created_at"}
        ).drop("kind", "major")
        result = rows(
            frames.report(pagerduty, metrics=[kpi.MTTR], as_of=AS_OF, columns=frames.PAGERDUTY)
        )
        assert sum(row["n"] for row in result) == expected.n


WINDOW_EDGE = datetime(2000, 1, 1, tzinfo=UTC)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A few incidents, an instant to speak for, a reporting zone and period."""
    records = draw(st.lists(incidents(), max_size=25))
    as_of = draw(
        st.datetimes(
            min_value=datetime(2000, 1, 1), max_value=datetime(2040, 2, 1), timezones=st.just(UTC)
        )
    )
    return {
        "records": records,
        "as_of": as_of,
        "tz": draw(st.sampled_from(ZONES)),
        "every": draw(st.sampled_from(kpi.EVERY)),
        "metric": draw(st.sampled_from(METRICS)),
        "by": draw(st.sampled_from([(), ("service",), ("priority", "major"), ("kind", "channel")])),
    }


@st.composite
def grouped_durations(draw: st.DrawFn) -> list[Incident]:
    """Up to 80 incidents in three services (one missing), durations with ties, some open."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    found = []
    for n in range(draw(st.integers(0, 80))):
        minutes = draw(st.one_of(st.none(), st.sampled_from([0, 5, 5, 30, 61, 240, 1440])))
        found.append(
            Incident(
                f"I{n}",
                service=draw(st.sampled_from([None, "cdn", "dns"])),
                reported_at=start + timedelta(hours=n),
                resolved_at=None
                if minutes is None
                else start + timedelta(hours=n, minutes=minutes + n % 3),
            )
        )
    return found


class TestMedianIntervals:
    """The median's interval on every in-process engine: ranks by group size, ties, null keys."""

    @settings(max_examples=25, deadline=None)
    @given(grouped_durations(), st.sampled_from(sorted(ENGINES)))
    def test_report(self, records: list[Incident], engine: str) -> None:
        """Per service (a missing one too), the pure report's intervals, row for row."""
        as_of = datetime(2024, 6, 1, tzinfo=UTC)
        expected = kpi.report(records, metrics=[kpi.MTTR], by=("service",), as_of=as_of)
        native = ENGINES[engine](polars_frame(records))
        result = frames.report(native, metrics=[kpi.MTTR], by=("service",), as_of=as_of)
        assert_rows_match(expected.to_rows(), rows(result))

    @settings(max_examples=25, deadline=None)
    @given(grouped_durations(), st.sampled_from(sorted(ENGINES)))
    def test_summarize(self, records: list[Incident], engine: str) -> None:
        """Over the whole frame, with the Kaplan-Meier interval: the pure summary's."""
        as_of = datetime(2024, 1, 3, tzinfo=UTC)  # some resolutions still to come: censored
        expected = kpi.summarize(records, kpi.MTTR, as_of=as_of, open_incidents="censor")
        native = ENGINES[engine](polars_frame(records))
        result = frames.summarize(native, kpi.MTTR, as_of=as_of, open_incidents="censor")
        assert_rows_match([pure_summary(expected)], rows(result))

    def test_more_groups_than_a_16_bit_code_holds(self) -> None:
        """Past 32,767 groups, pandas sorts by 64-bit group codes: Polars' bounds, group by group.

        Every 300th group has 6 to 9 durations (the rank moves with the size), the others one
        (no interval, but they shift where each group starts); rows shuffled so that no group's
        values arrive together or in order.
        """
        groups, start = 32_800, datetime(2024, 1, 1, tzinfo=UTC)
        sizes = [6 + g % 4 if g % 300 == 0 else 1 for g in range(groups)]
        service = [f"s{g}" for g, size in enumerate(sizes) for _ in range(size)]
        minutes = [(g * 7 + k * 13) % 97 for g, size in enumerate(sizes) for k in range(size)]
        order = sorted(range(len(service)), key=lambda i: (i * 7_919) % len(service))
        frame = pl.DataFrame(
            {name: [None] * len(service) for name in SCHEMA}, schema=SCHEMA
        ).with_columns(
            pl.Series("service", [service[i] for i in order]),
            pl.Series("kind", ["incident"] * len(service)),
            pl.Series("major", [True] * len(service)),
            pl.Series("reported_at", [start] * len(service)),
            pl.Series("resolved_at", [start + timedelta(minutes=minutes[i]) for i in order]),
        )
        as_of = datetime(2024, 2, 1, tzinfo=UTC)

        def bounds(native: object) -> list[tuple[Any, ...]]:
            found = frames.report(native, metrics=[kpi.MTTR], by=("service",), as_of=as_of)
            return sorted(
                (row["service"], row["n"], row["median_low_s"], row["median_high_s"])
                for row in rows(found)
            )

        expected = bounds(frame)
        assert groups == len(expected)
        assert expected == bounds(frame.to_pandas())


class TestSamePathProperty:
    """On random incident sets the frames path and the pure path agree, on pandas and Polars."""

    @settings(max_examples=60, deadline=None)
    @given(scenarios(), st.sampled_from(["pandas", "polars"]))
    def test_report(self, scenario: dict[str, Any], engine: str) -> None:
        """Every row of the report: counts exactly, statistics within float rounding."""
        kwargs = {k: scenario[k] for k in ("as_of", "tz", "every", "by")}
        expected = kpi.report(scenario["records"], metrics=METRICS, **kwargs).to_rows()
        native = ENGINES[engine](polars_frame(scenario["records"]))
        assert_rows_match(expected, rows(frames.report(native, metrics=METRICS, **kwargs)))

    @settings(max_examples=60, deadline=None)
    @given(
        scenarios(), st.sampled_from(["pandas", "polars"]), st.sampled_from(["exclude", "censor"])
    )
    def test_summarize(self, scenario: dict[str, Any], engine: str, policy: str) -> None:
        """Every field of the summary, buckets and geometric mean included."""
        expected = kpi.summarize(
            scenario["records"], scenario["metric"], as_of=scenario["as_of"], open_incidents=policy
        )
        native = ENGINES[engine](polars_frame(scenario["records"]))
        result = frames.summarize(
            native, scenario["metric"], as_of=scenario["as_of"], open_incidents=policy
        )
        assert_rows_match([pure_summary(expected)], rows(result))

    @settings(max_examples=60, deadline=None)
    @given(scenarios(), st.sampled_from(["pandas", "polars"]), st.booleans(), st.integers(1, 400))
    def test_trend(
        self, scenario: dict[str, Any], engine: str, major_only: bool, days: int
    ) -> None:
        """Every period, empty ones included, with the same counts and tests."""
        kwargs: dict[str, Any] = {
            "start": scenario["as_of"],
            "end": scenario["as_of"] + timedelta(days=days),
            "every": scenario["every"],
            "tz": scenario["tz"],
            "major_only": major_only,
        }
        expected = kpi.trend(scenario["records"], **kwargs)
        native = ENGINES[engine](polars_frame(scenario["records"]))
        assert_rows_match(pure_trend(expected), rows(frames.trend(native, **kwargs)))

    @settings(max_examples=60, deadline=None)
    @given(scenarios(), st.sampled_from(["pandas", "polars"]), st.booleans(), st.integers(1, 60))
    def test_downtime(
        self, scenario: dict[str, Any], engine: str, by_service: bool, days: int
    ) -> None:
        """Downtime, availability, failures' MTBF and MTBSI, in all or per service."""
        window = (scenario["as_of"], scenario["as_of"] + timedelta(days=days))
        native = ENGINES[engine](polars_frame(scenario["records"]))
        result = rows(frames.reliability(native, window=window, by_service=by_service))
        expected = pure_outages(scenario["records"], window, by_service=by_service)
        if by_service and not expected[0:1]:
            assert result == []
            return
        assert_rows_match(
            expected, [{k: v for k, v in row.items() if k != "failures"} for row in result]
        )


def read_counted(frame: pl.DataFrame) -> tuple[pl.LazyFrame, list[int]]:
    """`frame` as a lazy frame, and the list of the lengths of the batches read from it."""
    batches: list[int] = []

    def counted(batch: pl.DataFrame) -> pl.DataFrame:
        batches.append(len(batch))
        return batch

    return frame.lazy().map_batches(counted, schema=frame.schema), batches


def naive_and_aware(
    reported: list[datetime], resolved: list[datetime | None], tz: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Incidents (a service each) at these wall times of `tz`: naive, and as UTC by ``fold=0``."""
    zone = ZoneInfo(tz)
    naive = pl.DataFrame(
        {
            "id": [f"I{n}" for n in range(len(reported))],
            "service": [f"S{n:04d}" for n in range(len(reported))],
            "reported_at": reported,
            "resolved_at": resolved,
        },
        schema={
            "id": pl.String,
            "service": pl.String,
            "reported_at": pl.Datetime("us"),
            "resolved_at": pl.Datetime("us"),
        },
    )
    aware = naive.with_columns(
        pl.col(c).map_elements(
            lambda wall: wall.replace(tzinfo=zone).astimezone(UTC),
            return_dtype=pl.Datetime("us", "UTC"),
        )
        for c in ("reported_at", "resolved_at")
    )
    return naive, aware


def walls_about_clock_changes(zone: ZoneInfo) -> list[datetime]:
    """Wall times every 20 minutes within 2 hours of each clock change of `zone`, 2010 to 2025.

    In its gaps and folds; each change is found within six hours, as zoneinfo has it, then to
    the minute by halving. (Walls about the six-hour mark after a change missed its gap or fold.)
    """
    walls, moment = [], datetime(2010, 1, 1, tzinfo=UTC)
    offset = moment.astimezone(zone).utcoffset()
    while moment.year < 2025:
        moment += timedelta(hours=6)
        if moment.astimezone(zone).utcoffset() != offset:
            offset = moment.astimezone(zone).utcoffset()
            before, change = moment - timedelta(hours=6), moment
            while change - before > timedelta(minutes=1):
                middle = before + (change - before) / 2
                if middle.astimezone(zone).utcoffset() == offset:
                    change = middle
                else:
                    before = middle
            wall = change.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)
            walls += [wall + timedelta(minutes=m) for m in range(-120, 121, 20)]
    return walls


#: Days some zones change their clocks on (Berlin, New York, Lord Howe: half an hour).
CLOCK_CHANGE_DAYS = (
    date(2024, 3, 10),
    date(2024, 3, 31),
    date(2024, 4, 7),
    date(2024, 10, 6),
    date(2024, 10, 27),
    date(2024, 11, 3),
)


class TestNaiveColumns:
    """Naive datetime columns: refused, or read in the timezone the ColumnMap names."""

    def test_refused_without_a_timezone(self) -> None:
        """The error names the naive columns."""
        naive = SAMPLE_FRAME.with_columns(pl.col("reported_at").dt.replace_time_zone(None))
        with pytest.raises(NaiveDateTimeError, match="reported_at"):
            frames.summarize(naive, kpi.MTTR, as_of=AS_OF)

    @pytest.mark.parametrize("engine", ["pandas", "polars", "duckdb"])
    def test_read_in_the_named_timezone(self, engine: str) -> None:
        """Wall times in Berlin, across both DST changes, give the aware figures."""
        columns = ["reported_at", "acknowledged_at", "resolved_at"]
        naive = SAMPLE_FRAME.with_columns(
            pl.col(c).dt.convert_time_zone("Europe/Berlin").dt.replace_time_zone(None)
            for c in columns
        )
        expected = kpi.report(RECORDS, every="month", tz="Europe/Berlin", as_of=AS_OF).to_rows()
        result = frames.report(
            ENGINES[engine](naive),
            every="month",
            tz="Europe/Berlin",
            as_of=AS_OF,
            columns=frames.ColumnMap(tz="Europe/Berlin"),
        )
        assert_rows_match(expected, rows(result))

    def test_naive_utc_and_empty_naive_frames(self) -> None:
        """Naive columns named as UTC read as they are; an empty naive frame measures nothing."""
        columns = ["reported_at", "resolved_at"]
        naive = SAMPLE_FRAME.with_columns(pl.col(c).dt.replace_time_zone(None) for c in columns)
        utc = frames.ColumnMap(tz="UTC")
        expected = rows(frames.summarize(SAMPLE_FRAME, kpi.MTTR, as_of=AS_OF))
        assert rows(frames.summarize(naive, kpi.MTTR, as_of=AS_OF, columns=utc)) == expected
        lazy, batches = read_counted(naive)
        result = frames.summarize(lazy, kpi.MTTR, as_of=AS_OF, columns=utc)
        assert batches == []  # nothing to read for UTC's offsets
        assert rows(result.collect()) == expected
        berlin = frames.ColumnMap(tz="Europe/Berlin")
        assert (
            rows(frames.summarize(naive.head(0), kpi.MTTR, as_of=AS_OF, columns=berlin))[0]["n"]
            == 0
        )

    @settings(max_examples=60, deadline=None)
    @given(
        zone=st.sampled_from(["Europe/Berlin", "Australia/Lord_Howe", "America/New_York"]),
        edge=st.sampled_from(CLOCK_CHANGE_DAYS),
        days=st.integers(1, 3),
        walls=st.lists(
            st.tuples(
                st.one_of(
                    st.builds(
                        lambda day, shift: datetime.combine(day, datetime.min.time()) + shift,
                        st.sampled_from(CLOCK_CHANGE_DAYS),
                        st.timedeltas(timedelta(hours=-40), timedelta(hours=100)),
                    ),
                    st.datetimes(datetime(1950, 1, 1), datetime(2080, 1, 1)),
                ),
                st.none() | st.timedeltas(timedelta(hours=2), timedelta(days=3)),
            ),
            min_size=1,
            max_size=12,
        ),
    )
    def test_windowed_calls_read_no_data_at_call(
        self,
        zone: str,
        edge: date,
        days: int,
        walls: list[tuple[datetime, timedelta | None]],
    ) -> None:
        """Windowed calls (trend, reliability) read naive columns exactly, and lazily.

        Wall times near clock changes, the window's edges at local midnights beside them, and
        instants decades away: the same rows as on the aware instants (``fold=0``), by each
        batch's offsets on Polars (a lazy Polars input read once, when collected) and by the
        window's offsets on DuckDB and pandas.
        """
        local = ZoneInfo(zone)
        naive, aware = naive_and_aware(
            [wall for wall, _ in walls],
            [None if took is None else wall + took for wall, took in walls],
            zone,
        )
        start = datetime.combine(edge, datetime.min.time(), tzinfo=local)
        end = datetime.combine(edge + timedelta(days=days), datetime.min.time(), tzinfo=local)
        calls = [
            lambda df, columns: frames.trend(
                df,
                start=start,
                end=end,
                every="day",
                tz=zone,
                major_only=False,
                columns=columns,
            ),
            lambda df, columns: frames.reliability(df, window=(start, end), columns=columns),
        ]
        for call in calls:
            lazy, batches = read_counted(naive)
            columns = frames.ColumnMap(kind=None, tz=zone)
            result = call(lazy, columns)
            assert batches == []
            expected = rows(call(aware, frames.ColumnMap(kind=None)))
            assert_rows_match(expected, rows(result.collect()))
            assert batches == [len(naive)]
            # By zoneinfo's offsets over the window, where the engine has no rules of its own.
            assert_rows_match(expected, rows(call(ENGINES["duckdb"](naive), columns)))
            assert_rows_match(expected, rows(call(ENGINES["pandas"](naive), columns)))

    @pytest.mark.parametrize(
        "window",
        [("1970-01-01T00:00Z", "2100-01-01T00:00Z"), ("1970-01-01T00:00Z", "9999-12-30T00:00Z")],
        ids=["130 years", "the whole supported range"],
    )
    def test_a_long_window_reads_the_data_range(
        self, window: tuple[str, str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Beyond five years, the window's offsets would be hundreds or thousands: not used.

        The data's range is read instead (as for a report), and its offsets are few: the
        offsets asked for span the data's two years, not the window. (The spy sits before
        their cache, which an earlier call over the same wall times may have filled.)
        """
        scanned: list[int] = []
        cached = engine._wall_offsets

        def spied(tz: str, first_us: int, last_us: int) -> tuple[tuple[int, ...], ...]:
            scanned.append(last_us - first_us)
            return cached(tz, first_us, last_us)

        monkeypatch.setattr(engine, "_wall_offsets", spied)
        walls = [datetime(2024, 3, 31, 2, 30), datetime(2024, 10, 27, 2, 30), datetime(2025, 6, 1)]
        resolved: list[datetime | None] = [wall + timedelta(hours=3) for wall in walls]
        naive, aware = naive_and_aware(walls, resolved, "Europe/Berlin")
        columns = frames.ColumnMap(kind=None, tz="Europe/Berlin")
        result = frames.reliability(
            naive.to_pandas(), window=window, by_service=True, columns=columns
        )
        assert scanned
        assert max(scanned) < 2 * 366 * 86_400 * 10**6
        expected = frames.reliability(
            aware, window=window, by_service=True, columns=frames.ColumnMap(kind=None)
        )
        assert_rows_match(rows(expected), rows(result))

    @pytest.mark.parametrize("engine", ["polars", "polars-lazy", "pandas", "duckdb"])
    @pytest.mark.parametrize(
        "tz",
        [
            "Europe/Berlin",
            "Europe/Dublin",
            "Australia/Lord_Howe",
            "Pacific/Apia",
            "Antarctica/Troll",
        ],
    )
    def test_wall_times_about_clock_changes_read_as_fold_0(self, engine: str, tz: str) -> None:
        """Each engine's reading of a wall time is zoneinfo's with ``fold=0``.

        In gaps and folds: Dublin's summer time is its standard time (a negative DST), Lord
        Howe's clocks move by half an hour, Troll's by two hours, and Apia skipped 30 December
        2011. Each incident's duration (one per service); a lazy Polars frame is read once, when
        collected.
        """
        walls = walls_about_clock_changes(ZoneInfo(tz))
        resolved: list[datetime | None] = [wall + timedelta(minutes=50) for wall in walls]
        naive, aware = naive_and_aware(walls, resolved, tz)
        kwargs: dict[str, Any] = {"metrics": [kpi.MTTR], "by": ("service",), "as_of": AS_OF}
        expected = frames.report(aware, columns=frames.ColumnMap(kind=None), **kwargs)
        lazy, batches = read_counted(naive)
        native = lazy if engine == "polars-lazy" else ENGINES[engine](naive)
        result = frames.report(native, columns=frames.ColumnMap(kind=None, tz=tz), **kwargs)
        assert batches == []
        assert_rows_match(rows(expected), rows(result))

    @settings(max_examples=40, deadline=None)
    @given(
        zone=st.sampled_from(
            [
                "Europe/Berlin",
                "Europe/London",
                "America/New_York",
                "Australia/Lord_Howe",
                "Antarctica/Troll",
                "Asia/Kolkata",
            ]
        ),
        walls=st.lists(
            st.one_of(
                st.datetimes(datetime(1900, 1, 1), datetime(2100, 1, 1)),
                # War time and double summer time: offsets of three hours, changes of two.
                st.datetimes(datetime(1940, 1, 1), datetime(1948, 1, 1)),
            ),
            min_size=1,
            max_size=30,
        ),
        shift=st.timedeltas(timedelta(hours=-3), timedelta(hours=3)),
    )
    def test_duckdb_reads_wall_times_of_two_centuries_as_fold_0(
        self, zone: str, walls: list[datetime], shift: timedelta
    ) -> None:
        """Wall times of two centuries, the 1940s' among them: read as zoneinfo reads them.

        DuckDB shifts them by zoneinfo's offsets over the range of the values.
        """
        starts = [wall.replace(second=0, microsecond=0) for wall in walls]
        resolved: list[datetime | None] = [wall + timedelta(hours=4) + shift for wall in starts]
        naive, aware = naive_and_aware(starts, resolved, zone)
        kwargs: dict[str, Any] = {"metrics": [kpi.MTTR], "by": ("service",), "as_of": AS_OF}
        expected = frames.report(aware, columns=frames.ColumnMap(kind=None), **kwargs)
        columns = frames.ColumnMap(kind=None, tz=zone)
        result = frames.report(ENGINES["duckdb"](naive), columns=columns, **kwargs)
        assert_rows_match(rows(expected), rows(result))

    @pytest.mark.parametrize(
        "call",
        [
            lambda df, columns: frames.report(
                df, metrics=[kpi.MTTR], every="month", columns=columns, as_of=AS_OF
            ),
            lambda df, columns: frames.summarize(df, kpi.MTTR, columns=columns, as_of=AS_OF),
        ],
        ids=["report", "summarize"],
    )
    def test_duckdb_reads_naive_columns_for_their_range_at_the_call(self, call: Any) -> None:
        """One pass at the call for the values' range, one when the result is fetched.

        The range gives zoneinfo's offsets. (Reading each value by ICU's rules instead, at its
        earlier instant where the clocks went back, took three ICU conversions per value: over
        twice the time of the pass it saved.)
        """
        walls = walls_about_clock_changes(ZoneInfo("Europe/Berlin"))
        resolved: list[datetime | None] = [wall + timedelta(minutes=50) for wall in walls]
        naive, aware = naive_and_aware(walls, resolved, "Europe/Berlin")
        relation, batches = duckdb_counted(naive)
        result = call(relation, frames.ColumnMap(kind=None, tz="Europe/Berlin"))
        assert sum(batches) == len(naive)
        assert_rows_match(rows(call(aware, frames.ColumnMap(kind=None))), rows(result))
        assert sum(batches) == 2 * len(naive)

    def test_lazy_polars_parts_of_different_decades(self) -> None:
        """A lazy Polars frame of parts decades apart: each batch read by its own offsets."""
        parts = []
        for year in (1975, 1996, 2024):
            walls = walls_about_clock_changes(ZoneInfo("Europe/Berlin"))
            walls = [wall.replace(year=year) for wall in walls if wall.year == 2012]
            resolved: list[datetime | None] = [wall + timedelta(minutes=50) for wall in walls]
            parts.append(naive_and_aware(walls, resolved, "Europe/Berlin"))
        naive = pl.concat([part.lazy() for part, _ in parts])
        aware = pl.concat([part for _, part in parts])
        kwargs: dict[str, Any] = {"metrics": [kpi.MTTR], "every": "month", "as_of": AS_OF}
        expected = frames.report(aware, columns=frames.ColumnMap(kind=None), **kwargs)
        columns = frames.ColumnMap(kind=None, tz="Europe/Berlin")
        assert_rows_match(rows(expected), rows(frames.report(naive, columns=columns, **kwargs)))

    def test_ambiguous_wall_time_reads_the_earlier_offset(self) -> None:
        """02:30 on the night clocks go back is read as the first 02:30 (fold=0)."""
        frame = pl.DataFrame(
            {
                "id": ["A"],
                "reported_at": [datetime(2024, 10, 27, 2, 30)],
                "resolved_at": [datetime(2024, 10, 27, 3, 30)],
            },
        )
        columns = frames.ColumnMap(kind=None, tz="Europe/Berlin")
        result = rows(frames.summarize(frame, kpi.MTTR, as_of=AS_OF, columns=columns))
        # 02:30 CEST (00:30Z) to 03:30 CET (02:30Z): two hours.
        assert result[0]["mean_s"] == 7200.0


class TestBadFrames:
    """Every bad frame or argument gets a clear error naming what is wrong."""

    def test_not_a_frame(self) -> None:
        """A list is not a dataframe."""
        with pytest.raises(ConfigurationError, match=r"df \(list\)"):
            frames.summarize([1, 2], kpi.MTTR, as_of=AS_OF)

    def test_missing_columns_are_all_named(self) -> None:
        """Each missing column with the field it stands for, and what the frame has."""
        with pytest.raises(
            ConfigurationError,
            match=r"kind \(kind\), resolved_at \(resolved\); it has id",
        ):
            frames.summarize(SAMPLE_FRAME.drop("resolved_at", "kind"), kpi.MTTR, as_of=AS_OF)

    def test_text_timestamps_are_refused(self) -> None:
        """A column of ISO strings is named with its dtype: parse it first."""
        text = SAMPLE_FRAME.with_columns(pl.col("resolved_at").dt.to_string())
        with pytest.raises(ConfigurationError, match=r"resolved_at \(String\)"):
            frames.report(text, as_of=AS_OF)

    def test_unmapped_fields(self) -> None:
        """A field set to None, a milestone not listed, or a field that does not exist."""
        with pytest.raises(ConfigurationError, match=r"ColumnMap\.major is None"):
            frames.trend(
                SAMPLE_FRAME,
                start="2024-01-01T00:00Z",
                end="2024-02-01T00:00Z",
                columns=frames.SERVICENOW,
            )
        with pytest.raises(ConfigurationError, match="milestone started is not mapped"):
            frames.summarize(SAMPLE_FRAME, kpi.MTTD, as_of=AS_OF, columns=frames.PAGERDUTY)
        with pytest.raises(ConfigurationError, match="'title'"):
            frames.ColumnMap().column("title")
        with pytest.raises(ConfigurationError, match="'opened'"):
            frames.ColumnMap(milestones={"opened": "opened_at"})

    def test_bad_arguments(self) -> None:
        """Unknown fields, periods, zones, open policies, milestones and empty metrics."""
        cases = [
            (lambda: frames.report(SAMPLE_FRAME, by=("title",), as_of=AS_OF), "'title'"),
            (lambda: frames.report(SAMPLE_FRAME, every="fortnight", as_of=AS_OF), "'fortnight'"),
            (lambda: frames.report(SAMPLE_FRAME, tz="Mars/Olympus", as_of=AS_OF), "'Mars/Olympus'"),
            (lambda: frames.report(SAMPLE_FRAME, metrics=[], as_of=AS_OF), "metrics"),
            (
                lambda: frames.summarize(
                    SAMPLE_FRAME, kpi.MTTR, as_of=AS_OF, open_incidents="drop"
                ),
                "'drop'",
            ),
            (
                lambda: frames.trend(
                    SAMPLE_FRAME,
                    start="2024-01-01T00:00Z",
                    end="2024-02-01T00:00Z",
                    milestone="opened",
                ),
                "'opened'",
            ),
            (lambda: frames.ColumnMap(tz="Mars/Olympus"), "'Mars/Olympus'"),
        ]
        for call, message in cases:
            with pytest.raises(ConfigurationError, match=message):
                call()

    def test_naive_as_of_and_reversed_window(self) -> None:
        """Instants given as arguments follow the library's rules too."""
        with pytest.raises(NaiveDateTimeError, match="as_of"):
            frames.summarize(SAMPLE_FRAME, kpi.MTTR, as_of="2024-01-01T00:00")
        with pytest.raises(TimelineError, match="window end"):
            frames.reliability(SAMPLE_FRAME, window=("2024-02-01T00:00Z", "2024-01-01T00:00Z"))

    def test_business_time_is_refused(self) -> None:
        """Business-time metrics stay on the pure path, and the error says so."""
        office = attrs.evolve(
            kpi.MTTR, calendar=Calendar.office_hours("Europe/Berlin", "09:00", "17:00")
        )
        with pytest.raises(ConfigurationError, match="business time"):
            frames.summarize(SAMPLE_FRAME, office, as_of=AS_OF)


class TestEdges:
    """Empty frames, nulls in group keys, and the engine helpers."""

    @pytest.mark.parametrize("engine", ENGINES)
    def test_empty_frame(self, engine: str) -> None:
        """Nothing measured: n = 0 and null statistics, censored too; a report without rows."""
        empty = ENGINES[engine](polars_frame([]))
        summary = rows(frames.summarize(empty, kpi.MTTR, as_of=AS_OF))
        assert summary[0]["n"] == 0
        assert summary[0]["mean_s"] is None
        assert rows(frames.report(empty, every="day", as_of=AS_OF)) == []
        censored = frames.summarize(empty, kpi.MTTR, as_of=AS_OF, open_incidents="censor")
        expected = kpi.summarize([], kpi.MTTR, as_of=AS_OF, open_incidents="censor")
        assert_rows_match([pure_summary(expected)], rows(censored))

    @pytest.mark.parametrize("engine", ENGINES)
    @pytest.mark.parametrize("every", ["day", "month", "year"])
    @pytest.mark.parametrize("tz", ["UTC", "Europe/Berlin"])
    def test_an_unreported_incident_by_period(self, engine: str, every: str, tz: str) -> None:
        """A period of its own (pandas failed casting the missing instant to a datetime)."""
        records = [Incident("I-none", title="never reported"), *RECORDS[:3]]
        for chosen in (records[:1], records):  # alone, and among reported ones
            expected = kpi.report(chosen, metrics=[kpi.MTTR], every=every, tz=tz, as_of=AS_OF)
            result = frames.report(
                ENGINES[engine](polars_frame(chosen)),
                metrics=[kpi.MTTR],
                every=every,
                tz=tz,
                as_of=AS_OF,
            )
            assert_rows_match(expected.to_rows(), rows(result))


def test_downtime_is_the_old_name_of_reliability() -> None:
    """``frames.downtime`` is ``frames.reliability`` for one more release, with a warning."""
    warning = r"frames\.downtime is deprecated .*frames\.reliability"
    with pytest.warns(DeprecationWarning, match=warning):
        old = frames.downtime  # type: ignore[attr-defined]
    assert old is frames.reliability


class TestMissingIsNotOpen:
    """Frames tell an incident over without the end from an open one, as the pure path does."""

    RECORDS = (
        Incident("DONE", reported_at="2024-01-01T00:00Z", resolved_at="2024-01-01T02:00Z"),
        Incident("CLOSED-ONLY", reported_at="2024-01-01T00:00Z", closed_at="2024-01-01T03:00Z"),
        Incident(
            "RESOLVED-UNACKED", reported_at="2024-01-01T00:00Z", resolved_at="2024-01-01T02:00Z"
        ),
        Incident("OPEN", reported_at="2024-01-01T00:00Z"),
    )

    @pytest.mark.parametrize("engine", ENGINES)
    @pytest.mark.parametrize("metric", [kpi.MTTA, kpi.MTTR])
    def test_summarize(self, engine: str, metric: kpi.Metric) -> None:
        """Counts, censoring and statistics match the pure path."""
        expected = kpi.summarize(self.RECORDS, metric, as_of=AS_OF, open_incidents="censor")
        native = ENGINES[engine](polars_frame(self.RECORDS))
        result = frames.summarize(native, metric, as_of=AS_OF, open_incidents="censor")

        assert expected.missing_end > 0
        assert_rows_match([pure_summary(expected)], rows(result))

    def test_without_the_closing_columns_nothing_is_known_to_be_over(self) -> None:
        """A frame without resolved_at and closed_at cannot show an incident is over: open."""
        native = polars_frame(self.RECORDS).drop("resolved_at", "closed_at")
        result = rows(frames.summarize(native, kpi.MTTA, as_of=AS_OF))[0]

        assert (result["n"], result["open"], result["missing_end"]) == (0, 4, 0)


def test_a_metric_ending_at_closure_waits_for_it() -> None:
    """Resolved but not closed is still open for a metric ending at closure, on both paths."""
    to_close = kpi.Metric("time to close", "reported", "closed")
    records = [
        Incident("A", reported_at="2024-01-01T00:00Z", resolved_at="2024-01-01T01:00Z"),
        Incident("B", reported_at="2024-01-01T00:00Z", closed_at="2024-01-02T00:00Z"),
    ]
    expected = kpi.summarize(records, to_close, as_of=AS_OF)
    result = frames.summarize(polars_frame(records), to_close, as_of=AS_OF)

    assert (expected.n, expected.open, expected.missing_end) == (1, 1, 0)
    assert_rows_match([pure_summary(expected)], rows(result))


@pytest.mark.parametrize("metrics", [(kpi.MTTR,), (kpi.MTTA, kpi.MTTR, kpi.MTTD)])
def test_duckdb_reads_and_groups_once_per_call(metrics: tuple[kpi.Metric, ...]) -> None:
    """One scan, one grouped aggregation, no window, whatever the metrics (no union per metric)."""
    relation = duckdb.from_arrow(SAMPLE_FRAME.to_arrow())
    result = frames.report(relation, metrics=metrics, every="month", as_of=AS_OF)
    plan = result.explain()
    assert len(re.findall(r"hash[_ ]group[_ ]by", plan, flags=re.IGNORECASE)) == 1
    assert len(re.findall(r"\bscan\b", plan, flags=re.IGNORECASE)) == 1
    assert not re.search(r"window|union", plan, flags=re.IGNORECASE)
    expected = kpi.report(RECORDS, metrics=metrics, every="month", as_of=AS_OF).to_rows()
    assert_rows_match(expected, rows(result))


@pytest.mark.parametrize("metrics", [(kpi.MTTR,), (kpi.MTTA, kpi.MTTR, kpi.MTTD)])
def test_polars_gathers_each_metric_once(metrics: tuple[kpi.Metric, ...]) -> None:
    """A lazy Polars report gathers each metric's durations once per group, sorted as a list.

    No grouped quantile and no sort inside the grouping: each of those gathers the group's
    values again from wherever they lie in the frame.
    """
    result = frames.report(SAMPLE_FRAME.lazy(), metrics=metrics, every="month", as_of=AS_OF)
    plan = result.explain()
    assert "quantile" not in plan
    assert len(re.findall(r"\.list\.sort\(", plan)) == len(metrics)
    assert len(re.findall(r"\.sort\(", plan)) == len(metrics)
    expected = kpi.report(RECORDS, metrics=metrics, every="month", as_of=AS_OF).to_rows()
    assert_rows_match(expected, rows(result.collect()))


def clock_change_records() -> list[Incident]:
    """Incidents reported at the edges of Berlin's clock changes and of its months."""
    edges = [
        "2024-03-31T00:59:59.999999Z",  # 01:59:59.999999 CET, before the clocks go forward
        "2024-03-31T01:00:00Z",  # 03:00 CEST
        "2024-03-31T21:59:59Z",  # 23:59:59 CEST, still March
        "2024-03-31T22:00:00Z",  # 1 April, 00:00 CEST
        "2024-10-27T00:30:00Z",  # 02:30 CEST, the first time round
        "2024-10-27T01:30:00Z",  # 02:30 CET, the second
        "2024-12-31T23:00:00Z",  # 2025, local midnight
    ]
    return [kpi_incident(f"I{n}", at, n) for n, at in enumerate(edges)] + [
        Incident("I-none", title="never reported")
    ]


def kpi_incident(identifier: str, reported: str, minutes: int) -> Incident:
    """An incident reported at `reported` and resolved `minutes` minutes later."""
    at = datetime.fromisoformat(reported)
    return Incident(identifier, reported_at=at, resolved_at=at + timedelta(minutes=minutes))


@pytest.mark.parametrize("every", ["month", "day"])
def test_duckdb_local_periods_across_clock_changes(every: str) -> None:
    """Berlin's months and days on DuckDB, by its own timezone rules (ICU)."""
    records = clock_change_records()
    native = duckdb.from_arrow(polars_frame(records).to_arrow())
    kwargs: dict[str, Any] = {"metrics": [kpi.MTTR], "every": every, "tz": "Europe/Berlin"}
    expected = kpi.report(records, as_of=AS_OF, **kwargs).to_rows()
    assert_rows_match(expected, rows(frames.report(native, as_of=AS_OF, **kwargs)))


@pytest.mark.parametrize("every", ["month", "day"])
def test_polars_local_periods_across_clock_changes_read_no_data_at_call(every: str) -> None:
    """Berlin's months and days on a lazy Polars frame: no pass for the data's range."""
    records = clock_change_records()
    table = polars_frame(records)
    native, batches = read_counted(table)
    kwargs: dict[str, Any] = {"metrics": [kpi.MTTR], "every": every, "tz": "Europe/Berlin"}
    result = frames.report(native, as_of=AS_OF, **kwargs)
    assert batches == []
    expected = kpi.report(records, as_of=AS_OF, **kwargs).to_rows()
    assert_rows_match(expected, rows(result.collect()))
    assert batches == [len(table)]


def duckdb_counted(frame: pl.DataFrame) -> tuple[duckdb.DuckDBPyRelation, list[int]]:
    """`frame` as a DuckDB relation over an Arrow stream, and the rows of each batch read."""
    table = frame.to_arrow()
    batches: list[int] = []

    class Counted:
        """An Arrow stream that counts the rows read from it."""

        def __arrow_c_stream__(self, requested_schema: object = None) -> object:
            def read() -> Iterator[pa.RecordBatch]:
                for batch in table.to_batches():
                    batches.append(batch.num_rows)
                    yield batch

            reader = pa.RecordBatchReader.from_batches(table.schema, read())
            return reader.__arrow_c_stream__(requested_schema)

    return duckdb.from_arrow(Counted()), batches


def test_a_censored_summary_on_duckdb_reads_its_input_once() -> None:
    """The Kaplan-Meier median from the summary's own aggregate: one read, at the call."""
    relation, batches = duckdb_counted(SAMPLE_FRAME)
    kwargs: dict[str, Any] = {"as_of": AS_OF, "open_incidents": "censor"}
    result = frames.summarize(relation, kpi.MTTR, **kwargs)
    assert sum(batches) == len(SAMPLE_FRAME)
    assert_rows_match(rows(frames.summarize(SAMPLE_FRAME, kpi.MTTR, **kwargs)), rows(result))
    assert sum(batches) == len(SAMPLE_FRAME)


@pytest.mark.parametrize(
    "call",
    [
        lambda df: frames.report(df, every="week", tz="Europe/Berlin", as_of=AS_OF),
        lambda df: frames.summarize(df, kpi.MTTR, as_of=AS_OF),
        lambda df: frames.summarize(df, kpi.MTTR, as_of=AS_OF, open_incidents="censor"),
        lambda df: frames.trend(df, start="2024-01-01T00:00Z", end="2025-01-01T00:00Z"),
        lambda df: frames.reliability(
            df,
            window=(datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 9, 1, tzinfo=UTC)),
            by_service=True,
        ),
    ],
    ids=["report", "summarize", "summarize, censored", "trend", "reliability"],
)
def test_a_lazy_polars_frame_is_read_once_when_collected(call: Any) -> None:
    """Nothing read at the call; the input read once when the result is collected."""
    lazy, batches = read_counted(SAMPLE_FRAME)
    result = call(lazy)
    assert batches == []
    eager = call(SAMPLE_FRAME)
    assert_rows_match(rows(eager), rows(result.collect()))
    assert batches == [len(SAMPLE_FRAME)]
