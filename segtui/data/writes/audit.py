"""Recording an audit entry (C19.4), in the caller's transaction: an action is on record
exactly when it happened (a rolled-back write leaves none). `user` None: the user the
Store acts for (Database.stamped, data/writes/changes.writer), else segtui itself."""

from __future__ import annotations

from sqlalchemy import Connection, insert

from segtui.core import clock
from segtui.core.audit import Action
from segtui.core.permissions import CurrentUser
from segtui.data.db.tables import AuditEntry
from segtui.data.writes.changes import writer


def record_audit(conn: Connection, action: Action, user: CurrentUser | None, *,
                 segment_id: int | None = None, subject: str = "", details: str = "") -> None:
    """Never pass a contact's name, email or other personal data: ids only (C19.5)."""
    written = writer(conn, user)
    if written is None:  # a migration, before the log was
        return
    conn.execute(insert(AuditEntry).values(
        at=clock.now(), actor=written[1], action=action.value, segment_id=segment_id,
        subject=subject[:300], details=details))
