"""SQL for one segment's metrics (R7.5, R7.7). Formulas: docs/metrics.md."""

from __future__ import annotations

from dataclasses import astuple, dataclass
from decimal import Decimal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    case,
    exists,
    func,
    select,
)

from segtui.core.enums import ENGAGEMENT_EVENTS, EventType
from segtui.core.metrics import (
    CampaignPerformance,
    QualityScore,
    SegmentCards,
    SegmentMetrics,
    Window,
)
from segtui.data.db.sql import current_membership, member_count, member_ids, over_members
from segtui.data.db.tables import (
    Campaign,
    Contact,
    ContactFigures,
    EngagementEvent,
    Membership,
    campaign_segments,
)
from segtui.data.derived.completeness import COMPLETENESS_CHECKS


def _sum_of(value: ColumnElement[int]) -> ColumnElement[int]:
    return func.coalesce(func.sum(value), 0)


# Below this many members the AI Insights tab groups its members in one pass; above it in
# two contact-id halves on two connections at once (insights.segment_insights). (The
# cards read every segment in two halves of another kind: Store.metrics.segment_summary.)
SPLIT_AT = 20_000


@dataclass(frozen=True)
class MemberSums:
    """What one pass over (some of) a segment's members adds up."""

    members: int = 0
    engaged: int = 0
    engaged_previous: int = 0
    converted: int = 0
    quality_sum: int = 0
    filled_sum: int = 0

    def __add__(self, other: MemberSums) -> MemberSums:
        return MemberSums(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))


@dataclass(frozen=True)
class SideFigures:
    """The cards' figures that are not a pass over the members."""

    unsubscribed: int
    campaigns: int
    baseline: tuple[int, int]


def segment_cards(conn: Connection, segment_id: int, window: Window) -> SegmentCards:
    """The six cards in four statements: one pass over the members (count, engaged in
    both windows, converted, quality and completeness), unsubscribed members, campaigns,
    and the all-contacts conversion baseline."""
    return cards_from(member_sums(conn, segment_id, window), side_figures(conn, segment_id))


def split_point(conn: Connection, segment_id: int, members: int | None = None) -> int | None:
    """The contact id that halves a large segment's current members (the first id of the
    upper half), or None for a segment under SPLIT_AT members. Both are read from
    ix_memberships_segment, which holds the members in contact id order; `members`: their
    number, when the caller has counted them already."""
    count = member_count(conn, segment_id) if members is None else members
    if count < SPLIT_AT:
        return None
    middle = member_ids(segment_id).order_by(Membership.contact_id).offset(count // 2).limit(1)
    found = conn.execute(middle).scalar()
    return None if found is None else int(found)


def member_sums(conn: Connection, segment_id: int, window: Window, *,
                half: int | None = None) -> MemberSums:
    """One pass over the segment's current members, those in `half` (sql.in_half) where
    given: read from the members' copies in contact_figures (data/derived/figures.py).

    The engaged counts are driven from the members, not from the events: the events of
    the last 60 days are hundreds of thousands at a million contacts, while a segment's
    members are read anyway. `contacts.last_engaged_at` (the newest engagement, a
    trigger-kept rollup, data/derived/rollups.py) answers a window by itself for every member
    whose newest engagement falls inside it (engaged) or before it (not engaged); only a
    member who engaged again after the window ends is asked of `events` whether they also
    engaged inside it. For the current window that is nobody (it ends today); for the
    previous one it is the members engaged this month. So the counts stay exact.
    "Converted" reads the `purchases` rollup (the number of `converted` events).
    """
    c = ContactFigures
    previous = window.previous()
    row = conn.execute(over_members(
        conn,
        select(func.count(), engaged_in(window), engaged_in(previous),
               _sum_of(case((c.purchases > 0, 1), else_=0)),
               _sum_of(c.quality_score), _sum_of(c.filled_fields)),
        segment_id, half=half, of=c.contact_id)
    ).one()
    return MemberSums(*(int(v) for v in row))


def engaged_in(w: Window) -> ColumnElement[int]:
    """The members (rows of contact_figures) engaged in `w`, summed (member_sums
    says how; the compare screen's pass uses it too, C20.5.3)."""
    c = ContactFigures
    e = EngagementEvent.__table__.alias().c
    did = exists().where(e.contact_id == c.contact_id, e.type.in_(ENGAGEMENT_EVENTS),
                         e.occurred_at >= w.start, e.occurred_at < w.end)
    # CASE, not AND: SQLite evaluates both sides of AND inside an aggregate.
    return _sum_of(case(
        (c.last_engaged_at >= w.end, case((did, 1), else_=0)),
        (c.last_engaged_at >= w.start, 1),
        else_=0))  # before the window, or NULL: never engaged


def side_figures(conn: Connection, segment_id: int) -> SideFigures:
    """Unsubscribed members, campaigns and the all-contacts conversion baseline, in one
    statement (a round trip each was 10-40 ms of waiting for the interpreter while the
    screen is built, P7)."""
    # Unsubscribes are rare: walk them and probe each one's membership.
    e = EngagementEvent
    unsubscribed = (
        select(func.count(func.distinct(e.contact_id)))
        .where(e.type == EventType.UNSUBSCRIBED,
               exists().where(Membership.contact_id == e.contact_id,
                              Membership.segment_id == segment_id, current_membership()))
    )
    campaigns = (select(func.count()).select_from(campaign_segments)
                 .where(campaign_segments.c.segment_id == segment_id))
    unsubscribed_members, used_by, converted, total = conn.execute(select(
        *(query.scalar_subquery() for query in (unsubscribed, campaigns,
                                                *_overall_conversion())))).one()
    return SideFigures(int(unsubscribed_members), int(used_by), (int(converted), int(total)))


def cards_from(sums: MemberSums, side: SideFigures) -> SegmentCards:
    members = sums.members
    metrics = SegmentMetrics(
        members=members,
        engaged=sums.engaged,
        engaged_previous=sums.engaged_previous,
        converted=sums.converted,
        unsubscribed=side.unsubscribed,
        campaigns=side.campaigns,
    )
    # Integer sums, divided here with Decimal: AVG is a float on SQLite and a NUMERIC on
    # PostgreSQL, which round exact halves (x.x5) differently.
    quality = QualityScore(
        members=members,
        avg_quality=Decimal(sums.quality_sum) / members if members else Decimal(0),
        completeness=(Decimal(sums.filled_sum) / (members * COMPLETENESS_CHECKS) if members
                      else Decimal(0)),
    )
    return SegmentCards(metrics, quality, side.baseline)


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


def _overall_conversion() -> tuple[Select[int], Select[int]]:
    """(contacts with a conversion, all contacts): the baseline a segment's conversion rate
    is compared with (R7.5 "Conversion Rate shows percentage with comparison text"),
    as two queries."""
    converted = (select(func.count(func.distinct(EngagementEvent.contact_id)))
                 .where(EngagementEvent.type == EventType.CONVERTED))
    return converted, select(func.count()).select_from(Contact)
