"""Recording an audit entry (C19.4), in the caller's transaction: an action is on record
exactly when it happened (a rolled-back write leaves none). `user` None: the user the
Store acts for (Database.stamped, data/writes/changes.writer), else segtui itself."""

from __future__ import annotations

from collections.abc import Sequence

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


def record_audits(conn: Connection, action: Action,
                  entries: Sequence[tuple[CurrentUser, str, str]]) -> None:
    """`record_audit` of many (user, subject, details) in one statement: the API server's
    request log writes a batch of lines at once (C21.2.3), not a round trip each."""
    if not entries or writer(conn, None) is None:
        return
    at = clock.now()
    conn.execute(insert(AuditEntry), [
        {"at": at, "actor": user.name, "action": action.value, "segment_id": None,
         "subject": subject[:300], "details": details} for user, subject, details in entries])
