"""Dynamic segments kept to their rules (segtui/data/rules/refresh.py), through the Store API, on
SQLite and PostgreSQL.

What the Store promises (D1.5, docs in data/rules/refresh.py and
data/writes/segment_writes.py):
- creating a segment with a rule fills its memberships from the rule (source 'rule'), sets
  evaluated_at / evaluation_ms and logs "Segment Created"; contacts picked by hand at the
  same time are members with source 'manual';
- a refresh writes only the difference: a contact who stopped matching gets `removed_at`
  (the history row stays), a new match gets a new stay; RefreshResult counts both;
- hand-made members are never removed by a refresh; a member removed by hand is excluded
  and never re-added by a refresh, until added by hand again;
- a segment whose rule uses another ("in segment X") is refreshed after it, and follows
  a hand change of X at once;
- a rule may not depend on its own segment, directly or through others, nor name a missing
  segment; a segment used by another's rule cannot be deleted or deactivated;
- `explain_membership` says why a contact is (or is not) a member;
- editing the rule re-evaluates the segment and logs "Members Refreshed".

The data is a handful of contacts made here; the clock is fixed at 2024-02-26 (noon is
"now"), see tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event, select, update

from segtui.core import clock
from segtui.core.activities import ACTIVITY_TYPES, ActivityFilter
from segtui.core.contacts import ContactSelection
from segtui.core.enums import EventType, LeadStatus, SegmentStatus
from segtui.core.permissions import CurrentUser
from segtui.core.rules.language import format_rule, parse
from segtui.core.rules.refresh import MatchLine, RefreshResult
from segtui.core.rules.tree import Node
from segtui.core.segments import (
    InvalidSegment,
    SegmentDetails,
    SegmentDraft,
    SegmentUsedByRules,
)
from segtui.data.db.models import (
    Activity,
    Base,
    Contact,
    EngagementEvent,
    Membership,
    Segment,
    SegmentExclusion,
    Tag,
)
from segtui.data.store import Store
from segtui.data.writes.activity import log_activity

NOW = datetime(2024, 2, 26, 12, 0)  # clock.now() with SEGTUI_TODAY=2024-02-26
NOTHING = ContactSelection()

# (key, name, score, city, tags, opened at)
PEOPLE: tuple[tuple[str, str, int, str, tuple[str, ...], datetime | None], ...] = (
    ("ann", "Ann Archer", 90, "Boston", ("VIP",), datetime(2024, 2, 20, 10, 0)),
    ("bob", "Bob Baker", 50, "Boston", (), None),
    ("cy", "Cy Cole", 80, "Chicago", (), None),
    ("di", "Di Dunn", 20, "Austin", (), None),
    ("ed", "Ed Ellis", 75, "Boston", (), None),
)


class World:
    """The store, the acting user and the contacts, by key."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.user: CurrentUser = store.users.current_user("Sarah Mitchell")
        with store.orm_session() as session:
            tags: dict[str, Tag] = {}
            contacts: dict[str, Contact] = {}
            for key, name, score, city, tag_names, opened in PEOPLE:
                contact = Contact(
                    name=name, email=f"{key}@example.com", lead_status=LeadStatus.NEW,
                    city=city, quality_score=score, created_at=datetime(2023, 1, 1),
                    tags=[tags.setdefault(t, Tag(name=t)) for t in tag_names],
                )
                session.add(contact)
                contacts[key] = contact
                session.flush()
                if opened is not None:
                    session.add(EngagementEvent(contact_id=contact.id, type=EventType.OPENED,
                                                occurred_at=opened))
            self.ids = {key: c.id for key, c in contacts.items()}
        self.keys = {i: k for k, i in self.ids.items()}

    # -- writing through the Store ---------------------------------------------------------

    def picked(self, keys: Iterable[str]) -> ContactSelection:
        selection = NOTHING
        for key in keys:
            selection = selection.toggled(self.ids[key], True)
        return selection

    def create(self, name: str, rule: str | None, *, members: Iterable[str] = (),
               status: SegmentStatus = SegmentStatus.ACTIVE) -> int:
        draft = SegmentDraft(name, status=status, rule=parse(rule) if rule else None)
        return self.store.segments.create_segment(draft, self.picked(members), self.user)

    def details(self, seg: int) -> SegmentDetails:
        found = self.store.segments.segment_details(seg)
        assert found is not None
        return found

    def edit(self, seg: int, *, rule: str | Node | None = "",
             status: SegmentStatus | None = None, description: str | None = None,
             add: Iterable[str] = ()) -> int:
        """Save the segment's current fields with these changes ("" keeps the rule)."""
        before = self.details(seg)
        new_rule = before.rule if rule == "" else parse(rule) if isinstance(rule, str) else rule
        draft = SegmentDraft(
            before.name, description if description is not None else before.description,
            before.tags, status or before.status, new_rule,
        )
        return self.store.segments.update_segment(seg, before.version, draft, self.picked(add),
                                                  self.user)

    def remove(self, seg: int, key: str) -> bool:
        return self.store.members.remove_member(seg, self.ids[key], self.user)

    def add(self, seg: int, *keys: str) -> int:
        return self.store.members.add_members(seg, self.picked(keys), self.user)

    # -- facts changed behind the Store's back ------------------------------------------------

    def set_score(self, key: str, score: int) -> None:
        with self.store.orm_session() as session:
            session.execute(update(Contact).where(Contact.id == self.ids[key])
                            .values(quality_score=score))

    def add_event(self, key: str, kind: EventType, when: datetime) -> None:
        with self.store.orm_session() as session:
            session.add(EngagementEvent(contact_id=self.ids[key], type=kind, occurred_at=when))

    # -- reading ------------------------------------------------------------------------------

    def members(self, seg: int) -> set[str]:
        with self.store.reading() as conn:
            ids = conn.execute(select(Membership.contact_id).where(
                Membership.segment_id == seg, Membership.removed_at.is_(None))).scalars()
            return {self.keys[i] for i in ids}

    def stays(self, seg: int) -> list[tuple[str, str, datetime, datetime | None]]:
        """(contact, source, added_at, removed_at) of every stay, history included."""
        with self.store.reading() as conn:
            rows = conn.execute(
                select(Membership.contact_id, Membership.source, Membership.added_at,
                       Membership.removed_at)
                .where(Membership.segment_id == seg).order_by(Membership.id)
            ).all()
        return [(self.keys[r[0]], str(r[1]), r[2], r[3]) for r in rows]

    def excluded(self, seg: int) -> set[str]:
        with self.store.reading() as conn:
            ids = conn.execute(select(SegmentExclusion.contact_id)
                               .where(SegmentExclusion.segment_id == seg)).scalars()
            return {self.keys[i] for i in ids}

    def activities(self, seg: int) -> list[tuple[str, str]]:
        """(type, description) of the segment's timeline, oldest first."""
        with self.store.reading() as conn:
            rows = conn.execute(select(Activity.type, Activity.description)
                                .where(Activity.segment_id == seg).order_by(Activity.id)).all()
        return [(r[0], r[1]) for r in rows]

    def database_state(self) -> dict[str, Any]:
        """Every row of every table: to prove a refused write changed nothing."""
        with self.store.reading() as conn:
            return {
                table.name: sorted(tuple(str(v) for v in row)
                                   for row in conn.execute(select(table)))
                for table in Base.metadata.sorted_tables
            }


