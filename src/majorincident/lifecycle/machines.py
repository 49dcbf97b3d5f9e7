"""The incident, problem and change lifecycles."""

from __future__ import annotations

from statemachine import State

from majorincident._checks import enum_member
from majorincident.errors import TransitionError
from majorincident.incident import HoldReason
from majorincident.lifecycle.base import Lifecycle

__all__ = ["ChangeLifecycle", "IncidentLifecycle", "ProblemLifecycle"]


def _hold_reason(value: object) -> HoldReason:
    """Return the hold reason for a member or its value.

    Raises:
        TransitionError: any other value, naming it and the allowed ones.
    """
    return enum_member(HoldReason, value, "reason", TransitionError)


class IncidentLifecycle(Lifecycle):
    """An incident: new, in progress, on hold (with a reason), resolved, closed or canceled.

    >>> incident = IncidentLifecycle()
    >>> incident.start(); incident.hold(reason="awaiting_vendor"); incident.hold_reason
    <HoldReason.AWAITING_VENDOR: 'awaiting_vendor'>
    >>> incident.resume(); incident.resolve(); incident.current_state_value
    'resolved'
    """

    new = State("New", initial=True)
    in_progress = State("In progress")
    on_hold = State("On hold")
    resolved = State("Resolved")
    closed = State("Closed", final=True)
    canceled = State("Canceled", final=True)

    start = new.to(in_progress)
    hold = in_progress.to(on_hold, validators="_check_reason")
    resume = on_hold.to(in_progress)
    resolve = in_progress.to(resolved) | on_hold.to(resolved)
    close = resolved.to(closed)
    cancel = new.to(canceled) | in_progress.to(canceled) | on_hold.to(canceled)
    reopen = resolved.to(in_progress)

    @property
    def hold_reason(self) -> HoldReason | None:
        """Why the incident is on hold; None when it is not."""
        if self.current_state_value != "on_hold":
            return None
        return getattr(self.model, "hold_reason", None)

    def _check_reason(self, reason: object = None) -> None:
        self.model.hold_reason = _hold_reason(reason)


class ProblemLifecycle(Lifecycle):
    """The problem ticket opened to find a major incident's root cause.

    Logged, under investigation, known error (root cause and workaround documented), resolved,
    closed.
    """

    logged = State("Logged", initial=True)
    under_investigation = State("Under investigation")
    known_error = State("Known error")
    resolved = State("Resolved")
    closed = State("Closed", final=True)

    investigate = logged.to(under_investigation)
    record_known_error = under_investigation.to(known_error)
    resolve = under_investigation.to(resolved) | known_error.to(resolved)
    close = resolved.to(closed)


class ChangeLifecycle(Lifecycle):
    """The change that implements a major incident's fix.

    Requested, then approved or rejected; scheduled, implemented; failed or backed out when it did
    not work; reviewed, closed.
    """

    requested = State("Requested", initial=True)
    approved = State("Approved")
    rejected = State("Rejected", final=True)
    scheduled = State("Scheduled")
    implemented = State("Implemented")
    failed = State("Failed")
    backed_out = State("Backed out")
    reviewed = State("Reviewed")
    closed = State("Closed", final=True)

    approve = requested.to(approved)
    reject = requested.to(rejected)
    schedule = approved.to(scheduled)
    implement = scheduled.to(implemented)
    fail = implemented.to(failed)
    back_out = implemented.to(backed_out) | failed.to(backed_out)
    review = implemented.to(reviewed) | failed.to(reviewed) | backed_out.to(reviewed)
    close = reviewed.to(closed)
