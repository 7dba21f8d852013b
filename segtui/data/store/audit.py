"""`store.audit`: the audit log (C19.4). Writes record their actions in their own
transactions (data/writes/audit.py); `record` is for what writes nothing else: a view,
an export, the log read itself. The log, the segments' adoption and the unused segments
are for administrators only (Permission.REVIEW_AUDIT: NotAllowed for anyone else)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from segtui.data.store.database import PAGE_SIZE, Database

if TYPE_CHECKING:
    from segtui.core.audit import Action, AuditEntry, AuditFilter
    from segtui.core.permissions import CurrentUser
    from segtui.core.records import Keyset, Page
    from segtui.core.usage import SegmentUsage, UnusedSegment
    from segtui.data.db.keyset import Window


def _window(after: Keyset | None, before: Keyset | None, at_end: bool) -> Window:
    from segtui.data.db.keyset import Window

    return Window(after=after, before=before, at_end=at_end)


class Audit:
    def __init__(self, db: Database) -> None:
        self._db = db

    @staticmethod
    def _require(user: CurrentUser) -> None:
        from segtui.core.permissions import Permission
        from segtui.core.segments import NotAllowed

        if not user.may(Permission.REVIEW_AUDIT):
            raise NotAllowed(user.name, user.role.value, Permission.REVIEW_AUDIT.value)

    def record(self, action: Action, user: CurrentUser, *, segment_id: int | None = None,
               subject: str = "", details: str = "") -> None:
        from segtui.data.writes.audit import record_audit

        with self._db.writing() as conn:
            record_audit(conn, action, user, segment_id=segment_id, subject=subject,
                         details=details)

    def reviewed(self, flt: AuditFilter, user: CurrentUser) -> None:
        """Record that `user` read the log filtered by `flt`: user_activity_reviewed for
        one user's entries, else access_logs_checked."""
        from segtui.core.audit import Action

        self._require(user)
        self.record(Action.USER_ACTIVITY_REVIEWED if flt.reviews_one_user
                    else Action.ACCESS_LOGS_CHECKED, user, segment_id=flt.segment_id,
                    subject="" if flt.actor is None else f"user {flt.actor}")

    def entries(self, flt: AuditFilter, user: CurrentUser, *, before: int | None = None,
                limit: int = PAGE_SIZE) -> list[AuditEntry]:
        """A page of the log, newest first. Reading it is itself recorded (`reviewed`),
        with the first page only."""
        from segtui.data.queries import audit

        self._require(user)
        if before is None:
            self.reviewed(flt, user)
        with self._db.reading() as conn:
            return audit.audit_page(conn, flt, before, limit)

    def log_page(self, flt: AuditFilter, user: CurrentUser, *, after: Keyset | None = None,
                 before: Keyset | None = None, at_end: bool = False,
                 limit: int = PAGE_SIZE) -> Page[AuditEntry]:
        """A window of the log, newest first (the app's Log view); not recorded: the
        view records each filter once (`reviewed`)."""
        from segtui.data.queries import audit

        self._require(user)
        with self._db.reading() as conn:
            return audit.audit_window(conn, flt, _window(after, before, at_end), limit)

    def log_count(self, flt: AuditFilter, user: CurrentUser) -> int:
        from segtui.data.queries import audit

        self._require(user)
        with self._db.reading() as conn:
            return audit.audit_count(conn, flt)

    def adoption_page(self, days: int, user: CurrentUser, *, after: Keyset | None = None,
                      before: Keyset | None = None, at_end: bool = False,
                      limit: int = PAGE_SIZE) -> Page[SegmentUsage]:
        """Each segment's views, exports and campaigns in the last `days`, most used
        first (C19.4.5)."""
        from segtui.data.queries import usage

        self._require(user)
        with self._db.reading() as conn:
            return usage.adoption_page(conn, days, _window(after, before, at_end), limit)

    def adoption_count(self, user: CurrentUser) -> int:
        from segtui.data.queries import usage

        self._require(user)
        with self._db.reading() as conn:
            return usage.adoption_count(conn)

    def unused_page(self, user: CurrentUser, *, after: Keyset | None = None,
                    before: Keyset | None = None, at_end: bool = False,
                    limit: int = PAGE_SIZE) -> Page[UnusedSegment]:
        """The segments not used in 90 days, longest unused first (C19.4.6)."""
        from segtui.data.queries import usage

        self._require(user)
        with self._db.reading() as conn:
            return usage.unused_page(conn, _window(after, before, at_end), limit)

    def unused_count(self, user: CurrentUser) -> int:
        from segtui.data.queries import usage

        self._require(user)
        with self._db.reading() as conn:
            return usage.unused_count(conn)
