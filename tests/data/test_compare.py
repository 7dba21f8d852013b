"""Comparing segments (C20.5), on both engines: region counts and overlaps against a brute
force Python count (a hypothesis property test), each figure against the detail screen's
own (the same formulas), retention on hand-made stays, and the bad inputs."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select

from segtui.core import clock
from segtui.core.compare import METRICS, CompareError, SegmentsGone
from segtui.core.enums import LeadStatus, MembershipSource
from segtui.core.metrics import last_days
from segtui.data.db.sql import ID_BLOCK
from segtui.data.db.tables import Contact, Membership, Segment
from segtui.data.store import Store
from tests.factories import add_segment

# Contacts on both sides of the id halves (sql.in_half): the pass reads two halves.
CONTACT_IDS = [*range(1, 9), *range(ID_BLOCK + 1, ID_BLOCK + 9)]


def add_contacts(store: Store, ids: list[int]) -> None:
    with store.writing() as conn:
        conn.execute(insert(Contact), [
            {"id": i, "name": f"Person {i}", "email": None, "lead_status": LeadStatus.NEW,
             "quality_score": 50, "created_at": datetime(2024, 1, 1)} for i in ids])


def set_members(store: Store, segment_ids: list[int], members: list[set[int]]) -> None:
    with store.writing() as conn:
        conn.execute(delete(Membership).where(Membership.segment_id.in_(segment_ids)))
        rows = [{"segment_id": sid, "contact_id": cid, "source": MembershipSource.MANUAL,
                 "added_at": datetime(2024, 1, 1)}
                for sid, ids in zip(segment_ids, members, strict=False) for cid in ids]
        if rows:
            conn.execute(insert(Membership), rows)


MEMBER_SETS = st.lists(st.sets(st.sampled_from(CONTACT_IDS)), min_size=2, max_size=6)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(members=MEMBER_SETS)
def test_regions_and_overlaps_equal_a_brute_force_count(empty_store: Store,
                                                        members: list[set[int]]) -> None:
    """C20.5.5, C20.5.6: every region (members in exactly those segments) and every overlap
    counted by SQL in one pass equals Python's count of the sets."""
    store = empty_store
    with store.reading() as conn:
        have = set(conn.execute(select(Contact.id)).scalars())
    if not have:
        add_contacts(store, CONTACT_IDS)
        for n in range(6):
            add_segment(store, f"Set {n}")
    with store.reading() as conn:
        segment_ids = sorted(conn.execute(select(Segment.id)).scalars())[:len(members)]
    set_members(store, segment_ids, members)

    expected: dict[int, int] = {}
    for contact in CONTACT_IDS:
        mask = sum(1 << i for i, ids in enumerate(members) if contact in ids)
        if mask:
            expected[mask] = expected.get(mask, 0) + 1
    assert store.compare.region_counts(segment_ids) == expected
    comparison = store.compare.compare(segment_ids)
    assert dict(comparison.groups) == expected
    for row, ids in enumerate(members):
        assert comparison.sides[row].members == len(ids)
        for column, other in enumerate(members):
            assert comparison.overlap(row, column) == len(ids & other)
    regions = comparison.regions()
    if len(members) > 3:
        assert regions is None
    else:
        assert regions is not None and len(regions) == 2 ** len(members) - 1
        for region in regions:
            inside = [members[i] for i in region.inside]
            outside = [m for i, m in enumerate(members) if i not in region.inside]
            exact = set.intersection(*inside) - set().union(*outside)
            assert region.members == len(exact)


