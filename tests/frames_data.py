"""Incident records as dataframe columns, and frame results as comparable rows, for the tests."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC
from typing import Any, Final

import attrs
import polars as pl

from majorincident.incident import Incident, Milestone
from majorincident.kpi import Summary

FIELDS = ("service", "priority", "impact", "urgency", "channel")
SCHEMA: Mapping[str, Any] = {
    "id": pl.String,
    **dict.fromkeys(FIELDS, pl.String),
    "major": pl.Boolean,
    "kind": pl.String,
    **{f"{m.value}_at": pl.Datetime("us", "UTC") for m in Milestone},
}


def polars_frame(incidents: Iterable[Incident]) -> pl.DataFrame:
    """The records as a Polars frame with the default ColumnMap's column names."""
    data: dict[str, list[Any]] = {name: [] for name in SCHEMA}
    for incident in incidents:
        data["id"].append(incident.id)
        for field in FIELDS:
            value = getattr(incident, field)
            data[field].append(getattr(value, "value", value))
        data["major"].append(incident.major)
        data["kind"].append(incident.kind.value)
        for milestone, moment in zip(Milestone, incident.instants, strict=True):
            data[f"{milestone.value}_at"].append(None if moment is None else moment.astimezone(UTC))
    return pl.DataFrame(data, schema=SCHEMA)


def rows(result: object) -> list[dict[str, Any]]:
    """A frame of any engine as a list of dicts, NaN read as None."""
    if isinstance(result, pl.LazyFrame):
        result = result.collect()
    if not isinstance(result, pl.DataFrame):
        to_polars = {
            "DataFrame": pl.from_pandas,
            "Table": pl.from_arrow,
            "DuckDBPyRelation": lambda r: r.pl(),
        }
        result = to_polars[type(result).__name__](result)
    return [
        {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
        for row in result.to_dicts()  # type: ignore[union-attr]
    ]


#: Durations both paths compute in whole microseconds: the same microsecond exactly. (Seconds
#: are those microseconds over a million; Polars divides by multiplying with the reciprocal, so
#: the float can be an ulp off, and the count of microseconds is what is compared.)
DURATIONS: Final = tuple(
    field.name
    for field in attrs.fields(Summary)
    if "Duration" in str(field.type) and field.name != "geometric_mean"  # exp of a float mean
)
EXACT: Final = frozenset(f"{name}_s" for name in DURATIONS)


def same_micros(expected: object, actual: object) -> bool:
    """The same whole number of microseconds (None for None)."""
    if expected is None or actual is None:
        return expected is actual
    return round(float(expected) * 1_000_000) == round(float(actual) * 1_000_000)  # type: ignore[arg-type]


def close(expected: object, actual: object) -> bool:
    """Equal, floats within rounding (rates, p-values, sums of logarithms)."""
    if isinstance(expected, float) and isinstance(actual, float | int):
        return math.isclose(expected, actual, rel_tol=1e-9, abs_tol=2e-6)
    return expected == actual


def assert_rows_match(expected: list[dict[str, Any]], actual: list[dict[str, Any]]) -> None:
    """Same rows in the same order; the microsecond durations exactly, other values `close`."""
    assert len(actual) == len(expected), (len(actual), len(expected))
    for want, got in zip(expected, actual, strict=True):
        assert set(got) >= set(want), set(want) - set(got)
        assert all(
            same_micros(want[key], got[key]) if key in EXACT else close(want[key], got[key])
            for key in want
        ), (want, got)
