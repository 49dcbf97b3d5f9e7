"""The three usual means in one call each: MTTA, MTTR and MTTD over incidents.

Shortcuts for :func:`~majorincident.kpi.summarize`'s mean, on a business calendar when given;
the summary says more (the median, its interval, what was left out).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs
import pendulum

from majorincident.clock import ALWAYS, Calendar
from majorincident.incident import Incident
from majorincident.kpi._metrics import MTTA, MTTD, MTTR, summarize

__all__ = ["mtta", "mttd", "mttr"]


def mtta(
    incidents: Iterable[Incident], *, as_of: datetime | str, calendar: Calendar = ALWAYS
) -> pendulum.Duration | None:
    """Mean time to acknowledge; None when nothing is measured."""
    return summarize(incidents, attrs.evolve(MTTA, calendar=calendar), as_of=as_of).mean


def mttr(
    incidents: Iterable[Incident], *, as_of: datetime | str, calendar: Calendar = ALWAYS
) -> pendulum.Duration | None:
    """Mean time to resolve (reported to resolved); None when nothing is measured."""
    return summarize(incidents, attrs.evolve(MTTR, calendar=calendar), as_of=as_of).mean


def mttd(
    incidents: Iterable[Incident], *, as_of: datetime | str, calendar: Calendar = ALWAYS
) -> pendulum.Duration | None:
    """Mean time to detect; None when nothing is measured."""
    return summarize(incidents, attrs.evolve(MTTD, calendar=calendar), as_of=as_of).mean