@pytest.fixture
def world(empty_store: Store) -> World:
    return World(empty_store)


def refreshed(world: World, *ids: int) -> list[RefreshResult]:
    return world.store.rules.refresh_segments(list(ids) if ids else None)


# -- creating a dynamic segment ----------------------------------------------------------------


def test_creating_a_dynamic_segment_fills_it_from_its_rule(world: World) -> None:
    seg = world.create("High scorers", "score > 70")
    assert world.members(seg) == {"ann", "cy", "ed"}
    assert sorted(world.stays(seg)) == [
        ("ann", "rule", NOW, None), ("cy", "rule", NOW, None), ("ed", "rule", NOW, None)]
    details = world.details(seg)
    assert details.rule == world.store.rules.check_rule(parse("score > 70"))[0]
    assert details.members == 3
    assert details.evaluated_at == NOW
    assert details.evaluation_ms is not None and details.evaluation_ms >= 0
    [(kind, description)] = world.activities(seg)
    assert kind == "Segment Created"
    assert description == f"Segment created with 3 contacts from its rule " \
                          f"({details.evaluation_ms:,} ms)"
    with world.store.reading() as conn:
        assert conn.execute(select(Segment.kind).where(Segment.id == seg)).scalar_one() \
            == "Dynamic"


def test_contacts_picked_at_creation_are_hand_made_members(world: World) -> None:
    seg = world.create("Boston and Di", "city = Boston", members=["di", "ann"])
    assert world.members(seg) == {"ann", "bob", "di", "ed"}
    sources = {key: source for key, source, _, _ in world.stays(seg)}
    # ann was picked and matches: one stay, the hand-made one.
    assert sources == {"ann": "manual", "di": "manual", "bob": "rule", "ed": "rule"}
    assert world.activities(seg)[0][1].startswith("Segment created with 4 contacts from its rule")


