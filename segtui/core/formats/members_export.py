"""Member export records and their CSV / JSON forms (I6).

The CSV header uses the importer's field names (segtui.core.formats.contact_fields.Field), so an
export imports back unchanged; computed columns (Id, Total Spent, Purchases, Last Activity)
are recognised by the importer and left alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO

from segtui.core.formats.contact_fields import TAG_SEPARATOR, Field
from segtui.core.formats.csv_safe import Cell, write_rows, write_rows_only
from segtui.core.formats.file_formats import ExportFormat
from segtui.core.formatting import iso
from segtui.core.text import safe_json


@dataclass(frozen=True)
class MemberRecord:
    id: int
    name: str
    email: str | None
    phone: str | None
    title: str | None
    company: str | None
    company_size: str | None
    industry: str | None
    status: str
    lifecycle_stage: str | None
    source: str | None
    city: str | None
    state: str | None
    country: str | None
    region: str | None
    quality_score: int
    tags: tuple[str, ...]
    created_at: datetime
    last_contacted_at: datetime | None
    spent_cents: int
    purchases: int
    last_activity_at: datetime | None
    external_id: str | None = None  # the id in the system it came from (I16.16)


MEMBER_HEADER = (
    "Id", Field.NAME.value, Field.EMAIL.value, Field.PHONE.value, Field.TITLE.value,
    Field.COMPANY.value, Field.COMPANY_SIZE.value, Field.INDUSTRY.value,
    Field.STATUS.value, Field.LIFECYCLE.value, Field.SOURCE.value, Field.CITY.value,
    Field.STATE.value, Field.COUNTRY.value, Field.REGION.value, Field.QUALITY.value,
    Field.TAGS.value, Field.CREATED.value, Field.LAST_CONTACTED.value, "Total Spent",
    "Purchases", "Last Activity", Field.EXTERNAL_ID.value,
)


def _when(value: datetime | None) -> str | None:
    """A time in a CSV cell, to the second (a spreadsheet's own form, with a space)."""
    return value.isoformat(sep=" ", timespec="seconds") if value else None


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def csv_row(r: MemberRecord) -> list[Cell]:
    return [
        r.id, r.name, r.email, r.phone, r.title, r.company, _text(r.company_size),
        r.industry, str(r.status), _text(r.lifecycle_stage), _text(r.source), r.city,
        r.state, r.country, r.region, r.quality_score, f"{TAG_SEPARATOR} ".join(r.tags),
        _when(r.created_at), _when(r.last_contacted_at),
        f"{r.spent_cents // 100}.{r.spent_cents % 100:02d}", r.purchases,
        _when(r.last_activity_at), r.external_id,
    ]


def json_object(r: MemberRecord) -> dict[str, object]:
    """The JSON shape (docs/import-export.md): money in integer cents, times ISO 8601."""
    return {
        "id": r.id, "name": r.name, "email": r.email, "phone": r.phone, "title": r.title,
        "company": r.company, "company_size": _text(r.company_size),
        "industry": r.industry, "status": str(r.status),
        "lifecycle_stage": _text(r.lifecycle_stage), "source": _text(r.source),
        "city": r.city, "state": r.state, "country": r.country, "region": r.region,
        "quality_score": r.quality_score, "tags": list(r.tags),
        "created_at": iso(r.created_at), "last_contacted_at": iso(r.last_contacted_at),
        "spent_cents": r.spent_cents, "purchases": r.purchases,
        "last_activity_at": iso(r.last_activity_at),
        "external_id": r.external_id,
    }


def json_lines(records: Iterable[MemberRecord], *, array: bool) -> Iterator[str]:
    """Text chunks of a JSON array (one member per line) or of JSON Lines. Control and
    bidi characters are \\u escapes: the text parses back exactly and is safe to show."""
    if array:
        yield "["
    first = True
    for record in records:
        text = safe_json(json_object(record))
        if array:
            yield ("\n" if first else ",\n") + text
        else:
            yield text + "\n"
        first = False
    if array:
        yield "\n]\n" if not first else "]\n"


PROGRESS_EVERY = 1_000  # members between two on_progress calls


def write_members(handle: IO[str], records: Iterable[MemberRecord], fmt: ExportFormat, *,
                  raw: bool = False, on_progress: Callable[[int], None] | None = None
                  ) -> int:
    """Write the members to `handle` as CSV (formula-safe unless `raw`), a JSON array or
    JSON Lines, one at a time (an iterator over a paged query streams); return how many.
    `on_progress(count)` is called every PROGRESS_EVERY members; what it raises stops the
    export."""
    count = 0

    def counted() -> Iterator[MemberRecord]:
        nonlocal count
        for record in records:
            count += 1
            if on_progress is not None and count % PROGRESS_EVERY == 0:
                on_progress(count)
            yield record

    if fmt is ExportFormat.CSV:
        write_rows(handle, MEMBER_HEADER, map(csv_row, counted()), raw=raw)
    else:
        for chunk in json_lines(counted(), array=fmt is ExportFormat.JSON):
            handle.write(chunk)
    return count


def members_export_filename(segment_name: str, day: date, fmt: ExportFormat) -> str:
    """'Enterprise-Prospects-members-2024-02-26.csv': the segment's name with every run of
    characters other than letters, digits and '_' (spaces, slashes, dots, quotes, control
    characters) as one '-'."""
    stem = re.sub(r"\W+", "-", segment_name).strip("-")[:80] or "segment"
    return f"{stem}-members-{day.isoformat()}.{fmt.value}"


def member_chunks(records: Iterable[MemberRecord], fmt: ExportFormat, *,
                  rows_per_chunk: int = 1_000) -> Iterator[str]:
    """The export `write_members` writes, as text chunks of about `rows_per_chunk` members
    each, for a streamed HTTP answer (C21.1.7): formula-safe CSV, a JSON array or JSON
    Lines, the same bytes as the file."""
    import io

    if fmt is not ExportFormat.CSV:
        pending: list[str] = []
        for text in json_lines(records, array=fmt is ExportFormat.JSON):
            pending.append(text)
            if len(pending) >= rows_per_chunk:
                yield "".join(pending)
                pending = []
        if pending:
            yield "".join(pending)
        return
    buffer = io.StringIO()
    batch: list[MemberRecord] = []

    def flushed(header: bool) -> str:
        buffer.seek(0)
        buffer.truncate()
        rows = map(csv_row, batch)
        if header:
            write_rows(buffer, MEMBER_HEADER, rows)
        else:
            write_rows_only(buffer, rows)
        batch.clear()
        return buffer.getvalue()

    first = True
    for record in records:
        batch.append(record)
        if len(batch) >= rows_per_chunk:
            yield flushed(first)
            first = False
    if batch or first:
        yield flushed(first)
