"""Deprecated alias of the KPI calculators: import them from :mod:`majorincident.kpi`.

The module became private (``majorincident.kpi._outages``); this alias goes in the next release.
"""

from __future__ import annotations

from majorincident._deprecated import moved

__getattr__ = moved(__name__, "majorincident.kpi", "majorincident.kpi._outages")
