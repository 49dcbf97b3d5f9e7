"""PagerDuty incident objects (REST API v2) and their log entries to incident records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final

from majorincident._checks import nonempty
from majorincident.classification import Channel, Priority, Urgency
from majorincident.clock import instant
from majorincident.errors import MajorIncidentError, RecordError
from majorincident.incident import Incident
from majorincident.interop._columns import COLUMNS, at_path
from majorincident.interop._log import EventLog, Phase

__all__ = ["ENTRY_MEANINGS", "PAGERDUTY_LOG", "from_pagerduty"]

_PD: Final = COLUMNS["pagerduty"]
#: The kinds of log entry that move an incident, and where to.
TRIGGER, ACKNOWLEDGE, UNACKNOWLEDGE, RESOLVE = (
    "trigger_log_entry",
    "acknowledge_log_entry",
    "unacknowledge_log_entry",
    "resolve_log_entry",
)
#: What each kind of PagerDuty log entry that moves an incident means: a trigger opens it, an
#: acknowledgement is work, an unacknowledgement (the acknowledgement timed out) puts it back
#: to triggered, a resolution resolves it. The other kinds (notifications, assignments,
#: escalations, notes, snoozes, urgency and priority changes) move nothing.
ENTRY_MEANINGS: Final = {
    TRIGGER: Phase.NEW,
    ACKNOWLEDGE: Phase.WORKING,
    UNACKNOWLEDGE: Phase.NEW,
    RESOLVE: Phase.RESOLVED,
}
#: PagerDuty log entries (``/log_entries``, as the API returns them or flattened by
#: ``pandas.json_normalize``): ``incident.id``, ``type``, ``created_at``, ``service.summary``.
#: The entries that move an incident (:data:`ENTRY_MEANINGS`) are kept, in time order;
#: reported is the first one's time (the trigger), acknowledged the first acknowledgement,
#: resolved the last resolution. The service is the latest entry's.
PAGERDUTY_LOG: Final = EventLog(
    case="incident.id",
    state="type",
    at="created_at",
    order=("created_at",),
    opened=None,
    states=ENTRY_MEANINGS,
    fields={"service": "service.summary"},
    only=("type", ENTRY_MEANINGS),
)


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
    key = at_path(incident, _PD["id"])
    nonempty(key, _PD["id"])
    status = incident.get("status")
    if not isinstance(status, str) or status not in _PD_STATUSES:
        raise RecordError(f"status ({status!r}) is not one of {', '.join(_PD_STATUSES)}")
    urgency = at_path(incident, _PD["urgency"])
    if urgency is not None and (not isinstance(urgency, str) or urgency not in _PD_URGENCIES):
        raise RecordError(f"urgency ({urgency!r}) is not one of high, low")
    created = _pd_time(at_path(incident, _PD["reported_at"]), _PD["reported_at"])
    if created is None:
        raise RecordError("created_at (missing) is required")
    changed = _pd_time(incident.get("last_status_change_at"), "last_status_change_at")
    acks = _pd_acknowledgements(incident, entries)
    if not acks and status == "acknowledged" and changed is not None:
        acks = [changed]
    resolved = _pd_resolution(incident, entries, changed) if status == "resolved" else None
    service = at_path(incident, _PD["service"])
    title = at_path(incident, _PD["title"]) or incident.get("summary") or ""
    if not isinstance(title, str):
        raise RecordError(f"title ({title!r}) is not a string")
    priority = _pd_priority(incident.get("priority"), priorities)
    try:
        return Incident(
            key,
            title=title,
            service=service,
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
    return [a for a in found if a is not None] + _entries(entries, ACKNOWLEDGE)


def _pd_resolution(
    incident: Mapping[str, Any], entries: list[Mapping[str, Any]], changed: datetime | None
) -> datetime:
    """When a resolved incident was resolved: its field, its log, or its last status change."""
    resolved = _pd_time(at_path(incident, _PD["resolved_at"]), _PD["resolved_at"])
    if resolved is None:
        resolutions = _entries(entries, RESOLVE)
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
        if entry.get("type") == TRIGGER:  # entries are mappings: _entries checked
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
