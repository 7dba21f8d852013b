"""The Performance tab (R7.7), the Analytics tab (R7.8) and the Quality Score card
(R7.5) of the segment detail screen, through the Store on SQLite and
PostgreSQL: `Store.metrics.performance_report`, `Store.metrics.analytics_report`,
`Store.quality_score`
(SQL in segtui/data/queries/segment_analytics.py, records in segtui/core/analytics.py, formulas in
docs/metrics.md).

Two kinds of test:
- The R8 demo's "Enterprise Prospects" (45 members, three campaigns: Q1
  Enterprise Outreach 45/32/12/3 $15,000, Product Demo Campaign 45/28/8/2 $8,000, Holiday
  Promotion 45/25/6/1 $2,500) gives exact figures, the same on both engines.
- Small segments built here, with events at chosen instants, prove each formula on its own:
  month-end growth from membership history, health precedence and the 60-day window, send
  and conversion windows, the weekly score's cap, completeness and email validity.

The clock is fixed to 2024-02-26 (tests/conftest.py). Windows used below:
- last 30 days [2024-01-28, 2024-02-27), the 30 before [2023-12-29, 2024-01-28);
- last 60 days (health) [2023-12-29, 2024-02-27);
- months Sep..Feb, each ending at the next month's first midnight (Feb at tomorrow's);
- weeks W1..W6 of seven days ending tomorrow: W6 [02-20, 02-27) ... W1 [01-16, 01-23).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest

from segtui.core.analytics import Health, PerformanceSummary, RegionFigures, SendStats
from segtui.core.enums import (
    CampaignStatus,
    CompanySize,
    EventType,
    LeadStatus,
    MembershipSource,
)
from segtui.core.metrics import CampaignPerformance, last_days
from segtui.core.records import SegmentFilter, SegmentSort
from segtui.data.db.models import Campaign, Company, Contact, EngagementEvent, Membership
from segtui.data.db.tables import campaign_segments
from segtui.data.store import Store
from tests.factories import add_segment

TODAY = date(2024, 2, 26)
MONTHS = ["Sep", "Oct", "Nov", "Dec", "Jan", "Feb"]
WEEKS = ["W1", "W2", "W3", "W4", "W5", "W6"]
EP = "Enterprise Prospects"

# -- helpers ------------------------------------------------------------------------------


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0,
       second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second)


def days_ago(days: int, hour: int = 12) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days), time(hour))


def segment_id(store: Store, name: str) -> int:
    """A segment's id, looked up by name in the dashboard list."""
    rows = store.segments.segment_page(SegmentFilter(), SegmentSort()).rows
    return next(r.id for r in rows if r.name == name)


def new_contact(
    store: Store,
    name: str,
    *,
    email: str | None = None,
    phone: str | None = None,
    title: str | None = None,
    company: str | None = None,
    size: CompanySize | None = None,
    city: str | None = None,
    region: str | None = None,
    quality: int = 50,
) -> int:
    with store.orm_session() as session:
        company_row = Company(name=company, size=size) if company else None
        contact = Contact(
            name=name, email=email, phone=phone, title=title, company=company_row,
            lead_status=LeadStatus.NEW, city=city, region=region, quality_score=quality,
            created_at=datetime(2023, 1, 1),
        )
        session.add(contact)
        session.flush()
        return contact.id


def contacts(store: Store, prefix: str, count: int) -> list[int]:
    return [new_contact(store, f"{prefix} {n}") for n in range(1, count + 1)]


def join(store: Store, seg: int, contact_id: int, added: datetime,
         removed: datetime | None = None) -> None:
    """One stay of a contact in a segment (current when `removed` is None)."""
    with store.orm_session() as session:
        session.add(Membership(segment_id=seg, contact_id=contact_id,
                               source=MembershipSource.MANUAL, added_at=added,
                               removed_at=removed))


def segment_with(store: Store, name: str, members: list[int]) -> int:
    seg = add_segment(store, name)
    for contact_id in members:
        join(store, seg, contact_id, at(2023, 1, 1))
    return seg


def event(store: Store, contact_id: int, kind: EventType, when: datetime, *,
          campaign: int | None = None, cents: int | None = None) -> None:
    with store.orm_session() as session:
        session.add(EngagementEvent(contact_id=contact_id, campaign_id=campaign, type=kind,
                                    occurred_at=when, revenue_cents=cents))


def campaign(store: Store, name: str, *, used_by: int | None = None) -> int:
    with store.orm_session() as session:
        row = Campaign(name=name, status=CampaignStatus.ACTIVE, created_at=at(2023, 12, 1))
        session.add(row)
        session.flush()
        if used_by is not None:
            session.execute(campaign_segments.insert().values(campaign_id=row.id,
                                                              segment_id=used_by))
        return row.id


