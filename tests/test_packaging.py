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
