"""Incremental re-evaluation for a few changed contacts (segtui/data/rules/incremental.py, P9,
docs/requirements.md P9), on SQLite and PostgreSQL.

Each distinct condition of the rules is asked once and every rule is combined from the
answers, so the tests hold it to the one answer that counts: after the facts of some
contacts changed and `Store.rules.contacts_changed` re-evaluated them, a whole refresh of every
segment finds nothing left to change, for rules of every kind (event counts, tags, other
segments in three layers, nested and negated groups, dates relative to today, companies,
NULLs); the counts it returns are the stays it wrote; hand-made members and exclusions
hold; it logs no activity. And the combination is SQL's three-valued logic.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, insert, select, update

from segtui.core.contacts import ContactSelection
from segtui.core.enums import CompanySize, EventType, LeadStatus, LifecycleStage
from segtui.core.rules.language import parse
from segtui.core.rules.tree import Condition, Group, Joiner, Node, Op
from segtui.core.segments import SegmentDraft
from segtui.data.db.models import Activity, Company, Contact, EngagementEvent, Membership, Tag
from segtui.data.db.tables import contact_tags
from segtui.data.rules import incremental
from segtui.data.store import Store

TODAY = date(2024, 2, 26)  # tests/conftest.py fixes the clock there
NOON = datetime(2024, 2, 26, 12)

# Rules of every kind, several sharing conditions; "in segment" in three layers (Keen, then
# Users of keen, then Users of users) and of a static segment (Hand picked).
RULES = {
    "Clickers": "clicked >= 2",
    "Never opened": "opened = 0",
    "Few clicks": "clicked < 2 and score > 20",
    "Keen": "opened within 7d >= 1",
    "Not one sale": "converted within 30d != 1",
    "Twice this month": "opened within 30d >= 2 and clicked <= 3",
    "VIP": "tag = VIP",
    "VIP not Gold": "tag in (VIP, Gold) and not tag = Gold",
    "Untagged": "tag is empty",
    "Old tags": 'tag contains "ol"',
    "Users of keen": 'in segment "Keen" and score > 30',
    "Not VIP": 'not in segment "VIP" and city = "Boston"',
    "Users of users": 'in segment "Users of keen" or (score > 95 and not in segment "Keen")',
    "Picked": 'in segment "Hand picked" and opened >= 1',
    "Hot nested": 'status = "Hot Lead" and (score > 80 or (city = "Boston" and not tag = VIP))',
    "Not Boston or Texas": 'not (city = "Boston" or (state = "TX" and score < 50))',
    "New": "created within 30d",
    "Gone quiet": "last_activity older than 14d",
    "Never active": "last_activity is empty",
    "Old and lively": "created before 2024-01-01 and last_activity within 7d",
    "Enterprise": 'size = Enterprise and city = "Boston"',
    "No company": "company is empty",
    "Not retail": "industry != Retail",
    "Big spenders": "spent > 100",
    "Buyers": "purchases >= 1 and score between 20 and 60",
    "Ost": 'city contains "ost"',
    "Emails p1": 'email starts with "p1"',
    "Not Person 3": 'name != "Person 3" and score > 10',
    "No state": "state is empty",
    "Not engaged": "stage != Engaged and not stage is empty",
    "Not Boston": 'city != "Boston"',
}


def add_events(session: object, contact_id: int, rng: random.Random, count: int) -> None:
    for _ in range(count):
        kind = rng.choice([EventType.OPENED, EventType.CLICKED, EventType.CONVERTED])
        session.add(EngagementEvent(  # type: ignore[attr-defined]
            contact_id=contact_id, type=kind,
            # From 60 days ago to 2 days ahead (counted "ever", never in a window).
            occurred_at=NOON - timedelta(days=rng.randint(-2, 60), hours=rng.randint(0, 5)),
            revenue_cents=rng.randint(1, 9_000) if kind is EventType.CONVERTED else None))


@pytest.fixture
def estate(empty_store: Store) -> Iterator[tuple[Store, dict[str, int]]]:
    """60 contacts with seeded facts, a static segment, and the segments of RULES."""
    store = empty_store
    rng = random.Random(5)
    with store.orm_session() as session:
        companies = [Company(name=f"Co {n}", size=size, industry=industry)
                     for n, (size, industry) in enumerate(itertools.product(
                         [CompanySize.ENTERPRISE, CompanySize.SMB, None], ["Retail", None]))]
        session.add_all(companies)
        session.add_all([Tag(name="VIP"), Tag(name="Gold"), Tag(name="Cold")])
        session.flush()
        tag_ids = list(session.execute(select(Tag.id)).scalars())
        for n in range(60):
            contact = Contact(
                name=f"Person {n}", email=f"p{n}@example.com" if n % 7 else None,
                lead_status=rng.choice([LeadStatus.HOT_LEAD, LeadStatus.NEW]),
                lifecycle_stage=rng.choice([LifecycleStage.ENGAGED, None]),
                city=rng.choice(["Boston", "boston", "Chicago", "Austin", None]),
                state=rng.choice(["TX", "MA", None]), quality_score=rng.randint(0, 100),
                company_id=rng.choice([c.id for c in companies] + [None]),
                created_at=NOON - timedelta(days=rng.randint(0, 120)))
            session.add(contact)
            session.flush()
            for tag_id in rng.sample(tag_ids, rng.randint(0, 2)):
                session.execute(insert(contact_tags).values(contact_id=contact.id,
                                                            tag_id=tag_id))
            add_events(session, contact.id, rng, rng.randint(0, 4))
    user = store.users.current_user("Sarah Mitchell")
    with store.reading() as conn:
        first_ten = list(conn.execute(select(Contact.id).order_by(Contact.id).limit(10))
                         .scalars())
    picked = ContactSelection()
    for cid in first_ten[::2]:
        picked = picked.toggled(cid, True)
    ids = {"Hand picked": store.segments.create_segment(SegmentDraft("Hand picked"), picked, user)}
    for name, rule in RULES.items():
        ids[name] = store.segments.create_segment(SegmentDraft(name, rule=parse(rule)),
                                                  ContactSelection(), user)
    yield store, ids


def change_facts(store: Store, rng: random.Random, contact_ids: list[int]) -> None:
    """Every kind of fact the rules read changes for these contacts, behind the Store's
    back: fields, company, creation date, tags, events (and with them the rollups)."""
    with store.orm_session() as session:
        companies = list(session.execute(select(Company.id)).scalars())
        tags = list(session.execute(select(Tag.id)).scalars())
        for cid in contact_ids:
            session.execute(update(Contact).where(Contact.id == cid).values(
                quality_score=rng.randint(0, 100),
                city=rng.choice(["Boston", "BOSTON", "Chicago", None]),
                state=rng.choice(["TX", None]),
                lead_status=rng.choice([LeadStatus.HOT_LEAD, LeadStatus.COLD]),
                lifecycle_stage=rng.choice([LifecycleStage.ENGAGED, None]),
                company_id=rng.choice([*companies, None]),
                created_at=NOON - timedelta(days=rng.randint(0, 60))))
            session.execute(delete(contact_tags).where(contact_tags.c.contact_id == cid))
            for tag_id in rng.sample(tags, rng.randint(0, 2)):
                session.execute(insert(contact_tags).values(contact_id=cid, tag_id=tag_id))
            if rng.random() < 0.5:
                session.execute(delete(EngagementEvent).where(
                    EngagementEvent.contact_id == cid))
            add_events(session, cid, rng, rng.randint(0, 4))


def stays(store: Store) -> set[tuple[int, int, str]]:
    """Every current stay: (segment, contact, source)."""
    with store.reading() as conn:
        return {(int(s), int(c), str(source)) for s, c, source in conn.execute(
            select(Membership.segment_id, Membership.contact_id, Membership.source)
            .where(Membership.removed_at.is_(None)))}


def activity_count(store: Store) -> int:
    with store.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(Activity)).scalar_one())


@pytest.mark.parametrize(("seed", "per_statement"), [(1, 500), (2, 7), (3, 500)])
def test_incremental_equals_a_whole_refresh(estate: tuple[Store, dict[str, int]], seed: int,
                                           per_statement: int,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """`per_statement`: the conditions asked in one SELECT (7: in several)."""
    monkeypatch.setattr(incremental, "CONDITIONS_PER_STATEMENT", per_statement)
    monkeypatch.setattr(incremental, "_plan_cache", {})
    store, ids = estate
    user = store.users.current_user("Sarah Mitchell")
    rng = random.Random(seed)
    with store.reading() as conn:
        every = list(conn.execute(select(Contact.id).order_by(Contact.id)).scalars())
    changed = rng.sample(every, 25)
    # By hand: a changed contact kept out of a segment it matches, another added by hand
    # to one it does not, and the static segment "Picked" reads gains a changed contact.
    store.members.remove_member(ids["Untagged"], changed[0], user)
    clickers = {c for s, c, _ in stays(store) if s == ids["Clickers"]}
    by_hand = next(c for c in changed[4:] if c not in clickers)
    store.members.add_members(ids["Clickers"], ContactSelection().toggled(by_hand, True), user)
    store.members.add_members(ids["Hand picked"], ContactSelection().toggled(changed[2], True),
                              user)
    # One changed contact is deleted: it has no row left to test.
    with store.orm_session() as session:
        session.execute(delete(Contact).where(Contact.id == changed[3]))
    change_facts(store, rng, changed[4:])
    before, logged = stays(store), activity_count(store)

    unchanged = [c for c in every if c not in changed][:5]
    results = store.rules.contacts_changed([*changed, *unchanged, max(every) + 1000, changed[5]])
    [plan] = incremental._plan_cache.values()
    assert (len(plan.statements[0]) > 1) == (per_statement == 7)  # several SELECTs

    after = stays(store)
    by_id = {sid: name for name, sid in ids.items()}
    moved = {(s, c) for s, c, _ in before ^ after}
    assert {c for _, c in moved} <= set(changed)  # only the announced contacts moved
    assert len({s for s, _ in moved}) >= 15, "too few segments changed to tell"
    for r in results:
        assert r.entered == len({c for s, c, _ in after - before if s == r.segment_id})
        assert r.left == len({c for s, c, _ in before - after if s == r.segment_id})
        assert r.members == len({c for s, c, _ in after if s == r.segment_id})
        assert r.changed
    assert {r.segment_id for r in results} == {s for s, _ in moved}
    order = [r.name for r in results]  # dependency order: a segment after those it uses
    for used, user_of in (("Keen", "Users of keen"), ("Users of keen", "Users of users")):
        if used in order and user_of in order:
            assert order.index(used) < order.index(user_of)
    assert activity_count(store) == logged  # a re-evaluation logs nothing
    assert (ids["Untagged"], changed[0], "rule") not in after  # kept out stays out
    assert (ids["Clickers"], by_hand, "manual") in after  # by hand stays in

    # A whole refresh of every segment finds nothing left to change.
    whole = store.rules.refresh_segments()
    assert [by_id[r.segment_id] for r in whole if r.changed] == []
    assert stays(store) == after


def test_nothing_changed_writes_nothing(estate: tuple[Store, dict[str, int]]) -> None:
    store, _ = estate
    before = stays(store)
    with store.reading() as conn:
        some = list(conn.execute(select(Contact.id).limit(20)).scalars())
    assert store.rules.contacts_changed(some) == []
    assert store.rules.contacts_changed([]) == []
    assert stays(store) == before


def test_each_distinct_condition_is_asked_once(estate: tuple[Store, dict[str, int]]
                                               ) -> None:
    """One SELECT for every condition that reads no other segment, then one for each
    later layer's "in segment" conditions; a condition shared by rules, or negated in
    one, is one column."""
    store, ids = estate
    with store.reading() as conn:
        some = list(conn.execute(select(Contact.id).limit(3)).scalars())
    store.rules.contacts_changed(some)
    [plan] = incremental._plan_cache.values()
    leaves = {c for name in RULES for c in _conditions(store, RULES[name])}
    assert len(plan.conditions) == len(leaves)
    assert len(set(plan.conditions)) == len(plan.conditions)
    assert [len(s) for s in plan.statements] == [1, 1, 1]  # layers 0, 1 and 2
    assert [c.op for c in plan.conditions if c.op is Op.IN_SEGMENT] != []
    assert ids["Users of users"] in plan.layers[2]


def _conditions(store: Store, text: str) -> set[Condition]:
    rule, problems = store.rules.check_rule(parse(text))
    assert not problems
    found: set[Condition] = set()

    def walk(node: Node) -> None:
        if isinstance(node, Condition):
            found.add(Condition(node.field, node.op, node.value))
        else:
            for child in node.children:
                walk(child)

    walk(rule)
    return found


# -- SQL's three-valued logic ----------------------------------------------------------------

# Answers of three conditions for the 27 combinations of TRUE, FALSE and NULL (None), one
# contact per bit.
VALUES = (True, False, None)
COMBINATIONS = list(itertools.product(VALUES, repeat=3))
A, B, C = (Condition("score", Op.GT, Decimal(n)) for n in range(3))


def kleene(node: Node, values: dict[Condition, bool | None]) -> bool | None:
    """What SQL makes of the tree: NOT NULL is NULL; AND is FALSE if any is FALSE, else
    NULL if any is NULL; OR the other way round."""
    if isinstance(node, Condition):
        got = values[Condition(node.field, node.op, node.value)]
    else:
        parts = [kleene(child, values) for child in node.children]
        if node.joiner is Joiner.AND:
            got = (False if False in parts else None if None in parts else True)
        else:
            got = (True if True in parts else None if None in parts else False)
    if node.negated:
        return None if got is None else not got
    return got


TREES: list[Node] = [
    Group(Joiner.AND, (A, B)),
    Group(Joiner.OR, (A, Condition("score", Op.GT, Decimal(1), negated=True))),
    Group(Joiner.AND, (A, Group(Joiner.OR, (B, C), negated=True))),
    Group(Joiner.OR, (Group(Joiner.AND, (A, B)), Group(Joiner.AND, (B, C), negated=True)),
          negated=True),
    Group(Joiner.AND, ()),
    Group(Joiner.OR, ()),
    Group(Joiner.AND, (Condition("score", Op.GT, Decimal(0), negated=True),), negated=True),
]


@pytest.mark.parametrize("tree", TREES)
def test_rules_combine_their_conditions_as_sql_does(tree: Node) -> None:
    index = {A: 0, B: 1, C: 2}
    answers = []
    for column in range(3):
        true = sum(1 << n for n, combo in enumerate(COMBINATIONS) if combo[column] is True)
        false = sum(1 << n for n, combo in enumerate(COMBINATIONS)
                    if combo[column] is False)
        answers.append((true, false))
    every = (1 << len(COMBINATIONS)) - 1
    true, false = incremental._test(tree, index)(answers, every)
    for n, combo in enumerate(COMBINATIONS):
        expected = kleene(tree, dict(zip((A, B, C), combo, strict=True)))
        got = True if true >> n & 1 else False if false >> n & 1 else None
        assert got == expected, (combo, expected, got)
