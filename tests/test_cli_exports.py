"""Reading exports as real tools write them: dialects, encodings, nulls, dates, bad rows.

The shapes are those of a ServiceNow export as a spreadsheet saves it (semicolons, a BOM,
``?`` for missing values, day-first dates without an offset) and of exports renamed or
compressed on the way.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from majorincident.cli import main
from majorincident.cli.load import Loaded, LoadError, Refusal, load_incidents, read_incidents
from majorincident.errors import MajorIncidentError
from majorincident.incident import ORDER_RULES, Incident, Milestone
from majorincident.interop import LeftOut, from_event_log

SERVICENOW = [
    (
        "number;opened_at;sys_created_on;resolved_at;closed_at;priority;impact;urgency;"
        "u_major;promoted_on;business_service"
    ),
    (
        "INC001;02-01-2024 09:00;02-01-2024 09:00;02-01-2024 10:30;03-01-2024 09:00;"
        "1 - Critical;1 - High;1 - High;TRUE;02-01-2024 09:05;cdn"
    ),
    (
        "INC002;13-01-2024 14:00;13-01-2024 14:00;?;14-01-2024 09:00;3 - Moderate;2 - Medium;"
        "3 - Low;FALSE;?;dns"
    ),
    "INC003;20-01-2024 08:00;20-01-2024 08:00;?;?;4 - Low;3 - Low;3 - Low;FALSE;?;dns",
]
DAY_FIRST = "%d-%m-%Y %H:%M"


def write(path: Path, lines: list[str], *, encoding: str = "utf-8", bom: bool = False) -> Path:
    """The lines as a file, with Windows line ends, in `encoding`, with a BOM if asked."""
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def servicenow(path: Path, **options: object) -> list[object]:
    """The incidents of the ServiceNow-shaped export, read with its date format and nulls."""
    return read_incidents(  # type: ignore[arg-type]
        path,
        preset="servicenow",
        columns={"major": "u_major"},
        assume_tz="UTC",
        date_format=DAY_FIRST,
        nulls={"?"},
        **options,
    )


class TestServiceNowAsASpreadsheetSavesIt:
    def test_semicolons_bom_nulls_and_day_first_dates(self, tmp_path: Path) -> None:
        """Every value lands where it belongs; ``?`` is missing, dates are day first."""
        path = write(tmp_path / "export.csv", SERVICENOW, bom=True)
        first, second, third = servicenow(path)

        assert first.id == "INC001"  # type: ignore[attr-defined]
        assert first.reported_at == datetime(2024, 1, 2, 9, tzinfo=UTC)  # type: ignore[attr-defined]
        assert first.major  # type: ignore[attr-defined]
        assert first.priority.name == "P1"  # type: ignore[attr-defined]
        assert second.resolved_at is None  # type: ignore[attr-defined]
        assert second.closed_at == datetime(2024, 1, 14, 9, tzinfo=UTC)  # type: ignore[attr-defined]
        assert third.is_open  # type: ignore[attr-defined]

    def test_the_day_is_never_guessed(self, tmp_path: Path) -> None:
        """Without --date-format, 02-01-2024 is refused, not read as either day."""
        path = write(tmp_path / "export.csv", SERVICENOW)
        with pytest.raises(LoadError, match=r"export\.csv:2: column 'opened_at': reported_at"):
            read_incidents(path, preset="servicenow", assume_tz="UTC", nulls={"?"})

    def test_a_date_off_the_format_names_the_line_and_format(self, tmp_path: Path) -> None:
        """A timestamp that does not match the format is named with its line and the format."""
        lines = [*SERVICENOW[:2], SERVICENOW[2].replace("13-01-2024 14:00", "2024-01-13", 1)]
        path = write(tmp_path / "export.csv", lines)
        with pytest.raises(
            LoadError,
            match=r"^.*export\.csv:3: column 'opened_at': reported_at \('2024-01-13'\) does not "
            r"match the date format '%d-%m-%Y %H:%M'$",
        ):
            servicenow(path)

    @pytest.mark.parametrize("delimiter", [",", ";", "\t"])
    def test_the_delimiter_is_read_off_the_header(self, tmp_path: Path, delimiter: str) -> None:
        """Comma, semicolon and tab exports read the same."""
        lines = [line.replace(";", delimiter) for line in SERVICENOW]
        path = write(tmp_path / "export.csv", lines)
        assert ["INC001", "INC002", "INC003"] == [i.id for i in servicenow(path)]  # type: ignore[attr-defined]

    def test_a_latin_1_export_with_its_encoding(self, tmp_path: Path) -> None:
        """A Windows-1252 export reads with --encoding; without it, the bad byte's line."""
        lines = [SERVICENOW[0], SERVICENOW[1].replace(";cdn", ";café")]
        path = write(tmp_path / "export.csv", lines, encoding="cp1252")
        assert "café" == servicenow(path, encoding="cp1252")[0].service  # type: ignore[attr-defined]
        with pytest.raises(LoadError, match=r"export\.csv:2: byte \d+: not UTF-8 text"):
            servicenow(path)

    @pytest.mark.parametrize(("name", "reason"), [("nope", "not an encoding"), ("utf-16", "ASCII")])
    def test_unusable_encodings(self, tmp_path: Path, name: str, reason: str) -> None:
        """An unknown encoding, or one whose lines cannot be split on bytes, is refused."""
        path = write(tmp_path / "export.csv", SERVICENOW)
        with pytest.raises(LoadError, match=rf"^--encoding \('{name}'\) .*{reason}"):
            servicenow(path, encoding=name)


