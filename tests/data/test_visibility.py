"""C19.3.2: who sees a segment. Everyone, the owner's team or its owner alone, never the
users it is hidden from; administrators see every one, owners their own. Every read that
lists, counts or opens segments agrees, and so do the writes. Both engines."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from segtui.core import clock
from segtui.core.activities import ActivityFilter
from segtui.core.audit import Action
from segtui.core.contacts import ContactSelection
from segtui.core.enums import EventType, Visibility
from segtui.core.metrics import last_days
from segtui.core.records import ChoiceKind, SegmentFilter, SegmentSort
from segtui.core.segments import InvalidSegment, NotAllowed, SegmentNotFound
from segtui.core.sharing import Sharing
from segtui.data.db.tables import AuditEntry, EngagementEvent, Membership, Segment, User
from segtui.data.store import Store

OWNER, ADMIN, COLLEAGUE, VIEWER = "Sarah Mitchell", "James Carter", "Priya Patel", "Alex Kim"
SEGMENT = "Enterprise Prospects"  # Sarah Mitchell's


def as_user(store: Store, name: str) -> Store:
    store.users.current_user(name)  # the Store now reads as `name`
    return store


def names(store: Store) -> set[str]:
    return {r.name for r in store.segments.iter_segments(SegmentFilter(), SegmentSort())}


def set_teams(store: Store, teams: dict[str, str | None]) -> None:
    with store.writing() as conn:
        for name, team in teams.items():
            conn.execute(update(User).where(User.name == name).values(team=team))


def seen_by(store: Store) -> dict[str, bool]:
    seen = {}
    for user in (OWNER, ADMIN, COLLEAGUE, VIEWER):
        seen[user] = SEGMENT in names(as_user(store, user))
    return seen


def share(store: Store, **how: object) -> list[str]:
    owner = store.users.current_user(OWNER)
    segment_id = store.segments.segment_id_named(SEGMENT)
    assert segment_id is not None
    return store.segments.share(segment_id, owner, **how)  # type: ignore[arg-type]


def test_everyone_team_private_and_hidden_from(demo_store: Store) -> None:
    assert seen_by(demo_store) == dict.fromkeys((OWNER, ADMIN, COLLEAGUE, VIEWER), True)
    assert share(demo_store, visibility=Visibility.PRIVATE) == [
        "visibility Everyone → Private"]
    assert seen_by(demo_store) == {OWNER: True, ADMIN: True, COLLEAGUE: False, VIEWER: False}
    share(demo_store, visibility=Visibility.TEAM)
    # No team yet: the owner's team is nobody's.
    assert seen_by(demo_store) == {OWNER: True, ADMIN: True, COLLEAGUE: False, VIEWER: False}
    set_teams(demo_store, {OWNER: "Growth", COLLEAGUE: "Growth", VIEWER: "Brand"})
    assert seen_by(demo_store) == {OWNER: True, ADMIN: True, COLLEAGUE: True, VIEWER: False}
    set_teams(demo_store, {VIEWER: "Growth"})
    assert seen_by(demo_store)[VIEWER]
    # Hidden from a user in the team, whatever the visibility says.
    share(demo_store, hide=[COLLEAGUE])
    assert seen_by(demo_store) == {OWNER: True, ADMIN: True, COLLEAGUE: False, VIEWER: True}
    share(demo_store, visibility=Visibility.EVERYONE)
    assert not seen_by(demo_store)[COLLEAGUE]
    # An administrator is not hidden from: they see every segment.
    share(demo_store, hide=[ADMIN])
    assert seen_by(demo_store)[ADMIN]
    share(demo_store, unhide=[COLLEAGUE, ADMIN])
    assert seen_by(demo_store) == dict.fromkeys((OWNER, ADMIN, COLLEAGUE, VIEWER), True)


def test_a_hidden_segment_is_as_one_that_does_not_exist(demo_store: Store) -> None:
    segment_id = demo_store.segments.segment_id_named(SEGMENT)
    assert segment_id is not None
    share(demo_store, visibility=Visibility.PRIVATE)
    store = as_user(demo_store, COLLEAGUE)
    colleague = store.users.current_user(COLLEAGUE)
    assert store.segments.segment_id_named(SEGMENT) is None
    assert store.segments.segment_details(segment_id) is None
    assert store.segments.segment_row(segment_id) is None
    assert store.segments.delete_preview(segment_id) is None
    assert store.metrics.segment_summary(segment_id, last_days(clock.today())) is None
    assert all(c.label != SEGMENT for c in store.contacts.choices(ChoiceKind.SEGMENT, "Ent"))
    assert not store.segments.segment_page(SegmentFilter(search="Enterprise"),
                                           SegmentSort()).rows
    # A member's "segments it is in" leaves it out.
    with store.reading() as conn:
        member = conn.execute(select(Membership.contact_id).where(
            Membership.segment_id == segment_id, Membership.removed_at.is_(None))
            .limit(1)).scalar_one()
    details = store.contacts.contact_details(member)
    assert details is not None and SEGMENT not in {s.segment for s in details.segments}
    owners = as_user(demo_store, OWNER).contacts.contact_details(member)
    assert owners is not None and SEGMENT in {s.segment for s in owners.segments}
    store = as_user(demo_store, COLLEAGUE)
    # Nor can they change it, in any way: as for a deleted segment.
    for write in (
        lambda: store.segments.delete_segment(segment_id, colleague),
        lambda: store.segments.duplicate_segment(segment_id, colleague),
        lambda: store.members.add_members(segment_id, ContactSelection().toggled(1, True),
                                          colleague),
        lambda: store.members.remove_member(segment_id, member, colleague),
        lambda: store.activity.add_note(segment_id, "hello", colleague),
        lambda: store.segments.share(segment_id, colleague, visibility=Visibility.EVERYONE),
    ):
        with pytest.raises(SegmentNotFound):
            write()
    # The owner still finds it, details and all.
    owner_view = as_user(demo_store, OWNER).segments.segment_details(segment_id)
    assert owner_view is not None and owner_view.visibility is Visibility.PRIVATE


def test_counts_agree_with_the_list(demo_store: Store) -> None:
    everything = as_user(demo_store, COLLEAGUE).segments.dashboard_metrics()
    share(demo_store, visibility=Visibility.PRIVATE)
    store = as_user(demo_store, COLLEAGUE)
    metrics = store.segments.dashboard_metrics()
    listed = list(store.segments.iter_segments(SegmentFilter(), SegmentSort()))
    assert metrics.total_segments == len(listed) == everything.total_segments - 1
    assert store.segments.segment_count(SegmentFilter()) == len(listed)
    assert metrics.avg_segment_size == round(sum(r.contact_count for r in listed) / len(listed))
    assert metrics.total_contacts <= everything.total_contacts
    # The administrator's cards are everybody's.
    assert as_user(demo_store, ADMIN).segments.dashboard_metrics() == everything


def test_only_the_owner_or_an_administrator_changes_who_sees_it(demo_store: Store) -> None:
    segment_id = demo_store.segments.segment_id_named(SEGMENT)
    assert segment_id is not None
    colleague = demo_store.users.current_user(COLLEAGUE)  # a Marketing Manager
    with pytest.raises(NotAllowed, match="not allowed to change who sees this segment"):
        demo_store.segments.share(segment_id, colleague, visibility=Visibility.PRIVATE)
    admin = demo_store.users.current_user(ADMIN)
    assert demo_store.segments.share(segment_id, admin, visibility=Visibility.PRIVATE)
    with pytest.raises(InvalidSegment, match="No user is named “Nobody”"):
        share(demo_store, hide=["Nobody"])
    with pytest.raises(InvalidSegment, match="owns this segment and always sees it"):
        share(demo_store, hide=[OWNER])
    with pytest.raises(InvalidSegment, match="is not hidden from Alex Kim"):
        share(demo_store, unhide=[VIEWER])
    assert share(demo_store, hide=["alex  kim"]) == ["hidden from +Alex Kim"]
    assert share(demo_store, hide=[VIEWER]) == []  # already: nothing changes
    details = as_user(demo_store, OWNER).segments.segment_details(segment_id)
    assert details is not None and details.sharing == Sharing(Visibility.PRIVATE,
                                                              (VIEWER,))
    # Audited as permission changes, and on the timeline as edits (others reload).
    with demo_store.reading() as conn:
        audited = conn.execute(select(AuditEntry.actor, AuditEntry.details).where(
            AuditEntry.action == Action.PERMISSIONS_MODIFIED.value,
            AuditEntry.segment_id == segment_id).order_by(AuditEntry.id)).all()
    assert [tuple(a) for a in audited] == [
        (ADMIN, "visibility Everyone → Private"), (OWNER, "hidden from +Alex Kim")]
    page = demo_store.activity.activity_page(segment_id, ActivityFilter())
    assert "Changed hidden from +Alex Kim" in [r.description for r in page.rows]


def test_saved_with_an_edit_under_its_version(demo_store: Store) -> None:
    segment_id = demo_store.segments.segment_id_named(SEGMENT)
    assert segment_id is not None
    owner = as_user(demo_store, OWNER).users.current_user(OWNER)
    before = demo_store.segments.segment_details(segment_id)
    assert before is not None
    demo_store.segments.update_segment(
        segment_id, before.version, before.as_draft(), ContactSelection(), owner,
        Sharing(Visibility.TEAM, (VIEWER,)))
    after = demo_store.segments.segment_details(segment_id)
    assert after is not None and after.version == before.version + 1
    assert after.sharing == Sharing(Visibility.TEAM, (VIEWER,))
    # A colleague who may edit it may not share it: their save of sharing is refused
    # whole, and the same save without changing who sees it goes through.
    colleague = demo_store.users.current_user(COLLEAGUE)
    set_teams(demo_store, {OWNER: "Growth", COLLEAGUE: "Growth"})
    with pytest.raises(NotAllowed):
        demo_store.segments.update_segment(
            segment_id, after.version, after.as_draft(), ContactSelection(), colleague,
            Sharing(Visibility.EVERYONE, ()))
    demo_store.segments.update_segment(
        segment_id, after.version, after.as_draft(), ContactSelection(), colleague,
        after.sharing)


def test_a_segment_nobody_owns_is_the_administrators(demo_store: Store) -> None:
    segment_id = demo_store.segments.segment_id_named(SEGMENT)
    assert segment_id is not None
    share(demo_store, visibility=Visibility.PRIVATE)
    with demo_store.writing() as conn:
        conn.execute(update(User).where(User.name == OWNER).values(team=None))
        from segtui.data.db.tables import Segment
        conn.execute(update(Segment).where(Segment.id == segment_id).values(owner_id=None))
    assert seen_by(demo_store) == {OWNER: False, ADMIN: True, COLLEAGUE: False,
                                   VIEWER: False}


def test_the_change_log_names_no_segment_hidden_from_the_reader(demo_store: Store) -> None:
    theirs = Store.open(demo_store.url)
    try:
        theirs.users.current_user(COLLEAGUE)
        start = theirs.changes.newest()
        share(demo_store, visibility=Visibility.PRIVATE)  # another Store: another segtui
        seen = theirs.changes.since(start).changes
        assert [(c.what, c.segment_name) for c in seen] == [("Segment Edited", None)]
        owners = Store.open(demo_store.url)
        try:
            owners.users.current_user(ADMIN)
            assert [c.segment_name for c in owners.changes.since(start).changes] == [SEGMENT]
        finally:
            owners.close()
    finally:
        theirs.close()


def test_a_rule_may_name_only_segments_its_writer_sees(demo_store: Store) -> None:
    from segtui.core.rules.language import parse
    from segtui.core.segments import SegmentDraft

    share(demo_store, visibility=Visibility.PRIVATE)
    rule = parse(f'in segment "{SEGMENT}"')
    store = as_user(demo_store, COLLEAGUE)
    _, issues = store.rules.check_rule(rule)
    assert [i.message for i in issues] == [
        f"Segment membership: segment {SEGMENT!r} does not exist (deleted or renamed?)"]
    colleague = store.users.current_user(COLLEAGUE)
    with pytest.raises(InvalidSegment, match="does not exist"):
        store.segments.create_segment(SegmentDraft("Peek", rule=rule), ContactSelection(),
                                      colleague)
    # Its owner may.
    owner = as_user(demo_store, OWNER).users.current_user(OWNER)
    assert not demo_store.rules.check_rule(rule)[1]
    demo_store.segments.create_segment(SegmentDraft("Mine too", rule=rule),
                                       ContactSelection(), owner)


def test_the_quality_report_names_only_segments_its_reader_sees(demo_store: Store) -> None:
    def named(store: Store) -> set[str]:
        return {s.name for s in store.quality.quality_report().segments}

    assert SEGMENT in named(as_user(demo_store, COLLEAGUE))
    share(demo_store, visibility=Visibility.PRIVATE)
    assert SEGMENT not in named(as_user(demo_store, COLLEAGUE))
    assert SEGMENT in named(as_user(demo_store, OWNER))


def test_a_copy_is_as_private_as_its_original(demo_store: Store) -> None:
    segment_id = demo_store.segments.segment_id_named(SEGMENT)
    assert segment_id is not None
    share(demo_store, visibility=Visibility.PRIVATE, hide=[COLLEAGUE, ADMIN])
    admin = demo_store.users.current_user(ADMIN)
    copy = demo_store.segments.duplicate_segment(segment_id, admin)
    details = as_user(demo_store, ADMIN).segments.segment_details(copy)
    assert details is not None and details.owner == ADMIN
    assert details.sharing == Sharing(Visibility.PRIVATE, (COLLEAGUE,))  # not its owner
    assert f"{SEGMENT} Copy" not in names(as_user(demo_store, OWNER))


def brute_figures(store: Store, listed: set[int]) -> tuple[int, int, int]:
    """The cards' member figures for the segments `listed`, counted in Python."""
    with store.reading() as conn:
        stays = [(s, c) for s, c in conn.execute(
            select(Membership.segment_id, Membership.contact_id)
            .where(Membership.removed_at.is_(None))) if s in listed]
        unsubscribed = set(conn.execute(select(EngagementEvent.contact_id).where(
            EngagementEvent.type == EventType.UNSUBSCRIBED)).scalars())
    members = {c for _, c in stays}
    return len(members), len(stays), len(members & unsubscribed)


