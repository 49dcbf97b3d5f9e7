"""The same report on Dask and on PySpark in local mode, equal to the pure path.

These start a local Spark (Java) inside the test session, with no network. The noxfile runs
them in their own session (``-m engines``), which CI runs.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import sys
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.frames_data import assert_rows_match, polars_frame, rows
from tests.test_event_logs import (
    BARE_LOG,
    at,
    bare_log,
    log_frame,
    log_of,
    record_timeline,
    timelines,
)
from tests.test_frames import (
    AS_OF,
    CENSORED_AS_OF,
    CENSORED_AT_MEASURED,
    RECORDS,
    SAMPLE_FRAME,
    clock_change_records,
    naive_and_aware,
    pure_outages,
    pure_summary,
    pure_trend,
    walls_about_clock_changes,
)

from majorincident import frames, kpi
from majorincident.errors import RecordError
from majorincident.interop import Phase, from_event_log

pytestmark = pytest.mark.engines


#: The sample with its instants as naive wall times of Paris.
PARIS_WALLS: Final = SAMPLE_FRAME.with_columns(
    pl.col(pl.Datetime("us", "UTC")).dt.convert_time_zone("Europe/Paris").dt.replace_time_zone(None)
)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """A local Spark session in UTC, without its web UI, its Python tasks run by this Python."""
    from pyspark.sql import SparkSession  # noqa: PLC0415 - only in the engines session

    # Python tasks (a trend's finish) need majorincident: run them by this interpreter.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("majorincident-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def engines(spark: Any) -> dict[str, Any]:
    """The sample as a Dask frame in three partitions and as a Spark frame."""
    import dask.dataframe as dd  # noqa: PLC0415 - only in the engines session

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        pandas = SAMPLE_FRAME.to_pandas()
        return {
            "dask": dd.from_pandas(pandas, npartitions=3),
            "spark": spark.createDataFrame(pandas),
        }


def computed(result: Any) -> Any:
    """A Dask result as pandas, a Spark result as a list of dicts (in its order)."""
    if hasattr(result, "compute"):
        return result.compute()
    # Spark hands back timestamps as naive wall times of its session's timezone (UTC here).
    return pl.DataFrame(
        [
            {
                k: v.replace(tzinfo=UTC) if isinstance(v, datetime) else v
                for k, v in row.asDict().items()
            }
            for row in result.collect()
        ],
        infer_schema_length=None,
    )


@contextlib.contextmanager
def dask_runs() -> Iterator[list[object]]:
    """The graphs Dask starts executing within the block, listed by a callback as they start."""
    from dask.callbacks import Callback  # noqa: PLC0415 - only in the engines session

    runs: list[object] = []

    class Runs(Callback):  # type: ignore[misc] - Dask is untyped
        def _start(self, graph: object) -> None:
            runs.append(graph)

    with Runs():
        yield runs


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("engine", ["dask", "spark"])
class TestDistributed:
    """Each KPI on Dask and Spark equals the pure path, and stays lazy."""

    def test_report(self, engines: dict[str, Any], engine: str) -> None:
        """MTTA and MTTR per service and Berlin month, row for row."""
        expected = kpi.report(
            RECORDS, by=("service",), every="month", tz="Europe/Berlin", as_of=AS_OF
        )
        result = frames.report(
            engines[engine], by=("service",), every="month", tz="Europe/Berlin", as_of=AS_OF
        )
        assert type(result).__module__.split(".")[0] in ("dask", "pyspark")
        assert_rows_match(expected.to_rows(), rows(computed(result)))

    @pytest.mark.parametrize("policy", ["censor", "exclude"])
    def test_summarize(self, engines: dict[str, Any], engine: str, policy: str) -> None:
        """The summary, with the Kaplan-Meier median or without (null, not False, on Dask)."""
        expected = kpi.summarize(
            RECORDS, kpi.MTTR, as_of="2024-03-01T00:00Z", open_incidents=policy
        )
        result = frames.summarize(
            engines[engine], kpi.MTTR, as_of="2024-03-01T00:00Z", open_incidents=policy
        )
        assert_rows_match([pure_summary(expected)], rows(computed(result)))

    def test_report_with_missing_group_keys(self, engines: dict[str, Any], engine: str) -> None:
        """Incidents without a service or a priority form groups of their own, sorted last."""
        frame = SAMPLE_FRAME.with_columns(
            pl.when(pl.col("id").str.ends_with("7"))
            .then(None)
            .otherwise("service")
            .alias("service"),
            pl.when(pl.col("id").str.ends_with("3"))
            .then(None)
            .otherwise("priority")
            .alias("priority"),
        )
        kwargs: dict[str, Any] = {"by": ("service", "priority"), "every": "month", "as_of": AS_OF}
        expected = rows(frames.report(frame, **kwargs))
        result = rows(computed(frames.report(on_engine(engines, engine, frame), **kwargs)))
        assert_rows_match(expected, result)
        assert expected[-1]["service"] is None

    def test_trend(self, engines: dict[str, Any], engine: str) -> None:
        """Quarterly counts in Sydney."""
        kwargs: dict[str, Any] = {
            "start": "2024-01-01T00:00Z",
            "end": "2025-01-01T00:00Z",
            "every": "quarter",
            "tz": "Australia/Sydney",
        }
        result = frames.trend(engines[engine], **kwargs)
        assert_rows_match(pure_trend(kpi.trend(RECORDS, **kwargs)), rows(computed(result)))

    def test_reliability(self, engines: dict[str, Any], engine: str) -> None:
        """Merged outages per service."""
        window = (datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 9, 1, tzinfo=UTC))
        result = frames.reliability(engines[engine], window=window, by_service=True)
        assert_rows_match(pure_outages(RECORDS, window, by_service=True), rows(computed(result)))
        result = frames.reliability(engines[engine], window=window)
        assert_rows_match(pure_outages(RECORDS, window, by_service=False), rows(computed(result)))


@pytest.fixture(scope="module")
def dask_frame() -> Any:
    """The sample as a Dask frame in three partitions."""
    import dask.dataframe as dd  # noqa: PLC0415 - only in the engines session

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return dd.from_pandas(SAMPLE_FRAME.to_pandas(), npartitions=3)


@pytest.mark.filterwarnings("ignore::FutureWarning")
class TestDaskComputesOnce:
    """A call on a Dask frame computes nothing; computing its result runs the graph once."""

    WINDOW = (datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 9, 1, tzinfo=UTC))
    CALLS: Final = {
        "report by service and month": lambda df: frames.report(
            df, by=("service",), every="month", as_of=AS_OF
        ),
        "report by priority": lambda df: frames.report(df, by=("priority",), as_of=AS_OF),
        "report by Berlin week": lambda df: frames.report(
            df, every="week", tz="Europe/Berlin", as_of=AS_OF
        ),
        "summarize": lambda df: frames.summarize(df, kpi.MTTR, as_of=AS_OF),
        "summarize, censored": lambda df: frames.summarize(
            df, kpi.MTTR, as_of=AS_OF, open_incidents="censor"
        ),
        "trend in Sydney": lambda df: frames.trend(
            df, start="2024-01-01T00:00Z", end="2025-01-01T00:00Z", tz="Australia/Sydney"
        ),
        "reliability by service": lambda df: frames.reliability(
            df, window=TestDaskComputesOnce.WINDOW, by_service=True
        ),
    }

    @pytest.mark.parametrize("call", list(CALLS))
    def test_lazy_in_lazy_out_one_pass(self, dask_frame: Any, call: str) -> None:
        """Counted by a callback at the start of every graph Dask executes."""
        with dask_runs() as runs:
            result = self.CALLS[call](dask_frame)
            assert [] == runs
            computed = result.compute()
            assert 1 == len(runs)
        assert len(computed) > 0


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("call", list(TestDaskComputesOnce.CALLS))
def test_spark_runs_no_job_at_call(engines: dict[str, Any], call: str) -> None:
    """A call on a Spark frame runs no Spark job; collecting its result does."""
    native = engines["spark"]
    tracker = native.sparkSession.sparkContext.statusTracker()
    before = set(tracker.getJobIdsForGroup())
    result = TestDaskComputesOnce.CALLS[call](native)
    assert set(tracker.getJobIdsForGroup()) == before
    assert len(result.collect()) > 0
    assert set(tracker.getJobIdsForGroup()) != before


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_dask_local_periods_across_clock_changes() -> None:
    """Months and days in Berlin on Dask, at the edges of its clock changes."""
    import dask.dataframe as dd  # noqa: PLC0415 - only in the engines session

    records = clock_change_records()
    frame = dd.from_pandas(polars_frame(records).to_pandas(), npartitions=3)
    for every in ("month", "day"):
        expected = kpi.report(
            records, metrics=[kpi.MTTR], every=every, tz="Europe/Berlin", as_of=AS_OF
        )
        result = frames.report(
            frame, metrics=[kpi.MTTR], every=every, tz="Europe/Berlin", as_of=AS_OF
        )
        assert_rows_match(expected.to_rows(), rows(result.compute()))


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("every", ["month", "day"])
def test_spark_local_periods_across_clock_changes_run_no_job_at_call(
    engines: dict[str, Any], every: str
) -> None:
    """Berlin's months and days on Spark by its own timezone rules: no pass for the data's range."""
    records = clock_change_records()
    native = on_engine(engines, "spark", polars_frame(records))
    tracker = native.sparkSession.sparkContext.statusTracker()
    before = set(tracker.getJobIdsForGroup())
    result = frames.report(native, metrics=[kpi.MTTR], every=every, tz="Europe/Berlin", as_of=AS_OF)
    assert set(tracker.getJobIdsForGroup()) == before
    expected = kpi.report(records, metrics=[kpi.MTTR], every=every, tz="Europe/Berlin", as_of=AS_OF)
    assert_rows_match(expected.to_rows(), rows(computed(result)))


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("metrics", [(kpi.MTTR,), (kpi.MTTA, kpi.MTTR, kpi.MTTD)])
def test_spark_aggregates_once_per_call(engines: dict[str, Any], metrics: tuple[Any, ...]) -> None:
    """One grouped aggregation (partial and final) whatever the metrics, one buffer each."""
    result = frames.report(engines["spark"], metrics=metrics, every="month", as_of=AS_OF)
    assert len(result.collect()) > 0
    executed = result._jdf.queryExecution().executedPlan().toString()
    final = executed.split("== Initial Plan ==")[0]
    assert 2 == len(re.findall(r"\b(?:Hash|ObjectHash|SortAggregate)(?:Aggregate)?\(", final))
    # One list of values per metric, its median, p90, p95 and bounds all read off it sorted.
    assert len(metrics) == len(re.findall(r"\bcollect_list\(", final))  # (and its partial_)
    assert "percentile(" not in final


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("policy", ["censor", "exclude"])
def test_spark_summary_scans_its_input_once(engines: dict[str, Any], policy: str) -> None:
    """The summary and its Kaplan-Meier median come from one aggregate: one scan of the input."""
    result = frames.summarize(engines["spark"], kpi.MTTR, as_of=AS_OF, open_incidents=policy)
    (row,) = result.collect()
    assert (row["km_median_s"] is not None) is (policy == "censor")
    executed = result._jdf.queryExecution().executedPlan().toString()
    final = executed.split("== Initial Plan ==")[0]
    assert 1 == len(re.findall(r"\w*Scan\b", final)), final


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("empty", [False, True])
def test_spark_summary_censored_at_the_durations_measured(
    engines: dict[str, Any], empty: bool
) -> None:
    """Open incidents censored at measured durations, and no incidents: the pure summary."""
    records = [] if empty else CENSORED_AT_MEASURED
    native = on_engine(engines, "spark", polars_frame(CENSORED_AT_MEASURED))
    native = native.limit(0) if empty else native
    result = frames.summarize(native, kpi.MTTR, as_of=CENSORED_AS_OF, open_incidents="censor")
    expected = kpi.summarize(records, kpi.MTTR, as_of=CENSORED_AS_OF, open_incidents="censor")
    assert_rows_match([pure_summary(expected)], rows(computed(result)))


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize(
    "tz", ["Europe/Berlin", "Europe/Dublin", "Australia/Lord_Howe", "Pacific/Apia"]
)
def test_spark_reads_wall_times_as_fold_0(engines: dict[str, Any], tz: str) -> None:
    """Java's reading of a wall time is zoneinfo's with ``fold=0``, in gaps and folds too.

    Dublin's summer time is its standard time (a negative DST), Lord Howe's clocks move by half
    an hour, and Apia skipped 30 December 2011: each incident's duration (one per service).
    """
    walls = walls_about_clock_changes(ZoneInfo(tz))
    naive, aware = naive_and_aware(walls, [wall + timedelta(minutes=50) for wall in walls], tz)
    native = on_spark_naive(engines, naive)
    kwargs: dict[str, Any] = {"metrics": [kpi.MTTR], "by": ("service",), "as_of": AS_OF}
    expected = frames.report(aware, columns=frames.ColumnMap(kind=None), **kwargs)
    result = frames.report(native, columns=frames.ColumnMap(kind=None, tz=tz), **kwargs)
    assert_rows_match(rows(expected), rows(computed(result)))


#: Calls that only tell whether an instant lies before, in or after their window.
WINDOWED: Final = {
    "trend in Sydney": lambda df, columns: frames.trend(
        df,
        start="2024-01-01T00:00Z",
        end="2025-01-01T00:00Z",
        tz="Australia/Sydney",
        columns=columns,
    ),
    "reliability by service": lambda df, columns: frames.reliability(
        df, window=TestDaskComputesOnce.WINDOW, by_service=True, columns=columns
    ),
}


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("engine", ["dask", "spark"])
@pytest.mark.parametrize("call", list(WINDOWED))
def test_windowed_calls_on_naive_columns_pass_once(
    engines: dict[str, Any], engine: str, call: str
) -> None:
    """Wall times of Paris: no pass for their range at the call, one when computed."""
    if engine == "spark":
        native = on_spark_naive(engines, PARIS_WALLS)
        tracker = native.sparkSession.sparkContext.statusTracker()
        before = set(tracker.getJobIdsForGroup())
        result = WINDOWED[call](native, frames.ColumnMap(tz="Europe/Paris"))
        assert set(tracker.getJobIdsForGroup()) == before
        done = computed(result)
    else:
        native = on_engine(engines, engine, PARIS_WALLS)
        with dask_runs() as runs:
            result = WINDOWED[call](native, frames.ColumnMap(tz="Europe/Paris"))
            assert [] == runs
            done = computed(result)
            assert 1 == len(runs)
    expected = WINDOWED[call](SAMPLE_FRAME, frames.ColumnMap())
    assert_rows_match(rows(expected), rows(done))


def sample_log() -> list[dict[str, Any]]:
    """The bundled sample written as a state-change log: one row per move, as an audit has it."""
    log = []
    for incident in RECORDS:
        moves = [
            ("New", incident.reported_at),
            ("Active", incident.acknowledged_at),
            ("Resolved", incident.resolved_at),
            ("Closed", incident.closed_at),
        ]
        so_far: dict[str, Any] = {"resolved_at": None, "closed_at": None}
        for count, (state, moment) in enumerate(m for m in moves if m[1] is not None):
            if state in ("Resolved", "Closed"):
                so_far[f"{state.lower()}_at"] = moment
            log.append(
                {
                    "number": incident.id,
                    "incident_state": state,
                    "sys_mod_count": count,
                    "sys_updated_at": moment,
                    "opened_at": incident.reported_at,
                    **so_far,
                    "priority": incident.priority.value,
                }
            )
    return log


def rebuilt_rows(result: Any) -> dict[str, dict[str, Any]]:
    """A rebuilt frame of Dask or Spark computed, by id."""
    done = computed(result)
    table = done if isinstance(done, pl.DataFrame) else pl.from_pandas(done)
    return {row.pop("id"): row for row in rows(table)}


def on_engine(engines: dict[str, Any], engine: str, log: pl.DataFrame) -> Any:
    """The log as a Dask frame in two partitions or a Spark frame."""
    import dask.dataframe as dd  # noqa: PLC0415 - only in the engines session

    spark = engines["spark"].sparkSession
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        pandas = log.to_pandas()
        if engine == "dask":
            return dd.from_pandas(pandas, npartitions=2)
        return spark.createDataFrame(pandas)


def on_spark_naive(engines: dict[str, Any], frame: pl.DataFrame) -> Any:
    """`frame` on Spark, its naive datetime columns as TIMESTAMP_NTZ.

    (Spark reads a naive pandas column as instants in its session's timezone.)
    """
    functions = pytest.importorskip("pyspark.sql.functions")
    native = on_engine(engines, "spark", frame)
    for name, kind in native.dtypes:
        if kind == "timestamp":
            native = native.withColumn(name, functions.col(name).cast("timestamp_ntz"))
    return native


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("engine", ["dask", "spark"])
class TestEventLogOnEngines:
    """The rebuild of a state-change log on Dask and Spark, equal to the pure path."""

    def test_the_bundled_sample_as_the_pure_path_rebuilds_it(
        self, engines: dict[str, Any], engine: str
    ) -> None:
        """Every incident of the sample written as moves and rebuilt: the pure path's timeline."""
        log = sample_log()
        expected = {incident.id: incident for incident in from_event_log(log)}
        found = rebuilt_rows(frames.from_event_log(on_engine(engines, engine, log_frame(log))))

        assert sorted(found) == sorted(expected)
        for case, incident in expected.items():
            row = found[case]
            assert {k: row[k] for k in record_timeline(incident)} == record_timeline(incident)
            assert (row["priority"], row["left_out"]) == (incident.priority.value, None)

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.lists(timelines(), min_size=1, max_size=6),
        st.lists(st.integers(0, 8), max_size=4),
        st.randoms(use_true_random=False),
    )
    def test_a_log_gives_back_its_timeline(
        self,
        engines: dict[str, Any],
        engine: str,
        walks: list[list[tuple[Any, datetime]]],
        echoes: list[int],
        rng: random.Random,
    ) -> None:
        """Random walks through the states, shuffled: the pure path's incidents on each engine."""
        log = [row for n, walk in enumerate(walks) for row in log_of(f"INC{n}", walk, echoes)]
        rng.shuffle(log)
        found = rebuilt_rows(frames.from_event_log(on_engine(engines, engine, log_frame(log))))

        for incident in from_event_log(log):
            row = found.pop(incident.id)
            assert {k: row[k] for k in record_timeline(incident)} == record_timeline(incident)
        assert {} == found

    def test_a_log_of_only_cases_states_and_times(
        self, engines: dict[str, Any], engine: str
    ) -> None:
        """No opened column, no fields, no milestone columns: the moves alone."""
        native = on_engine(engines, engine, bare_log())
        found = rebuilt_rows(frames.from_event_log(native, BARE_LOG))
        assert (found["C1"]["reported_at"], found["C1"]["resolved_at"]) == (at(0), at(30))

    def test_a_bad_row_is_refused(self, engines: dict[str, Any], engine: str) -> None:
        """A state the log does not map: refused naming the case and the state.

        RecordError from Dask's ``compute()``; Spark's own error from ``collect()``, with the
        same message; RecordError at the call on both with ``check="now"``.
        """
        log = [
            {"number": "A", "incident_state": "Active", "sys_mod_count": 1,
             "sys_updated_at": at(5), "opened_at": at(0)},
            {"number": "A", "incident_state": "Awaiting Parts", "sys_mod_count": 0,
             "sys_updated_at": at(0), "opened_at": at(0)},
        ]  # fmt: skip
        native = on_engine(engines, engine, log_frame(log))
        message = r"^number 'A': incident_state \('Awaiting "
        with pytest.raises(RecordError, match=message) as refused:
            frames.from_event_log(native, check="now")
        result = frames.from_event_log(native)
        if engine == "dask":
            with pytest.raises(RecordError, match=message):
                result.compute()
            return
        errors = pytest.importorskip("pyspark.errors")
        with pytest.raises(errors.SparkRuntimeException) as raised:
            result.collect()
        assert raised.value.getCondition() == "USER_RAISED_EXCEPTION"
        assert raised.value.getMessageParameters() == {"errorMessage": str(refused.value)}


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_dask_rebuilds_a_log_lazily_in_one_pass(engines: dict[str, Any]) -> None:
    """Nothing computed at the call; one graph run for the result."""
    log = on_engine(engines, "dask", log_frame(sample_log()))
    with dask_runs() as runs:
        result = frames.from_event_log(log)
        assert [] == runs
        assert len(result.compute()) == len(RECORDS)
        assert 1 == len(runs)


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_spark_rebuilds_a_log_with_one_shuffle_and_no_global_window(
    engines: dict[str, Any],
) -> None:
    """Nothing run at the call; the log read and shuffled by case once; no single partition."""
    log = on_engine(engines, "spark", log_frame(sample_log()))
    tracker = log.sparkSession.sparkContext.statusTracker()
    before = set(tracker.getJobIdsForGroup())
    result = frames.from_event_log(log)
    assert set(tracker.getJobIdsForGroup()) == before
    assert len(result.collect()) == len(RECORDS)
    executed = result._jdf.queryExecution().executedPlan().toString()
    final = executed.split("== Initial Plan ==")[0]
    assert 1 == len(re.findall(r"\bScan\b|\bLocalTableScan\b", final))
    assert 1 == final.count("Exchange hashpartitioning")
    assert "SinglePartition" not in final


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize(
    "collected",
    [
        lambda result: result,
        lambda result: result.select("id"),
        lambda result: result.groupBy().count(),
        lambda result: result.filter("id = 'INC1'"),
        lambda result: result.limit(1),
    ],
    ids=["all", "id", "count", "another case", "head"],
)
def test_spark_checks_every_row_of_a_log_whatever_is_collected(
    engines: dict[str, Any], collected: Any
) -> None:
    """A bad row in another case is refused, in the plan, whatever the caller collects."""
    errors = pytest.importorskip("pyspark.errors")
    good = log_frame(log_of("INC1", [(Phase.NEW, at(0)), (Phase.WORKING, at(5))], []))
    bad = log_frame(log_of("INC2", [(Phase.NEW, at(1))], [])).with_columns(
        incident_state=pl.lit("Awaiting Parts")
    )
    result = frames.from_event_log(on_engine(engines, "spark", pl.concat([good, good, bad])))
    with pytest.raises(errors.SparkRuntimeException, match=r"number 'INC2': incident_state"):
        collected(result).collect()


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_dask_checks_a_log_at_the_call_in_one_pass_when_asked(engines: dict[str, Any]) -> None:
    """``check="now"`` on Dask: one graph run at the call, the rebuild still lazy."""
    log = on_engine(engines, "dask", log_frame(sample_log()))
    with dask_runs() as runs:
        result = frames.from_event_log(log, check="now")
        assert 1 == len(runs)
        assert len(result.compute()) == len(RECORDS)
        assert 2 == len(runs)


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_dask_report_of_naive_columns(engines: dict[str, Any]) -> None:
    """Wall times of Paris, read per partition: the pure report by Berlin week.

    (Spark holds a timestamp as an instant in its session's zone, so naive text is read there.)
    """
    native = on_engine(engines, "dask", PARIS_WALLS)
    kwargs: dict[str, Any] = {"every": "week", "tz": "Europe/Berlin", "as_of": AS_OF}
    expected = kpi.report(RECORDS, **kwargs)
    result = frames.report(native, columns=frames.ColumnMap(tz="Europe/Paris"), **kwargs)
    assert_rows_match(expected.to_rows(), rows(computed(result)))


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("session_tz", ["UTC", "America/New_York"])
def test_spark_report_of_naive_columns(engines: dict[str, Any], session_tz: str) -> None:
    """TIMESTAMP_NTZ wall times of Paris: the pure report, whatever the session's timezone.

    (Spark refused to cast a naive timestamp to a number, with its own AnalysisException.)
    """
    native = on_spark_naive(engines, PARIS_WALLS)
    spark = native.sparkSession
    kwargs: dict[str, Any] = {"every": "week", "tz": "Europe/Berlin", "as_of": AS_OF}
    expected = kpi.report(RECORDS, **kwargs)
    spark.conf.set("spark.sql.session.timeZone", session_tz)
    tracker = spark.sparkContext.statusTracker()
    try:
        before = set(tracker.getJobIdsForGroup())
        result = frames.report(native, columns=frames.ColumnMap(tz="Europe/Paris"), **kwargs)
        assert set(tracker.getJobIdsForGroup()) == before  # no pass for the values' range
        assert_rows_match(expected.to_rows(), rows(computed(result)))
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")
