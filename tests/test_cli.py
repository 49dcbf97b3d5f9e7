"""Tests for the command line: the demo, reports from files, and clear errors for bad files."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from majorincident import cli
from majorincident.cli.load import LoadError, read_incidents

HEADER = "id,service,priority,major,reported_at,acknowledged_at,resolved_at,started_at,detected_at"
ROWS = [
    (
        "INC1,cdn,P1,true,2024-01-01T10:00:00Z,2024-01-01T10:05:00Z,2024-01-01T11:00:00Z,"
        "2024-01-01T09:55:00Z,2024-01-01T09:58:00Z"
    ),
    "INC2,dns,P3,false,2024-02-01T10:00:00Z,2024-02-01T10:10:00Z,,,",
]


def run(*arguments: str) -> subprocess.CompletedProcess[str]:
    """Run the command line as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "majorincident", *arguments],
        capture_output=True,
        text=True,
        check=False,
    )


def python(script: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run a Python script in a fresh interpreter, as a user's process would be."""
    return subprocess.run(
        [sys.executable, "-c", script, *arguments], capture_output=True, text=True, check=False
    )


@pytest.fixture
def export(tmp_path: Path) -> Path:
    """A small CSV export."""
    path = tmp_path / "export.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return path


class TestDemo:
    def test_walkthrough(self) -> None:
        """The demo walks the Cloudflare outage through the four stages, as a subprocess."""
        done = run("demo")

        assert 0 == done.returncode
        assert "Classification: DECLARE" in done.stdout
        assert (
            "refused: cannot leave stage 'Containment': missing Preparing a designated war room"
            in done.stdout
        )
        assert "-> Sam (service desk): consulted as Service desk technicians" in done.stdout
        assert "  MTTD             3 minutes" in done.stdout
        assert done.stdout.rstrip().endswith("gives the same major incident: True")
        assert "" == done.stderr

    def test_names_the_four_stages(self) -> None:
        """The demo says when the incident enters each of the four stages, in order."""
        lines = [line for line in run("demo").stdout.splitlines() if "enters" in line]

        assert [
            "13:46  == The major incident enters Identification ==",
            "13:49  == The major incident enters Containment ==",
            "14:07  == The major incident enters Resolution ==",
            "14:52  == The major incident enters Maintenance ==",
        ] == lines

    def test_version_and_help(self) -> None:
        """--version prints the version; each command has --help."""
        assert run("--version").stdout.startswith("majorincident ")
        assert "--preset" in run("report", "--help").stdout
        assert "Cloudflare" in run("demo", "--help").stdout


class TestReport:
    def test_sample_data(self) -> None:
        """With no file the report runs on the bundled sample, as a subprocess."""
        done = run("report")

        assert 0 == done.returncode
        assert done.stdout.startswith(
            "Incidents: 2400 rows read, 2400 incidents, 0 rows skipped, 22 major, 33 open"
        )
        assert "Major incidents per month" in done.stdout

    @pytest.mark.parametrize("output", ["table", "markdown", "json"])
    def test_formats(self, export: Path, output: str, capsys: pytest.CaptureFixture[str]) -> None:
        """A CSV export gives its KPIs in each format."""
        assert 0 == cli.main(
            ["report", str(export), "--format", output, "--as-of", "2024-03-01T00:00Z"]
        )
        text = capsys.readouterr().out

        if output == "json":
            data = json.loads(text)
            counts = {"rows": 2, "incidents": 2, "skipped": 0, "major": 1, "open": 1}
            assert {**counts, "tests_and_drills": 0, "facts_left_out": 0} == data["counts"]
            mttr = [
                row for row in data["kpis"] if row["metric"] == "MTTR" and row["service"] == "cdn"
            ]
            assert 3600.0 == mttr[0]["median_s"]
            assert (None, None) == (mttr[0]["median_low_s"], mttr[0]["median_high_s"])
            assert ["2024-01", "2024-02"] == [row["period"] for row in data["trend"]]
        elif output == "markdown":
            assert "| cdn | MTTR | 1 | 0 | 1h 00m | 1h 00m | - | 1h 00m |" in text
            assert "Median 95% CI: where the typical duration lies, 95% confident" in text
        else:
            assert "cdn      MTTR    1  0     1h 00m   1h 00m   -              1h 00m" in text

    def test_by_month_and_jsonl(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """JSON lines work too, grouped by month."""
        path = tmp_path / "export.jsonl"
        rows = [dict(zip(HEADER.split(","), row.split(","), strict=True)) for row in ROWS]
        path.write_text("\n".join(json.dumps(row) for row in rows) + "\n\n", encoding="utf-8")

        assert 0 == cli.main(["report", str(path), "--by", "month", "--format", "markdown"])

        text = capsys.readouterr().out
        assert "| 2024-01 | MTTR | 1 | 0 |" in text

    def test_presets_columns_and_assumed_zone(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A ServiceNow export with naive times reads with --assume-tz and a column mapping."""
        path = tmp_path / "servicenow.csv.gz"
        text = "number,opened_at,resolved_at,priority,business_service,ci\n"
        text += "INC0010001,2024-01-01 10:00:00,2024-01-01 12:00:00,1 - Critical,Web,web01\n"
        path.write_bytes(gzip.compress(text.encode()))

        code = cli.main(
            [
                "report",
                str(path),
                "--preset",
                "servicenow",
                "--assume-tz",
                "Europe/Berlin",
                "--columns",
                "title=ci",
                "--by",
                "priority",
            ]
        )

        assert 0 == code
        assert "P1        MTTR    1  0     2h 00m" in capsys.readouterr().out

    def test_progress_on_a_terminal(
        self, export: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Large files show how many rows were read on a terminal's stderr."""
        monkeypatch.setattr(cli, "LARGE", 0)
        monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
        monkeypatch.setattr("majorincident.cli.load.PROGRESS_EVERY", 1)

        assert 0 == cli.main(["report", str(export), "--engine", "pure"])

        assert "\rread 1 rows" in capsys.readouterr().err


class TestBadFiles:
    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ("id,service\nINC1,cdn\n", "missing column 'reported_at' (for the field reported_at)"),
            (
                "id,reported_at\nINC1,2024-01-01T10:00:00\n",
                "export.csv:2: column 'reported_at': reported_at ('2024-01-01T10:00:00') has no",
            ),
            (
                "id,reported_at\nINC1,2024-01-01T10:00:00Z,extra\n",
                "export.csv:2: column 3: 3 fields",
            ),
            (
                "id,reported_at,major\nINC1,2024-01-01T10:00:00Z,maybe\n",
                "export.csv:2: column 'major': major ('maybe')",
            ),
            ("", "export.csv: the file is empty"),
            ('id,reported_at\n"INC1,2024\n', "export.csv:"),
        ],
    )
    def test_csv(self, tmp_path: Path, content: str, message: str) -> None:
        """A bad CSV exits 2 with the line and column named and no traceback."""
        path = tmp_path / "export.csv"
        path.write_text(content, encoding="utf-8")

        done = run("report", str(path))

        assert 2 == done.returncode
        assert message in done.stderr
        assert "Traceback" not in done.stderr

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (
                '{"id": "INC1", "reported_at": "2024-01-01T10:00Z"}\n{"id": \n',
                ":2: column 8: not valid JSON",
            ),
            ("[1, 2]\n", ":1: column 1: expected a JSON object per line"),
        ],
    )
    def test_jsonl(
        self, tmp_path: Path, content: str, message: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A broken JSON line is named with its column."""
        path = tmp_path / "export.jsonl"
        path.write_text(content, encoding="utf-8")

        assert 2 == cli.main(["report", str(path)])
        assert message in capsys.readouterr().err

    def test_missing_file_and_bad_mapping(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A missing file and an unknown field in --columns are clear errors."""
        assert 2 == cli.main(["report", str(tmp_path / "nope.csv")])
        assert 2 == cli.main(["report", str(tmp_path / "nope.csv"), "--columns", "owner=x"])

        err = capsys.readouterr().err
        assert "No such file" in err
        assert "--columns: 'owner=x' is not FIELD=COLUMN" in err

    def test_assumed_zone_with_a_bad_timestamp(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A value that is no timestamp is still named when a zone is assumed; blank lines pass."""
        path = tmp_path / "export.csv"
        path.write_text("id,reported_at\n\nINC1,soon\n", encoding="utf-8")

        assert 2 == cli.main(["report", str(path), "--assume-tz", "UTC"])
        assert "export.csv:3: column 'reported_at': reported_at ('soon')" in capsys.readouterr().err

    def test_empty_export(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """An export with a header and no rows reports zero incidents."""
        path = tmp_path / "empty.csv"
        path.write_text("id,reported_at\n", encoding="utf-8")

        assert 0 == cli.main(["report", str(path), "--as-of", "2024-01-01T00:00Z"])
        assert (
            "Incidents: 0 rows read, 0 incidents, 0 rows skipped, 0 major, 0 open"
            in capsys.readouterr().out
        )

    def test_loader_directly(self, export: Path) -> None:
        """read_incidents gives records; a broken value raises LoadError."""
        assert ["INC1", "INC2"] == [incident.id for incident in read_incidents(export)]
        with pytest.raises(
            LoadError, match=r"missing columns 'number' \(for the field id\), 'opened_at'"
        ):
            read_incidents(export, preset="servicenow")


GOOD_LINE = '{"id": "INC1", "reported_at": "2024-01-01T10:00Z"}\n'


def _gzip_of(data: bytes, *, cut: int = 0) -> bytes:
    """The gzip of `data`, less its last `cut` bytes."""
    packed = gzip.compress(data)
    return packed[: len(packed) - cut] if cut else packed


class TestHostileFiles:
    """Crash paths an audit found: each exits 2 with one line naming the file and the line."""

    @pytest.mark.parametrize(
        ("suffix", "content", "message"),
        [
            (
                ".csv",
                b"id,reported_at\nINC1,2024-01-01T10:00Z\nINC\xe92,2024-01-01T11:00Z\n",
                "export.csv:3: byte 4: not UTF-8 text (b'\\xe9')",
            ),
            (
                ".csv.gz",
                _gzip_of(b"id,reported_at\n" + b"INC1,2024-01-01T10:00Z\n" * 5000, cut=20),
                "export.csv.gz:",
            ),
            (".jsonl", b"[" * 100_000 + b"]" * 100_000 + b"\n", "export.jsonl:1: not a usable"),
            (
                ".jsonl",
                b'{"id": "INC1", "reopen_count": ' + b"9" * 5000 + b"}\n",
                "export.jsonl:1: not a usable JSON object (Exceeds the limit",
            ),
            (
                ".jsonl",
                GOOD_LINE.encode() + b'{"id": "' + b"x" * 2_000_000 + b'"}\n',
                "export.jsonl:2: the line is longer than 1,048,576 bytes",
            ),
        ],
        ids=["not-utf8", "truncated-gzip", "deep-json", "5000-digits", "huge-line"],
    )
    def test_bad_files(self, tmp_path: Path, suffix: str, content: bytes, message: str) -> None:
        """The file and line are named, on one line, with no traceback."""
        path = tmp_path / f"export{suffix}"
        path.write_bytes(content)

        done = run("report", str(path))

        assert 2 == done.returncode
        assert message in done.stderr
        assert 1 == len(done.stderr.strip().splitlines())
        assert "Traceback" not in done.stderr

    def test_a_huge_line_in_a_small_gzip_stays_bounded(self, tmp_path: Path) -> None:
        """A 512 MB line packed into half a megabyte is refused after reading a megabyte of it."""
        path = tmp_path / "bomb.jsonl.gz"
        with gzip.open(path, "wb", compresslevel=9) as packed:
            chunk = b"x" * (1 << 20)
            for _ in range(512):
                packed.write(chunk)
        # The peak of what Python allocated while reading, not the process's maximum resident
        # size, which on Linux carries over from the forking test process across exec.
        script = (
            "import sys, tracemalloc\n"
            "from majorincident.cli import main\n"
            "tracemalloc.start()\n"
            "code = main(['report', sys.argv[1]])\n"
            "print(tracemalloc.get_traced_memory()[1] // 1024)\n"
            "sys.exit(code)\n"
        )

        done = python(script, str(path))

        assert 2 == done.returncode
        assert "bomb.jsonl.gz:1: the line is longer than" in done.stderr
        assert int(done.stdout) < 64 * 1024  # kilobytes: far from the 512 MB line

    def test_the_limit_can_be_raised(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--max-line-bytes raises (or lowers) the limit, for lines and CSV fields alike."""
        path = tmp_path / "export.csv"
        path.write_text("id,reported_at\nINC1,2024-01-01T10:00Z\n", encoding="utf-8")

        assert 2 == cli.main(["report", str(path), "--max-line-bytes", "10"])
        assert "export.csv:1: the line is longer than 10 bytes" in capsys.readouterr().err
        assert 0 == cli.main(["report", str(path), "--max-line-bytes", "100"])
        assert 2 == cli.main(["report", str(path), "--max-line-bytes", "0"])
        assert "--max-line-bytes (0) must be at least 1" in capsys.readouterr().err

    def test_a_long_csv_field_across_lines(self, tmp_path: Path) -> None:
        """A quoted CSV field spanning many short lines is capped like a line."""
        path = tmp_path / "export.csv"
        path.write_text(
            'id,reported_at,title\nINC1,2024-01-01T00:00Z,"' + "word\n" * 1000 + '"\n',
            encoding="utf-8",
        )

        with pytest.raises(LoadError, match=r"export.csv:\d+: field larger than field limit"):
            read_incidents(path, max_line_bytes=1000)

    @pytest.mark.parametrize(
        ("option", "value"),
        [("--assume-tz", "Mars/Olympus"), ("--tz", "America"), ("--tz", "x" * 300)],
    )
    def test_bad_zones(self, export: Path, option: str, value: str) -> None:
        """An unknown or hostile zone is named with its option, on one line."""
        done = run("report", str(export), option, value)

        assert 2 == done.returncode
        assert f"majorincident: error: {option} (" in done.stderr
        assert 1 == len(done.stderr.strip().splitlines())

    def test_data_in_year_9999(self, tmp_path: Path) -> None:
        """Data at the end of the supported range gives a report, not an overflow."""
        path = tmp_path / "export.csv"
        path.write_text(
            "id,major,reported_at,resolved_at\n"
            "A,true,9999-11-01T00:00:00Z,9999-11-02T00:00:00Z\n"
            "B,true,9999-12-01T00:00:00Z,9999-12-29T00:00:00Z\n",
            encoding="utf-8",
        )

        done = run("report", str(path))

        assert 0 == done.returncode, done.stderr
        assert "9999-12" in done.stdout

    def test_interrupted(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Ctrl-C exits 130 with one line and no traceback."""

        def interrupted(_: object) -> str:
            raise KeyboardInterrupt

        monkeypatch.setattr(cli, "_report", interrupted)

        assert 130 == cli.main(["report"])
        assert "majorincident: interrupted\n" == capsys.readouterr().err

    def test_interrupted_process(self, export: Path) -> None:
        """A real SIGINT while reading: exit code 130 and no traceback."""
        script = (
            "import os, signal, sys\n"
            "import majorincident.cli.load as load\n"
            "real = load.numbered_lines\n"
            "def lines(*args):\n"
            "    for number, line in real(*args):\n"
            "        if number == 2:\n"
            "            os.kill(os.getpid(), signal.SIGINT)\n"
            "        yield number, line\n"
            "load.numbered_lines = lines\n"
            "from majorincident.cli import main\n"
            "sys.exit(main(['report', sys.argv[1], '--engine', 'pure']))\n"
        )

        done = python(script, str(export))

        assert 130 == done.returncode
        assert "Traceback" not in done.stderr


def test_the_report_leaves_the_garbage_collector_as_it_found_it() -> None:
    """The report pauses the cyclic collector while it runs, and turns it back on after."""
    import gc  # noqa: PLC0415 - only this test looks at it

    assert gc.isenabled()
    assert 0 == cli.main(["report", "--format", "json"])
    assert gc.isenabled()
    gc.disable()
    try:
        assert 0 == cli.main(["report", "--format", "json"])
        assert not gc.isenabled()
    finally:
        gc.enable()
