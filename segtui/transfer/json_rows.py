"""JSON objects as import rows (C21.1.8): a batch the HTTP API receives goes through the
file importer's column matching and cell checks, so a contact or event sent over HTTP is
accepted, refused and reported exactly as the same row of a CSV file would be.

The batch's keys, in the order first seen, are its header; each object's values are its
cells (a missing key or null: an empty cell). A key that names no field is refused for
the whole batch: in a file it would be reported and skipped, but an API client that
misspells "emial" should hear so before anything is written.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from segtui.core import clock
from segtui.core.contact_keys import MatchKey
from segtui.core.formats.column_plan import ColumnUse, Skip
from segtui.core.formats.contact_columns import (
    ImportError_,
    map_columns,
    match_columns,
    plan_contact_columns,
)
from segtui.core.formats.contact_fields import Field
from segtui.core.formats.contacts_csv import ContactIn, RowProblem, RowReader
from segtui.core.formats.events_csv import (
    EVENT_FIELD_EXAMPLE,
    KNOWN,
    EventField,
    EventIn,
    EventReader,
    map_event_columns,
)

JsonCell = str | int | float | bool | None
FIRST_LINE = 2  # line 1 is a file's header: row i of a batch reads as line i + 2


def _header(objects: Sequence[Mapping[str, JsonCell]]) -> list[str]:
    seen: dict[str, None] = {}
    for obj in objects:
        for key in obj:
            seen.setdefault(key, None)
    return list(seen)


def _cell(value: JsonCell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _cells(objects: Sequence[Mapping[str, JsonCell]], header: list[str]
           ) -> Iterator[tuple[int, list[str]]]:
    for index, obj in enumerate(objects):
        yield index + FIRST_LINE, [_cell(obj.get(key)) for key in header]


def _refuse_unknown(columns: Sequence[ColumnUse[Any]], example: str) -> None:
    unknown = [use.label for use in columns if use.target is Skip.UNKNOWN]
    if unknown:
        names = ", ".join(repr(u) for u in unknown)
        raise ValueError(f"unknown field name: {names}; use {example}")


def contact_rows(objects: Sequence[Mapping[str, JsonCell]]
                 ) -> tuple[Iterator[ContactIn | list[RowProblem]], dict[Field, str]]:
    """The rows to give `store.transfer.import_contacts`, and the fields' names for its
    messages; ValueError when the batch's keys can't be imported at all."""
    header = _header(objects)
    example = "the import's column names (Email, Name, Company, ...)"
    try:
        columns = map_columns(header)
    except ImportError_ as exc:  # unknown keys said first, as when the batch is taken
        _refuse_unknown(plan_contact_columns(header, None, None, MatchKey.EMAIL).columns,
                        example)
        raise ValueError(str(exc)) from None
    _refuse_unknown(columns.columns, example)
    reader = RowReader(columns, header, clock.today())
    headers = {f: header[i] for f, i in columns.fields.items()}
    return (reader.read(cells, line) for line, cells in _cells(objects, header)), headers


def event_rows(objects: Sequence[Mapping[str, JsonCell]]
               ) -> tuple[Iterator[list[EventIn] | list[RowProblem]], str]:
    """The rows to give `store.transfer.import_events`, and the email field's name;
    ValueError when the batch's keys can't be imported at all."""
    header = _header(objects)
    example = "Email, Type, Occurred At, Campaign, Revenue"
    try:
        columns = map_event_columns(header, {}, results=False)
    except ImportError_ as exc:  # unknown keys said first, unless no key is known at all
        with contextlib.suppress(ImportError_):
            _refuse_unknown(match_columns(header, KNOWN, {}, EVENT_FIELD_EXAMPLE).columns,
                            example)
        raise ValueError(str(exc)) from None
    _refuse_unknown(columns.columns, example)
    today = clock.today()
    reader = EventReader(columns, header, today, datetime.combine(today, datetime.min.time()))
    email = header[columns.fields[EventField.EMAIL]]
    return (reader.read(cells, line) for line, cells in _cells(objects, header)), email
