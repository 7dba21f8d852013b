"""Archiving a segment and restoring it (C19.4.6): `segments.archived_at`.

An archived segment leaves the dashboard's list and cards (data/queries/segment_list.py,
`listed`) and the whole and daily re-evaluations; its members, notes and timeline stay,
and a restore brings it back as it was. Each is one transaction, conditional on the
segment's state (a second archive of the same segment, by someone else meanwhile, is
refused and changes nothing), logged on its timeline, so other segtuis follow (C19.1),
and in the audit log (segment_archived, segment_restored).
"""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from segtui.core import clock
from segtui.core.enums import SegmentKind
from segtui.core.permissions import CurrentUser, Permission
from segtui.core.segments import NotAllowed, SegmentNotFound, SegmentUsedByRules
from segtui.core.usage import ArchiveRefused
from segtui.data.db.tables import Segment
from segtui.data.rules.pending import owe_segments
from segtui.data.rules.refresh import segment_lookup, uses_of
from segtui.data.writes.activity import log_activity


def _segment(conn: Connection, segment_id: int, user: CurrentUser) -> tuple[str, bool, bool]:
    """(name, archived, dynamic) of the segment, for a user who may change segments."""
    if not user.may(Permission.EDIT_SEGMENTS):
        raise NotAllowed(user.name, user.role.value, Permission.EDIT_SEGMENTS.value)
    row = conn.execute(select(Segment.name, Segment.archived_at, Segment.kind)
                       .where(Segment.id == segment_id)).one_or_none()
    if row is None:
        raise SegmentNotFound(segment_id)
    return str(row.name), row.archived_at is not None, row.kind == SegmentKind.DYNAMIC


def archive_segment(conn: Connection, segment_id: int, user: CurrentUser) -> str:
    """Archive the segment; returns its name. Refused (SegmentUsedByRules) while another
    segment's rule uses it: the whole passes that skip it would leave that rule stale."""
    name, archived, _ = _segment(conn, segment_id, user)
    if archived:
        raise ArchiveRefused(name, archived=True)
    users = uses_of(conn, segment_id, segment_lookup(conn))
    if users:
        raise SegmentUsedByRules(tuple(users), "archived")
    now = clock.now()
    done = conn.execute(update(Segment).where(Segment.id == segment_id,
                                              Segment.archived_at.is_(None))
                        .values(archived_at=now))
    if done.rowcount != 1:  # archived by someone else between the read and the write
        raise ArchiveRefused(name, archived=True)
    log_activity(conn, segment_id, "Segment Archived", "Archived", "", user, now)
    return name


def restore_segment(conn: Connection, segment_id: int, user: CurrentUser) -> str:
    """Bring an archived segment back; returns its name. A dynamic one is owed a whole
    re-evaluation, which the next pass (the worker's, an open app's) does."""
    name, archived, dynamic = _segment(conn, segment_id, user)
    if not archived:
        raise ArchiveRefused(name, archived=False)
    now = clock.now()
    done = conn.execute(update(Segment).where(Segment.id == segment_id,
                                              Segment.archived_at.is_not(None))
                        .values(archived_at=None))
    if done.rowcount != 1:
        raise ArchiveRefused(name, archived=False)
    if dynamic:
        owe_segments(conn, [segment_id], now)
    log_activity(conn, segment_id, "Segment Restored", "Restored from the archive", "",
                 user, now)
    return name