@pytest.mark.parametrize("private", [1, 6])
def test_the_cards_count_only_the_listed_segments_members(demo_store: Store,
                                                          private: int) -> None:
    """An archived segment (C19.4.6) and segments hidden from the reader leave the cards
    with their members, whichever way the figures are counted: everyone's less the few
    unlisted (1 private), or the listed ones' own (6 private: most unlisted)."""
    admin = demo_store.users.current_user(ADMIN)
    with demo_store.writing() as conn:
        ids = list(conn.execute(select(Segment.id).order_by(Segment.id)).scalars())
        sarah = conn.execute(select(User.id).where(User.name == OWNER)).scalar_one()
        others = list(conn.execute(select(Segment.id).where(Segment.owner_id != sarah)
                                   .order_by(Segment.id)).scalars())
    hidden = set(others[:private])
    archived = next(i for i in ids if i not in hidden)
    demo_store.segments.archive(archived, admin)
    with demo_store.writing() as conn:
        conn.execute(update(Segment).where(Segment.id.in_(hidden))
                     .values(visibility=Visibility.PRIVATE))
    listed = set(ids) - hidden - {archived}
    metrics = as_user(demo_store, OWNER).segments.dashboard_metrics()
    members, stays, unsubscribed = brute_figures(demo_store, listed)
    assert (metrics.total_segments, metrics.total_contacts, metrics.unsubscribed_contacts) \
        == (len(listed), members, unsubscribed)
    assert metrics.avg_segment_size == round(stays / len(listed))
