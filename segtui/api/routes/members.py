"""/v1/segments/{ref}/members (C21.1.5, C21.1.7): a segment's members a page at a time,
and all of them streamed as CSV or JSON Lines."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from segtui.api.deps import Reader, segment_id
from segtui.api.routes._pages import keyset_after
from segtui.core import cursors
from segtui.core.records import Keyset

router = APIRouter(tags=["members"])


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


@router.get("/segments/{ref}/members", summary="A page of a segment's members")
def list_members(
    caller: Reader, ref: str,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> dict[str, Any]:
    """Current members in contact id order, every field (as `segtui export members`
    writes them). Pages are keyset seeks on contact id: a member added or removed
    meanwhile never shifts the rows of the next page."""
    from segtui.core.formats.members_export import json_object

    found = segment_id(caller, ref)
    kind = f"members:{found}"
    start = keyset_after(kind, cursor)
    after = 0 if start is None else start.id
    rows = caller.store.members.member_page(found, after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return {"members": [json_object(r) for r in rows],
            "next_cursor": cursors.encode(kind, Keyset(None, rows[-1].id)) if more else None}


@router.get("/segments/{ref}/members/export", summary="Every member, streamed",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}, "application/jsonl": {}}}})
def export_members(caller: Reader, ref: str, format: ExportFormat = ExportFormat.CSV
                   ) -> StreamingResponse:
    """Every current member from one consistent snapshot, as formula-safe CSV or JSON
    Lines (the bytes `segtui export members` writes), streamed as it is read: a million
    members never sit in the server's memory. Audited as an export by the caller."""
    from segtui.core.audit import Action
    from segtui.core.formats import file_formats
    from segtui.core.formats.members_export import member_chunks
    from segtui.core.formatting import plural

    found = segment_id(caller, ref)
    store, user = caller.store, caller.user
    fmt = file_formats.ExportFormat(format.value)

    def chunks() -> Iterator[bytes]:
        count = 0
        with store.transfer.member_export(found) as records:
            def counted() -> Iterator[Any]:
                nonlocal count
                for record in records:
                    count += 1
                    yield record
            for chunk in member_chunks(counted(), fmt):
                yield chunk.encode("utf-8")
        store.audit.record(Action.MEMBERS_EXPORTED, user, segment_id=found,
                           subject="HTTP API", details=f"{plural(count, 'member')} as "
                                                       f"{fmt.value}")

    media = "text/csv; charset=utf-8" if fmt is file_formats.ExportFormat.CSV \
        else "application/jsonl"
    return StreamingResponse(chunks(), media_type=media)
