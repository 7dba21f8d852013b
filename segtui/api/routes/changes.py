"""/v1/segments/{ref}/changes (C21.1.11): the membership-changes feed, oldest first after a
cursor, for a system that keeps a copy of a segment in step by polling (webhooks push
the same changes, C21.3)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from segtui.api.deps import Reader, segment_id
from segtui.api.problems import Problem
from segtui.api.routes._errors import answered
from segtui.core import cursors
from segtui.core.feed import FeedPosition, advanced

router = APIRouter(tags=["changes"])


def _position(kind: str, cursor: str | None) -> FeedPosition | None:
    if cursor is None:
        return None
    try:
        payload = cursors.decode_payload(kind, cursor)
        return None if payload is None else FeedPosition.from_payload(payload)
    except ValueError:
        raise Problem(400, str(cursors.BadCursor())) from None


@router.get("/segments/{ref}/changes", summary="Membership changes since a cursor")
def membership_changes(
    caller: Reader, ref: str,
    cursor: Annotated[str | None, Query(max_length=4000,
                                        description="next_cursor of the last page")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Every entry and exit of the segment, oldest first. Keep `next_cursor` and ask with
    it again later: it is never null, and a change committed after this page comes after
    it. `more`: another page is ready now. `id` names a change for good (a client that
    stores it can tell a change it has from a new one)."""
    found = segment_id(caller, ref)
    kind = f"changes:{found}"
    position = _position(kind, cursor)
    with answered():
        changes, more = caller.store.history.feed(found, position, limit)
    after = advanced(position, changes)
    return {
        "changes": [{"id": f"{c.key[1]}:{c.direction.value}", "event": c.direction.value,
                     "contact_id": c.contact_id, "email": c.email or None,
                     "at": c.at.isoformat(timespec="seconds"), "why": c.why.value}
                    for c in changes],
        "next_cursor": cursors.encode_payload(kind, None if after is None else after.payload()),
        "more": more,
    }
