"""Refreshing many dynamic segments whole, in batches (segtui/data/rules/whole_refresh.py, P9,
docs/requirements.md P9), on SQLite and PostgreSQL.

The batches are a way to read less, never another answer: segments whose rules require
the same condition are evaluated over one copy of the contacts meeting it, and the lists
their rules read (events, tags) are read once. So the tests compare a batched refresh of
an estate of overlapping rules with the same refresh one segment at a time, and both with
each rule's own count, after facts changed behind the Store's back.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, insert, select, update

from segtui.core import clock
from segtui.core.contacts import ContactSelection
from segtui.core.enums import CompanySize, EventType, LeadStatus, MembershipSource
from segtui.core.rules.language import parse
from segtui.core.rules.refresh import RefreshResult
from segtui.core.rules.tree import Node
from segtui.core.segments import SegmentDraft
from segtui.data.db.models import (
    Company,
    Contact,
    EngagementEvent,
    Membership,
    Segment,
    SegmentExclusion,
    Tag,
)
from segtui.data.db.tables import contact_tags
from segtui.data.rules import pending, refresh, whole_refresh
from segtui.data.rules.compiler import compile_rule
from segtui.data.rules.whole_refresh import (
    Batch,
    RunTurns,
    SharedLists,
    breadth,
    columns_read,
    plan,
    required,
)
from segtui.data.store import Store

TODAY = date(2024, 2, 26)  # tests/conftest.py fixes the clock there

# An estate of overlapping rules: shared conditions (Boston, Hot Lead, Enterprise), shared
# lists (opened within 30d, the VIP tag), negations, an `or`, a count, and rules using
# other segments (a later layer).
RULES = {
    "Boston hot": 'city = "Boston" and status = "Hot Lead"',
    "Boston keen": 'city = "Boston" and opened within 30d >= 1',
    "Boston big": 'size = Enterprise and city = "Boston"',
    "Boston high": 'city = "Boston" and score > 60',
    "Boston quiet": 'city = "Boston" and not opened within 30d >= 1',
    "Hot keen": 'status = "Hot Lead" and opened within 30d >= 1',
    "Hot VIP": 'status = "Hot Lead" and tag = VIP',
    "Hot either": 'status = "Hot Lead" and (score > 80 or city = "Austin")',
    "Clickers": 'clicked >= 2 and score > 10',
    "Clickers VIP": 'clicked >= 2 and tag = VIP',
    "Chicago": 'city = "Chicago"',
    "Only one": 'state = "TX" and score < 50',
    "Users of Boston hot": 'in segment "Boston hot" and opened within 30d >= 1',
    "Users of Boston keen": 'in segment "Boston keen" and score > 30',
}


@pytest.fixture
def estate(empty_store: Store) -> Iterator[tuple[Store, dict[str, int]]]:
    """80 contacts with seeded facts, and the segments of RULES created from them."""
    store = empty_store
    rng = random.Random(17)
    with store.orm_session() as session:
        companies = [Company(name=f"Co {n}", size=size) for n, size in
                     enumerate([CompanySize.ENTERPRISE, CompanySize.SMB, None] * 3)]
        session.add_all(companies)
        vip = Tag(name="VIP")
        session.add(vip)
        session.flush()
        for n in range(80):
            contact = Contact(
                name=f"Person {n}", email=f"p{n}@example.com",
                lead_status=rng.choice([LeadStatus.HOT_LEAD, LeadStatus.NEW, LeadStatus.COLD]),
                city=rng.choice(["Boston", "boston", "Chicago", "Austin", None]),
                state=rng.choice(["TX", "MA", None]), quality_score=rng.randint(0, 100),
                company_id=rng.choice([c.id for c in companies] + [None]),
                created_at=datetime(2023, 1, 1))
            session.add(contact)
            session.flush()
            if rng.random() < 0.3:
                session.execute(insert(contact_tags).values(contact_id=contact.id,
                                                            tag_id=vip.id))
            for _ in range(rng.randint(0, 3)):
                session.add(EngagementEvent(
                    contact_id=contact.id, type=rng.choice([EventType.OPENED,
                                                            EventType.CLICKED]),
                    occurred_at=datetime(2024, 2, 26, 9) - timedelta(days=rng.randint(0, 50))))
    user = store.users.current_user("Sarah Mitchell")
    ids = {name: store.segments.create_segment(SegmentDraft(name, rule=parse(rule)),
                                               ContactSelection(), user)
           for name, rule in RULES.items()}
    yield store, ids


def change_facts_behind_its_back(store: Store, seed: int) -> None:
    """Scores, cities, statuses and opens change without the Store re-evaluating."""
    rng = random.Random(seed)
    with store.orm_session() as session:
        contact_ids = list(session.execute(select(Contact.id)).scalars())
        for cid in rng.sample(contact_ids, 30):
            session.execute(update(Contact).where(Contact.id == cid).values(
                quality_score=rng.randint(0, 100),
                city=rng.choice(["Boston", "Chicago", None]),
                lead_status=rng.choice([LeadStatus.HOT_LEAD, LeadStatus.NEW])))
        for cid in rng.sample(contact_ids, 10):
            session.add(EngagementEvent(contact_id=cid, type=EventType.OPENED,
                                        occurred_at=datetime(2024, 2, 25, 9)))


def members(store: Store, ids: dict[str, int]) -> dict[str, set[tuple[int, str]]]:
    """Each segment's current stays: (contact id, source)."""
    with store.reading() as conn:
        rows = conn.execute(select(Membership.segment_id, Membership.contact_id,
                                   Membership.source)
                            .where(Membership.removed_at.is_(None))).all()
    by_id = {sid: name for name, sid in ids.items()}
    found: dict[str, set[tuple[int, str]]] = {name: set() for name in ids}
    for sid, cid, source in rows:
        found[by_id[sid]].add((int(cid), str(source)))
    return found


