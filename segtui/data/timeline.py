"""SQL for a segment's activity timeline and notes (spec 7.9, 7.10), and member removal."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, delete, func, insert, select, update

from segtui.core import clock
from segtui.core.activities import (
    ACTIVITY_TYPES,
    ActivityFilter,
    ActivityRow,
    NoteRow,
    TimelineError,
    activity_errors,
    note_error,
)
from segtui.core.enums import SegmentKind
from segtui.core.permissions import CurrentUser, Permission
from segtui.core.records import Keyset, Page
from segtui.core.segments import NotAllowed, SegmentNotFound
from segtui.data.keyset import Window, settle, windowed
from segtui.data.segment_writes import after_members_changed, log_activity
from segtui.data.sql import current_membership
from segtui.data.tables import (
    Activity,
    Contact,
    Membership,
    Note,
    Segment,
    SegmentExclusion,
    User,
)


def _segment_exists(conn: Connection, segment_id: int) -> None:
    if conn.execute(select(Segment.id).where(Segment.id == segment_id)).first() is None:
        raise SegmentNotFound(segment_id)


def _row(r: Row[*tuple[Any, ...]]) -> ActivityRow:
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
    rows, has_before, has_after = settle([_row(r) for r in conn.execute(query)], window, limit)
    return Page(
        rows=tuple(rows),
        first=Keyset(rows[0].created_at, rows[0].id) if rows else None,
        last=Keyset(rows[-1].created_at, rows[-1].id) if rows else None,
        has_before=has_before,
        has_after=has_after,
    )


def add_activity(
    conn: Connection, segment_id: int, kind: str, description: str, details: str,
    performer: CurrentUser, user: CurrentUser,
) -> None:
    if not user.may(Permission.EDIT_SEGMENTS):
        raise NotAllowed(user.name, user.role.value, "add activities")
    if kind not in ACTIVITY_TYPES:
        raise TimelineError(f"Unknown activity type “{kind}”.")
    errors = activity_errors(description, details)
    if errors:
        raise TimelineError(" ".join(errors.values()))
    _segment_exists(conn, segment_id)
    log_activity(conn, segment_id, kind, description.strip(), details.strip(), performer,
                 clock.now())


def edit_activity(
    conn: Connection, activity_id: int, expected_version: int, description: str,
    details: str, user: CurrentUser,
) -> None:
    """Spec 7.9: the author may edit an activity within 24 hours of creating it."""
    row = conn.execute(
        select(Activity.id, Activity.type, Activity.description, Activity.details,
               Activity.performer_id, User.name.label("performer"), Activity.created_at,
               Activity.edited_at, Activity.version)
        .outerjoin(User, User.id == Activity.performer_id).where(Activity.id == activity_id)
    ).one_or_none()
    if row is None:
        raise TimelineError("This activity no longer exists.")
    activity = _row(row)
    now = clock.now()
    if not activity.editable_by(user.id, now):
        raise TimelineError("Only its author can edit an activity, within 24 hours of "
                            "creating it.")
    errors = activity_errors(description, details)
    if errors:
        raise TimelineError(" ".join(errors.values()))
    result = conn.execute(
        update(Activity)
        .where(Activity.id == activity_id, Activity.version == expected_version)
        .values(description=description.strip(), details=details.strip(), edited_at=now,
                version=Activity.version + 1)
    )
    if result.rowcount != 1:
        raise TimelineError("Someone changed this activity meanwhile; reopen it to see theirs.")


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


def add_note(conn: Connection, segment_id: int, body: str, user: CurrentUser) -> int:
    if not user.may(Permission.EDIT_SEGMENTS):
        raise NotAllowed(user.name, user.role.value, "add notes")
    problem = note_error(body)
    if problem:
        raise TimelineError(problem)
    _segment_exists(conn, segment_id)
    now = clock.now()
    note_id = conn.execute(
        insert(Note).values(segment_id=segment_id, body=body.strip(), author_id=user.id,
                            created_at=now).returning(Note.id)
    ).scalar_one()
    first_line = body.strip().splitlines()[0]
    log_activity(conn, segment_id, "Note Added",
                 first_line if len(first_line) <= 80 else first_line[:79] + "…", "", user, now)
    return int(note_id)


def remove_member(
    conn: Connection, segment_id: int, contact_id: int, user: CurrentUser
) -> bool:
    """End the contact's current stay (history keeps it). False if it wasn't a member."""
    if not user.may(Permission.EDIT_SEGMENTS):
        raise NotAllowed(user.name, user.role.value, "remove contacts")
    _segment_exists(conn, segment_id)
    now = clock.now()
    result = conn.execute(
        update(Membership)
        .where(Membership.segment_id == segment_id, Membership.contact_id == contact_id,
               current_membership())
        .values(removed_at=now, removed_by_id=user.id)
    )
    if result.rowcount != 1:
        return False
    kind = conn.execute(select(Segment.kind).where(Segment.id == segment_id)).scalar_one()
    if kind == SegmentKind.DYNAMIC:
        # Removed by hand from a dynamic segment: kept out, or the next refresh would bring
        # the contact straight back (the Contacts tab shows it as excluded).
        conn.execute(delete(SegmentExclusion).where(
            SegmentExclusion.segment_id == segment_id,
            SegmentExclusion.contact_id == contact_id))
        conn.execute(insert(SegmentExclusion).values(
            segment_id=segment_id, contact_id=contact_id, created_at=now,
            created_by_id=user.id))
    conn.execute(update(Segment).where(Segment.id == segment_id).values(updated_at=now))
    contact = conn.execute(select(Contact.name).where(Contact.id == contact_id)).scalar_one()
    log_activity(conn, segment_id, "Contacts Removed", f"Removed {contact}", "", user, now)
    after_members_changed(conn, segment_id, user, now)
    return True
