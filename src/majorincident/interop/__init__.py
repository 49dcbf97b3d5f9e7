"""Incidents from ServiceNow and PagerDuty records, and back to ServiceNow.

No I/O: these functions take the JSON objects the tools' REST APIs return (already parsed) and
give back :class:`~majorincident.incident.Incident` records, or the reverse.

**ServiceNow** (the ``incident`` table, Table API). Every value is a string; an empty string is
no value. Timestamps are ``YYYY-MM-DD HH:MM:SS`` in UTC when the record was read with
``sysparm_display_value=false`` (the default); read with display values, they are in the reading
user's timezone, which you pass as `tz`. ISO-8601 strings with an offset are accepted too.
Reference fields (``problem_id``, ``rfc``, ``parent_incident``, ``business_service``) may be a
plain string, or an object with ``display_value`` (preferred, e.g. ``PRB0040001``) and/or
``value`` (a sys_id). Choice fields may be codes (``"1"``) or display values (``"1 - High"``,
``"Resolved"``). The codes are the base system's choices:

- ``state``: 1 New, 2 In Progress, 3 On Hold, 6 Resolved, 7 Closed, 8 Canceled;
- ``hold_reason``: 1 Awaiting Caller, 3 Awaiting Problem, 4 Awaiting Vendor, 5 Awaiting Change;
- ``impact`` and ``urgency``: 1 High, 2 Medium, 3 Low; ``priority``: 1 Critical to 5 Planning;
- ``major_incident_state``: proposed, accepted, rejected, canceled (accepted means major);
- ``contact_type``: email, phone, self-service, walk-in, chat, virtual_agent, monitoring, event.

**State-change logs** (an audit export with a row per update, a Jira changelog):
:func:`from_event_log` rebuilds each incident's timeline from the moves between states, as an
:class:`EventLog` (:data:`SERVICENOW_EVENTS`, :data:`JIRA`, :data:`PAGERDUTY_LOG`, or your
own) says. A column the
log maps to a milestone beats the states, and a milestone the source put out of order is left
out of its record and said in the result's ``left_out`` (:class:`LeftOut`).

**PagerDuty** (REST API v2 incident objects, and optionally the incident's log entries):
``created_at`` is when the incident was reported; the first acknowledgement is the earliest of the
``acknowledgements`` and of the ``acknowledge_log_entry`` entries (PagerDuty clears
``acknowledgements`` once an incident is resolved, so pass the log entries for resolved ones);
``resolved_at``, else the ``resolve_log_entry``, else ``last_status_change_at`` of a resolved
incident, is when it was resolved; the ``trigger_log_entry``'s channel says how it was reported
(``email``; ``web_trigger``, ``website`` or ``mobile`` as a portal; ``phone``; anything else,
``api`` and integrations, as monitoring). ``urgency`` high/low maps to :class:`Urgency`, the
priority's name (``P1``...) to :class:`Priority`.

:data:`COLUMNS` names, per tool, the field that holds each field of the record; the CLI's and
the dataframes' presets are built from it.

Unknown codes and missing or malformed values raise :class:`~majorincident.errors.RecordError`
naming the field.

>>> incident = from_servicenow({
...     "number": "INC0010001", "short_description": "Checkout down",
...     "opened_at": "2024-03-01 09:00:00", "resolved_at": "2024-03-01 10:30:00",
...     "state": "6", "impact": "1", "urgency": "1", "priority": "1",
...     "major_incident_state": "accepted", "business_service": {"display_value": "Checkout"},
... })
>>> incident.id, incident.priority, incident.major, incident.resolved_at.isoformat()
('INC0010001', <Priority.P1: 'P1'>, True, '2024-03-01T10:30:00+00:00')
"""

from __future__ import annotations

from majorincident.interop._columns import CODED, COLUMNS
from majorincident.interop._events import from_event_log
from majorincident.interop._log import JIRA, SERVICENOW_EVENTS, EventLog, Phase
from majorincident.interop._order import LeftOut, Rebuilt, tally
from majorincident.interop._pagerduty import PAGERDUTY_LOG, from_pagerduty
from majorincident.interop._servicenow import from_servicenow, to_servicenow

__all__ = [
    "CODED",
    "COLUMNS",
    "JIRA",
    "PAGERDUTY_LOG",
    "SERVICENOW_EVENTS",
    "EventLog",
    "LeftOut",
    "Phase",
    "Rebuilt",
    "from_event_log",
    "from_pagerduty",
    "from_servicenow",
    "tally",
    "to_servicenow",
]
