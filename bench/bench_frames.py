"""Benchmark majorincident.frames.report against hand-written queries in the same run.

Target (issue: KPIs on dataframes): ``frames.report`` with MTTA and MTTR by service and by month
over 1,000,000 rows at most 1.3x a hand-written Polars query computing the same table on Polars,
and at most 1.3x a hand-written pandas groupby on pandas. Each baseline is the fastest
reasonable hand-written code: months grouped as integer year and month, not formatted text.
The table is the one ``frames.report`` returns: per service, month and metric, n, open, mean,
median, p90, p95, minimum, maximum and the median's 95% interval (the order statistics at the
ranks of ``kpi.stats.median_ranks``), with open incidents counted apart as of the report's
instant. The pure path's time over the
same records as ``Incident`` objects is printed beside them.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import polars as pl

from majorincident import frames
from majorincident.incident import Incident
from majorincident.kpi import MTTA, MTTR, report

from _harness import Report

N = 1_000_000
SERVICES = [f"service-{n:02d}" for n in range(12)]
AS_OF = datetime(2026, 1, 1, tzinfo=UTC)
COLUMNS = frames.ColumnMap(kind=None)
STATS = ("mean", "median", "p90", "p95", "minimum", "maximum", "median_low", "median_high")
Z = 1.959963984540054  # the standard normal quantile of 97.5%


def low_rank(count: int) -> int:
    """The rank of the median's lower bound among `count` values (median_ranks' formula)."""
    return int(np.floor((count + 1) / 2 - Z * np.sqrt(count) / 2))


def bounds(values: pd.Series) -> tuple[float, float]:
    """The median's 95% interval of a group's values, by sorting them."""
    ordered = np.sort(values.dropna().to_numpy())
    low = low_rank(len(ordered))
    if low < 1:
        return (float("nan"), float("nan"))
    return (float(ordered[low - 1]), float(ordered[len(ordered) - low]))


def data() -> pl.DataFrame:
    """Two years of incidents, a few still unacknowledged or open."""
    rng = random.Random(11)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    rows: dict[str, list[object]] = {
        k: [] for k in ("service", "reported_at", "acknowledged_at", "resolved_at")
    }
    for n in range(N):
        reported = start + timedelta(seconds=rng.uniform(0, 2 * 365 * 86_400))
        acknowledged = reported + timedelta(seconds=rng.lognormvariate(5, 1))
        resolved = acknowledged + timedelta(seconds=rng.lognormvariate(8, 1.3))
        rows["service"].append(SERVICES[n % len(SERVICES)])
        rows["reported_at"].append(reported)
        rows["acknowledged_at"].append(acknowledged if n % 97 else None)
        rows["resolved_at"].append(resolved if n % 89 else None)
    schema = {"service": pl.String} | {k: pl.Datetime("us", "UTC") for k in list(rows)[1:]}
    return pl.DataFrame(rows, schema=schema)


def polars_by_hand(frame: pl.DataFrame) -> pl.DataFrame:
    """The same table, written directly in Polars."""
    as_of = pl.lit(AS_OF)
    reported = pl.col("reported_at")
    # Months as integer year and month: the fastest grouping key (strftime costs more than the
    # statistics themselves).
    columns = [reported.dt.year().alias("year"), reported.dt.month().alias("month")]
    # Open: neither the end nor the resolution reached by as_of (resolved without an
    # acknowledgement is over: missing its end, not open).
    resolved = pl.col("resolved_at").is_not_null() & (pl.col("resolved_at") <= as_of)
    for name, end in (("MTTA", "acknowledged_at"), ("MTTR", "resolved_at")):
        reached = pl.col(end).is_not_null() & (pl.col(end) <= as_of)
        columns += [
            pl.when(reached)
            .then((pl.col(end) - reported).dt.total_microseconds() / 1e6)
            .alias(name),
            (~reached & ~resolved).cast(pl.Int64).alias(f"{name}_open"),
        ]
    grouped = (
        frame.with_columns(columns)
        .group_by("service", "year", "month")
        .agg(
            agg
            for name in ("MTTA", "MTTR")
            for agg in (
                pl.col(name).count().alias(f"{name}_n"),
                pl.col(f"{name}_open").sum(),
                pl.col(name).mean().alias(f"{name}_mean"),
                pl.col(name).quantile(0.5, "linear").alias(f"{name}_median"),
                pl.col(name).quantile(0.9, "linear").alias(f"{name}_p90"),
                pl.col(name).quantile(0.95, "linear").alias(f"{name}_p95"),
                pl.col(name).min().alias(f"{name}_minimum"),
                pl.col(name).max().alias(f"{name}_maximum"),
                *ranked(name),
            )
        )
    )
    return pl.concat(
        grouped.select(
            "service",
            "year",
            "month",
            pl.lit(name).alias("metric"),
            pl.col(f"{name}_n").alias("n"),
            pl.col(f"{name}_open").alias("open"),
            *(pl.col(f"{name}_{s}").alias(f"{s}_s") for s in STATS),
        )
        for name in ("MTTA", "MTTR")
    ).sort("service", "year", "month", "metric")


def ranked(name: str) -> list[pl.Expr]:
    """The median's 95% interval in a Polars aggregation: order statistics by rank."""
    values = pl.col(name).drop_nulls().sort()
    count = pl.col(name).count()
    low = ((count + 1) / 2 - Z * count.sqrt() / 2).floor().cast(pl.Int64)
    return [
        pl.when(low >= 1).then(values.get(low - 1)).alias(f"{name}_median_low"),
        pl.when(low >= 1).then(values.get(count - low)).alias(f"{name}_median_high"),
    ]