def one_at_a_time(rules: object, layers: list[list[int]], today: date) -> list[Batch]:
    return [Batch((sid,), layer=n) for n, layer in enumerate(layers) for sid in layer]


@pytest.fixture
def batches_used(monkeypatch: pytest.MonkeyPatch) -> list[Batch]:
    """The batches the Store's refreshes were planned in."""
    used: list[Batch] = []
    real = whole_refresh.plan

    def recording(*args: Any) -> list[Batch]:
        planned = real(*args)
        used.extend(planned)
        return planned

    monkeypatch.setattr(whole_refresh, "plan", recording)
    return used


def refreshed_alone(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[RefreshResult]:
    with monkeypatch.context() as patch:
        patch.setattr(whole_refresh, "plan", one_at_a_time)
        return store.rules.refresh_segments()


def changed_by_hand(store: Store, *, added_to: int, kept_out_of: int) -> tuple[int, int]:
    """The first contact added by hand to one segment, the second removed by hand from
    another (kept out of it from now on): (first, second)."""
    user = store.users.current_user("Sarah Mitchell")
    with store.reading() as conn:
        first, second = conn.execute(select(Contact.id).order_by(Contact.id).limit(2)
                                     ).scalars()
    store.members.add_members(added_to, ContactSelection().toggled(first, True), user)
    store.members.remove_member(kept_out_of, second, user)
    return first, second


def test_a_batched_refresh_equals_one_segment_at_a_time(
        estate: tuple[Store, dict[str, int]], batches_used: list[Batch],
        monkeypatch: pytest.MonkeyPatch) -> None:
    store, ids = estate
    changed_by_hand(store, added_to=ids["Boston hot"], kept_out_of=ids["Hot keen"])

    for seed in (1, 2, 3):
        # Batched first, then one at a time: the second finds nothing to change.
        change_facts_behind_its_back(store, seed)
        batched = store.rules.refresh_segments()
        assert any(r.changed for r in batched)
        after_batched = members(store, ids)
        assert not any(r.changed for r in refreshed_alone(store, monkeypatch))
        assert members(store, ids) == after_batched
        # One at a time first, then batched: the same.
        change_facts_behind_its_back(store, seed + 10)
        assert any(r.changed for r in refreshed_alone(store, monkeypatch))
        after_alone = members(store, ids)
        assert not any(r.changed for r in store.rules.refresh_segments())
        assert members(store, ids) == after_alone

    shared = [b for b in batches_used if b.shared is not None]
    assert {len(b.segment_ids) for b in shared} - {1, 2}, "no batch shared a condition"
    assert any(sid == ids["Users of Boston keen"] for b in batches_used
               for sid in b.segment_ids)


def test_each_segment_holds_its_rule_less_exclusions_plus_hand_made(
        estate: tuple[Store, dict[str, int]], batches_used: list[Batch]) -> None:
    store, ids = estate
    first, _ = changed_by_hand(store, added_to=ids["Chicago"],
                               kept_out_of=ids["Boston keen"])
    change_facts_behind_its_back(store, 5)
    store.rules.refresh_segments()
    got = members(store, ids)
    with store.reading() as conn:
        excluded: set[tuple[int, int]] = set(conn.execute(select(SegmentExclusion.segment_id,
                                           SegmentExclusion.contact_id)).all())
        for name, sid in ids.items():
            rule, problems = store.rules.check_rule(parse(RULES[name]))
            assert not problems
            matching = set(conn.execute(select(Contact.id).where(
                compile_rule(rule, TODAY))).scalars())
            by_hand = {c for c, source in got[name] if source == MembershipSource.MANUAL}
            made = {c for c, source in got[name] if source == MembershipSource.RULE}
            assert made == {c for c in matching if (sid, c) not in excluded} - by_hand, name
    assert got["Chicago"] >= {(first, MembershipSource.MANUAL)}
    assert any(b.shared is not None for b in batches_used)


# -- planning ------------------------------------------------------------------------------


def resolved(store: Store, text: str) -> Node:
    rule, problems = store.rules.check_rule(parse(text))
    assert not problems
    return rule


def test_rules_sharing_a_required_condition_share_a_batch() -> None:
    rules = {1: parse('city = "Boston" and score > 5'),
             2: parse('status = "Hot Lead" and city = "Boston"'),
             3: parse('city = "Boston" or score > 5'),  # requires nothing
             4: parse('status = "Hot Lead" and score > 9'),
             5: parse('status = "Hot Lead" and score > 1 and city = "Boston"'),
             6: parse('state = "TX"')}
    batches = plan(rules, [[1, 2, 3, 4, 5, 6]], TODAY)
    boston = parse('city = "Boston"').children[0]
    hot = parse('status = "Hot Lead"').children[0]
    # Boston (1, 2, 5) and Hot Lead (2, 4, 5) are each required by three rules; a city is
    # the narrower, so 2 and 5 join Boston and 4 is left alone.
    assert batches == [
        Batch((1, 2, 5), boston, ("id", "lead_status", "city", "quality_score")),
        Batch((3,)),
        Batch((4,)),
        Batch((6,))]
    assert hot in required(rules[4])


def test_a_batch_is_at_most_batch_most_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whole_refresh, "BATCH_MOST", 2)
    rules = {n: parse(f'city = "Boston" and score > {n}') for n in range(5)}
    batches = plan(rules, [list(range(5))], TODAY)
    assert [b.segment_ids for b in batches] == [(0, 1), (2, 3), (4,)]
    assert batches[-1].shared is not None  # the rest of a shared batch still reads the copy


