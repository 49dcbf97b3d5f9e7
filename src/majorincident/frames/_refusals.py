"""The rows of a state-change log checked: at once, or in a lazy engine's plan as it reads them.

A row without its case or its time, or in a state the log does not map, is refused with
:class:`~majorincident.errors.RecordError` (:func:`refuse_bad_rows`). On a lazy frame the check
can go into the plan (:data:`IN_PLAN`), so that the log is read once, when the caller asks:
Polars runs a Python step that raises the RecordError itself, Spark and DuckDB their own SQL
functions that raise their own error with the RecordError's message.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import narwhals as nw
from narwhals import Implementation

from majorincident.errors import RecordError
from majorincident.frames._engine import SPARK, Frame, collect, spark_functions
from majorincident.interop import EventLog
from majorincident.interop._log import unknown_state

__all__ = ["IN_PLAN", "refuse_bad_rows"]


def refuse_bad_rows(frame: Frame, plain: EventLog, log: EventLog) -> None:
    """Raise RecordError for the first row without its case or time, or in an unknown state.

    `plain` names the frame's columns; `log`, the caller's, names them in the message.
    """
    columns = [plain.case, plain.state, "__code"]
    found = collect(frame.filter(_bad(plain)).select(columns).head(1)).rows()
    if found:
        raise _refusal(found[0], log)


def _polars_checked(frame: Frame, plain: EventLog, log: EventLog) -> Frame:
    """A lazy Polars log whose case column checks the rows as Polars reads them, in its plan.

    Every rebuilt column comes from a grouping by case, so whatever the caller collects, the
    rows are checked, and RecordError is raised by ``collect()`` (Polars raises a function's
    own error). `check` takes a batch of rows as a struct series; Polars calls it from its own
    threads, which coverage does not trace (the tests check what it raises and returns).
    """
    pl = importlib.import_module("polars")
    native = frame.to_native()
    fields = list(dict.fromkeys([plain.case, plain.at, plain.state, "__code"]))

    def check(rows: Any) -> Any:  # noqa: ANN401  # pragma: no cover - in Polars' threads
        table = nw.from_native(rows.struct.unnest(), eager_only=True)
        refuse_bad_rows(table, plain, log)
        return rows.struct.field(plain.case)

    checked = pl.struct(fields).map_batches(
        check, return_dtype=native.collect_schema()[plain.case], is_elementwise=True
    )
    return nw.from_native(native.with_columns(checked.alias(plain.case)))


def _spark_checked(frame: Frame, plain: EventLog, log: EventLog) -> Frame:
    """A Spark log whose case column raises Spark's error at a bad row, in its plan."""
    F = spark_functions()  # noqa: N806 - Spark's own convention
    native = _with_refusals(frame, plain, log).to_native()
    refusal = F.col("__refusal")
    checked = F.when(refusal.isNotNull(), F.raise_error(refusal)).otherwise(F.col(plain.case))
    return nw.from_native(native.withColumn(plain.case, checked).drop("__refusal"))


def _duckdb_checked(frame: Frame, plain: EventLog, log: EventLog) -> Frame:
    """A DuckDB log whose case column raises DuckDB's ``error()`` at a bad row, in its plan."""
    duckdb = importlib.import_module("duckdb")
    native = _with_refusals(frame, plain, log).to_native()
    refusal = duckdb.ColumnExpression("__refusal")
    checked = duckdb.CaseExpression(
        refusal.isnotnull(), duckdb.FunctionExpression("error", refusal)
    ).otherwise(duckdb.ColumnExpression(plain.case))
    kept = duckdb.StarExpression(exclude=[plain.case, "__refusal"])
    return nw.from_native(native.select(kept, checked.alias(plain.case)))


#: The lazy engines that check a log's rows in their plans; the others check them at the call.
IN_PLAN: Final[Mapping[Implementation, Callable[[Frame, EventLog, EventLog], Frame]]] = {
    Implementation.POLARS: _polars_checked,
    **dict.fromkeys(SPARK, _spark_checked),
    Implementation.DUCKDB: _duckdb_checked,
}


def _with_refusals(frame: Frame, plain: EventLog, log: EventLog) -> Frame:
    """`frame` with ``__refusal``: a bad row's RecordError message (:func:`_refusal`), else null.

    The messages are :func:`_refusal`'s own, written with markers where the case and the state
    go and cut there; the engine puts each row's values in, quoted as Python quotes them.
    """
    schema = frame.collect_schema()
    shown = {
        "case": _quoted(plain.case, schema[plain.case]),
        "state": _quoted(plain.state, schema[plain.state]),
    }

    def written(row: tuple[Any, Any, Any]) -> nw.Expr:
        parts = str(_refusal(row, log)).split(_Slot.MARK)
        return nw.concat_str([shown[p] if n % 2 else nw.lit(p) for n, p in enumerate(parts)])

    case, state = _Slot("case"), _Slot("state")
    message = written((case, state, 0))  # a bad row with its case and a known state: no time
    for when, row in [
        (nw.col("__code").is_null(), (case, state, None)),
        (nw.col(plain.case).is_null(), (None, state, 0)),
    ]:
        message = nw.when(when).then(written(row)).otherwise(message)
    return frame.with_columns(__refusal=nw.when(_bad(plain)).then(message))


class _Slot:
    """A stand-in for a row's value in a message: its repr marks where the value goes."""

    MARK: Final = "\x00"

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"{self.MARK}{self.name}{self.MARK}"


def _quoted(column: str, dtype: Any) -> nw.Expr:  # noqa: ANN401 - a narwhals dtype
    """A column's values as Python's ``repr`` writes them (printable text)."""
    value = nw.col(column)
    if dtype != nw.String:
        return value.cast(nw.String).fill_null("None")
    escaped = value.str.replace_all("\\", "\\\\", literal=True)
    double = value.str.contains("'", literal=True) & ~value.str.contains('"', literal=True)
    single = nw.concat_str(
        [nw.lit("'"), escaped.str.replace_all("'", "\\'", literal=True), nw.lit("'")]
    )
    return (
        nw.when(double)
        .then(nw.concat_str([nw.lit('"'), escaped, nw.lit('"')]))
        .otherwise(single)
        .fill_null("None")
    )


def _bad(log: EventLog) -> nw.Expr:
    """A row without its case or its time, or in a state the log does not map."""
    return nw.col(log.case).is_null() | nw.col(log.at).is_null() | nw.col("__code").is_null()


def _refusal(row: Sequence[Any], log: EventLog) -> RecordError:
    """The RecordError for a bad row (:func:`_bad`): its case, state and state's code."""
    case, state, code = row
    if case is None or case != case:  # None, or NaN on pandas  # noqa: PLR0124
        return RecordError(f"a row in state {state!r} has no {log.case}: it must name the incident")
    if code is None or code != code:  # None, or NaN on pandas  # noqa: PLR0124
        return unknown_state(f"{log.case} {case!r}", log, state)
    return RecordError(
        f"{log.case} {case!r}: {log.at} is missing in a row in state {state!r}; every update "
        "needs its time"
    )
