"""Benchmark what importing majorincident and asking the CLI for help cost a fresh interpreter.

Targets (issue: structure), CPU time (user + system) of whole processes, median of 15 runs,
interleaved with the baseline ``python -c "import attrs, pendulum, statemachine"``:
- ``python -c "import majorincident"`` at most 1.3x the baseline;
- ``majorincident --help`` (run as ``python -m majorincident --help``) at most 1.5x.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys

from _harness import Report

RUNS = 15
COMMANDS = {
    "baseline": ["-c", "import attrs, pendulum, statemachine"],
    "import": ["-c", "import majorincident"],
    "help": ["-m", "majorincident", "--help"],
    "first record": ["-c", "import majorincident; majorincident.Incident('INC1')"],
    "interpreter": ["-c", "pass"],
}


def cpu_seconds(arguments: list[str]) -> float:
    """The CPU time one interpreter running `arguments` spends, children's clock read around it."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, *arguments], check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    """Measure every command in turn, RUNS rounds, and compare the medians."""
    for arguments in COMMANDS.values():
        cpu_seconds(arguments)  # warm the file system cache and the bytecode
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(RUNS):
        for name, arguments in COMMANDS.items():
            times[name].append(cpu_seconds(arguments))
    median = {name: statistics.median(values) for name, values in times.items()}
    report = Report("import cost (CPU of a fresh interpreter, median of 15)")
    for name, value in median.items():
        report.info(f"{name}: {' '.join(COMMANDS[name])}", value * 1e3, "ms")
    report.ratio(
        "import majorincident / baseline", median["import"], median["baseline"], at_most=1.3
    )
    report.ratio("majorincident --help / baseline", median["help"], median["baseline"], at_most=1.5)
    report.finish()


if __name__ == "__main__":
    main()
