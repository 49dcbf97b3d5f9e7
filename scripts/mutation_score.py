"""Print the mutation score of the last ``mutmut run``, module by module, and fail below the gate.

Usage: ``python scripts/mutation_score.py [PATTERN ...]``, the patterns (``fnmatch``, as
``mutmut run`` takes them) naming the mutants that were run; without them, every mutant.

Reviewed equivalent mutants (tests/equivalent_mutants.toml) are set aside; a listed mutant that
no longer survives means the code moved and the list needs another review. Timeouts count as
detected: the mutant made the tests hang, which they notice. So does pytest's exit status 2
(mutmut names it "check was interrupted by user"): unattended, it is an error while collecting
the tests, a mutant that breaks importing the package. A mutant left unchecked, or that no
test reaches, counts as not detected. Every module, and the whole, must reach the gate.
"""

from __future__ import annotations

import fnmatch
import re
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

GATE = 90.0
EQUIVALENT = Path(__file__).parent.parent / "tests" / "equivalent_mutants.toml"
DETECTED = frozenset({"killed", "timeout", "check was interrupted by user"})
_MODULE = re.compile(r"^(?P<module>.+?)\.x(?:ǁ|_)")


def results() -> dict[str, str]:
    """Mutant name -> status, from ``mutmut results --all true``."""
    listed = subprocess.run(
        ["mutmut", "results", "--all", "true"], capture_output=True, text=True, check=True
    ).stdout
    found = {}
    for line in listed.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name:
            found[name] = status
    return found


def module_of(name: str) -> str:
    """The module a mutant is in: ``majorincident.clock`` for ``...clock.x_utc__mutmut_3``."""
    match = _MODULE.match(name)
    return match["module"] if match else name


def detected(counts: Counter[str]) -> int:
    """How many of the counted mutants the tests noticed."""
    return sum(counts[status] for status in DETECTED)


def score(counts: Counter[str]) -> float:
    """Detected mutants as a percentage of those scored."""
    scored = counts.total()
    return 100.0 * detected(counts) / scored if scored else 100.0


def main(patterns: list[str]) -> int:
    """Report the scores; 1 when one is under the gate or the equivalents list is stale."""
    found = {
        name: status
        for name, status in results().items()
        if not patterns or any(fnmatch.fnmatch(name, pattern) for pattern in patterns)
    }
    listed = tomllib.loads(EQUIVALENT.read_text(encoding="utf-8"))["equivalent"]
    equivalent = {name for name in listed if name in found}
    stale = sorted(name for name in equivalent if found[name] != "survived")
    by_module: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for name, status in found.items():
        if name not in equivalent:
            by_module[module_of(name)][status] += 1
    total = sum(by_module.values(), Counter())
    print(f"mutants: {len(found)}, reviewed equivalent: {len(equivalent)}, scored: {total.total()}")
    print(f"{'module':<40} {'scored':>7} {'detected':>9} {'score':>7}")
    failing = []
    for module, counts in sorted(by_module.items()):
        percent = score(counts)
        print(f"{module:<40} {counts.total():>7} {detected(counts):>9} {percent:>6.1f}%")
        if percent < GATE:
            failing.append(module)
    for status, count in sorted(total.items()):
        print(f"  {status}: {count}")
    print(f"mutation score: {score(total):.1f}% (gate: {GATE:.0f}% for each module and the whole)")
    for name, status in sorted(found.items()):
        if status not in DETECTED and name not in equivalent:
            print(f"  {status}: {name}")
    if failing:
        print("under the gate:", *failing, sep="\n  ")
    if stale:
        print("listed as equivalent but not surviving (review the list):", *stale, sep="\n  ")
    return 1 if stale or failing or score(total) < GATE else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