def test_a_static_segment_is_not_evaluated(world: World) -> None:
    seg = world.create("Picked", None, members=["di"])
    details = world.details(seg)
    assert (details.rule, details.evaluated_at, details.evaluation_ms) == (None, None, None)
    assert world.members(seg) == {"di"}
    assert refreshed(world) == []
    assert refreshed(world, seg) == []


# -- refreshing after the facts change ------------------------------------------------------


def test_refresh_follows_changed_facts(world: World) -> None:
    seg = world.create("Keen", "score > 70 or opened within 30d >= 1")
    static = world.create("Picked", None, members=["cy"])
    assert world.members(seg) == {"ann", "cy", "ed"}
    world.set_score("cy", 10)  # stops matching
    world.set_score("bob", 71)  # starts matching
    world.add_event("di", EventType.OPENED, datetime(2024, 2, 26, 9, 0))  # starts matching
    world.add_event("ed", EventType.SENT, datetime(2024, 2, 26, 9, 0))  # changes nothing

    [result] = refreshed(world)
    assert result == RefreshResult(seg, "Keen", entered=2, left=1, members=4,
                                   elapsed_ms=result.elapsed_ms, evaluated_at=NOW)
    assert result.changed
    assert world.members(seg) == {"ann", "bob", "di", "ed"}
    # cy's stay ended and is kept as history; the newcomers have stays of their own.
    assert ("cy", "rule", NOW, NOW) in world.stays(seg)
    assert ("bob", "rule", NOW, None) in world.stays(seg)
    assert ("di", "rule", NOW, None) in world.stays(seg)
    assert len(world.stays(seg)) == 5
    assert world.members(static) == {"cy"}  # a static segment is left alone

    # Nothing changed since: nothing to write.
    [again] = refreshed(world, seg)
    assert (again.entered, again.left, again.members, again.changed) == (0, 0, 4, False)
    assert len(world.stays(seg)) == 5

    # Matching again later is a new stay; the old one stays in history.
    world.set_score("cy", 99)
    [back] = refreshed(world, seg)
    assert (back.entered, back.left) == (1, 0)
    assert [s for s in world.stays(seg) if s[0] == "cy"] == [
        ("cy", "rule", NOW, NOW), ("cy", "rule", NOW, None)]


