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

**PagerDuty** (REST API v2 incident objects, and optionally the incident's log entries):
``created_at`` is when the incident was reported; the first acknowledgement is the earliest of the
``acknowledgements`` and of the ``acknowledge_log_entry`` entries (PagerDuty clears
``acknowledgements`` once an incident is resolved, so pass the log entries for resolved ones);
``resolved_at``, else the ``resolve_log_entry``, else ``last_status_change_at`` of a resolved
incident, is when it was resolved; the ``trigger_log_entry``'s channel says how it was reported
(``email``; ``web_trigger``, ``website`` or ``mobile`` as a portal; ``phone``; anything else,
``api`` and integrations, as monitoring). ``urgency`` high/low maps to :class:`Urgency`, the
priority's name (``P1``...) to :class:`Priority`.

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

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from majorincident.classification import Channel, Impact, Priority, Urgency
from majorincident.clock import instant, load_zone
from majorincident.errors import MajorIncidentError, RecordError
from majorincident.incident import Hold, HoldReason, Incident, Milestone

__all__ = ["from_pagerduty", "from_servicenow", "to_servicenow"]

_STATES: Final = {
    "1": "new",
    "2": "in_progress",
    "3": "on_hold",
    "6": "resolved",
    "7": "closed",
    "8": "canceled",
}
_STATE_CODES: Final = {name: code for code, name in _STATES.items()}
_HOLD_REASONS: Final = {
    "1": HoldReason.AWAITING_CALLER,
    "3": HoldReason.AWAITING_PROBLEM,
    "4": HoldReason.AWAITING_VENDOR,
    "5": HoldReason.AWAITING_CHANGE,
}
_HOLD_CODES: Final = {reason: code for code, reason in _HOLD_REASONS.items()}
_CONTACT_TYPES: Final = {
    "email": Channel.EMAIL,
    "phone": Channel.PHONE,
    "self-service": Channel.PORTAL,
    "walk-in": Channel.OTHER,
    "chat": Channel.CHAT,
    "virtual_agent": Channel.CHAT,
    "monitoring": Channel.MONITORING,
    "event": Channel.MONITORING,
}
_CHANNEL_CODES: Final = {
    Channel.EMAIL: "email",
    Channel.PHONE: "phone",
    Channel.HOTLINE: "phone",
    Channel.PORTAL: "self-service",
    Channel.CHAT: "chat",
    Channel.MONITORING: "monitoring",
    Channel.OTHER: "walk-in",
}
_MAJOR_STATES: Final = ("proposed", "accepted", "rejected", "canceled")
_SERVICENOW_TIME: Final = "%Y-%m-%d %H:%M:%S"


def _text(record: Mapping[str, Any], field: str) -> str | None:
    """A field's value as text (display value first, for references); None when empty."""
    value = record.get(field)
    if isinstance(value, Mapping):
        value = value.get("display_value") or value.get("value")
    if value is None or value == "":
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise RecordError(f"{field} ({value!r}) is not a string")
    return str(value).strip() or None


def _code(value: str) -> str:
    """``"1 - High"`` -> ``"1"``; codes and other labels unchanged."""
    head = value.split(" - ", 1)[0].strip()
    return head if head.isdigit() else value


def _servicenow_time(record: Mapping[str, Any], field: str, zone: ZoneInfo) -> datetime | None:
    value = _text(record, field)
    if value is None:
        return None
    try:
        return instant(datetime.strptime(value, _SERVICENOW_TIME).replace(tzinfo=zone), field=field)
    except ValueError:
        pass
    try:
        return instant(value, field=field)
    except MajorIncidentError:
        raise RecordError(
            f"{field} ({value!r}) is not a ServiceNow date-time (YYYY-MM-DD HH:MM:SS) "
            "or an ISO-8601 timestamp with an offset"
        ) from None


def _choice(record: Mapping[str, Any], field: str, codes: Mapping[str, Any]) -> Any:  # noqa: ANN401
    value = _text(record, field)
    if value is None:
        return None
    labels = {str(getattr(v, "value", v)).replace("_", " ").casefold(): v for v in codes.values()}
    code = _code(value)
    found = (
        codes.get(code)
        or codes.get(code.casefold())
        or labels.get(value.replace("_", " ").casefold())
    )
    if found is None:
        allowed = ", ".join(f"{code} ({getattr(v, 'value', v)})" for code, v in codes.items())
        raise RecordError(f"{field} ({value!r}) is not a known code; expected one of {allowed}")
    return found


def _level(record: Mapping[str, Any], field: str, kind: type[Impact | Urgency | Priority]) -> Any:  # noqa: ANN401
    value = _text(record, field)
    if value is None:
        return None
    try:
        return kind.parse(_code(value), field=field)
    except MajorIncidentError as error:
        raise RecordError(str(error)) from None


def from_servicenow(record: Mapping[str, Any], *, tz: str = "UTC") -> Incident:
    """An incident from a ServiceNow ``incident`` record (see the module's conventions).

    A record on hold (state 3) gets an open hold with its ``hold_reason``, from
    ``sys_updated_on`` (when it was last changed, which is when it was put on hold unless it was
    edited since) or, without it, from ``opened_at``.

    Args:
        record: the record, as the Table API returns it.
        tz: the timezone of its date-times: UTC for internal values, the reading user's for
            display values.

    Raises:
        RecordError: a missing number, an unknown code, a malformed date-time, or a record
            whose milestones are out of order; naming the field.
    """
    if not isinstance(record, Mapping):
        raise RecordError(f"record ({record!r}) is not a ServiceNow record (a JSON object)")
    zone = load_zone(tz, field="tz")
    number = _text(record, "number")
    if number is None:
        raise RecordError("number (missing) is required: it is the incident's id")
    state = _choice(record, "state", _STATES)
    reason = _choice(record, "hold_reason", _HOLD_REASONS)
    major_state = _choice(record, "major_incident_state", {s: s for s in _MAJOR_STATES})
    opened = _servicenow_time(record, "opened_at", zone) or _servicenow_time(
        record, "sys_created_on", zone
    )
    holds: tuple[Hold, ...] = ()
    if state == "on_hold":
        since = _servicenow_time(record, "sys_updated_on", zone) or opened
        if since is None:
            raise RecordError("opened_at (missing) is required for a record on hold")
        holds = (Hold(since, None, reason),)
    reopen = _text(record, "reopen_count") or "0"
    if not reopen.isdigit():
        raise RecordError(f"reopen_count ({reopen!r}) is not a whole number")
    try:
        return Incident(
            number,
            title=_text(record, "short_description") or "",
            service=_text(record, "business_service"),
            affected_services=() if (ci := _text(record, "cmdb_ci")) is None else (ci,),
            channel=_choice(record, "contact_type", _CONTACT_TYPES),
            impact=_level(record, "impact", Impact),
            urgency=_level(record, "urgency", Urgency),
            priority=_level(record, "priority", Priority),
            major=major_state == "accepted",
            reported_at=opened,
            declared_at=_servicenow_time(record, "promoted_on", zone),
            resolved_at=_servicenow_time(record, "resolved_at", zone),
            closed_at=_servicenow_time(record, "closed_at", zone),
            holds=holds,
            reopen_count=int(reopen),
            parent_id=_text(record, "parent_incident"),
            problem_id=_text(record, "problem_id"),
            change_id=_text(record, "rfc"),
        )
    except RecordError:
        raise
    except MajorIncidentError as error:
        raise RecordError(f"{number}: {error}") from None


def to_servicenow(incident: Incident, *, tz: str = "UTC") -> dict[str, str]:
    """A ServiceNow ``incident`` record (internal values, all strings) for an incident.

    The state is derived from the milestones and holds: Closed, Resolved, On Hold (an open hold),
    In Progress (acknowledged) or New. A major incident is ``accepted``; other records have no
    ``major_incident_state``. Fields ServiceNow has no place for (detected, contained...) are
    left out.

    Args:
        incident: the record.
        tz: the timezone to write date-times in; UTC, as ServiceNow stores them, by default.
    """
    zone = load_zone(tz, field="tz")

    def when(milestone: Milestone) -> str:
        moment = incident.at(milestone)
        return "" if moment is None else moment.astimezone(zone).strftime(_SERVICENOW_TIME)

    open_hold = next((hold for hold in incident.holds if hold.end is None), None)
    if incident.at(Milestone.CLOSED) is not None:
        state = "closed"
    elif incident.at(Milestone.RESOLVED) is not None:
        state = "resolved"
    elif open_hold is not None:
        state = "on_hold"
    elif incident.at(Milestone.ACKNOWLEDGED) is not None:
        state = "in_progress"
    else:
        state = "new"
    record = {
        "number": incident.id,
        "short_description": incident.title,
        "business_service": incident.service or "",
        "cmdb_ci": next(iter(sorted(incident.affected_services)), ""),
        "contact_type": _CHANNEL_CODES[incident.channel] if incident.channel else "",
        "impact": str(incident.impact.code) if incident.impact else "",
        "urgency": str(incident.urgency.code) if incident.urgency else "",
        "priority": str(incident.priority.code) if incident.priority else "",
        "state": _STATE_CODES[state],
        "hold_reason": _HOLD_CODES[open_hold.reason] if open_hold and open_hold.reason else "",
        "major_incident_state": "accepted" if incident.major else "",
        "opened_at": when(Milestone.REPORTED),
        "promoted_on": when(Milestone.DECLARED),
        "resolved_at": when(Milestone.RESOLVED),
        "closed_at": when(Milestone.CLOSED),
        "reopen_count": str(incident.reopen_count),
        "parent_incident": incident.parent_id or "",
        "problem_id": incident.problem_id or "",
        "rfc": incident.change_id or "",
    }
    if open_hold is not None:
        record["sys_updated_on"] = open_hold.start.astimezone(zone).strftime(_SERVICENOW_TIME)
    return record


_PD_STATUSES: Final = ("triggered", "acknowledged", "resolved")
_PD_URGENCIES: Final = {"high": Urgency.HIGH, "low": Urgency.LOW}


def _pd_time(value: object, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(f"{field} ({value!r}) is not an ISO-8601 timestamp")
    try:
        return instant(value, field=field)
    except MajorIncidentError as error:
        raise RecordError(str(error)) from None


def _entries(log_entries: Iterable[Mapping[str, Any]], kind: str) -> list[datetime]:
    found = []
    for index, entry in enumerate(log_entries):
        if not isinstance(entry, Mapping):
            raise RecordError(f"log_entries[{index}] ({entry!r}) is not a log entry object")
        if entry.get("type") == kind:
            moment = _pd_time(entry.get("created_at"), f"log_entries[{index}].created_at")
            if moment is None:
                raise RecordError(f"log_entries[{index}].created_at (None) is required")
            found.append(moment)
    return found


def from_pagerduty(
    incident: Mapping[str, Any],
    log_entries: Iterable[Mapping[str, Any]] = (),
    *,
    priorities: Mapping[str, Priority] | None = None,
) -> Incident:
    """An incident from a PagerDuty incident object (REST API v2) and its log entries.

    Args:
        incident: the ``incident`` object.
        log_entries: its log entries (``/incidents/{id}/log_entries``), for the first
            acknowledgement and the resolution of resolved incidents.
        priorities: priority name -> Priority, for accounts whose priorities are not named
            ``P1``...``P5``.

    Raises:
        RecordError: a missing id or created_at, an unknown status, urgency or priority name, a
            resolved incident with no resolution time, or milestones out of order; naming the
            field.
    """
    if not isinstance(incident, Mapping):
        raise RecordError(f"incident ({incident!r}) is not a PagerDuty incident (a JSON object)")
    entries = list(log_entries)
    key = incident.get("id")
    if not isinstance(key, str) or not key.strip():
        raise RecordError(f"id ({key!r}) is required: it is the incident's id")
    status = incident.get("status")
    if not isinstance(status, str) or status not in _PD_STATUSES:
        raise RecordError(f"status ({status!r}) is not one of {', '.join(_PD_STATUSES)}")
    urgency = incident.get("urgency")
    if urgency is not None and (not isinstance(urgency, str) or urgency not in _PD_URGENCIES):
        raise RecordError(f"urgency ({urgency!r}) is not one of high, low")
    created = _pd_time(incident.get("created_at"), "created_at")
    if created is None:
        raise RecordError("created_at (missing) is required")
    changed = _pd_time(incident.get("last_status_change_at"), "last_status_change_at")
    acks = _pd_acknowledgements(incident, entries)
    if not acks and status == "acknowledged" and changed is not None:
        acks = [changed]
    resolved = _pd_resolution(incident, entries, changed) if status == "resolved" else None
    service = incident.get("service")
    title = incident.get("title") or incident.get("summary") or ""
    if not isinstance(title, str):
        raise RecordError(f"title ({title!r}) is not a string")
    priority = _pd_priority(incident.get("priority"), priorities)
    try:
        return Incident(
            key,
            title=title,
            service=service.get("summary") if isinstance(service, Mapping) else None,
            channel=_pd_channel(entries),
            urgency=_PD_URGENCIES.get(urgency) if urgency is not None else None,
            priority=priority,
            reported_at=created,
            acknowledged_at=min(acks) if acks else None,
            resolved_at=resolved,
        )
    except MajorIncidentError as error:
        raise RecordError(f"{key}: {error}") from None


def _pd_acknowledgements(
    incident: Mapping[str, Any], entries: list[Mapping[str, Any]]
) -> list[datetime]:
    """Every acknowledgement: the current ones, and those the log keeps."""
    current = incident.get("acknowledgements") or []
    if not isinstance(current, list):
        raise RecordError(f"acknowledgements ({current!r}) is not a list")
    found = [
        _pd_time(ack.get("at") if isinstance(ack, Mapping) else ack, f"acknowledgements[{n}].at")
        for n, ack in enumerate(current)
    ]
    return [a for a in found if a is not None] + _entries(entries, "acknowledge_log_entry")


def _pd_resolution(
    incident: Mapping[str, Any], entries: list[Mapping[str, Any]], changed: datetime | None
) -> datetime:
    """When a resolved incident was resolved: its field, its log, or its last status change."""
    resolved = _pd_time(incident.get("resolved_at"), "resolved_at")
    if resolved is None:
        resolutions = _entries(entries, "resolve_log_entry")
        resolved = min(resolutions) if resolutions else changed
    if resolved is None:
        raise RecordError(
            "resolved_at (missing) is required for a resolved incident: pass the "
            "resolve_log_entry or last_status_change_at"
        )
    return resolved


_PD_CHANNELS: Final = {
    "email": Channel.EMAIL,
    "web_trigger": Channel.PORTAL,
    "website": Channel.PORTAL,
    "mobile": Channel.PORTAL,
    "phone": Channel.PHONE,
}


def _pd_channel(entries: list[Mapping[str, Any]]) -> Channel | None:
    """How it was triggered: by e-mail, by a person on the web or app, else by monitoring."""
    for entry in entries:
        if entry.get("type") == "trigger_log_entry":  # entries are mappings: _entries checked
            channel = entry.get("channel")
            kind = channel.get("type") if isinstance(channel, Mapping) else None
            return _PD_CHANNELS.get(kind, Channel.MONITORING) if isinstance(kind, str) else None
    return None


def _pd_priority(value: object, priorities: Mapping[str, Priority] | None) -> Priority | None:
    if value is None:
        return None
    name = value.get("name") or value.get("summary") if isinstance(value, Mapping) else None
    if not isinstance(name, str):
        raise RecordError(f"priority ({value!r}) has no name")
    if priorities is not None:
        if name not in priorities:
            raise RecordError(
                f"priority.name ({name!r}) is not one of the priorities given: "
                f"{', '.join(priorities)}"
            )
        return priorities[name]
    try:
        return Priority.parse(name, field="priority.name")
    except MajorIncidentError as error:
        raise RecordError(str(error)) from None
