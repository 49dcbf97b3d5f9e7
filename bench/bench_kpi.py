"""Benchmark majorincident.kpi.report against baselines measured in the same run.

Target (issue: KPIs): ``report`` with MTTA and MTTR (mean, median, p90) by service and by month
over 1,000,000 records at most 3x a bare pure-Python loop over tuples of epoch floats computing
the same table; the Polars time for the same table is printed beside it; memory beyond the input
is reported per measured value.
"""

from __future__ import annotations

import math
import random
import time
import tracemalloc
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from majorincident.incident import Incident
from majorincident.kpi import MTTA, MTTR, report

from _harness import Report

N = 1_000_000
SERVICES = [f"service-{n:02d}" for n in range(12)]
AS_OF = datetime(2026, 1, 1, tzinfo=UTC)


def data() -> tuple[list[Incident], list[tuple[str, float, float, float]]]:
    """The same incidents as records and as tuples of epoch floats."""
    rng = random.Random(11)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    records, rows = [], []
    for n in range(N):
        reported = start + timedelta(seconds=rng.uniform(0, 2 * 365 * 86_400))
        acknowledged = reported + timedelta(seconds=rng.lognormvariate(5, 1))
        resolved = acknowledged + timedelta(seconds=rng.lognormvariate(8, 1.3))
        service = SERVICES[n % len(SERVICES)]
        records.append(
            Incident(
                f"INC{n}",
                service=service,
                reported_at=reported,
                acknowledged_at=acknowledged,
                resolved_at=resolved,
            )
        )
        rows.append((service, reported.timestamp(), acknowledged.timestamp(), resolved.timestamp()))
    return records, rows


def _q(ordered: list[float], p: float) -> float:
    position = (len(ordered) - 1) * p
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def bare(rows: list[tuple[str, float, float, float]]) -> dict[object, object]:
    """The baseline: group by service and UTC month, then mean, median and p90 of each metric."""
    groups: dict[tuple[str, str], tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for service, reported, acknowledged, resolved in rows:
        month = datetime.fromtimestamp(reported, UTC).strftime("%Y-%m")
        tta, ttr = groups[(service, month)]
        tta.append(acknowledged - reported)
        ttr.append(resolved - reported)
    table: dict[object, object] = {}
    for key, values in groups.items():
        for name, series in zip(("MTTA", "MTTR"), values, strict=True):
            ordered = sorted(series)
            table[(*key, name)] = (
                math.fsum(ordered) / len(ordered),
                _q(ordered, 0.5),
                _q(ordered, 0.9),
            )
    return table


def polars_table(rows: list[tuple[str, float, float, float]]) -> object:
    """The same table in Polars, for scale."""
    import polars as pl  # noqa: PLC0415

    frame = pl.DataFrame(
        rows, schema=["service", "reported", "acknowledged", "resolved"], orient="row"
    )
    began = time.perf_counter()
    [
        frame.with_columns(
            month=pl.from_epoch(pl.col("reported"), time_unit="s").dt.strftime("%Y-%m"),
            tta=pl.col("acknowledged") - pl.col("reported"),
            ttr=pl.col("resolved") - pl.col("reported"),
        )
        .group_by("service", "month")
        .agg(
            pl.col(name).mean().alias(f"{name}_mean"),
            pl.col(name).median().alias(f"{name}_median"),
            pl.col(name).quantile(0.9, "linear").alias(f"{name}_p90"),
        )
        for name in ("tta", "ttr")
    ]
    return time.perf_counter() - began


def main() -> None:
    """Measure and report."""
    table = Report("kpi report")
    records, rows = data()

    began = time.perf_counter()
    bare(rows)
    baseline = time.perf_counter() - began

    began = time.perf_counter()
    report(records, metrics=(MTTA, MTTR), by=("service",), every="month", as_of=AS_OF)
    ours = time.perf_counter() - began

    sample = records[:100_000]
    tracemalloc.start()
    result = report(sample, metrics=(MTTA, MTTR), by=("service",), every="month", as_of=AS_OF)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    try:
        polars_seconds: float | None = polars_table(rows)  # type: ignore[assignment]
    except ImportError:  # pragma: no cover - polars is optional
        polars_seconds = None

    measured = sum(row.summary.n for row in result.rows)
    table.info("bare loop over epoch tuples, 1M", baseline, "s")
    table.info("kpi.report over 1M Incident records", ours, "s")
    if polars_seconds is not None:
        table.info("Polars, same table", polars_seconds, "s")
        table.info("bare loop / Polars", baseline / polars_seconds, "x")
    table.info(
        "memory beyond the input, per measured value (tracemalloc peak)", peak / measured, "B"
    )
    table.ratio("kpi.report / bare loop", ours, baseline, at_most=3)
    table.ratio(
        "bytes per measured value / one float in a list (32 B)", peak / measured, 32, at_most=1
    )
    table.finish()


if __name__ == "__main__":
    main()