def test_one_leaving_as_another_joins_is_seen(world: World) -> None:
    """As many matches as rule-made members is not "nothing changed" when one of them
    left: a refresh counts its leavers before deciding it has nothing to write."""
    seg = world.create("High", "score > 70")
    assert world.members(seg) == {"ann", "cy", "ed"}
    world.set_score("cy", 10)
    world.set_score("bob", 71)
    [result] = refreshed(world)
    assert (result.entered, result.left, result.members) == (1, 1, 3)
    assert world.members(seg) == {"ann", "bob", "ed"}


def test_a_hand_made_member_matching_the_rule_is_not_added_twice(world: World) -> None:
    """A match who is a member by hand outnumbers the rule-made members: the refresh
    looks further, finds no joiner, and leaves the hand-made stay as it is."""
    seg = world.create("High", "score > 70", members=["ann"])
    stays = world.stays(seg)
    [result] = refreshed(world)
    assert (result.entered, result.left, result.members) == (0, 0, 3)
    assert world.stays(seg) == stays
    world.set_score("bob", 71)
    [result] = refreshed(world)
    assert (result.entered, result.left, result.members) == (1, 0, 4)
    assert ("ann", "manual", NOW, None) in world.stays(seg)


def test_refresh_follows_the_clock(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """An open exactly at the 30-day window's first moment (2024-01-28 00:00) is in the
    window on 2024-02-26 and out of it the next day."""
    world.add_event("di", EventType.OPENED, datetime(2024, 1, 28, 0, 0))
    seg = world.create("Openers", "opened within 30d >= 1")
    assert world.members(seg) == {"ann", "di"}
    monkeypatch.setenv("SEGTUI_TODAY", "2024-02-27")
    [result] = refreshed(world)
    assert (result.entered, result.left, result.evaluated_at) == (
        0, 1, datetime(2024, 2, 27, 12, 0))
    assert world.members(seg) == {"ann"}
    assert world.details(seg).evaluated_at == datetime(2024, 2, 27, 12, 0)


# -- hand-made members and exclusions -------------------------------------------------------


def test_a_member_added_by_hand_stays_whatever_the_rule(world: World) -> None:
    seg = world.create("High", "score > 70", members=["bob"])
    assert world.members(seg) == {"ann", "bob", "cy", "ed"}
    [result] = refreshed(world)
    assert (result.entered, result.left) == (0, 0)
    world.set_score("bob", 0)
    world.set_score("ed", 0)
    [result] = refreshed(world)
    assert (result.entered, result.left) == (0, 1)  # ed, made by the rule, leaves
    assert world.members(seg) == {"ann", "bob", "cy"}


def test_a_member_removed_by_hand_is_kept_out_until_added_again(world: World) -> None:
    seg = world.create("High", "score > 70")
    assert world.remove(seg, "ann")
    assert world.members(seg) == {"cy", "ed"}
    assert world.excluded(seg) == {"ann"}
    assert ("ann", "rule", NOW, NOW) in world.stays(seg)
    assert world.activities(seg)[-1] == ("Contacts Removed", "Removed Ann Archer")

    [result] = refreshed(world)  # ann still matches, but stays out
    assert (result.entered, result.left, result.members) == (0, 0, 2)
    assert world.members(seg) == {"cy", "ed"}
    assert "ann" not in {c for c, _, _, removed in world.stays(seg) if removed is None}

    # Added by hand again: a hand-made member, no longer excluded.
    assert world.add(seg, "ann") == 1
    assert world.members(seg) == {"ann", "cy", "ed"}
    assert world.excluded(seg) == set()
    assert world.stays(seg)[-1] == ("ann", "manual", NOW, None)
    world.set_score("ann", 0)
    [result] = refreshed(world)
    assert (result.entered, result.left) == (0, 0)
    assert world.members(seg) == {"ann", "cy", "ed"}


def test_removing_a_hand_made_member_excludes_it_too(world: World) -> None:
    seg = world.create("High", "score > 70", members=["di"])
    assert world.remove(seg, "di")
    world.set_score("di", 95)  # now matches, but was removed by hand
    [result] = refreshed(world)
    assert result.entered == 0
    assert world.members(seg) == {"ann", "cy", "ed"}
    assert world.excluded(seg) == {"di"}
    assert not world.remove(seg, "di")  # not a member: nothing to do


def test_removing_from_a_static_segment_excludes_nobody(world: World) -> None:
    seg = world.create("Picked", None, members=["di", "ann"])
    assert world.remove(seg, "di")
    assert world.excluded(seg) == set()
    assert world.members(seg) == {"ann"}


# -- nested segments ---------------------------------------------------------------------------


def test_refreshing_all_follows_dependency_order(world: World) -> None:
    # B is created first, so its id is lower, then made to use A.
    b = world.create("B", "score > 0")
    a = world.create("A", "score > 70")
    assert b < a
    world.edit(b, rule='in segment "A" and city = Boston')
    assert world.members(b) == {"ann", "ed"}
    assert world.store.rules.segments_using(a) == ["B"]

    world.set_score("bob", 95)  # joins A on refresh, and through A joins B in the same pass
    results = refreshed(world)
    assert [(r.name, r.entered, r.left) for r in results] == [("A", 1, 0), ("B", 1, 0)]
    assert world.members(a) == {"ann", "bob", "cy", "ed"}
    assert world.members(b) == {"ann", "bob", "ed"}

    world.set_score("ann", 1)
    results = refreshed(world, b, a)  # asked in the wrong order: refreshed in the right one
    assert [(r.name, r.entered, r.left) for r in results] == [("A", 0, 1), ("B", 0, 1)]
    assert world.members(b) == {"bob", "ed"}



def test_the_activity_filter_finds_refreshes(world: World) -> None:
    """"Members Refreshed" is one of the types the Activity tab filters by (it was logged
    but missing from the list, so no filter could show it); the timeline takes no type
    the list lacks."""
    a = world.create("A", None, members=["ann", "bob"])
    b = world.create("B", 'in segment "A" and score > 60')
    world.add(a, "cy")  # cy has 80: enters B
    assert "Members Refreshed" in ACTIVITY_TYPES
    refreshes = ActivityFilter(types=frozenset({"Members Refreshed"}))
    assert world.store.activity.activity_count(b, refreshes) >= 1
    with world.store.orm_session() as session, pytest.raises(ValueError, match="not an activity"):
        log_activity(session.connection(), b, "Members Reloaded", "", "", None, clock.now())

def test_a_hand_change_of_a_used_segment_refreshes_its_users_at_once(world: World) -> None:
    a = world.create("A", None, members=["ann", "bob"])
    b = world.create("B", 'in segment "A" and score > 60')
    c = world.create("C", 'in segment "B"')  # through B
    assert world.members(b) == world.members(c) == {"ann"}

    assert world.add(a, "cy") == 1  # cy has 80
    assert world.members(b) == world.members(c) == {"ann", "cy"}
    assert world.activities(b)[-1] == ("Members Refreshed", "+1 entered, −0 left")
    assert world.activities(c)[-1] == ("Members Refreshed", "+1 entered, −0 left")

    assert world.remove(a, "ann")
    assert world.members(b) == world.members(c) == {"cy"}
    assert world.activities(b)[-1] == ("Members Refreshed", "+0 entered, −1 left")

    world.edit(a, add=["ed", "di"])  # the edit form's "add contacts": ed has 75, di 20
    assert world.members(b) == world.members(c) == {"cy", "ed"}


def test_changing_a_used_rule_refreshes_its_users(world: World) -> None:
    a = world.create("A", "score > 70")
    b = world.create("B", 'in segment "A"')
    world.edit(a, rule="city = Boston")
    assert world.members(a) == world.members(b) == {"ann", "bob", "ed"}
    assert world.activities(b)[-1] == ("Members Refreshed", "+1 entered, −1 left")


def test_saving_a_used_rule_reads_the_segments_once(world: World) -> None:
    """The save validates the rule, checks who uses the segment and orders its dependents
    from one read of the segments' rules, and refreshes from the rule it was given rather
    than reading it back (A, "saving a dynamic segment's rule")."""
    a = world.create("A", "score > 70")
    b = world.create("B", 'in segment "A"')
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.split()).lower())

    before = world.details(a)
    draft = SegmentDraft(before.name, before.description, before.tags, before.status,
                         parse("city = Boston"))
    event.listen(Engine, "before_cursor_execute", seen)
    try:
        world.store.segments.update_segment(a, before.version, draft, NOTHING, world.user)
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    reads_of_rules = [s for s in statements
                      if s.startswith("select") and "segments.rule" in s]
    # details() before the edit (its header), the lookup once, B's refresh reading B's rule
    assert len(reads_of_rules) == 3, reads_of_rules
    assert world.members(a) == world.members(b) == {"ann", "bob", "ed"}


