"""Benchmark frames.report on Dask and on a local Spark against hand-written code, in one run.

Targets (issue: distributed engines): on 5,000,000 incidents in Parquet (8 files; 12 services,
two years, about 1% open), ``frames.report`` for MTTA and MTTR by service and month, computed
to the end (``.compute()`` on Dask, ``.collect()`` on Spark), at most 1.3x hand-written code
computing the same table with exact percentiles: a Dask group-by whose groups take pandas'
exact quantiles, and Spark SQL with ``percentile(x, array(0.5, 0.9, 0.95))``. The table is per
service, month and metric: n, open, mean, median, p90, p95, minimum and maximum. Time from
1,000,000 to 5,000,000 rows at most linear (5.5x). Wall time, best of ``--runs`` runs taken in
turn. Both tables are checked to hold the same counts before timing. Dask's peak memory at
most 1.5x the hand-written code's: each computed once in a fresh process (its peak resident
set, imports included).

Run from the repository's root, where Dask and PySpark (and Java) are installed:
``python bench/bench_engines.py [--rows N] [--runs N]``.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import warnings
from datetime import UTC, datetime
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from majorincident import frames
from majorincident.kpi import MTTA, MTTR

from _harness import Report, per_call

SERVICES = [f"service-{n:02d}" for n in range(12)]
AS_OF = datetime(2026, 1, 1, tzinfo=UTC)
COLUMNS = frames.ColumnMap(kind=None)
FILES = 8
METRICS = {"MTTA": "acknowledged_at", "MTTR": "resolved_at"}


def parquet(rows: int) -> Path:
    """`rows` incidents over two years in Parquet files (cached between runs)."""
    folder = Path(tempfile.gettempdir()) / "majorincident-bench" / f"engines-{rows}"
    if folder.exists():
        return folder
    rng = np.random.default_rng(rows)
    start = np.datetime64("2024-01-01T00:00:00", "us").astype("int64")
    reported = start + rng.integers(0, 2 * 365 * 86_400 * 10**6, rows)
    acknowledged = reported + (rng.lognormal(5, 1, rows) * 1e6).astype("int64")
    resolved = acknowledged + (rng.lognormal(8, 1.3, rows) * 1e6).astype("int64")
    number = np.arange(rows)

    def stamps(values: Any, missing: Any) -> Any:  # noqa: ANN401 - NumPy arrays
        series = pd.Series(pd.to_datetime(values, unit="us", utc=True))
        return series.mask(missing)

    table = pd.DataFrame(
        {
            "service": pd.Categorical(np.array(SERVICES)[number % len(SERVICES)]).astype(str),
            "reported_at": stamps(reported, np.zeros(rows, bool)),
            "acknowledged_at": stamps(acknowledged, number % 97 == 0),
            "resolved_at": stamps(resolved, number % 89 == 0),
        }
    )
    partial = folder.with_suffix(".part")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for index, part in enumerate(np.array_split(np.arange(rows), FILES)):
        table.iloc[part].to_parquet(partial / f"part-{index}.parquet", index=False)
    partial.rename(folder)
    return folder


def ours(frame: object) -> object:
    """frames.report for the benchmark's table."""
    return frames.report(
        frame, metrics=(MTTA, MTTR), by=("service",), every="month", as_of=AS_OF, columns=COLUMNS
    )


def _group_stats(group: pd.DataFrame) -> pd.DataFrame:
    """One group's statistics for both metrics, with pandas' exact quantiles."""
    rows = []
    for name in METRICS:
        values = group[name].dropna()
        quantiles = values.quantile([0.5, 0.9, 0.95]).tolist() if len(values) else [None] * 3
        rows.append(
            {
                "metric": name,
                "n": len(values),
                "open": int(group[f"{name}_open"].sum()),
                "mean_s": values.mean() if len(values) else None,
                "median_s": quantiles[0],
                "p90_s": quantiles[1],
                "p95_s": quantiles[2],
                "minimum_s": values.min() if len(values) else None,
                "maximum_s": values.max() if len(values) else None,
            }
        )
    return pd.DataFrame(rows)


def dask_by_hand(folder: Path) -> pd.DataFrame:
    """The table by a hand-written Dask group-by, its groups shuffled together."""
    import dask.dataframe as dd  # noqa: PLC0415 - installed with the engines

    frame = dd.read_parquet(str(folder))
    as_of = pd.Timestamp(AS_OF)
    reported = frame["reported_at"]
    work = frame[["service"]].assign(year=reported.dt.year, month=reported.dt.month)
    # (notnull: Dask's Series has no notna)
    resolved = frame["resolved_at"].notnull() & (frame["resolved_at"] <= as_of)  # noqa: PD004
    for name, end in METRICS.items():
        reached = frame[end].notnull() & (frame[end] <= as_of)  # noqa: PD004
        seconds = (frame[end] - reported).dt.total_seconds()
        work = work.assign(
            **{name: seconds.where(reached), f"{name}_open": (~reached & ~resolved).astype(int)}
        )
    meta = _group_stats(work._meta)  # noqa: SLF001 - Dask's name for the empty model
    grouped = work.groupby(["service", "year", "month"]).apply(_group_stats, meta=meta)
    return grouped.compute()


