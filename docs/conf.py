"""Sphinx configuration: MyST Markdown, Furo, API reference from docstrings, and diagrams."""

from importlib.metadata import version as _version
from pathlib import Path
from typing import Any

project = "majorincident"
author = "The majorincident developers"
copyright = "2026, The majorincident developers"
release = _version("majorincident")
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinxcontrib.mermaid",
]
exclude_patterns = ["_build", "_generated", "jupyter_execute"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
# Notebooks are run at every build, and a cell that fails fails the build.
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 300

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False


html_theme = "furo"
html_title = "majorincident"


GENERATED = Path(__file__).parent / "_generated"
DIAGRAMS = {
    "incident": "IncidentLifecycle",
    "major-incident": "MajorIncidentLifecycle",
    "problem": "ProblemLifecycle",
    "change": "ChangeLifecycle",
}


def write_diagrams(_app: object) -> None:
    """Render every lifecycle's diagram from the machine itself, so none is drawn by hand."""
    from majorincident import lifecycle  # noqa: PLC0415

    GENERATED.mkdir(exist_ok=True)
    for name, machine in DIAGRAMS.items():
        source = lifecycle.to_mermaid(getattr(lifecycle, machine))
        (GENERATED / f"{name}.mmd").write_text(source, encoding="utf-8")


# What python-statemachine's metaclass puts on every machine class; its own docs describe it.
MACHINE_ATTRIBUTES = {"states", "states_map", "final_states", "initial_state", "name", "id"} | {
    "allow_event_without_transition",
    "atomic_configuration_update",
    "catch_errors_as_events",
    "enable_self_transition_entries",
}


def skip_machine_attributes(
    _app: object, what: str, name: str, _obj: object, skip: bool, _options: object
) -> bool:
    """Leave python-statemachine's class attributes out of the reference."""
    return skip or (what == "class" and name in MACHINE_ATTRIBUTES)


def setup(app: Any) -> None:  # noqa: ANN401 - Sphinx's application object
    """Generate the diagrams before the sources are read; trim the machine classes' members."""
    app.connect("builder-inited", write_diagrams)
    app.connect("autodoc-skip-member", skip_machine_attributes)