# -- validation ------------------------------------------------------------------------------


def rule_errors(error: InvalidSegment) -> list[str]:
    assert error.errors and all(e.field == "rule" for e in error.errors), error.errors
    return [e.message for e in error.errors]


def test_a_rule_cannot_use_its_own_segment(world: World) -> None:
    seg = world.create("Self", "score > 70")
    before = world.database_state()
    with pytest.raises(InvalidSegment) as caught:
        world.edit(seg, rule='in segment "self" or score > 90')
    [message] = rule_errors(caught.value)
    assert "cycle" in message and "itself" in message
    assert world.database_state() == before


def test_a_rule_cannot_use_its_segment_through_another(world: World) -> None:
    a = world.create("A", "score > 70")
    world.create("B", 'in segment "A"')
    before = world.database_state()
    with pytest.raises(InvalidSegment) as caught:
        world.edit(a, rule='in segment "B"')
    [message] = rule_errors(caught.value)
    assert "cycle" in message and "'B'" in message
    assert world.database_state() == before


def test_a_rule_cannot_use_a_missing_segment(world: World) -> None:
    seg = world.create("Real", "score > 70")
    before = world.database_state()
    with pytest.raises(InvalidSegment) as caught:
        world.create("Broken", 'in segment "Nope"')
    [message] = rule_errors(caught.value)
    assert "'Nope'" in message and "does not exist" in message
    with pytest.raises(InvalidSegment) as caught:
        world.edit(seg, rule='in segment "Nope" and score > 1')
    assert "does not exist" in rule_errors(caught.value)[0]
    assert world.database_state() == before


