"""An administrator's changes to the people on a database (C19.3.4-C19.3.7): deactivate
and reactivate a user, give them a team, hand their segments to someone else; and the
last-seen time every segtui keeps for its user (C19.3.5).

Each runs in the caller's one transaction and is audited as a permissions change
(C19.4); a refusal (yourself, the last active administrator, an unknown user, a team
name with invisible characters) raises before anything is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select, update

from segtui.core import clock
from segtui.core.administration import SEEN_EVERY_SECONDS, AdminRefusal, Transferred, checked_team
from segtui.core.audit import Action
from segtui.core.enums import UserRole
from segtui.core.formatting import plural
from segtui.core.permissions import CurrentUser, Permission
from segtui.core.segments import NotAllowed
from segtui.data.db.grants import follow_user
from segtui.data.db.tables import Segment, User, name_key
from segtui.data.writes.activity import log_activity
from segtui.data.writes.audit import record_audit
from segtui.data.writes.segment_limit import segment_limit
from segtui.data.writes.users import checked_name, may, refuse_deactivated

OWNER_CHANGED = "Owner Changed"  # the timeline's line for a transferred segment


@dataclass(frozen=True)
class Named:
    id: int
    name: str
    role: UserRole
    active: bool


def require_administrator(conn: Connection, acting: CurrentUser) -> None:
    """NotAllowed unless `acting` manages users; UserDeactivated if an administrator
    deactivated them meanwhile (their app was open)."""
    if not may(conn, acting, Permission.MANAGE_USERS):
        raise NotAllowed(acting.name, acting.role.value, Permission.MANAGE_USERS.value)
    refuse_deactivated(conn, acting)


def named(conn: Connection, given: str) -> Named:
    """The user called `given` (case and extra spaces ignored), or AdminRefusal."""
    try:
        name = checked_name(given)
    except ValueError as exc:
        raise AdminRefusal(str(exc)) from None
    row = conn.execute(select(User.id, User.name, User.role, User.active)
                       .where(User.name_key == name_key(name))).one_or_none()
    if row is None:
        raise AdminRefusal(f"no user named {name!r} (segtui users list shows who there is)")
    return Named(int(row.id), row.name, UserRole(row.role), bool(row.active))


def _active_administrators(conn: Connection) -> list[int]:
    """The active CRM Administrators' ids, their rows locked until the transaction ends
    (PostgreSQL): two administrators deactivating each other at once can't leave none."""
    return list(conn.execute(
        select(User.id).where(User.role == UserRole.CRM_ADMINISTRATOR, User.active.is_(True))
        .order_by(User.id).with_for_update()).scalars())


def deactivate(conn: Connection, name: str, acting: CurrentUser) -> Named:
    """`name` may no longer act (C19.3.4); their segments stay theirs until transferred.
    Nobody deactivates themselves or the last active CRM Administrator."""
    require_administrator(conn, acting)
    user = named(conn, name)
    if user.id == acting.id:
        raise AdminRefusal(f"{user.name} can't deactivate themselves: another CRM "
                           "Administrator can")
    if not user.active:
        raise AdminRefusal(f"{user.name} is already deactivated")
    others = [i for i in _active_administrators(conn) if i != user.id]
    if user.role is UserRole.CRM_ADMINISTRATOR and not others:
        raise AdminRefusal(f"{user.name} is the only active CRM Administrator: give "
                           "someone else that role first")
    conn.execute(update(User).where(User.id == user.id).values(active=False))
    follow_user(conn, user.id)  # C19.3.4: on PostgreSQL their login loses its group
    record_audit(conn, Action.PERMISSIONS_MODIFIED, acting, subject=f"user {user.name}",
                 details="deactivated")
    return Named(user.id, user.name, user.role, False)


def reactivate(conn: Connection, name: str, acting: CurrentUser) -> Named:
    """`name` may act again, in the role they had (C19.3.4)."""
    require_administrator(conn, acting)
    user = named(conn, name)
    if user.active:
        raise AdminRefusal(f"{user.name} is active already")
    conn.execute(update(User).where(User.id == user.id).values(active=True))
    follow_user(conn, user.id)  # and gets its role's group back
    record_audit(conn, Action.PERMISSIONS_MODIFIED, acting, subject=f"user {user.name}",
                 details="reactivated")
    return Named(user.id, user.name, user.role, True)


def set_team(conn: Connection, name: str, team: str | None, acting: CurrentUser
             ) -> str | None:
    """Put `name` in `team` (None or empty: in no team; C19.3.7). A team's name is
    normalised and checked as a user's is. Returns the team as stored."""
    require_administrator(conn, acting)
    stored = checked_team(team)
    user = named(conn, name)
    conn.execute(update(User).where(User.id == user.id).values(team=stored))
    record_audit(conn, Action.PERMISSIONS_MODIFIED, acting, subject=f"user {user.name}",
                 details=f"team now {stored}" if stored else "team removed")
    return stored


def transfer_segments(conn: Connection, giver: str, receiver: str, acting: CurrentUser,
                      segment_ids: Sequence[int] | None = None) -> Transferred:
    """Give `giver`'s segments (all, or those of `segment_ids`) to `receiver`, an active
    user (C19.3.6). Each segment's timeline says so (and, through log_activity, the
    change log and the audit log). The per-creator limit does not hold an
    administrator's transfer back: the result says when the receiver owns more."""
    require_administrator(conn, acting)
    source, target = named(conn, giver), named(conn, receiver)
    if source.id == target.id:
        raise AdminRefusal(f"{source.name}'s segments are theirs already: pick someone else")
    if not target.active:
        raise AdminRefusal(f"{target.name} is deactivated: give the segments to an active "
                           "user")
    owned = select(Segment.id).where(Segment.owner_id == source.id)
    if segment_ids is not None:
        owned = owned.where(Segment.id.in_(list(segment_ids)))
    ids = list(conn.execute(owned.order_by(Segment.id).with_for_update()).scalars())
    if segment_ids is not None and len(ids) != len(set(segment_ids)):
        raise AdminRefusal(f"some of those segments are no longer {source.name}'s (someone "
                           "changed them meanwhile): nothing was transferred")
    now = clock.now()
    if ids:
        conn.execute(update(Segment).where(Segment.id.in_(ids)).values(owner_id=target.id))
    for segment_id in ids:
        log_activity(conn, segment_id, OWNER_CHANGED,
                     f"Owner changed from {source.name} to {target.name}", "", acting, now)
    if ids:
        record_audit(conn, Action.PERMISSIONS_MODIFIED, acting, subject=f"user {source.name}",
                     details=f"{plural(len(ids), 'segment')} transferred to {target.name}")
    receiver_owns = conn.execute(select(func.count()).select_from(Segment)
                                 .where(Segment.owner_id == target.id)).scalar_one()
    return Transferred(source.name, target.name, len(ids), int(receiver_owns),
                       segment_limit(conn))


def touch_seen(conn: Connection, user_id: int, now: datetime) -> bool:
    """Record that user `user_id` is using segtui (C19.3.5), unless that was recorded
    less than a minute ago: only `last_seen_at` is written (a Viewer's PostgreSQL login may
    update nothing else). Returns whether the user is still active."""
    conn.execute(update(User).where(
        User.id == user_id,
        (User.last_seen_at.is_(None))
        | (User.last_seen_at <= now - timedelta(seconds=SEEN_EVERY_SECONDS)))
        .values(last_seen_at=now))
    active = conn.execute(select(User.active).where(User.id == user_id)).scalar()
    return active is not False
