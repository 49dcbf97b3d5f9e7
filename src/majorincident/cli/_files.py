"""Reading an export's bytes: gzip or not, lines of bounded length in an encoding, CSV or JSON.

Every refusal is a :class:`LoadError` naming the file and the line, ready to show.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import json
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from itertools import chain
from pathlib import Path
from typing import IO, Final, cast

__all__ = [
    "DELIMITERS",
    "LoadError",
    "checked_encoding",
    "csv_field_limit",
    "csv_rows",
    "is_json_lines",
    "json_rows",
    "numbered_lines",
    "open_export",
    "sniffed_delimiter",
]

#: The delimiters a CSV header is sniffed for: comma, semicolon (European spreadsheets), tab.
DELIMITERS: Final = ",;\t"
_GZIP: Final = b"\x1f\x8b"
_JSON_LINES: Final = frozenset({".jsonl", ".ndjson"})


class LoadError(Exception):
    """A file that cannot be read, with where: the message is ready to show."""


def is_json_lines(path: Path) -> bool:
    """Whether a file is JSON lines: a ``.jsonl`` or ``.ndjson`` suffix anywhere, in any case."""
    return any(suffix.lower() in _JSON_LINES for suffix in path.suffixes)


def open_export(path: Path) -> IO[bytes]:
    """The file's bytes, gunzipped when it starts with gzip's magic bytes (whatever its name)."""
    handle = path.open("rb")
    if handle.read(2) == _GZIP:
        handle.close()
        return cast("IO[bytes]", gzip.open(path))
    handle.seek(0)
    return handle


def checked_encoding(name: str) -> str:
    """A codec name checked: known, and writing ASCII as ASCII (so lines split on bytes)."""
    try:
        codec = codecs.lookup(name)
    except LookupError:
        raise LoadError(f"--encoding ({name!r}) is not an encoding Python knows") from None
    if "id,;\t\n".encode(codec.name, errors="replace") != b"id,;\t\n":
        raise LoadError(
            f"--encoding ({name!r}) does not write ASCII as ASCII; "
            "export the file as UTF-8 (UTF-16 and UTF-32 cannot be read line by line)"
        )
    return codec.name


def numbered_lines(
    handle: IO[bytes], name: str, limit: int, encoding: str = "utf-8"
) -> Iterator[tuple[int, str]]:
    """Each line as text, numbered from 1, none longer than `limit` bytes, all in `encoding`.

    Lines are read in bytes and decoded one by one, so that a bad byte is named by its line. A
    byte-order mark at the start of the file is dropped.
    """
    number = 0
    while True:
        number += 1
        try:
            line = handle.readline(limit + 1)
        except (EOFError, zlib.error, gzip.BadGzipFile) as error:
            raise LoadError(f"{name}:{number}: the compressed file is damaged ({error})") from None
        if not line:
            return
        if len(line) > limit:
            raise LoadError(
                f"{name}:{number}: the line is longer than {limit:,} bytes; "
                "raise the limit with --max-line-bytes if the export needs it"
            )
        try:
            text = line.decode(encoding)
        except UnicodeDecodeError as error:
            shown = "UTF-8" if encoding == "utf-8" else encoding
            raise LoadError(
                f"{name}:{number}: byte {error.start + 1}: not {shown} text "
                f"({line[error.start : error.start + 1]!r}); export the file as UTF-8 "
                "or name its --encoding"
            ) from None
        yield number, text.removeprefix("\ufeff") if number == 1 else text


def json_rows(
    lines: Iterable[tuple[int, str]], name: str
) -> Iterator[tuple[int, Mapping[str, object]]]:
    for number, line in lines:
        if not line.strip():
            continue
        try:
            row = json.loads(line.rstrip("\r\n"))
        except json.JSONDecodeError as error:
            raise LoadError(
                f"{name}:{number}: column {error.colno}: not valid JSON ({error.msg})"
            ) from None
        except (ValueError, RecursionError) as error:  # 5,000-digit integers, deep nesting
            reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
            raise LoadError(f"{name}:{number}: not a usable JSON object ({reason})") from None
        if not isinstance(row, dict):
            raise LoadError(f"{name}:{number}: column 1: expected a JSON object per line")
        yield number, row


def sniffed_delimiter(header: str) -> str:
    """The delimiter of a CSV header line: comma, semicolon or tab, whichever it splits on."""
    try:
        return csv.Sniffer().sniff(header, delimiters=DELIMITERS).delimiter
    except csv.Error:  # one column, or nothing to tell by: the standard comma
        return ","


def csv_rows(
    lines: Iterable[tuple[int, str]], name: str, check: Callable[[Collection[str]], None]
) -> Iterator[tuple[int, list[str]]]:
    """The rows of a CSV file as lists of values, after `check` has seen the header."""
    texts = (line for _, line in lines)
    first = next(texts, None)
    if first is None:
        raise LoadError(f"{name}: the file is empty; expected a header line")
    reader = csv.reader(chain([first], texts), delimiter=sniffed_delimiter(first), strict=True)
    try:
        header = next(reader)
        check(header)
        for values in reader:
            if not values:
                continue
            if len(values) != len(header):
                raise LoadError(
                    f"{name}:{reader.line_num}: column {min(len(values), len(header)) + 1}: "
                    f"{len(values)} fields where the header has {len(header)}"
                )
            yield reader.line_num, values
    except csv.Error as error:
        raise LoadError(f"{name}:{reader.line_num}: {error}") from None


@contextlib.contextmanager
def csv_field_limit(limit: int) -> Iterator[None]:
    """Cap CSV fields at `limit` characters while reading, as lines are capped."""
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)