def test_the_rule_is_saved_with_the_segment_id(world: World) -> None:
    a = world.create("Alpha", "score > 70")
    b = world.create("Beta", 'in segment "alpha"')
    before = world.details(a)
    world.store.segments.update_segment(a, before.version, SegmentDraft(
        "Alpha Two", before.description, before.tags, before.status, before.rule),
        NOTHING, world.user)
    # The reference follows the id: Beta still uses the renamed segment.
    assert world.store.rules.segments_using(a) == ["Beta"]
    world.set_score("di", 99)
    refreshed(world)
    assert world.members(b) == {"ann", "cy", "di", "ed"}
    # ... and says so under its name now, wherever the rule is shown (the detail screen,
    # `segments show`, the API's GET; `segments list`), even once another segment takes
    # the old name: the rule showed "Alpha", naming that segment, while meaning this one.
    world.create("Alpha", "score > 95")
    details = world.details(b)
    assert details.rule is not None
    assert format_rule(details.rule) == 'in segment "Alpha Two"'
    listed = world.store.segments.segment_rules([b])[b]
    assert listed is not None and format_rule(listed) == 'in segment "Alpha Two"'


# -- segments used by rules cannot go away ------------------------------------------------------


@pytest.mark.parametrize("kind", ["static", "dynamic"])
def test_a_used_segment_cannot_be_deleted_or_deactivated(world: World, kind: str) -> None:
    a = world.create("A", "score > 70" if kind == "dynamic" else None, members=["ann"])
    b = world.create("Users of A", 'in segment "A"')
    before = world.database_state()

    with pytest.raises(SegmentUsedByRules) as deleting:
        world.store.segments.delete_segment(a, world.user)
    assert deleting.value.users == ("Users of A",)
    assert deleting.value.action == "deleted"
    assert "“Users of A”" in str(deleting.value)
    assert world.database_state() == before

    with pytest.raises(SegmentUsedByRules) as deactivating:
        world.edit(a, status=SegmentStatus.INACTIVE)
    assert deactivating.value.users == ("Users of A",)
    assert deactivating.value.action == "deactivated"
    assert world.database_state() == before

    # Once no rule uses it, it can go.
    world.edit(b, rule="score > 1")
    assert world.store.rules.segments_using(a) == []
    world.edit(a, status=SegmentStatus.INACTIVE)
    world.store.segments.delete_segment(a, world.user)
    assert world.store.segments.segment_details(a) is None


