"""A segment's activity timeline and notes, written (R7.9, R7.10): the lines segtui
logs for every change (log_activity) and those a user adds or edits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from segtui.core import clock
from segtui.core.activities import ACTIVITY_TYPES, TimelineError, activity_errors, note_error
from segtui.core.audit import Action
from segtui.core.changes import ACTIVITY_EDITED
from segtui.core.permissions import CurrentUser, Permission
from segtui.core.segments import NotAllowed
from segtui.data.db.tables import Activity, Note, User
from segtui.data.queries.timeline import activity_row
from segtui.data.queries.visibility import require_visible
from segtui.data.writes.audit import record_audit
from segtui.data.writes.changes import record_change


def require_segment(conn: Connection, segment_id: int, user: CurrentUser) -> None:
    """SegmentNotFound unless the segment exists and `user` sees it (C19.3.2)."""
    require_visible(conn, segment_id, user)


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
    require_segment(conn, segment_id, user)
    log_activity(conn, segment_id, kind, description.strip(), details.strip(), performer,
                 clock.now())


def edit_activity(
    conn: Connection, activity_id: int, expected_version: int, description: str,
    details: str, user: CurrentUser,
) -> None:
    """R7.9: the author may edit an activity within 24 hours of creating it."""
    row = conn.execute(
        select(Activity.id, Activity.type, Activity.description, Activity.details,
               Activity.performer_id, User.name.label("performer"), Activity.created_at,
               Activity.edited_at, Activity.version)
        .outerjoin(User, User.id == Activity.performer_id).where(Activity.id == activity_id)
    ).one_or_none()
    if row is None:
        raise TimelineError("This activity no longer exists.")
    activity = activity_row(row)
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
    segment_id = conn.execute(
        select(Activity.segment_id).where(Activity.id == activity_id)).scalar_one()
    record_change(conn, ACTIVITY_EDITED, segment_id, user)


def add_note(conn: Connection, segment_id: int, body: str, user: CurrentUser) -> int:
    if not user.may(Permission.EDIT_SEGMENTS):
        raise NotAllowed(user.name, user.role.value, "add notes")
    problem = note_error(body)
    if problem:
        raise TimelineError(problem)
    require_segment(conn, segment_id, user)
    now = clock.now()
    note_id = conn.execute(
        insert(Note).values(segment_id=segment_id, body=body.strip(), author_id=user.id,
                            created_at=now).returning(Note.id)
    ).scalar_one()
    first_line = body.strip().splitlines()[0]
    log_activity(conn, segment_id, "Note Added",
                 first_line if len(first_line) <= 80 else first_line[:79] + "…", "", user, now)
    return int(note_id)


# The timeline's lines that are also audited (C19.4), as the action they record.
AUDITED = {"Segment Created": Action.SEGMENT_CREATED, "Segment Edited": Action.SEGMENT_EDITED,
           "Status Changed": Action.SEGMENT_EDITED, "Contacts Added": Action.SEGMENT_EDITED,
           "Contacts Removed": Action.SEGMENT_EDITED,
           "Campaigns Paused": Action.SEGMENT_EDITED,
           "Segment Archived": Action.SEGMENT_ARCHIVED,
           "Segment Restored": Action.SEGMENT_RESTORED,
           "Owner Changed": Action.SEGMENT_EDITED,
           "Campaign Status Changed": Action.SEGMENT_EDITED}


def log_activity(
    conn: Connection, segment_id: int, kind: str, description: str, details: str,
    user: CurrentUser | None, at: datetime,
) -> None:
    """A line on the segment's timeline; `user` None: done by segtui itself (an upgrade)."""
    if kind not in ACTIVITY_TYPES:  # the Activity tab filters by exactly these types
        raise ValueError(f"not an activity type: {kind!r}")
    conn.execute(
        insert(Activity).values(
            segment_id=segment_id, type=kind, description=description, details=details,
            performer_id=None if user is None else user.id, created_at=at,
        )
    )
    record_change(conn, kind, segment_id, user)  # every logged change is news (C19.1)
    audited = AUDITED.get(kind)
    if audited is not None:  # C19.4; a removal's line names the contact: not its details
        record_audit(conn, audited, user, segment_id=segment_id,
                     details=kind if kind == "Contacts Removed" else description)
