"""Who uses which segment (C19.4.5, C19.4.6; the words in core/usage.py): adoption in
the last 30 or 90 days, most used first, and the segments unused in 90 days, longest
unused first. Both are keyset pages over every segment not archived.

Adoption is one grouped read of the period's views and exports, a range of the log's
`ix_audit_log_at` (the period's entries, not the whole log), and one of the campaigns;
each segment joins its counts. "Last used" is two probes per segment, each the newest
entry of one segment in `ix_audit_log_segment_at`, read backwards.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, case, exists, func, or_, select

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
    audited = (select(a.segment_id.label("sid"),
                      func.sum(case((a.action == VIEWS, 1), else_=0)).label("views"),
                      func.sum(case((a.action == EXPORTS, 1), else_=0)).label("exports"))
               .where(a.at >= since, a.action.in_((VIEWS, EXPORTS)),
                      a.segment_id.is_not(None))
               .group_by(a.segment_id).subquery("audited"))
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


def _later(first: ColumnElement[Any], second: ColumnElement[Any]) -> ColumnElement[Any]:
    """The later of two times (both engines: GREATEST is PostgreSQL's, MAX(a, b) SQLite's)."""
    return case((first > second, first), else_=second)


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
    last_used = _later(_later(func.coalesce(last_audit, changed),
                              func.coalesce(last_campaign, changed)), changed)
    running = exists(select(1).select_from(campaign_segments)
                     .join(Campaign, Campaign.id == cs.campaign_id)
                     .where(cs.segment_id == Segment.id,
                            Campaign.status == CampaignStatus.ACTIVE))
    every = (select(Segment.id.label("id"), Segment.name.label("name"),
                    Segment.status.label("status"), Segment.kind.label("kind"),
                    User.name.label("owner"), last_used.label("last_used"))
             .outerjoin(User, User.id == Segment.owner_id)
             .where(Segment.archived_at.is_(None), ~running)
             .subquery("every"))
    return (select(every).where(every.c.last_used < period_start(UNUSED_DAYS))
            .subquery("unused"))


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
    """A time the CASE gives back: SQLite may hand it over as its text."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def adoption_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(Segment)
                            .where(Segment.archived_at.is_(None))).scalar_one())


def unused_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(_unused())).scalar_one())
