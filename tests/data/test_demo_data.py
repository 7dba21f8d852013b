"""R8: the demo reproduces the sample data from generated facts, on both engines."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from segtui.core.metrics import last_days
from segtui.core.records import SegmentFilter, SegmentSort
from segtui.data.db.engine import sqlite_url
from segtui.data.db.models import Contact, EngagementEvent, Membership, Segment
from segtui.data.demo.build import build_demo
from segtui.data.store import Store

TODAY = date(2024, 2, 26)


def _segments(store: Store) -> dict[str, int]:
    page = store.segments.segment_page(SegmentFilter(), SegmentSort())
    return {row.name: row.id for row in page.rows}


def test_dashboard_figures(demo_store: Store) -> None:
    """R7.1.1 / AC1: 4 segments, 255 contacts, 2 active, average 64."""
    m = demo_store.segments.dashboard_metrics()
    assert (m.total_segments, m.total_contacts, m.active_segments, m.avg_segment_size) == (
        4, 255, 2, 64,
    )
    assert m.unsubscribed_contacts == 12


def test_segment_rows_match_section_8(demo_store: Store) -> None:
    rows = {r.name: r for r in demo_store.segments.segment_page(SegmentFilter(),
                                                                SegmentSort()).rows}
    expected = {
        "Enterprise Prospects": ("Active", 45, 3, date(2024, 1, 20),
                                 "High-value enterprise leads for Q1 2024"),
        "Inactive Subscribers": ("Inactive", 120, 0, date(2024, 1, 10),
                                 "Subscribers who haven't opened emails in 90 days"),
        "Marketing Engagers": ("Active", 28, 1, date(2024, 2, 5),
                               "Contacts who actively engage with marketing content"),
        "Product Trial Users": ("Draft", 62, 2, date(2024, 2, 20),
                                "Users currently in a product trial"),
    }
    for name, (status, contacts, campaigns, modified, description) in expected.items():
        row = rows[name]
        assert row.status.value == status
        assert row.contact_count == contacts
        assert row.campaign_count == campaigns
        assert row.last_modified.date() == modified
        assert row.description == description


@pytest.mark.parametrize(
    ("name", "engagement", "conversion"),
    [
        ("Enterprise Prospects", Decimal(76), Decimal("6.7")),  # exactly as in section 8
        ("Inactive Subscribers", Decimal(12), Decimal("0.8")),
        ("Marketing Engagers", Decimal(86), Decimal("14.3")),  # 84% / 12.5% not reachable
        ("Product Trial Users", Decimal(68), Decimal("8.1")),  # 8.2% not reachable
    ],
)
def test_engagement_and_conversion(
    demo_store: Store, name: str, engagement: Decimal, conversion: Decimal
) -> None:
    metrics = demo_store.metrics.segment_cards(_segments(demo_store)[name],
                                               last_days(TODAY)).metrics
    assert metrics.engagement_rate == engagement
    assert metrics.conversion_rate == conversion


def test_enterprise_trend_is_plus_four(demo_store: Store) -> None:
    """AC19's example "+4% vs last month": 34/45 now, 32/45 the month before."""
    m = demo_store.metrics.segment_cards(_segments(demo_store)["Enterprise Prospects"],
                                   last_days(TODAY)).metrics
    assert (m.engaged, m.engaged_previous) == (34, 32)
    exact = Decimal(m.engaged - m.engaged_previous) * 100 / m.members
    assert round(exact) == 4


def test_campaign_performance_section_8(demo_store: Store) -> None:
    rows = demo_store.metrics.campaign_performance(_segments(demo_store)["Enterprise Prospects"])
    got = {r.name: (r.sent, r.opened, r.clicked, r.converted, r.revenue_cents) for r in rows}
    assert got == {
        "Q1 Enterprise Outreach": (45, 32, 12, 3, 1_500_000),
        "Product Demo Campaign": (45, 28, 8, 2, 800_000),
        "Holiday Promotion": (45, 25, 6, 1, 250_000),
    }
    q1 = next(r for r in rows if r.name == "Q1 Enterprise Outreach")
    assert (q1.rate(q1.opened), q1.rate(q1.clicked), q1.rate(q1.converted)) == (
        Decimal("71.1"), Decimal("26.7"), Decimal("6.7"),
    )
    assert any(r.status == "Active" for r in rows)  # so deleting it is blocked (R7.4)


def test_named_contacts_exactly_as_listed(demo_store: Store) -> None:
    with demo_store.reading() as conn:
        rows = {
            r.name: r
            for r in conn.execute(
                select(Contact.name, Contact.email, Contact.title, Contact.city,
                       Contact.state, Contact.lead_status)
                .where(Contact.name.in_(["Sarah Johnson", "Michael Chen", "Emily Rodriguez",
                                         "David Thompson"]))
            )
        }
    assert len(rows) == 4
    sarah = rows["Sarah Johnson"]
    assert (sarah.email, sarah.title, sarah.city, sarah.state, sarah.lead_status) == (
        "sarah.johnson@techcorp.com", "VP of Sales", "Boston", "NY", "Hot Lead",
    )
    assert rows["Michael Chen"].city == "San Francisco" and rows["Michael Chen"].state == "FL"
    assert rows["David Thompson"].title == "CEO"


def test_segments_are_disjoint_and_history_exists(demo_store: Store) -> None:
    with demo_store.reading() as conn:
        removed = conn.execute(
            select(func.count()).select_from(Membership).where(Membership.removed_at.is_not(None))
        ).scalar_one()
        contacts = conn.execute(select(func.count()).select_from(Contact)).scalar_one()
    assert removed == 3
    assert contacts == 255


def _fingerprint(store: Store) -> tuple[object, ...]:
    with store.reading() as conn:
        return (
            tuple(conn.execute(select(Contact.name, Contact.email).order_by(Contact.id))),
            tuple(conn.execute(select(EngagementEvent.contact_id, EngagementEvent.type,
                                      EngagementEvent.occurred_at).order_by(EngagementEvent.id))),
        )


def test_demo_is_deterministic(tmp_path: Path, sqlite_demo_store: Store) -> None:
    other = Store.open(sqlite_url(tmp_path / "again.db"))
    build_demo(other, TODAY)
    assert _fingerprint(other) == _fingerprint(sqlite_demo_store)
    other.close()


def test_demo_follows_the_clock(tmp_path: Path) -> None:
    """With another today every date moves, and every figure stays."""
    later = date(2026, 11, 23)
    store = Store.open(sqlite_url(tmp_path / "later.db"))
    build_demo(store, later)
    assert store.fixed_today() == later
    ids = _segments(store)
    m = store.metrics.segment_cards(ids["Enterprise Prospects"], last_days(later)).metrics
    assert (m.members, m.engaged, m.engaged_previous, m.converted) == (45, 34, 32, 3)
    with store.reading() as conn:
        modified = conn.execute(
            select(Segment.updated_at).where(Segment.name == "Enterprise Prospects")
        ).scalar_one()
    assert modified == datetime(2024, 1, 20, 16) + (later - TODAY)
    store.close()
