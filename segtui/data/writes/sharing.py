"""Who sees a segment, written (C19.3.2): its visibility and the users it is hidden from.

Only the owner (who may change segments) or an administrator may change them
(core/sharing.py `may_share`); a change is audited as permissions_modified and logged on
the segment's timeline as an edit (so other open segtuis reload, C19.1). The Edit dialog
saves it with the rest of the segment (`segment_writes.update_segment`, one version
check); the command line with `share`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, delete, insert, literal, select, update

from segtui.core import clock
from segtui.core.audit import Action
from segtui.core.enums import Visibility
from segtui.core.permissions import CurrentUser
from segtui.core.segments import (
    InvalidSegment,
    NotAllowed,
    SegmentConflict,
    SegmentDetails,
    SegmentNotFound,
)
from segtui.core.sharing import SHARING, Sharing, may_share
from segtui.core.validation import FieldError, normalise_user_name
from segtui.data.db.tables import Segment, User, name_key, segment_hidden_from
from segtui.data.queries.segment_details import details
from segtui.data.writes.activity import log_activity
from segtui.data.writes.audit import record_audit


def require_sharer(user: CurrentUser, before: SegmentDetails) -> None:
    if not may_share(user, before.owner_id):
        raise NotAllowed(user.name, user.role.value, SHARING)


def checked_sharing(conn: Connection, before: SegmentDetails, wanted: Sharing,
                    user: CurrentUser) -> tuple[Sharing, dict[int, str]]:
    """`wanted` with its users as the database names them, and their ids; NotAllowed for
    a user who may not share the segment, InvalidSegment (field "hidden_from") for a name
    that is no user's or is the owner's (an owner always sees their segment)."""
    require_sharer(user, before)
    keys = {name_key(normalise_user_name(n)): n for n in wanted.hidden_from}
    found = {k: (int(i), n) for k, i, n in conn.execute(
        select(User.name_key, User.id, User.name).where(User.name_key.in_(list(keys))))}
    errors = [FieldError("hidden_from", f"No user is named “{n}”.")
              for k, n in keys.items() if k not in found]
    errors += [FieldError("hidden_from", f"{n} owns this segment and always sees it.")
               for i, n in found.values() if i == before.owner_id]
    if errors:
        raise InvalidSegment(errors)
    users = dict(found.values())
    return Sharing(wanted.visibility, tuple(sorted(users.values(), key=str.casefold))), users


def write_sharing(conn: Connection, segment_id: int, visibility: Visibility,
                  hidden_from: Iterable[int]) -> None:
    """The segment's visibility and hidden-from rows as given (the caller checked them,
    and bumps the segment's version)."""
    conn.execute(update(Segment).where(Segment.id == segment_id).values(visibility=visibility))
    conn.execute(delete(segment_hidden_from)
                 .where(segment_hidden_from.c.segment_id == segment_id))
    rows = [{"segment_id": segment_id, "user_id": u} for u in hidden_from]
    if rows:
        conn.execute(insert(segment_hidden_from), rows)


def copy_sharing(conn: Connection, original: int, copy: int, owner_id: int) -> None:
    """A duplicate is as private as its original: its visibility and the users it is
    hidden from (its new owner left out: an owner always sees their own)."""
    conn.execute(update(Segment).where(Segment.id == copy).values(
        visibility=select(Segment.visibility).where(Segment.id == original)
        .scalar_subquery()))
    hidden = segment_hidden_from.c
    conn.execute(insert(segment_hidden_from).from_select(
        ["segment_id", "user_id"],
        select(literal(copy), hidden.user_id).where(hidden.segment_id == original,
                                                    hidden.user_id != owner_id)))


def audit_sharing(conn: Connection, segment: SegmentDetails, changes: list[str],
                  user: CurrentUser) -> None:
    record_audit(conn, Action.PERMISSIONS_MODIFIED, user, segment_id=segment.id,
                 subject=segment.name, details="; ".join(changes))


def share(conn: Connection, segment_id: int, user: CurrentUser, *,
          visibility: Visibility | None = None, hide: Iterable[str] = (),
          unhide: Iterable[str] = ()) -> list[str]:
    """Change who sees the segment (`segtui segments set-visibility`, `hide`, `unhide`);
    returns what changed (nothing: nothing is written). SegmentNotFound for a segment
    `user` does not see."""
    before = details(conn, segment_id, viewer=user)
    if before is None:
        raise SegmentNotFound(segment_id)
    require_sharer(user, before)
    gone = {name_key(normalise_user_name(n)) for n in unhide}
    names = [n for n in before.hidden_from if name_key(n) not in gone] + list(hide)
    wanted, users = checked_sharing(
        conn, before, Sharing(visibility or before.visibility, tuple(names)), user)
    missing = [FieldError("hidden_from", f"“{before.name}” is not hidden from {n}.")
               for n in unhide if name_key(normalise_user_name(n)) not in
               {name_key(h) for h in before.hidden_from}]
    if missing:
        raise InvalidSegment(missing)
    changes = wanted.changes_from(before.sharing)
    if changes:
        save_sharing(conn, before, wanted, users, changes, user, clock.now())
    return changes


def save_sharing(conn: Connection, before: SegmentDetails, wanted: Sharing,
                 users: dict[int, str], changes: list[str], user: CurrentUser,
                 now: datetime) -> None:
    """Write a checked change of who sees the segment as a new version of it, logged
    and audited."""
    bumped = conn.execute(
        update(Segment).where(Segment.id == before.id, Segment.version == before.version)
        .values(updated_at=now, version=Segment.version + 1))
    if bumped.rowcount != 1:  # someone saved meanwhile
        current = details(conn, before.id, viewer=user)
        raise SegmentConflict(current) if current else SegmentNotFound(before.id)
    write_sharing(conn, before.id, wanted.visibility, users)
    log_activity(conn, before.id, "Segment Edited", "Changed " + ", ".join(changes), "",
                 user, now)
    audit_sharing(conn, before, changes, user)