def test_layers_stay_in_order_and_segment_lists_are_not_shared() -> None:
    rules = {1: parse('city = "Boston" and score > 5'),
             2: parse('city = "Boston" and score > 6'),
             3: parse('in segment "A" and score > 5'),
             4: parse('in segment "A" and score > 6')}
    assert required(rules[3]) == (parse("score > 5").children[0],)
    batches = plan(rules, [[1, 2], [3, 4]], TODAY)
    assert [(b.segment_ids, b.layer) for b in batches] == [((1, 2), 0), ((3,), 1), ((4,), 1)]
    assert required(parse('not (city = "Boston" and score > 5)')) == ()


def test_the_narrowest_shared_condition_is_chosen() -> None:
    by_breadth = ['city = "Boston"', "opened within 30d >= 1", 'status = "Hot Lead"',
                  "size = Enterprise"]
    assert [breadth(parse(text).children[0]) for text in by_breadth] == [0, 1, 2, 3]
    assert breadth(parse("opened = 0").children[0]) == 3  # "never": most contacts
    assert breadth(parse('city != "Boston"').children[0]) == 3


def test_the_copy_holds_the_columns_the_rules_read(empty_store: Store) -> None:
    rules = [resolved(empty_store, 'size = Enterprise and city = "Austin"'),
             resolved(empty_store, 'city = "Austin" and spent > 10')]
    assert columns_read(rules, TODAY) == ("id", "company_id", "city", "spent_cents")