# -- why is this contact here ----------------------------------------------------------------

RULE = ("score > 70 and (city = Boston or tag = VIP) and not (city = Chicago or score > 95)")


def explained(world: World, seg: int, key: str) -> list[tuple[int, str, bool]]:
    lines: tuple[MatchLine, ...] = world.store.members.explain_membership(seg, world.ids[key]).lines
    return [(line.depth, line.text, line.matched) for line in lines]


def test_explain_a_rule_member(world: World) -> None:
    seg = world.create("Boston VIPs", RULE)
    assert world.members(seg) == {"ann", "ed"}
    why = world.store.members.explain_membership(seg, world.ids["ann"])
    assert (why.member, why.added_by_hand, why.excluded_by_hand, why.rule_matches) == (
        True, None, False, True)
    assert explained(world, seg, "ann") == [
        (0, "all of the 3 below", True),
        (1, "score > 70", True),
        (1, "any of the 2 below", True),
        (2, "city = Boston", True),
        (2, "tag = VIP", True),
        (1, "none of the 2 below", True),
        (2, "city = Chicago", False),
        (2, "score > 95", False),
    ]
    # cy has 80 but lives in Chicago: not a member, and the lines say why.
    why = world.store.members.explain_membership(seg, world.ids["cy"])
    assert (why.member, why.rule_matches) == (False, False)
    assert [matched for _, _, matched in explained(world, seg, "cy")] == [
        False, True, False, False, False, False, True, False]


def test_explain_describes_negations(world: World) -> None:
    seg = world.create("Not Boston high", "not (score > 70 and city = Boston) and "
                                          "not city = Austin")
    assert world.members(seg) == {"bob", "cy"}
    assert explained(world, seg, "bob") == [
        (0, "all of the 2 below", True),
        (1, "not all of the 2 below", True),
        (2, "score > 70", False),
        (2, "city = Boston", True),
        (1, "not city = Austin", True),
    ]


def test_explain_a_hand_made_member(world: World) -> None:
    seg = world.create("Boston VIPs", RULE, members=["di"])
    why = world.store.members.explain_membership(seg, world.ids["di"])
    assert why.member
    assert why.added_by_hand == "Added by hand by Sarah Mitchell on 26/02/2024"
    assert (why.excluded_by_hand, why.rule_matches) == (False, False)
    assert [matched for _, _, matched in explained(world, seg, "di")] == [
        False, False, False, False, False, True, False, False]


def test_explain_an_excluded_contact(world: World) -> None:
    seg = world.create("Boston VIPs", RULE)
    world.remove(seg, "ed")
    why = world.store.members.explain_membership(seg, world.ids["ed"])
    assert (why.member, why.added_by_hand, why.excluded_by_hand, why.rule_matches) == (
        False, None, True, True)


