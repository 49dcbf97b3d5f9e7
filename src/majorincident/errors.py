"""The exception hierarchy.

Every error the library raises is a :class:`MajorIncidentError`. Each subclass also inherits the
builtin exception that matches its meaning, so callers that already catch ``ValueError`` or
``PermissionError`` keep working. Messages name the field, the value and what was expected.
"""

from __future__ import annotations

__all__ = [
    "ClassificationError",
    "ConcurrencyError",
    "ConfigurationError",
    "GateError",
    "MajorIncidentError",
    "NaiveDateTimeError",
    "NotAuthorizedError",
    "RecordError",
    "TaskError",
    "TimelineError",
    "TransitionError",
]


class MajorIncidentError(Exception):
    """The root of every error raised by majorincident."""


class NaiveDateTimeError(MajorIncidentError, ValueError):
    """A timestamp carries no UTC offset.

    Raised for a naive :class:`~datetime.datetime` and for an ISO-8601 string without an offset
    or ``Z``: the instant it denotes is unknowable, so it is refused rather than guessed.
    """


class ConcurrencyError(MajorIncidentError, ValueError):
    """A call expected another version of a timeline than the one it would append to.

    Raised when ``expected_version=`` differs from the number of events: another writer appended
    first. Nothing changes; read the timeline again and decide whether the call still applies.
    """


class TimelineError(MajorIncidentError, ValueError):
    """Instants are unusable or out of order.

    Raised for an unparseable or out-of-range timestamp, a negative duration, milestones out of
    order, and events that go back in time or arrive out of sequence.
    """


class ConfigurationError(MajorIncidentError, ValueError):
    """A definition is invalid.

    Raised when a priority matrix, RACI matrix, process, calendar or policy is built from parts
    that do not make a consistent whole. The message names the offending cell, activity or window.
    """


class ClassificationError(MajorIncidentError, ValueError):
    """A value is not a known impact, urgency or priority.

    The message names the value and lists the values that are accepted.
    """


class TransitionError(MajorIncidentError, ValueError):
    """An event is not allowed in the current state, or a stored state is unknown.

    Nothing changes when it is raised: the machine stays in the state it was in.
    """


class GateError(MajorIncidentError, ValueError):
    """A stage cannot be left, or an activity does not belong to the current stage.

    The message lists the required activities that are still missing, by title.
    """


class NotAuthorizedError(MajorIncidentError, PermissionError):
    """A person acts outside the roles the RACI matrix gives them at that instant.

    The message names the person, the roles they hold then and the roles that are allowed.
    """


class RecordError(MajorIncidentError, ValueError):
    """A record cannot be read: a serialised document, or a report or row handed in.

    The message names the field (for JSON, its path) and what was expected there.
    """


class TaskError(MajorIncidentError, ValueError):
    """A workflow call lacks what it needs, or would duplicate effort.

    Raised for a task assigned twice, an unknown or completed task, a missing reason, and a
    problem or change id missing where the activity creates one.
    """
