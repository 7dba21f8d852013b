"""Recording an audit entry (C19.4), in the caller's transaction: an action is on record
exactly when it happened (a rolled-back write leaves none). `user` None: the user the
Store acts for (Database.stamped), else segtui itself."""

from __future__ import annotations

from sqlalchemy import Connection, insert

from segtui.core import clock
from segtui.core.audit import Action
from segtui.core.permissions import CurrentUser
from segtui.data.db.engine import ACTOR_OPTION, ORIGIN_OPTION
from segtui.data.db.tables import AuditEntry


def record_audit(conn: Connection, action: Action, user: CurrentUser | None, *,
                 segment_id: int | None = None, subject: str = "", details: str = "") -> None:
    """Never pass a contact's name, email or other personal data: ids only (C19.5)."""
    options = conn.get_execution_options()
    if options.get(ORIGIN_OPTION) is None:  # no Store's: a migration, before the log was
        return
    actor = user.name if user is not None else options.get(ACTOR_OPTION)
    conn.execute(insert(AuditEntry).values(
        at=clock.now(), actor=actor, action=action.value, segment_id=segment_id,
        subject=subject[:300], details=details))
