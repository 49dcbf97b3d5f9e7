"""Tests for the package's public face: version, exports and the error hierarchy."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import majorincident
from majorincident import errors

PYPROJECT = Path(__file__).parent.parent / "pyproject.toml"


class TestVersion:
    def test_matches_pyproject(self) -> None:
        """__version__ comes from the installed metadata and agrees with pyproject.toml."""
        expected = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]

        assert expected == majorincident.__version__

    def test_unknown_attribute(self) -> None:
        """Any other missing attribute is an AttributeError naming it."""
        with pytest.raises(AttributeError, match="has no attribute 'nope'"):
            majorincident.nope  # noqa: B018


class TestExports:
    def test_all_is_sorted_and_resolvable(self) -> None:
        """__all__ is sorted (constants, then classes, then functions) and every name exists."""

        def kind_then_name(name: str) -> tuple[int, str]:
            return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

        assert sorted(majorincident.__all__, key=kind_then_name) == majorincident.__all__
        for name in majorincident.__all__:
            assert getattr(majorincident, name) is not None

    def test_typed_marker_ships(self) -> None:
        """The package ships py.typed."""
        assert (Path(majorincident.__file__).parent / "py.typed").is_file()

    def test_core_import_does_not_pull_in_hypothesis(self) -> None:
        """Importing the package does not import Hypothesis or pytest."""
        code = (
            "import sys, majorincident; print('hypothesis' in sys.modules, 'pytest' in sys.modules)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout

        assert out.strip() == "False False"


def loaded_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running `code`."""
    script = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


class TestLazyFront:
    def test_every_name_is_its_modules_object(self) -> None:
        """Each exported name is, on first use, the very object its module defines."""
        import importlib  # noqa: PLC0415

        where = majorincident._WHERE
        assert sorted(where) == sorted(majorincident.__all__)
        for name, module in where.items():
            assert getattr(importlib.import_module(module), name) is getattr(majorincident, name)

    def test_dir_lists_the_lazy_names(self) -> None:
        """dir() shows every exported name, loaded or not, so completion works."""
        assert set(majorincident.__all__) <= set(dir(majorincident))

    def test_import_loads_no_subject(self) -> None:
        """``import majorincident`` loads none of its modules and no dependency until asked."""
        loaded = loaded_after("import majorincident")
        assert {"majorincident"} == {m for m in loaded if m.startswith("majorincident")}
        assert not {"attrs", "pendulum", "statemachine"} & loaded

    def test_a_name_loads_its_module_only(self) -> None:
        """Asking for Incident loads the record, not the workflow nor serialization."""
        loaded = loaded_after("from majorincident import Incident")
        assert "majorincident.incident" in loaded
        assert not {"majorincident.workflow", "majorincident.serialization"} & loaded

    def test_lifecycles_load_no_diagram_code(self) -> None:
        """The diagram module (urllib, http.client) loads only when a diagram is drawn."""
        loaded = loaded_after("import majorincident.lifecycle")
        assert "statemachine.contrib.diagram" not in loaded
        drawn = loaded_after(
            "import majorincident.lifecycle as l; l.to_mermaid(l.IncidentLifecycle)"
        )
        assert "statemachine.contrib.diagram" in drawn

    def test_help_loads_no_calculator(self) -> None:
        """``majorincident --help`` builds its parser without the KPIs, workflow or demo."""
        loaded = loaded_after(
            "import contextlib, io\n"
            "from majorincident.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
            "    main(['--help'])"
        )
        assert (
            not {"majorincident.kpi", "majorincident.workflow", "majorincident.cli.demo"} & loaded
        )


class TestTestingExtra:
    def test_without_hypothesis(self) -> None:
        """Importing majorincident.testing without Hypothesis names the extra to install."""
        code = "import sys; sys.modules['hypothesis'] = None; import majorincident.testing"
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )

        assert 0 != done.returncode
        assert "pip install 'majorincident[testing]'" in done.stderr


class TestErrors:
    @pytest.mark.parametrize(
        ("error", "builtin"),
        [
            (errors.NaiveDateTimeError, ValueError),
            (errors.TimelineError, ValueError),
            (errors.ConfigurationError, ValueError),
            (errors.ClassificationError, ValueError),
            (errors.TransitionError, ValueError),
            (errors.GateError, ValueError),
            (errors.NotAuthorizedError, PermissionError),
            (errors.RecordError, ValueError),
        ],
    )
    def test_each_is_a_library_error_and_a_builtin(
        self, error: type[Exception], builtin: type[Exception]
    ) -> None:
        """Every error is a MajorIncidentError and the builtin that matches its meaning."""
        assert issubclass(error, errors.MajorIncidentError)
        assert issubclass(error, builtin)
        assert error.__doc__

    def test_all_errors_are_exported(self) -> None:
        """errors.__all__ lists every exception class the module defines."""
        defined = {
            name
            for name, value in vars(errors).items()
            if isinstance(value, type) and issubclass(value, Exception)
        }

        assert defined == set(errors.__all__)
