"""Deprecated alias of the KPI calculators: import them from :mod:`majorincident.kpi`.

The module became private (``majorincident.kpi._metrics``); this alias goes in the next release.
"""

from __future__ import annotations

import warnings

from majorincident.kpi import _metrics

warnings.warn(
    "majorincident.kpi.metrics is deprecated and goes in the next release; "
    "import its names from majorincident.kpi",
    DeprecationWarning,
    stacklevel=2,
)


def __getattr__(name: str) -> object:
    """The public name `name` of the private module, as before."""
    if name.startswith("_") or name not in _metrics.__all__:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(_metrics, name)
