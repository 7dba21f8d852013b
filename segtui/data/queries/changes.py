"""Reading the change log (C19.1): what other segtuis committed since a point."""

from __future__ import annotations

from sqlalchemy import Connection, case, func, select

from segtui.core.changes import Change as ChangeRecord
from segtui.core.permissions import CurrentUser
from segtui.data.db.tables import Change, Segment
from segtui.data.queries.visibility import visible_to

# One look reads at most this many; more means "everything changed" (ChangesSince.more).
LOOK_LIMIT = 200


def newest_id(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(Change.id), 0))).scalar_one())


def changes_since(conn: Connection, after: int, origin: str,
                  viewer: CurrentUser | None = None) -> tuple[list[ChangeRecord], int, bool]:
    """Others' changes after id `after` (not `origin`'s own), oldest first, the newest id
    looked at (own changes included, so the next look starts past them), and whether
    there were more than one look reads. A segment `viewer` does not see is not named
    (C19.3.2): the change still reloads what shows segments, which then leaves it out."""
    rows = conn.execute(
        select(Change.id, Change.at, Change.origin, Change.actor, Change.what,
               Change.segment_id,
               case((visible_to(viewer), Segment.name), else_=None).label("name"),
               Change.detail)
        .outerjoin(Segment, Segment.id == Change.segment_id)
        .where(Change.id > after).order_by(Change.id).limit(LOOK_LIMIT + 1)
    ).all()
    more = len(rows) > LOOK_LIMIT
    rows = rows[:LOOK_LIMIT]
    newest = rows[-1].id if rows else after
    if more:
        newest = newest_id(conn)
    theirs = [ChangeRecord(r.id, r.at, r.actor, r.what, r.segment_id, r.name, r.detail)
              for r in rows if r.origin != origin]
    return theirs, newest, more