def test_figures_are_the_detail_screens(demo_store: Store) -> None:
    """C20.5.3: each figure is the one the detail screen shows for the segment: the cards
    (members, engagement and conversion rates, unsubscribed, quality) and the Performance
    tab (revenue, average open and click rates; Active campaigns in its table)."""
    with demo_store.reading() as conn:
        ids = list(conn.execute(select(Segment.id).order_by(Segment.id).limit(4)).scalars())
    comparison = demo_store.compare.compare(ids)
    for side in comparison.sides:
        cards = demo_store.metrics.segment_cards(side.segment_id, last_days(clock.today()))
        report = demo_store.metrics.performance_report(side.segment_id)
        assert side.members == cards.metrics.members
        assert side.metrics.engagement_rate == cards.metrics.engagement_rate
        assert side.metrics.conversion_rate == cards.metrics.conversion_rate
        assert side.unsubscribed == cards.metrics.unsubscribed
        assert side.quality == cards.quality.score
        assert side.sums.revenue_cents == report.summary.revenue_cents
        sent = [c for c in report.campaigns if c.sent]
        if sent:
            assert side.campaigns.open_rate == report.summary.avg_open_rate
            assert side.campaigns.click_rate == report.summary.avg_click_rate
        else:
            assert side.campaigns.open_rate is None
        assert side.campaigns.active == sum(c.status == "Active" for c in report.campaigns)
    texts = {m.key: [m.text(s) for s in comparison.sides] for m in METRICS}
    assert all(len(v) == 4 for v in texts.values())


def test_retention_counts_the_stays_that_lasted(empty_store: Store) -> None:
    """C20.5.4: of the stays that began at least 30 days ago, those still current or that
    lasted 30 days; a stay begun less than 30 days ago is not counted yet."""
    store = empty_store
    now = clock.now()
    add_contacts(store, list(range(1, 7)))
    segment = add_segment(store, "Stays")
    stays = [  # (began days ago, ended days ago or None)
        (60, None),  # current: kept
        (60, 20),  # lasted 40 days: kept
        (60, 45),  # lasted 15 days: left early
        (31, 1),  # lasted exactly 30 days: kept
        (10, None),  # began 10 days ago: not counted yet
        (45, 44),  # lasted a day
    ]
    with store.writing() as conn:
        conn.execute(insert(Membership), [
            {"segment_id": segment, "contact_id": n, "source": MembershipSource.MANUAL,
             "added_at": now - timedelta(days=began),
             "removed_at": None if ended is None else now - timedelta(days=ended)}
            for n, (began, ended) in enumerate(stays, start=1)])
    other = add_segment(store, "Nobody old", members=[])
    comparison = store.compare.compare([segment, other])
    retention = comparison.sides[0].retention
    assert (retention.began, retention.kept) == (5, 3)
    assert str(retention.rate) == "60.0"
    assert comparison.sides[1].retention.rate is None


def test_one_segment_or_seven_are_refused(demo_store: Store) -> None:
    """C20.5.2: 2 to 6 segments; the message says how many are marked."""
    with demo_store.reading() as conn:
        ids = list(conn.execute(select(Segment.id)).scalars())
    with pytest.raises(CompareError, match="1 segment marked"):
        demo_store.compare.compare(ids[:1])
    with pytest.raises(CompareError, match="1 segment marked"):
        demo_store.compare.compare([ids[0], ids[0]])  # the same one twice
    more = ids + [add_segment(demo_store, f"Extra {n}") for n in range(7 - len(ids))]
    with pytest.raises(CompareError, match="at most 6 segments; 7 segments marked"):
        demo_store.compare.compare(more[:7])


def test_a_deleted_or_hidden_segment_is_named_as_gone(demo_store: Store) -> None:
    """C20.5.2: a segment deleted since it was marked, or hidden from the user, is named
    (by id) in SegmentsGone; nothing else is read."""
    with demo_store.reading() as conn:
        ids = list(conn.execute(select(Segment.id).order_by(Segment.id)).scalars())
    gone = add_segment(demo_store, "Soon gone")
    with demo_store.writing() as conn:
        conn.execute(delete(Segment).where(Segment.id == gone))
    with pytest.raises(SegmentsGone) as raised:
        demo_store.compare.compare([ids[0], gone, ids[1]])
    assert raised.value.segment_ids == (gone,)
    owner = demo_store.users.current_user("Sarah Mitchell")
    prospects = demo_store.segments.segment_id_named("Enterprise Prospects")
    assert prospects is not None
    demo_store.segments.share(prospects, owner, hide=["Alex Kim"])
    demo_store.users.current_user("Alex Kim")  # the Store reads as the Viewer now
    with pytest.raises(SegmentsGone) as hidden:
        demo_store.compare.compare([prospects, *(i for i in ids if i != prospects)][:3])
    assert hidden.value.segment_ids == (prospects,)
