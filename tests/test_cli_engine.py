"""``majorincident report --engine``: Polars and the row-by-row reader give the same report.

The Polars engine reads a file only when it reads it exactly as the row-by-row reader does; any
other file is declined whole and read row by row. So the report, its errors and its exit code
are the same by either engine, whatever the file holds: that is what these tests check, on
clean files (read by Polars), on each form Polars must decline, and on random mixtures.
"""

from __future__ import annotations

import gzip
import importlib.util
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from majorincident import cli
from majorincident.cli import _fast, main
from majorincident.cli.load import NULLS, column_mapping
from majorincident.incident import Incident

BASE = datetime(2024, 1, 1, tzinfo=UTC)
#: For files where no row may be read: the report would otherwise speak for the clock's now.
AS_OF = ("--as-of", "2026-01-01T00:00Z")


def stamp(moment: datetime) -> str:
    """An instant as exports write it most often: ISO-8601 in whole seconds, UTC."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def clean_rows(count: int = 40) -> list[dict[str, str]]:
    """Incidents in the default layout, every value one both readers take."""
    rows = []
    for n in range(count):
        reported = BASE + timedelta(days=3 * n, minutes=7 * n)
        rows.append(
            {
                "id": f"INC{n:04d}",
                "title": "Checkout down" if n % 2 else "Slow search",
                "service": ("cdn", "dns", "web")[n % 3],
                "priority": ("P1", "P2", "P3", "P4", "P5")[n % 5],
                "major": "true" if n % 7 == 0 else "false",
                "kind": ("normal", "normal", "normal", "test", "drill")[n % 5],
                "channel": ("email", "phone", "monitoring")[n % 3],
                "started_at": stamp(reported - timedelta(minutes=9)),
                "detected_at": stamp(reported - timedelta(minutes=2)),
                "reported_at": stamp(reported),
                "acknowledged_at": "" if n % 11 == 5 else stamp(reported + timedelta(minutes=n)),
                "resolved_at": "" if n % 13 == 3 else stamp(reported + timedelta(hours=n + 1)),
                "closed_at": "" if n % 6 == 1 else stamp(reported + timedelta(days=2)),
            }
        )
    return rows


def write(path: Path, rows: list[dict[str, str]], *, delimiter: str = ",", end: str = "\n") -> Path:
    """The rows as a CSV file (their keys as the header), with the delimiter and line end."""
    header = list(rows[0])
    lines = [delimiter.join(header), *(delimiter.join(row[c] for c in header) for row in rows)]
    path.write_bytes((end.join(lines) + end).encode())
    return path


def both(
    path: Path, capsys: pytest.CaptureFixture[str], *options: str
) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    """What `report` exits with and prints by the automatic engine, and by the pure one."""
    found = []
    for engine in ("auto", "pure"):
        code = main(["report", str(path), "--engine", engine, *options])
        out, err = capsys.readouterr()
        found.append((code, out, err))
    return found[0], found[1]


def taken(path: Path) -> bool:
    """Whether the Polars engine reads the file (rather than declining it)."""
    return (
        _fast.read_frame(path, column_mapping(None, {}), nulls=NULLS, max_line_bytes=2**20)
        is not None
    )


class TestCleanFilesGoThroughPolars:
    @pytest.mark.parametrize("output", ["table", "markdown", "json"])
    @pytest.mark.parametrize("by", ["service", "priority", "month"])
    def test_the_same_report(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], output: str, by: str
    ) -> None:
        """Every figure, count and trend row, in each format and grouping."""
        path = write(tmp_path / "export.csv", clean_rows())
        assert taken(path)
        auto, pure = both(path, capsys, "--format", output, "--by", by)
        assert auto == pure
        assert auto[0] == 0

    def test_priorities_as_displayed(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """ServiceNow's display values group as the record's priorities."""
        rows = clean_rows()
        shown = ("1 - Critical", "2 - High", "P3", "4 - Low", "p5")
        for n, row in enumerate(rows):
            row["priority"] = shown[n % len(shown)]
        path = write(tmp_path / "export.csv", rows)
        assert taken(path)
        auto, pure = both(path, capsys, "--format", "json", "--by", "priority")
        assert auto == pure
        assert '"priority": "P1"' in auto[1]

    @pytest.mark.parametrize("field", ["impact", "urgency"])
    def test_levels_as_the_record_stores_them(self, tmp_path: Path, field: str) -> None:
        """Each level is held as the record stores it, whatever the spelling."""
        rows = clean_rows()
        spelt = ("1 - High", "2 - Medium", "3 - Low", "high", "Medium")
        for n, row in enumerate(rows):
            row[field] = spelt[n % len(spelt)]
        read = _fast.read_frame(
            write(tmp_path / "export.csv", rows),
            column_mapping(None, {}),
            nulls=NULLS,
            max_line_bytes=2**20,
        )
        assert read is not None
        expected = [getattr(Incident("-", **{field: row[field]}), field).value for row in rows]
        assert expected == read.frame.get_column(field).to_list()

    def test_the_frame_computes_it(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """On a clean file, the report comes from the frame, not from records."""
        path = write(tmp_path / "export.csv", clean_rows())
        calls: list[object] = []
        real = cli._report_frame
        monkeypatch.setattr(cli, "_report_frame", lambda *a: calls.append(a) or real(*a))
        assert main(["report", str(path), "--engine", "polars"]) == 0
        assert len(calls) == 1
        assert "40 rows read, 40 incidents" in capsys.readouterr().out

    @pytest.mark.parametrize(
        ("name", "delimiter", "end", "compress"),
        [
            ("semicolons.csv", ";", "\r\n", False),
            ("tabs.tsv", "\t", "\n", False),
            ("gzipped-without-suffix.csv", ",", "\n", True),
        ],
    )
    def test_dialects_and_gzip(
        self,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
        name: str,
        delimiter: str,
        end: str,
        compress: bool,
    ) -> None:
        """Semicolons with Windows line ends, tabs, and gzip recognised by its magic bytes."""
        path = write(tmp_path / name, clean_rows(), delimiter=delimiter, end=end)
        if compress:
            path.write_bytes(gzip.compress(path.read_bytes()))
        assert taken(path)
        auto, pure = both(path, capsys, "--format", "json")
        assert auto == pure

    def test_offsets_fractions_nulls_and_a_late_as_of(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Offsets and decimals take Polars' general parser; a null token; a later as-of."""
        rows = clean_rows()
        rows[0]["reported_at"] = "2024-01-01T01:59:59.250+02:00"
        rows[1]["acknowledged_at"] = "N/A"
        rows[2]["resolved_at"] = "2024-01-07T03:14:00.123456-00:30"
        path = write(tmp_path / "export.csv", rows)
        assert taken(path)
        auto, pure = both(path, capsys, "--format", "json", "--as-of", "2030-01-01T00:00Z")
        assert auto == pure

    def test_columns_renamed_and_fields_absent(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Only id and the report time: no metric, no group, no major; the same words."""
        rows = [{"number": r["id"], "opened": r["reported_at"]} for r in clean_rows()]
        path = write(tmp_path / "export.csv", rows)
        columns = ("--columns", "id=number,reported_at=opened")
        auto, pure = both(path, capsys, *columns)
        assert auto == pure
        assert "not in this data" in auto[1]


def _set(field: str, value: str, row: int = 3) -> Callable[[list[dict[str, str]]], None]:
    def change(rows: list[dict[str, str]]) -> None:
        rows[row][field] = value

    return change


#: Forms the Polars engine must decline, each changing one row or the file.
DECLINED: dict[str, Callable[[list[dict[str, str]]], None]] = {
    "blank id": _set("id", " "),
    "id of a separator character": _set("id", "\x1c"),
    "missing id": _set("id", ""),
    "blank service": _set("service", "\t"),
    "unknown priority": _set("priority", "urgent"),
    "unknown kind": _set("kind", "rehearsal"),
    "unknown channel": _set("channel", "pigeon"),
    "not a major flag": _set("major", "maybe"),
    "naive timestamp": _set("reported_at", "2024-01-10 09:00:00"),
    "day-first date": _set("reported_at", "10-01-2024 09:00"),
    "leap second": _set("resolved_at", "2024-06-30T23:59:60Z"),
    "hour 24": _set("resolved_at", "2024-06-30T24:00:00Z"),
    "single-digit month": _set("resolved_at", "2024-6-30T10:00:00Z"),
    "30 February": _set("resolved_at", "2024-02-30T10:00:00Z"),
    "before 1970": _set("started_at", "1969-12-31T23:00:00Z"),
    "seven decimals": _set("resolved_at", "2024-06-30T10:00:00.1234567Z"),
    "resolved before reported": _set("resolved_at", "2023-01-01T00:00:00Z"),
    "closed before resolved": _set("closed_at", "2024-01-13T01:00:00Z", row=4),
    "acknowledged before reported": _set("acknowledged_at", "2024-01-13T00:00:00Z", row=4),
}


class TestOtherFilesAreReadRowByRow:
    @pytest.mark.parametrize("case", DECLINED)
    @pytest.mark.parametrize("on_error", ["fail", "skip"])
    def test_declined_and_the_same_report(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, on_error: str
    ) -> None:
        """The file goes to the row-by-row reader: same refusal, line and exit code."""
        rows = clean_rows()
        DECLINED[case](rows)
        path = write(tmp_path / "export.csv", rows)
        assert not taken(path)
        auto, pure = both(path, capsys, "--format", "json", "--on-error", on_error)
        assert auto == pure

    @pytest.mark.parametrize(
        "damage",
        [
            pytest.param(lambda b: b"\xef\xbb\xbf" + b, id="byte-order mark"),
            pytest.param(lambda b: b.replace(b"Slow search", b'"Slow, search"', 1), id="quotes"),
            pytest.param(lambda b: b.replace(b"Slow search", b"Slow\rsearch", 1), id="bare CR"),
            pytest.param(lambda b: b.replace(b"Slow search", b"Slow\x00search", 1), id="NUL"),
            pytest.param(lambda b: b.replace(b"\n", b"\n\n", 3), id="blank lines"),
            pytest.param(lambda b: b.replace(b",P1,", b",", 1), id="a short line"),
            pytest.param(lambda b: b.replace(b",P1,", b",P1,,", 1), id="a long line"),
            pytest.param(lambda b: b.replace(b"Slow search", b"Caf\xe9", 1), id="not UTF-8"),
            pytest.param(lambda b: b.split(b"\n", 1)[0] + b"\n", id="header only"),
            pytest.param(lambda b: b"\n" + b, id="empty header"),
        ],
    )
    def test_damaged_files(
        self,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
        damage: Callable[[bytes], bytes],
    ) -> None:
        """Where CSV readers differ, or the file cannot be read: the row-by-row reader's."""
        path = write(tmp_path / "export.csv", clean_rows())
        path.write_bytes(damage(path.read_bytes()))
        assert not taken(path)
        auto, pure = both(path, capsys, "--format", "json", "--on-error", "skip", *AS_OF)
        assert auto == pure

    def test_an_overlong_line(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A line over --max-line-bytes is refused by name, whichever engine was asked for."""
        path = write(tmp_path / "export.csv", clean_rows())
        auto, pure = both(path, capsys, "--max-line-bytes", "150")
        assert auto == pure
        assert auto[0] == 2
        assert "longer than 150 bytes" in auto[2]

    @pytest.mark.parametrize(
        "options",
        [
            ("--date-format", "%Y-%m-%dT%H:%M:%SZ", "--assume-tz", "UTC"),
            ("--assume-tz", "Europe/Paris"),
            ("--encoding", "latin-1"),
            ("--preset", "servicenow"),
        ],
    )
    def test_options_of_the_row_by_row_reader(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], options: tuple[str, ...]
    ) -> None:
        """A date format, an assumed zone, another encoding, a preset's column names."""
        path = write(tmp_path / "export.csv", clean_rows())
        auto, pure = both(path, capsys, "--format", "json", *options)
        assert auto == pure

    def test_json_lines(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """JSON lines are read row by row."""
        path = tmp_path / "export.jsonl"
        path.write_text("\n".join(str(row).replace("'", '"') for row in clean_rows()) + "\n")
        auto, pure = both(path, capsys, "--format", "json")
        assert auto == pure
        assert auto[0] == 0


def test_polars_engine_without_polars(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--engine polars says what is missing; auto goes row by row without a word."""
    path = write(tmp_path / "export.csv", clean_rows())
    real = importlib.util.find_spec
    monkeypatch.setattr(cli, "find_spec", lambda name: None if name == "polars" else real(name))
    assert main(["report", str(path), "--engine", "polars"]) == 2
    assert "--engine polars needs Polars: pip install polars" in capsys.readouterr().err
    assert main(["report", str(path)]) == 0
    assert "40 incidents" in capsys.readouterr().out


#: Values both readers take, mostly, and values one of them must refuse or read otherwise.
VALUES: dict[str, Any] = {
    "id": st.sampled_from(["INC1"] * 40 + [" ", "", "NULL"]),
    "service": st.sampled_from(["cdn", "dns", "", "?"] * 10 + [" "]),
    "priority": st.sampled_from(["P1", "P3", "1 - Critical", "4 - Low", ""] * 8 + ["urgent"]),
    "major": st.sampled_from(["true", "false", "TRUE", "accepted", ""] * 8 + ["maybe"]),
    "kind": st.sampled_from(["normal", "test", "drill", ""] * 10 + ["bogus"]),
}
SHIFTS = st.sampled_from([None, 0, 1, 45, 600, 5000] * 8 + [-90])
FORMS = st.sampled_from(
    ["%Y-%m-%dT%H:%M:%SZ"] * 40 + ["%Y-%m-%dT%H:%M:%S.250+01:00", "N/A"] * 4 + ["%Y-%m-%d %H:%M:%S"]
)


@st.composite
def exports(draw: st.DrawFn) -> list[dict[str, str]]:
    """A few rows with values of every kind, milestones mostly in order."""
    rows = []
    for n in range(draw(st.integers(min_value=1, max_value=5))):
        reported = BASE + timedelta(hours=draw(st.integers(min_value=0, max_value=24 * 400)))
        row = {field: draw(values) for field, values in VALUES.items()}
        row["id"] = row["id"] and f"{row['id']}-{n}"
        for field in ("reported_at", "acknowledged_at", "resolved_at", "closed_at"):
            shift = 0 if field == "reported_at" else draw(SHIFTS)
            form = draw(FORMS)
            moment = reported + timedelta(minutes=shift or 0)
            row[field] = (
                "" if shift is None else ("N/A" if form == "N/A" else moment.strftime(form))
            )
        rows.append(row)
    return rows


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(exports(), st.sampled_from(["fail", "skip"]), st.sampled_from(["service", "month"]))
def test_either_engine_gives_the_same_report(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    rows: list[dict[str, str]],
    on_error: str,
    by: str,
) -> None:
    """Whatever a file holds, the report, its refusals and its exit code do not depend on it."""
    path = write(tmp_path / "export.csv", rows)
    event("read by Polars" if taken(path) else "declined")
    options = ("--format", "json", "--on-error", on_error, "--by", by)
    auto, pure = both(path, capsys, *options, *AS_OF)
    assert auto == pure
