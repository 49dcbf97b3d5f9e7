"""ServiceNow ``incident`` records to and from :class:`~majorincident.incident.Incident`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from majorincident.classification import Channel, Impact, Priority, Urgency
from majorincident.clock import instant, load_zone
from majorincident.errors import MajorIncidentError, RecordError
from majorincident.incident import Hold, HoldReason, Incident, Milestone
from majorincident.interop._columns import COLUMNS

_SN: Final = COLUMNS["servicenow"]
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
    number = _text(record, _SN["id"])
    if number is None:
        raise RecordError("number (missing) is required: it is the incident's id")
    state = _choice(record, "state", _STATES)
    reason = _choice(record, "hold_reason", _HOLD_REASONS)
    major_state = _choice(record, _SN["major"], {s: s for s in _MAJOR_STATES})
    opened = _servicenow_time(record, _SN["reported_at"], zone) or _servicenow_time(
        record, "sys_created_on", zone
    )
    holds: tuple[Hold, ...] = ()
    if state == "on_hold":
        since = _servicenow_time(record, "sys_updated_on", zone) or opened
        if since is None:
            raise RecordError("opened_at (missing) is required for a record on hold")
        holds = (Hold(since, None, reason),)
    reopen = _text(record, _SN["reopen_count"]) or "0"
    if not reopen.isdigit():
        raise RecordError(f"reopen_count ({reopen!r}) is not a whole number")
    try:
        return Incident(
            number,
            title=_text(record, _SN["title"]) or "",
            service=_text(record, _SN["service"]),
            affected_services=() if (ci := _text(record, "cmdb_ci")) is None else (ci,),
            channel=_choice(record, _SN["channel"], _CONTACT_TYPES),
            impact=_level(record, _SN["impact"], Impact),
            urgency=_level(record, _SN["urgency"], Urgency),
            priority=_level(record, _SN["priority"], Priority),
            major=major_state == "accepted",
            reported_at=opened,
            declared_at=_servicenow_time(record, _SN["declared_at"], zone),
            resolved_at=_servicenow_time(record, _SN["resolved_at"], zone),
            closed_at=_servicenow_time(record, _SN["closed_at"], zone),
            holds=holds,
            reopen_count=int(reopen),
            parent_id=_text(record, _SN["parent_id"]),
            problem_id=_text(record, _SN["problem_id"]),
            change_id=_text(record, _SN["change_id"]),
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
    fields = {
        "id": incident.id,
        "title": incident.title,
        "service": incident.service or "",
        "channel": _CHANNEL_CODES[incident.channel] if incident.channel else "",
        "impact": str(incident.impact.code) if incident.impact else "",
        "urgency": str(incident.urgency.code) if incident.urgency else "",
        "priority": str(incident.priority.code) if incident.priority else "",
        "reported_at": when(Milestone.REPORTED),
        "declared_at": when(Milestone.DECLARED),
        "resolved_at": when(Milestone.RESOLVED),
        "closed_at": when(Milestone.CLOSED),
        "reopen_count": str(incident.reopen_count),
        "parent_id": incident.parent_id or "",
        "problem_id": incident.problem_id or "",
        "change_id": incident.change_id or "",
    }
    record = {_SN[field]: value for field, value in fields.items()}
    record |= {
        "cmdb_ci": next(iter(sorted(incident.affected_services)), ""),
        "state": _STATE_CODES[state],
        "hold_reason": _HOLD_CODES[open_hold.reason] if open_hold and open_hold.reason else "",
        _SN["major"]: "accepted" if incident.major else "",
    }
    if open_hold is not None:
        record["sys_updated_on"] = open_hold.start.astimezone(zone).strftime(_SERVICENOW_TIME)
    return record
