"""P2: `contact_stays` (data/derived/stays.py), each contact's number of current stays that
the dashboard's cards count from, and C21.1.3/P5: `segment_sizes`, each segment's current
members that a segment's row reads, equal a count of the memberships whatever writes them:
one row and many, stays ended and begun again, stays moved to another contact (a merge),
deleted stays, a deleted segment or contact (cascades), a dynamic segment's refresh, the
demo builder (here and tests/data/test_demo_scale.py) and the migration that makes it.
Both engines."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import Connection, delete, func, insert, select, update

from segtui.core.contacts import ContactSelection
from segtui.core.enums import MembershipSource
from segtui.core.rules.language import parse
from segtui.core.rules.tree import to_json
from segtui.core.segments import SegmentDraft
from segtui.data.db.tables import Contact, ContactStays, Membership, Segment, SegmentSize
from segtui.data.derived import stays
from segtui.data.rules import refresh
from segtui.data.store import Store
from tests.factories import add_contact, add_segment

M = Membership.__table__
AT = datetime(2024, 1, 1)


def counted(conn: Connection) -> tuple[dict[int, int], dict[int, int]]:
    """(every row of contact_stays, each contact's current stays counted from memberships)."""
    kept = {int(c): int(n) for c, n in conn.execute(
        select(ContactStays.contact_id, ContactStays.stays))}
    recount = {int(c): int(n) for c, n in conn.execute(
        select(Membership.contact_id, func.count()).where(Membership.removed_at.is_(None))
        .group_by(Membership.contact_id))}
    return kept, recount


def sizes(conn: Connection) -> tuple[dict[int, int], dict[int, int]]:
    """(each segment's sum of its rows of segment_sizes, its current members counted from
    memberships)."""
    kept: dict[int, int] = {}
    for s, n in conn.execute(select(SegmentSize.segment_id, SegmentSize.members)):
        kept[int(s)] = kept.get(int(s), 0) + int(n)
    recount = {int(s): int(n) for s, n in conn.execute(
        select(Membership.segment_id, func.count()).where(Membership.removed_at.is_(None))
        .group_by(Membership.segment_id))}
    return kept, recount


def assert_counts(store: Store) -> dict[int, int]:
    """Each table holds exactly each member's and each segment's count (and no row for a
    contact in no segment, nor for an empty segment); returns the contacts'."""
    with store.reading() as conn:
        kept, recount = counted(conn)
        kept_sizes, members = sizes(conn)
    assert kept == recount
    assert kept_sizes == members
    return kept


def stay(segment_id: int, contact_id: int) -> dict[str, object]:
    return {"segment_id": segment_id, "contact_id": contact_id,
            "source": MembershipSource.MANUAL, "added_at": AT}


def test_the_demo_counts(demo_store: Store) -> None:
    assert len(assert_counts(demo_store)) > 100


def test_every_kind_of_write_keeps_the_counts(empty_store: Store) -> None:
    store = empty_store
    a, b, c, d = (add_contact(store, name) for name in ("Ann", "Bob", "Cy", "Di"))
    s1 = add_segment(store, "One", members=[a, b])  # the ORM, one row at a time
    s2, s3 = add_segment(store, "Two"), add_segment(store, "Three")
    with store.writing() as conn:  # Core, many rows in one statement
        conn.execute(insert(Membership), [stay(s2, a), stay(s2, c), stay(s3, a)])
    assert assert_counts(store) == {a: 3, b: 1, c: 1}
    with store.writing() as conn:
        # Stays end (history keeps them): b leaves every segment, a one of three.
        conn.execute(update(Membership).where(Membership.contact_id.in_([a, b]),
                                              Membership.segment_id == s1)
                     .values(removed_at=AT))
        # An UPDATE that changes neither the contact nor the currency changes nothing.
        conn.execute(update(Membership).values(source=MembershipSource.RULE))
    assert assert_counts(store) == {a: 2, c: 1}
    with store.writing() as conn:
        # A past stay begins again; a new stay beside past ones; a stay moves to d (a
        # merge moves them so), and c's ended one too (which changes no count).
        conn.execute(update(Membership).where(Membership.contact_id == b)
                     .values(removed_at=None))
        conn.execute(insert(Membership).values(stay(s1, a)))
        conn.execute(update(Membership).where(Membership.contact_id == c)
                     .values(contact_id=d))
    assert assert_counts(store) == {a: 3, b: 1, d: 1}
    with store.writing() as conn:
        conn.execute(update(Membership).where(Membership.contact_id == a,
                                              Membership.segment_id == s3)
                     .values(removed_at=AT))
        conn.execute(delete(Membership).where(Membership.contact_id == d))
    assert assert_counts(store) == {a: 2, b: 1}
    with store.writing() as conn:
        # Cascades: a deleted segment takes its stays, a deleted contact its own.
        conn.execute(delete(Segment).where(Segment.id == s2))
        conn.execute(delete(Contact).where(Contact.id == b))
    assert assert_counts(store) == {a: 1}
    with store.writing() as conn:
        conn.execute(delete(Membership))
    assert assert_counts(store) == {}


def test_a_refresh_keeps_the_counts(demo_store: Store) -> None:
    """A dynamic segment's stays are written in bulk: made (its first evaluation), ended
    and begun again by a refresh (on SQLite counted once after the INSERT,
    stays.counted_after)."""
    admin = demo_store.users.current_user("James Carter")
    rule = demo_store.rules.check_rule(parse("score > 70"))[0]
    segment_id = demo_store.segments.create_segment(SegmentDraft("High scores", rule=rule),
                                                    ContactSelection(), admin)
    assert_counts(demo_store)
    with demo_store.writing() as conn:  # members changed behind its back
        first = conn.execute(select(Membership.contact_id).where(
            Membership.segment_id == segment_id).limit(1)).scalar_one()
        conn.execute(update(Membership).where(Membership.segment_id == segment_id,
                                              Membership.contact_id != first)
                     .values(removed_at=AT))
        conn.execute(update(Contact).where(Contact.id == first).values(quality_score=1))
    assert_counts(demo_store)
    result, = demo_store.rules.refresh_segments([segment_id], admin)
    assert result.entered and result.left == 1
    assert_counts(demo_store)
    # SQLite counts a refresh's new stays after its INSERT, its trigger paused meanwhile:
    # the trigger is back for the next writer.
    with demo_store.writing() as conn:
        conn.execute(insert(Membership).values(stay(segment_id, first)))
    assert_counts(demo_store)


def test_a_batch_of_segments_keeps_the_counts(demo_store: Store) -> None:
    """Segments whose rules share a condition are refreshed in one batch (P9): on SQLite
    their new stays are counted once, after the batch's last INSERT (an outer
    stays.counted_after around each segment's own), a contact who joins several of them
    counted once with all of them. A member by hand before the first refresh stays one
    and is not added again; the triggers are back for the next writer."""
    store = demo_store
    now = datetime(2024, 1, 1)
    statuses = ("New", "Nurturing", "Qualified", "Hot Lead", "Customer", "Cold")
    ids: list[int] = []
    with store.writing() as conn:  # made without their first evaluation, as a script would
        for n, status in enumerate(statuses):
            text = (f'score > 50 and status = "{status}"' if n % 2
                    else f"score > 50 and score > {50 + 10 * n}")
            rule = store.rules.check_rule(parse(text))[0]
            ids.append(int(conn.execute(insert(Segment).values(
                name=f"Batch {n}", name_key=f"batch {n}", description="", status="Draft",
                created_at=now, updated_at=now, version=1, kind="Dynamic",
                rule=to_json(rule)).returning(Segment.id)).scalar_one()))
        by_hand = conn.execute(select(Contact.id).where(Contact.quality_score > 90)
                               .limit(1)).scalar_one()
        conn.execute(insert(Membership).values(stay(ids[0], by_hand)))
        batch, = refresh.whole_batches(conn, ids, date(2024, 1, 1))  # one batch
        assert batch.segment_ids == tuple(ids)
    results = store.rules.refresh_segments(ids)
    assert sum(r.entered for r in results) > len(ids)
    kept = assert_counts(store)
    assert max(kept.values()) >= 3  # contacts in several of the batch's segments
    with store.reading() as conn:
        for segment_id, result in zip(ids, results, strict=True):
            assert result.segment_id == segment_id
            stays_of = conn.execute(select(Membership.contact_id, Membership.source).where(
                Membership.segment_id == segment_id, Membership.removed_at.is_(None))
            ).all()
            assert len({c for c, _ in stays_of}) == len(stays_of) == result.members
        assert conn.execute(select(Membership.source).where(
            Membership.segment_id == ids[0], Membership.contact_id == by_hand)
        ).scalars().all() == [MembershipSource.MANUAL]
    with store.writing() as conn:
        conn.execute(insert(Membership).values(stay(ids[1], by_hand + 1)))
        if conn.dialect.name == "sqlite":  # the run's connection settings given back
            assert conn.exec_driver_sql("PRAGMA temp_store").scalar_one() == 0
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 1000
    assert_counts(store)
    assert not any(r.changed for r in store.rules.refresh_segments(ids[2:]))


def test_rebuild_counts_from_the_memberships(empty_store: Store) -> None:
    """After a bulk load with the triggers off (the demo builder)."""
    store = empty_store
    a, b = add_contact(store, "Ann"), add_contact(store, "Bob")
    s1 = add_segment(store, "One", members=[a])
    with store.writing() as conn:
        for kept in stays.EVERY_COUNT:
            kept.drop_triggers(conn)
        conn.execute(insert(Membership), [{**stay(s1, b), "removed_at": None},
                                          {**stay(s1, a), "removed_at": AT}])
        for kept in stays.EVERY_COUNT:
            kept.rebuild(conn)
            kept.create_triggers(conn)
    assert assert_counts(store) == {a: 1, b: 1}
    with store.reading() as conn:
        assert sizes(conn)[0] == {s1: 2}


def test_a_segment_reads_its_kept_size(empty_store: Store) -> None:
    """The segment's row, its JSON and the detail header read the kept count, which
    follows adds, ends and a deleted member at once; an empty segment has 0."""
    from segtui.transfer.segment_json import segment_json

    store = empty_store
    a, b, c = (add_contact(store, name) for name in ("Ann", "Bob", "Cy"))
    s1 = add_segment(store, "One", members=[a, b, c])
    empty = add_segment(store, "Empty")
    assert segment_json(store, s1)["members"] == 3  # type: ignore[index]
    assert segment_json(store, empty)["members"] == 0  # type: ignore[index]
    with store.writing() as conn:
        conn.execute(update(Membership).where(Membership.contact_id == a)
                     .values(removed_at=AT))
        conn.execute(delete(Contact).where(Contact.id == b))
    row = store.segments.segment_row(s1)
    details = store.segments.segment_details(s1)
    assert row is not None and details is not None
    assert (row.contact_count, details.members) == (1, 1)
    assert_counts(store)


@pytest.mark.postgres
@pytest.mark.parametrize("engine_name", ["postgresql"])
def test_two_writers_of_one_segment_never_wait_for_each_other(empty_store: Store,
                                                              engine_name: str) -> None:
    """PostgreSQL: a transaction still open with a segment's new member holds no row the
    next writer of that segment needs (stays.SegmentSizes folds only rows nobody holds);
    each reads the count of what is committed, and the next write folds the rows into
    one."""
    store = empty_store
    a, b, c, d = (add_contact(store, name) for name in ("Ann", "Bob", "Cy", "Di"))
    segment = add_segment(store, "One", members=[a])
    slow = store.engine.connect()
    slow_tx = slow.begin()
    slow.execute(insert(Membership).values(stay(segment, b)))
    with store.writing() as conn:
        # Without the fold's SKIP LOCKED this would wait for `slow` (a lock timeout here).
        conn.exec_driver_sql("SET LOCAL lock_timeout = '5s'")
        conn.execute(insert(Membership).values(stay(segment, c)))
    row = store.segments.segment_row(segment)
    assert row is not None and row.contact_count == 2  # Bob's stay is not committed
    slow_tx.commit()
    slow.close()
    assert assert_counts(store) == {a: 1, b: 1, c: 1}
    with store.writing() as conn:
        conn.execute(insert(Membership).values(stay(segment, d)))
    with store.reading() as conn:
        rows = conn.execute(select(SegmentSize.members)
                            .where(SegmentSize.segment_id == segment)).scalars().all()
    assert rows == [4]