# -- the demo's Enterprise Prospects (R8) -------------------------------------------------


def test_enterprise_prospects_performance_summary(demo_store: Store) -> None:
    """R7.7 cards: all-time revenue $25,500 (15,000 + 8,000 + 2,500), six conversions,
    mean of the table's open rates (71.1 + 62.2 + 55.6) / 3 = 63.0 and click rates
    (26.7 + 17.8 + 13.3) / 3 = 19.3; the Q1 campaign's sends fall in the last 30 days, the
    Product Demo's in the 30 before."""
    summary = demo_store.metrics.performance_report(segment_id(demo_store, EP)).summary
    assert summary == PerformanceSummary(
        revenue_cents=2_550_000,
        avg_open_rate=Decimal("63.0"),
        avg_click_rate=Decimal("19.3"),
        conversions=6,
        revenue_now=1_500_000,
        revenue_before=800_000,
        conversions_now=3,
        conversions_before=2,
        sends_now=SendStats(45, 32, 12),
        sends_before=SendStats(45, 28, 8),
    )
    # (15,000 - 8,000) / 8,000 = 87.5% rounds half up to 88; (3 - 2) / 2 = 50%.
    assert summary.revenue_change == Decimal(88)
    assert summary.conversions_change == Decimal(50)
    # 32/45 = 71.1% against 28/45 = 62.2%; 12/45 = 26.7% against 8/45 = 17.8%.
    assert summary.sends_now.open_rate == Decimal("71.1")
    assert summary.open_rate_change == Decimal("8.9")
    assert summary.click_rate_change == Decimal("8.9")


def test_enterprise_prospects_campaign_table(demo_store: Store) -> None:
    seg = segment_id(demo_store, EP)
    rows = demo_store.metrics.performance_report(seg).campaigns
    assert [(c.name, c.status, c.sent, c.opened, c.clicked, c.converted, c.revenue_cents)
            for c in rows] == [
        ("Q1 Enterprise Outreach", "Active", 45, 32, 12, 3, 1_500_000),
        ("Product Demo Campaign", "Paused", 45, 28, 8, 2, 800_000),
        ("Holiday Promotion", "Completed", 45, 25, 6, 1, 250_000),
    ]
    assert rows == demo_store.metrics.campaign_performance(seg)


def test_enterprise_prospects_engagement_trend(demo_store: Store) -> None:
    """Distinct members per calendar month and kind of engagement; February is the month so
    far. The last column repeats the Q1 campaign: 32 opened, 12 clicked, 3 converted."""
    trend = demo_store.metrics.performance_report(segment_id(demo_store, EP)).trend
    assert trend.labels == MONTHS
    assert trend.values == {
        "Opened": [16.0, 17.0, 12.0, 29.0, 28.0, 32.0],
        "Clicked": [5.0, 5.0, 1.0, 10.0, 8.0, 12.0],
        "Responded": [0.0, 0.0, 0.0, 1.0, 3.0, 2.0],
        "Converted": [0.0, 0.0, 0.0, 1.0, 2.0, 3.0],
    }
    assert list(trend.values) == ["Opened", "Clicked", "Responded", "Converted"]


def test_enterprise_prospects_health(demo_store: Store) -> None:
    health = demo_store.metrics.performance_report(segment_id(demo_store, EP)).health
    assert health == Health(active=42, inactive=2, unsubscribed=1)
    assert health.members == 45
    assert [health.share(n) for n in (health.active, health.inactive, health.unsubscribed)] \
        == [Decimal("93.3"), Decimal("4.4"), Decimal("2.2")]


def test_enterprise_prospects_analytics(demo_store: Store) -> None:
    report = demo_store.metrics.analytics_report(segment_id(demo_store, EP))
    assert report.growth.labels == MONTHS
    assert report.growth.values == {"Members": [6.0, 14.0, 24.0, 36.0, 45.0, 45.0],
                                    "Entered": [4.0, 8.0, 10.0, 12.0, 9.0, 0.0],
                                    "Left": [0.0] * 6}  # C20.2.1
    assert report.company_sizes == [("Enterprise", 32), ("Mid-Market", 13), ("SMB", 0)]
    assert report.regions == [
        RegionFigures("North America", 25, 1_650_000),
        RegionFigures("Europe", 12, 900_000),
        RegionFigures("Asia Pacific", 8, 0),
    ]
    assert report.weekly_score.labels == WEEKS
    assert report.weekly_score.values == {"Score": [1.1, 0.0, 0.0, 15.8, 0.0, 1.8]}


