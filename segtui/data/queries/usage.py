"""Who uses which segment (C19.4.5, C19.4.6; the words in core/usage.py): adoption in
the last 30 or 90 days, most used first, and the segments unused in 90 days, longest
unused first. Both are keyset pages over every segment not archived.

Adoption is one grouped read of the period's views and exports, a range of the log's
`ix_audit_log_at` (the period's entries, not the whole log), and one of the campaigns;
each segment joins its counts. Unused first leaves out the segments used in the period
(a range of `ix_audit_log_segment_at` each); the rest have their last use looked up in
the same index. At 1,000 segments and 300,000 entries over a year, on SQLite on a busy
machine: adoption ~100 ms, unused ~130 ms (tests/data/test_usage_plans_pg.py checks
PostgreSQL's plans).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, DateTime, case, exists, func, literal_column, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from segtui.core import clock
from segtui.core.audit import Action
from segtui.core.enums import CampaignStatus, SegmentKind, SegmentStatus
from segtui.core.records import Keyset, Page
from segtui.core.usage import UNUSED_DAYS, USES, SegmentUsage, UnusedSegment
from segtui.data.db.keyset import Window, settle, windowed
from segtui.data.db.tables import AuditEntry, Campaign, Segment, User, campaign_segments

VIEWS, EXPORTS = Action.METRICS_VIEWED.value, Action.MEMBERS_EXPORTED.value


def period_start(days: int) -> datetime:
    return clock.now() - timedelta(days=days)


def _adoption(days: int) -> Any:
    """Every segment not archived with its views, exports and campaigns in the period."""
    a, since = AuditEntry, period_start(days)
    # Grouped by an expression, not the column: SQLite walked the whole log in
    # ix_audit_log_segment_at for the grouping's order (240 ms at 300,000 entries) rather
    # than read the period's range of ix_audit_log_at (96 ms). A literal 0, not a
    # parameter: PostgreSQL must see the same expression in the list and the grouping.
    segment = a.segment_id + literal_column("0")
    audited = (select(segment.label("sid"),
                      func.sum(case((a.action == VIEWS, 1), else_=0)).label("views"),
                      func.sum(case((a.action == EXPORTS, 1), else_=0)).label("exports"))
               .where(a.at >= since, a.action.in_((VIEWS, EXPORTS)))
               .group_by(segment).subquery("audited"))
    cs = campaign_segments.c
    campaigns = (select(cs.segment_id.label("sid"), func.count().label("campaigns"))
                 .join(Campaign, Campaign.id == cs.campaign_id)
                 .where(or_(Campaign.status == CampaignStatus.ACTIVE,
                            Campaign.created_at >= since))
                 .group_by(cs.segment_id).subquery("campaigned"))
    views = func.coalesce(audited.c.views, 0)
    exports = func.coalesce(audited.c.exports, 0)
    used = func.coalesce(campaigns.c.campaigns, 0)
    return (select(Segment.id.label("id"), Segment.name.label("name"),
                   Segment.status.label("status"), views.label("views"),
                   exports.label("exports"), used.label("campaigns"),
                   (views + exports + used).label("uses"))
            .outerjoin(audited, audited.c.sid == Segment.id)
            .outerjoin(campaigns, campaigns.c.sid == Segment.id)
            .where(Segment.archived_at.is_(None))
            .subquery("adoption"))


def adoption_page(conn: Connection, days: int, window: Window, limit: int
                  ) -> Page[SegmentUsage]:
    inner = _adoption(days)
    query = windowed(select(inner), inner.c.uses, inner.c.id, window, descending=True,
                     limit=limit)
    rows, has_before, has_after = settle(list(conn.execute(query)), window, limit)
    found = tuple(SegmentUsage(r.id, r.name, SegmentStatus(r.status), int(r.views),
                               int(r.exports), int(r.campaigns)) for r in rows)
    return Page(found, first=_edge(rows[0].uses, rows[0].id) if rows else None,
                last=_edge(rows[-1].uses, rows[-1].id) if rows else None,
                has_before=has_before, has_after=has_after)


def _edge(value: Any, row_id: int) -> Keyset:
    return Keyset(value=value, id=int(row_id))


class latest(FunctionElement[datetime]):
    """The latest of times none of which is NULL: GREATEST on PostgreSQL, the scalar
    MAX(a, b, ...) on SQLite. Each argument is evaluated once (a CASE repeats them: the
    correlated subqueries of "last used" ran up to four times per segment)."""

    type = DateTime()
    inherit_cache = True
    name = "latest"


@compiles(latest)
def _latest_default(element: latest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


@compiles(latest, "sqlite")
def _latest_sqlite(element: latest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"MAX({compiler.process(element.clauses, **kw)})"


def _unused() -> Any:
    """Every segment not archived, with no campaign running and its last use, when that
    is before the period (UNUSED_DAYS)."""
    a, cs = AuditEntry, campaign_segments.c
    last_audit = (select(func.max(a.at))
                  .where(a.segment_id == Segment.id, a.action.in_([u.value for u in USES]))
                  .scalar_subquery())
    last_campaign = (select(func.max(Campaign.created_at))
                     .join(campaign_segments, cs.campaign_id == Campaign.id)
                     .where(cs.segment_id == Segment.id).scalar_subquery())
    changed = Segment.updated_at
    last_used = latest(func.coalesce(last_audit, changed),
                       func.coalesce(last_campaign, changed), changed)
    since = period_start(UNUSED_DAYS)
    # First the cheap test, a range of ix_audit_log_segment_at: used in the period. Only
    # the segments it leaves have their last use looked for (the whole of their history).
    used = exists(select(1).where(a.segment_id == Segment.id, a.at >= since,
                                  a.action.in_([u.value for u in USES])))
    running = exists(select(1).select_from(campaign_segments)
                     .join(Campaign, Campaign.id == cs.campaign_id)
                     .where(cs.segment_id == Segment.id,
                            Campaign.status == CampaignStatus.ACTIVE))
    every = (select(Segment.id.label("id"), Segment.name.label("name"),
                    Segment.status.label("status"), Segment.kind.label("kind"),
                    User.name.label("owner"), last_used.label("last_used"))
             .outerjoin(User, User.id == Segment.owner_id)
             .where(Segment.archived_at.is_(None), ~used, ~running)
             # OFFSET 0 keeps it a subquery of its own on both engines: merged into the
             # query around it, "last used" was computed twice, for the filter and the row.
             .offset(0)
             .subquery("every"))
    return select(every).where(every.c.last_used < since).subquery("unused")


def unused_page(conn: Connection, window: Window, limit: int) -> Page[UnusedSegment]:
    inner = _unused()
    query = windowed(select(inner), inner.c.last_used, inner.c.id, window,
                     descending=False, limit=limit)
    rows, has_before, has_after = settle(list(conn.execute(query)), window, limit)
    found = tuple(UnusedSegment(r.id, r.name, SegmentStatus(r.status), SegmentKind(r.kind),
                                r.owner, _when(r.last_used)) for r in rows)
    return Page(found, first=_edge(found[0].last_used, rows[0].id) if rows else None,
                last=_edge(found[-1].last_used, rows[-1].id) if rows else None,
                has_before=has_before, has_after=has_after)


def _when(value: Any) -> datetime:
    """A time the engine computed: SQLite's MAX hands it over as its text."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def adoption_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(Segment)
                            .where(Segment.archived_at.is_(None))).scalar_one())


def unused_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(_unused())).scalar_one())
