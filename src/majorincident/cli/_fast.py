"""``majorincident report`` on Polars: a CSV export read whole, its KPIs computed on the frame.

The Polars engine reads a file only where it reads it exactly as the row-by-row reader would,
and otherwise declines (returns None), so that the row-by-row reader reads it and names any bad
row's line as before. It takes a CSV file in UTF-8, its delimiter sniffed from the header as the
row-by-row reader does, without quotes, a byte-order mark or an overlong line; timestamps in
ISO-8601 with ``Z`` or an offset, read without --date-format or --assume-tz; and every value
one the record would take: ids and other names not blank, levels, kinds, channels and major
flags checked once per distinct value by the record's own conversions, milestones in the order
the record keeps. A file with any other value, of any row, is declined whole: a report never
mixes the two readers.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import attrs

from majorincident._frozen import FrozenDict
from majorincident.cli._build import major_flag
from majorincident.cli._files import is_json_lines, open_export, sniffed_delimiter
from majorincident.errors import MajorIncidentError
from majorincident.incident import EXCLUDED_KINDS, ORDER_RULES, Incident, Milestone

__all__ = ["ENGINES", "Read", "frame_counts", "read_frame"]

#: The engines ``report`` computes with: ``auto`` takes Polars when it is installed and the
#: file is one it reads exactly, the row-by-row reader otherwise.
ENGINES: Final = ("auto", "pure", "polars")
_UTF8_BOM: Final = b"\xef\xbb\xbf"
#: ISO-8601 with seconds, up to six decimals and an offset: what both readers read alike.
_ISO: Final = (
    r"^\d{4}-\d{2}-\d{2}T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?"
    r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$"
)
#: The common shape of the above, in whole seconds and UTC: parsed by Polars' quickest route.
_ISO_Z: Final = r"^\d{4}-\d{2}-\d{2}T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\dZ$"
#: The instants a record takes (see :func:`majorincident.clock.utc`).
_EARLIEST: Final = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST: Final = datetime(9999, 12, 30, tzinfo=UTC)
#: Text that must not be blank: the id always, the others when given (as the record reads them).
_NAMES: Final = ("id", "service", "problem_id", "change_id", "parent_id")
#: Fields with few values, each converted once through the record; the frame holds the values
#: as the record stores them (an enumeration's value).
_CONVERTED: Final = ("channel", "impact", "urgency", "priority", "kind")
#: Blank as Python's ``str.strip`` sees it: Unicode white space and the separators 0x1C-0x1F.
_BLANK: Final = r"^[\s\x1c-\x1f]*$"
#: What the report's frame holds for a grouping field the file does not give.
_ABSENT: Final = {"service": None, "priority": None, "major": False, "kind": "normal"}


@attrs.frozen
class Read:
    """A CSV export read by Polars.

    Attributes:
        frame: a Polars DataFrame with one column per field, named as the record names it:
            milestones as UTC datetimes, levels, kinds and channels as the record stores them,
            ``major`` as booleans; the grouping fields the file lacks hold the record's default.
        rows: the data rows read.
        columns: field -> the file's column, for the fields the file has.
        latest: the latest instant of any milestone, None when there is none.
    """

    frame: Any
    rows: int
    columns: Mapping[str, str] = attrs.field(converter=FrozenDict)
    latest: datetime | None


def read_frame(
    path: Path,
    mapping: Mapping[str, str],
    *,
    nulls: Collection[str],
    max_line_bytes: int,
) -> Read | None:
    """The export as a frame, or None when the row-by-row reader must read it.

    Args:
        path: the file (gzipped or not).
        mapping: field -> column, the preset's and --columns' mapping.
        nulls: the values that stand for missing, besides the empty field.
        max_line_bytes: the longest line the row-by-row reader accepts.
    """
    import polars as pl  # noqa: PLC0415 - only this engine needs it

    if is_json_lines(path):
        return None
    try:
        with open_export(path) as handle:
            data = handle.read()
    except (EOFError, zlib.error, gzip.BadGzipFile):  # damaged: the other reader names where
        return None
    first = data[: data.find(b"\n")] if b"\n" in data else data  # (split copies the rest)
    # Quotes, a bare carriage return or a NUL byte are where CSV readers differ: the row-by-row
    # reader takes those files.
    if (
        not first.strip()
        or data.startswith(_UTF8_BOM)
        or b'"' in data
        or b"\x00" in data
        or (b"\r" in data and data.count(b"\r") != data.count(b"\r\n"))
    ):
        return None
    try:
        delimiter = sniffed_delimiter(first.decode())
        raw = pl.read_csv(
            data,
            separator=delimiter,
            infer_schema=False,
            null_values=sorted(set(nulls) - {""}) or None,
            quote_char=None,
        )
    except (pl.exceptions.PolarsError, UnicodeDecodeError):
        return None
    # Without quotes, every line holds as many delimiters as the header: none short or blank.
    if data.count(delimiter.encode()) != (raw.width - 1) * (raw.height + 1):
        return None
    del data
    longest_null = max(map(len, nulls), default=0)
    return _checked(raw, mapping, longest_null, max_line_bytes)


def _checked(
    raw: Any,  # noqa: ANN401 - a Polars DataFrame of text
    mapping: Mapping[str, str],
    longest_null: int,
    max_line_bytes: int,
) -> Read | None:
    """The frame of a file's text, when every value is one the record takes."""
    import polars as pl  # noqa: PLC0415 - only this engine needs it

    header = raw.columns
    present = {field: column for field, column in mapping.items() if column in header}
    if "id" not in present or "reported_at" not in present or raw.height == 0:
        return None
    # Each line's length: its values, delimiters and end (a missing value counted as the
    # longest null token, so that no line the other reader refuses is taken).
    length = pl.sum_horizontal(pl.col(c).str.len_bytes().fill_null(longest_null) for c in header)
    if raw.select(length.max()).item() + len(header) + 1 >= max_line_bytes:
        return None
    fields = raw.select(pl.col(column).alias(field) for field, column in present.items())
    checks = [pl.col("id").is_null().any()]
    checks += [pl.col(f).str.contains(_BLANK).any() for f in _NAMES if f in present]
    stamps = [m.field for m in Milestone if m.field in present]
    quick = [(pl.col(f).is_not_null() & ~pl.col(f).str.contains(_ISO_Z)).any() for f in stamps]
    found = _answers(fields, [*checks, *quick])
    slow = [f for f, other in zip(stamps, found[len(checks) :], strict=True) if other]
    unlike = [(pl.col(f).is_not_null() & ~pl.col(f).str.contains(_ISO)).any() for f in slow]
    if any(found[: len(checks)]) or (slow and any(_answers(fields, unlike))):
        return None
    try:
        converted = {
            f: _converted(f, fields.get_column(f).unique().drop_nulls().to_list())
            for f in (*_CONVERTED, "major")
            if f in present
        }
    except (MajorIncidentError, ValueError, TypeError):
        return None
    frame = fields.with_columns(
        *(
            pl.col(f).str.to_datetime(
                "%Y-%m-%dT%H:%M:%S%.f%#z" if f in slow else "%Y-%m-%dT%H:%M:%SZ",
                time_zone="UTC",
                time_unit="us",
                strict=False,
            )
            for f in stamps
        ),
        *(
            # (cast too: with no value to replace, Polars leaves the column's type as it is)
            pl.col(f).replace_strict(table).cast(pl.Boolean if f == "major" else pl.String)
            for f, table in converted.items()
            # (most exports hold levels and kinds as the record stores them: left as they are)
            if f == "major" or any(key != value for key, value in table.items())
        ),
        *(pl.lit(value).alias(f) for f, value in _ABSENT.items() if f not in present),
    )
    return _ordered(frame, fields, stamps, present)


