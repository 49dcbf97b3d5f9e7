"""The package's import graph keeps the documented layering (docs/explanation/architecture.md)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests import architecture
from tests.architecture import (
    LAYERS,
    cycles,
    front_bypasses,
    graph,
    layer,
    modules,
    oversized,
    private_imports,
    upward_imports,
)

SRC = Path(__file__).parent.parent / "src"
KNOWN = modules(SRC)


class TestThePackage:
    def test_no_private_name_crosses_a_module(self) -> None:
        """No module imports, or reaches into, a name another module keeps private."""
        assert [] == private_imports(KNOWN)

    def test_fronts_are_used(self) -> None:
        """Outside a package, a name its front exports is imported from the front."""
        assert [] == front_bypasses(KNOWN)

    def test_imports_point_down(self) -> None:
        """Every import goes to the importer's own layer or one below it."""
        assert [] == upward_imports(KNOWN)

    def test_no_cycle(self) -> None:
        """No modules import each other, directly or around a loop, deferred imports included."""
        assert [] == cycles(graph(KNOWN, deferred=True))

    def test_every_subject_has_a_layer(self) -> None:
        """Each top-level module or package of the library sits in exactly one documented layer."""
        subjects = {name.split(".")[1] for name in KNOWN if name.count(".") >= 1}
        placed = [subject for members in LAYERS for subject in members]
        assert len(placed) == len(set(placed))
        assert subjects <= set(placed)

    def test_no_module_is_oversized_without_a_reason(self) -> None:
        """A module past 400 lines says in its docstring why it is not split."""
        assert [] == oversized(KNOWN)

    def test_the_docs_diagram_is_current(self) -> None:
        """docs/explanation/architecture.md holds the diagram that the layer list draws today."""
        script = Path(__file__).parent.parent / "scripts" / "architecture_diagram.py"
        result = subprocess.run(
            [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
        )
        assert 0 == result.returncode, result.stdout + result.stderr


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    """A copy of the package's source, for a test to plant a defect in."""
    shutil.copytree(SRC / "majorincident", tmp_path / "majorincident")
    return tmp_path


def plant(root: Path, module: str, line: str) -> dict[str, Path]:
    """Append `line` to `module` (a path under the package) and read the copy's modules."""
    path = root / "majorincident" / module
    path.write_text(path.read_text(encoding="utf-8") + "\n" + line + "\n", encoding="utf-8")
    return modules(root)


class TestTheChecksCatchDefects:
    """Each rule fails on a defect planted in a copy of the source: the checks can fail."""

    def test_a_private_name_imported_across_modules(self, planted: Path) -> None:
        """Importing another module's underscore name is reported with the line."""
        known = plant(planted, "sla.py", "from majorincident.clock._instants import _to_utc")
        assert any("sla" in p and "_to_utc" in p for p in private_imports(known))

    def test_a_private_name_read_off_a_module(self, planted: Path) -> None:
        """Reading an underscore attribute off an imported module is reported."""
        line = "from majorincident.kpi import _metrics\nx = _metrics._bucket"
        known = plant(planted, "sla.py", line)
        assert any("reads _bucket" in p for p in private_imports(known))

    def test_a_private_method_called_from_another_module(self, planted: Path) -> None:
        """Calling a private method of another module's class is reported."""
        known = plant(planted, "sla.py", "def f(roster):\n    return roster._spans_of('ana')")
        assert any("_spans_of, private to majorincident.roles" in p for p in private_imports(known))

    def test_a_private_module_is_library_internal(self, planted: Path) -> None:
        """Public names of a private module may be shared inside the library."""
        known = plant(planted, "sla.py", "from majorincident.clock._instants import micros")
        assert [] == private_imports(known)

    def test_an_upward_import(self, planted: Path) -> None:
        """An import of a higher layer is reported."""
        known = plant(planted, "clock/_calendar.py", "from majorincident import workflow")
        assert ["majorincident.clock._calendar"] == [p.split(":")[0] for p in upward_imports(known)]

    def test_a_deferred_cycle(self, planted: Path) -> None:
        """A cycle closed by an import inside a function is still a cycle."""
        known = plant(planted, "kpi/stats.py", "def f():\n    from majorincident.kpi import _trend")
        assert any(
            "majorincident.kpi.stats" in loop for loop in cycles(graph(known, deferred=True))
        )

    def test_a_front_bypassed(self, planted: Path) -> None:
        """Importing from inside a package what its front exports is reported."""
        known = plant(planted, "sla.py", "from majorincident.kpi._metrics import MTTR")
        assert any("MTTR from majorincident.kpi._metrics" in p for p in front_bypasses(known))

    def test_an_oversized_module(self, planted: Path) -> None:
        """A module grown past 400 lines, with a docstring silent about it."""
        known = plant(planted, "sla.py", "\n" * 500)
        assert ["majorincident.sla has"] == [p[:21] for p in oversized(known)]

    def test_an_unplaced_subject(self) -> None:
        """A module of no documented layer is refused by name."""
        with pytest.raises(LookupError, match=r"majorincident\.newthing"):
            layer("majorincident.newthing")

    def test_type_checking_imports_are_annotations(self, planted: Path) -> None:
        """Imports under ``if TYPE_CHECKING:`` run nothing, so they may point anywhere."""
        line = (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from majorincident import cli"
        )
        known = plant(planted, "errors.py", line)
        assert [] == upward_imports(known)


def test_module_names() -> None:
    """Package fronts are named for their package, modules for their file."""
    assert "majorincident.kpi" in KNOWN
    assert "majorincident.kpi._metrics" in KNOWN
    assert architecture.ROOT in KNOWN
