"""``majorincident report`` on large CSV exports, against a hand-written Polars script.

Both compute the same table from the same file: per service and metric (MTTA, MTTR, MTTD) the
count measured, the count open at the data's latest instant, mean, median and 90th percentile,
tests and drills left out, and the monthly count of major incidents. Whole processes, run
interleaved; each figure is the median of the runs' CPU time (user + system) and peak resident
memory, read off the child's resource usage.

- ``report --engine polars`` CPU at most 1.3x the Polars script's on 1,000,000 rows (``--rows``
  to change), and its peak memory at most 1.5x;
- ``report --engine pure`` (what a base install without Polars runs) at most 3x, its cost per
  row flat: the CPU per row above a one-row file's, at the largest size, at most 1.2x that at
  10,000 rows.

Run from the repository's root: ``python bench/bench_cli.py [--rows N] [--runs N]``.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import make_sample

from _harness import Report

POLARS_SCRIPT = r"""
import sys
import polars as pl

stamps = [
    "started_at", "detected_at", "reported_at", "acknowledged_at",
    "declared_at", "contained_at", "resolved_at", "closed_at",
]
frame = pl.read_csv(sys.argv[1], schema_overrides={c: pl.String for c in stamps}).with_columns(
    pl.col(c).str.to_datetime("%Y-%m-%dT%H:%M:%SZ", time_zone="UTC", time_unit="us")
    for c in stamps
)
as_of = frame.select(pl.max_horizontal(pl.col(stamps).max())).item()
frame = frame.filter(~pl.col("kind").is_in(["test", "drill"]))
metrics = {
    "MTTA": ("reported_at", "acknowledged_at"),
    "MTTR": ("reported_at", "resolved_at"),
    "MTTD": ("started_at", "detected_at"),
}
tables = []
for name, (start, end) in metrics.items():
    begun = pl.col(start).is_not_null() & (pl.col(start) <= as_of)
    done = begun & pl.col(end).is_not_null() & (pl.col(end) <= as_of)
    over = pl.col("closed_at").is_not_null() & (pl.col("closed_at") <= as_of)
    seconds = (pl.col(end) - pl.col(start)).dt.total_microseconds() / 1e6
    tables.append(
        frame.group_by("service").agg(
            pl.lit(name).alias("metric"),
            done.sum().alias("n"),
            (begun & ~done & ~over).sum().alias("open"),
            seconds.filter(done).mean().alias("mean"),
            seconds.filter(done).median().alias("median"),
            seconds.filter(done).quantile(0.9, interpolation="linear").alias("p90"),
        )
    )
table = pl.concat(tables).sort("service", "metric")
monthly = (
    frame.filter(pl.col("major") & (pl.col("reported_at") <= as_of))
    .group_by(pl.col("reported_at").dt.truncate("1mo"))
    .len()
    .sort("reported_at")
)
print(table)
print(monthly)
"""


def export(rows: int, folder: Path) -> Path:
    """A CSV export of `rows` synthetic incidents in the default layout (cached)."""
    path = folder / f"incidents-{rows}.csv"
    if path.exists():
        return path
    rng = random.Random(rows)
    partial = path.with_suffix(".part")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=make_sample.FIELDS, lineterminator="\n")
        writer.writeheader()
        for number in range(rows):
            row = make_sample.row(rng, number)
            if row["contained_at"] and row["resolved_at"] < row["contained_at"]:
                row["declared_at"] = row["contained_at"] = ""  # declared after restoring
            writer.writerow(row)
    partial.rename(path)
    return path


def run(command: list[str]) -> tuple[float, float]:
    """CPU seconds (user + system) and peak resident MiB of a child process."""
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603 - our commands
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{command} exited {child.returncode}")
    peak = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 2**20
    return usage.ru_utime + usage.ru_stime, peak


def medians(commands: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float]]:
    """Each command's median CPU and peak memory over `runs` interleaved runs."""
    seen: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            seen[name].append(run(command))
    return {
        name: (
            statistics.median(cpu for cpu, _ in found),
            statistics.median(peak for _, peak in found),
        )
        for name, found in seen.items()
    }


def main() -> None:
    """Measure and report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    folder = Path(tempfile.gettempdir()) / "majorincident-bench"
    folder.mkdir(exist_ok=True)
    report = Report(f"majorincident report on {arguments.rows:,} CSV rows")
    cli = [sys.executable, "-m", "majorincident", "report"]
    sizes = (1, 10_000, arguments.rows)
    files = {size: str(export(size, folder)) for size in sizes}
    largest = files[arguments.rows]
    found = medians(
        {
            **{f"pure {size}": [*cli, files[size], "--engine", "pure"] for size in sizes},
            "polars engine": [*cli, largest, "--engine", "polars"],
            "polars": [sys.executable, "-c", POLARS_SCRIPT, largest],
        },
        arguments.runs,
    )
    (cpu, peak) = found[f"pure {arguments.rows}"]
    (engine_cpu, engine_peak), (polars_cpu, polars_peak) = found["polars engine"], found["polars"]
    report.info("hand-written Polars CPU", polars_cpu, "s")
    report.info("report --engine polars CPU", engine_cpu, "s")
    report.info("report --engine pure CPU (the base install's)", cpu, "s")
    report.ratio("--engine polars CPU / Polars script", engine_cpu, polars_cpu, at_most=1.3)
    report.ratio("--engine pure CPU / Polars script", cpu, polars_cpu, at_most=3.0)
    fixed = found["pure 1"][0]
    small = (found["pure 10000"][0] - fixed) / 10_000
    large = (cpu - fixed) / arguments.rows
    report.info("pure CPU per row, 10,000 rows", small * 1e6, "us")
    report.info(f"pure CPU per row, {arguments.rows:,} rows", large * 1e6, "us")
    report.ratio("pure cost per row, largest / 10,000 rows", large, small, at_most=1.2)
    report.info("hand-written Polars peak memory", polars_peak, "MiB")
    report.info("report --engine polars peak memory", engine_peak, "MiB")
    report.info("report --engine pure peak memory", peak, "MiB")
    report.ratio(
        "--engine polars peak memory / Polars script", engine_peak, polars_peak, at_most=1.5
    )
    report.finish()


if __name__ == "__main__":
    main()
