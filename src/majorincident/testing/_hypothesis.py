"""The ``hypothesis`` entry point: ``st.from_type`` for pendulum instants and the record types.

Hypothesis calls :func:`_hypothesis_setup_hook` when it is imported, in any environment where
majorincident is installed. The strategies themselves are only built when first used.
"""

from __future__ import annotations

import pendulum
from hypothesis import strategies as st

from majorincident.classification import PriorityMatrix
from majorincident.clock import Calendar
from majorincident.incident import Event, Incident
from majorincident.process import Process
from majorincident.roles import RaciMatrix, Roster
from majorincident.workflow import MajorIncident


def _strategies() -> dict[type, st.SearchStrategy[object]]:
    # Imported here: majorincident.testing imports Hypothesis, which is still being imported
    # when the hook runs.
    from majorincident import testing  # noqa: PLC0415
    from majorincident.clock import instant  # noqa: PLC0415
    from majorincident.roles import SEED_ROLES  # noqa: PLC0415

    return {
        pendulum.DateTime: testing.aware_datetimes().map(instant),
        Incident: testing.incidents(),
        Event: testing.timelines().flatmap(st.sampled_from),
        MajorIncident: testing.major_incidents(),
        Calendar: testing.calendars(),
        Process: testing.processes(),
        RaciMatrix: testing.raci_matrices(),
        Roster: testing.rosters(roles=SEED_ROLES),
        PriorityMatrix: testing.priority_matrices(),
    }


def _hypothesis_setup_hook() -> None:
    """Register a strategy for each type, deferred until a test draws from it."""
    for kind in (
        pendulum.DateTime,
        Incident,
        Event,
        MajorIncident,
        Calendar,
        Process,
        RaciMatrix,
        Roster,
        PriorityMatrix,
    ):
        st.register_type_strategy(kind, _deferred(kind))


def _deferred(kind: type) -> st.SearchStrategy[object]:
    return st.deferred(lambda: _strategies()[kind])
