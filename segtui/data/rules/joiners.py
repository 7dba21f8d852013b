"""A dynamic segment's joiners written (data/rules/refresh.py): the contacts a rule
selects that are not current members become new rule-made stays, in one INSERT, counted
for the dashboard's cards and the segment's size once (data/derived/stays.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, exists, insert, literal, select

from segtui.core.enums import MembershipSource
from segtui.data.db.indexed import sqlite_indexed
from segtui.data.db.tables import Membership
from segtui.data.derived.stays import counted_after

# `memberships AS stay`, read on SQLite through ix_memberships_segment: a match is
# probed for its stay among the segment's own entries, which are together. Left to
# choose among three indexes that answer the probe, SQLite took ix_memberships_contact,
# whose entries for a batch's matches are spread over the whole index: a page a match,
# 16% of a first refresh's INSERTs at a million contacts (P9).
_STAY_INDEX = "ix_memberships_segment"


def add_joiners(conn: Connection, segment_id: int, contact_ids: Select[Any], now: datetime,
                *, members: int | None = None) -> int:
    """Add the contacts `contact_ids` selects that are not current members (a member by
    hand stays one): new rule-made stays. Returns how many joined. `members`: the
    segment's current members when the caller counted them in this transaction: with
    none, on SQLite, no match is probed for a stay (a segment's first refresh; the write
    transaction holds SQLite's one write lock, so none can appear meanwhile; PostgreSQL
    probes, as another process may add a member by hand and commit in between)."""
    m = Membership
    candidate = contact_ids.subquery()
    chosen = select(literal(segment_id), candidate.c[0],
                    literal(MembershipSource.RULE.value), literal(now))
    if members != 0 or conn.dialect.name != "sqlite":
        stay = sqlite_indexed(Membership.__table__, "stay", _STAY_INDEX)
        already = exists(select(1).select_from(stay).where(
            stay.c.segment_id == segment_id, stay.c.contact_id == candidate.c[0],
            stay.c.removed_at.is_(None)))
        chosen = chosen.where(~already)
    # SQLite: the new stays counted for the dashboard's cards in one pass, not per row.
    with counted_after(conn):
        added = conn.execute(
            insert(m).from_select(["segment_id", "contact_id", "source", "added_at"], chosen)
            .execution_options(preserve_rowcount=True)
        ).rowcount
    return max(int(added or 0), 0)
