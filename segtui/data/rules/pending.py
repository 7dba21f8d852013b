"""The dynamic segments' durable to-do (I16.4; docs/rules.md, "When members are
brought up to date").

A change that can move contacts in or out of dynamic segments (an import of contacts or
events, a merge) owes them a re-evaluation. Doing it after the change commits, in a second
transaction, leaves a window: a process killed in between left the segments stale until
someone happened to refresh them. So the change writes what it owes here, in its own
transaction, and the re-evaluation deletes those rows in the transaction that does the
work ("claims" them): if that fails or the process dies, the rows stay, and the next
entry point (the app at start or on `r`, the CLI's reads, an export) finishes them.

Two kinds of rows: a contact (re-evaluate every dynamic segment for it, the incremental
path of D1.5.3) and a segment (re-evaluate it whole: too many contacts changed at once).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Connection, delete, exists, func, select, text

from segtui.core.enums import SegmentKind
from segtui.core.rules.refresh import Owed
from segtui.data.db import locks
from segtui.data.db.bulk import insert_values
from segtui.data.db.tables import PendingEvaluation, Segment

_TABLE = PendingEvaluation.__table__


def serialise_refreshes(conn: Connection) -> int | None:
    """Call first in a transaction that re-evaluates dynamic segments (locks.REFRESH).
    On PostgreSQL, returns the turn this transaction took the lock in: turns are drawn
    under the lock, so they count in order the times anyone took it (migration 0018; a
    whole refresh keeps its lists between two of its batches only when their turns
    follow each other, whole_refresh.SharedLists). None on SQLite."""
    if conn.dialect.name != "postgresql":
        return None
    locks.take(conn, locks.REFRESH)
    # Before any row lock: a deletion never waits for this batch while holding one
    # (data/db/member_keys.py).
    locks.take(conn, locks.MEMBER_KEYS, shared=True)
    return int(conn.execute(text("SELECT nextval('segtui_refresh_turns')")).scalar_one())


def _any_dynamic(conn: Connection) -> bool:
    return bool(conn.execute(select(exists().where(
        Segment.kind == SegmentKind.DYNAMIC))).scalar())


def owe_contacts(conn: Connection, contact_ids: Sequence[int] | None, now: datetime) -> None:
    """In the change's transaction: every dynamic segment is owed a re-evaluation for these
    contacts; None (too many to list) owes each dynamic segment a whole one. Nothing is
    written when there is no dynamic segment."""
    if not _any_dynamic(conn):
        return
    if contact_ids is None:
        owe_segments(conn, conn.execute(select(Segment.id).where(  # not the archived
            Segment.kind == SegmentKind.DYNAMIC, Segment.archived_at.is_(None))).scalars(),
            now)
        return
    insert_values(conn, _TABLE, ("contact_id", "created_at"),
                  [(cid, now) for cid in sorted(set(contact_ids))])


def owe_segments(conn: Connection, segment_ids: Iterable[int], now: datetime) -> None:
    insert_values(conn, _TABLE, ("segment_id", "created_at"),
                  [(sid, now) for sid in sorted(set(segment_ids))])


def claim_contacts(conn: Connection) -> list[int]:
    """Take every owed contact: deleted in the caller's transaction, which re-evaluates
    them (if it rolls back, they are owed still). On PostgreSQL a concurrent claimer waits
    for this transaction and then finds them gone."""
    p = PendingEvaluation
    claimed = conn.execute(delete(p).where(p.contact_id.is_not(None))
                           .returning(p.contact_id)).scalars()
    return sorted({int(cid) for cid in claimed if cid is not None})


def claim_segment(conn: Connection, segment_id: int) -> None:
    """In the transaction that re-evaluates the segment whole: it is owed nothing more."""
    conn.execute(delete(PendingEvaluation).where(PendingEvaluation.segment_id == segment_id))


def drop_contacts_up_to(conn: Connection, last_id: int) -> None:
    """After every dynamic segment was re-evaluated whole: the contacts owed before it
    started (rows up to `last_id`) are owed nothing more."""
    p = PendingEvaluation
    conn.execute(delete(p).where(p.contact_id.is_not(None), p.id <= last_id))


def last_id(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(PendingEvaluation.id), 0)))
               .scalar_one())


def owed(conn: Connection) -> Owed:
    p = PendingEvaluation
    contacts = conn.execute(select(func.count(func.distinct(p.contact_id)))
                            .where(p.contact_id.is_not(None))).scalar_one()
    segments = conn.execute(select(p.segment_id).where(p.segment_id.is_not(None))
                            .distinct().order_by(p.segment_id)).scalars()
    return Owed(int(contacts), tuple(int(s) for s in segments if s is not None))
