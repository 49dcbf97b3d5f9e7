"""Where each tool keeps each field of an incident record: one definition per vendor.

The CLI's presets, the dataframe presets of :mod:`majorincident.frames` and the readers and
writers of :mod:`majorincident.interop` all derive from :data:`COLUMNS`, so that a column
named for one is named the same for the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from majorincident._frozen import FrozenDict

#: Record field -> the tool's name for it. ServiceNow: the ``incident`` table's fields, as the
#: Table API names them and list exports head their columns. PagerDuty: the REST API v2
#: incident object's fields, nested ones written with a dot as ``pandas.json_normalize`` flattens
#: them (``service.summary``). PagerDuty's object has no acknowledgement time (readers take the
#: first of its acknowledgements and log entries); flat exports that add one call it
#: ``acknowledged_at``.
COLUMNS: Final[Mapping[str, Mapping[str, str]]] = FrozenDict(
    {
        "servicenow": FrozenDict(
            {
                "id": "number",
                "title": "short_description",
                "service": "business_service",
                "channel": "contact_type",
                "impact": "impact",
                "urgency": "urgency",
                "priority": "priority",
                "reported_at": "opened_at",
                "declared_at": "promoted_on",
                "resolved_at": "resolved_at",
                "closed_at": "closed_at",
                "reopen_count": "reopen_count",
                "parent_id": "parent_incident",
                "problem_id": "problem_id",
                "change_id": "rfc",
                "major": "major_incident_state",
            }
        ),
        "pagerduty": FrozenDict(
            {
                "id": "id",
                "title": "title",
                "service": "service.summary",
                "urgency": "urgency",
                "priority": "priority.name",
                "reported_at": "created_at",
                "acknowledged_at": "acknowledged_at",
                "resolved_at": "resolved_at",
            }
        ),
    }
)

#: Per tool, the fields whose values are the tool's own codes rather than the record's values,
#: which a reader converts: ServiceNow's ``contact_type`` (a channel: ``self-service`` is the
#: portal) and ``major_incident_state`` (``accepted`` is a major incident; ``proposed``,
#: ``rejected`` and ``canceled`` are not).
CODED: Final[Mapping[str, frozenset[str]]] = FrozenDict(
    {"servicenow": frozenset({"channel", "major"}), "pagerduty": frozenset()}
)


def at_path(record: Mapping[str, Any], path: str) -> Any:  # noqa: ANN401 - any JSON value
    """The value at a dotted path of a nested object (``service.summary``); None if absent."""
    value: Any = record
    for key in path.split("."):
        value = value.get(key) if isinstance(value, Mapping) else None
    return value
