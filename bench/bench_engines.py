"""Benchmark frames.report on Dask, a local Spark, lazy Polars and DuckDB against hand-written code.

Targets (issue: distributed engines): on 5,000,000 incidents in Parquet (8 files; 12 services,
two years, about 1% open), ``frames.report`` for MTTA and MTTR by service and month, computed
to the end (``.compute()`` on Dask, ``.collect()`` on Spark and on a lazy Polars scan,
``.to_arrow_table()`` on a DuckDB relation), at most 1.3x hand-written code computing the same
table with exact percentiles: a Dask group-by whose groups take pandas' exact quantiles, Spark
SQL with ``percentile(x, array(0.5, 0.9, 0.95))``, the Polars query of ``bench_frames.py`` on
the lazy scan, and DuckDB SQL with ``quantile_cont(x, [0.5, 0.9, 0.95])``. The table is per
service, month and metric: n, open, mean, median, p90, p95, minimum, maximum and the median's
95% interval (the order statistics at the ranks of ``kpi.stats.median_ranks``, which every
hand-written baseline reads off its group's sorted values). Time from 1,000,000 to 5,000,000
rows at most linear (5.5x) on every engine. Wall time, best of ``--runs`` runs (at least
ten on Polars and DuckDB, whose runs last a second or two, and whose first runs in a fresh
process were the slowest: up to 1.7x the best at 5M rows). Each engine is timed in a fresh
process of its own, so that none runs with another's threads, JVM or freed memory about;
within a run its two sizes and two ways are timed in turn. Each pair of tables is checked to
hold the same rows and counts before timing. Dask's peak memory at most 1.5x the
hand-written code's: each computed once in a fresh process (its peak resident set, imports
included).

Run from the repository's root, where Dask and PySpark (and Java) are installed:
``python bench/bench_engines.py [--rows N] [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import duckdb
import narwhals as nw
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa

from bench_frames import Z, bounds, polars_by_hand
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
        low, high = bounds(values)
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
                "median_low_s": low,
                "median_high_s": high,
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


#: How each SQL dialect spells what the hand-written query needs.
DIALECTS: dict[str, dict[str, str]] = {
    "spark": {
        "as_of": f"TIMESTAMP '{AS_OF:%Y-%m-%d %H:%M:%S}'",
        "micros": "unix_micros({})",
        "quantiles": "percentile({}, array(0.5, 0.9, 0.95))",
        "sorted": "array_sort(collect_list({}))",
        "at": "element_at({}, CAST({} AS INT))",
    },
    "duckdb": {
        "as_of": f"TIMESTAMPTZ '{AS_OF:%Y-%m-%d %H:%M:%S}+00'",
        "micros": "epoch_us({})",
        "quantiles": "quantile_cont({}, [0.5, 0.9, 0.95])",
        "sorted": "list_sort(list({0}) FILTER (WHERE {0} IS NOT NULL))",
        "at": "{}[CAST({} AS BIGINT)]",
    },
}


def by_hand_sql(dialect: str, source: str) -> str:
    """The table as one hand-written SQL query, exact percentiles in one array per metric.

    The median's interval is read off each group's sorted values at its two ranks.
    """
    say = DIALECTS[dialect]
    as_of, columns, picked = say["as_of"], [], []
    for name, end in METRICS.items():
        reached = f"({end} IS NOT NULL AND {end} <= {as_of})"
        micros = f"{say['micros'].format(end)} - {say['micros'].format('reported_at')}"
        value = f"CASE WHEN {reached} THEN {micros} END"
        columns.append(
            f"""
            count({value}) AS {name}_n,
            sum(CASE WHEN NOT {reached} AND NOT coalesce(resolved_at <= {as_of}, false)
                THEN 1 ELSE 0 END) AS {name}_open,
            avg({value}) / 1e6 AS {name}_mean,
            {say["quantiles"].format(value)} AS {name}_q,
            min({value}) / 1e6 AS {name}_minimum,
            max({value}) / 1e6 AS {name}_maximum,
            {say["sorted"].format(value)} AS {name}_o"""
        )
        low = f"floor(({name}_n + 1) / 2 - {Z} * sqrt({name}_n) / 2)"
        low_at = say["at"].format(f"{name}_o", low)
        high_at = say["at"].format(f"{name}_o", f"{name}_n + 1 - {low}")
        picked.append(
            f"""{name}_n, {name}_open, {name}_mean, {name}_q, {name}_minimum, {name}_maximum,
            CASE WHEN {low} >= 1 THEN {low_at} / 1e6 END AS {name}_low,
            CASE WHEN {low} >= 1 THEN {high_at} / 1e6 END AS {name}_high"""
        )
    # (built from this module's own names and constants)
    return f"""
        SELECT service, year, month, {",".join(picked)} FROM (
            SELECT service, year(reported_at) AS year, month(reported_at) AS month,
                {",".join(columns)}
            FROM {source}
            GROUP BY service, year(reported_at), month(reported_at))"""  # noqa: S608


def spark_by_hand(spark: Any, folder: Path) -> list[Any]:  # noqa: ANN401 - a SparkSession
    """The table by hand-written Spark SQL (:func:`by_hand_sql`)."""
    spark.read.parquet(str(folder)).createOrReplaceTempView("incidents")
    return spark.sql(by_hand_sql("spark", "incidents")).collect()


def duckdb_by_hand(folder: Path) -> pa.Table:
    """The table by hand-written DuckDB SQL (:func:`by_hand_sql`)."""
    with duckdb.connect() as connection:
        connection.execute("SET TimeZone = 'UTC'")
        return connection.sql(
            by_hand_sql("duckdb", f"read_parquet('{folder}/*.parquet')")
        ).to_arrow_table()


def duckdb_ours(folder: Path) -> pa.Table:
    """frames.report on a DuckDB relation over the Parquet files, fetched as Arrow."""
    with duckdb.connect() as connection:
        relation = connection.read_parquet(f"{folder}/*.parquet")
        return ours(relation).to_arrow_table()  # type: ignore[attr-defined]


ENGINES = ("Dask", "Polars (lazy)", "DuckDB", "Spark local[2]")


def spark_session() -> Any:  # noqa: ANN401 - a SparkSession
    """A local Spark on two cores, in UTC, quiet."""
    from pyspark.sql import SparkSession  # noqa: PLC0415 - installed with the engines

    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def ways(engine: str, folder: Path) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """frames.report on `engine` computed to the end, and the hand-written code, on `folder`."""
    files = str(folder)
    if engine == "Dask":
        import dask.dataframe as dd  # noqa: PLC0415 - installed with the engines

        return (
            lambda: ours(dd.read_parquet(files)).compute(),  # type: ignore[attr-defined]
            lambda: dask_by_hand(folder),
        )
    if engine == "Polars (lazy)":
        return (
            lambda: ours(pl.scan_parquet(f"{files}/*.parquet")).collect(),  # type: ignore[attr-defined]
            lambda: polars_by_hand(pl.scan_parquet(f"{files}/*.parquet")).collect(),  # type: ignore[attr-defined]
        )
    if engine == "DuckDB":
        return (lambda: duckdb_ours(folder), lambda: duckdb_by_hand(folder))
    return (
        lambda: ours(spark_session().read.parquet(files)).collect(),  # type: ignore[attr-defined]
        lambda: spark_by_hand(spark_session(), folder),
    )


def measure(engine: str, sizes: list[int], runs: int) -> dict[int, tuple[float, float]]:
    """Per size, the time of frames.report on `engine` and of the hand-written code.

    Before timing, the two tables must hold as many rows, and as many incidents. The sizes and
    the two ways are timed in turn within each run, so that all four see the process and the
    machine in the same state (a JVM grown by the last size, files in the page cache), and
    each keeps its best run.
    """
    tables = {size: ways(engine, parquet(size)) for size in sizes}
    for size in sizes:
        mine, theirs = tables[size]
        table, hand = pd.DataFrame(rows_of(mine())), pd.DataFrame(rows_of(theirs()))
        counted = sum(int(hand[c].sum()) for c in hand.columns if c == "n" or c.endswith("_n"))
        per_metric = 1 if "metric" in hand.columns else len(METRICS)
        if int(table["n"].sum()) != counted or len(table) != len(hand) * per_metric:
            raise SystemExit(f"frames.report and the hand-written table differ on {engine}")
    repeat = runs if engine in ("Dask", "Spark local[2]") else max(runs, 10)
    times: dict[tuple[int, int], list[float]] = {}
    for _ in range(repeat):
        for size in sizes:
            for way, call in enumerate(tables[size]):
                times.setdefault((size, way), []).append(per_call(call, number=1, repeat=1))
    if engine == "Spark local[2]":
        spark_session().stop()
    return {size: (min(times[size, 0]), min(times[size, 1])) for size in sizes}


def timed_apart(engine: str, rows: int, runs: int) -> dict[int, tuple[float, float]]:
    """`measure` run for `engine` in a fresh process."""
    printed = in_fresh_process("--engine", engine, "--rows", str(rows), "--runs", str(runs))
    return {int(size): (mine, hand) for size, (mine, hand) in json.loads(printed).items()}


def in_fresh_process(*arguments: str) -> str:
    """The last line this script prints when run with `arguments` in a process of its own."""
    command = [sys.executable, __file__, *arguments]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise SystemExit(f"bench_engines {' '.join(arguments)} failed:\n{done.stderr}")
    return done.stdout.splitlines()[-1]


def rows_of(table: Any) -> list[dict[str, Any]]:  # noqa: ANN401 - any engine's computed table
    """A computed table's rows as dictionaries, whichever engine computed it."""
    if isinstance(table, list):  # Spark's rows
        return [row.asDict() for row in table]
    return nw.from_native(table, eager_only=True).rows(named=True)