def test_explain_a_static_member(world: World) -> None:
    seg = world.create("Picked", None, members=["di"])
    why = world.store.members.explain_membership(seg, world.ids["di"])
    assert (why.member, why.lines, why.rule_matches) == (True, (), None)
    assert why.added_by_hand == "Added by hand by Sarah Mitchell on 26/02/2024"


# -- editing the rule --------------------------------------------------------------------------


def test_editing_the_rule_re_evaluates_and_logs(world: World) -> None:
    seg = world.create("Edit me", "score > 70")
    world.edit(seg, rule="city = Boston")
    assert world.members(seg) == {"ann", "bob", "ed"}
    assert ("cy", "rule", NOW, NOW) in world.stays(seg)
    assert world.activities(seg)[1:] == [
        ("Segment Edited", "Changed rule"),
        ("Members Refreshed", "+1 entered, −1 left"),
    ]
    details = world.details(seg)
    assert details.rule == world.store.rules.check_rule(parse("city = Boston"))[0]
    assert details.version == 2


def test_editing_other_fields_does_not_re_evaluate(world: World) -> None:
    seg = world.create("Edit me", "score > 70")
    world.set_score("bob", 99)
    world.edit(seg, description="only the words", rule="score > 70")  # the same rule
    assert world.members(seg) == {"ann", "cy", "ed"}
    assert [kind for kind, _ in world.activities(seg)] == ["Segment Created", "Segment Edited"]
    assert world.activities(seg)[-1] == ("Segment Edited", "Changed description")


def test_giving_a_static_segment_a_rule(world: World) -> None:
    seg = world.create("Was static", None, members=["di"])
    world.edit(seg, rule="score > 70")
    assert world.members(seg) == {"ann", "cy", "di", "ed"}  # di stays: picked by hand
    assert world.activities(seg)[1:] == [
        ("Segment Edited", "Changed type Static → Dynamic"),
        ("Members Refreshed", "+3 entered, −0 left"),
    ]
    assert world.details(seg).evaluated_at == NOW



# -- incremental re-evaluation (D1.5: "incremental where the change touches few
# contacts") -------------------------------------------------------------------------------


def test_contacts_changed_re_evaluates_only_those_contacts(world: World) -> None:
    """`contacts_changed([x])` updates every dynamic segment for x alone: another contact's
    change, not announced, waits for a full refresh; nested segments follow in order."""
    seg = world.create("High scorers", "score > 70")
    user = world.create("High scorers in Boston", 'in segment "High scorers" and city = Boston')
    evaluated = world.details(seg).evaluated_at
    assert world.members(seg) == {"ann", "cy", "ed"}
    assert world.members(user) == {"ann", "ed"}
    world.set_score("ann", 10)  # announced below
    world.set_score("bob", 99)  # not announced
    results = world.store.rules.contacts_changed([world.ids["ann"]])
    assert [(r.name, r.entered, r.left) for r in results] == [
        ("High scorers", 0, 1), ("High scorers in Boston", 0, 1)]
    assert world.members(seg) == {"cy", "ed"}  # bob waits for a full refresh
    assert world.members(user) == {"ed"}
    assert world.details(seg).evaluated_at == evaluated  # not a whole evaluation
    assert world.store.rules.contacts_changed([]) == []
    [full, nested] = refreshed(world)
    assert (full.entered, full.left, nested.entered, nested.left) == (1, 0, 1, 0)  # bob
    assert world.members(seg) == {"bob", "cy", "ed"}
    assert world.members(user) == {"bob", "ed"}


def test_contacts_changed_keeps_hand_made_members_and_exclusions(world: World) -> None:
    seg = world.create("High scorers", "score > 70", members=["di"])
    world.store.members.remove_member(seg, world.ids["cy"], world.user)
    world.set_score("di", 0)
    world.set_score("cy", 100)
    world.store.rules.contacts_changed([world.ids["di"], world.ids["cy"]])
    assert world.members(seg) == {"ann", "di", "ed"}  # di by hand stays; cy stays out
