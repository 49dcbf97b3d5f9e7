"""What differs between dataframe engines, kept in one place.

Everything here works on narwhals frames and expressions. Instants become integer microseconds
since the epoch, so comparisons, durations and calendar periods are plain integer arithmetic that
every engine evaluates the same way; local calendars come from the timezone's UTC offsets over the
range the data covers, so no engine needs to convert timezones itself (DuckDB and Spark keep the
timezone in the session, not in the column).

Longer than the 400 lines a module is held to because it exists to gather every difference
between engines in one place; split, those differences would spread again.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any, Final, NamedTuple, TypeAlias
from zoneinfo import ZoneInfo

import narwhals as nw
from narwhals import Implementation

from majorincident.clock import load_zone
from majorincident.clock._instants import EPOCH, micros
from majorincident.errors import ConfigurationError
from majorincident.kpi.stats import median_low_rank

#: A narwhals DataFrame or LazyFrame (typed loosely: which one depends on the input).
Frame: TypeAlias = Any
US: Final = 1_000_000
DAY_US: Final = 86_400 * US
_EPOCH_NAIVE: Final = datetime(1970, 1, 1)  # noqa: DTZ001 - the epoch of naive columns
_UTC_NAMES: Final = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "GMT", "Etc/GMT", "Zulu"})
SPARK: Final = frozenset({Implementation.PYSPARK, Implementation.PYSPARK_CONNECT})
#: The engines whose :func:`aggregate` gathers a group's values into one sorted list.
LISTED: Final = SPARK | {Implementation.POLARS, Implementation.DUCKDB}
#: Engines whose own calendar (a datetime's year and month) is quicker than the arithmetic of
#: :func:`civil` and gives the same dates (proleptic Gregorian, microseconds exact).
_NATIVE_CALENDAR: Final = frozenset({Implementation.POLARS, Implementation.PANDAS})
#: Aggregations by name: (column, argument) -> expression. Quantiles are linear (type 7).
AGGREGATIONS: Final[Mapping[str, Callable[[str, float], nw.Expr]]] = {
    "count": lambda column, _: nw.col(column).count(),
    "sum": lambda column, _: nw.col(column).sum(),
    "mean": lambda column, _: nw.col(column).mean(),
    "min": lambda column, _: nw.col(column).min(),
    "max": lambda column, _: nw.col(column).max(),
    "quantile": lambda column, p: nw.col(column).quantile(p, interpolation="linear"),
}
Spec = tuple[str, str, float]
#: The order statistics bounding a group's median at a confidence (the spec's argument), as
#: :func:`majorincident.kpi.stats.median_ranks` places them.
BOUNDS: Final = ("median_low", "median_high")
#: The aggregation giving a group's sorted values as a list, on the engines of LISTED.
VALUES: Final = "values"


def load(df: object) -> Frame:
    """The narwhals frame around a native one; ConfigurationError for anything else."""
    try:
        return nw.from_native(df)
    except TypeError:
        raise ConfigurationError(
            f"df ({type(df).__name__}) is not a dataframe of pandas, Polars, PyArrow, DuckDB, "
            "Dask or PySpark"
        ) from None


def deferred(frame: Frame) -> tuple[Frame, bool]:
    """An eager Polars frame as a lazy one, and whether it was eager.

    Polars plans a lazy query as a whole, fusing the steps that an eager frame would run one
    after the other over every row; :func:`undeferred` brings the result back eager.
    """
    if frame.implementation is Implementation.POLARS and isinstance(frame, nw.DataFrame):
        return frame.lazy(), True
    return frame, False


def undeferred(frame: Frame, eager: bool) -> Frame:
    """The result of a frame made lazy by :func:`deferred`, collected; others as they are.

    Collected by Polars' streaming engine, the one a lazy frame's ``collect()`` takes by
    default in Polars 2, and the one :func:`aggregate`'s plan is shaped for: on 5,000,000 rows
    the report took 0.79 s there and 1.21 s on the in-memory engine. Before 1.31, which named
    the engines, Polars takes its default (the in-memory one).
    """
    if not eager:
        return frame
    named = _polars_since(frame.__native_namespace__(), (1, 31))
    return frame.collect(**({"engine": "streaming"} if named else {}))


def _polars_since(pl: Any, version: tuple[int, int]) -> bool:  # noqa: ANN401 - polars' module
    """Whether the Polars module `pl` is at least `version` (major, minor)."""
    major, minor = pl.__version__.split(".")[:2]
    return (int(major), int(minor)) >= version


def spark_functions() -> Any:  # noqa: ANN401 - PySpark's module of SQL functions
    """PySpark's SQL functions, imported by name: PySpark is installed only where Spark runs."""
    return importlib.import_module("pyspark.sql.functions")


def sorted_result(frame: Frame, keys: list[str]) -> Frame:
    """A small result (one row per group) sorted by `keys`, nulls last.

    Dask and Spark sort across partitions by first finding their bounds: on Dask a pass over
    the whole pipeline as soon as anything is built on the sorted frame and another on
    compute, on Spark a sampling job. The groups fit in one partition, so on those two they
    are gathered into one and sorted there.
    """
    if frame.implementation in SPARK:
        F = spark_functions()  # noqa: N806 - Spark's own convention
        native = frame.to_native().coalesce(1)
        return nw.from_native(native.sortWithinPartitions(*map(F.asc_nulls_last, keys)))
    if frame.implementation is not Implementation.DASK:
        return frame.sort(keys, nulls_last=True)
    native = frame.to_native().repartition(npartitions=1)
    return nw.from_native(
        native.map_partitions(
            lambda part: part.sort_values(keys, na_position="last").reset_index(drop=True),
            meta=native._meta,  # noqa: SLF001 - Dask's name for a frame's empty model
        )
    )


def by_partition(frame: Frame, stage: Callable[[Frame], Frame]) -> Frame:
    """`stage` (row by row: no grouping, no sort) applied to `frame`; on Dask to each partition.

    On Dask each partition runs `stage` as the pandas frame it is, in one task: the graph holds
    one step where the stage's column expressions would each be a layer for Dask to build and
    optimise. The stage's checks of the columns run at the call, on the frame's empty model.
    """
    if frame.implementation is not Implementation.DASK:
        return stage(frame)

    def run(part: Any) -> Any:  # noqa: ANN401 - a pandas frame
        return stage(nw.from_native(part)).to_native()

    native = frame.to_native()
    model = run(native._meta)  # noqa: SLF001 - Dask's name for a frame's empty model
    return nw.from_native(native.map_partitions(run, meta=model))


