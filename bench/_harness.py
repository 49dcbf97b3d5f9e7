"""Shared helpers: time a callable, compare it with a baseline from the same run, report."""

from __future__ import annotations

import sys
import timeit
from collections.abc import Callable
from dataclasses import dataclass, field


def per_call(function: Callable[[], object], *, number: int, repeat: int = 5) -> float:
    """Best-of-`repeat` seconds per call, the least disturbed by the rest of the machine."""
    return min(timeit.repeat(function, number=number, repeat=repeat)) / number


@dataclass
class Report:
    """Rows of measured ratios against targets; exits non-zero if any target is missed."""

    title: str
    rows: list[tuple[str, float, str, bool]] = field(default_factory=list)

    def ratio(self, name: str, measured: float, baseline: float, *, at_most: float) -> None:
        """Record measured/baseline, which must be at most `at_most`."""
        value = measured / baseline
        self.rows.append((name, value, f"<= {at_most:g}x", value <= at_most))

    def at_least(self, name: str, value: float, *, minimum: float) -> None:
        """Record a speed-up factor, which must be at least `minimum`."""
        self.rows.append((name, value, f">= {minimum:g}x", value >= minimum))

    def info(self, name: str, value: float, unit: str) -> None:
        """Record a figure that has no target."""
        self.rows.append((f"{name} [{unit}]", value, "", True))

    def finish(self) -> None:
        """Print the table and exit 1 when a target was missed."""
        print(f"\n## {self.title}\n")
        width = max(len(row[0]) for row in self.rows)
        for name, value, target, ok in self.rows:
            verdict = "" if not target else ("ok" if ok else "MISSED")
            print(f"{name:<{width}}  {value:>12.3f}  {target:<10} {verdict}")
        if not all(row[3] for row in self.rows):
            sys.exit(1)