# -- lists shared from batch to batch --------------------------------------------------------


def openers(conn: Connection, lists: SharedLists) -> tuple[str, set[int]]:
    """(the temporary table the run's list of openers is read from, its contacts)."""
    listed = lists.listed(select(EngagementEvent.contact_id).where(
        EngagementEvent.type == EventType.OPENED))
    table = str(listed.get_final_froms()[0])
    return table, set(conn.execute(listed).scalars())


def next_batch(conn: Connection, lists: SharedLists) -> None:
    """What a batch's write does first: take the refresh lock (and its turn), then the
    lists."""
    assert lists.turns is not None
    lists.start_batch(lists.turns.draw(conn))


def another_commits_an_open(store: Store, before: set[int], *, re_evaluates: bool) -> int:
    """Another connection commits an open by a contact not among `before`; with
    `re_evaluates`, in a transaction that takes the refresh lock, as a re-evaluation of
    it does (Store.rules.contacts_changed). Returns the contact."""
    with store.reading() as other:
        newcomer = int(other.execute(select(Contact.id).where(
            Contact.id.not_in(before)).order_by(Contact.id).limit(1)).scalar_one())
    with store.writing() as other:
        if re_evaluates:
            pending.serialise_refreshes(other)
        other.execute(insert(EngagementEvent.__table__).values(
            contact_id=newcomer, type=EventType.OPENED.value,
            occurred_at=datetime(2024, 2, 26, 9)))
    return newcomer


def test_a_list_serves_later_batches_until_another_re_evaluation(
        estate: tuple[Store, dict[str, int]]) -> None:
    """A run's list serves batch after batch while nobody else could have re-evaluated
    in between: SQLite while no other connection committed (data_version), PostgreSQL
    while its batches take the refresh lock in turns that follow each other. After a
    re-evaluation elsewhere, the next batch reads the list again, never an old one."""
    store, _ = estate
    with store.engine.connect() as conn:
        lists = SharedLists(conn, RunTurns())
        with conn.begin():
            next_batch(conn, lists)
            first, before = openers(conn, lists)
        with conn.begin():
            next_batch(conn, lists)
            again, same = openers(conn, lists)
        assert (again, same) == (first, before)
        newcomer = another_commits_an_open(store, before, re_evaluates=True)
        with conn.begin():
            next_batch(conn, lists)
            later, after = openers(conn, lists)
            lists.drop()
        assert later != first
        assert after == before | {newcomer}


def test_postgresql_keeps_a_list_past_a_change_nobody_re_evaluated(
        estate: tuple[Store, dict[str, int]]) -> None:
    """On PostgreSQL a change committed between two batches, not yet re-evaluated, leaves
    the list as it was: the change's re-evaluation waits for the refresh lock and comes
    after the batch, which it corrects (no staler than a change committed while a batch
    runs). SQLite, which can't tell a change from a re-evaluation, reads it again."""
    store, _ = estate
    with store.engine.connect() as conn:
        lists = SharedLists(conn, RunTurns())
        with conn.begin():
            next_batch(conn, lists)
            first, before = openers(conn, lists)
        newcomer = another_commits_an_open(store, before, re_evaluates=False)
        with conn.begin():
            next_batch(conn, lists)
            later, after = openers(conn, lists)
            lists.drop()
        postgresql = conn.dialect.name == "postgresql"
        assert (later == first) == postgresql
        assert after == (before if postgresql else before | {newcomer})


def test_a_turn_of_the_runs_other_connection_keeps_the_lists(
        estate: tuple[Store, dict[str, int]]) -> None:
    """PostgreSQL: a run's two workers take the refresh lock in turn; the other worker's
    turn between two of mine re-evaluated none of my segments, so my lists stay. A turn
    drawn by anyone else still makes them read again (the test above)."""
    store, _ = estate
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's run has one connection")
    turns = RunTurns()
    with store.engine.connect() as mine, store.engine.connect() as other:
        lists = SharedLists(mine, turns)
        with mine.begin():
            next_batch(mine, lists)
            first, _ = openers(mine, lists)
        with other.begin():
            turns.draw(other)  # the run's other worker writes a batch of its own
        with mine.begin():
            next_batch(mine, lists)
            again, _ = openers(mine, lists)
            lists.drop()
        assert again == first