def peak(way: str, rows: int) -> float:
    """Peak resident memory (MiB) of a fresh process computing the Dask table `way`."""
    return float(in_fresh_process("--peak", way, "--rows", str(rows)))


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
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--peak", choices=["ours", "hand"], help=argparse.SUPPRESS)
    parser.add_argument("--engine", choices=ENGINES, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    warnings.simplefilter("ignore", FutureWarning)
    sizes = [arguments.rows // 5, arguments.rows]
    if arguments.peak:
        computed_once(arguments.peak, arguments.rows)
        return
    if arguments.engine:
        print(json.dumps(measure(arguments.engine, sizes, arguments.runs)))
        return
    for size in sizes:  # written once, before any engine's process reads it
        parquet(size)
    measured = {engine: timed_apart(engine, arguments.rows, arguments.runs) for engine in ENGINES}
    report = Report(f"frames.report on the engines, {arguments.rows:,} rows")
    memory = {way: peak(way, arguments.rows) for way in ("hand", "ours")}
    report.info("peak memory, hand-written Dask", memory["hand"], "MiB")
    report.info("peak memory, frames.report on Dask", memory["ours"], "MiB")
    report.ratio(
        "peak memory on Dask, frames.report / hand-written",
        memory["ours"],
        memory["hand"],
        at_most=1.5,
    )
    for engine, times in measured.items():
        (small_mine, small_hand), (mine, theirs) = times[sizes[0]], times[sizes[1]]
        report.info(f"hand-written {engine}", theirs, "s")
        report.info(f"frames.report on {engine}", mine, "s")
        report.ratio(f"frames.report / hand-written, {engine}", mine, theirs, at_most=1.3)
        report.ratio(
            f"frames.report on {engine}, {sizes[1]:,} / {sizes[0]:,} rows",
            mine,
            small_mine,
            at_most=5.5,
        )
        report.info(
            f"hand-written {engine}, {sizes[1]:,} / {sizes[0]:,} rows", theirs / small_hand, "x"
        )
    report.finish()


if __name__ == "__main__":
    main()
