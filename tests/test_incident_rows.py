"""Tests that pin the bulk row reader and the record's storage, beside the private modules.

``Incident.from_rows`` gives the same records and errors whichever way it reads a row (in
bulk, column by column, or through the constructor), so its public face cannot tell whether
the fast path ran. These tests can: they shrink the chunk, forbid the row-by-row path, and
read the storage's slots, on purpose. They belong to ``incident/_rows.py`` and
``incident/_storage.py`` and change with them; the behaviour itself is tested through the
public API in ``test_incident.py``.
"""

from __future__ import annotations

from unittest import mock

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.test_incident import at, one_by_one, tables

from majorincident.errors import MajorIncidentError
from majorincident.incident import Incident, IncidentKind
from majorincident.incident._storage import SLOTS


class TestBulkReader:
    @given(tables(), st.integers(1, 3))
    def test_chunks_do_not_change_the_result(
        self, table: tuple[tuple[str, ...], list[tuple[object, ...]]], chunk: int
    ) -> None:
        """Rows read a few at a time give the same records and name the same bad row."""
        fields, rows = table
        expected = one_by_one(fields, rows)

        with mock.patch("majorincident.incident._rows._CHUNK", chunk):
            try:
                found: list[Incident] | str = Incident.from_rows(fields, rows)
            except MajorIncidentError as error:
                found = f"{type(error).__name__}: {error}"

        assert expected == found

    def test_an_export_in_stored_form_skips_the_constructor(self) -> None:
        """5,000 rows of UTC strings are read in bulk into the records the constructor gives."""
        rows = [
            (f"INC{n}", "cdn", at(n).isoformat().replace("+00:00", "Z"), at(n + 5), None)
            for n in range(5_000)
        ]
        fields = ("id", "service", "reported_at", "resolved_at", "closed_at")

        with mock.patch("majorincident.incident._rows._slow_row", side_effect=AssertionError):
            records = Incident.from_rows(fields, rows)

        assert one_by_one(fields, rows) == records
        assert Incident is type(records[-1])
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            records[0].title = "changed"  # type: ignore[misc]

    def test_every_kind_of_field_in_bulk(self) -> None:
        """Text, converted values, empty collections and absent milestones are read in bulk."""
        fields = ("id", "title", "parent_id", "impact", "kind", "child_ids", "started_at")
        rows = [
            ("INC1", "", None, "high", "drill", (), at(0)),
            ("INC2", "down", "INC1", "high", IncidentKind.NORMAL, None, None),
            ("INC3", "up", None, 1, "drill", [], at(2)),
        ]

        with mock.patch("majorincident.incident._rows._slow_row", side_effect=AssertionError):
            records = Incident.from_rows(fields, rows)

        assert one_by_one(fields, rows) == records
        assert [IncidentKind.DRILL, IncidentKind.NORMAL] == [r.kind for r in records[:2]]

    def test_slots_follow_the_fields(self) -> None:
        """The storage's slots are the record's fields, in order."""
        assert tuple(f.name for f in attrs.fields(Incident)) == SLOTS