def finished_small(frame: Frame, stage: Callable[[Frame], Frame]) -> Frame:
    """`stage` (sorting and relabelling included) over a small result, one row per group.

    On Dask the result, one partition, is handed to `stage` as pandas, in one task: built
    from Dask's expressions, the few steps after the aggregation took longer to build and
    optimise than to run.
    """
    if frame.implementation is not Implementation.DASK:
        return stage(frame)
    # (Dask's aggregate is one partition: its one task is the whole result's.)
    return by_partition(
        frame, lambda part: nw.from_native(stage(part).to_native().reset_index(drop=True))
    )


def is_utc(tz: str) -> bool:
    """Whether a timezone name is UTC under another name."""
    return tz in _UTC_NAMES


def with_micros(frame: Frame, columns: Mapping[str, str]) -> Frame:
    """Add each ``out -> name`` of `columns`: microseconds since the epoch of column `name`.

    On Spark they are read off the timestamp (:func:`_spark_micros`), on DuckDB by
    ``epoch_us`` (subtracting the epoch goes through an interval, at three times the cost of
    the rest of a report). On pandas, datetimes (NumPy's or Arrow's) are integers since the
    epoch already: read off the array, they cost a fifteenth of the subtraction and division
    :func:`column_micros` has every engine do, and the result is NumPy's, which pandas
    computes on as every other column (its Arrow-backed integers have no remainder operator).
    """
    if frame.implementation in SPARK:
        schema = frame.collect_schema()
        read = {out: _spark_micros(name, schema[name]) for out, name in columns.items()}
        return nw.from_native(frame.to_native().withColumns(read))
    if frame.implementation is Implementation.DUCKDB:
        duckdb = importlib.import_module("duckdb")
        epochs = (
            duckdb.FunctionExpression("epoch_us", duckdb.ColumnExpression(name)).alias(out)
            for out, name in columns.items()
        )
        kept = duckdb.StarExpression(exclude=[out for out in columns if out in frame.columns])
        return nw.from_native(frame.to_native().select(kept, *epochs))
    if frame.implementation is not Implementation.PANDAS:
        schema = frame.collect_schema()
        return frame.with_columns(
            **{out: column_micros(name, schema[name], frame) for out, name in columns.items()}
        )
    native = frame.to_native()
    added = {}
    for out, name in columns.items():
        series = native[name]
        utc = series if series.dt.tz is None else series.dt.tz_convert(None)
        # To whole microseconds as the pure path has them: nanoseconds round down.
        values = utc.to_numpy().astype("datetime64[us]").view("int64")
        missing = series.isna().to_numpy()
        if missing.any():
            values = values.astype("float64")
            values[missing] = float("nan")
        added[out] = values
    return nw.from_native(native.assign(**added))


def _spark_micros(name: str, dtype: Any) -> Any:  # noqa: ANN401 - a narwhals dtype, a Spark column
    """A Spark timestamp's microseconds since the epoch, read off: exact, no rounding.

    A naive one's (``TIMESTAMP_NTZ``) are counted on its own clock, whatever the session's
    timezone. (Rounding the seconds as a double, Spark goes through decimals: a third of a
    report's time, and it refuses to cast a naive timestamp at all.)
    """
    F = spark_functions()  # noqa: N806 - Spark's own convention
    if dtype.time_zone is not None:
        return F.unix_micros(F.col(name))
    quoted = name.replace("`", "``")
    return F.expr(f"timestampdiff(MICROSECOND, TIMESTAMP_NTZ'1970-01-01 00:00:00', `{quoted}`)")


def column_micros(name: str, dtype: Any, frame: Frame) -> nw.Expr:  # noqa: ANN401 - a narwhals dtype
    """Microseconds since the epoch of a datetime column, as exact integers (or floats of them)."""
    if frame.implementation in SPARK:
        # Spark casts a timestamp to seconds as a double; microseconds are exact below 2**53.
        return (nw.col(name).cast(nw.Float64) * US).round(0).cast(nw.Int64)
    zone = dtype.time_zone
    epoch = _EPOCH_NAIVE if zone is None else EPOCH.astimezone(ZoneInfo(zone))
    return (nw.col(name) - nw.lit(epoch)).dt.total_microseconds()


def _offset(zone: ZoneInfo, at_us: int) -> int:
    moment = EPOCH + timedelta(microseconds=at_us)
    shift = moment.astimezone(zone).utcoffset()
    return 0 if shift is None else int(shift.total_seconds()) * US


def transitions(zone: ZoneInfo, first_us: int, last_us: int) -> tuple[int, list[tuple[int, int]]]:
    """The UTC offset at `first_us` and every (instant, new offset) change up to `last_us`.

    Scans in steps of six hours and bisects each change to the microsecond; offsets do not change
    twice within six hours in the tz database.
    """
    step = 6 * 3600 * US
    current = _offset(zone, first_us)
    found: list[tuple[int, int]] = []
    low = first_us
    while low < last_us:
        high = min(low + step, last_us)
        after = _offset(zone, high)
        if after != current:
            left, right = low, high
            while right - left > 1:
                middle = (left + right) // 2
                if _offset(zone, middle) == current:
                    left = middle
                else:
                    right = middle
            found.append((right, after))
            current = after
        low = high
    return _offset(zone, first_us), found


def shifted(value: nw.Expr, base: int, changes: Iterable[tuple[int, int]]) -> nw.Expr:
    """`value` plus the offset in force at `value`: a step function over the changes."""
    total = value + base
    previous = base
    for at, offset in changes:
        total = total + (value >= at).cast(nw.Int64) * (offset - previous)
        previous = offset
    return total


def local_micros(
    frame: Frame, utc_column: str, tz: str, bounds: tuple[int, int] | None = None
) -> nw.Expr:
    """Local wall time in `tz`, as microseconds since the local epoch, of a UTC-micros column.

    `bounds` is the range of the values; without it the range is read from the frame.
    """
    if is_utc(tz):
        return nw.col(utc_column)
    zone = load_zone(tz, field="tz")
    if bounds is None:
        edges = collect(
            frame.select(nw.col(utc_column).min().alias("lo"), nw.col(utc_column).max())
        )
        lo, hi = edges.row(0)
        if lo is None or lo != lo:  # no values: any offset will do  # noqa: PLR0124
            return nw.col(utc_column)
        bounds = (int(lo), int(hi))
    base, changes = transitions(zone, bounds[0], bounds[1] + 1)
    return shifted(nw.col(utc_column), base, changes)


