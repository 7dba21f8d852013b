"""Copying a segment's current members into another segment (a duplicate, a snapshot:
C20.4.1): one INSERT ... SELECT, the cards' counts kept in one pass (P2)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, literal, select

from segtui.core.enums import MembershipSource
from segtui.core.history import Why
from segtui.data.db.sql import current_membership
from segtui.data.db.tables import Membership
from segtui.data.derived.stays import counted_after


def copy_members(conn: Connection, source_id: int, target_id: int, actor_id: int,
                 now: datetime) -> int:
    """Every current member of `source_id` made a member of `target_id` (a new segment,
    with none yet), as added by hand by `actor_id`: the copy keeps them whatever rule
    made them members. Returns how many."""
    # Their history says copied (C20.1.1), by hand (the source) so no refresh removes them.
    with counted_after(conn):  # SQLite: the cards' counts in one pass (P2)
        copied = conn.execute(
            insert(Membership).from_select(
                ["segment_id", "contact_id", "source", "added_at", "added_by_id",
                 "added_why"],
                select(literal(target_id), Membership.contact_id,
                       literal(MembershipSource.MANUAL.value), literal(now),
                       literal(actor_id), literal(Why.COPY.value))
                .where(Membership.segment_id == source_id, current_membership()),
            ).execution_options(preserve_rowcount=True)
        ).rowcount
    return max(int(copied or 0), 0)
