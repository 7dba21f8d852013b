"""SQL for a segment's activity timeline and notes (R7.9, R7.10), page by page;
data/writes/activity.py writes them."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, func, select

from segtui.core.activities import (
    ActivityFilter,
    ActivityRow,
    NoteRow,
)
from segtui.core.records import Keyset, Page
from segtui.data.db.keyset import Window, settle, windowed
from segtui.data.db.tables import (
    Activity,
    Note,
    User,
)


def activity_row(r: Row[*tuple[Any, ...]]) -> ActivityRow:
    return ActivityRow(
        id=r.id, type=r.type, description=r.description, details=r.details,
        performer_id=r.performer_id, performer=r.performer or "segtui",
        created_at=r.created_at, edited_at=r.edited_at, version=r.version,
    )


def _activity_conditions(segment_id: int, flt: ActivityFilter) -> list[ColumnElement[bool]]:
    conditions = [Activity.segment_id == segment_id]
    if flt.types:
        conditions.append(Activity.type.in_(sorted(flt.types)))
    if flt.start is not None:
        conditions.append(Activity.created_at >= datetime.combine(flt.start, time.min))
    if flt.end is not None:
        conditions.append(
            Activity.created_at < datetime.combine(flt.end + timedelta(days=1), time.min)
        )
    return conditions


def count_activities(conn: Connection, segment_id: int, flt: ActivityFilter) -> int:
    query = select(func.count()).select_from(Activity).where(
        *_activity_conditions(segment_id, flt)
    )
    return int(conn.execute(query).scalar_one())


def activity_page(
    conn: Connection, segment_id: int, flt: ActivityFilter, window: Window, limit: int
) -> Page[ActivityRow]:
    """Newest first; keyset on (created_at, id) descending."""
    query = (
        select(Activity.id, Activity.type, Activity.description, Activity.details,
               Activity.performer_id, User.name.label("performer"), Activity.created_at,
               Activity.edited_at, Activity.version)
        .outerjoin(User, User.id == Activity.performer_id)
        .where(*_activity_conditions(segment_id, flt))
    )
    query = windowed(query, Activity.created_at, Activity.id, window, descending=True,
                     limit=limit)
    rows, has_before, has_after = settle([activity_row(r) for r in conn.execute(query)], window,
                                         limit)
    return Page(
        rows=tuple(rows),
        first=Keyset(rows[0].created_at, rows[0].id) if rows else None,
        last=Keyset(rows[-1].created_at, rows[-1].id) if rows else None,
        has_before=has_before,
        has_after=has_after,
    )


def notes_page(conn: Connection, segment_id: int, window: Window, limit: int) -> Page[NoteRow]:
    query = (
        select(Note.id, Note.body, User.name.label("author"), Note.created_at)
        .outerjoin(User, User.id == Note.author_id)
        .where(Note.segment_id == segment_id)
    )
    query = windowed(query, Note.created_at, Note.id, window, descending=True, limit=limit)
    rows, has_before, has_after = settle(
        [NoteRow(r.id, r.body, r.author or "unknown", r.created_at) for r in conn.execute(query)],
        window, limit,
    )
    return Page(
        rows=tuple(rows),
        first=Keyset(rows[0].created_at, rows[0].id) if rows else None,
        last=Keyset(rows[-1].created_at, rows[-1].id) if rows else None,
        has_before=has_before,
        has_after=has_after,
    )
