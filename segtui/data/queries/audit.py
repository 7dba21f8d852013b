"""Reading the audit log (C19.4): newest first, filtered, a keyset page at a time."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from segtui.core.audit import Action, AuditFilter
from segtui.core.audit import AuditEntry as Entry
from segtui.core.records import Keyset, Page
from segtui.data.db.keyset import Window, settle, walks_down
from segtui.data.db.tables import AuditEntry, Segment


def _conditions(flt: AuditFilter) -> list[ColumnElement[bool]]:
    a = AuditEntry
    found: list[ColumnElement[bool]] = []
    if flt.since is not None:
        found.append(a.at >= datetime.combine(flt.since, time.min))
    if flt.until is not None:
        found.append(a.at < datetime.combine(flt.until + timedelta(days=1), time.min))
    if flt.actor is not None:
        found.append(func.lower(a.actor) == flt.actor.strip().lower())
    if flt.action is not None:
        found.append(a.action == flt.action.value)
    if flt.segment_id is not None:
        found.append(a.segment_id == flt.segment_id)
    return found


def _entries() -> Any:
    a = AuditEntry
    return (select(a.id, a.at, a.actor, a.action, a.segment_id, Segment.name, a.subject,
                   a.details)
            .outerjoin(Segment, Segment.id == a.segment_id))


def _entry(r: Any) -> Entry:
    return Entry(r.id, r.at, r.actor, Action(r.action), r.segment_id, r.name, r.subject,
                 r.details)


def audit_page(conn: Connection, flt: AuditFilter, before: int | None, limit: int
               ) -> list[Entry]:
    """Up to `limit` entries matching `flt`, newest first, older than id `before`."""
    a = AuditEntry
    query = _entries().where(*_conditions(flt)).order_by(a.id.desc()).limit(limit)
    if before is not None:
        query = query.where(a.id < before)
    return [_entry(r) for r in conn.execute(query)]


def audit_window(conn: Connection, flt: AuditFilter, window: Window, limit: int
                 ) -> Page[Entry]:
    """A window of the matching entries, newest first (the app's log, C19.4.4): the
    first, the one after or before an edge, or the last, by id (the primary key)."""
    a = AuditEntry
    down = walks_down(window, descending=True)
    query = _entries().where(*_conditions(flt))
    if window.edge is not None:
        query = query.where(a.id < window.edge.id if down else a.id > window.edge.id)
    query = query.order_by(a.id.desc() if down else a.id).limit(limit + 1)
    rows, has_before, has_after = settle([_entry(r) for r in conn.execute(query)], window,
                                         limit)
    return Page(tuple(rows), first=Keyset(rows[0].id, rows[0].id) if rows else None,
                last=Keyset(rows[-1].id, rows[-1].id) if rows else None,
                has_before=has_before, has_after=has_after)


def audit_count(conn: Connection, flt: AuditFilter) -> int:
    query = select(func.count()).select_from(AuditEntry).where(*_conditions(flt))
    return int(conn.execute(query).scalar_one())