def with_local_micros(frame: Frame, utc_column: str, tz: str, out: str) -> Frame:
    """`frame` with column `out`: :func:`local_micros` of `utc_column`, without a pass to find it.

    Spark, DuckDB and Polars convert each instant by their own timezone rules (Java's, ICU's
    and chrono-tz's copies of the IANA database), so a lazy frame stays lazy; the others read
    the range of the values first and shift by the offsets Python's zoneinfo gives over it.
    """
    if is_utc(tz) or frame.implementation not in _LOCAL_TIME:
        return frame.with_columns(local_micros(frame, utc_column, tz).alias(out))
    zone = load_zone(tz, field="tz").key
    return nw.from_native(
        _LOCAL_TIME[frame.implementation](frame.to_native(), utc_column, zone, out)
    )


def _spark_local(native: Any, column: str, zone: str, out: str) -> Any:  # noqa: ANN401 - Spark's
    """Spark: wall-time microseconds in `zone`, by ``from_utc_timestamp``."""
    F = spark_functions()  # noqa: N806 - Spark's own convention
    instant = F.timestamp_micros(F.col(column).cast("long"))
    return native.withColumn(out, F.unix_micros(F.from_utc_timestamp(instant, zone)))


def _duckdb_local(native: Any, column: str, zone: str, out: str) -> Any:  # noqa: ANN401 - DuckDB's
    """DuckDB: wall-time microseconds in `zone`, by ``timezone`` (ICU)."""
    duckdb = importlib.import_module("duckdb")
    F, K = duckdb.FunctionExpression, duckdb.ConstantExpression  # noqa: N806
    instant = F("timezone", K("UTC"), F("make_timestamp", duckdb.ColumnExpression(column)))
    local = F("epoch_us", F("timezone", K(zone), instant)).alias(out)
    kept = duckdb.StarExpression(exclude=[out] if out in native.columns else [])
    return native.select(kept, local)


def _polars_local(native: Any, column: str, zone: str, out: str) -> Any:  # noqa: ANN401 - Polars'
    """Polars: wall-time microseconds in `zone`, by ``convert_time_zone`` (chrono-tz)."""
    pl = importlib.import_module("polars")
    instant = pl.from_epoch(pl.col(column), time_unit="us").dt.replace_time_zone("UTC")
    wall = instant.dt.convert_time_zone(zone).dt.replace_time_zone(None)
    return native.with_columns(wall.dt.epoch("us").alias(out))


#: The engines that read a local time by their own rules (:func:`with_local_micros`).
_LOCAL_TIME: Final[Mapping[Implementation, Callable[[Any, str, str, str], Any]]] = {
    Implementation.PYSPARK: _spark_local,
    Implementation.PYSPARK_CONNECT: _spark_local,
    Implementation.DUCKDB: _duckdb_local,
    Implementation.POLARS: _polars_local,
}


def with_naive_read(
    frame: Frame,
    columns: list[str],
    tz: str,
    bounds: Callable[[], tuple[int, int] | None],
) -> Frame:
    """`frame` with the wall-time microseconds in `columns` read in `tz`, now UTC microseconds.

    A wall time the clocks pass twice is read at its first instant, and one they skip at the
    offset before the change, as ``fold=0`` does. Spark reads each by its own timezone rules
    (:func:`_spark_utc`) and Polars by zoneinfo's offsets over each batch it reads
    (:func:`_polars_utc`), so a lazy frame stays lazy; the others shift by zoneinfo's offsets
    over `bounds()` (local micros; None when there is nothing to read).
    """
    if is_utc(tz):
        return frame
    if frame.implementation in _UTC_TIME:
        zone = load_zone(tz, field="tz").key
        return nw.from_native(_UTC_TIME[frame.implementation](frame.to_native(), columns, zone))
    found = bounds()
    if found is None:
        return frame
    return frame.with_columns(_naive_to_utc(nw.col(c), tz, found).alias(c) for c in columns)


def _spark_utc(native: Any, columns: list[str], zone: str) -> Any:  # noqa: ANN401 - Spark's
    """Spark: by ``to_utc_timestamp`` (Java's ``atZone``, which reads as ``fold=0`` does)."""
    F = spark_functions()  # noqa: N806 - Spark's own convention
    read = {
        c: F.unix_micros(F.to_utc_timestamp(F.timestamp_micros(F.col(c).cast("long")), zone))
        for c in columns
    }
    return native.withColumns(read)


def _polars_utc(native: Any, columns: list[str], zone: str) -> Any:  # noqa: ANN401 - Polars'
    """Polars: by zoneinfo's offsets over each batch's range, found as the batch is read.

    The offsets are those of :func:`_wall_offsets` over the whole 366-day spans the batch
    touches (so that batches share them), each value shifted by the one in force at it.
    `read` takes a series of wall-time micros; Polars calls it from its own threads, which
    coverage does not trace (the tests check its results).
    """
    pl = importlib.import_module("polars")

    def read(walls: Any) -> Any:  # noqa: ANN401  # pragma: no cover - in Polars' threads
        low, high = walls.min(), walls.max()
        if low is None:
            return walls
        starts, offsets = _wall_offsets(
            zone, low // _SPAN_US * _SPAN_US, (high // _SPAN_US + 1) * _SPAN_US
        )
        found = pl.Series(starts, dtype=pl.Int64).search_sorted(walls, side="right")
        return walls - pl.Series(offsets, dtype=pl.Int64).gather(found)

    expressions = (
        pl.col(c).map_batches(read, return_dtype=pl.Int64, is_elementwise=True) for c in columns
    )
    return native.with_columns(expressions)


#: The spans :func:`_polars_utc` finds offsets over: 366 days from the epoch.
_SPAN_US: Final = 366 * DAY_US


#: The engines that read a naive wall time by their own rules (:func:`with_naive_read`).
_UTC_TIME: Final[Mapping[Implementation, Callable[[Any, list[str], str], Any]]] = {
    Implementation.PYSPARK: _spark_utc,
    Implementation.PYSPARK_CONNECT: _spark_utc,
    Implementation.POLARS: _polars_utc,
}


def _naive_to_utc(value: nw.Expr, tz: str, bounds: tuple[int, int]) -> nw.Expr:
    """UTC micros of local wall-time micros in `tz`, as :func:`_wall_offsets` reads them."""
    starts, offsets = _wall_offsets(tz, *bounds)
    return value - (shifted(value, offsets[0], zip(starts, offsets[1:], strict=True)) - value)


