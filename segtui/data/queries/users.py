"""The users as the Users screen and `segtui users list` show them (C19.3.3): one
statement, each user with the segments they own counted beside them; and the active
users a transfer may give segments to (C19.3.6)."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from segtui.core.administration import UserRow
from segtui.core.enums import UserRole
from segtui.core.records import Choice
from segtui.data.db.sql import icontains
from segtui.data.db.tables import Segment, User


def user_rows(conn: Connection) -> list[UserRow]:
    """Every user in name order (case ignored), with the segments each owns."""
    owned = (select(Segment.owner_id.label("owner_id"), func.count().label("owned"))
             .where(Segment.owner_id.is_not(None)).group_by(Segment.owner_id).subquery())
    rows = conn.execute(
        select(User.id, User.name, User.role, User.team, User.active, User.last_seen_at,
               User.login, func.coalesce(owned.c.owned, 0).label("owned"))
        .outerjoin(owned, owned.c.owner_id == User.id)
        .order_by(User.name_key, User.id))
    return [UserRow(int(r.id), r.name, UserRole(r.role), r.team, bool(r.active),
                    r.last_seen_at, int(r.owned), r.login) for r in rows]


def receivers(conn: Connection, text: str, *, besides: int, limit: int) -> list[Choice]:
    """Up to `limit` active users other than user `besides` whose names contain `text`,
    in name order: who may receive another user's segments."""
    query = select(User.id, User.name).where(User.active.is_(True), User.id != besides)
    if text.strip():
        query = query.where(icontains(User.name, text.strip()))
    rows = conn.execute(query.order_by(User.name_key).limit(limit))
    return [Choice(key=r.name, label=r.name) for r in rows]
