"""/v1/segments/{ref}/changes (C21.1.11): the membership-changes feed, oldest first after a
cursor, for a system that keeps a copy of a segment in step by polling (webhooks push
the same changes, C21.3)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from segtui.api.deps import Reader, segment_id
from segtui.api.problems import Problem
from segtui.api.routes._errors import answered
from segtui.core import cursors
from segtui.core.records import Keyset

router = APIRouter(tags=["changes"])


def _after(kind: str, cursor: str | None) -> tuple[datetime, int, str] | None:
    if cursor is None:
        return None
    try:
        keyset = cursors.decode(kind, cursor)
        at, _, direction = str(keyset.value).partition("|")
        return datetime.fromisoformat(at), keyset.id, direction
    except (cursors.BadCursor, ValueError) as exc:
        raise Problem(400, str(cursors.BadCursor())) from exc


@router.get("/segments/{ref}/changes", summary="Membership changes since a cursor")
def membership_changes(
    caller: Reader, ref: str,
    cursor: Annotated[str | None, Query(max_length=1000,
                                        description="next_cursor of the last page")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Every entry and exit of the segment, oldest first. Keep `next_cursor` and ask with
    it again later: it is never null, and a change committed after this page comes after
    it (never before it). `more`: another page is ready now."""
    found = segment_id(caller, ref)
    kind = f"changes:{found}"
    after = _after(kind, cursor)
    with answered():
        changes, more = caller.store.history.feed(found, after, limit)
    if changes:
        at, stay, direction = changes[-1].key
        next_cursor = cursors.encode(kind, Keyset(f"{at.isoformat()}|{direction}", stay))
    else:
        next_cursor = cursor if cursor is not None else cursors.encode(
            kind, Keyset(f"{datetime.min.isoformat()}|", 0))
    return {
        "changes": [{"event": c.direction.value, "contact_id": c.contact_id,
                     "email": c.email or None, "at": c.at.isoformat(timespec="seconds"),
                     "why": c.why.value} for c in changes],
        "next_cursor": next_cursor,
        "more": more,
    }