def pandas_by_hand(frame: pd.DataFrame) -> pd.DataFrame:
    """The same table, written directly as a pandas groupby."""
    reported = frame["reported_at"].dt
    work = pd.DataFrame(
        {"service": frame["service"], "year": reported.year, "month": reported.month}
    )
    resolved = frame["resolved_at"].notna() & (frame["resolved_at"] <= AS_OF)
    for name, end in (("MTTA", "acknowledged_at"), ("MTTR", "resolved_at")):
        reached = frame[end].notna() & (frame[end] <= AS_OF)
        work[name] = ((frame[end] - frame["reported_at"]).dt.total_seconds()).where(reached)
        work[f"{name}_open"] = (~reached & ~resolved).astype("int64")
    grouped = work.groupby(["service", "year", "month"], sort=True)
    parts = []
    for name in ("MTTA", "MTTR"):
        column = grouped[name]
        part = pd.DataFrame(
            {
                "n": column.count(),
                "open": grouped[f"{name}_open"].sum(),
                "mean_s": column.mean(),
                "median_s": column.quantile(0.5),
                "p90_s": column.quantile(0.9),
                "p95_s": column.quantile(0.95),
                "minimum_s": column.min(),
                "maximum_s": column.max(),
            }
        )
        found = column.apply(bounds)
        part["median_low_s"] = [low for low, _ in found]
        part["median_high_s"] = [high for _, high in found]
        part = part.reset_index()
        part.insert(3, "metric", name)
        parts.append(part)
    return pd.concat(parts).sort_values(["service", "year", "month", "metric"], kind="stable")


def records(frame: pl.DataFrame) -> list[Incident]:
    """The same rows as Incident records, for the pure path."""
    return [
        Incident(f"INC{n}", service=service, reported_at=r, acknowledged_at=a, resolved_at=z)
        for n, (service, r, a, z) in enumerate(frame.iter_rows())
    ]


def best(function: object, *args: object, repeat: int = 7) -> float:
    """Best-of-`repeat` wall time of one call."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        function(*args)  # type: ignore[operator]
        times.append(time.perf_counter() - began)
    return min(times)


def ours(frame: object) -> object:
    """frames.report for the benchmark's table."""
    return frames.report(
        frame, metrics=(MTTA, MTTR), by=("service",), every="month", as_of=AS_OF, columns=COLUMNS
    )


def main() -> None:
    """Measure and report."""
    table = Report("frames report, 1M rows")
    polars_frame = data()
    pandas_frame = polars_frame.to_pandas()

    mine = pl.from_pandas(ours(pandas_frame))  # type: ignore[arg-type]
    theirs = pl.from_pandas(pandas_by_hand(pandas_frame).reset_index(drop=True))
    if not mine.select("n", "open").equals(theirs.select("n", "open")):
        raise SystemExit("frames.report and the hand-written pandas table differ")
    polars_table = polars_by_hand(polars_frame)
    if not polars_table.select("n", "open").equals(theirs.select("n", "open")):
        raise SystemExit("the hand-written Polars and pandas tables differ")
    interval = ["median_low_s", "median_high_s"]
    if not all(
        np.allclose(mine[c].to_numpy(), other[c].to_numpy(), rtol=1e-9, equal_nan=True)
        for c in interval
        for other in (theirs, polars_table)
    ):
        raise SystemExit("the medians' intervals differ from the hand-written ones")

    polars_hand = best(polars_by_hand, polars_frame)
    polars_ours = best(ours, polars_frame)
    pandas_hand = best(pandas_by_hand, pandas_frame)
    pandas_ours = best(ours, pandas_frame)
    incidents = records(polars_frame)
    began = time.perf_counter()
    report(incidents, metrics=(MTTA, MTTR), by=("service",), every="month", as_of=AS_OF)
    pure = time.perf_counter() - began

    table.info("hand-written Polars", polars_hand, "s")
    table.info("frames.report on Polars", polars_ours, "s")
    table.info("hand-written pandas groupby", pandas_hand, "s")
    table.info("frames.report on pandas", pandas_ours, "s")
    table.info("kpi.report over the same 1M Incident records (pure path)", pure, "s")
    table.ratio("frames.report / hand-written, Polars", polars_ours, polars_hand, at_most=1.3)
    table.ratio("frames.report / hand-written, pandas", pandas_ours, pandas_hand, at_most=1.3)
    table.finish()


if __name__ == "__main__":
    main()
