"""`segments apply` (C21.4.5): a file's changes, each made by the write the app and the
other commands make (segment_writes: permissions, validation, activity and audit), all in
the caller's one write transaction, so a refusal of any undoes them all.

The updates' versions are all checked first: a segment someone else saved since the
plan was read is a conflict before anything is written (an earlier write of this apply,
refreshing a rule's dependents, may move a version on; that is not someone else).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from segtui.core.contacts import ContactSelection, Toggles
from segtui.core.permissions import CurrentUser
from segtui.core.segment_plan import SegmentWrite, WriteRefused
from segtui.core.segments import SegmentConflict, SegmentError, SegmentNotFound
from segtui.data.queries.segment_details import details
from segtui.data.writes import segment_writes

# Members are added this many per statement: under SQLite's limit on bound parameters.
ADD_BATCH = 5000


def apply_writes(conn: Connection, writes: Sequence[SegmentWrite], user: CurrentUser
                 ) -> None:
    for write in writes:
        if write.action == "update":
            _current_version(conn, write, user, expected=True)
    for write in writes:
        try:
            _apply(conn, write, user)
        except SegmentError as exc:
            raise WriteRefused(write.name, exc) from exc


def _current_version(conn: Connection, write: SegmentWrite, user: CurrentUser, *,
                     expected: bool = False) -> int:
    assert write.segment_id is not None
    now = details(conn, write.segment_id, viewer=user)
    try:
        if now is None:
            raise SegmentNotFound(write.segment_id)
        if expected and now.version != write.version:
            raise SegmentConflict(now)
    except SegmentError as exc:
        raise WriteRefused(write.name, exc) from exc
    return now.version


def _add(conn: Connection, segment_id: int, ids: Sequence[int], user: CurrentUser) -> None:
    for start in range(0, len(ids), ADD_BATCH):
        chosen = Toggles(tuple((i, True) for i in ids[start:start + ADD_BATCH]))
        segment_writes.add_members(conn, segment_id, ContactSelection((chosen,)), user)


def _apply(conn: Connection, write: SegmentWrite, user: CurrentUser) -> None:
    if write.action == "delete":
        assert write.segment_id is not None
        segment_writes.delete_segment(conn, write.segment_id, user)
        return
    assert write.draft is not None
    if write.action == "create":
        segment_id = segment_writes.create_segment(conn, write.draft, ContactSelection(),
                                                   user)
    else:
        assert write.segment_id is not None
        segment_id = write.segment_id
        segment_writes.update_segment(conn, segment_id,
                                      _current_version(conn, write, user), write.draft,
                                      ContactSelection(), user)
    _add(conn, segment_id, write.add, user)
    for contact_id in write.remove:
        segment_writes.remove_member(conn, segment_id, contact_id, user)
