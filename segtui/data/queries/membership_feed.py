"""The membership-changes feed (C21.1.11): a segment's entries and exits oldest first,
after a cursor, for a remote system that keeps a copy of the segment in step.

A change is read from the stay that records it (C20.1.1): its entry at `added_at`, its
exit at `removed_at`; the key (time, stay id, direction) orders them. A page must never
skip a change that commits later with a smaller key:
- SQLite has one writer at a time, which takes the write lock before it stamps anything
  (BEGIN IMMEDIATE, Database.writing): what a reader sees is every change up to the
  newest key, and a later commit has later keys.
- PostgreSQL commits writers in any order. A page therefore ends before the first change
  written by a transaction that is not older than every transaction of the database
  still running (its `xmin` against their ids): such a change might be followed by an
  older transaction's smaller keys. The feed waits for those to end, and never skips
  them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    literal,
    literal_column,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.sql.elements import ColumnClause

from segtui.core.feed import FeedPosition
from segtui.core.history import Direction, MembershipChange, Why
from segtui.data.db.tables import Contact, Membership
from segtui.data.queries.membership_history import entered_why, left_why

m = Membership
# PostgreSQL: whether the row's last writer is older than every transaction of this
# database still running. A running transaction holds the lock on its own id (pg_locks is
# readable by every login, unlike other sessions' columns of pg_stat_activity); other
# databases' transactions (another team's long load) hold nothing back.
_SETTLED: ColumnClause[bool] = literal_column(
    "age(memberships.xmin) > coalesce((SELECT max(age(l.transactionid)) FROM pg_locks l"
    " JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'transactionid'"
    " AND l.mode = 'ExclusiveLock' AND l.granted AND a.datname = current_database()"
    " AND l.pid <> pg_backend_pid()), -1)", type_=Boolean)


def changes_since(conn: Connection, segment_id: int, after: FeedPosition | None,
                  limit: int) -> tuple[list[MembershipChange], bool]:
    """Up to `limit` changes of the segment past `after` (core/feed.py), oldest first, and
    whether a change that is there now was held back or left for the next page."""
    postgresql = conn.dialect.name == "postgresql"
    parts = []
    for direction, at, why in ((Direction.ENTERED, m.added_at, entered_why()),
                               (Direction.LEFT, m.removed_at, left_why())):
        columns: list[ColumnElement[Any]] = [
            at.label("at"), m.id.label("stay"), literal(direction.value).label("direction"),
            m.contact_id.label("contact_id"), why.label("why")]
        if postgresql:
            columns.append(_SETTLED.label("settled"))
        parts.append(select(*columns).where(m.segment_id == segment_id, at.is_not(None)))
    moves = union_all(*parts).subquery("moves")
    statement = (select(moves, Contact.email)
                 .outerjoin(Contact, Contact.id == moves.c.contact_id)
                 .order_by(moves.c.at, moves.c.stay, moves.c.direction)
                 .limit(limit + 1))
    if after is not None and after.seen is not None:
        # Every change of the position's second not given yet, then the later ones.
        later = moves.c.at > after.at
        statement = statement.where(later | (moves.c.at == after.at) & tuple_(
            moves.c.stay, moves.c.direction).not_in(after.seen) if after.seen else
            moves.c.at >= after.at)
    elif after is not None:
        statement = statement.where(
            tuple_(moves.c.at, moves.c.stay, moves.c.direction) > tuple_(*after.key))
    changes: list[MembershipChange] = []
    rows = conn.execute(statement).all()
    for row in rows[:limit]:
        if postgresql and not row.settled:
            return changes, True
        changes.append(MembershipChange(
            at=row.at, direction=Direction(row.direction), contact_id=row.contact_id,
            contact_name="", email=row.email or "", why=Why(row.why), by=None,
            key=(row.at, row.stay, row.direction)))
    return changes, len(rows) > limit