@functools.lru_cache(maxsize=64)
def _wall_offsets(tz: str, first_us: int, last_us: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The UTC offsets of `tz` over the wall times `first_us` to `last_us` (local micros).

    Returns the wall times at which an offset comes into force, ascending, and the offsets:
    the one before the first of them, then one for each. An ambiguous wall time (clocks going
    back) is read with the earlier offset, and one in a gap (clocks going forward) with the
    offset before the gap, as ``fold=0`` does. Cached: batches and calls over the same wall
    times share them.
    """
    zone = load_zone(tz, field="tz")
    # Bounds are local: widen by a day either way to cover every offset.
    base, changes = transitions(zone, first_us - DAY_US, last_us + DAY_US)
    starts, offsets = [], [base]
    for at, offset in changes:
        starts.append(at + max(offsets[-1], offset))
        offsets.append(offset)
    return tuple(starts), tuple(offsets)


def collect(frame: Frame) -> nw.DataFrame[Any]:
    """An eager frame, computing a lazy one."""
    return frame.collect() if isinstance(frame, nw.LazyFrame) else frame


def civil(frame: Frame, days: str, prefix: str) -> Frame:
    """Add ``{prefix}y``, ``{prefix}m``, ``{prefix}d``: the calendar date of a day number.

    Howard Hinnant's ``civil_from_days``, in integer arithmetic every engine does alike.
    """
    col = nw.col
    z = f"{prefix}z"
    frame = frame.with_columns((col(days) + 719_468).alias(z))
    frame = frame.with_columns((col(z) // 146_097).alias(f"{prefix}era"))
    frame = frame.with_columns((col(z) - col(f"{prefix}era") * 146_097).alias(f"{prefix}doe"))
    doe = col(f"{prefix}doe")
    frame = frame.with_columns(
        ((doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365).alias(f"{prefix}yoe")
    )
    yoe = col(f"{prefix}yoe")
    frame = frame.with_columns((doe - (365 * yoe + yoe // 4 - yoe // 100)).alias(f"{prefix}doy"))
    doy = col(f"{prefix}doy")
    frame = frame.with_columns(((5 * doy + 2) // 153).alias(f"{prefix}mp"))
    mp = col(f"{prefix}mp")
    frame = frame.with_columns(
        (doy - (153 * mp + 2) // 5 + 1).alias(f"{prefix}d"),
        (mp + 3 - 12 * (mp >= 10).cast(nw.Int64)).alias(f"{prefix}m"),
    )
    frame = frame.with_columns(
        (yoe + col(f"{prefix}era") * 400 + (col(f"{prefix}m") <= 2).cast(nw.Int64)).alias(
            f"{prefix}y"
        )
    )
    return frame.drop(
        z, f"{prefix}era", f"{prefix}doe", f"{prefix}yoe", f"{prefix}doy", f"{prefix}mp"
    )


def days_from_civil(year: nw.Expr, month: int, day: int) -> nw.Expr:
    """The day number of a date (Hinnant's ``days_from_civil``) for a fixed month and day."""
    shift = 1 if month <= 2 else 0
    y = year - shift
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + (9 if month <= 2 else -3)) + 2) // 5 + day - 1
    return era * 146_097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719_468


