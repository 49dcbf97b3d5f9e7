"""The same report on Dask and on PySpark in local mode, equal to the pure path.

These start a local Spark (Java) inside the test session, with no network. The noxfile runs
them in their own session (``-m engines``), which CI runs.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import polars as pl
import pytest
from tests.frames_data import assert_rows_match, polars_frame, rows
from tests.test_frames import AS_OF, RECORDS, SAMPLE_FRAME, pure_outages, pure_summary, pure_trend

from majorincident import frames, kpi
from majorincident.incident import Incident

pytestmark = pytest.mark.engines


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """A local Spark session in UTC, without its web UI."""
    from pyspark.sql import SparkSession  # noqa: PLC0415 - only in the engines session

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

    def test_summarize(self, engines: dict[str, Any], engine: str) -> None:
        """The summary with the Kaplan-Meier median."""
        expected = kpi.summarize(
            RECORDS, kpi.MTTR, as_of="2024-03-01T00:00Z", open_incidents="censor"
        )
        result = frames.summarize(
            engines[engine], kpi.MTTR, as_of="2024-03-01T00:00Z", open_incidents="censor"
        )
        assert_rows_match([pure_summary(expected)], rows(computed(result)))

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
        from dask.callbacks import Callback  # noqa: PLC0415 - only in the engines session

        runs: list[object] = []

        class Runs(Callback):  # type: ignore[misc] - Dask is untyped
            def _start(self, graph: object) -> None:
                runs.append(graph)

        with Runs():
            result = self.CALLS[call](dask_frame)
            assert [] == runs
            computed = result.compute()
            assert 1 == len(runs)
        assert len(computed) > 0


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_dask_local_periods_across_clock_changes() -> None:
    """Reports by Berlin month and day on Dask equal the pure path at the clocks' changes."""
    import dask.dataframe as dd  # noqa: PLC0415 - only in the engines session

    edges = [
        "2024-03-31T00:59:59.999999Z",  # 01:59:59.999999 CET, before the clocks go forward
        "2024-03-31T01:00:00Z",  # 03:00 CEST
        "2024-03-31T21:59:59Z",  # 23:59:59 CEST, still March
        "2024-03-31T22:00:00Z",  # 1 April, 00:00 CEST
        "2024-10-27T00:30:00Z",  # 02:30 CEST, the first time round
        "2024-10-27T01:30:00Z",  # 02:30 CET, the second
        "2024-12-31T23:00:00Z",  # 2025, local midnight
    ]
    records = [kpi_incident(f"I{n}", at, n) for n, at in enumerate(edges)] + [
        Incident("I-none", title="never reported")
    ]
    frame = dd.from_pandas(polars_frame(records).to_pandas(), npartitions=3)
    for every in ("month", "day"):
        expected = kpi.report(
            records, metrics=[kpi.MTTR], every=every, tz="Europe/Berlin", as_of=AS_OF
        )
        result = frames.report(
            frame, metrics=[kpi.MTTR], every=every, tz="Europe/Berlin", as_of=AS_OF
        )
        assert_rows_match(expected.to_rows(), rows(result.compute()))


def kpi_incident(identifier: str, reported: str, minutes: int) -> Incident:
    """An incident reported at `reported` and resolved `minutes` minutes later."""
    at = datetime.fromisoformat(reported)
    return Incident(identifier, reported_at=at, resolved_at=at + timedelta(minutes=minutes))


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("metrics", [(kpi.MTTR,), (kpi.MTTA, kpi.MTTR, kpi.MTTD)])
def test_spark_aggregates_once_per_call(engines: dict[str, Any], metrics: tuple[Any, ...]) -> None:
    """One grouped aggregation (partial and final) whatever the metrics, one percentile each."""
    result = frames.report(engines["spark"], metrics=metrics, every="month", as_of=AS_OF)
    assert len(result.collect()) > 0
    executed = result._jdf.queryExecution().executedPlan().toString()
    final = executed.split("== Initial Plan ==")[0]
    assert 2 == len(re.findall(r"\b(?:Hash|ObjectHash|SortAggregate)(?:Aggregate)?\(", final))
    # One exact percentile per metric, for its median, p90 and p95 at once.
    assert len(metrics) == len(re.findall(r"\bpercentile\(", final))
