"""The membership-changes feed (C21.1.11): every change given once, in order, whatever
order writers commit in; a cursor position's arithmetic (core/feed.py); and the cursors'
refusals (core/cursors.py)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import insert, select, update

from segtui.core import cursors
from segtui.core.feed import SEEN_MAX, FeedPosition, advanced
from segtui.core.history import Direction, MembershipChange, Why
from segtui.core.records import Keyset
from segtui.data.db.tables import Membership
from segtui.data.store import Store

NOON = datetime(2024, 2, 26, 12, 0)


def change(at: datetime, stay: int, direction: str = "entered") -> MembershipChange:
    return MembershipChange(at=at, direction=Direction(direction), contact_id=stay,
                            contact_name="", email="", why=Why.RULE, by=None,
                            key=(at, stay, direction))


def walk(store: Store, segment_id: int, position: FeedPosition | None, limit: int = 3
         ) -> tuple[list[tuple[int, str]], FeedPosition | None]:
    given: list[tuple[int, str]] = []
    while True:
        changes, more = store.history.feed(segment_id, position, limit)
        given += [(c.key[1], c.key[2]) for c in changes]
        position = advanced(position, changes)
        if not more:
            return given, position


def test_an_exit_committed_after_a_later_entry_of_its_second_is_still_given(
        demo_store: Store) -> None:
    segment_id = demo_store.segments.segment_id_named("Inactive Subscribers")
    assert segment_id is not None
    given, position = walk(demo_store, segment_id, None)
    assert len(given) == len(set(given)) == 120
    with demo_store.writing() as conn:  # the oldest stay ends, in the second of the rest
        conn.execute(update(Membership).where(Membership.id == given[0][0])
                     .values(removed_at=NOON))
    later, _ = walk(demo_store, segment_id, position)
    assert later == [(given[0][0], "left")]


def test_positions_remember_the_changes_of_their_second_up_to_a_limit() -> None:
    first = advanced(None, [change(NOON, 5), change(NOON, 9)])
    assert first is not None and first.seen == ((5, "entered"), (9, "entered"))
    same = advanced(first, [change(NOON, 2, "left")])
    assert same is not None and same.seen == ((5, "entered"), (9, "entered"), (2, "left"))
    later = datetime(2024, 2, 26, 12, 0, 1)
    assert advanced(same, [change(later, 1)]) == FeedPosition(later, 1, "entered",
                                                              ((1, "entered"),))
    crowded = advanced(None, [change(NOON, i) for i in range(SEEN_MAX + 1)])
    assert crowded is not None and crowded.seen is None
    assert advanced(crowded, []) is crowded
    assert FeedPosition.from_payload(same.payload()) == same


@pytest.mark.parametrize("cursor", ["", "!!", "e30", cursors.encode("other", Keyset(1, 2)),
                                    cursors.encode_payload("kind", [["x", 1], 2]),
                                    cursors.encode_payload("kind", [["v", 1], True])])
def test_a_cursor_not_made_for_the_list_is_refused(cursor: str) -> None:
    with pytest.raises(cursors.BadCursor):
        cursors.decode("kind", cursor)


def test_a_cursor_gives_back_its_keyset() -> None:
    for value in (None, "Acme", 3, 2.5, NOON):
        assert cursors.decode("k", cursors.encode("k", Keyset(value, 7))) == Keyset(value, 7)


@pytest.mark.postgres
@pytest.mark.parametrize("engine_name", ["postgresql"])
def test_postgresql_holds_back_what_follows_a_transaction_still_running(
        demo_store: Store, engine_name: str) -> None:
    """A writer that took its stay id first but commits last is not skipped: the feed
    stops before the changes of any transaction younger than one still running."""
    segment_id = demo_store.segments.segment_id_named("Product Trial Users")
    assert segment_id is not None
    _, position = walk(demo_store, segment_id, None, limit=50)
    with demo_store.reading() as conn:
        members = set(conn.execute(select(Membership.contact_id).where(
            Membership.segment_id == segment_id)).scalars())
    first, second = sorted(set(range(1, 256)) - members)[:2]
    slow = demo_store.engine.connect()
    slow_tx = slow.begin()
    slow.execute(insert(Membership).values(segment_id=segment_id, contact_id=first,
                                           source="manual", added_at=NOON))
    with demo_store.writing() as conn:
        conn.execute(insert(Membership).values(segment_id=segment_id, contact_id=second,
                                               source="manual", added_at=NOON))
    held, more = demo_store.history.feed(segment_id, position, 50)
    assert (held, more) == ([], True)
    slow_tx.commit()
    slow.close()
    changes, _ = demo_store.history.feed(segment_id, position, 50)
    assert [c.contact_id for c in changes] == [first, second]