def _ordered(
    frame: Any,  # noqa: ANN401 - a Polars DataFrame
    text: Any,  # noqa: ANN401 - the same, before conversion
    stamps: list[str],
    present: dict[str, str],
) -> Read | None:
    """The Read, when each timestamp parsed, in range, and the milestones in order."""
    import polars as pl  # noqa: PLC0415 - only this engine needs it

    unread = [(pl.col(f).is_null() & text.get_column(f).is_not_null()).any() for f in stamps]
    outside = [((pl.col(f) < _EARLIEST) | (pl.col(f) > _LATEST)).any() for f in stamps]
    backwards = [
        (pl.col(later.field) < pl.col(earlier.field)).any()
        for earlier, later in ORDER_RULES
        if earlier.field in stamps and later.field in stamps
    ]
    checks = _answers(frame, [*unread, *outside, *backwards, pl.max_horizontal(stamps).max()])
    if any(checks[:-1]):
        return None
    latest = checks[-1]
    return Read(frame, frame.height, present, None if latest is None else latest.astimezone(UTC))


def _answers(frame: Any, questions: list[Any]) -> tuple[Any, ...]:  # noqa: ANN401 - Polars
    """The one-value answers to several questions about a frame, in one pass."""
    return tuple(frame.select(q.alias(f"a{n}") for n, q in enumerate(questions)).row(0))


def _converted(field: str, values: list[str]) -> dict[str, object]:
    """Each distinct value of a field as the record stores it; raises as the record does."""
    if field == "major":
        return {value: major_flag(value) for value in values}
    table: dict[str, object] = {}
    for value in values:
        given: dict[str, Any] = {field: value}
        stored = getattr(Incident("-", **given), field)
        table[value] = getattr(stored, "value", stored)
    return table


def frame_counts(read: Read, as_of: datetime) -> dict[str, int]:
    """The report's counts of a frame, as :func:`~majorincident.cli._output.counted` gives them.

    Open means reported by `as_of` and neither resolved nor closed by then.
    """
    import polars as pl  # noqa: PLC0415 - only this engine needs it

    frame = read.frame

    def by_then(field: str) -> Any:  # noqa: ANN401 - a Polars expression
        if field not in frame.columns:
            return pl.lit(value=False)
        return (pl.col(field) <= as_of).fill_null(value=False)

    major, still_open, tests = _answers(
        frame,
        [
            pl.col("major").fill_null(value=False).sum(),
            (by_then("reported_at") & ~by_then("resolved_at") & ~by_then("closed_at")).sum(),
            pl.col("kind").is_in(sorted(kind.value for kind in EXCLUDED_KINDS)).sum(),
        ],
    )
    return {
        "rows": read.rows,
        "incidents": read.rows,
        "skipped": 0,
        "major": major,
        "open": still_open,
        "tests_and_drills": tests,
        "facts_left_out": 0,
    }
