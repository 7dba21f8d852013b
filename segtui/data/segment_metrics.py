"""SQL for one segment's metrics (spec 7.5, 7.7). Formulas: docs/metrics.md."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    exists,
    func,
    literal,
    not_,
    select,
)
from sqlalchemy.orm import QueryableAttribute, aliased

from segtui.core.enums import ACTION_EVENTS, ENGAGEMENT_EVENTS, EventType
from segtui.core.metrics import (
    CampaignPerformance,
    QualityScore,
    SegmentCards,
    SegmentMetrics,
    Window,
)
from segtui.data.models import (
    Campaign,
    Contact,
    EngagementEvent,
    Membership,
    campaign_segments,
)
from segtui.data.sql import current_membership, member_ids

# segment_cards' pre-filter on last_activity_at relies on it.
assert set(ENGAGEMENT_EVENTS) <= set(ACTION_EVENTS)


def valid_email(column: QueryableAttribute[str | None]) -> ColumnElement[bool]:
    """A plausible address: something@something.something, one @, no spaces."""
    return and_(column.like("%_@_%._%"), not_(column.like("%@%@%")),
                not_(column.like("% %")))


def _filled(column: QueryableAttribute[str | None]) -> ColumnElement[bool]:
    return and_(column.is_not(None), func.trim(column) != "")


def _sum_of(value: ColumnElement[int] | QueryableAttribute[int]) -> ColumnElement[int]:
    return func.coalesce(func.sum(value), 0)


def segment_cards(conn: Connection, segment_id: int, window: Window) -> SegmentCards:
    """The six cards in four statements: one pass over the members (count, engaged in
    both windows, converted, quality and completeness), unsubscribed members, campaigns,
    and the all-contacts conversion baseline.

    The engaged counts are driven from the members, not from the events: the events of
    the last 60 days are hundreds of thousands at a million contacts, while the members
    who did anything in that time are few. `contacts.last_activity_at` (a trigger-kept
    rollup over ACTION_EVENTS, a superset of ENGAGEMENT_EVENTS) rules out every member
    whose newest action is older than the window without touching `events`; only the
    rest are probed, so the counts stay exact.
    "Converted" reads the `purchases` rollup (the number of `converted` events).
    """
    c = Contact
    previous = window.previous()

    def engaged_in(w: Window) -> ColumnElement[int]:
        e = aliased(EngagementEvent)
        did = exists().where(e.contact_id == c.id, e.type.in_(ENGAGEMENT_EVENTS),
                             e.occurred_at >= w.start, e.occurred_at < w.end)
        # CASE, not AND: SQLite evaluates both sides of AND inside an aggregate.
        return _sum_of(case(
            (c.last_activity_at >= w.start, case((did, 1), else_=0)), else_=0))

    checks = [valid_email(c.email), _filled(c.phone), _filled(c.title),
              c.company_id.is_not(None), _filled(c.city)]
    filled = sum((case((check, 1), else_=0) for check in checks), literal(0))
    row = conn.execute(
        select(func.count(), engaged_in(window), engaged_in(previous),
               _sum_of(case((c.purchases > 0, 1), else_=0)),
               _sum_of(c.quality_score), _sum_of(filled))
        .select_from(Membership)
        .join(c, c.id == Membership.contact_id)
        .where(Membership.segment_id == segment_id, current_membership())
    ).one()
    members, engaged, engaged_previous, converted, quality_sum, filled_sum = (
        int(v) for v in row)
    # Unsubscribes are rare: walk them and probe each one's membership.
    e = EngagementEvent
    unsubscribed = conn.execute(
        select(func.count(func.distinct(e.contact_id)))
        .where(e.type == EventType.UNSUBSCRIBED,
               exists().where(Membership.contact_id == e.contact_id,
                              Membership.segment_id == segment_id, current_membership()))
    ).scalar_one()
    campaigns = conn.execute(
        select(func.count())
        .select_from(campaign_segments)
        .where(campaign_segments.c.segment_id == segment_id)
    ).scalar_one()
    metrics = SegmentMetrics(
        members=members,
        engaged=engaged,
        engaged_previous=engaged_previous,
        converted=converted,
        unsubscribed=int(unsubscribed),
        campaigns=int(campaigns),
    )
    # Integer sums, divided here with Decimal: AVG is a float on SQLite and a NUMERIC on
    # PostgreSQL, which round exact halves (x.x5) differently.
    quality = QualityScore(
        members=members,
        avg_quality=Decimal(quality_sum) / members if members else Decimal(0),
        completeness=(Decimal(filled_sum) / (members * len(checks)) if members
                      else Decimal(0)),
    )
    return SegmentCards(metrics, quality, _overall_conversion(conn))


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


def _overall_conversion(conn: Connection) -> tuple[int, int]:
    """(contacts with a conversion, all contacts): the baseline a segment's conversion rate
    is compared with (spec 7.5 "Conversion Rate shows percentage with comparison text")."""
    converted = conn.execute(
        select(func.count(func.distinct(EngagementEvent.contact_id)))
        .where(EngagementEvent.type == EventType.CONVERTED)
    ).scalar_one()
    total = conn.execute(select(func.count()).select_from(Contact)).scalar_one()
    return int(converted), int(total)
