"""The detail screen's cards read every segment in two halves at once, on two connections
(Store.metrics.segment_summary; P6's 300 ms budget at 100,000 members, docs/benchmarks.md):
the members in alternate blocks of ID_BLOCK contact ids (sql.in_half). The AI Insights
tab splits a large segment at its middle member instead (segment_metrics.split_point).

The halves must add up to exactly the one-pass figures. ID_BLOCK and SPLIT_AT are lowered
so the demo's segments (tens of members, ids up to a few hundred) have members in both
halves, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from segtui.core.metrics import SegmentCards, last_days
from segtui.data.db import sql
from segtui.data.db.models import Membership, Segment
from segtui.data.db.sql import current_membership, member_ids
from segtui.data.queries import segment_metrics
from segtui.data.store import Store

TODAY = date(2024, 2, 26)


def one_pass(store: Store, segment_id: int) -> SegmentCards:
    with store.reading() as conn:
        return segment_metrics.segment_cards(conn, segment_id, last_days(TODAY))


def test_split_cards_equal_one_pass_for_every_demo_segment(
        demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sql, "ID_BLOCK", 2)
    with demo_store.reading() as conn:
        ids = list(conn.execute(select(Segment.id).order_by(Segment.id)).scalars())
    split = 0
    for segment_id in ids:
        with demo_store.reading() as conn:
            halves = [set(conn.execute(member_ids(segment_id, half=half)).scalars())
                      for half in (0, 1)]
            members = set(conn.execute(member_ids(segment_id)).scalars())
        assert halves[0] | halves[1] == members and not halves[0] & halves[1]
        split += all(halves)
        assert demo_store.metrics.segment_cards(segment_id, last_days(TODAY)) == one_pass(
            demo_store, segment_id), segment_id
    assert split >= len(ids) - 2  # every segment with a few members has both halves


def test_a_large_segment_is_halved_evenly() -> None:
    """Members spread over the ids, as a large segment's are: blocks of ID_BLOCK ids in
    turn hold about half each."""
    members = range(1, 200_001, 3)
    half = [sum(1 for i in members if (i // sql.ID_BLOCK) % 2 == h) for h in (0, 1)]
    assert abs(half[0] - half[1]) <= sql.ID_BLOCK


def test_the_split_point_halves_the_current_members(
        demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segment_metrics, "SPLIT_AT", 10)
    with demo_store.reading() as conn:
        sizes = {sid: len(list(conn.execute(
            select(Membership.contact_id).where(Membership.segment_id == sid,
                                                current_membership())).scalars()))
                 for sid in conn.execute(select(Segment.id)).scalars()}
        for segment_id, size in sizes.items():
            middle = segment_metrics.split_point(conn, segment_id)
            if size < 10:
                assert middle is None
                continue
            assert middle is not None
            below = len(list(conn.execute(select(Membership.contact_id).where(
                Membership.segment_id == segment_id, current_membership(),
                Membership.contact_id < middle)).scalars()))
            assert below == size // 2


def test_an_in_memory_database_is_never_split() -> None:
    """One shared connection: a second thread on it would interleave statements."""
    from sqlalchemy.engine import make_url

    store = Store.open(make_url("sqlite://"))
    try:
        assert store.can_split is False
        store.metrics.segment_cards(1, last_days(TODAY))  # no segment: zero members, no error
        assert store.helper is None
    finally:
        store.close()


def test_the_summary_is_the_header_and_the_cards_read_together(
        demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Store.metrics.segment_summary (the detail screen's one call) equals the header and the cards
    read one after the other, with members in both halves and with all in one (ids below
    ID_BLOCK); None for a segment that is gone."""
    with demo_store.reading() as conn:
        ids = list(conn.execute(select(Segment.id)).scalars())
    for block in (2, sql.ID_BLOCK):
        monkeypatch.setattr(sql, "ID_BLOCK", block)
        for segment_id in ids:
            assert demo_store.metrics.segment_summary(segment_id, last_days(TODAY)) == (
                demo_store.segments.segment_details(segment_id),
                demo_store.metrics.segment_cards(segment_id, last_days(TODAY))), segment_id
        assert demo_store.metrics.segment_summary(987654, last_days(TODAY)) is None
