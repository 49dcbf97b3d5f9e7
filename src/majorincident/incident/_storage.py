"""Where an :class:`~majorincident.incident.Incident` keeps its fields, and how it fills them.

The record and the bulk row reader share this layout and its fast way of filling it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, cast

#: The record's fields, in the order they are stored.
SLOTS: Final = (
    "id",
    "title",
    "service",
    "affected_services",
    "channel",
    "impact",
    "urgency",
    "priority",
    "major",
    "kind",
    "_moments",
    "holds",
    "reopen_count",
    "parent_id",
    "child_ids",
    "problem_id",
    "change_id",
)


class Storage:
    """Where an incident record keeps its fields: the slots, declared once for two classes."""

    __slots__ = (*SLOTS, "__weakref__")


class Writable(Storage):
    """The same storage without the frozen record's guard, to fill a record before it is one.

    A frozen record refuses attribute assignment, so each field would cost a call to
    ``object.__setattr__``; a writable object with the same layout takes plain assignments,
    which CPython specialises, and then becomes an incident record by ``__class__``
    assignment, which the identical layout permits. Filling a record this way costs a fifth
    as much, which counts when records are built by the million.
    """

    __slots__ = ()


def store(record: object, values: Sequence[Any], final: type) -> None:
    """Store `values` (in :data:`SLOTS` order) into a record being built, of class `final`.

    `record` is a :class:`Writable` or a new `final` object; a subclass of `final`, which may
    add slots of its own, is filled one attribute at a time.
    """
    kind = type(record)
    if kind is final:
        object.__setattr__(record, "__class__", Writable)
    elif kind is not Writable:  # a subclass may add slots, so it keeps the generic path
        for name, value in zip(SLOTS, values, strict=True):
            object.__setattr__(record, name, value)
        return
    filled = cast("Any", record)
    (
        filled.id,
        filled.title,
        filled.service,
        filled.affected_services,
        filled.channel,
        filled.impact,
        filled.urgency,
        filled.priority,
        filled.major,
        filled.kind,
        filled._moments,  # noqa: SLF001 - the slot this module declares
        filled.holds,
        filled.reopen_count,
        filled.parent_id,
        filled.child_ids,
        filled.problem_id,
        filled.change_id,
    ) = values
    filled.__class__ = final
