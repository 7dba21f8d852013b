"""`store.audit`: the audit log (C19.4). Writes record their actions in their own
transactions (data/writes/audit.py); `record` is for what writes nothing else: a view,
an export, the log read itself."""

from __future__ import annotations

from typing import TYPE_CHECKING

from segtui.data.store.database import PAGE_SIZE, Database

if TYPE_CHECKING:
    from segtui.core.audit import Action, AuditEntry, AuditFilter
    from segtui.core.permissions import CurrentUser


class Audit:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, action: Action, user: CurrentUser, *, segment_id: int | None = None,
               subject: str = "", details: str = "") -> None:
        from segtui.data.writes.audit import record_audit

        with self._db.writing() as conn:
            record_audit(conn, action, user, segment_id=segment_id, subject=subject,
                         details=details)

    def entries(self, flt: AuditFilter, user: CurrentUser, *, before: int | None = None,
                limit: int = PAGE_SIZE) -> list[AuditEntry]:
        """A page of the log, newest first (administrators only: NotAllowed). Reading it
        is itself recorded (user_activity_reviewed for one user's, else
        access_logs_checked), with the first page only."""
        from segtui.core.audit import Action
        from segtui.core.permissions import Permission
        from segtui.core.segments import NotAllowed
        from segtui.data.queries import audit
        from segtui.data.writes.audit import record_audit

        if not user.may(Permission.REVIEW_AUDIT):
            raise NotAllowed(user.name, user.role.value, Permission.REVIEW_AUDIT.value)
        if before is not None:  # a later page: only the first records the read
            with self._db.reading() as conn:
                return audit.audit_page(conn, flt, before, limit)
        with self._db.writing() as conn:
            record_audit(conn, Action.USER_ACTIVITY_REVIEWED if flt.reviews_one_user
                         else Action.ACCESS_LOGS_CHECKED, user, segment_id=flt.segment_id,
                         subject="" if flt.actor is None else f"user {flt.actor}")
            return audit.audit_page(conn, flt, before, limit)
