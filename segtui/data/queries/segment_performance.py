"""SQL for the Performance tab (R7.7): the send stats and conversions of the last two
30-day windows, the members' totals, the Engagement Trend and the Segment Health; the
Analytics tab's is in segment_analytics.py.

Every function aggregates in the database and returns small records of
`segtui.core.analytics`; no per-member rows cross to Python. The same statements run on
SQLite and PostgreSQL. Formulas: docs/metrics.md.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, exists, func, literal_column, select

from segtui.core.analytics import (
    HEALTH_DAYS,
    Health,
    PerformanceReport,
    PerformanceSummary,
    SendStats,
    Series,
    month_windows,
)
from segtui.core.enums import ACTION_EVENTS, EventType
from segtui.core.metrics import CampaignPerformance, Window, last_days
from segtui.data.db.sql import (
    Aside,
    Text,
    current_membership,
    here,
    member_ids,
    member_of,
    mostly_true_term,
    over_members,
    planned_for_members,
)
from segtui.data.db.tables import Contact, ContactFigures, EngagementEvent, Membership
from segtui.data.queries.segment_metrics import campaign_performance

# Engagement Trend lines (R7.7 "multiple trend lines for different metrics").
TREND_LINES: list[tuple[str, tuple[EventType, ...]]] = [
    ("Opened", (EventType.OPENED,)),
    ("Clicked", (EventType.CLICKED,)),
    ("Responded", (EventType.RESPONDED, EventType.MEETING_ATTENDED)),
    ("Converted", (EventType.CONVERTED,)),
]


def in_window(window: Window) -> ColumnElement[bool]:
    e = EngagementEvent
    return and_(e.occurred_at >= window.start, e.occurred_at < window.end)


# -- Performance (7.7) ---------------------------------------------------------------------


def sum_of(value: ColumnElement[int]) -> ColumnElement[int]:
    return func.coalesce(func.sum(value), 0)


def _send_stats(conn: Connection, segment_id: int, now: Window,
                before: Window) -> tuple[SendStats, SendStats]:
    """Send stats of two adjacent windows in one pass (the sends of both are read once).
    Each (member, campaign) sent to is asked once whether the member opened and clicked
    that campaign (one seek each in ix_events_campaign): the probes are columns of the
    grouped sends, not of the sums, where each sum repeated them (P7)."""
    e = EngagementEvent
    other = EngagementEvent.__table__.alias("other")

    def sent_in(window: Window) -> ColumnElement[int]:
        return func.max(case((in_window(window), 1), else_=0))

    def did(kind: EventType) -> ColumnElement[int]:
        return case((exists().where(other.c.campaign_id == e.campaign_id,
                                    other.c.type == kind.value,
                                    other.c.contact_id == e.contact_id), 1), else_=0)

    sends = (
        select(sent_in(now).label("now"), sent_in(before).label("before"),
               did(EventType.OPENED).label("opened"), did(EventType.CLICKED).label("clicked"))
        # PostgreSQL reads the window's sends from ix_events_type_time_contact alone (it
        # holds the campaign) and keeps the members'; SQLite, told the type is no filter
        # (mostly_true_term), starts from the members instead: 190-240 ms against 300-380 ms
        # for 101,291 members, and a small segment costs little.
        .where(mostly_true_term(e.type == EventType.SENT), e.campaign_id.is_not(None),
               e.occurred_at >= before.start, e.occurred_at < now.end,
               e.contact_id.in_(member_ids(segment_id)))
        .group_by(e.contact_id, e.campaign_id)
        .subquery("sends")
    )

    def total(flag: ColumnElement[int], also: ColumnElement[int] | None = None
              ) -> ColumnElement[int]:
        return sum_of(flag if also is None else flag * also)

    row = conn.execute(
        select(total(sends.c.now), total(sends.c.now, sends.c.opened),
               total(sends.c.now, sends.c.clicked), total(sends.c.before),
               total(sends.c.before, sends.c.opened), total(sends.c.before, sends.c.clicked))
    ).one()
    values = [int(v) for v in row]
    return SendStats(*values[:3]), SendStats(*values[3:])


def _acted_in(window: Window, newest: Text = Contact.last_activity_at,
              contact: Text = Contact.id) -> ColumnElement[int]:
    """1 for a contact with an action (ACTION_EVENTS) in `window`, else 0, from
    `contacts.last_activity_at`, the newest action (a trigger-kept rollup, data/derived/rollups.py;
    or its copy, `newest`, in contact_figures, with `contact` the contact's id there):
    newest inside the window, yes; before it or never, no. Only a contact whose newest
    action is dated after the window is asked of `events`."""
    e = EngagementEvent
    probe = exists().where(e.contact_id == contact, e.type.in_(ACTION_EVENTS), in_window(window))
    # CASE, not AND: SQLite evaluates both sides of AND inside an aggregate.
    return case((newest >= window.end, case((probe, 1), else_=0)),
                (newest >= window.start, 1), else_=0)


def _member_totals(conn: Connection, segment_id: int,
                   today: date) -> tuple[int, int, int, int]:
    """(members, members with an action in the last HEALTH_DAYS, their conversions, the
    revenue of those) in one pass over the members' contacts: the conversions and revenue
    are the `purchases` and `spent_cents` rollups (the count and revenue of each contact's
    `converted` events), where the members' events were read three times (P7). All
    three read from the contacts' narrow copies in contact_figures (data/derived/figures.py)."""
    c = ContactFigures
    row = conn.execute(over_members(
        conn,
        select(func.count(),
               sum_of(_acted_in(last_days(today, HEALTH_DAYS), c.last_activity_at,
                                 c.contact_id)),
               sum_of(c.purchases), sum_of(c.spent_cents)),
        segment_id, of=c.contact_id)
    ).one()
    members, active, conversions, revenue = (int(v) for v in row)
    return members, active, conversions, revenue


def _unsubscribed(conn: Connection, segment_id: int, today: date) -> tuple[int, int]:
    """(members who ever unsubscribed, those of them with an action in the last HEALTH_DAYS):
    unsubscribes are rare, so their contacts are walked and each probed for membership,
    instead of probing every member's events (P7)."""
    e = EngagementEvent
    c = Contact
    unsubscribed = (select(e.contact_id).where(e.type == EventType.UNSUBSCRIBED)
                    .distinct().subquery("unsubscribed"))
    row = conn.execute(
        select(func.count(), sum_of(_acted_in(last_days(today, HEALTH_DAYS))))
        .select_from(unsubscribed)
        .join(c, c.id == unsubscribed.c.contact_id)
        .where(exists().where(Membership.contact_id == unsubscribed.c.contact_id,
                              Membership.segment_id == segment_id, current_membership()))
    ).one()
    return int(row[0]), int(row[1])


# The type of a conversion as a literal in the statement, not a parameter: a planner
# uses a partial index (ix_events_conversions, `type = 'converted'`) only where it can see
# that the statement asks for that type (PostgreSQL's generic plan of a prepared statement
# can't; SQLite never can with a parameter).
CONVERTED: ColumnElement[str] = literal_column(f"'{EventType.CONVERTED.value}'")


def _windowed_conversions(conn: Connection, segment_id: int, now: Window,
                          before: Window) -> tuple[tuple[int, int], tuple[int, int]]:
    """(conversion events, their revenue in cents) of current members in each window, in one
    pass: the conversions of both windows (a few percent of all events), read with their
    revenue from ix_events_conversions alone, each probed for membership in
    uq_memberships_current (PostgreSQL hashes the members instead)."""
    e = EngagementEvent

    def summed(window: Window, value: Any) -> ColumnElement[int]:
        return sum_of(case((in_window(window), value), else_=0))

    row = conn.execute(
        select(summed(now, 1), summed(now, e.revenue_cents),
               summed(before, 1), summed(before, e.revenue_cents))
        .where(e.type == CONVERTED,
               e.occurred_at >= before.start, e.occurred_at < now.end,
               exists().where(Membership.contact_id == e.contact_id,
                              Membership.segment_id == segment_id, current_membership()))
    ).one()
    count_now, revenue_now, count_before, revenue_before = (int(v) for v in row)
    return (count_now, revenue_now), (count_before, revenue_before)


# The two 30-day windows' sends, then their conversions (count, revenue) (_window_figures).
WindowFigures = tuple[tuple[SendStats, SendStats], tuple[tuple[int, int], tuple[int, int]]]


def _window_figures(conn: Connection, segment_id: int, today: date) -> WindowFigures:
    now = last_days(today)
    before = now.previous()
    return (_send_stats(conn, segment_id, now, before),
            _windowed_conversions(conn, segment_id, now, before))


def performance_summary(conn: Connection, segment_id: int, today: date,
                        campaigns: list[CampaignPerformance] | None = None,
                        totals: tuple[int, int, int, int] | None = None,
                        windows: Callable[[], WindowFigures] | None = None
                        ) -> PerformanceSummary:
    """`windows`: waits for the windows' figures read on another connection
    (performance_report)."""
    sent = [c for c in (campaigns if campaigns is not None
                        else campaign_performance(conn, segment_id)) if c.sent]

    def mean(values: list[Decimal]) -> Decimal:
        if not values:
            return Decimal(0)
        return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP)

    _, _, conversions, revenue = totals or _member_totals(conn, segment_id, today)
    (sends_now, sends_before), ((conversions_now, revenue_now),
                                (conversions_before, revenue_before)) = \
        windows() if windows else _window_figures(conn, segment_id, today)
    return PerformanceSummary(
        revenue_cents=revenue,
        avg_open_rate=mean([c.rate(c.opened) for c in sent]),
        avg_click_rate=mean([c.rate(c.clicked) for c in sent]),
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
    month = case(*((in_window(window), i) for i, (_, window) in enumerate(months)))
    line = case(*((e.type.in_(kinds), i) for i, (_, kinds) in enumerate(TREND_LINES)))
    triples = (
        select(e.contact_id, month.label("month"), line.label("line"))
        .where(member_of(conn, e.contact_id, segment_id),
               e.type.in_([k for _, kinds in TREND_LINES for k in kinds]),
               e.occurred_at >= months[0][1].start, e.occurred_at < months[-1][1].end)
        .distinct()
        .subquery("triples")
    )
    # Hashed, not sorted (planned_for_members): the 288,051 events sorted to make them
    # distinct, then the 118,290 triples sorted again to count them, both spilled to disk.
    with planned_for_members(conn):
        counts = {
            (int(m), int(li)): int(n) for m, li, n in conn.execute(
                select(triples.c.month, triples.c.line, func.count())
                .group_by(triples.c.month, triples.c.line)
            ).all()
        }
    values = {
        name: [float(counts.get((m, li), 0)) for m in range(len(months))]
        for li, (name, _) in enumerate(TREND_LINES)
    }
    return Series([label for label, _ in months], values)


def segment_health(conn: Connection, segment_id: int, today: date,
                   totals: tuple[int, int, int, int] | None = None) -> Health:
    """Unsubscribed: an unsubscribe event, ever. Active: otherwise, any action (an event
    other than a send) in the last 60 days. Inactive: the rest."""
    members, acted, _, _ = totals or _member_totals(conn, segment_id, today)
    unsubscribed, unsubscribed_acted = _unsubscribed(conn, segment_id, today)
    active = acted - unsubscribed_acted
    return Health(active=active, inactive=members - unsubscribed - active,
                  unsubscribed=unsubscribed)


# -- one call per tab ----------------------------------------------------------------------


def performance_report(conn: Connection, segment_id: int, today: date,
                       aside: Aside | None = None) -> PerformanceReport:
    """The tab's statements in three chains when `aside` gives other connections: the
    Engagement Trend (the largest), the two windows' sends and conversions, and the rest
    here. With the windows here too, this chain was 0.58 s of server CPU against the
    trend's 0.38 at 101,291 members, on a machine of two cores (P7)."""
    start = aside or here(conn)
    trend = start(lambda other: engagement_trend(other, segment_id, today))
    windows = start(lambda other: _window_figures(other, segment_id, today))
    campaigns = campaign_performance(conn, segment_id)  # once: the summary averages them
    totals = _member_totals(conn, segment_id, today)
    health = segment_health(conn, segment_id, today, totals)
    summary = performance_summary(conn, segment_id, today, campaigns, totals, windows)
    return PerformanceReport(summary=summary, campaigns=campaigns, trend=trend(),
                             health=health)