def test_enterprise_prospects_quality_score(demo_store: Store) -> None:
    quality = demo_store.metrics.segment_cards(segment_id(demo_store, EP), last_days(TODAY)).quality
    assert quality.members == 45
    # 3,794 / 45 = 84.311...; 219 of 225 checked fields = 0.97333...
    assert quality.avg_quality.quantize(Decimal("0.0001")) == Decimal("84.3111")
    assert quality.completeness.quantize(Decimal("0.0001")) == Decimal("0.9733")
    # 0.7 x 8.431 + 0.3 x 9.733 = 8.822
    assert quality.score == Decimal("8.8")


def test_every_demo_segment_reports_its_own_members(demo_store: Store) -> None:
    """Cross-checks that hold for any segment: every member is counted once in health,
    company sizes and regions; the growth chart ends at today's membership; regional
    revenue adds up to the segment's revenue card."""
    rows = demo_store.segments.segment_page(SegmentFilter(), SegmentSort()).rows
    assert len(rows) == 4
    for row in rows:
        performance = demo_store.metrics.performance_report(row.id)
        analytics = demo_store.metrics.analytics_report(row.id)
        members = row.contact_count
        assert performance.health.members == members, row.name
        assert analytics.growth.values["Members"][-1] == members, row.name
        assert sum(n for _, n in analytics.company_sizes) == members, row.name
        assert sum(r.contacts for r in analytics.regions) == members, row.name
        assert sum(r.revenue_cents for r in analytics.regions) \
            == performance.summary.revenue_cents, row.name
        quality = demo_store.metrics.segment_cards(row.id, last_days(TODAY)).quality
        assert quality.members == members, row.name
        assert all(0 <= v <= 100 for v in analytics.weekly_score.values["Score"]), row.name


# -- Analytics (7.8): growth from membership history -------------------------------------


def test_growth_counts_members_at_each_month_end(demo_store: Store) -> None:
    """Members at the end of each month (February: so far), from the stays: added before
    that moment and not yet removed. A stay removed exactly at a month's end
    still counts for that month; one added exactly at a month's start counts from it."""
    a, b, c, d, e, f = contacts(demo_store, "Growth", 6)
    seg = add_segment(demo_store, "Growth Probe")
    join(demo_store, seg, a, at(2023, 9, 15))                     # Sep onwards
    join(demo_store, seg, b, at(2023, 11, 30, 23, 59), at(2024, 1, 10))  # Nov, Dec
    join(demo_store, seg, c, at(2024, 2, 26, 9))                  # this morning: Feb
    join(demo_store, seg, d, at(2023, 8, 1), at(2023, 10, 1, 0))  # removed at Sep's end
    join(demo_store, seg, e, at(2024, 2, 1, 0))                   # Feb, not Jan
    join(demo_store, seg, f, at(2023, 9, 5), at(2023, 10, 20))    # Sep; gone; back in Dec
    join(demo_store, seg, f, at(2023, 12, 5))
    growth = demo_store.metrics.analytics_report(seg).growth
    assert growth.labels == MONTHS
    #                                     Sep  Oct  Nov  Dec  Jan  Feb
    assert growth.values == {"Members": [3.0, 1.0, 2.0, 3.0, 2.0, 4.0],
                             "Entered": [2.0, 0.0, 1.0, 1.0, 0.0, 2.0],  # C20.2.1
                             "Left": [0.0, 2.0, 0.0, 0.0, 1.0, 0.0]}


# -- Header cards (7.5): engagement, conversion, unsubscribed -----------------------------


