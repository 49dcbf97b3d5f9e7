"""Records to and from JSON: versioned, strict, and naming the JSON path of whatever is wrong.

Every document is a JSON object with ``schema_version`` and ``type`` next to the record's fields.
Timestamps are ISO-8601 strings in UTC, durations are seconds, enums are their stable values,
sets are sorted lists. Loading is strict: a key that is unknown or missing, a value of the wrong
JSON type (``5`` is not ``"5"``), a naive or out-of-range timestamp, an unknown enum value, a
``NaN``, a duplicate key or a document from a newer schema raises :class:`RecordError`, and only
that, with the JSON path of the bad field. Documents of older schema versions are brought up to
date by the pure functions in :data:`MIGRATIONS` before they are read.

>>> from majorincident.incident import Incident
>>> incident = Incident("INC-1", service="cdn", reported_at="2019-07-02T15:45:00+02:00")
>>> text = to_json(incident)
>>> text
'{"schema_version": 4, "type": "incident", "id": "INC-1", ...'
>>> from_json(text, Incident) == incident
True
>>> from_json(text.replace('"cdn"', "5"), Incident)
Traceback (most recent call last):
...
majorincident.errors.RecordError: $.service: 5 is not a string
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final, TypeVar, overload

from majorincident.kpi import CANNOT_TELL, POWER, REAL_CHANGE
from majorincident.kpi.power import interval_detectable
from majorincident.serialization._documents import NAMES, TYPES, document_codec, name_of
from majorincident.serialization._paths import Json, fail, show
from majorincident.serialization._reader import MAX_DEPTH, check_tree, parse

__all__ = [
    "MAX_DEPTH",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "TYPES",
    "from_dict",
    "from_json",
    "json_schema",
    "to_dict",
    "to_json",
]

#: The version of the documents this release writes.
SCHEMA_VERSION: Final = 4
Migration = Callable[[dict[str, Json]], dict[str, Json]]


def _unchained_events(document: dict[str, Json]) -> dict[str, Json]:
    """Version 1 to 2: events gain ``digest``, null for events stored before timelines chained.

    Replaying such a timeline chains it from there on; tampering before that cannot be seen.
    """
    kind = document.get("type")
    if kind == "event":
        return {"digest": None, **document}
    key = {"timeline": "events", "step": "events", "post_incident_review": "timeline"}.get(
        str(kind)
    )
    events = document.get(key) if key is not None else None
    if key is None or not isinstance(events, list):  # nothing to add, or the loader names it
        return dict(document)
    return {
        **document,
        key: [{"digest": None, **e} if isinstance(e, dict) else e for e in events],
    }


def _summaries_count(document: dict[str, Json], key: str) -> dict[str, Json]:
    """Every summary in the document gains the count `key`, 0: none was counted apart then."""
    return _summaries_gain(document, {key: 0})


def _summaries_gain(document: dict[str, Json], added: dict[str, Json]) -> dict[str, Json]:
    """Every summary in the document gains the keys `added`, with their values."""
    kind = document.get("type")
    if kind == "summary":
        return {**added, **document}
    if kind == "report_row":
        return {**document, "summary": _with_keys(document.get("summary"), added)}
    rows = document.get("rows")
    if kind == "kpi_report" and isinstance(rows, list):
        return {
            **document,
            "rows": [
                {**row, "summary": _with_keys(row.get("summary"), added)}
                if isinstance(row, dict)
                else row
                for row in rows
            ],
        }
    return dict(document)


def _with_keys(summary: Json, added: dict[str, Json]) -> Json:
    return {**added, **summary} if isinstance(summary, dict) else summary


def _version_2(document: dict[str, Json]) -> dict[str, Json]:
    """Version 1 to 2: events gain digests, summaries count negative durations."""
    return _summaries_count(_unchained_events(document), "negative")


def _version_3(document: dict[str, Json]) -> dict[str, Json]:
    """Version 2 to 3: summaries count the incidents over without the end (``missing_end``).

    Version 2 counted them as open; which of its open ones were over cannot be told from the
    summary, so they stay open and ``missing_end`` is 0.
    """
    return _summaries_count(document, "missing_end")


def _version_4(document: dict[str, Json]) -> dict[str, Json]:
    """Version 3 to 4: trend rows and comparisons gain verdicts, and what they could detect.

    Version 3 tested each period alone, so a trend row's adjusted p-value is its p-value; what
    rise the test could detect cannot be told from one row (it needs the series' rate), so it
    is null. A comparison's detectable change is read off its interval, as it is computed.
    Summaries gain the intervals of their medians, null: the durations they would be read
    from are not in the document.
    """
    if document.get("type") == "comparison":
        return _compared(document)
    if document.get("type") != "trend_row":
        return _summaries_gain(document, dict.fromkeys(_INTERVALS))
    old = {key: value for key, value in document.items() if key != "likely_noise"}
    p_value = document.get("p_value")
    noise = document.get("likely_noise")
    verdict = None if noise is None else (CANNOT_TELL if noise else REAL_CHANGE)
    return {**old, "adjusted_p_value": p_value, "verdict": verdict, "detectable_rise": None}


#: The summary's keys new in version 4.
_INTERVALS: Final = ("median_low", "median_high", "km_median_low", "km_median_high")


def _compared(document: dict[str, Json]) -> dict[str, Json]:
    low, high, confidence = (document.get(key) for key in ("low", "high", "confidence"))
    numbers = [value for value in (low, high, confidence) if isinstance(value, int | float)]
    detectable = (
        interval_detectable(low, high, confidence, POWER)  # type: ignore[arg-type]
        if len(numbers) == 3 and 0 < low <= high and 0 < confidence < 1  # type: ignore[operator]
        else None
    )
    verdict = REAL_CHANGE if document.get("conclusive") is True else CANNOT_TELL
    return {**document, "verdict": verdict, "detectable_change": detectable}


#: ``MIGRATIONS[n]`` turns a version-``n`` document into a version ``n + 1`` one, without
#: changing its argument.
MIGRATIONS: Final[dict[int, Migration]] = {1: _version_2, 2: _version_3, 3: _version_4}


T = TypeVar("T")


def to_dict(value: object) -> dict[str, Json]:
    """The document for a record or a timeline (a sequence of events): JSON-compatible values.

    Raises:
        RecordError: `value` is not a record documents hold, or holds what no document can
            (a calendar's computed holidays, a priority matrix over custom enum levels).
    """
    name = name_of(value)
    body = document_codec(name).dump(tuple(value) if name == "timeline" else value, "$")  # type: ignore[arg-type]
    return {"schema_version": SCHEMA_VERSION, "type": name, **body}


def to_json(value: object, *, indent: int | None = None) -> str:
    """The document for a record or a timeline, as JSON text (see :func:`to_dict`)."""
    return json.dumps(to_dict(value), ensure_ascii=False, allow_nan=False, indent=indent)


@overload
def from_dict(data: object, kind: type[T]) -> T: ...
@overload
def from_dict(data: object, kind: str | None = None) -> Any: ...  # noqa: ANN401
def from_dict(data: object, kind: type | str | None = None) -> Any:
    """The record (or the tuple of events) a document holds.

    Args:
        data: the document, as :func:`to_dict` made it (perhaps by an older release).
        kind: the record type expected (a class, or a name of :data:`TYPES` such as
            ``"timeline"``); any when None.

    Raises:
        RecordError: anything wrong with the document, naming the JSON path of the bad field.
    """
    check_tree(data)
    return _from_checked(data, kind)


def _from_checked(data: object, kind: type | str | None, *, owned: bool = False) -> Any:  # noqa: ANN401
    """The record a document holds whose tree was checked (or parsed with nothing to check).

    An `owned` document (parsed here, so no caller holds it) gives its body up in place.
    """
    if not isinstance(data, dict):
        fail("$", f"{show(data)} is not an object")
    document = _migrated(data)
    name = document.get("type")
    if type(name) is not str or name not in TYPES:
        fail("$.type", f"{show(name)} is not a record type; expected one of {', '.join(TYPES)}")
    if kind is not None:
        wanted = kind if isinstance(kind, str) else NAMES.get(kind, kind.__name__)
        if wanted != name:
            fail("$.type", f"{name!r} is not the {wanted!r} asked for")
    if owned or document is not data:  # a migrated document is a new one too
        del document["schema_version"], document["type"]
        body = document
    else:
        body = {k: v for k, v in document.items() if k not in ("schema_version", "type")}
    return document_codec(name).load(body, "$")


def _migrated(document: dict[str, Json]) -> dict[str, Json]:
    version = document.get("schema_version")
    if type(version) is not int or version < 1:
        fail("$.schema_version", f"{show(version)} is not a schema version (1, 2, ...)")
    if version > SCHEMA_VERSION:
        fail(
            "$.schema_version",
            f"{version} is newer than this release reads ({SCHEMA_VERSION}); upgrade majorincident",
        )
    while version < SCHEMA_VERSION:
        document = {**MIGRATIONS[version](document), "schema_version": version + 1}
        version += 1
    return document


def from_json(text: str | bytes, kind: type | str | None = None) -> Any:  # noqa: ANN401
    """The record a JSON document holds (see :func:`from_dict`).

    Raises:
        RecordError: malformed JSON (with its line and column), duplicate keys, ``NaN`` or
            ``Infinity``, numbers out of range, nesting deeper than :data:`MAX_DEPTH`, and
            everything :func:`from_dict` refuses; naming the JSON path.
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as error:
            fail("$", f"not UTF-8 text: {error}")
    if not isinstance(text, str):
        fail("$", f"{show(text)} is not JSON text")
    data, suspect = parse(text)
    if suspect:
        check_tree(data)
    return _from_checked(data, kind, owned=True)


def json_schema(kind: type | str) -> dict[str, Json]:
    """A JSON Schema (draft 2020-12) for the documents of a record type, for other tools.

    Args:
        kind: a record class, or a name of :data:`TYPES` such as ``"timeline"``.

    Raises:
        RecordError: `kind` is not a record type documents hold.
    """
    name = kind if isinstance(kind, str) else NAMES.get(kind)
    if name is None or name not in TYPES:
        fail("$", f"{show(kind)} is not a record type; expected one of {', '.join(TYPES)}")
    schema = document_codec(name).schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": name,
        "type": "object",
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "type": {"const": name},
            **schema["properties"],
        },
        "required": ["schema_version", "type", *schema["required"]],
        "additionalProperties": False,
    }
