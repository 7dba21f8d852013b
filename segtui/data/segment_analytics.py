"""SQL for the Performance and Analytics tabs and the Quality Score card (spec 7.5, 7.7, 7.8).

Every function aggregates in the database (one or two statements, conditional aggregation
over fixed windows computed in Python) and returns small records of
`segtui.core.analytics`; no per-member rows cross to Python. The same statements run on
SQLite and PostgreSQL. Formulas: docs/metrics.md.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import QueryableAttribute

from segtui.core.analytics import (
    HEALTH_DAYS,
    SCORE_CAP,
    SCORE_POINTS,
    AnalyticsReport,
    Health,
    PerformanceReport,
    PerformanceSummary,
    RegionFigures,
    SendStats,
    Series,
    month_windows,
    week_windows,
)
from segtui.core.enums import ACTION_EVENTS, CompanySize, EventType
from segtui.core.metrics import Window, last_days
from segtui.data.models import Company, Contact, EngagementEvent, Membership
from segtui.data.segment_metrics import campaign_performance
from segtui.data.sql import current_membership, member_count, member_ids

UNKNOWN = "Unknown"
Column = ColumnElement[str | None] | QueryableAttribute[str | None]

# Engagement Trend lines (spec 7.7 "multiple trend lines for different metrics").
TREND_LINES: list[tuple[str, tuple[EventType, ...]]] = [
    ("Opened", (EventType.OPENED,)),
    ("Clicked", (EventType.CLICKED,)),
    ("Responded", (EventType.RESPONDED, EventType.MEETING_ATTENDED)),
    ("Converted", (EventType.CONVERTED,)),
]


def _in(window: Window) -> ColumnElement[bool]:
    e = EngagementEvent
    return and_(e.occurred_at >= window.start, e.occurred_at < window.end)


# -- Performance (7.7) ---------------------------------------------------------------------


def _send_stats(conn: Connection, segment_id: int, now: Window,
                before: Window) -> tuple[SendStats, SendStats]:
    """Send stats of two adjacent windows in one pass (the sends of both are read once)."""
    e = EngagementEvent

    def sent_in(window: Window) -> ColumnElement[int]:
        return func.max(case((_in(window), 1), else_=0))

    sends = (
        select(e.contact_id, e.campaign_id, sent_in(now).label("now"),
               sent_in(before).label("before"))
        .where(e.type == EventType.SENT, e.campaign_id.is_not(None),
               e.occurred_at >= before.start, e.occurred_at < now.end,
               e.contact_id.in_(member_ids(segment_id)))
        .group_by(e.contact_id, e.campaign_id)
        .subquery("sends")
    )

    def did(kind: EventType) -> ColumnElement[bool]:
        other = EngagementEvent.__table__.alias("other")
        return exists().where(other.c.contact_id == sends.c.contact_id,
                              other.c.type == kind.value,
                              other.c.campaign_id == sends.c.campaign_id)

    def total(flag: ColumnElement[int], *also: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((and_(flag == 1, *also), 1), else_=0)), 0)

    opened, clicked = did(EventType.OPENED), did(EventType.CLICKED)
    row = conn.execute(
        select(total(sends.c.now), total(sends.c.now, opened), total(sends.c.now, clicked),
               total(sends.c.before), total(sends.c.before, opened),
               total(sends.c.before, clicked))
        .select_from(sends)
    ).one()
    values = [int(v) for v in row]
    return SendStats(*values[:3]), SendStats(*values[3:])


def _conversions(conn: Connection, segment_id: int,
                 window: Window | None) -> tuple[int, int]:
    """(conversion events, their revenue in cents) of current members, optionally within a
    window."""
    e = EngagementEvent
    query = select(func.count(), func.coalesce(func.sum(e.revenue_cents), 0)).where(
        e.type == EventType.CONVERTED, e.contact_id.in_(member_ids(segment_id))
    )
    if window is not None:
        query = query.where(_in(window))
    count, revenue = conn.execute(query).one()
    return int(count), int(revenue or 0)


def performance_summary(conn: Connection, segment_id: int, today: date) -> PerformanceSummary:
    now = last_days(today)
    before = now.previous()
    campaigns = [c for c in campaign_performance(conn, segment_id) if c.sent]

    def mean(values: list[Decimal]) -> Decimal:
        if not values:
            return Decimal(0)
        return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP)

    sends_now, sends_before = _send_stats(conn, segment_id, now, before)
    conversions, revenue = _conversions(conn, segment_id, None)
    conversions_now, revenue_now = _conversions(conn, segment_id, now)
    conversions_before, revenue_before = _conversions(conn, segment_id, before)
    return PerformanceSummary(
        revenue_cents=revenue,
        avg_open_rate=mean([c.rate(c.opened) for c in campaigns]),
        avg_click_rate=mean([c.rate(c.clicked) for c in campaigns]),
        conversions=conversions,
        revenue_now=revenue_now,
        revenue_before=revenue_before,
        conversions_now=conversions_now,
        conversions_before=conversions_before,
        sends_now=sends_now,
        sends_before=sends_before,
    )


def engagement_trend(conn: Connection, segment_id: int, today: date) -> Series:
    """Per calendar month (last 6, the current one so far): distinct members with each
    kind of engagement."""
    e = EngagementEvent
    months = month_windows(today)
    # Bucket each event (month index, line index), keep distinct (member, month, line)
    # triples, count them per bucket: one grouped pass, where 24 COUNT(DISTINCT)
    # columns cost SQLite 24 temp B-trees.
    month = case(*((_in(window), i) for i, (_, window) in enumerate(months)))
    line = case(*((e.type.in_(kinds), i) for i, (_, kinds) in enumerate(TREND_LINES)))
    triples = (
        select(e.contact_id, month.label("month"), line.label("line"))
        .where(e.contact_id.in_(member_ids(segment_id)),
               e.type.in_([k for _, kinds in TREND_LINES for k in kinds]),
               e.occurred_at >= months[0][1].start, e.occurred_at < months[-1][1].end)
        .distinct()
        .subquery("triples")
    )
    counts = {
        (int(m), int(li)): int(n) for m, li, n in conn.execute(
            select(triples.c.month, triples.c.line, func.count())
            .group_by(triples.c.month, triples.c.line)
        )
    }
    values = {
        name: [float(counts.get((m, li), 0)) for m in range(len(months))]
        for li, (name, _) in enumerate(TREND_LINES)
    }
    return Series([label for label, _ in months], values)


def segment_health(conn: Connection, segment_id: int, today: date) -> Health:
    """Unsubscribed: an unsubscribe event, ever. Active: otherwise, any action (an event
    other than a send) in the last 60 days. Inactive: the rest."""
    e = EngagementEvent
    window = last_days(today, HEALTH_DAYS)
    unsubscribed = exists().where(e.contact_id == Membership.contact_id,
                                  e.type == EventType.UNSUBSCRIBED)
    acted = exists().where(e.contact_id == Membership.contact_id,
                           e.type.in_(ACTION_EVENTS),
                           _in(window))
    row = conn.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((unsubscribed, 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(not_(unsubscribed), acted), 1), else_=0)), 0),
        ).where(Membership.segment_id == segment_id, current_membership())
    ).one()
    members, unsub, active = int(row[0]), int(row[1]), int(row[2])
    return Health(active=active, inactive=members - unsub - active, unsubscribed=unsub)


# -- Analytics (7.8) -----------------------------------------------------------------------


def contact_growth(conn: Connection, segment_id: int, today: date) -> Series:
    """Members at the end of each of the last 6 months (today for the current month),
    from membership history: added before that moment and not removed by then."""
    m = Membership
    months = month_windows(today)
    columns = [
        func.coalesce(func.sum(case(
            (and_(m.added_at < window.end,
                  or_(m.removed_at.is_(None), m.removed_at >= window.end)), 1),
            else_=0,
        )), 0)
        for _, window in months
    ]
    row = conn.execute(select(*columns).where(m.segment_id == segment_id)).one()
    return Series([label for label, _ in months], {"Members": [float(v) for v in row]})


def company_size_distribution(conn: Connection, segment_id: int) -> list[tuple[str, int]]:
    """Members per company size, Enterprise, Mid-Market, SMB, then Unknown if any."""
    rows = conn.execute(
        select(Company.size, func.count())
        .select_from(Membership)
        .join(Contact, Contact.id == Membership.contact_id)
        .outerjoin(Company, Company.id == Contact.company_id)
        .where(Membership.segment_id == segment_id, current_membership())
        .group_by(Company.size)
    ).all()
    counts = {(str(size) if size else UNKNOWN): int(n) for size, n in rows}
    out = [(size.value, counts.pop(size.value, 0)) for size in CompanySize]
    if counts.get(UNKNOWN):
        out.append((UNKNOWN, counts[UNKNOWN]))
    return out


def geographic_distribution(conn: Connection, segment_id: int) -> list[RegionFigures]:
    """Members and their conversion revenue per region, most members first."""
    e = EngagementEvent
    revenue = (
        select(e.contact_id, func.sum(e.revenue_cents).label("cents"))
        .where(e.type == EventType.CONVERTED, e.contact_id.in_(member_ids(segment_id)))
        .group_by(e.contact_id)
        .subquery("revenue")
    )
    region = func.coalesce(func.nullif(func.trim(Contact.region), ""), literal(UNKNOWN))
    rows = conn.execute(
        select(region.label("region"), func.count(),
               func.coalesce(func.sum(revenue.c.cents), 0))
        .select_from(Membership)
        .join(Contact, Contact.id == Membership.contact_id)
        .outerjoin(revenue, revenue.c.contact_id == Membership.contact_id)
        .where(Membership.segment_id == segment_id, current_membership())
        .group_by(region)
        .order_by(func.count().desc(), region)
    ).all()
    return [RegionFigures(str(r[0]), int(r[1]), int(r[2])) for r in rows]


def weekly_engagement_score(conn: Connection, segment_id: int, today: date) -> Series:
    """Per week (last 6 seven-day weeks): the mean over current members of each member's
    score that week, min(100, points), points = 10 per open, 20 per click, 30 per response,
    40 per meeting, 50 per conversion. Members without events score 0."""
    e = EngagementEvent
    weeks = week_windows(today)
    points = case(
        *((e.type == kind, value) for kind, value in SCORE_POINTS.items()), else_=0
    )
    per_member = (
        select(*(
            func.sum(case((_in(window), points), else_=0)).label(f"w{n}")
            for n, (_, window) in enumerate(weeks)
        ))
        .where(e.contact_id.in_(member_ids(segment_id)),
               e.occurred_at >= weeks[0][1].start, e.occurred_at < weeks[-1][1].end)
        .group_by(e.contact_id)
        .subquery("per_member")
    )
    capped = [
        func.coalesce(func.sum(case((column > SCORE_CAP, SCORE_CAP), else_=column)), 0)
        for column in per_member.c
    ]
    totals = conn.execute(select(*capped)).one()
    members = member_count(conn, segment_id)
    tenth = Decimal("0.1")
    values = [float((Decimal(int(total)) / members).quantize(tenth, ROUND_HALF_UP))
              if members else 0.0 for total in totals]
    return Series([label for label, _ in weeks], {"Score": values})


# -- one call per tab ----------------------------------------------------------------------


def performance_report(conn: Connection, segment_id: int, today: date) -> PerformanceReport:
    return PerformanceReport(
        summary=performance_summary(conn, segment_id, today),
        campaigns=campaign_performance(conn, segment_id),
        trend=engagement_trend(conn, segment_id, today),
        health=segment_health(conn, segment_id, today),
    )


def analytics_report(conn: Connection, segment_id: int, today: date) -> AnalyticsReport:
    return AnalyticsReport(
        growth=contact_growth(conn, segment_id, today),
        company_sizes=company_size_distribution(conn, segment_id),
        regions=geographic_distribution(conn, segment_id),
        weekly_score=weekly_engagement_score(conn, segment_id, today),
    )
