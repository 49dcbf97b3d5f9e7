"""Sphinx configuration: MyST Markdown, the Furo theme and API reference from docstrings."""

from importlib.metadata import version as _version

project = "majorincident"
author = "The majorincident developers"
copyright = "2026, The majorincident developers"
release = _version("majorincident")
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False


html_theme = "furo"
html_title = "majorincident"