def spark_by_hand(spark: Any, folder: Path) -> list[Any]:  # noqa: ANN401 - a SparkSession
    """The table by hand-written Spark SQL with exact percentiles, one array per metric."""
    spark.read.parquet(str(folder)).createOrReplaceTempView("incidents")
    as_of = AS_OF.strftime("%Y-%m-%d %H:%M:%S")
    columns = []
    for name, end in METRICS.items():
        reached = f"({end} IS NOT NULL AND {end} <= TIMESTAMP '{as_of}')"
        seconds = f"CASE WHEN {reached} THEN unix_micros({end}) - unix_micros(reported_at) END"
        columns.append(
            f"""
            count({seconds}) AS {name}_n,
            sum(CASE WHEN NOT {reached} AND NOT coalesce(resolved_at <= TIMESTAMP '{as_of}',
                false) THEN 1 ELSE 0 END) AS {name}_open,
            avg({seconds}) / 1e6 AS {name}_mean,
            percentile({seconds}, array(0.5, 0.9, 0.95)) AS {name}_q,
            min({seconds}) / 1e6 AS {name}_minimum,
            max({seconds}) / 1e6 AS {name}_maximum"""
        )
    # (built from this module's own names and constants)
    query = f"""
        SELECT service, year(reported_at) AS year, month(reported_at) AS month,
            {",".join(columns)}
        FROM incidents GROUP BY service, year(reported_at), month(reported_at)"""  # noqa: S608
    return spark.sql(query).collect()


def measure(rows: int, runs: int, spark: Any) -> dict[str, float]:  # noqa: ANN401 - a session
    """Each engine's time, ours and by hand, on `rows` incidents."""
    import dask.dataframe as dd  # noqa: PLC0415 - installed with the engines

    folder = parquet(rows)
    mine = ours(dd.read_parquet(str(folder))).compute()  # type: ignore[attr-defined]
    theirs = dask_by_hand(folder)
    if int(mine["n"].sum()) != int(theirs["n"].sum()) or len(mine) != len(theirs):
        raise SystemExit("frames.report and the hand-written Dask table differ")
    spark_rows = ours(spark.read.parquet(str(folder))).collect()  # type: ignore[attr-defined]
    if len(spark_rows) != len(mine):
        raise SystemExit("frames.report on Spark and on Dask differ")
    return {
        "dask hand": per_call(lambda: dask_by_hand(folder), number=1, repeat=runs),
        "dask ours": per_call(
            lambda: ours(dd.read_parquet(str(folder))).compute(),  # type: ignore[attr-defined]
            number=1,
            repeat=runs,
        ),
        "spark hand": per_call(lambda: spark_by_hand(spark, folder), number=1, repeat=runs),
        "spark ours": per_call(
            lambda: ours(spark.read.parquet(str(folder))).collect(),  # type: ignore[attr-defined]
            number=1,
            repeat=runs,
        ),
    }


def peak(way: str, rows: int) -> float:
    """Peak resident memory (MiB) of a fresh process computing the Dask table `way`."""
    command = [sys.executable, __file__, "--peak", way, "--rows", str(rows)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    return float(done.stdout.split()[-1])


def computed_once(way: str, rows: int) -> None:
    """Compute the Dask table `way` once and print this process's peak memory in MiB.

    A process started by fork keeps its parent's high-water mark through exec: on Linux it is
    reset first (``clear_refs``) and read back from ``/proc``; elsewhere ``ru_maxrss`` is all
    there is.
    """
    import dask.dataframe as dd  # noqa: PLC0415 - installed with the engines

    folder = parquet(rows)
    status = Path("/proc/self/status")
    if status.exists():
        Path("/proc/self/clear_refs").write_text("5")
    if way == "ours":
        ours(dd.read_parquet(str(folder))).compute()  # type: ignore[attr-defined]
    else:
        dask_by_hand(folder)
    if status.exists():
        (line,) = (line for line in status.read_text().splitlines() if line.startswith("VmHWM"))
        print(int(line.split()[1]) / 1024)  # kB
    else:
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # KiB on Linux


def main() -> None:
    """Measure and report (or say what is missing, where Dask, PySpark or Java is)."""
    if find_spec("dask") is None or find_spec("pyspark") is None or shutil.which("java") is None:
        print("bench_engines needs Dask, PySpark and Java: pip install '.[engines]'")
        return
    from pyspark.sql import SparkSession  # noqa: PLC0415 - installed with the engines

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--peak", choices=["ours", "hand"], help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    warnings.simplefilter("ignore", FutureWarning)
    if arguments.peak:
        computed_once(arguments.peak, arguments.rows)
        return
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    small = measure(arguments.rows // 5, arguments.runs, spark)
    large = measure(arguments.rows, arguments.runs, spark)
    report = Report(f"frames.report on Dask and Spark, {arguments.rows:,} rows")
    memory = {way: peak(way, arguments.rows) for way in ("hand", "ours")}
    report.info("peak memory, hand-written Dask", memory["hand"], "MiB")
    report.info("peak memory, frames.report on Dask", memory["ours"], "MiB")
    report.ratio(
        "peak memory on Dask, frames.report / hand-written",
        memory["ours"],
        memory["hand"],
        at_most=1.5,
    )
    for engine, name in (("dask", "Dask"), ("spark", "Spark local[2]")):
        report.info(f"hand-written {name}", large[f"{engine} hand"], "s")
        report.info(f"frames.report on {name}", large[f"{engine} ours"], "s")
        report.ratio(
            f"frames.report / hand-written, {name}",
            large[f"{engine} ours"],
            large[f"{engine} hand"],
            at_most=1.3,
        )
        report.ratio(
            f"frames.report on {name}, {arguments.rows:,} / {arguments.rows // 5:,} rows",
            large[f"{engine} ours"],
            small[f"{engine} ours"],
            at_most=5.5,
        )
    spark.stop()
    report.finish()


if __name__ == "__main__":
    main()
