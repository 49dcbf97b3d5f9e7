"""Run a test's work in many threads at once, as racing callers would."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable


def in_threads(count: int, work: Callable[[int], object]) -> list[object]:
    """Run ``work(n)`` for each n in `count` threads, switching as often as CPython can.

    Threads are started one after another, so that a late one arrives while an early one is
    half-way through its work. Returns what each returned, or the exception it raised.
    """
    results: list[object] = [None] * count

    def run(slot: int) -> None:
        try:
            results[slot] = work(slot)
        except Exception as error:  # noqa: BLE001 - the test looks at what every thread got
            results[slot] = error

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    return results
