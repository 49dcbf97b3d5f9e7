"""Which columns of a frame hold which fields: :class:`ColumnMap` and the vendors' presets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import attrs

from majorincident.clock import load_zone
from majorincident.errors import ConfigurationError
from majorincident.incident import Milestone
from majorincident.interop import CODED, COLUMNS
from majorincident.kpi import GROUPS
from majorincident.kpi._metrics import milestone_of


def _milestones(value: Mapping[Milestone | str, str]) -> Mapping[Milestone, str]:
    return {milestone_of(key): column for key, column in value.items()}


def _timezone(value: str | None) -> str | None:
    if value is not None:
        load_zone(value, field="ColumnMap.tz")
    return value


@attrs.frozen
class ColumnMap:
    """Which columns of a frame hold which fields of the incident record.

    A field set to None is not in the export; milestones not listed are not either. A function
    that needs an unmapped field or a column the frame lacks raises :class:`ConfigurationError`
    naming it.

    Attributes:
        id: the incident's id.
        service, priority, impact, urgency, channel: the grouping fields (as in
            :data:`~majorincident.kpi.GROUPS`), values as they are in the frame.
        major: a boolean column, true for major incidents.
        kind: a text column of :class:`~majorincident.incident.IncidentKind` values (``test``
            and ``drill`` rows are left out as on the pure path); None when every row is a
            normal incident.
        milestones: milestone -> datetime column. By default ``started_at``,
            ``detected_at``, ``reported_at``... as :class:`~majorincident.incident.Incident`
            names them.
        tz: the IANA timezone of naive datetime columns, their values read as wall time there
            (one the clocks pass twice at its first instant, one they skip at the offset
            before the change, as ``fold=0``); None refuses naive columns.

    >>> ColumnMap(kind=None).column("reported")
    'reported_at'
    """

    id: str = "id"
    service: str | None = "service"
    priority: str | None = "priority"
    impact: str | None = "impact"
    urgency: str | None = "urgency"
    channel: str | None = "channel"
    major: str | None = "major"
    kind: str | None = "kind"
    milestones: Mapping[Milestone, str] = attrs.field(
        factory=lambda: {m: f"{m.value}_at" for m in Milestone}, converter=_milestones
    )
    tz: str | None = attrs.field(default=None, converter=_timezone)

    def column(self, field: Milestone | str) -> str:
        """The column of a milestone or record field.

        Raises:
            ConfigurationError: the field is not mapped (None, or a milestone not listed).
        """
        try:
            milestone = Milestone(field)
        except ValueError:
            if field not in (*GROUPS, "id"):
                raise ConfigurationError(
                    f"field ({field!r}) is not a milestone nor one of id, {', '.join(GROUPS)}"
                ) from None
            name = getattr(self, str(field))
            if name is None:
                raise ConfigurationError(
                    f"{field} is not mapped to a column (ColumnMap.{field} is None)"
                ) from None
            return str(name)
        if milestone not in self.milestones:
            raise ConfigurationError(
                f"milestone {milestone.value} is not mapped to a column "
                "(add it to ColumnMap.milestones)"
            )
        return self.milestones[milestone]


def _vendor(name: str) -> ColumnMap:
    """The columns of a tool's flat exports, from :data:`majorincident.interop.COLUMNS`."""
    columns = COLUMNS[name]
    fields = {m.field: m for m in Milestone}
    # A major flag must be a boolean column: a tool's code for it (ServiceNow's
    # major_incident_state) is derived by the caller.
    major = None if "major" in CODED[name] else columns.get("major")
    return ColumnMap(
        id=columns["id"],
        **{field: columns.get(field) for field in GROUPS if field != "major"},
        major=major,
        milestones={fields[f]: column for f, column in columns.items() if f in fields},
    )


#: ServiceNow's incident table as exported: ``number``, ``opened_at``, ``promoted_on``,
#: ``resolved_at``, ``closed_at``, ``business_service``, ``priority``, ``impact``, ``urgency``,
#: ``contact_type``. It has no major flag (derive one from ``major_incident_state``) and no
#: kind.
SERVICENOW: Final = _vendor("servicenow")
#: PagerDuty incidents flattened as ``pandas.json_normalize`` flattens the REST API's objects:
#: ``id``, ``created_at``, ``resolved_at``, ``service.summary``, ``priority.name``,
#: ``urgency``. Add an ``acknowledged_at`` column (the first acknowledgement) to measure MTTA,
#: and a boolean column for major incidents (``ColumnMap.major``) to count them.
PAGERDUTY: Final = _vendor("pagerduty")
