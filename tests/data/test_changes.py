"""C19.1: every change a user commits is in the change log, in its own transaction, with
who made it, for the other segtuis on the database; each Store leaves its own changes out;
a watch wakes when another connection commits (LISTEN on PostgreSQL, data_version on
SQLite). Both engines."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

import pytest
from sqlalchemy import delete, func, select

from segtui.core.changes import (
    CONTACTS_MERGED,
    MEMBERS_REFRESHED,
    SEGMENT_DELETED,
    Change,
    updated_by,
)
from segtui.core.contacts import ContactSelection
from segtui.core.rules.language import parse
from segtui.core.segments import SegmentConflict, SegmentDraft
from segtui.data.db.tables import Change as ChangeTable
from segtui.data.db.tables import Membership
from segtui.data.store import Store
from segtui.data.writes import changes as change_log
from tests.factories import add_contact
from tests.ui.conftest import segment_ids

EDITOR = "Sarah Mitchell"  # the demo's CRM administrator


@pytest.fixture
def other(demo_store: Store) -> Iterator[Store]:
    """A second segtui on the same database (another person's, or a script's)."""
    store = Store.open(demo_store.url)
    yield store
    store.close()


def theirs(store: Store, after: int) -> list[Change]:
    return store.changes.since(after).changes


def test_another_stores_note_is_news_with_its_author(demo_store: Store, other: Store) -> None:
    start = demo_store.changes.newest()
    vip = segment_ids(other)["Enterprise Prospects"]
    other.activity.add_note(vip, "Call them on Monday", other.users.current_user(EDITOR))
    [change] = theirs(demo_store, start)
    assert (change.actor, change.what, change.segment_id, change.segment_name) == (
        EDITOR, "Note Added", vip, "Enterprise Prospects")
    assert updated_by([change]) == "Updated by Sarah Mitchell: Note Added on “Enterprise Prospects”"
    assert theirs(other, start) == []  # its own: the writer already shows it


def test_an_edit_and_a_deletion_name_the_segment(demo_store: Store, other: Store) -> None:
    user = other.users.current_user(EDITOR)
    segment_id = other.segments.create_segment(SegmentDraft("Spring list"),
                                               ContactSelection(), user)
    start = demo_store.changes.newest()
    details = other.segments.segment_details(segment_id)
    assert details is not None
    other.segments.update_segment(segment_id, details.version,
                                  replace(details.as_draft(), name="Spring list 2"),
                                  ContactSelection(), user)
    other.segments.delete_segment(segment_id, user)
    found = theirs(demo_store, start)
    assert [(c.what, c.segment_id) for c in found] == [
        ("Segment Edited", segment_id), (SEGMENT_DELETED, segment_id)]
    assert found[-1].segment_name is None and found[-1].detail == "Spring list 2"
    assert updated_by(found[-1:]) == "Updated by Sarah Mitchell: Segment Deleted on “Spring list 2”"


def test_a_refused_write_records_nothing(demo_store: Store, other: Store) -> None:
    user = other.users.current_user(EDITOR)
    vip = segment_ids(other)["Enterprise Prospects"]
    details = other.segments.segment_details(vip)
    assert details is not None
    start = demo_store.changes.newest()
    with pytest.raises(SegmentConflict):
        other.segments.update_segment(vip, details.version - 1, details.as_draft(),
                                      ContactSelection(), user)
    assert theirs(demo_store, start) == []


def test_contacts_merged_and_rules_refreshed_concern_every_segment(
        demo_store: Store, other: Store) -> None:
    user = other.users.current_user(EDITOR)
    keep, twin = add_contact(other, "Ann Twin"), add_contact(other, "Ann Twin")
    start = demo_store.changes.newest()
    other.quality.merge_contacts(keep, [twin], user)
    found = theirs(demo_store, start)
    assert found[-1].what == CONTACTS_MERGED and found[-1].segment_id is None
    assert found[-1].concerns(12345)



def test_a_refresh_nobody_asked_for_is_news_for_each_segment_it_changed(
        demo_store: Store, other: Store) -> None:
    """Start-up's re-evaluation runs without a user: its changes are named after the user
    the Store acts for (the person whose segtui did it)."""
    user = other.users.current_user(EDITOR)
    rule = other.rules.check_rule(parse("score > 70"))[0]
    segment_id = other.segments.create_segment(SegmentDraft("High scores", rule=rule),
                                               ContactSelection(), user)
    with other.writing() as conn:  # its members lost behind its back: a refresh restores
        conn.execute(delete(Membership).where(Membership.segment_id == segment_id))
    start = demo_store.changes.newest()
    results = other.rules.refresh_segments([segment_id])
    assert [r.segment_id for r in results if r.changed] == [segment_id]
    [change] = theirs(demo_store, start)
    assert (change.what, change.segment_id, change.actor) == (
        MEMBERS_REFRESHED, segment_id, EDITOR)


def test_the_log_is_pruned_as_it_grows(demo_store: Store, monkeypatch: pytest.MonkeyPatch
                                       ) -> None:
    monkeypatch.setattr(change_log, "PRUNE_EVERY", 5)
    monkeypatch.setattr(change_log, "KEEP", 3)
    user = demo_store.users.current_user(EDITOR)
    vip = segment_ids(demo_store)["Enterprise Prospects"]
    for n in range(12):
        demo_store.activity.add_note(vip, f"note {n}", user)
    with demo_store.reading() as conn:
        kept = conn.execute(select(func.count()).select_from(ChangeTable)).scalar_one()
        newest = conn.execute(select(func.max(ChangeTable.id))).scalar_one()
    assert newest >= 12 and kept < newest


def test_a_watch_wakes_at_another_connections_commit(demo_store: Store, other: Store) -> None:
    stop = threading.Event()
    watch = demo_store.changes.watch(stop)
    try:
        assert watch.wait(0.01) is False  # nobody committed
        vip = segment_ids(other)["Enterprise Prospects"]
        other.activity.add_note(vip, "hello", other.users.current_user(EDITOR))
        # The commit happened before the wait: the wait ends at once (a deadline, not a
        # guess: a loaded machine still has the notification or the new data_version).
        assert watch.wait(30) is True
    finally:
        watch.close()


def test_more_changes_than_one_look_reads_say_so(demo_store: Store, other: Store,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from segtui.data.queries import changes as change_queries

    monkeypatch.setattr(change_queries, "LOOK_LIMIT", 2)
    start = demo_store.changes.newest()
    user = other.users.current_user(EDITOR)
    vip = segment_ids(other)["Enterprise Prospects"]
    for n in range(4):
        other.activity.add_note(vip, f"n{n}", user)
    found = demo_store.changes.since(start)
    assert found.more and len(found.changes) == 2
    assert found.newest == demo_store.changes.newest()
    assert demo_store.changes.since(found.newest).changes == []


def test_updated_by_counts_people_and_changes() -> None:
    at = datetime(2024, 2, 26, 9, 0)
    a = Change(1, at, "alice", "Note Added", 7, "VIP")
    b = Change(2, at, "bob", "Contacts Added", 8, "Trial")
    c = Change(3, at, None, MEMBERS_REFRESHED, 7, "VIP")
    assert updated_by([a, b, c]) == "Updated by alice, bob and 1 other: 3 changes"
    assert updated_by([a, b], segment_id=7) == "Updated by alice: Note Added"
    assert updated_by([b], segment_id=7) == ""
    assert updated_by([c]) == "Updated by segtui: Members Refreshed on “VIP”"
