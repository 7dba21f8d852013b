"""Keeping the membership history to its retention (C20.1.4): the administrator's setting
(default DEFAULT_RETENTION_DAYS) and the prune that removes stays which ended before it,
after keeping every segment's daily sizes up to then (data/derived/daily_sizes.py).

A current stay is never pruned, however old: it is the present, not history.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, insert, select, update

from segtui.core.audit import Action
from segtui.core.formatting import plural
from segtui.core.history import DEFAULT_RETENTION_DAYS, check_retention
from segtui.core.permissions import CurrentUser, Permission
from segtui.core.segments import NotAllowed
from segtui.data.db.tables import Membership, Segment, Setting
from segtui.data.derived import daily_sizes
from segtui.data.writes.audit import record_audit

RETENTION_SETTING = "history.retention_days"


def retention_days(conn: Connection) -> int:
    stored = conn.execute(select(Setting.value).where(Setting.key == RETENTION_SETTING)
                          ).scalar()
    return int(stored) if stored is not None else DEFAULT_RETENTION_DAYS


def _require_admin(user: CurrentUser, what: str) -> None:
    if not user.may(Permission.MANAGE_USERS):
        raise NotAllowed(user.name, user.role.value, what)


def set_retention_days(conn: Connection, days: int, user: CurrentUser) -> None:
    """An administrator sets how long ended stays are kept. ValueError out of range."""
    _require_admin(user, "change the history's retention")
    check_retention(days)
    if conn.execute(select(Setting.key).where(Setting.key == RETENTION_SETTING)).first():
        conn.execute(update(Setting).where(Setting.key == RETENTION_SETTING)
                     .values(value=str(days)))
    else:
        conn.execute(insert(Setting).values(key=RETENTION_SETTING, value=str(days)))
    record_audit(conn, Action.PERMISSIONS_MODIFIED, user, subject="membership history",
                 details=f"kept {plural(days, 'day')}")


def prune(conn: Connection, now: datetime, user: CurrentUser, *, dry_run: bool = False
          ) -> tuple[datetime, int]:
    """Remove the stays that ended more than the retention ago: (the cut-off, how many
    were, or with `dry_run` would be, removed). The cut-off is the midnight that starts the
    day the retention reaches back to; every segment's daily sizes are kept up to the day
    before it first, so its size history stays whole."""
    _require_admin(user, "prune the membership history")
    # From a midnight: the days kept as sizes end exactly where the stays removed end.
    cutoff = datetime.combine((now - timedelta(days=retention_days(conn))).date(),
                              datetime.min.time())
    old = (Membership.removed_at.is_not(None), Membership.removed_at < cutoff)
    if dry_run:
        count = conn.execute(select(func.count()).select_from(Membership).where(*old))
        return cutoff, int(count.scalar_one())
    through = cutoff.date() - timedelta(days=1)
    daily_sizes.fill_all(conn, list(conn.execute(select(Segment.id)).scalars()), through)
    removed = conn.execute(delete(Membership).where(*old)
                           .execution_options(preserve_rowcount=True)).rowcount
    removed = max(int(removed or 0), 0)
    record_audit(conn, Action.DATA_CLEANUP_INITIATED, user, subject="membership history",
                 details=f"{removed} stays ended before {cutoff:%Y-%m-%d} pruned")
    return cutoff, removed
