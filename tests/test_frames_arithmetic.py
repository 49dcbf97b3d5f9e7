"""Tests that pin the dataframe engine's time arithmetic, beside the private module.

``frames/_engine.py`` turns instants into local periods with integer arithmetic on the
engines (offsets between a zone's transitions, period keys that sort like time). The public
functions are tested against the pure path in ``test_frames.py``; these check the two building
blocks directly against zoneinfo and the calendar, where a wrong transition or key order would
otherwise show only on the rare dates that cross them.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

import duckdb
import narwhals as nw
import polars as pl
import pytest

from majorincident import kpi
from majorincident.frames import _engine


class TestEngineArithmetic:
    def test_transitions_match_zoneinfo(self) -> None:
        """Each offset change found is where zoneinfo says the offset changes."""
        first = _engine.US * int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())
        last = _engine.US * int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
        base, changes = _engine.transitions(ZoneInfo("Europe/Berlin"), first, last)
        assert base == 3600 * _engine.US
        assert [datetime.fromtimestamp(at / _engine.US, UTC) for at, _ in changes] == [
            datetime(2024, 3, 31, 1, tzinfo=UTC),
            datetime(2024, 10, 27, 1, tzinfo=UTC),
        ]

    def test_python_keys_follow_the_calendar(self) -> None:
        """Keys are monotonic in time, so sorting by key sorts periods chronologically."""
        days = [date(2023, 12, 31) + timedelta(days=n) for n in range(800)]
        for every in kpi.EVERY:
            keys = [_engine.python_key(day, every) for day in days]
            assert keys == sorted(keys)


class TestPortableAggregate:
    """The narwhals-only aggregation, which engines without their own route take."""

    SPECS: ClassVar[dict[str, _engine.Spec]] = {
        "n": ("x", "count", 0.0),
        "total": ("x", "sum", 0.0),
        "median": ("x", "quantile", 0.5),
        "p90": ("x", "quantile", 0.9),
        "low": ("x", "median_low", 0.95),
        "high": ("x", "median_high", 0.95),
        "least": ("x", "min", 0.0),
    }

    @pytest.mark.parametrize("keys", [["g"], []])
    @pytest.mark.parametrize("engine", ["polars", "polars-lazy", "duckdb"])
    def test_equals_each_engine_own_route(self, engine: str, keys: list[str]) -> None:
        """Groups of 0 to 40 values (nulls, a null key), or the whole frame: the same table."""
        rows = [
            {"g": g, "x": None if (g or 0) % 3 == i % 3 == 0 else float((i * 7919) % 101)}
            for g in [*range(1, 8), None]
            for i in range(0 if g is None else (g * 6) - 2)
        ] + [{"g": None, "x": 3.0}]
        table = pl.DataFrame(rows, schema={"g": pl.Int64, "x": pl.Float64})
        native = {
            "polars": lambda: table,
            "polars-lazy": table.lazy,
            "duckdb": lambda: duckdb.from_arrow(table.to_arrow()),
        }[engine]()
        frame = nw.from_native(native)
        found = [
            nw.from_native(_engine.collect(way(frame, keys, self.SPECS)).to_native())
            .sort(keys or "n", nulls_last=True)
            .rows(named=True)
            for way in (_engine.aggregate, _engine.portable_aggregate)
        ]
        # (DuckDB's own quantile can differ from the interpolation in the last bit.)
        assert [list(row) for row in found[0]] == [list(row) for row in found[1]]
        for ours, portable in zip(*found, strict=True):
            for name, value in ours.items():
                other = portable[name]
                assert value == other or math.isclose(value, other, rel_tol=1e-12), name
        assert any(row["low"] is not None for row in found[0])
