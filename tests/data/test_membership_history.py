"""Membership history (C20.1-C20.3), on both engines: entries and exits with their reason
and author, the daily sizes against a count of the stays, a period's stability and
migration against sets built from the stays, and the prune."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from segtui.core.contacts import ContactSelection
from segtui.core.history import (
    TOP_MOVES,
    Direction,
    HistoryFilter,
    MembershipChange,
    Move,
    Why,
)
from segtui.core.rules.language import parse
from segtui.core.segments import NotAllowed, SegmentDraft, SegmentNotFound
from segtui.data.db.tables import Membership
from segtui.data.store import Store
from tests.conftest import DEMO_TODAY

OWNER, ADMIN, VIEWER = "Sarah Mitchell", "James Carter", "Alex Kim"


def _stays(store: Store, segment_id: int | None = None
           ) -> list[tuple[int, int, datetime, datetime | None]]:
    m = Membership
    statement = select(m.segment_id, m.contact_id, m.added_at, m.removed_at)
    if segment_id is not None:
        statement = statement.where(m.segment_id == segment_id)
    with store.engine.connect() as conn:
        return [(int(s), int(c), a, r) for s, c, a, r in conn.execute(statement)]


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    monkeypatch.setenv("SEGTUI_TODAY", day.isoformat())


def _a_contact_outside(store: Store, segment_id: int) -> int:
    inside = store.members.current_members(segment_id, range(1, 400))
    return next(i for i in range(1, 400) if i not in inside)


def _rule_moves(store: Store, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """Two dynamic segments over ten days: "Scored" (score > 60, then > 75 from day -5)
    and "Middling" (made on day -5: 60 < score <= 75), which the leavers of the first
    enter. Returns their ids; the clock is back on the demo's day."""
    owner = store.users.current_user(OWNER)
    _on(monkeypatch, DEMO_TODAY - timedelta(days=10))
    scored = store.segments.create_segment(
        SegmentDraft("Scored", rule=parse("score > 60")), ContactSelection(), owner)
    _on(monkeypatch, DEMO_TODAY - timedelta(days=5))
    before = store.segments.segment_details(scored)
    assert before is not None
    store.segments.update_segment(scored, before.version, SegmentDraft(
        "Scored", rule=parse("score > 75")), ContactSelection(), owner)
    middling = store.segments.create_segment(
        SegmentDraft("Middling", rule=parse("score > 60 and score <= 75")),
        ContactSelection(), owner)
    _on(monkeypatch, DEMO_TODAY)
    return scored, middling


