"""`store.activity`: a segment's activity timeline and notes.

Pages of activities and notes, adding and editing them (R7.9, R7.10).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from segtui.data.store.database import PAGE_SIZE, Database

if TYPE_CHECKING:
    from segtui.core.activities import ActivityFilter, ActivityRow, NoteRow
    from segtui.core.permissions import CurrentUser
    from segtui.core.records import (
        Keyset,
        Page,
    )


class Activity:
    """A segment's activity timeline and notes."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def activity_page(
        self, segment_id: int, flt: ActivityFilter, *, after: Keyset | None = None,
        before: Keyset | None = None, at_end: bool = False, limit: int = PAGE_SIZE,
    ) -> Page[ActivityRow]:
        from segtui.data.db.keyset import Window as PageWindow
        from segtui.data.queries import timeline

        with self._db.reading() as conn:
            return timeline.activity_page(conn, segment_id, flt,
                                          PageWindow(after, before, at_end), limit)

    def activity_count(self, segment_id: int, flt: ActivityFilter) -> int:
        from segtui.data.queries import timeline

        with self._db.reading() as conn:
            return timeline.count_activities(conn, segment_id, flt)

    def add_activity(
        self, segment_id: int, kind: str, description: str, details: str,
        performer: CurrentUser, user: CurrentUser,
    ) -> None:
        from segtui.data.writes import activity

        with self._db.writing() as conn:
            activity.add_activity(conn, segment_id, kind, description, details, performer, user)

    def edit_activity(
        self, activity_id: int, expected_version: int, description: str, details: str,
        user: CurrentUser,
    ) -> None:
        from segtui.data.writes import activity

        with self._db.writing() as conn:
            activity.edit_activity(conn, activity_id, expected_version, description, details,
                                   user)

    def notes_page(
        self, segment_id: int, *, after: Keyset | None = None, before: Keyset | None = None,
        at_end: bool = False, limit: int = PAGE_SIZE,
    ) -> Page[NoteRow]:
        from segtui.data.db.keyset import Window as PageWindow
        from segtui.data.queries import timeline

        with self._db.reading() as conn:
            return timeline.notes_page(conn, segment_id, PageWindow(after, before, at_end),
                                       limit)

    def add_note(self, segment_id: int, body: str, user: CurrentUser) -> int:
        from segtui.data.writes import activity

        with self._db.writing() as conn:
            return activity.add_note(conn, segment_id, body, user)
