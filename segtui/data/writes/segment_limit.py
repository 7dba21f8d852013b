"""How many segments one person may own (C19.3): the administrator's setting (default
DEFAULT_SEGMENT_LIMIT, the dynamic-segments document's cap), checked by every write that
makes a segment (create, duplicate) in its own transaction."""

from __future__ import annotations

from sqlalchemy import Connection, func, insert, select, update

from segtui.core.audit import Action
from segtui.core.permissions import CurrentUser, Permission
from segtui.core.segments import (
    DEFAULT_SEGMENT_LIMIT,
    InvalidSegment,
    NotAllowed,
    SegmentLimitReached,
)
from segtui.core.validation import FieldError
from segtui.data.db.tables import Segment, Setting
from segtui.data.writes.audit import record_audit

LIMIT_SETTING = "segments.per_creator_limit"


def segment_limit(conn: Connection) -> int:
    """How many segments one person may own (C19.3): the administrator's setting, else
    DEFAULT_SEGMENT_LIMIT."""
    stored = conn.execute(select(Setting.value).where(Setting.key == LIMIT_SETTING)).scalar()
    return int(stored) if stored is not None else DEFAULT_SEGMENT_LIMIT


def segments_left(conn: Connection, user: CurrentUser) -> tuple[int, int]:
    """(how many more segments `user` may create, the limit)."""
    limit = segment_limit(conn)
    owned = conn.execute(select(func.count()).select_from(Segment)
                         .where(Segment.owner_id == user.id)).scalar_one()
    return max(limit - int(owned), 0), limit


def require_room(conn: Connection, user: CurrentUser) -> None:
    left, limit = segments_left(conn, user)
    if left == 0:
        raise SegmentLimitReached(user.name, limit)


def set_segment_limit(conn: Connection, limit: int, user: CurrentUser) -> None:
    """An administrator sets how many segments one person may own (C19.3)."""
    if not user.may(Permission.MANAGE_USERS):
        raise NotAllowed(user.name, user.role.value, Permission.MANAGE_USERS.value)
    if not 1 <= limit <= 100_000:
        raise InvalidSegment([FieldError("limit", "Give a limit from 1 to 100,000.")])
    if conn.execute(select(Setting.key).where(Setting.key == LIMIT_SETTING)).first():
        conn.execute(update(Setting).where(Setting.key == LIMIT_SETTING)
                     .values(value=str(limit)))
    else:
        conn.execute(insert(Setting).values(key=LIMIT_SETTING, value=str(limit)))
    record_audit(conn, Action.PERMISSIONS_MODIFIED, user, subject="segments per creator",
                 details=f"limit now {limit}")
