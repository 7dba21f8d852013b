"""Reading the audit log (C19.4): newest first, filtered, a keyset page at a time."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import Connection, func, select

from segtui.core.audit import Action, AuditFilter
from segtui.core.audit import AuditEntry as Entry
from segtui.data.db.tables import AuditEntry, Segment


def audit_page(conn: Connection, flt: AuditFilter, before: int | None, limit: int
               ) -> list[Entry]:
    """Up to `limit` entries matching `flt`, newest first, older than id `before`."""
    a = AuditEntry
    query = (select(a.id, a.at, a.actor, a.action, a.segment_id, Segment.name, a.subject,
                    a.details)
             .outerjoin(Segment, Segment.id == a.segment_id)
             .order_by(a.id.desc()).limit(limit))
    if before is not None:
        query = query.where(a.id < before)
    if flt.since is not None:
        query = query.where(a.at >= datetime.combine(flt.since, time.min))
    if flt.until is not None:
        query = query.where(a.at < datetime.combine(flt.until + timedelta(days=1), time.min))
    if flt.actor is not None:
        query = query.where(func.lower(a.actor) == flt.actor.strip().lower())
    if flt.action is not None:
        query = query.where(a.action == flt.action.value)
    if flt.segment_id is not None:
        query = query.where(a.segment_id == flt.segment_id)
    return [Entry(r.id, r.at, r.actor, Action(r.action), r.segment_id, r.name, r.subject,
                  r.details) for r in conn.execute(query)]