class TestFilesRenamedOnTheWay:
    def test_gzip_without_its_suffix(self, tmp_path: Path) -> None:
        """A gzipped export is recognised by its first bytes, not its name."""
        path = tmp_path / "export.csv"
        path.write_bytes(gzip.compress(("\n".join(SERVICENOW) + "\n").encode()))
        assert 3 == len(servicenow(path))

    @pytest.mark.parametrize("name", ["incidents.2024-01.jsonl", "UPPER.JSONL", "x.ndjson.gz"])
    def test_json_lines_by_any_suffix(self, tmp_path: Path, name: str) -> None:
        """A .jsonl or .ndjson suffix anywhere in the name, in any case, means JSON lines."""
        text = json.dumps({"id": "INC1", "reported_at": "2024-01-01T00:00Z"}) + "\n"
        path = tmp_path / name
        path.write_bytes(gzip.compress(text.encode()) if name.endswith(".gz") else text.encode())
        assert ["INC1"] == [i.id for i in read_incidents(path)]


class TestColumns:
    def test_every_column_named_must_exist(self, tmp_path: Path) -> None:
        """--columns acknowledged_at=nonexistent is refused, listing the columns there are."""
        path = write(tmp_path / "export.csv", ["id,reported_at", "INC1,2024-01-01T00:00Z"])
        with pytest.raises(
            LoadError,
            match=r"missing column 'nope' \(for the field acknowledged_at\); the file has "
            r"'id', 'reported_at'",
        ):
            read_incidents(path, columns={"acknowledged_at": "nope"})

    def test_a_header_only_file_matching_nothing(self, tmp_path: Path) -> None:
        """A header without the id and report columns is refused even with no rows."""
        path = write(tmp_path / "export.csv", ["a,b"])
        with pytest.raises(LoadError, match=r"missing columns 'id' .*'reported_at'"):
            read_incidents(path)
        assert [] == read_incidents(write(tmp_path / "ok.csv", ["id,reported_at"]))


