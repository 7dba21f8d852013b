"""SQL for one segment's metrics (spec 7.5, 7.7). Formulas: docs/metrics.md."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, and_, case, func, select

from segtui.core.enums import ENGAGEMENT_EVENTS, EventType
from segtui.core.metrics import CampaignPerformance, SegmentMetrics, Window
from segtui.data.models import (
    Campaign,
    Contact,
    EngagementEvent,
    campaign_segments,
)
from segtui.data.sql import member_count, member_ids


def segment_metrics(conn: Connection, segment_id: int, window: Window) -> SegmentMetrics:
    """Four statements, each one pass: members; engaged in both windows; converted and
    unsubscribed; campaigns."""
    e = EngagementEvent
    previous = window.previous()
    members = member_count(conn, segment_id)

    def distinct_members(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.count(func.distinct(case((condition, e.contact_id))))

    def within(w: Window) -> ColumnElement[bool]:
        return and_(e.occurred_at >= w.start, e.occurred_at < w.end)

    engaged, engaged_previous = conn.execute(
        select(distinct_members(within(window)), distinct_members(within(previous)))
        .where(e.contact_id.in_(member_ids(segment_id)), e.type.in_(ENGAGEMENT_EVENTS),
               e.occurred_at >= previous.start, e.occurred_at < window.end)
    ).one()
    converted, unsubscribed = conn.execute(
        select(distinct_members(e.type == EventType.CONVERTED),
               distinct_members(e.type == EventType.UNSUBSCRIBED))
        .where(e.contact_id.in_(member_ids(segment_id)),
               e.type.in_([EventType.CONVERTED, EventType.UNSUBSCRIBED]))
    ).one()
    campaigns = conn.execute(
        select(func.count())
        .select_from(campaign_segments)
        .where(campaign_segments.c.segment_id == segment_id)
    ).scalar_one()
    return SegmentMetrics(
        members=int(members),
        engaged=int(engaged),
        engaged_previous=int(engaged_previous),
        converted=int(converted),
        unsubscribed=int(unsubscribed),
        campaigns=int(campaigns),
    )


def campaign_performance(conn: Connection, segment_id: int) -> list[CampaignPerformance]:
    """Per campaign using the segment: distinct members sent/opened/clicked/converted, and
    the revenue of members' conversions in that campaign."""
    e = EngagementEvent

    def distinct_of(kind: EventType) -> ColumnElement[int]:
        return func.count(func.distinct(case((e.type == kind, e.contact_id))))

    query = (
        select(
            Campaign.id,
            Campaign.name,
            Campaign.status,
            distinct_of(EventType.SENT).label("sent"),
            distinct_of(EventType.OPENED).label("opened"),
            distinct_of(EventType.CLICKED).label("clicked"),
            distinct_of(EventType.CONVERTED).label("converted"),
            func.coalesce(
                func.sum(case((e.type == EventType.CONVERTED, e.revenue_cents), else_=0)), 0
            ).label("revenue"),
        )
        .select_from(Campaign)
        .join(campaign_segments, campaign_segments.c.campaign_id == Campaign.id)
        .outerjoin(
            e, and_(e.campaign_id == Campaign.id, e.contact_id.in_(member_ids(segment_id)))
        )
        .where(campaign_segments.c.segment_id == segment_id)
        .group_by(Campaign.id, Campaign.name, Campaign.status)
        .order_by(Campaign.created_at.desc(), Campaign.id)
    )
    return [
        CampaignPerformance(
            campaign_id=r.id,
            name=r.name,
            status=str(r.status),
            sent=int(r.sent),
            opened=int(r.opened),
            clicked=int(r.clicked),
            converted=int(r.converted),
            revenue_cents=int(r.revenue),
        )
        for r in conn.execute(query)
    ]


def overall_conversion(conn: Connection) -> tuple[int, int]:
    """(contacts with a conversion, all contacts): the baseline a segment's conversion rate
    is compared with (spec 7.5 "Conversion Rate shows percentage with comparison text")."""
    converted = conn.execute(
        select(func.count(func.distinct(EngagementEvent.contact_id)))
        .where(EngagementEvent.type == EventType.CONVERTED)
    ).scalar_one()
    total = conn.execute(select(func.count()).select_from(Contact)).scalar_one()
    return int(converted), int(total)