def period_key(frame: Frame, local: str, every: str, out: str) -> Frame:
    """Add `out`, a monotonic integer key of the `every` period holding local micros `local`."""
    if every in ("month", "quarter", "year") and frame.implementation in _NATIVE_CALENDAR:
        # pandas holds a column with nulls as floats, which it cannot cast to datetimes.
        instant = nw.col(local).fill_null(0).cast(nw.Int64).cast(nw.Datetime("us"))
        year, month = instant.dt.year().cast(nw.Int64), instant.dt.month().cast(nw.Int64)
        key = _calendar_key(year, month, every)
        return frame.with_columns(nw.when(~nw.col(local).is_null()).then(key).alias(out))
    frame = frame.with_columns((nw.col(local) // DAY_US).alias(f"{out}_days"))
    days = nw.col(f"{out}_days")
    if every == "day":
        return frame.rename({f"{out}_days": out})
    if every == "week":  # day 0 (1970-01-01) was a Thursday: Monday of the week
        return frame.with_columns((days - (days + 3) % 7).alias(out)).drop(f"{out}_days")
    frame = civil(frame, f"{out}_days", f"{out}_")
    key = _calendar_key(nw.col(f"{out}_y"), nw.col(f"{out}_m"), every)
    return frame.with_columns(key.alias(out)).drop(
        f"{out}_days", f"{out}_y", f"{out}_m", f"{out}_d"
    )


def _calendar_key(year: Any, month: Any, every: str) -> Any:  # noqa: ANN401 - expressions or ints
    """The key of the month, quarter or year of a year and month: expressions, or integers."""
    return {
        "month": year * 12 + month - 1,
        "quarter": year * 4 + (month - 1) // 3,
        "year": year,
    }[every]


def python_key(day: date, every: str) -> int:
    """The key :func:`period_key` gives to a local date, computed in Python."""
    days = (day - date(1970, 1, 1)).days
    if every == "day":
        return days
    if every == "week":
        return days - (days + 3) % 7
    return int(_calendar_key(day.year, day.month, every))


def _text(value: nw.Expr) -> nw.Expr:
    return value.cast(nw.Int64).cast(nw.String)


def _two(value: nw.Expr) -> nw.Expr:
    return (
        nw.when(value < 10).then(nw.concat_str(nw.lit("0"), _text(value))).otherwise(_text(value))
    )


def period_label(frame: Frame, key: str, every: str, out: str) -> Frame:
    """Add `out`, the period's label (as :func:`majorincident.kpi.trend` writes it), from its key.

    A null key is the ``unreported`` period.
    """
    safe = f"{out}_key"
    frame = frame.with_columns(nw.col(key).fill_null(0).cast(nw.Int64).alias(safe))
    k = nw.col(safe)
    drop = [safe]
    if every in ("day", "week"):
        frame = frame.with_columns((k + 3 if every == "week" else k).alias(f"{out}_days"))
        frame = civil(frame, f"{out}_days", f"{out}_")
        y, m, d = nw.col(f"{out}_y"), nw.col(f"{out}_m"), nw.col(f"{out}_d")
        drop += [f"{out}_days", f"{out}_y", f"{out}_m", f"{out}_d"]
        if every == "day":
            label = nw.concat_str(_text(y), nw.lit("-"), _two(m), nw.lit("-"), _two(d))
        else:  # the Thursday's year is the ISO year; its week counts from that year's 1 January
            week = (nw.col(f"{out}_days") - days_from_civil(y, 1, 1)) // 7 + 1
            label = nw.concat_str(_text(y), nw.lit("-W"), _two(week))
    elif every == "month":
        label = nw.concat_str(_text(k // 12), nw.lit("-"), _two(k % 12 + 1))
    elif every == "quarter":
        label = nw.concat_str(_text(k // 4), nw.lit("-Q"), _text(k % 4 + 1))
    else:
        label = _text(k)
    frame = frame.with_columns(
        nw.when(nw.col(key).is_null()).then(nw.lit("unreported")).otherwise(label).alias(out)
    )
    return frame.drop(*drop)


def aggregate(frame: Frame, keys: list[str], specs: Mapping[str, Spec]) -> Frame:
    """Group by `keys` (null keys kept as a group) and aggregate: name -> (column, op, arg).

    Quantiles are exact and linear on every engine: PyArrow's grouped quantiles are estimates
    (t-digest) and Dask's are approximate, so those two take their own exact routes. Spark
    takes all the quantiles of a column in one ``percentile`` (one buffer per column, not one
    per quantile).

    On Spark, Polars and DuckDB (:data:`LISTED`) the op ``values`` gives a group's values as a
    sorted list, nulls left out: the list its quantiles are read from, not another.
    """
    route = _ROUTES.get(frame.implementation) or (
        _KEYED.get(frame.implementation) if keys else None
    )
    if route is not None:
        return route(frame, keys, specs)
    return portable_aggregate(frame, keys, specs)


def portable_aggregate(frame: Frame, keys: list[str], specs: Mapping[str, Spec]) -> Frame:
    """:func:`aggregate` in narwhals' expressions alone; median bounds by windows.

    The route of a whole pandas or PyArrow frame, and of an engine without its own (Modin,
    cuDF, ...).
    """
    frame, specs = _ranked(frame, keys, specs)
    exprs = {name: AGGREGATIONS[op](column, arg) for name, (column, op, arg) in specs.items()}
    if not keys:
        return frame.select(**exprs)
    return frame.group_by(*keys, drop_null_keys=False).agg(**exprs)


def _polars_aggregate(frame: Frame, keys: list[str], specs: Mapping[str, Spec]) -> Frame:
    """Group and aggregate in Polars; each column's order statistics from its sorted values.

    As on Spark and DuckDB, a column with quantiles or median bounds is gathered once per group
    and its list sorted; every quantile and bound is read off it. Polars' own grouped
    ``quantile`` gathers a group's values again for each quantile and a sort for each bound:
    from rows scattered over the frame, those gathers cost most of the aggregation.

    The lists and the other aggregations (counts, sums, extremes) are two groupings of one
    cached read of the frame, joined on the keys. In one grouping with the lists, Polars
    gathers every other column group by group as well, scattered like the lists' values: on
    5,000,000 rows that took 1.0 s where the two groupings take 0.7 s.
    """
    pl = frame.__native_namespace__()
    calls: dict[str, Callable[[Any], Any]] = {
        "count": lambda value: value.count(),
        "sum": lambda value: value.sum(),
        "mean": lambda value: value.mean(),
        "min": lambda value: value.min(),
        "max": lambda value: value.max(),
    }
    ordered = list(dict.fromkeys(c for c, op, _ in specs.values() if op not in calls))
    gathered = {f"__o_{c}": pl.col(c).drop_nulls() for c in ordered}
    plain = {name: calls[op](pl.col(c)) for name, (c, op, _) in specs.items() if op in calls}
    native = frame.to_native()
    if keys and gathered and plain:
        # A lazy frame read once for both (an eager one is in memory already).
        native = native.cache() if isinstance(native, pl.LazyFrame) else native
        grouped = native.group_by(*keys).agg(**gathered)
        grouped = grouped.join(
            native.group_by(*keys).agg(**plain), on=keys, how="left", **_nulls_equal(pl)
        )
    elif keys:
        grouped = native.group_by(*keys).agg(**gathered, **plain)
    else:
        whole = {name: value.implode() for name, value in gathered.items()}
        grouped = native.select(**whole, **plain)
    # Sorted as lists: each group's values lie together, where a sort in the grouping reads them
    # from all over the frame.
    grouped = grouped.with_columns(pl.col(name).list.sort() for name in gathered)
    math = EngineMath(
        sqrt=lambda e: e.sqrt(),
        floor=lambda e: e.floor(),
        least=pl.min_horizontal,
        when=lambda condition, value: pl.when(condition).then(value),
    )

    def picked(name: str, column: str, op: str, arg: float) -> Any:  # noqa: ANN401 - an expression
        if op in calls:
            return pl.col(name)
        values = pl.col(f"__o_{column}")
        if op == VALUES:
            return values.alias(name)
        element = lambda rank: values.list.get(rank.cast(pl.Int64) - 1, null_on_oob=True)  # noqa: E731
        return order_statistic(op, arg, values.list.len(), element, math).alias(name)

    picks = (picked(name, c, op, arg) for name, (c, op, arg) in specs.items())
    return nw.from_native(grouped.select(*keys, *picks))


def _nulls_equal(pl: Any) -> dict[str, bool]:  # noqa: ANN401 - polars' module
    """The keyword joining null keys to null keys: ``nulls_equal`` since Polars 1.24."""
    return {"nulls_equal" if _polars_since(pl, (1, 24)) else "join_nulls": True}


def _ranked(
    frame: Frame, keys: list[str], specs: Mapping[str, Spec]
) -> tuple[Frame, dict[str, Spec]]:
    """The frame with a column per median bound, the value at the bound's rank in its group.

    The bounds become maxima of those columns (one value per group, null elsewhere).
    """
    columns = []
    plain: dict[str, Spec] = {}
    for name, (column, op, arg) in specs.items():
        if op not in BOUNDS:
            plain[name] = (column, op, arg)
            continue
        value = nw.col(column)
        rank, count = value.rank("ordinal"), value.count()
        if keys:
            rank, count = rank.over(*keys), count.over(*keys)
        low = median_low_rank(count, arg, nw.Expr.sqrt, nw.Expr.floor)
        wanted = low if op == "median_low" else count + 1 - low
        columns.append(nw.when(rank == wanted).then(value).alias(f"__{name}"))
        plain[name] = (f"__{name}", "max", 0.0)
    return (frame.with_columns(columns) if columns else frame), plain


def quantile_levels(specs: Mapping[str, Spec]) -> dict[str, list[float]]:
    """Each column's quantile levels asked for, in the order first asked (no repeats)."""
    levels: dict[str, list[float]] = {}
    for column, op, arg in specs.values():
        if op == "quantile" and arg not in levels.setdefault(column, []):
            levels[column].append(arg)
    return levels


class EngineMath(NamedTuple):
    """An engine's own spelling of the arithmetic an order statistic takes."""

    sqrt: Callable[[Any], Any]
    floor: Callable[[Any], Any]
    least: Callable[[Any, Any], Any]
    #: (condition, value) -> the value where the condition holds, null elsewhere.
    when: Callable[[Any, Any], Any]


def order_statistic(
    op: str,
    arg: float,
    count: Any,  # noqa: ANN401 - an engine's column or expression
    element: Callable[[Any], Any],
    math: EngineMath,
) -> Any:  # noqa: ANN401 - of the count's kind
    """A quantile (linear, type 7) or a median bound of a group's `count` sorted values.

    `op` is ``quantile`` (of level `arg`) or one of :data:`BOUNDS` (at confidence `arg`).
    `element` reads the sorted values at a rank counted from 1, as ``kpi.stats.quantile``
    reads its list from 0. Null for an empty group, and for bounds a group too small for them.
    """
    if op == "quantile":
        position = (count - 1) * arg
        below = math.floor(position)
        low, high = element(below + 1), element(math.least(below + 2, count))
        return math.when(count > 0, low + (position - below) * (high - low))
    low_rank = median_low_rank(count, arg, math.sqrt, math.floor)
    return math.when(low_rank >= 1, element(low_rank if op == BOUNDS[0] else count + 1 - low_rank))


def _spark_aggregate(frame: Frame, keys: list[str], specs: Mapping[str, Spec]) -> Frame:
    """Group and aggregate on Spark; each column's order statistics from its sorted values.

    A column with quantiles or median bounds is collected once per group and sorted; its
    quantiles (linear, type 7) and bounds are read off that one array, so a group keeps one
    buffer per column, where ``percentile`` would keep its own beside the bounds' list.
    """
    F = spark_functions()  # noqa: N806 - Spark's own convention

    calls = {"count": F.count, "sum": F.sum, "mean": F.avg, "min": F.min, "max": F.max}
    ordered = list(dict.fromkeys(c for c, op, _ in specs.values() if op not in calls))
    parts = [
        *(F.array_sort(F.collect_list(F.col(c))).alias(f"__o_{c}") for c in ordered),
        *(
            calls[op](F.col(column)).alias(name)
            for name, (column, op, _) in specs.items()
            if op in calls
        ),
    ]
    native = frame.to_native()
    grouped = native.groupBy(*keys).agg(*parts) if keys else native.agg(*parts)

    math = EngineMath(F.sqrt, F.floor, F.least, F.when)

    def picked(name: str, column: str, op: str, arg: float) -> Any:  # noqa: ANN401 - a column
        if op in calls:
            return F.col(name)
        values = F.col(f"__o_{column}")
        if op == VALUES:
            return values.alias(name)
        # element_at refuses 0: the conditions keep it from an empty group or a missing rank.
        element = lambda rank: F.element_at(values, rank.cast("int"))  # noqa: E731
        return order_statistic(op, arg, F.size(values), element, math).alias(name)

    return nw.from_native(
        grouped.select(*keys, *(picked(name, c, op, arg) for name, (c, op, arg) in specs.items()))
    )


def _duckdb_aggregate(frame: Frame, keys: list[str], specs: Mapping[str, Spec]) -> Frame:
    """Group and aggregate on DuckDB; each column's order statistics from its sorted list.

    As on Spark, a column with quantiles or median bounds is gathered once per group into a
    sorted list (nulls last, after its count of values), and every quantile and bound is read
    off it: no window over the frame, one buffer per column.
    """
    duckdb = importlib.import_module("duckdb")
    C, K, F = duckdb.ColumnExpression, duckdb.ConstantExpression, duckdb.FunctionExpression  # noqa: N806
    whole = duckdb.sqltype("BIGINT")
    calls = {"count": "count", "sum": "sum", "mean": "avg", "min": "min", "max": "max"}
    ordered = list(dict.fromkeys(c for c, op, _ in specs.values() if op not in calls))
    parts = [
        *(C(key) for key in keys),
        *(
            F("list_sort", F("list", C(c)), K("ASC"), K("NULLS LAST")).alias(f"__o_{c}")
            for c in ordered
        ),
        *(F("count", C(c)).alias(f"__n_{c}") for c in ordered),
        *(F(calls[op], C(c)).alias(name) for name, (c, op, _) in specs.items() if op in calls),
    ]
    grouping = ", ".join('"' + key.replace('"', '""') + '"' for key in keys)
    grouped = frame.to_native().aggregate(parts, grouping)

    math = EngineMath(
        sqrt=lambda e: F("sqrt", e),
        floor=lambda e: F("floor", e),
        least=lambda a, b: F("least", a, b),
        when=duckdb.CaseExpression,
    )

    def picked(name: str, column: str, op: str, arg: float) -> Any:  # noqa: ANN401 - an expression
        if op in calls:
            return C(name)
        values = C(f"__o_{column}")
        if op == VALUES:  # (its nulls last, after its count of values)
            return F("list_slice", values, K(1), C(f"__n_{column}")).alias(name)
        element = lambda rank: F("list_extract", values, rank.cast(whole))  # noqa: E731
        return order_statistic(op, arg, C(f"__n_{column}"), element, math).alias(name)

    picks = (picked(name, c, op, arg) for name, (c, op, arg) in specs.items())
    return nw.from_native(grouped.select(*(C(key) for key in keys), *picks))


def _pandas_aggregate(frame: Frame, keys: list[str], specs: Mapping[str, Spec]) -> Frame:
    """Group and aggregate on pandas, asking each column for all its quantiles at once.

    pandas sorts a column's values once per call of ``quantile``: the median, p90 and p95 of a
    column in one call cost about what one of them does alone. Every call lists the groups in
    the same order (first appearance), which places each result.
    """
    grouped = frame.to_native().groupby(keys, dropna=False, sort=False, observed=True)
    result = grouped.size().index.to_frame(index=False)
    levels = quantile_levels(specs)
    quantiles = {
        (column, level): values
        for column, wanted in levels.items()
        for level, values in zip(
            wanted,
            grouped[column].quantile(wanted).to_numpy().reshape(-1, len(wanted)).T,
            strict=True,
        )
    }
    by_op: dict[str, list[str]] = {}
    for column, op, _ in specs.values():
        if op in AGGREGATIONS and op != "quantile" and column not in by_op.setdefault(op, []):
            by_op[op].append(column)
    # One call per operation over all its columns: pandas runs it over each block of columns.
    found = {op: getattr(grouped[columns], op)() for op, columns in by_op.items()}
    bounded = dict.fromkeys((column, arg) for column, op, arg in specs.values() if op in BOUNDS)
    bounds = {(column, arg): _pandas_bounds(grouped, column, arg) for column, arg in bounded}
    for name, (column, op, arg) in specs.items():
        if op in BOUNDS:
            result[name] = bounds[column, arg][BOUNDS.index(op)]
        else:
            result[name] = (
                quantiles[column, arg] if op == "quantile" else found[op][column].to_numpy()
            )
    return nw.from_native(result)


def _pandas_bounds(grouped: Any, column: str, confidence: float) -> tuple[Any, Any]:  # noqa: ANN401
    """Both median bounds of a column per group on pandas, in the groups' order.

    One sort of the column's values by group and value; each group's bounds are then read at
    its start plus the ranks, all in NumPy.
    """
    import numpy as np  # noqa: PLC0415 - pandas needs NumPy, and only pandas comes here

    codes = grouped.ngroup().to_numpy()
    values = grouped.obj[column].to_numpy(dtype="float64", na_value=np.nan)
    known = ~np.isnan(values)
    codes, values = codes[known], values[known]
    # By value, then stably by group: NumPy sorts small integers by radix, in linear time.
    by_value = np.argsort(values)
    small = np.int16 if grouped.ngroups <= np.iinfo(np.int16).max else np.int64
    ordered = values[by_value[np.argsort(codes[by_value].astype(small), kind="stable")]]
    counts = np.bincount(codes, minlength=grouped.ngroups)
    starts = np.cumsum(counts) - counts
    low = median_low_rank(counts, confidence, np.sqrt, np.floor).astype("int64")
    found = low >= 1
    last = max(len(ordered) - 1, 0)
    padded = ordered if len(ordered) else np.zeros(1)

    def at(offsets: Any) -> Any:  # noqa: ANN401 - NumPy arrays
        return np.where(found, padded[np.clip(starts + offsets, 0, last)], np.nan)

    return at(low - 1), at(counts - low)


def _arrow_aggregate(frame: nw.DataFrame[Any], keys: list[str], specs: Mapping[str, Spec]) -> Frame:
    """Group and aggregate on PyArrow, one group at a time (each whole, as if it had no keys)."""
    schema = frame.schema
    parts = [
        aggregate(part, [], specs).with_columns(
            nw.lit(value, dtype=schema[key]).alias(key)
            for key, value in zip(keys, group, strict=True)
        )
        for group, part in frame.group_by(*keys, drop_null_keys=False)
    ]
    if not parts:
        empty = aggregate(frame, [], specs).with_columns(
            nw.lit(None, dtype=schema[key]).alias(key) for key in keys
        )
        return empty.head(0).select(*keys, *specs)
    return nw.concat(parts, how="vertical").select(*keys, *specs)


#: How partial aggregates of each partition combine into the group's (the others need every
#: value of the group together).
_COMBINED: Final = {"count": "sum", "sum": "sum", "min": "min", "max": "max"}


def _dask_aggregate(frame: Frame, keys: list[str], specs: Mapping[str, Spec]) -> Frame:
    """Group and aggregate on Dask with pandas' exact statistics, moving as little as it can.

    Counts, sums, minima and maxima are taken per partition and combined (small tables);
    only the columns whose quantiles are asked for are shuffled, each group whole into one
    partition where pandas takes them as :func:`_pandas_aggregate` does. Without keys the one
    group is the whole frame.
    """
    by = keys or ["__all"]
    native = frame.to_native()
    if not keys:
        native = native.assign(__all=0)
    partial = {n: (c, op, a) for n, (c, op, a) in specs.items() if op in _COMBINED}
    ordered = {n: spec for n, spec in specs.items() if n not in partial}
    parts = by_partition(
        nw.from_native(native[[*by, *aggregated_columns(partial)]]),
        lambda part: aggregate(part, by, partial),
    ).to_native()
    combined = {name: (name, _COMBINED[op], 0.0) for name, (_, op, _) in partial.items()}
    table = by_partition(  # every group, even with nothing to add up
        nw.from_native(parts.repartition(npartitions=1)),
        lambda part: aggregate(part, by, combined),
    ).to_native()
    if ordered:
        shuffled = native[[*by, *aggregated_columns(ordered)]].shuffle(on=by)
        groups = by_partition(nw.from_native(shuffled), lambda part: aggregate(part, by, ordered))
        # One row per group on each side; null keys meet, as in pandas.
        table = table.merge(groups.to_native().repartition(npartitions=1), on=by, how="inner")
    return nw.from_native(table[[*keys, *specs]])


#: The engines whose own aggregation route every grouping takes.
_ROUTES: Final[Mapping[Implementation, Callable[[Frame, list[str], Mapping[str, Spec]], Frame]]] = {
    Implementation.DASK: _dask_aggregate,
    Implementation.PYSPARK: _spark_aggregate,
    Implementation.PYSPARK_CONNECT: _spark_aggregate,
    Implementation.POLARS: _polars_aggregate,
    Implementation.DUCKDB: _duckdb_aggregate,
}
#: The engines with their own route for a grouping by keys (a whole frame is one expression).
_KEYED: Final[Mapping[Implementation, Callable[[Frame, list[str], Mapping[str, Spec]], Frame]]] = {
    Implementation.PYARROW: _arrow_aggregate,
    Implementation.PANDAS: _pandas_aggregate,
}


def aggregated_columns(specs: Mapping[str, Spec]) -> list[str]:
    """The columns that `specs` aggregate, each once, in the order first named."""
    return list(dict.fromkeys(column for column, _, _ in specs.values()))


def dask_covered(frame: Frame, keys: list[str], first: int) -> Frame:
    """Add ``__covered`` on Dask: the union's running maximum, one shuffled group at a time."""
    import pandas as pd  # type: ignore[import-untyped]  # noqa: PLC0415 - Dask needs pandas

    # Group by copies of the keys: pandas leaves the grouping columns out of each group.
    native = frame.to_native()
    copies = {f"__by{index}": native[key] for index, key in enumerate(keys)} or {"__by": 0}
    native = native.assign(**copies)

    def one(group: pd.DataFrame) -> pd.DataFrame:
        group = group.drop(columns=list(copies), errors="ignore").sort_values(
            ["__lower", "__upper"]
        )
        before = group["__upper"].cummax().shift(1).fillna(first)
        start = group["__lower"].where(group["__lower"] > before, before)
        return group.assign(__covered=((group["__upper"] - start) / US).clip(lower=0))

    meta = native._meta.drop(columns=list(copies)).assign(  # noqa: SLF001
        __covered=pd.Series(dtype="float64")
    )
    grouped = native.groupby(list(copies), dropna=False, group_keys=False)
    return nw.from_native(grouped.apply(one, meta=meta))


def boolean(frame: Frame, value: bool | None) -> Any:  # noqa: ANN401 - a narwhals dtype
    """The dtype of a boolean literal; a null one on pandas and Dask is left open.

    NumPy's booleans have no null: there a null read as a boolean is False.
    """
    if value is None and frame.implementation in (Implementation.PANDAS, Implementation.DASK):
        return None
    return nw.Boolean


def finishes_in_plan(frame: Frame) -> bool:
    """Whether :func:`finished` works in `frame`'s plan: on Spark and a lazy Polars frame."""
    lazy_polars = frame.implementation is Implementation.POLARS and isinstance(frame, nw.LazyFrame)
    return frame.implementation in SPARK or lazy_polars


def finished(
    small: Frame,
    finish: Callable[[nw.DataFrame[Any]], Mapping[str, Any]],
    like: Frame,
    schema: Mapping[str, Any],
) -> object:
    """The columns `finish` makes of a small aggregate, as a native frame of `like`'s kind.

    On Dask, Spark and a lazy Polars frame `finish` runs when the caller computes the result,
    once, on the whole aggregate: in one task of Dask's graph, in one Python task of Spark's
    plan (``mapInArrow`` over the aggregate gathered into one row, so an empty one is finished
    too), in a ``map_batches`` of Polars' plan. On the other engines the aggregate is
    collected now.
    """
    implementation = small.implementation
    if finishes_in_plan(small):
        route = _spark_finished if implementation in SPARK else _polars_finished
        return route(small, finish, schema)
    if implementation is not Implementation.DASK:
        return native_like(like, finish(collect(small)), schema)
    native = small.to_native().repartition(npartitions=1)
    return native.map_partitions(
        lambda part: _pandas_table(finish(nw.from_native(part, eager_only=True)), schema),
        meta=_pandas_table({name: [] for name in schema}, schema),
    )


def _spark_finished(
    small: Frame,
    finish: Callable[[nw.DataFrame[Any]], Mapping[str, Any]],
    schema: Mapping[str, Any],
) -> object:
    """:func:`finished` on Spark: `finish` in one Python task, instants carried as micros."""
    F = spark_functions()  # noqa: N806 - Spark's own convention
    pa = importlib.import_module("pyarrow")
    names = list(small.columns)
    instants = [name for name, dtype in schema.items() if dtype == nw.Datetime]
    spelled = {nw.String: "string", nw.Int64: "bigint", nw.Float64: "double", nw.Boolean: "boolean"}
    out = ", ".join(
        f"`{name}` {'bigint' if name in instants else spelled[type(dtype)]}"
        for name, dtype in schema.items()
    )
    # A grouping with no keys gives one row, even of no rows: the whole aggregate in a list.
    gathered = small.to_native().agg(F.collect_list(F.struct(*names)).alias("rows"))

    # (Run by Spark's Python worker, which coverage does not follow; the engines tests check
    # the rows it makes.)
    def run(batches: Iterable[Any]) -> Iterable[Any]:  # pragma: no cover - in Spark's worker
        for batch in batches:
            for listed in batch.column(0).to_pylist():
                table = pa.table({name: [row[name] for row in listed] for name in names})
                data = dict(finish(nw.from_native(table, eager_only=True)))
                for name in instants:
                    data[name] = [micros(at) for at in data[name]]  # (never null)
                yield pa.RecordBatch.from_pydict(data)

    native = gathered.mapInArrow(run, out)
    return native.select(
        *(F.timestamp_micros(name).alias(name) if name in instants else name for name in schema)
    )


def _polars_finished(
    small: Frame,
    finish: Callable[[nw.DataFrame[Any]], Mapping[str, Any]],
    schema: Mapping[str, Any],
) -> object:
    """:func:`finished` on a lazy Polars frame: `finish` in its plan, on the whole aggregate."""

    def table(data: Mapping[str, Any]) -> Any:  # noqa: ANN401 - a Polars frame
        frame = nw.from_dict(dict(data), schema=dict(schema), backend=Implementation.POLARS)
        return frame.to_native()

    model = table({name: [] for name in schema}).schema
    return small.to_native().map_batches(
        lambda whole: table(finish(nw.from_native(whole, eager_only=True))), schema=model
    )


#: The engines that compute a union's every branch from its start: there a frame's rows are
#: repeated (:func:`repeated`) where the others stack selections of it.
REPLAYED: Final = SPARK | {Implementation.DUCKDB}


def repeated(frame: Frame, times: int) -> Frame:
    """Each row of a Spark or DuckDB frame `times` times, numbered 0, 1, ... in ``__n``.

    One pass over the frame (an ``explode`` on Spark, an ``unnest`` on DuckDB), where a union
    of `times` selections would compute the frame once per branch.
    """
    native = frame.to_native()
    numbers = list(range(times))
    if frame.implementation in SPARK:
        F = spark_functions()  # noqa: N806 - Spark's own convention
        every = F.explode(F.array(*(F.lit(n) for n in numbers))).alias("__n")
        return nw.from_native(native.select("*", every))
    duckdb = importlib.import_module("duckdb")
    every = duckdb.FunctionExpression("unnest", duckdb.ConstantExpression(numbers)).alias("__n")
    return nw.from_native(native.select(duckdb.StarExpression(), every))


def _pandas_table(data: Mapping[str, Any], schema: Mapping[str, Any]) -> Any:  # noqa: ANN401
    """A pandas frame of `data`; NumPy booleans cannot hold a null, pandas' "boolean" can."""
    flags = [name for name, dtype in schema.items() if dtype == nw.Boolean]
    loose = {name: nw.Object() if name in flags else dtype for name, dtype in schema.items()}
    table = nw.from_dict(dict(data), schema=loose, backend=Implementation.PANDAS)
    return table.to_native().astype(dict.fromkeys(flags, "boolean"))


def native_like(frame: Frame, data: Mapping[str, Any], schema: Mapping[str, Any]) -> object:
    """A native frame of the same kind as `frame`'s (eager or lazy) holding `data`."""
    implementation = frame.implementation  # (Dask's results are built in its graph: finished)
    if implementation is Implementation.PANDAS:
        return _pandas_table(data, schema)
    if isinstance(frame, nw.DataFrame):
        table = nw.from_dict(dict(data), schema=dict(schema), backend=implementation)
        return table.to_native()
    # A lazy frame here is DuckDB's (Spark's and Polars' finish in their plans).
    eager = nw.from_dict(dict(data), schema=dict(schema), backend=_eager_backend())  # type: ignore[arg-type]
    return eager.lazy(backend=implementation).to_native()


def _eager_backend() -> Implementation:
    from narwhals.dependencies import get_pandas, get_polars, get_pyarrow  # noqa: PLC0415

    candidates = (
        (get_polars, Implementation.POLARS),
        (get_pyarrow, Implementation.PYARROW),
        (get_pandas, Implementation.PANDAS),
    )
    chosen = next((impl for found, impl in candidates if found() is not None), None)
    if chosen is None:  # pragma: no cover - Dask, DuckDB and Spark bring one of them
        raise ConfigurationError(
            "building a lazy result needs Polars, PyArrow or pandas; install one of them"
        )
    return chosen