class TestBadRows:
    LINES = (
        "id,reported_at,resolved_at",
        "INC1,2024-01-01T00:00Z,2024-01-01T01:00Z",
        "INC2,yesterday,",
        "INC3,2024-01-02T00:00Z,soon",
        "INC4,2024-01-03T00:00Z,",
    )

    def test_collected_with_their_lines_and_reasons(self, tmp_path: Path) -> None:
        """errors="collect" keeps the good rows and says which rows were left out and why."""
        loaded = load_incidents(write(tmp_path / "export.csv", list(self.LINES)), errors="collect")

        assert ["INC1", "INC4"] == [incident.id for incident in loaded.incidents]
        assert 4 == loaded.rows
        assert [3, 4] == [refusal.line for refusal in loaded.refused]
        assert loaded.refused[0] == Refusal(
            3,
            "column 'reported_at': reported_at ('yesterday') is not an ISO-8601 timestamp; "
            "expected e.g. '2024-01-01T09:00:00+00:00'",
        )
        assert "resolved_at" in loaded.refused[1].reason

    def test_raised_by_default(self, tmp_path: Path) -> None:
        """The first bad row stops the load, naming file, line and column."""
        with pytest.raises(LoadError, match=r"export\.csv:3: column 'reported_at':"):
            load_incidents(write(tmp_path / "export.csv", list(self.LINES)))
        with pytest.raises(LoadError, match=r"^errors \('ignore'\) must be 'raise' or 'collect'"):
            load_incidents(tmp_path / "export.csv", errors="ignore")  # type: ignore[arg-type]

    def test_the_report_counts_and_shows_them(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--on-error skip: the header and the JSON give rows read, built and skipped."""
        path = write(tmp_path / "export.csv", list(self.LINES))
        assert 0 == main(["report", str(path), "--on-error", "skip", "--format", "json"])
        data = json.loads(capsys.readouterr().out)
        assert {"rows": 4, "incidents": 2, "skipped": 2} == {
            key: data["counts"][key] for key in ("rows", "incidents", "skipped")
        }
        assert [3, 4] == [row["line"] for row in data["skipped"]]

        assert 0 == main(["report", str(path), "--on-error", "skip"])
        text = capsys.readouterr().out
        assert text.startswith("Incidents: 4 rows read, 2 incidents, 2 rows skipped,")
        assert "  line 3: column 'reported_at': reported_at ('yesterday')" in text
        assert 2 == main(["report", str(path)])
        assert "export.csv:3: column 'reported_at'" in capsys.readouterr().err

    def test_only_the_first_five_reasons_are_shown(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Many bad rows: five reasons and how many more."""
        lines = ["id,reported_at", *(f"INC{n},bad" for n in range(8))]
        assert 0 == main(["report", str(write(tmp_path / "e.csv", lines)), "--on-error", "skip"])
        text = capsys.readouterr().out
        assert 5 == text.count("  line ")
        assert "  and 3 more" in text


class TestOpenMeansOpen:
    def test_closed_without_resolution_is_not_open(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The header's open count is incidents neither resolved nor closed by as_of."""
        path = write(tmp_path / "export.csv", SERVICENOW)
        arguments = ["--preset", "servicenow", "--columns", "major=u_major", "--assume-tz", "UTC"]
        arguments += ["--null", "?"]
        assert 0 == main(["report", str(path), *arguments, "--date-format", DAY_FIRST])
        assert "3 incidents, 0 rows skipped, 1 major, 1 open" in capsys.readouterr().out

    def test_the_cli_options_from_a_shell(self, tmp_path: Path) -> None:
        """The options work as typed in a shell, % signs included."""
        path = write(tmp_path / "export.csv", SERVICENOW, bom=True)
        options = ["--preset", "servicenow", "--assume-tz", "UTC", "--null", "?"]
        options += ["--date-format", DAY_FIRST, "--format", "json"]
        done = subprocess.run(
            [sys.executable, "-m", "majorincident", "report", str(path), *options],
            capture_output=True,
            text=True,
            check=False,
        )
        assert 0 == done.returncode, done.stderr
        assert 3 == json.loads(done.stdout)["counts"]["incidents"]


class TestDateFormats:
    LINES = ("id,reported_at", "INC1,02-01-2024 09:00 +0100")

    def test_a_format_with_an_offset_needs_no_zone(self, tmp_path: Path) -> None:
        """%z in the format gives the instant itself."""
        path = write(tmp_path / "export.csv", list(self.LINES))
        (incident,) = read_incidents(path, date_format="%d-%m-%Y %H:%M %z")
        assert incident.reported_at == datetime(2024, 1, 2, 8, tzinfo=UTC)

    def test_a_wall_time_without_a_zone_is_refused(self, tmp_path: Path) -> None:
        """A format without an offset and no --assume-tz: refused, never read as UTC."""
        path = write(tmp_path / "export.csv", ["id,reported_at", "INC1,02-01-2024 09:00"])
        with pytest.raises(
            LoadError, match=r"export\.csv:2: column 'reported_at': .*no UTC offset"
        ):
            read_incidents(path, date_format=DAY_FIRST)

    def test_a_one_column_header_is_read_with_commas(self, tmp_path: Path) -> None:
        """A header with nothing to sniff is comma-separated, and named as it is."""
        path = write(tmp_path / "export.csv", ["id", "INC1"])
        with pytest.raises(LoadError, match=r"missing column 'reported_at' .*the file has 'id';"):
            read_incidents(path)


class TestSayWhatWasMeasured:
    LINES = (
        "id,reported_at,resolved_at,closed_at",
        "INC1,2024-01-10T00:00Z,2024-01-10T02:00Z,2024-06-30T00:00Z",
        "INC2,2024-02-10T00:00Z,,",
    )

    def test_a_metric_without_its_columns_is_not_in_this_data(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """No acknowledgement column: MTTA is said to be absent, not shown as all open."""
        path = write(tmp_path / "export.csv", list(self.LINES))
        assert 0 == main(["report", str(path), "--format", "json"])
        data = json.loads(capsys.readouterr().out)

        assert {"MTTR"} == {row["metric"] for row in data["kpis"]}
        mtta, mttr, _ = data["metrics"]
        assert mtta == {"metric": "MTTA", "in_data": False, "missing_columns": ["acknowledged_at"]}
        assert mttr["from"] == {"milestone": "reported", "column": "reported_at"}
        assert data["as_of"] == "2024-06-30T00:00:00+00:00"

        assert 0 == main(["report", str(path)])
        text = capsys.readouterr().out
        assert "  MTTA: not in this data (no column for acknowledged_at)" in text
        assert "  MTTR: from reported (reported_at) to resolved (resolved_at)" in text

    def test_no_metric_in_the_data(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A file with no metric's columns says so instead of an empty table."""
        path = write(tmp_path / "export.csv", ["id,reported_at", "INC1,2024-01-10T00:00Z"])
        assert 0 == main(["report", str(path)])
        assert "_no metric is in this data_" in capsys.readouterr().out

    def test_the_trend_ends_at_the_last_report(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A late closure adds no empty months; --as-of ends the trend where it says."""
        path = write(tmp_path / "export.csv", list(self.LINES))
        assert 0 == main(["report", str(path), "--format", "json"])
        assert ["2024-01", "2024-02"] == [
            row["period"] for row in json.loads(capsys.readouterr().out)["trend"]
        ]
        assert 0 == main(["report", str(path), "--format", "json", "--as-of", "2024-04-01T00:00Z"])
        assert ["2024-01", "2024-02", "2024-03"] == [
            row["period"] for row in json.loads(capsys.readouterr().out)["trend"]
        ]


def test_a_closed_pipe_ends_the_report_quietly() -> None:
    """``majorincident report | head``: no traceback, no error, the SIGPIPE status."""
    script = (
        "import os, sys\n"
        "read, write = os.pipe()\n"
        "os.close(read)\n"
        "sys.stdout = os.fdopen(write, 'w')\n"
        "from majorincident.cli import main\n"
        "code = main(['report'])\n"
        "sys.stderr.write(f'exit {code}')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stderr) == (0, "exit 141")


class TestOutputReadsRight:
    def test_words_and_numbers(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """One incident, a missing priority, a drill left out, a flat trend: said as such."""
        path = write(
            tmp_path / "export.csv",
            [
                "id,reported_at,resolved_at,priority,kind,major",
                "INC1,2024-01-10T00:00Z,2024-01-10T02:00Z,,normal,true",
                "INC2,2024-01-11T00:00Z,2024-01-11T02:00Z,P2,drill,false",
                "INC3,2024-02-10T00:00Z,2024-02-10T02:00Z,P2,normal,true",
            ],
        )
        assert 0 == main(["report", str(path), "--by", "priority"])
        text = capsys.readouterr().out

        assert text.startswith(
            "Incidents: 3 rows read, 3 incidents, 0 rows skipped, 2 major, 0 open, "
            "1 test or drill left out\n"
        )
        assert "\n(none)    MTTR" in text
        assert "month    count  change of the daily rate  verdict" in text
        assert "-0%" not in text

    def test_an_unchanged_rate_is_zero(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """One major incident a day in January and in February: the daily rate changed 0%."""
        days = [datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=n) for n in range(60)]
        rows = [f"INC{n},{day.isoformat()},true" for n, day in enumerate(days)]
        path = write(tmp_path / "export.csv", ["id,reported_at,major", *rows])
        assert 0 == main(["report", str(path), "--as-of", "2024-03-01T00:00Z"])
        assert "\n2024-02  29     0%    " in capsys.readouterr().out


def test_the_reference_lists_every_option() -> None:
    """docs/reference/cli.md names each option of ``report``, so that it stays complete."""
    help_text = subprocess.run(
        [sys.executable, "-m", "majorincident", "report", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    options = {word.rstrip(",") for word in help_text.split() if word.startswith("--")}
    reference = (Path(__file__).parent.parent / "docs" / "reference" / "cli.md").read_text()
    assert {"--by", "--null", "--on-error"} <= options
    assert [] == sorted(option for option in options - {"--help"} if f"`{option}" not in reference)


class TestServiceNowPresetReadsWhatTheLibraryReads:
    def test_major_incident_state(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """The preset reads major_incident_state as from_servicenow does: accepted is major."""
        path = write(
            tmp_path / "export.csv",
            [
                "number,opened_at,major_incident_state",
                "INC1,2024-01-02 09:00:00Z,Accepted",
                "INC2,2024-01-03 09:00:00Z,proposed",
                "INC3,2024-01-04 09:00:00Z,",
            ],
        )
        incidents = read_incidents(path, preset="servicenow")
        assert [True, False, False] == [incident.major for incident in incidents]
        assert 0 == main(["report", str(path), "--preset", "servicenow"])
        assert ", 1 major, " in capsys.readouterr().out

    def test_an_unknown_major_value_is_named(self, tmp_path: Path) -> None:
        """A value that is no flag nor major incident state is refused with the states."""
        path = write(
            tmp_path / "e.csv",
            ["number,opened_at,major_incident_state", "I,2024-01-02T00:00Z,maybe"],
        )
        with pytest.raises(
            LoadError, match=r"column 'major_incident_state': major \('maybe'\) is not"
        ):
            read_incidents(path, preset="servicenow")


class TestAmbiguousWallTimes:
    #: 27 October 2024, 02:30 in Paris happened twice: at +02:00, then at +01:00.
    LINES = ("id,reported_at,resolved_at", "INC1,2024-10-27 02:50,2024-10-27 02:10")

    def test_a_refused_row_says_how_it_read_the_hour(self, tmp_path: Path) -> None:
        """Resolved "before" reported: the message says both times were read at +02:00."""
        path = write(tmp_path / "export.csv", list(self.LINES))
        with pytest.raises(LoadError) as refused:
            read_incidents(path, assume_tz="Europe/Paris")
        message = str(refused.value)
        assert "resolved_at (2024-10-27T00:10:00+00:00) is before reported_at" in message
        assert (
            "reported_at ('2024-10-27 02:50') was ambiguous in Europe/Paris and read as "
            "+02:00, the earlier of +02:00 and +01:00 (--ambiguous earlier, later or refuse)"
        ) in message

    def test_read_later_or_refused(self, tmp_path: Path) -> None:
        """--ambiguous later reads the second time round; refuse names the field."""
        path = write(tmp_path / "export.csv", ["id,reported_at", "INC1,2024-10-27 02:30"])
        (incident,) = read_incidents(path, assume_tz="Europe/Paris", ambiguous="later")
        assert incident.reported_at == datetime(2024, 10, 27, 1, 30, tzinfo=UTC)
        with pytest.raises(LoadError, match=r"reported_at \('2024-10-27 02:30'\) is ambiguous"):
            read_incidents(path, assume_tz="Europe/Paris", ambiguous="refuse")
        with pytest.raises(LoadError, match=r"^ambiguous \('latest'\) must be one of"):
            read_incidents(path, assume_tz="Europe/Paris", ambiguous="latest")

    def test_from_the_command_line(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The option reaches the loader."""
        path = write(tmp_path / "export.csv", ["id,reported_at", "INC1,2024-10-27 02:30"])
        options = ["--assume-tz", "Europe/Paris", "--ambiguous", "refuse"]
        assert 2 == main(["report", str(path), *options])
        assert "is ambiguous in Europe/Paris" in capsys.readouterr().err


class TestOutOfOrderInAFlatExport:
    """One bad fact spoils one measure: a milestone out of order is left out, not the row."""

    LINES = (
        "id,started_at,reported_at,acknowledged_at,resolved_at,closed_at",
        "A,,2024-01-02T10:00Z,2024-01-02T09:00Z,2024-01-02T12:00Z,",
        "B,,2024-01-02T10:00Z,,2024-01-02T09:00Z,2024-01-02T11:00Z",
        "C,2024-01-02T11:00Z,2024-01-02T10:00Z,,2024-01-02T11:00Z,",
        "D,,2024-01-02T10:00Z,,2024-01-02T13:00Z,2024-01-02T12:00Z",
        "E,,,2024-01-02T11:00Z,2024-01-02T10:00Z,",
    )

    def test_left_out_and_the_rest_kept(self, tmp_path: Path) -> None:
        """Of a pair out of order the later goes, but never the opening; the rest stays."""
        loaded = load_incidents(write(tmp_path / "export.csv", list(self.LINES)))
        a, b, c, d, e = loaded.incidents
        at = datetime(2024, 1, 2, tzinfo=UTC).replace
        assert (a.acknowledged_at, a.resolved_at) == (None, at(hour=12))
        assert (b.resolved_at, b.closed_at) == (None, at(hour=11))  # closed, resolution missing
        assert (c.started_at, c.resolved_at) == (None, at(hour=11))
        assert (d.resolved_at, d.closed_at) == (at(hour=13), None)
        assert (e.reported_at, e.acknowledged_at, e.resolved_at) == (None, at(hour=11), None)
        assert [
            LeftOut("A", "acknowledged_at", "acknowledgement before opening"),
            LeftOut("B", "resolved_at", "resolution before opening"),
            LeftOut("C", "started_at", "start after opening"),
            LeftOut("D", "closed_at", "closure before resolution"),
            LeftOut("E", "resolved_at", "resolution before acknowledgement"),
        ] == list(loaded.left_out)
        assert () == loaded.refused

    def test_the_report_says_what_was_left_out(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The header counts the incidents; the facts left out are named, as for a log."""
        path = write(tmp_path / "export.csv", list(self.LINES))
        assert 0 == main(["report", str(path), "--engine", "pure"])
        text = capsys.readouterr().out
        assert text.startswith("Incidents: 5 rows read, 5 incidents, 0 rows skipped,")
        assert "  1 resolution before opening, left out: B\n" in text
        assert 0 == main(["report", str(path), "--format", "json"])  # Polars declines the file
        data = json.loads(capsys.readouterr().out)
        assert (5, 0, 5) == tuple(
            data["counts"][k] for k in ("incidents", "skipped", "facts_left_out")
        )
        assert "1 closure before resolution, left out: D" in data["left_out"]

    def test_a_chunk_with_such_a_row_keeps_every_row(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The chunk is built again row by row; the notes follow the file's order."""
        monkeypatch.setattr("majorincident.cli._build.CHUNK", 3)
        lines = [self.LINES[0], *(self.LINES[1:] * 2)]
        loaded = load_incidents(write(tmp_path / "export.csv", lines))
        assert 10 == len(loaded.incidents)
        assert ["A", "B", "C", "D", "E"] * 2 == [note.case for note in loaded.left_out]

    @settings(max_examples=60, deadline=None)
    @given(
        st.lists(
            st.fixed_dictionaries({m.field: st.none() | st.integers(-3, 3) for m in Milestone}),
            min_size=1,
            max_size=6,
        )
    )
    def test_only_what_is_out_of_order_goes(self, rows: list[dict[str, int | None]]) -> None:
        """Rows in order give the constructor's record; others lose only what is out of order.

        Only milestones of a pair out of order are left out, never the opening, each noted once.
        """
        start = datetime(2024, 1, 2, 12, tzinfo=UTC)
        stamps = [
            {f: start + timedelta(hours=h) for f, h in row.items() if h is not None} for row in rows
        ]
        fields = [m.field for m in Milestone]
        lines = [",".join(["id", *fields])]
        lines += [
            ",".join([f"I{n}", *(s[f].isoformat() if f in s else "" for f in fields)])
            for n, s in enumerate(stamps)
        ]
        with tempfile.TemporaryDirectory() as folder:
            loaded = load_incidents(write(Path(folder) / "e.csv", lines))
        notes = {(note.case, note.field) for note in loaded.left_out}
        assert len(notes) == len(loaded.left_out)
        for n, (record, row) in enumerate(zip(loaded.incidents, stamps, strict=True)):
            kept = {f: at for f, at in row.items() if (f"I{n}", f) not in notes}
            assert Incident(f"I{n}", **kept) == record  # type: ignore[arg-type]
            assert kept.get("reported_at") == row.get("reported_at")
            broken = {
                field
                for earlier, later in ORDER_RULES
                if {earlier.field, later.field} <= row.keys()
                and row[later.field] < row[earlier.field]
                for field in (earlier.field, later.field)
            }
            assert {f for f in row if f not in kept} <= broken


class TestChunkedLoading:
    """Rows are built a chunk at a time; a chunk with a bad row is built again row by row."""

    def rows(self, count: int) -> list[str]:
        """`count` lines of id, reported, resolved, major and priority, some values missing."""
        start = datetime(2024, 1, 1, tzinfo=UTC)
        return [
            f"INC{n},{(start + timedelta(hours=n)).isoformat()},"
            f"{(start + timedelta(hours=n, minutes=n % 50)).isoformat() if n % 3 else '?'},"
            f"{['true', 'false', '?'][n % 3]},{['P1', '4 - Low', '?'][n % 3]}"
            for n in range(count)
        ]

    @pytest.mark.parametrize("chunk", [1, 2, 3, 4096])
    def test_every_chunk_size_gives_the_records_of_the_constructor(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
    ) -> None:
        """Whatever the chunk size, each row gives what one constructor call gives."""
        monkeypatch.setattr("majorincident.cli._build.CHUNK", chunk)
        lines = ["id,reported_at,resolved_at,major,priority", *self.rows(10)]
        lines[5] = "INC4,2024-01-01T04:00:00+00:00,2023-01-01T00:00Z,true,P1"  # resolved before
        lines[8] = "INC7,2024-01-01T07:00:00+00:00,?,maybe,P1"
        loaded = load_incidents(write(tmp_path / "e.csv", lines), nulls={"?"}, errors="collect")

        expected = []
        for line in lines[1:]:
            identifier, reported, resolved, major, priority = line.split(",")
            values = {"reported_at": reported, "resolved_at": resolved, "priority": priority}
            given = {k: v for k, v in values.items() if v != "?"}
            if major == "maybe":  # not a flag: refused
                continue
            if major != "?":
                given["major"] = major == "true"  # type: ignore[assignment]
            try:
                expected.append(Incident(identifier, **given))  # type: ignore[arg-type]
            except MajorIncidentError:  # out of order: the resolution is left out
                assert identifier == "INC4"
                del given["resolved_at"]
                expected.append(Incident(identifier, **given))  # type: ignore[arg-type]
        assert expected == list(loaded.incidents)
        assert [9] == [refusal.line for refusal in loaded.refused]
        assert "column 'major': major ('maybe')" in loaded.refused[0].reason
        assert (LeftOut("INC4", "resolved_at", "resolution before opening"),) == loaded.left_out
        assert 10 == loaded.rows
        assert max(m for i in expected for m in i.instants if m is not None) == loaded.latest

    def test_a_bad_row_far_into_the_file_is_named_by_its_line(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The line of a refusal is the file's, not the row's place in its chunk."""
        monkeypatch.setattr("majorincident.cli._build.CHUNK", 4)
        lines = ["id,reported_at,resolved_at,major,priority", *self.rows(11)]
        lines[10] = "INC9,2024-01-01T09:00:00+00:00,?,?,P9"
        with pytest.raises(LoadError, match=r"e\.csv:11: column 'priority': priority \('P9'\)"):
            load_incidents(write(tmp_path / "e.csv", lines), nulls={"?"})

    def test_json_values_of_any_type(self, tmp_path: Path) -> None:
        """JSON lines: booleans, numbers and lists read as one row at a time reads them."""
        lines = [
            '{"id": "A", "reported_at": "2024-01-01T00:00:00Z", "major": true, "service": 7}',
            '{"id": "B", "reported_at": "2024-01-02T00:00:00Z", "major": 0, "priority": null}',
            '{"id": "C", "reported_at": "2024-01-03T00:00:00Z", "service": ["x"]}',
        ]
        loaded = load_incidents(write(tmp_path / "e.jsonl", lines), errors="collect")

        assert [("A", True, "7"), ("B", False, None), ("C", False, "['x']")] == [
            (i.id, i.major, i.service) for i in loaded.incidents
        ]
        assert () == loaded.refused

    def test_nothing_but_a_header(self, tmp_path: Path) -> None:
        """No rows: no records, and no latest instant."""
        loaded = load_incidents(write(tmp_path / "e.csv", ["id,reported_at"]))
        assert ((), 0, None) == (loaded.incidents, loaded.rows, loaded.latest)


AUDIT = [
    "number;incident_state;sys_mod_count;sys_updated_at;opened_at;priority;impact;urgency",
    "INC1;Resolved;3;02-01-2024 11:30;02-01-2024 09:00;1 - Critical;1 - High;1 - High",
    "INC1;New;0;02-01-2024 09:00;02-01-2024 09:00;3 - Moderate;2 - Medium;?",
    "INC2;New;0;05-01-2024 14:00;05-01-2024 14:00;4 - Low;3 - Low;3 - Low",
    "INC1;Active;1;02-01-2024 09:12;02-01-2024 09:00;3 - Moderate;2 - Medium;?",
    "INC1;Awaiting User Info;2;02-01-2024 09:40;02-01-2024 09:00;1 - Critical;1 - High;1 - High",
    "INC1;Closed;4;03-01-2024 09:00;02-01-2024 09:00;1 - Critical;1 - High;1 - High",
    "INC2;Closed;1;06-01-2024 08:00;05-01-2024 14:00;4 - Low;3 - Low;3 - Low",
    "INC3;New;0;07-01-2024 08:00;07-01-2024 08:00;2 - High;2 - Medium;1 - High",
    "INC3;Active;1;07-01-2024 08:05;07-01-2024 08:00;2 - High;2 - Medium;1 - High",
    "INC3;Resolved;2;07-01-2024 10:00;07-01-2024 08:00;2 - High;2 - Medium;1 - High",
    "INC3;Active;3;07-01-2024 12:00;07-01-2024 08:00;2 - High;2 - Medium;1 - High",
]
AUDIT_OPTIONS = ["--date-format", DAY_FIRST, "--null", "?", "--assume-tz", "UTC"]


def audit(path: Path, **options: Any) -> Loaded:
    """The audit export's incidents, read with its date format, nulls and zone."""
    return load_incidents(
        path,
        preset="servicenow-events",
        date_format=DAY_FIRST,
        nulls={"?"},
        assume_tz="UTC",
        **options,
    )


class TestEventLogPresets:
    """--preset servicenow-events and jira: the incidents are rebuilt from the log first."""

    def test_a_servicenow_audit_export(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Rows out of order, a wait, a reopening, a closure without resolution, ? nulls."""
        path = write(tmp_path / "audit.csv", AUDIT)
        options = ["--preset", "servicenow-events", *AUDIT_OPTIONS, "--format", "json"]
        assert 0 == main(["report", str(path), *options, "--by", "priority"])
        data = json.loads(capsys.readouterr().out)

        assert {"rows": 11, "incidents": 3, "skipped": 0, "open": 1} == {
            key: data["counts"][key] for key in ("rows", "incidents", "skipped", "open")
        }
        kpis = {(row["priority"], row["metric"]): row for row in data["kpis"]}
        assert (1, 720.0) == (kpis["P1", "MTTA"]["n"], kpis["P1", "MTTA"]["median_s"])
        assert (1, 9000.0) == (kpis["P1", "MTTR"]["n"], kpis["P1", "MTTR"]["median_s"])
        assert (0, 0, 1) == tuple(kpis["P4", "MTTR"][k] for k in ("n", "open", "missing_end"))
        assert (0, 1) == (kpis["P2", "MTTR"]["n"], kpis["P2", "MTTR"]["open"])  # reopened
        acknowledged = data["metrics"][0]["to"]
        assert "incident_state: first move into Active, In Progress" == acknowledged["column"]
        assert {"metric": "MTTD", "in_data": False} == {
            k: data["metrics"][2][k] for k in ("metric", "in_data")
        }

    def test_the_same_incidents_as_from_event_log(self, tmp_path: Path) -> None:
        """The loader rebuilds what the library function rebuilds from the same rows."""
        loaded = audit(write(tmp_path / "audit.csv", AUDIT))
        header = AUDIT[0].split(";")
        rows = [dict(zip(header, line.split(";"), strict=True)) for line in AUDIT[1:]]
        expected = from_event_log(rows, date_format=DAY_FIRST, nulls={"?"}, assume_tz="UTC")
        assert expected == list(loaded.incidents)
        assert 11 == loaded.rows

    def test_an_unknown_state_names_the_line(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """fail: exit 2 naming file, line and state; skip: the incident is left out whole."""
        lines = [*AUDIT, "INC2;Awaiting Parts;2;06-01-2024 09:00;05-01-2024 14:00;?;?;?"]
        path = write(tmp_path / "audit.csv", lines)
        options = ["--preset", "servicenow-events", *AUDIT_OPTIONS]

        assert 2 == main(["report", str(path), *options])
        error = capsys.readouterr().err
        assert "audit.csv: line 13 (number 'INC2'): incident_state ('Awaiting Parts')" in error

        assert 0 == main(["report", str(path), *options, "--on-error", "skip"])
        text = capsys.readouterr().out
        assert text.startswith("Incidents: 12 rows read, 2 incidents, 1 row skipped,")
        assert "  line 13: (number 'INC2'): incident_state ('Awaiting Parts')" in text

    def test_a_jira_changelog(self, tmp_path: Path) -> None:
        """Only the status rows move the timeline."""
        lines = [
            "issue_key,created,field,from,to,changed",
            "SD-7,2024-03-04T08:00:00Z,status,Open,In Progress,2024-03-04T08:20:00Z",
            "SD-7,2024-03-04T08:00:00Z,assignee,,ana,2024-03-04T08:21:00Z",
            "SD-7,2024-03-04T08:00:00Z,status,In Progress,Resolved,2024-03-04T09:05:00Z",
        ]
        loaded = load_incidents(write(tmp_path / "jira.csv", lines), preset="jira")
        (ticket,) = loaded.incidents
        assert (20, 65) == (
            (ticket.acknowledged_at - ticket.reported_at).in_minutes(),
            (ticket.resolved_at - ticket.reported_at).in_minutes(),
        )

    def test_pagerduty_log_entries(self, tmp_path: Path) -> None:
        """Flattened entries in a CSV, nested ones in JSON lines: notifications move nothing."""
        lines = [
            "incident.id,type,created_at,service.summary",
            "PD1,trigger_log_entry,2024-03-04T08:00:00Z,checkout",
            "PD1,notify_log_entry,2024-03-04T08:01:00Z,checkout",
            "PD1,acknowledge_log_entry,2024-03-04T08:06:00Z,checkout",
            "PD1,resolve_log_entry,2024-03-04T09:00:00Z,checkout",
        ]
        flat = load_incidents(write(tmp_path / "entries.csv", lines), preset="pagerduty-log")
        header = lines[0].split(",")
        entries = [
            {
                "incident": {"id": values[0]},
                "type": values[1],
                "created_at": values[2],
                "service": {"summary": values[3]},
            }
            for values in (line.split(",") for line in lines[1:])
        ]
        nested = load_incidents(
            write(tmp_path / "entries.jsonl", [json.dumps(e) for e in entries]),
            preset="pagerduty-log",
        )
        (incident,) = flat.incidents
        assert (6, 60, "checkout") == (
            (incident.acknowledged_at - incident.reported_at).in_minutes(),
            (incident.resolved_at - incident.reported_at).in_minutes(),
            incident.service,
        )
        assert flat.incidents == nested.incidents
        assert "service.summary" in header

    def test_refused_options_and_columns(self, tmp_path: Path) -> None:
        """--columns does not apply to a log; a log without its columns is named."""
        path = write(tmp_path / "audit.csv", AUDIT)
        with pytest.raises(LoadError, match="--columns does not apply to --preset jira"):
            load_incidents(path, preset="jira", columns={"service": "x"})
        with pytest.raises(
            LoadError, match=r"missing columns 'changed', 'created', 'field', 'issue_key', 'to'"
        ):
            load_incidents(path, preset="jira")

    def test_skipped_rows_and_cases_keep_nothing_half_built(self, tmp_path: Path) -> None:
        """A row without its case, a bad time, a refused timeline: each counted, none built."""
        lines = [
            *AUDIT,
            "?;New;0;01-02-2024 09:00;01-02-2024 09:00;?;?;?",
            "INC4;New;0;01-02-2024 09:00;01-02-2024 09:00;?;?;?",
            "INC4;Active;1;2024-02-01;01-02-2024 09:00;?;?;?",
            "INC5;New;0;01-03-2024 09:00;01-03-2024 09:00;?;?;?",
            "INC5;Resolved;1;01-03-2024 10:00;01-03-2024 09:00;9 - Bogus;?;?",
        ]
        loaded = audit(write(tmp_path / "audit.csv", lines), errors="collect")
        assert ["INC1", "INC2", "INC3"] == [incident.id for incident in loaded.incidents]
        assert [13, 15, 16] == [refusal.line for refusal in loaded.refused]
        assert "number ('?') must name the incident" == loaded.refused[0].reason
        assert "does not match the date format" in loaded.refused[1].reason
        assert loaded.refused[2].reason.startswith("number 'INC5': priority")

    def test_facts_out_of_order_are_left_out_and_said(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A column beats the states; an Active before opened_at loses only the MTTA."""
        lines = [
            "number;incident_state;sys_mod_count;sys_updated_at;opened_at;resolved_at;closed_at",
            "INC7;Active;0;02-01-2024 08:00;02-01-2024 09:00;?;?",
            "INC7;Resolved;1;02-01-2024 10:00;02-01-2024 09:00;02-01-2024 09:55;?",
            "INC8;New;0;02-01-2024 09:00;02-01-2024 09:00;?;?",
            "INC8;Resolved;1;02-01-2024 09:30;02-01-2024 09:00;?;?",
        ]
        path = write(tmp_path / "audit.csv", lines)
        loaded = audit(path)
        late, unresolved = loaded.incidents
        assert (late.acknowledged_at, late.resolved_at.minute) == (None, 55)
        assert unresolved.resolved_at is None  # Resolved, but the export has no resolved_at
        assert [("INC7", "acknowledged_at")] == [(n.case, n.field) for n in loaded.left_out]

        options = ["--preset", "servicenow-events", *AUDIT_OPTIONS]
        assert 0 == main(["report", str(path), *options])
        text = capsys.readouterr().out
        assert (
            "Out of order in the source:\n  1 acknowledgement before opening, left out: INC7"
        ) in text
        assert "  MTTR: from reported (opened_at) to resolved (resolved_at)" in text
        assert 0 == main(["report", str(path), *options, "--format", "json"])
        data = json.loads(capsys.readouterr().out)
        assert 1 == data["counts"]["facts_left_out"]
        assert ["1 acknowledgement before opening, left out: INC7"] == data["left_out"]

    def test_a_log_in_json_lines(self, tmp_path: Path) -> None:
        """JSON objects, one without its case and one whose opening time is not a date."""
        new = {"incident_state": "New", "sys_mod_count": 0}
        at = {"sys_updated_at": "2024-01-02T09:00:00Z", "opened_at": "2024-01-02T09:00:00Z"}
        objects = [
            {"number": "INC1", **new, **at},
            {**new, **at},
            {"number": "INC2", **new, **at, "opened_at": "soon"},
        ]
        lines = [json.dumps(each) for each in objects]
        loaded = load_incidents(
            write(tmp_path / "audit.jsonl", lines), preset="servicenow-events", errors="collect"
        )
        assert ["INC1"] == [incident.id for incident in loaded.incidents]
        assert [2, 3] == [refusal.line for refusal in loaded.refused]
        assert "number (None) must name the incident" == loaded.refused[0].reason
        assert loaded.refused[1].reason.startswith("(number 'INC2'): opened_at ('soon')")

    def test_an_empty_json_lines_file(self, tmp_path: Path) -> None:
        """No object, no header to check: nothing read, nothing refused."""
        (tmp_path / "empty.jsonl").write_bytes(b"")
        loaded = load_incidents(tmp_path / "empty.jsonl", preset="servicenow-events")
        assert ((), 0, ()) == (loaded.incidents, loaded.rows, loaded.refused)
