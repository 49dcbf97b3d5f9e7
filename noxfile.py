"""Sessions: lint, typing, tests (3.11-3.13), engines, coverage_report, docs, readme, mutants.

``nox`` with no arguments runs what CI runs; ``nox -s mutants`` runs the whole mutation gate, and
``nox -s bench`` the benchmarks.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import nox

PYTHONS = ["3.11", "3.12", "3.13"]
ROOT = Path(__file__).parent

nox.options.sessions = [
    "lint",
    "typing",
    "tests",
    "engines",
    "coverage_report",
    "docs",
    "readme",
    "mutants-ci",
]
nox.needs_version = ">=2024.4.15"


def _select_pyenv_pythons() -> None:
    """Make every tested CPython that pyenv has installed runnable through its shims.

    pyenv's shims run only the selected versions, so ``python3.12`` fails on a machine whose
    global version is 3.11 although 3.12 is installed; and pyenv's own ``python`` shim exports
    ``PYENV_VERSION`` naming just the one it ran. Versions already selected stay first.
    """
    if shutil.which("pyenv") is None:
        return
    listed = subprocess.run(
        ["pyenv", "versions", "--bare"], capture_output=True, text=True, check=False
    ).stdout.split()
    selected = [v for v in os.environ.get("PYENV_VERSION", "").split(":") if v]
    for wanted in PYTHONS:
        matching = [v for v in listed if re.fullmatch(rf"{re.escape(wanted)}\.\d+", v)]
        if matching and not any(re.fullmatch(rf"{re.escape(wanted)}(\.\d+)?", v) for v in selected):
            selected.append(max(matching, key=lambda v: int(v.rsplit(".", 1)[1])))
    if selected:
        os.environ["PYENV_VERSION"] = ":".join(selected)


_select_pyenv_pythons()


@nox.session(python=PYTHONS, tags=["tests"])
def tests(session: nox.Session) -> None:
    """Run the test suite, README and docs examples on every core; measure coverage on the newest.

    The package has no code that depends on the Python version, so the branch coverage of the
    newest Python (with the engines session's) is the coverage of every one; measuring it on the
    others too would double their time for no line more.
    """
    session.install(".[tests]")
    newest = session.python == PYTHONS[-1]
    # The thousand-example strategy checks take minutes: once per run, on the newest Python.
    marks = "not engines" if newest else "not engines and not thousand"
    pytest = ("pytest", "-n", "auto", "-m", marks, *session.posargs)
    session.run(*(("coverage", "run", "-m") if newest else ("python", "-m")), *pytest)


@nox.session(python=PYTHONS[0])
def engines(session: nox.Session) -> None:
    """Run the frames KPIs on Dask and on a local PySpark (which needs Java) under coverage."""
    if shutil.which("java") is None:
        session.error("PySpark needs Java: install a JDK (17 or newer) first")
    session.install(".[engines]")
    session.run("coverage", "run", "-m", "pytest", "-m", "engines", "tests", *session.posargs)
    # The how-to's Dask and Spark examples are skipped where those are not installed: run here.
    session.run("pytest", "docs/how-to/frames.md")


@nox.session(python=PYTHONS[0])
def coverage_report(session: nox.Session) -> None:
    """Combine the coverage of the newest Python and the engines; fail below 100% of branches."""
    session.install("coverage[toml]>=7.6")
    session.run("coverage", "combine")
    session.run("coverage", "report", "--fail-under=100")


@nox.session(python=PYTHONS[0])
def lint(session: nox.Session) -> None:
    """Check style and formatting with ruff."""
    session.install("ruff>=0.8")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHONS[0])
def typing(session: nox.Session) -> None:
    """Type-check the package and the public-API exercise file with mypy --strict."""
    session.install(".[typing]")
    session.run("mypy", "src", "tests/typing")


@nox.session(python=PYTHONS[0])
def docs(session: nox.Session) -> None:
    """Build the documentation with warnings as errors.

    Its examples, and the README's, run with the tests on every Python (pyproject's testpaths).
    """
    session.install(".[docs,tests]")
    build = ROOT / "docs" / "_build"
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", "docs", str(build / "html"))


@nox.session(python=PYTHONS[0])
def readme(session: nox.Session) -> None:
    """Run the README's "Try it" command verbatim in this session's fresh virtual environment."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Try it", 1)[1]
    command = section.split("```console", 1)[1].split("```", 1)[0].strip()
    bin_dir = str(Path(session.bin))
    env = {"PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")])}
    output = session.run("bash", "-c", command, env=env, external=True, silent=True)
    if "gives the same major incident: True" not in str(output):
        session.error(f"the README's command did not run the demo to the end:\n{output}")
    session.run("majorincident", "report", "--format", "markdown", silent=True)


#: The part of the mutation gate CI runs, in fnmatch patterns of mutant names. The whole core
#: (``nox -s mutants``, about half an hour on two cores) does not fit CI's budget; left out are
#: the serialization codecs and the workflow rules, whose mutants run the slowest tests.
CI_MUTANTS = (
    "majorincident.classification.*",
    "majorincident.clock.*",
    "majorincident.kpi.*",
    "majorincident.lifecycle.table.*",
)


def _mutation_gate(session: nox.Session, patterns: tuple[str, ...]) -> None:
    session.install(".[tests]", "mutmut==3.8.1")
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    env = {"PYTHONPATH": "src", "HYPOTHESIS_PROFILE": "mutants"}
    session.run("mutmut", "run", "--max-children", "2", *patterns, env=env, silent=True)
    session.run("python", "scripts/mutation_score.py", *patterns)


@nox.session(python=PYTHONS[0])
def mutants(session: nox.Session) -> None:
    """Mutation testing of the core modules (pyproject's [tool.mutmut]); fails below 90%.

    mutmut runs the tests against a mutated copy of the package in ``mutants/``, found first on
    the path; reviewed equivalent mutants are set aside by scripts/mutation_score.py. Patterns
    after ``--`` (``nox -s mutants -- 'majorincident.clock.*'``) run and score only those.
    """
    _mutation_gate(session, tuple(session.posargs))


@nox.session(python=PYTHONS[0], name="mutants-ci")
def mutants_ci(session: nox.Session) -> None:
    """The mutation gate on :data:`CI_MUTANTS`, the part of the core CI has the time for."""
    _mutation_gate(session, CI_MUTANTS)


@nox.session(python=PYTHONS[0])
def bench(session: nox.Session) -> None:
    """Run the benchmarks; each compares against a baseline measured in the same run.

    ``nox -s bench -- engines kpi`` runs bench_engines.py and bench_kpi.py alone; other
    arguments go to each script run (``nox -s bench -- engines --rows 1000000``).
    bench_engines runs Dask and a local Spark, which needs Java; without it, it says so.
    """
    session.install(".[bench,engines]")
    scripts = {
        path.stem.removeprefix("bench_"): path for path in (ROOT / "bench").glob("bench_*.py")
    }
    named = [arg for arg in session.posargs if arg in scripts]
    passed = [arg for arg in session.posargs if arg not in scripts]
    missed = []
    for name in sorted(named or scripts):
        # Every benchmark runs and prints its table; a missed target fails the session at the end.
        output = session.run(
            "python", str(scripts[name]), *passed, success_codes=[0, 1], silent=True
        )
        print(output)  # noqa: T201 - the benchmark's table is the session's report
        if "MISSED" in str(output):
            missed.append(scripts[name].name)
    if missed:
        session.error(f"targets missed in: {', '.join(missed)}")
