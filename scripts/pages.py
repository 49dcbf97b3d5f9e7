"""Rewrite a page of the docs that a script generates, or check that it is current."""

from __future__ import annotations

from pathlib import Path


def regenerate(page: Path, wanted: str, argv: list[str], script: str) -> int:
    """Write `wanted` to `page`; with ``--check`` in `argv`, say instead whether it is there.

    Returns:
        The exit status: 1 when checking a stale page, else 0.
    """
    if "--check" in argv:
        if wanted != page.read_text(encoding="utf-8"):
            print(f"{page.name} is out of date: run python scripts/{script}")
            return 1
        return 0
    page.write_text(wanted, encoding="utf-8")
    return 0
