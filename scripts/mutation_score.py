"""Print the mutation score of the last ``mutmut run`` and fail below the gate.

Reviewed equivalent mutants (tests/equivalent_mutants.toml) are set aside; a listed mutant that
no longer survives means the code moved and the list needs another review. Timeouts count as
killed: the mutant made the tests hang, which they notice.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

GATE = 90.0
EQUIVALENT = Path(__file__).parent.parent / "tests" / "equivalent_mutants.toml"


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


def main() -> int:
    """Report the score; 1 when it is under the gate or the equivalents list is stale."""
    found = results()
    equivalent = tomllib.loads(EQUIVALENT.read_text(encoding="utf-8"))["equivalent"]
    stale = [name for name in equivalent if found.get(name) != "survived"]
    counts = Counter(status for name, status in found.items() if name not in equivalent)
    detected = counts["killed"] + counts["timeout"]
    scored = sum(counts.values())
    score = 100.0 * detected / scored if scored else 0.0
    print(f"mutants: {len(found)}, reviewed equivalent: {len(equivalent)}, scored: {scored}")
    for status, count in sorted(counts.items()):
        print(f"  {status}: {count}")
    print(f"mutation score: {score:.1f}% (gate: {GATE:.0f}%)")
    for name, status in sorted(found.items()):
        if status == "survived" and name not in equivalent:
            print(f"  survived: {name}")
    if stale:
        print("listed as equivalent but not surviving (review the list):", *stale, sep="\n  ")
    return 1 if stale or score < GATE else 0


if __name__ == "__main__":
    sys.exit(main())