def test_card_counts_at_window_edges_and_by_event_kind(demo_store: Store) -> None:
    """Engaged = an `opened`, `responded` or `meeting_attended` event in [2024-01-28,
    2024-02-27); previously engaged = one in [2023-12-29, 2024-01-28). A click or a
    conversion is an action but not engagement; an event at the window's end belongs to
    neither. Converted = any `converted` event, ever; unsubscribed = any `unsubscribed`
    event, counted once. Non-members and former members count nowhere."""
    (edge, clicker, previous_only, late_previous, both, unsub_twice, outsider,
     former) = contacts(demo_store, "Cards", 8)
    seg = segment_with(demo_store, "Cards Probe",
                       [edge, clicker, previous_only, late_previous, both, unsub_twice])
    join(demo_store, seg, former, at(2023, 1, 1), at(2024, 2, 1))
    converted_before, contacts_before = demo_store.metrics.segment_cards(seg,
                                                                         last_days(TODAY)).baseline
    event(demo_store, edge, EventType.OPENED, at(2024, 1, 28, 0, 0, 0))
    event(demo_store, clicker, EventType.CLICKED, days_ago(1))
    event(demo_store, clicker, EventType.CONVERTED, days_ago(2), cents=100)
    event(demo_store, previous_only, EventType.RESPONDED, at(2023, 12, 29, 0, 0, 0))
    event(demo_store, previous_only, EventType.CLICKED, days_ago(0))
    event(demo_store, late_previous, EventType.MEETING_ATTENDED, at(2024, 1, 27, 23, 59, 59))
    event(demo_store, late_previous, EventType.OPENED, at(2024, 2, 27, 0, 0, 0))  # the end
    event(demo_store, both, EventType.OPENED, days_ago(40))
    event(demo_store, both, EventType.OPENED, days_ago(3))
    event(demo_store, both, EventType.CONVERTED, days_ago(300), cents=0)
    event(demo_store, unsub_twice, EventType.UNSUBSCRIBED, days_ago(200))
    event(demo_store, unsub_twice, EventType.UNSUBSCRIBED, days_ago(2))
    event(demo_store, unsub_twice, EventType.RESPONDED, at(2023, 12, 28, 23, 59, 59))
    for outside in (outsider, former):
        event(demo_store, outside, EventType.OPENED, days_ago(1))
        event(demo_store, outside, EventType.CONVERTED, days_ago(1), cents=500)
        event(demo_store, outside, EventType.UNSUBSCRIBED, days_ago(1))
    cards = demo_store.metrics.segment_cards(seg, last_days(TODAY))
    m = cards.metrics
    assert (m.members, m.engaged, m.engaged_previous) == (6, 2, 3)
    assert (m.converted, m.unsubscribed, m.campaigns) == (2, 1, 0)
    # The baseline counts every contact: clicker, both, outsider and former converted.
    assert cards.baseline == (converted_before + 4, contacts_before)


# -- Performance (7.7): health ------------------------------------------------------------


def test_health_unsubscribed_beats_active_and_sends_are_not_actions(
    demo_store: Store,
) -> None:
    """Unsubscribed = an unsubscribe event, ever, whatever else the member did. Active = any
    event other than a send within the last 60 days, i.e. since 2023-12-29 00:00 (59 days
    ago). Everyone else is inactive, including members without any event."""
    (unsub, sent_only, day59, day60, day61, meeting, silent, outsider,
     former) = contacts(demo_store, "Health", 9)
    seg = segment_with(demo_store, "Health Probe",
                       [unsub, sent_only, day59, day60, day61, meeting, silent])
    join(demo_store, seg, former, at(2023, 1, 1), at(2024, 2, 1))
    event(demo_store, unsub, EventType.UNSUBSCRIBED, days_ago(100))
    event(demo_store, unsub, EventType.OPENED, days_ago(1))
    event(demo_store, sent_only, EventType.SENT, days_ago(1))
    event(demo_store, day59, EventType.CLICKED, days_ago(59, hour=0))
    event(demo_store, day60, EventType.CLICKED, days_ago(60, hour=23))
    event(demo_store, day61, EventType.RESPONDED, days_ago(61))
    event(demo_store, meeting, EventType.MEETING_ATTENDED, days_ago(0))
    event(demo_store, outsider, EventType.UNSUBSCRIBED, days_ago(3))
    event(demo_store, former, EventType.UNSUBSCRIBED, days_ago(3))
    health = demo_store.metrics.performance_report(seg).health
    assert health == Health(active=2, inactive=4, unsubscribed=1)
    assert health.share(health.inactive) == Decimal("57.1")


# -- Performance (7.7): summary cards and campaign table ---------------------------------