def test_entries_and_exits_say_when_why_and_by_whom(demo_store: Store,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    owner = demo_store.users.current_user(OWNER)
    segment_id = demo_store.segments.segment_id_named("Marketing Engagers")
    assert segment_id is not None
    contact = _a_contact_outside(demo_store, segment_id)
    _on(monkeypatch, DEMO_TODAY + timedelta(days=1))
    demo_store.members.add_members(segment_id, ContactSelection().toggled(contact, True),
                                   owner)
    _on(monkeypatch, DEMO_TODAY + timedelta(days=2))
    assert demo_store.members.remove_member(segment_id, contact, owner)

    mine = demo_store.history.changes(segment_id, HistoryFilter(contact_id=contact))
    assert [(c.direction, c.why, c.by, c.at.date()) for c in mine.changes] == [
        (Direction.LEFT, Why.MANUAL, OWNER, DEMO_TODAY + timedelta(days=2)),
        (Direction.ENTERED, Why.MANUAL, OWNER, DEMO_TODAY + timedelta(days=1))]
    # The whole segment's, newest first, paged by key: the same rows as one long page.
    whole = demo_store.history.changes(segment_id, HistoryFilter(), limit=10_000)
    assert whole.changes[0].contact_id == contact and not whole.more
    paged: list[MembershipChange] = []
    after = None
    while True:
        page = demo_store.history.changes(segment_id, HistoryFilter(), after, limit=7)
        paged += page.changes
        if not page.more:
            break
        after = page.changes[-1].key
    assert paged == list(whole.changes)
    stays = _stays(demo_store, segment_id)
    assert len(whole.changes) == len(stays) + sum(1 for s in stays if s[3] is not None)
    left = demo_store.history.changes(segment_id, HistoryFilter(direction=Direction.LEFT),
                                      limit=10_000)
    assert {c.direction for c in left.changes} == {Direction.LEFT}
    assert len(left.changes) == sum(1 for s in stays if s[3] is not None)
    day = demo_store.history.changes(segment_id, HistoryFilter(
        since=DEMO_TODAY + timedelta(days=2), until=DEMO_TODAY + timedelta(days=2)))
    assert [c.contact_id for c in day.changes] == [contact]


def test_a_rule_s_moves_say_rule_and_nobody(demo_store: Store,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    scored, _ = _rule_moves(demo_store, monkeypatch)
    page = demo_store.history.changes(scored, HistoryFilter(why=Why.RULE), limit=10_000)
    assert {(c.direction, c.why, c.by) for c in page.changes} == {
        (Direction.ENTERED, Why.RULE, None), (Direction.LEFT, Why.RULE, None)}
    assert not demo_store.history.changes(scored, HistoryFilter(why=Why.MANUAL)).changes


def test_a_copy_s_members_entered_as_a_copy(demo_store: Store) -> None:
    owner = demo_store.users.current_user(OWNER)
    original = demo_store.segments.segment_id_named("Enterprise Prospects")
    assert original is not None
    copy = demo_store.segments.duplicate_segment(original, owner)
    page = demo_store.history.changes(copy, HistoryFilter(), limit=10_000)
    current = [s for s in _stays(demo_store, original) if s[3] is None]
    assert len(page.changes) == len(current)
    assert {(c.why, c.by) for c in page.changes} == {(Why.COPY, OWNER)}


def test_daily_sizes_are_the_stays_counted_at_each_day_s_end(
        demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    _rule_moves(demo_store, monkeypatch)
    exits = 0
    for name in ("Product Trial Users", "Scored", "Middling"):
        segment_id = demo_store.segments.segment_id_named(name)
        assert segment_id is not None
        start = DEMO_TODAY - timedelta(days=200)
        middle = DEMO_TODAY - timedelta(days=60)
        # Kept in two fills (the second goes on from the first's last day) or in one.
        early = demo_store.history.daily_sizes(segment_id, start, middle)
        sizes = demo_store.history.daily_sizes(segment_id, start)
        assert sizes[:len(early)] == early
        assert sizes[-1].day == DEMO_TODAY - timedelta(days=1)
        stays = _stays(demo_store, segment_id)
        for size in sizes:
            end = datetime.combine(size.day + timedelta(days=1), datetime.min.time())
            begin = end - timedelta(days=1)
            assert size.members == sum(1 for _, _, a, r in stays
                                       if a < end and (r is None or r >= end)), size
            assert size.entered == sum(1 for _, _, a, _ in stays if begin <= a < end)
            assert size.left == sum(1 for *_, r in stays if r and begin <= r < end)
        exits += sum(s.left for s in sizes)
    assert exits > 0


def _members_at(stays: list[tuple[int, int, datetime, datetime | None]], segment_id: int,
                at: datetime) -> set[int]:
    return {c for s, c, a, r in stays if s == segment_id and a <= at and (r is None or r > at)}


def _check_top(found: tuple[Move, ...], expected: dict[int, set[int]]) -> None:
    """The largest TOP_MOVES of `expected`, largest first, each with its own count."""
    assert [m.contacts for m in found] == sorted(map(len, expected.values()),
                                                  reverse=True)[:TOP_MOVES]
    assert all(len(expected[m.segment_id]) == m.contacts for m in found)


def test_stability_and_migration_match_the_stays(demo_store: Store,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    scored, middling = _rule_moves(demo_store, monkeypatch)
    demo_store.users.current_user(ADMIN)  # sees every segment
    stays = _stays(demo_store)
    now = datetime.combine(DEMO_TODAY, datetime.min.time()).replace(hour=12)
    for segment_id in sorted({s for s, *_ in stays}):
        for days in (7, 30, 90, 400):
            start = now - timedelta(days=days)
            found = demo_store.history.stability(segment_id, start, now)
            first = _members_at(stays, segment_id, start)
            last = _members_at(stays, segment_id, now)
            assert (found.members_at_start, found.members_at_end) == (len(first), len(last))
            assert (found.stayed, found.left, found.entered) == (
                len(first & last), len(first - last), len(last - first))
            went: dict[int, set[int]] = {}
            came: dict[int, set[int]] = {}
            for s, c, a, r in stays:
                if s == segment_id:
                    continue
                if c in first - last and start < a <= now:
                    went.setdefault(s, set()).add(c)
                if c in last - first and r is not None and start < r <= now:
                    came.setdefault(s, set()).add(c)
            _check_top(found.went_to, went)
            _check_top(found.came_from, came)
    week = demo_store.history.stability(scored, now - timedelta(days=7), now)
    assert week.left > 0 and [m.segment_id for m in week.went_to] == [middling]
    assert week.stability == week.stayed / week.members_at_start < 1


def test_stability_of_an_empty_period_or_a_hidden_segment_is_refused(demo_store: Store
                                                                     ) -> None:
    owner = demo_store.users.current_user(OWNER)
    segment_id = demo_store.segments.segment_id_named("Enterprise Prospects")
    assert segment_id is not None
    now = datetime(2024, 2, 26, 12)
    with pytest.raises(ValueError, match="end must come after"):
        demo_store.history.stability(segment_id, now, now)
    demo_store.segments.share(segment_id, owner, hide=[VIEWER])
    demo_store.users.current_user(VIEWER)
    with pytest.raises(SegmentNotFound):
        demo_store.history.changes(segment_id, HistoryFilter())


def test_prune_keeps_the_sizes_and_the_present(demo_store: Store,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    viewer = demo_store.users.current_user(VIEWER)
    with pytest.raises(NotAllowed):
        demo_store.history.prune(viewer)
    admin = demo_store.users.current_user(ADMIN)
    with pytest.raises(ValueError, match="Keep the history from"):
        demo_store.history.set_retention_days(5, admin)
    _rule_moves(demo_store, monkeypatch)
    demo_store.history.set_retention_days(190, admin)
    assert demo_store.history.retention_days() == 190
    before = _stays(demo_store)
    sizes = {sid: demo_store.history.daily_sizes(sid, DEMO_TODAY - timedelta(days=400))
             for sid in sorted({s for s, *_ in before})}
    _on(monkeypatch, DEMO_TODAY + timedelta(days=200))
    cutoff, would = demo_store.history.prune(admin, dry_run=True)
    assert cutoff == datetime(2024, 3, 7)  # 190 days before 2024-09-13, at midnight
    gone = [s for s in before if s[3] is not None and s[3] < cutoff]
    assert would == len(gone) > 0
    assert demo_store.history.prune(admin) == (cutoff, len(gone))
    after = _stays(demo_store)
    assert sorted(after, key=str) == sorted((s for s in before if s not in gone), key=str)
    for sid, kept in sizes.items():
        assert demo_store.history.daily_sizes(sid, DEMO_TODAY - timedelta(days=400),
                                              DEMO_TODAY - timedelta(days=1)) == kept


def test_deleting_a_segment_says_how_much_history_went_with_it(demo_store: Store) -> None:
    """C20.1.2: its stays go with it; the audit log keeps how many."""
    from segtui.core.audit import Action, AuditFilter

    owner = demo_store.users.current_user(OWNER)
    segment_id = demo_store.segments.segment_id_named("Inactive Subscribers")
    assert segment_id is not None
    member = _stays(demo_store, segment_id)[0][1]
    assert demo_store.members.remove_member(segment_id, member, owner)  # an ended stay too
    stays = _stays(demo_store, segment_id)
    current = sum(1 for s in stays if s[3] is None)
    demo_store.segments.delete_segment(segment_id, owner)
    assert _stays(demo_store, segment_id) == []
    admin = demo_store.users.current_user(ADMIN)
    deleted = demo_store.audit.entries(AuditFilter(action=Action.SEGMENT_DELETED), admin)
    assert deleted[0].subject == "Inactive Subscribers"
    assert deleted[0].details == (f"{current} members; {len(stays)} stays of history "
                                  "removed with it")