def test_lists_for_checks_serve_the_whole_run(estate: tuple[Store, dict[str, int]]) -> None:
    """A check only tells whether a segment would change; whatever changed since its
    lists were read is owed a re-evaluation, so they are kept even past one."""
    store, _ = estate
    with store.engine.connect() as conn:
        lists = SharedLists(conn, for_checks=True)
        with conn.begin():
            lists.start_batch()
            first, before = openers(conn, lists)
        another_commits_an_open(store, before, re_evaluates=True)
        with conn.begin():
            lists.start_batch()
            again, same = openers(conn, lists)
            lists.drop()
        assert (again, same) == (first, before)


def stays(store: Store) -> list[tuple[Any, ...]]:
    """Every stay, current or past, as a row."""
    with store.reading() as conn:
        return [tuple(row) for row in conn.execute(
            select(Membership.__table__).order_by(Membership.id))]


def test_an_unchanged_refresh_writes_no_stay_and_stamps_every_segment(
        estate: tuple[Store, dict[str, int]], monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing changed: every segment is checked (outside the refresh lock), none
    written, and each is stamped as evaluated now."""
    store, ids = estate
    store.rules.refresh_segments()
    before = stays(store)
    later = datetime(2024, 2, 26, 15, 30)
    monkeypatch.setattr(clock, "now", lambda: later)
    again = store.rules.refresh_segments()
    assert sorted(r.segment_id for r in again) == sorted(ids.values())
    assert not any(r.changed for r in again)
    assert stays(store) == before
    with store.reading() as conn:
        stamped = set(conn.execute(select(Segment.evaluated_at).where(
            Segment.id.in_(list(ids.values())))).scalars())
    assert stamped == {later}


def test_a_segment_owed_a_whole_re_evaluation_is_written_and_crossed_off(
        estate: tuple[Store, dict[str, int]]) -> None:
    """Owed segments skip the check: their refresh runs under the lock, which claims
    what they were owed (data/rules/pending.py)."""
    store, ids = estate
    change_facts_behind_its_back(store, 7)
    with store.writing() as conn:
        pending.owe_segments(conn, [ids["Chicago"], ids["Boston keen"]], clock.now())
    store.rules.refresh_segments([ids["Chicago"], ids["Boston keen"]])
    assert store.rules.owed().segments == ()
    assert_each_holds_its_rule(store, ids, ["Chicago", "Boston keen"])


def assert_each_holds_its_rule(store: Store, ids: dict[str, int], names: list[str]) -> None:
    got = members(store, ids)
    with store.reading() as conn:
        for name in names:
            rule, problems = store.rules.check_rule(parse(RULES[name]))
            assert not problems
            matching = set(conn.execute(select(Contact.id).where(
                compile_rule(rule, TODAY))).scalars())
            assert {c for c, _ in got[name]} == matching, name


def test_a_failed_batch_stops_the_run_and_gives_back_its_connections(
        estate: tuple[Store, dict[str, int]], monkeypatch: pytest.MonkeyPatch) -> None:
    """An error in one batch (here a write) is raised to the caller once the batches
    running beside it are done; the run's connections go back to the pool, and a run
    afterwards finishes the work."""
    store, ids = estate
    change_facts_behind_its_back(store, 9)
    real = refresh.refresh_segment

    def failing(conn: Connection, segment_id: int, **options: Any) -> Any:
        if segment_id == ids["Chicago"]:
            raise RuntimeError("the disk is full")
        return real(conn, segment_id, **options)

    with monkeypatch.context() as patch:
        patch.setattr(refresh, "refresh_segment", failing)
        with pytest.raises(RuntimeError, match="the disk is full"):
            store.rules.refresh_segments()
    pool = store.engine.pool
    assert getattr(pool, "checkedout", lambda: 0)() == 0
    store.rules.refresh_segments()
    assert_each_holds_its_rule(store, ids, list(RULES))