def test_send_stats_and_conversion_windows(demo_store: Store) -> None:
    """A send is a (member, campaign) pair with a `sent` event in the window (repeats count
    once; sends without a campaign and non-members' sends don't count); it counts as opened
    or clicked when the member has that event for the campaign. Conversions and revenue:
    all time, and per 30-day window, the boundary instant belonging to the later window."""
    m1, m2, m3, outsider = contacts(demo_store, "Sends", 4)
    seg = segment_with(demo_store, "Sends Probe", [m1, m2, m3])
    k = campaign(demo_store, "Sends K", used_by=seg)
    unsent = campaign(demo_store, "Sends Unsent", used_by=seg)  # never sent: no rate
    event(demo_store, m1, EventType.SENT, days_ago(5), campaign=k)
    event(demo_store, m1, EventType.OPENED, days_ago(4), campaign=k)
    event(demo_store, m1, EventType.CLICKED, days_ago(4), campaign=k)
    event(demo_store, m1, EventType.CONVERTED, at(2024, 1, 28, 0), campaign=k, cents=10_000)
    event(demo_store, m2, EventType.SENT, days_ago(5), campaign=k)
    event(demo_store, m2, EventType.SENT, days_ago(6))  # no campaign: not a send
    event(demo_store, m3, EventType.SENT, days_ago(40), campaign=k)
    event(demo_store, m3, EventType.SENT, days_ago(41), campaign=k)  # the same send
    event(demo_store, m3, EventType.OPENED, days_ago(39), campaign=k)
    event(demo_store, m3, EventType.CONVERTED, at(2024, 1, 27, 23, 59, 59), cents=5_000)
    event(demo_store, m3, EventType.CONVERTED, days_ago(200), cents=2_500)
    event(demo_store, outsider, EventType.SENT, days_ago(5), campaign=k)
    event(demo_store, outsider, EventType.OPENED, days_ago(5), campaign=k)
    event(demo_store, outsider, EventType.CONVERTED, days_ago(5), campaign=k, cents=99_900)

    report = demo_store.metrics.performance_report(seg)
    assert report.summary == PerformanceSummary(
        revenue_cents=17_500,
        avg_open_rate=Decimal("66.7"),  # the only campaign with sends: 2 of 3 opened
        avg_click_rate=Decimal("33.3"),
        conversions=3,
        revenue_now=10_000,
        revenue_before=5_000,
        conversions_now=1,
        conversions_before=1,
        sends_now=SendStats(2, 1, 1),
        sends_before=SendStats(1, 1, 0),
    )
    assert report.summary.revenue_change == Decimal(100)
    assert report.summary.conversions_change == Decimal(0)
    assert report.summary.open_rate_change == Decimal("-50.0")
    assert report.summary.click_rate_change == Decimal("50.0")
    # Distinct members per campaign, all time; m3's conversions were in no campaign.
    assert report.campaigns == [
        CampaignPerformance(k, "Sends K", "Active", 3, 2, 1, 1, 10_000),
        CampaignPerformance(unsent, "Sends Unsent", "Active", 0, 0, 0, 0, 0),
    ]


def test_rate_changes_need_sends_in_both_windows(demo_store: Store) -> None:
    """No sends in the previous 30 days: the open and click rate changes are unknown, and a
    revenue change from nothing has no percentage."""
    m1 = new_contact(demo_store, "Fresh Sender")
    seg = segment_with(demo_store, "Fresh Sends", [m1])
    k = campaign(demo_store, "Fresh K", used_by=seg)
    event(demo_store, m1, EventType.SENT, days_ago(2), campaign=k)
    event(demo_store, m1, EventType.CONVERTED, days_ago(1), campaign=k, cents=4_200)
    summary = demo_store.metrics.performance_report(seg).summary
    assert summary.sends_now == SendStats(1, 0, 0)
    assert summary.sends_before == SendStats(0, 0, 0)
    assert summary.open_rate_change is None
    assert summary.click_rate_change is None
    assert summary.revenue_change is None
    assert (summary.revenue_now, summary.revenue_before) == (4_200, 0)


# -- Performance (7.7): engagement trend -------------------------------------------------


