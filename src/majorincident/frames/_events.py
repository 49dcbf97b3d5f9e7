"""Incidents rebuilt from a state-change log held in a dataframe, as the pure path rebuilds them.

The moves of :func:`majorincident.interop.from_event_log` become window expressions over each
case's rows in the log's order, then one row per case: what an engine evaluates in a few sorted
passes, whatever the size of the audit table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal

import attrs
import narwhals as nw
from narwhals import Implementation

from majorincident.errors import ConfigurationError
from majorincident.frames._engine import Frame, column_micros, load
from majorincident.frames._refusals import IN_PLAN, refuse_bad_rows
from majorincident.incident import ORDER_RULES, HoldReason, Milestone
from majorincident.interop import SERVICENOW_EVENTS, EventLog, Phase
from majorincident.interop._log import Meaning, meanings_of
from majorincident.interop._order import gives_way

__all__ = ["from_event_log"]

#: Each meaning's code in the rebuilt frame; every hold reason after the four phases.
_CODES: Final[Mapping[Meaning, int]] = {
    Phase.NEW: 0,
    Phase.WORKING: 1,
    Phase.RESOLVED: 2,
    Phase.CLOSED: 3,
    **{reason: 4 + n for n, reason in enumerate(HoldReason)},
}
#: A missing order value sorts after every other (the pure path puts it last).
_LAST: Final = 2**62
#: The milestones the moves between states give.
_FROM_STATES: Final = ("acknowledged_at", "resolved_at", "closed_at")
#: When the rows are checked: as the engine reads them for the result, or at the call.
_CHECKS: Final = ("lazily", "now")


def from_event_log(
    df: object,
    log: EventLog = SERVICENOW_EVENTS,
    *,
    states: Mapping[str, Meaning] | None = None,
    check: Literal["lazily", "now"] = "lazily",
) -> Any:  # noqa: ANN401 - the input's own frame type
    """One row per incident, rebuilt from a state-change log as :func:`interop.from_event_log`.

    The same timeline as the pure path: reported is the opened column of the case's latest row
    (or its first row's time); acknowledged the first move into a working state; resolved the
    last move into a resolved state not followed by a move back to work; closed the move into a
    closed state when the case ends there; ``reopen_count`` the moves from resolved or closed
    back to work or waiting. The other fields come from the case's latest row, and so do the
    milestones ``log.milestones`` maps to a column the frame has (a column beats a state). A
    milestone out of order is left out as on the pure path, and said in ``left_out``.

    Args:
        df: the log, a frame of any engine :mod:`majorincident.frames` takes, its times as
            datetime columns (parse text first, e.g. with Polars' ``str.to_datetime``) and
            missing values as nulls (``null_values=["?"]`` when reading the CSV).
        log: where the columns are and what the states mean.
        states: more or overriding state meanings.
        check: when the rows are checked (see Raises). ``"lazily"``: as the engine reads them
            for the result, so a lazy frame is read once, when the caller asks. ``"now"``:
            the log is read at the call (one pass over its checked columns) and a bad row
            raises RecordError there, on every engine.

    Returns:
        A frame of the input's kind (lazy in, lazy out) with ``id``, the milestones
        (``reported_at``, ``acknowledged_at``, ``resolved_at``, ``closed_at`` and any other
        the log maps; datetime columns of the log's kind: naive in, naive out),
        ``reopen_count``, the fields of ``log.fields`` the log has, and ``left_out`` (null,
        or what was left out and why: ``"acknowledged_at (acknowledgement before opening)"``),
        one row per case in no particular order: ready for :func:`report` with
        ``ColumnMap(kind=None, ...)``. Waiting stays are not rebuilt here (the frame KPIs do
        not use them): :func:`majorincident.interop.from_event_log` gives them as holds.

    Raises:
        ConfigurationError: a column missing or of the wrong kind (times must be datetime
            columns, the order columns numbers or datetimes), or `check` neither ``"lazily"``
            nor ``"now"``.
        RecordError: a row (after ``log.only``) without its case or time, or in a state the
            log does not map, naming the case and the state. An eager frame is checked at the
            call. With ``check="lazily"`` nothing of a Dask, Polars, DuckDB or Spark frame is
            read at the call: its rows are checked as they are read for the result, whatever
            columns or rows the caller asks for, and the error comes from ``compute()`` or
            ``collect()``. Dask and Polars raise the RecordError itself. Spark and DuckDB check
            with their own SQL functions, not a Python step, and raise their own error with its
            message, values quoted as Python quotes printable text (on PySpark 4 a
            ``SparkRuntimeException`` of condition ``USER_RAISED_EXCEPTION``; DuckDB's
            ``InvalidInputException``). ``check="now"`` raises the RecordError at the call on
            every engine; lazy engines other than those four are checked at the call.

    On Dask each case's rows are shuffled into one partition and rebuilt there with pandas; on
    Spark and the other lazy engines each case is numbered and grouped on its own (one shuffle
    by case, never the whole log in one partition).

    A case's rows must differ in their order columns: rows that tie are taken in an order the
    engine chooses, where the pure path keeps the order of the rows.
    """
    if check not in _CHECKS:
        raise ConfigurationError(f"check must be 'lazily' or 'now', not {check!r}")
    loaded = load(df)
    if loaded.implementation is Implementation.DASK:
        return _on_dask(loaded.to_native(), log, states, check)
    frame, plain, keys = _coded(loaded, log, states)
    present = frame.collect_schema().names()
    lazily = check == "lazily" and isinstance(frame, nw.LazyFrame)
    if lazily and frame.implementation in IN_PLAN:
        frame = IN_PLAN[frame.implementation](frame, plain, log)
    else:
        refuse_bad_rows(frame, plain, log)
    return _timelines(frame, plain, list(keys), present).to_native()


def _coded(
    frame: Frame, log: EventLog, states: Mapping[str, Meaning] | None
) -> tuple[Frame, EventLog, dict[str, nw.Expr]]:
    """The log's rows (after ``log.only``) with their state's code and order keys.

    Returns the frame, the log with plain column names (:func:`_plain_names`), and the order
    keys' names and expressions (already added to the frame).
    """
    frame, plain = _plain_names(frame, log)
    meanings = meanings_of(plain, states)
    keys = _keys(frame, plain)
    if plain.only is not None:
        frame = frame.filter(nw.col(plain.only[0]).is_in(sorted(plain.only[1])))
    code = (
        nw.col(plain.state)
        .str.strip_chars()
        .str.to_lowercase()
        .replace_strict(list(meanings), [_CODES[m] for m in meanings.values()], default=None)
    )
    return frame.with_columns(__code=code, **keys), plain, keys


def _on_dask(
    native: Any,  # noqa: ANN401 - Dask is untyped
    log: EventLog,
    states: Mapping[str, Meaning] | None,
    check: str,
) -> Any:  # noqa: ANN401 - Dask is untyped
    """The rebuild on Dask: each case's rows shuffled into one partition, rebuilt there by pandas.

    The columns are checked on the frame's empty model at the call. The rows (a row without
    its case or time, or in an unknown state) are checked as each partition is rebuilt, when
    the result is computed; with ``check="now"`` also at the call, in one pass over the log.
    """

    def rebuilt(part: Any) -> Any:  # noqa: ANN401 - a pandas frame
        return from_event_log(part, log, states=states)

    def refused(part: Any) -> Any:  # noqa: ANN401 - a pandas frame
        frame, plain, _ = _coded(load(part), log, states)
        refuse_bad_rows(frame, plain, log)
        return part.iloc[:0]

    model = rebuilt(native._meta)  # noqa: SLF001 - Dask's name for a frame's empty model
    if check == "now":
        native.map_partitions(refused, meta=native._meta).compute()  # noqa: SLF001
    return native.shuffle(on=log.case).map_partitions(rebuilt, meta=model)


def _plain_names(frame: Frame, log: EventLog) -> tuple[Frame, EventLog]:
    """The frame and the log with dotted column names (``incident.id``) renamed without dots.

    SQL engines read ``a.b`` as column b of table a.
    """
    used = {
        log.case,
        log.state,
        log.at,
        *log.order,
        *filter(None, [log.opened, log.only[0] if log.only else None]),
        *log.fields.values(),
        *log.milestones.values(),
    }
    names = frame.collect_schema().names()
    plain = {name: "__" + name.replace(".", "_") for name in used if "." in name and name in names}
    if not plain:
        return frame, log

    def renamed(column: str) -> str:
        return plain.get(column, column)

    return frame.rename(plain), attrs.evolve(
        log,
        case=renamed(log.case),
        state=renamed(log.state),
        at=renamed(log.at),
        order=[renamed(column) for column in log.order],
        opened=renamed(log.opened) if log.opened else None,
        only=(renamed(log.only[0]), log.only[1]) if log.only else None,
        fields={field: renamed(column) for field, column in log.fields.items()},
        milestones={field: renamed(column) for field, column in log.milestones.items()},
    )


def _keys(frame: Frame, log: EventLog) -> dict[str, nw.Expr]:
    """The order columns as integers (datetimes in microseconds), missing ones last."""
    schema = frame.collect_schema()
    wanted = {
        log.case: "case",
        log.state: "state",
        log.at: "at",
        **({log.opened: "opened"} if log.opened else {}),
        **dict.fromkeys(log.order, "order"),
        **({log.only[0]: "only"} if log.only else {}),
    }
    missing = [f"{column} ({what})" for column, what in wanted.items() if column not in schema]
    if missing:
        raise ConfigurationError(
            f"columns missing from the log: {', '.join(missing)}; it has "
            f"{', '.join(schema.names()) or 'no columns'}"
        )
    times = [log.at, *([log.opened] if log.opened else [])]
    wrong = [f"{c} ({schema[c]})" for c in times if not isinstance(schema[c], nw.Datetime)]
    if wrong:
        raise ConfigurationError(f"not datetime columns: {', '.join(wrong)}; parse them first")
    if len({schema[c].time_zone is None for c in times}) > 1:
        raise ConfigurationError(
            f"{' and '.join(times)} mix naive and timezone-aware times; make them alike"
        )
    keys: dict[str, nw.Expr] = {}
    for n, column in enumerate(log.order):
        dtype = schema[column]
        if isinstance(dtype, nw.Datetime):
            value = column_micros(column, dtype, frame)
        elif dtype.is_numeric():
            value = nw.col(column)
        else:
            raise ConfigurationError(
                f"order column {column} ({dtype}) must hold numbers or datetimes"
            )
        keys[f"__key{n}"] = value.fill_null(_LAST).cast(nw.Int64)
    return keys


def _timelines(frame: Frame, log: EventLog, keys: list[str], columns: list[str]) -> Frame:
    """One row per case: its milestones, reopenings and latest fields."""
    case = log.case
    resolved, closed = _CODES[Phase.RESOLVED], _CODES[Phase.CLOSED]
    code, row = nw.col("__code"), nw.col("__row")
    frame = _numbered(frame, case, keys)
    moved = nw.col("__prev").is_null() | (code != nw.col("__prev"))
    over = code.is_in([resolved, closed])

    def last(flag: nw.Expr) -> nw.Expr:
        return nw.when(flag).then(row).max().over(case)

    # Where each milestone's move is, as the case's row numbers (one grouping for them all).
    frame = frame.with_columns(
        __first=row.min().over(case),
        __last=row.max().over(case),
        __first_work=nw.when(code == _CODES[Phase.WORKING]).then(row).min().over(case),
        __resolution=last(moved & (code == resolved)),
        __opening=last(moved & ~over).fill_null(-1),
        __last_move=last(moved),
        __reopen=(nw.col("__prev").is_in([resolved, closed]) & ~over).cast(nw.Int64),
    )
    at = nw.col(log.at)
    frame = frame.with_columns(
        __first_at=nw.when(row == nw.col("__first")).then(at),
        __state_acknowledged_at=nw.when(row == nw.col("__first_work")).then(at),
        __state_resolved_at=nw.when(
            (row == nw.col("__resolution")) & (nw.col("__resolution") > nw.col("__opening"))
        ).then(at),
        __state_closed_at=nw.when((row == nw.col("__last_move")) & (code == closed)).then(at),
    )
    stated = {field: column for field, column in log.milestones.items() if column in columns}
    fields = {field: column for field, column in log.fields.items() if column in columns}
    latest = {
        **({"__opened": log.opened} if log.opened else {}),
        **{f"__field_{field}": column for field, column in fields.items()},
        **{f"__stated_{field}": column for field, column in stated.items()},
    }
    # The latest row's values join the milestones in the one grouping: no second pass to join.
    is_last = row == nw.col("__last")
    if latest:  # a log may have no opened column and no fields
        frame = frame.with_columns(
            **{name: nw.when(is_last).then(nw.col(column)) for name, column in latest.items()}
        )
    rebuilt = frame.group_by(case).agg(
        nw.col("__first_at").max(),
        *(nw.col(f"__state_{field}").max() for field in _FROM_STATES),
        nw.col("__reopen").sum().alias("reopen_count"),
        *(nw.col(name).max() for name in latest),
    )
    first_at = nw.col("__first_at")
    found = {
        Milestone.REPORTED: nw.coalesce(nw.col("__opened"), first_at) if log.opened else first_at,
        **{Milestone(f.removesuffix("_at")): nw.col(f"__state_{f}") for f in _FROM_STATES},
        **{Milestone(f.removesuffix("_at")): nw.col(f"__stated_{f}") for f in stated},
    }
    rebuilt = rebuilt.with_columns(**{m.field: value for m, value in found.items()})
    rebuilt = _in_order(rebuilt, set(found), {m for m in found if m.field not in stated})
    ordered = [m.field for m in Milestone if m in found]
    return rebuilt.select(
        nw.col(case).alias("id"),
        *ordered,
        nw.col("reopen_count").cast(nw.Int64),
        *(nw.col(f"__field_{field}").alias(field) for field in fields),
        "left_out",
    )


def _numbered(frame: Frame, case: str, keys: list[str]) -> Frame:
    """Add ``__row`` (the row's place, sorted by case and order) and ``__prev`` (the state before).

    ``__prev`` is null on a case's first row. An eager frame is sorted once and shifted; a lazy
    one numbers and shifts in windows, which its engine plans with the rest.
    """
    code = nw.col("__code")
    if isinstance(frame, nw.LazyFrame):  # numbered within each case: no window over the whole log
        frame = frame.with_columns(__row=nw.col(case).cum_count().over(case, order_by=keys))
        return frame.with_columns(__prev=code.shift(1).over(case, order_by="__row"))
    frame = frame.sort(case, *keys).with_row_index("__row")
    same = nw.col(case).shift(1) == nw.col(case)
    return frame.with_columns(__prev=nw.when(same.fill_null(value=False)).then(code.shift(1)))


def _in_order(frame: Frame, present: set[Milestone], from_state: set[Milestone]) -> Frame:
    """Leave out the milestones out of order as the pure path does, saying which in left_out."""
    said: list[nw.Expr] = []
    for n, (earlier, later) in enumerate(ORDER_RULES):
        if earlier not in present or later not in present:
            continue
        wrong = (nw.col(later.field) < nw.col(earlier.field)).fill_null(value=False)
        gone, reason = gives_way(earlier, later, from_state)
        frame = frame.with_columns(
            **{
                f"__said{n}": nw.when(wrong).then(nw.lit(f"{gone.field} ({reason})")),
                gone.field: nw.when(~wrong).then(nw.col(gone.field)),
            }
        )
        said.append(nw.col(f"__said{n}"))
    text = nw.concat_str(said, separator="; ", ignore_nulls=True) if said else nw.lit("")
    return frame.with_columns(left_out=text).with_columns(
        left_out=nw.when(nw.col("left_out") != "").then(nw.col("left_out"))
    )
