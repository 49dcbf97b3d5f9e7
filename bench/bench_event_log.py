"""Benchmark frames.from_event_log against a hand-written Polars rebuild in the same run.

Target (issue: real exports): rebuilding the incidents of a 1,000,000-row ServiceNow audit log
(about 150,000 incidents, rows shuffled) at most 3x a hand-written Polars group-by that rebuilds
the same milestones: reported (the latest ``opened_at``), acknowledged (the first move into
Active, left out before the opening or after the resolution), resolved and closed (the latest
row's columns, a closure before the resolution left out), the reopenings and the latest
priority. Both results are checked equal before timing. The pure path's time over the first
100,000 rows is printed beside them.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import polars as pl

from majorincident import frames
from majorincident.interop import from_event_log

from _harness import Report

START = datetime(2024, 1, 1, tzinfo=UTC)
TIME = pl.Datetime("us", "UTC")
WAITS = ("Awaiting User Info", "Awaiting Vendor", "Awaiting Problem")
PRIORITIES = ("1 - Critical", "2 - High", "3 - Moderate", "4 - Low")


def walk(rng: random.Random) -> list[str]:
    """One incident's states, New to Closed, with waits, a reopening now and then, updates."""
    states = ["New", "Active"]
    if rng.random() < 0.4:
        states += [rng.choice(WAITS), "Active"]
    states.append("Resolved")
    if rng.random() < 0.1:
        states += ["Active", "Resolved"]
    if rng.random() < 0.9:
        states.append("Closed")
    # Field updates repeat the state they are made in.
    return [state for state in states for _ in range(1 + (rng.random() < 0.2))]


def data(rows: int) -> pl.DataFrame:
    """An audit log of about `rows` rows, shuffled, as ServiceNow exports it (times parsed)."""
    rng = random.Random(19)
    columns: dict[str, list[object]] = {
        name: []
        for name in (
            "number",
            "incident_state",
            "sys_mod_count",
            "sys_updated_at",
            "opened_at",
            "resolved_at",
            "closed_at",
            "priority",
        )
    }
    case = 0
    while len(columns["number"]) < rows:
        opened = START + timedelta(seconds=rng.uniform(0, 2 * 365 * 86_400))
        moment = opened - timedelta(minutes=5) if rng.random() < 0.01 else opened  # backdated
        resolved: datetime | None = None
        closed: datetime | None = None
        priority = rng.choice(PRIORITIES)
        for count, state in enumerate(walk(rng)):
            moment += timedelta(seconds=rng.lognormvariate(7, 1.2))
            if state == "Resolved" and resolved is None:
                resolved = moment
            elif state in ("Active", *WAITS):
                resolved = None
            if state == "Closed":
                closed = moment
            priority = rng.choice(PRIORITIES) if rng.random() < 0.1 else priority
            for name, value in (
                ("number", f"INC{case:07d}"),
                ("incident_state", state),
                ("sys_mod_count", count),
                ("sys_updated_at", moment),
                ("opened_at", opened),
                ("resolved_at", resolved),
                ("closed_at", closed),
                ("priority", priority),
            ):
                columns[name].append(value)
        case += 1
    schema = {
        "number": pl.String,
        "incident_state": pl.String,
        "sys_mod_count": pl.Int64,
        **dict.fromkeys(("sys_updated_at", "opened_at", "resolved_at", "closed_at"), TIME),
        "priority": pl.String,
    }
    return pl.DataFrame(columns, schema=schema).sample(fraction=1.0, shuffle=True, seed=19)


def polars_by_hand(log: pl.DataFrame) -> pl.DataFrame:
    """The same incidents, rebuilt directly in Polars."""
    state = pl.col("incident_state").str.strip_chars().str.to_lowercase()
    ended = ["resolved", "closed", "canceled"]
    previous = state.shift(1).over("number")
    rebuilt = (
        log.sort("number", "sys_mod_count", "sys_updated_at")
        .with_columns(reopened=previous.is_in(ended) & ~state.is_in(ended))
        .group_by("number")
        .agg(
            pl.col("opened_at").last().fill_null(pl.col("sys_updated_at").first()),
            pl.col("sys_updated_at")
            .filter(state.is_in(["active", "in progress"]))
            .first()
            .alias("acknowledged_at"),
            pl.col("resolved_at").last(),
            pl.col("closed_at").last(),
            pl.col("reopened").sum().cast(pl.Int64).alias("reopen_count"),
            pl.col("priority").last(),
        )
    )
    opened, ack, resolved = pl.col("opened_at"), pl.col("acknowledged_at"), pl.col("resolved_at")
    return (
        rebuilt.with_columns(resolved_at=pl.when(resolved >= opened).then(resolved))
        .with_columns(
            acknowledged_at=pl.when(
                (ack >= opened) & (resolved.is_null() | (ack <= resolved))
            ).then(ack),
            closed_at=pl.when(resolved.is_null() | (pl.col("closed_at") >= resolved)).then(
                pl.col("closed_at")
            ),
        )
        .select(
            pl.col("number").alias("id"),
            opened.alias("reported_at"),
            "acknowledged_at",
            "resolved_at",
            "closed_at",
            "reopen_count",
            "priority",
        )
    )


def ours(log: pl.DataFrame) -> pl.DataFrame:
    """frames.from_event_log with the ServiceNow audit preset."""
    return frames.from_event_log(log).drop("left_out")  # type: ignore[no-any-return]


def best(function: Callable[[], object], repeat: int) -> float:
    """Best-of-`repeat` wall time of one call."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    """Measure and report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    log = data(arguments.rows)
    table = Report(f"event-log rebuild, {log.height:,} rows")

    mine, theirs = ours(log).sort("id"), polars_by_hand(log).sort("id")
    if not mine.equals(theirs):
        raise SystemExit("frames.from_event_log and the hand-written Polars rebuild differ")

    hand = ours_time = 0.0
    for _ in range(arguments.runs):  # interleaved, so that the machine's moods hit both
        hand += best(lambda: polars_by_hand(log), 1)
        ours_time += best(lambda: ours(log), 1)
    sample = log.head(100_000).to_dicts()
    began = time.perf_counter()
    from_event_log(sample)
    pure = time.perf_counter() - began

    table.info("incidents rebuilt", float(mine.height), "count")
    table.info("hand-written Polars group-by", hand / arguments.runs, "s")
    table.info("frames.from_event_log on Polars", ours_time / arguments.runs, "s")
    table.info("interop.from_event_log over the first 100,000 rows (pure path)", pure, "s")
    table.ratio("frames.from_event_log / hand-written Polars", ours_time, hand, at_most=3.0)
    table.finish()


if __name__ == "__main__":
    main()