def test_engagement_trend_buckets_distinct_members_by_calendar_month(
    demo_store: Store,
) -> None:
    """Months start at midnight of the 1st; February runs to the end of today. A member
    counts once per month and line however many events; responses and meetings share the
    Responded line; sends and unsubscribes are on no line."""
    m1, m2, outsider = contacts(demo_store, "Trend", 3)
    seg = segment_with(demo_store, "Trend Probe", [m1, m2])
    event(demo_store, m1, EventType.OPENED, at(2023, 8, 31, 23, 59, 59))  # before Sep
    event(demo_store, m1, EventType.OPENED, at(2023, 9, 1, 0))
    event(demo_store, m2, EventType.OPENED, at(2023, 10, 3))
    event(demo_store, m2, EventType.OPENED, at(2023, 10, 30))
    event(demo_store, m1, EventType.OPENED, at(2023, 10, 31, 23, 59, 59))
    event(demo_store, m1, EventType.CONVERTED, at(2023, 12, 31, 23, 59, 59), cents=100)
    event(demo_store, m1, EventType.RESPONDED, at(2024, 1, 15))
    event(demo_store, m1, EventType.MEETING_ATTENDED, at(2024, 1, 20))
    event(demo_store, m2, EventType.MEETING_ATTENDED, at(2024, 1, 21))
    event(demo_store, m2, EventType.CLICKED, at(2024, 2, 26, 23, 59))  # today, late
    event(demo_store, m1, EventType.CLICKED, at(2024, 2, 27, 0))  # tomorrow
    event(demo_store, m1, EventType.SENT, at(2024, 2, 10))
    event(demo_store, m2, EventType.UNSUBSCRIBED, at(2024, 2, 11))
    event(demo_store, outsider, EventType.OPENED, at(2024, 2, 11))
    trend = demo_store.metrics.performance_report(seg).trend
    assert trend.labels == MONTHS
    assert trend.values == {
        "Opened": [1.0, 2.0, 0.0, 0.0, 0.0, 0.0],
        "Clicked": [0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
        "Responded": [0.0, 0.0, 0.0, 0.0, 2.0, 0.0],
        "Converted": [0.0, 0.0, 0.0, 1.0, 0.0, 0.0],
    }


# -- Analytics (7.8): weekly engagement score ---------------------------------------------


def test_weekly_score_caps_each_member_week_and_averages_over_all_members(
    demo_store: Store,
) -> None:
    """Points: 10 open, 20 click, 30 response, 40 meeting, 50 conversion, nothing for sends
    and unsubscribes; a member's week is capped at 100 (the cap is per week, not overall);
    the week's score is the mean over all current members, those without events at 0."""
    heavy, mixed, silent, early, outsider = contacts(demo_store, "Score", 5)
    seg = segment_with(demo_store, "Score Probe", [heavy, mixed, silent, early])
    for day in (20, 21, 22):  # W6: 3 x 50 = 150, capped to 100
        event(demo_store, heavy, EventType.CONVERTED, at(2024, 2, day), cents=100)
    event(demo_store, heavy, EventType.SENT, at(2024, 2, 23))
    event(demo_store, heavy, EventType.OPENED, at(2024, 2, 19, 23, 59))  # W5: 10 + 20
    event(demo_store, heavy, EventType.CLICKED, at(2024, 2, 13, 0))
    event(demo_store, mixed, EventType.RESPONDED, at(2024, 2, 26, 23))  # W6: 30 + 40
    event(demo_store, mixed, EventType.MEETING_ATTENDED, at(2024, 2, 24))
    event(demo_store, mixed, EventType.UNSUBSCRIBED, at(2024, 2, 25))
    event(demo_store, early, EventType.OPENED, at(2024, 1, 16, 0))  # W1 starts here: 10
    event(demo_store, early, EventType.CONVERTED, at(2024, 1, 15, 23, 59))  # before W1
    event(demo_store, early, EventType.CONVERTED, at(2024, 2, 27, 0))  # tomorrow
    event(demo_store, outsider, EventType.CONVERTED, at(2024, 2, 21))
    score = demo_store.metrics.analytics_report(seg).weekly_score
    assert score.labels == WEEKS
    # W1 10/4; W5 30/4; W6 (100 + 70)/4
    assert score.values == {"Score": [2.5, 0.0, 0.0, 0.0, 7.5, 42.5]}


def test_weekly_score_rounds_half_up(demo_store: Store) -> None:
    """One open among eight members is 10 / 8 = 1.25 points. segtui rounds half up
    (docs/metrics.md; docs/demo-data.md "we round half up, as everywhere else";
    segtui/core/formatting.round_half_up exists because Python's round() rounds halves to
    even), so the chart must show 1.3, not round(1.25, 1) == 1.2."""
    members = contacts(demo_store, "Half", 8)
    seg = segment_with(demo_store, "Half Probe", members)
    event(demo_store, members[0], EventType.OPENED, at(2024, 2, 22))
    score = demo_store.metrics.analytics_report(seg).weekly_score
    assert score.values == {"Score": [0.0, 0.0, 0.0, 0.0, 0.0, 1.3]}


# -- Analytics (7.8): company sizes and regions ------------------------------------------


def test_company_sizes_and_regions(demo_store: Store) -> None:
    """Sizes in fixed order with zeros, then Unknown (no company, or a company without a
    size) when any; regions by members then name, a missing region as Unknown, revenue from
    conversions only."""
    seg = add_segment(demo_store, "Geo Probe")
    paris = new_contact(demo_store, "Geo Paris", company="Geo Big", size=CompanySize.ENTERPRISE,
                        region="Europe")
    berlin = new_contact(demo_store, "Geo Berlin", company="Geo Mid",
                         size=CompanySize.MID_MARKET, region="Europe")
    nowhere = new_contact(demo_store, "Geo Nowhere", region=None)
    tokyo = new_contact(demo_store, "Geo Tokyo", company="Geo Unsized", region="Asia Pacific")
    gone = new_contact(demo_store, "Geo Gone", company="Geo Gone Co", size=CompanySize.SMB,
                       region="Europe")
    for contact_id in (paris, berlin, nowhere, tokyo):
        join(demo_store, seg, contact_id, at(2023, 6, 1))
    join(demo_store, seg, gone, at(2023, 6, 1), at(2023, 12, 1))
    event(demo_store, paris, EventType.CONVERTED, days_ago(3), cents=1_000)
    event(demo_store, paris, EventType.CONVERTED, days_ago(300), cents=500)
    event(demo_store, paris, EventType.CONVERTED, days_ago(2))  # no revenue recorded
    event(demo_store, berlin, EventType.OPENED, days_ago(3), cents=777)  # not a conversion
    event(demo_store, nowhere, EventType.CONVERTED, days_ago(3), cents=700)
    event(demo_store, gone, EventType.CONVERTED, days_ago(3), cents=100_000)
    report = demo_store.metrics.analytics_report(seg)
    assert report.company_sizes == [
        ("Enterprise", 1), ("Mid-Market", 1), ("SMB", 0), ("Unknown", 2),
    ]
    assert report.regions == [
        RegionFigures("Europe", 2, 1_500),
        RegionFigures("Asia Pacific", 1, 0),
        RegionFigures("Unknown", 1, 700),
    ]
    assert demo_store.metrics.performance_report(seg).summary.revenue_cents == 2_200


def test_blank_regions_are_unknown(demo_store: Store) -> None:
    """docs/metrics.md, Geographic Distribution: members per region, "Unknown" when blank.
    Blank text counts as missing there as everywhere (NULL, empty, spaces): one Unknown
    bar, not three."""
    members = [new_contact(demo_store, f"Blank Region {n}", region=region)
               for n, region in enumerate([None, "", "   ", "Europe"])]
    seg = segment_with(demo_store, "Blank Regions", members)
    assert demo_store.metrics.analytics_report(seg).regions == [
        RegionFigures("Unknown", 3, 0),
        RegionFigures("Europe", 1, 0),
    ]


# -- Quality Score (7.5) ------------------------------------------------------------------


def test_quality_score_from_mean_quality_and_completeness(demo_store: Store) -> None:
    """Score = 0.7 x mean quality / 10 + 0.3 x 10 x completeness, completeness = the mean
    share of five fields present and valid: email, phone, title, company, city. Blank text
    is missing."""
    full = new_contact(demo_store, "QS Full", email="full@qs.test", phone="+1 555 0100",
                       title="CTO", company="QS Co", city="Lyon", quality=90)
    empty = new_contact(demo_store, "QS Empty", quality=10)
    partial = new_contact(demo_store, "QS Partial", email="bad@@qs.test", phone="   ",
                          title="CEO", company="QS Other", city="", quality=50)
    seg = segment_with(demo_store, "QS Probe", [full, empty, partial])
    quality = demo_store.metrics.segment_cards(seg, last_days(TODAY)).quality
    assert quality.members == 3
    assert quality.avg_quality == Decimal(50)
    # (5 + 0 + 2) / 15 checks
    assert quality.completeness.quantize(Decimal("0.0001")) == Decimal("0.4667")
    assert quality.score == Decimal("4.9")  # 3.5 + 1.4


def test_quality_score_documented_example(demo_store: Store) -> None:
    """docs/metrics.md: quality 80 with every field filled scores 0.7 x 8 + 3 = 8.6."""
    member = new_contact(demo_store, "QS Eighty", email="eighty@qs.test", phone="555",
                         title="Director", company="QS Eighty Co", city="Porto", quality=80)
    seg = segment_with(demo_store, "QS Eighty", [member])
    quality = demo_store.metrics.segment_cards(seg, last_days(TODAY)).quality
    assert (quality.members, quality.completeness) == (1, Decimal(1))
    assert quality.score == Decimal("8.6")


@pytest.mark.parametrize(
    ("email", "valid"),
    [
        ("ada@example.com", True),
        ("ADA.Lovelace+tag@mail.example.co.uk", True),
        ("a@b.c", True),
        ("no-at-sign.example.com", False),
        ("ada@localhost", False),
        ("two@@example.com", False),
        ("a@b@example.com", False),
        ("ada lovelace@example.com", False),
        (" ada@example.com", False),
        ("@example.com", False),
        ("ada@.com", False),
        ("ada@example.", False),
        ("", False),
        (None, False),
    ],
)
def test_quality_score_counts_only_plausible_emails(
    demo_store: Store, email: str | None, valid: bool
) -> None:
    """Valid email = text@text.text, exactly one @, no spaces (docs/metrics.md, Data
    completeness). A member with every other checked field filled has completeness 5/5 or
    4/5: without a valid email a perfect record loses 0.6."""
    member = new_contact(demo_store, "Email Probe", email=email, phone="555", title="VP",
                         company="Email Co", city="Oslo", quality=100)
    seg = segment_with(demo_store, "Email Probe", [member])
    quality = demo_store.metrics.segment_cards(seg, last_days(TODAY)).quality
    assert quality.completeness == (Decimal(1) if valid else Decimal("0.8"))
    assert quality.score == (Decimal("10.0") if valid else Decimal("9.4"))


@pytest.mark.parametrize(
    ("qualities", "filled", "expected"),
    [
        # 0.7 x 5 / 10 + 0.3 x 10 x 7/15 = 0.35 + 1.40 = 1.75 exactly: 1.8.
        ([5, 5, 5], [5, 2, 0], Decimal("1.8")),
        # 0.35 + 0.3 x 10 x 8/15 = 0.35 + 1.60 = 1.95 exactly: 2.0.
        ([5, 5, 5], [5, 3, 0], Decimal("2.0")),
        # 0.7 x (25/7) / 10 + 0.3 x 10 x 1 = 0.25 + 3 = 3.25 exactly: 3.3.
        ([5, 5, 5, 5, 5, 0, 0], [5] * 7, Decimal("3.3")),
    ],
    ids=["completeness-7-of-15", "completeness-8-of-15", "mean-quality-25-over-7"],
)
def test_quality_score_rounds_exact_halves_up_on_both_engines(
    demo_store: Store, qualities: list[int], filled: list[int], expected: Decimal
) -> None:
    """Members of the given quality with the first `filled` of their five checked fields
    present. Each score is an exact half at one decimal and must round half up, the same on
    SQLite and PostgreSQL: the means must not reach the arithmetic as a float (SQLite's
    AVG, and `filled * 1.0` on both engines) or as a 16-place NUMERIC (PostgreSQL's AVG of
    integers: 25/7 = 3.5714285714285714, just under)."""
    fields = ["email", "phone", "title", "company", "city"]

    def member(n: int, quality: int, count: int) -> int:
        kept = fields[:count]
        return new_contact(
            demo_store, f"Half Quality {n}", quality=quality,
            email=f"half{n}@q.test" if "email" in kept else None,
            phone="555" if "phone" in kept else None,
            title="VP" if "title" in kept else None,
            company=f"Half Co {n}" if "company" in kept else None,
            city="Oslo" if "city" in kept else None,
        )

    members = [member(n, q, k) for n, (q, k) in enumerate(zip(qualities, filled, strict=True))]
    seg = segment_with(demo_store, "Half Quality", members)
    quality = demo_store.metrics.segment_cards(seg, last_days(TODAY)).quality
    assert quality.members == len(members)
    assert quality.score == expected


# -- an empty segment ---------------------------------------------------------------------


def test_empty_segment_reports_zeros(demo_store: Store) -> None:
    """No current members (one past stay, with a conversion): every figure is zero or
    empty, without dividing by zero; only the growth chart shows the past stay."""
    former = new_contact(demo_store, "Empty Former", region="Europe")
    seg = add_segment(demo_store, "Empty Probe")
    join(demo_store, seg, former, at(2024, 1, 10), at(2024, 2, 10))
    event(demo_store, former, EventType.CONVERTED, days_ago(20), cents=5_000)
    event(demo_store, former, EventType.OPENED, days_ago(3))

    performance = demo_store.metrics.performance_report(seg)
    zero = SendStats(0, 0, 0)
    assert performance.summary == PerformanceSummary(
        revenue_cents=0, avg_open_rate=Decimal(0), avg_click_rate=Decimal(0), conversions=0,
        revenue_now=0, revenue_before=0, conversions_now=0, conversions_before=0,
        sends_now=zero, sends_before=zero,
    )
    # No revenue then and none now: no change (0%), not "new" (a change from zero).
    assert performance.summary.revenue_change == 0
    assert performance.summary.conversions_change == 0
    assert performance.summary.open_rate_change is None  # no sends: no rate to compare
    assert zero.open_rate == Decimal(0)
    assert performance.campaigns == []
    assert performance.trend.values == {
        name: [0.0] * 6 for name in ("Opened", "Clicked", "Responded", "Converted")
    }
    assert performance.health == Health(0, 0, 0)
    assert performance.health.share(0) == Decimal(0)

    analytics = demo_store.metrics.analytics_report(seg)
    assert analytics.growth.values == {"Members": [0.0, 0.0, 0.0, 0.0, 1.0, 0.0],
                                       "Entered": [0.0, 0.0, 0.0, 0.0, 1.0, 0.0],
                                       "Left": [0.0, 0.0, 0.0, 0.0, 0.0, 1.0]}
    assert analytics.company_sizes == [("Enterprise", 0), ("Mid-Market", 0), ("SMB", 0)]
    assert analytics.regions == []
    assert analytics.weekly_score.values == {"Score": [0.0] * 6}

    quality = demo_store.metrics.segment_cards(seg, last_days(TODAY)).quality
    assert (quality.members, quality.avg_quality, quality.completeness) == (
        0, Decimal(0), Decimal(0))
    assert quality.score is None
