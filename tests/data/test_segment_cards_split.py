"""The detail screen's cards read a large segment in two halves at once (Store.segment_cards,
data/segment_metrics.py; issue 4's 300 ms budget at 100,000 members, docs/benchmarks.md).

The halves must add up to exactly the one-pass figures. SPLIT_AT is lowered so the demo's
segments (tens of members) take the split path, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from segtui.core.metrics import SegmentCards, last_days
from segtui.data import segment_metrics
from segtui.data.models import Membership, Segment
from segtui.data.sql import current_membership
from segtui.data.store import Store

TODAY = date(2024, 2, 26)


def one_pass(store: Store, segment_id: int) -> SegmentCards:
    with store.reading() as conn:
        return segment_metrics.segment_cards(conn, segment_id, last_days(TODAY))


def test_split_cards_equal_one_pass_for_every_demo_segment(
        demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segment_metrics, "SPLIT_AT", 2)
    with demo_store.reading() as conn:
        ids = list(conn.execute(select(Segment.id).order_by(Segment.id)).scalars())
    split = 0
    for segment_id in ids:
        with demo_store.reading() as conn:
            middle = segment_metrics.split_point(conn, segment_id)
        split += middle is not None
        assert demo_store.segment_cards(segment_id, last_days(TODAY)) == one_pass(
            demo_store, segment_id), segment_id
    assert split >= len(ids) - 2  # every segment with two members or more was split


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


def test_an_in_memory_database_is_never_split(monkeypatch: pytest.MonkeyPatch) -> None:
    """One shared connection: a second thread on it would interleave statements."""
    from sqlalchemy.engine import make_url

    monkeypatch.setattr(segment_metrics, "SPLIT_AT", 1)
    store = Store.open(make_url("sqlite://"))
    try:
        assert store._can_split is False
        store.segment_cards(1, last_days(TODAY))  # no segment: zero members, no error
        assert store._helper is None
    finally:
        store.close()



def test_the_summary_is_the_header_and_the_cards_read_together(
        demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Store.segment_summary (the detail screen's one call) equals the header and the cards
    read one after the other, on the split and the one-pass path; None for a segment that
    is gone."""
    with demo_store.reading() as conn:
        ids = list(conn.execute(select(Segment.id)).scalars())
    for split_at in (1, segment_metrics.SPLIT_AT):
        monkeypatch.setattr(segment_metrics, "SPLIT_AT", split_at)
        for segment_id in ids:
            assert demo_store.segment_summary(segment_id, last_days(TODAY)) == (
                demo_store.segment_details(segment_id),
                demo_store.segment_cards(segment_id, last_days(TODAY))), segment_id
        assert demo_store.segment_summary(987654, last_days(TODAY)) is None
