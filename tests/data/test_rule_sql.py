"""Dynamic-segment rules compiled to SQL (segtui/data/rules/compiler.py), on SQLite and PostgreSQL.

The semantics under test (docs in rules/compiler.py and core/rules/fields.py):
- every condition is two-valued: `!=`, `not contains` and `not (...)` are exact complements,
  so contacts with a NULL value or no company are on the negative side;
- a contact without a company is treated as having empty company fields (company, size,
  industry); NULL and blank ('  ') text are both "empty";
- text comparisons ignore case; `contains` / `starts with` take % and _ literally;
- "within the last N days" means at or after the first moment of (today + 1 day − N days),
  "older than N days" before that moment; "before D" is before D 00:00, "after D" at or
  after (D+1) 00:00;
- last_activity is the newest event of ACTION_EVENTS (not sent, not unsubscribed), empty
  when there is none; events after today count (a newest event in the future is "within");
- spent is the sum of revenue_cents of 'converted' events / 100, purchases their number;
- an event field counts events of its type, ever (future ones included) or within the
  window, which ends at the first moment of today + 1.

The clock is fixed at 2024-02-26 (tests/conftest.py), so the windows start at:
    1 day: 2024-02-26 00:00   7 days: 2024-02-20 00:00   30 days: 2024-01-28 00:00
    90 days: 2023-11-29 00:00, and all end at 2024-02-27 00:00.

The dataset is a dozen hand-made contacts placed on those edges: an event exactly at a
window's start and one a second before it, events after today, contacts without a company,
NULL and blank text, % and _ in names, conversions with cents, none or zero revenue.
Each explicit case lists the contacts it must match; a plain Python evaluator of the same
semantics agrees with every one of them, and a hypothesis property test then compares SQL
with that evaluator on random rule trees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from segtui.core.enums import (
    ACTION_EVENTS,
    CompanySize,
    EventType,
    LeadStatus,
    LifecycleStage,
    MembershipSource,
    SegmentStatus,
    SourceChannel,
)
from segtui.core.rules.fields import FIELDS_BY_KEY, FieldType, RuleField
from segtui.core.rules.language import parse
from segtui.core.rules.tree import (
    Condition,
    EventCount,
    Group,
    Joiner,
    Node,
    Op,
    SegmentRef,
    Value,
)
from segtui.data.db.engine import sqlite_url
from segtui.data.db.models import (
    Company,
    Contact,
    EngagementEvent,
    Membership,
    Segment,
    Tag,
)
from segtui.data.rules.compile_state import RuleNotCompilable
from segtui.data.rules.compiler import compile_rule
from segtui.data.store import Store
from tests.conftest import DEMO_TODAY, ENGINES, _drop_pg_database, _pg_database

TODAY = DEMO_TODAY  # 2024-02-26, the fixed clock


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# -- the dataset ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Firm:
    name: str
    size: CompanySize | None = None
    industry: str | None = None


@dataclass(frozen=True)
class Happening:
    """An engagement event."""

    type: EventType
    at: datetime
    revenue_cents: int | None = None


@dataclass(frozen=True)
class Person:
    key: str  # how the tests name the contact
    name: str
    status: LeadStatus
    score: int
    created: datetime
    email: str | None = None
    title: str | None = None
    firm: Firm | None = None
    stage: LifecycleStage | None = None
    source: SourceChannel | None = None
    city: str | None = None
    tags: tuple[str, ...] = ()
    events: tuple[Happening, ...] = ()


def opened(when: str) -> Happening:
    return Happening(EventType.OPENED, at(when))


def converted(when: str, cents: int | None) -> Happening:
    return Happening(EventType.CONVERTED, at(when), cents)


ACME = Firm("Acme Corp", CompanySize.ENTERPRISE, "Software")
GLOBEX = Firm("Globex 500", CompanySize.ENTERPRISE, "Manufacturing")

PEOPLE: tuple[Person, ...] = (
    Person(
        "ann", "Ann Archer", LeadStatus.HOT_LEAD, 90, at("2023-06-01 10:00"),
        email="ann@acme.com", title="CEO", firm=ACME, stage=LifecycleStage.CUSTOMER,
        source=SourceChannel.REFERRAL, city="Boston", tags=("VIP", "Enterprise"),
        events=(
            opened("2024-01-28 00:00:00"),  # exactly the 30-day window's first moment
            opened("2024-02-10 09:00"),
            converted("2024-02-01 10:00", 4999),
            converted("2023-12-01 10:00", 5001),  # spent 100.00, 2 purchases
        ),
    ),
    Person(
        "bob", "Bob Baker", LeadStatus.NEW, 50, at("2024-01-28 00:00:00"),
        email="BOB@Example.COM", title="Head of R&D", firm=Firm("50% Off Ltd", CompanySize.SMB),
        city="boston",
        events=(
            opened("2024-01-27 23:59:59"),  # a second before the 30-day window
            converted("2024-01-15 10:00", 4999),  # spent 49.99
        ),
    ),
    Person(
        # No company, no email, no city, no events.
        "cy", "Cy Cole", LeadStatus.CUSTOMER, 0, at("2024-01-27 23:59:59"),
        stage=LifecycleStage.ENGAGED, source=SourceChannel.DIRECT, tags=("VIP",),
    ),
    Person(
        "di", "Di Dunn", LeadStatus.NURTURING, 100, at("2024-02-26 23:00"),
        email="di@under_score.io", title="VP_Sales",
        firm=Firm("Under_Score Inc", CompanySize.MID_MARKET, "  "),
        stage=LifecycleStage.ADVOCATE, source=SourceChannel.SUBSCRIPTION, city="  ",
        tags=("Newsletter", "Promo_50%"),
        events=(
            opened("2024-02-27 00:00:00"),  # the window's end: after today
            Happening(EventType.CLICKED, at("2024-02-26 23:59:59")),  # today's last second
            converted("2024-03-01 10:00", 10000),  # in the future
        ),
    ),
    Person(
        # Only non-action events: last_activity is empty.
        "ed", "Ed Ellis", LeadStatus.COLD, 70, at("2022-01-01 00:00"),
        email="ed@underxscore.com", title="  ", firm=Firm("UnderXScore", None, "Retail"),
        stage=LifecycleStage.INACTIVE, source=SourceChannel.POST_PURCHASE, city="New York",
        tags=("Churn Risk", "Promo 50"),
        events=(
            Happening(EventType.SENT, at("2024-02-25 10:00")),
            Happening(EventType.UNSUBSCRIBED, at("2024-02-20 10:00")),
        ),
    ),
    Person(
        "fay", "Fay Ford", LeadStatus.QUALIFIED, 71, at("2023-12-31 23:59:59"),
        email="fay@acme.org", title="cto",
        firm=Firm("Acme Corporation", CompanySize.ENTERPRISE, "software"),
        stage=LifecycleStage.NEW, source=SourceChannel.REFERRAL, city="Bostonia",
        tags=("enterprise-plus",),
        events=(
            opened("2023-05-01 10:00"), opened("2023-05-02 10:00"), opened("2023-05-03 10:00"),
            converted("2023-11-29 00:00:00", 0),  # exactly the 90-day window's start
            Happening(EventType.MEETING_ATTENDED, at("2023-11-28 23:59:59")),
        ),
    ),
    Person(
        "gus", "Gus Grant", LeadStatus.HOT_LEAD, 71, at("2024-01-01 00:00:00"),
        email="", firm=ACME, stage=LifecycleStage.ENGAGED, source=SourceChannel.DIRECT,
        city="Chicago", tags=("VIP", "Newsletter"),
        events=(
            opened("2024-02-26 12:00"),
            opened("2024-02-20 00:00:00"),  # exactly the 7-day window's start
            Happening(EventType.CLICKED, at("2024-02-19 23:59:59")),  # a second before it
            converted("2024-02-15 10:00", 4999),
            converted("2024-02-16 10:00", 1),  # spent 50.00
            Happening(EventType.RESPONDED, at("2024-01-27 23:59:59")),
        ),
    ),
    Person(
        "hal", "Hal Hill", LeadStatus.NEW, 69, at("2024-02-01 12:00"),
        email="hal@pure.com", firm=Firm("100% Pure", CompanySize.SMB, "Food"), city="Chicago",
        events=(Happening(EventType.MEETING_ATTENDED, at("2023-11-28 23:59:59")),),
    ),
    Person(
        # A company whose name is blank and whose size and industry are NULL.
        "ivy", "Ivy Irwin", LeadStatus.QUALIFIED, 55, at("2023-01-15 09:00"),
        email="  ", firm=Firm("   "), stage=LifecycleStage.CUSTOMER,
        source=SourceChannel.SUBSCRIPTION, city="Springfield", tags=("Enterprise",),
        events=(
            Happening(EventType.RESPONDED, at("2024-02-25 10:00")),
            Happening(EventType.CLICKED, at("2024-02-25 11:00")),
        ),
    ),
    Person(
        "jo", "Jo Jones", LeadStatus.CUSTOMER, 85, at("2023-11-29 00:00:00"),
        email="jo@acme.com", stage=LifecycleStage.ADVOCATE, source=SourceChannel.POST_PURCHASE,
        city="BOSTON", tags=("Newsletter", "Churn Risk"),
        events=(
            opened("2024-02-01 10:00"), opened("2024-02-02 10:00"), opened("2024-02-03 10:00"),
            converted("2024-02-05 10:00", 20000),
        ),
    ),
    Person(
        "kim", "Kim King", LeadStatus.COLD, 40, at("2023-11-28 23:59:59"),
        email="kim@example.com", title="Ops\\Admin", firm=GLOBEX, source=SourceChannel.REFERRAL,
        city="Springfield",
        events=(
            Happening(EventType.CLICKED, at("2023-01-01 10:00")),
            converted("2022-06-01 10:00", None),  # no revenue recorded: 1 purchase, 0.00
        ),
    ),
    Person(
        "lee", "Lee Long", LeadStatus.NURTURING, 71, at("2024-02-25 00:00"),
        email="lee@globex.com", firm=GLOBEX, stage=LifecycleStage.ENGAGED,
        source=SourceChannel.SUBSCRIPTION, city="Austin", tags=("VIP", "Promo 50"),
        events=(
            opened("2024-02-25 08:00"),
            opened("2024-02-26 00:00:00"),  # exactly the 1-day window's start
            converted("2024-02-26 00:00:00", 1),  # spent 0.01
        ),
    ),
)
BY_KEY = {p.key: p for p in PEOPLE}
EVERYONE = frozenset(BY_KEY)

# Static segments for "in segment": current members; Prospects also had bob once.
SEGMENTS: dict[str, tuple[str, ...]] = {
    "Prospects": ("ann", "cy", "ed"),
    "Others": ("fay", "bob"),
    "Nobody": (),
}
PAST_STAYS: dict[str, tuple[str, ...]] = {"Prospects": ("bob",)}


@dataclass(frozen=True)
class Loaded:
    """The dataset in a database."""

    store: Store
    ids: dict[str, int]  # person key -> contact id
    keys: dict[int, str]  # contact id -> person key
    segments: dict[str, int]  # segment name -> id

    def members(self) -> dict[int, frozenset[str]]:
        """Current members of each segment, by segment id (for the Python evaluator)."""
        return {self.segments[name]: frozenset(keys) for name, keys in SEGMENTS.items()}


def load(store: Store) -> Loaded:
    created = at("2024-01-01 12:00")
    with store.orm_session() as session:
        firms: dict[Firm, Company] = {}
        tags: dict[str, Tag] = {}
        contacts: dict[str, Contact] = {}
        for person in PEOPLE:
            company = None
            if person.firm is not None:
                firm = person.firm
                company = firms.setdefault(
                    firm, Company(name=firm.name, size=firm.size, industry=firm.industry))
            contact = Contact(
                name=person.name, email=person.email, title=person.title, company=company,
                lead_status=person.status, lifecycle_stage=person.stage, source=person.source,
                city=person.city, quality_score=person.score, created_at=person.created,
                tags=[tags.setdefault(t, Tag(name=t)) for t in person.tags],
            )
            session.add(contact)
            contacts[person.key] = contact
        session.flush()
        for person in PEOPLE:
            session.add_all(
                EngagementEvent(contact_id=contacts[person.key].id, type=e.type,
                                occurred_at=e.at, revenue_cents=e.revenue_cents)
                for e in person.events
            )
        segments: dict[str, int] = {}
        for name, keys in SEGMENTS.items():
            segment = Segment(name=name, status=SegmentStatus.ACTIVE, created_at=created,
                              updated_at=created)
            session.add(segment)
            session.flush()
            segments[name] = segment.id
            session.add_all(
                Membership(segment_id=segment.id, contact_id=contacts[k].id,
                           source=MembershipSource.MANUAL, added_at=created)
                for k in keys
            )
            session.add_all(
                Membership(segment_id=segment.id, contact_id=contacts[k].id,
                           source=MembershipSource.MANUAL, added_at=created,
                           removed_at=at("2024-02-01 12:00"))
                for k in PAST_STAYS.get(name, ())
            )
        ids = {key: c.id for key, c in contacts.items()}
    return Loaded(store, ids, {i: k for k, i in ids.items()}, segments)


@pytest.fixture(scope="module", params=ENGINES)
def data(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Loaded]:
    """The dataset on each engine, built once per module: these tests only read."""
    if request.param == "sqlite":
        store = Store.open(sqlite_url(tmp_path_factory.mktemp("rules") / "rules.db"))
        yield load(store)
        store.close()
        return
    admin = request.getfixturevalue("pg_admin")
    url = _pg_database(admin)
    store = Store.open(url)
    yield load(store)
    store.close()
    _drop_pg_database(admin, url)


# -- the plain Python evaluator ----------------------------------------------------------------


def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min)


def window_start(today: date, days: int) -> datetime:
    return start_of(today + timedelta(days=1)) - timedelta(days=days)


def _text_of(person: Person, key: str) -> str | None:
    firm = person.firm
    values: dict[str, Callable[[], str | None]] = {
        "name": lambda: person.name,
        "email": lambda: person.email,
        "title": lambda: person.title,
        "city": lambda: person.city,
        # No company: every company field is empty.
        "company": lambda: firm.name if firm else None,
        "industry": lambda: firm.industry if firm else None,
    }
    return values[key]()


def _choice_of(person: Person, key: str) -> str | None:
    values: dict[str, str | None] = {
        "status": person.status,
        "stage": person.stage,
        "source": person.source,
        "size": person.firm.size if person.firm else None,
    }
    return values[key]


def _number_of(person: Person, key: str) -> Decimal:
    conversions = [e for e in person.events if e.type is EventType.CONVERTED]
    if key == "score":
        return Decimal(person.score)
    if key == "purchases":
        return Decimal(len(conversions))
    assert key == "spent"
    return Decimal(sum(e.revenue_cents or 0 for e in conversions)) / 100


def _moment_of(person: Person, key: str) -> datetime | None:
    if key == "created":
        return person.created
    assert key == "last_activity"
    return max((e.at for e in person.events if e.type in ACTION_EVENTS), default=None)


def _compare(left: Decimal, op: Op, value: Value) -> bool:
    if op is Op.BETWEEN:
        assert isinstance(value, tuple)
        low, high = value
        assert isinstance(low, Decimal) and isinstance(high, Decimal)
        return low <= left <= high
    assert isinstance(value, Decimal | int)
    right = Decimal(value)
    return {
        Op.EQ: left == right, Op.NE: left != right, Op.GT: left > right,
        Op.LT: left < right, Op.GE: left >= right, Op.LE: left <= right,
    }[op]


def _text_holds(raw: str | None, op: Op, value: Value) -> bool:
    text = (raw or "").casefold()
    if op is Op.EMPTY:
        return text.strip() == ""
    if op is Op.NOT_EMPTY:
        return text.strip() != ""
    if op is Op.ONE_OF:
        assert isinstance(value, tuple)
        return text in {str(v).casefold() for v in value}
    wanted = str(value).casefold()
    return {
        Op.EQ: text == wanted, Op.NE: text != wanted, Op.CONTAINS: wanted in text,
        Op.NOT_CONTAINS: wanted not in text, Op.STARTS_WITH: text.startswith(wanted),
    }[op]


def _choice_holds(raw: str | None, op: Op, value: Value) -> bool:
    if op is Op.EMPTY:
        return raw is None
    if op is Op.NOT_EMPTY:
        return raw is not None
    if op is Op.ONE_OF:
        assert isinstance(value, tuple)
        return raw in value
    return raw == value if op is Op.EQ else raw != value


def _tags_hold(tags: tuple[str, ...], op: Op, value: Value) -> bool:
    names = {t.casefold() for t in tags}
    if op is Op.EMPTY:
        return not names
    if op is Op.NOT_EMPTY:
        return bool(names)
    if op is Op.ONE_OF:
        assert isinstance(value, tuple)
        return bool(names & {str(v).casefold() for v in value})
    wanted = str(value).casefold()
    if op is Op.CONTAINS:
        return any(wanted in n for n in names)
    return (wanted in names) if op is Op.EQ else (wanted not in names)


def _date_holds(moment: datetime | None, op: Op, value: Value, today: date) -> bool:
    if op is Op.EMPTY:
        return moment is None
    if op is Op.NOT_EMPTY:
        return moment is not None
    if moment is None:
        return False  # no activity is neither before nor after anything
    if op is Op.BEFORE:
        assert isinstance(value, date)
        return moment < start_of(value)
    if op is Op.AFTER:
        assert isinstance(value, date)
        return moment >= start_of(value + timedelta(days=1))
    assert isinstance(value, Decimal)
    start = window_start(today, int(value))
    return moment >= start if op is Op.WITHIN else moment < start


def _event_count(person: Person, field: RuleField, value: EventCount, today: date) -> int:
    times = [e.at for e in person.events if e.type is field.event]
    if value.days is not None:
        start, end = window_start(today, value.days), start_of(today + timedelta(days=1))
        times = [t for t in times if start <= t < end]
    return len(times)


def holds(node: Node, person: Person, today: date,
          members: dict[int, frozenset[str]]) -> bool:
    """Whether `person` matches `node` (a checked tree), by the documented semantics."""
    if isinstance(node, Group):
        results = [holds(c, person, today, members) for c in node.children]
        result = all(results) if node.joiner is Joiner.AND else any(results)
    else:
        result = _condition_holds(node, person, today, members)
    return not result if node.negated else result


def _condition_holds(cond: Condition, person: Person, today: date,
                     members: dict[int, frozenset[str]]) -> bool:
    field = FIELDS_BY_KEY[cond.field]
    op, value = cond.op, cond.value
    if field.type is FieldType.TEXT:
        return _text_holds(_text_of(person, field.key), op, value)
    if field.type is FieldType.CHOICE:
        return _choice_holds(_choice_of(person, field.key), op, value)
    if field.type is FieldType.TAGS:
        return _tags_hold(person.tags, op, value)
    if field.type in (FieldType.NUMBER, FieldType.MONEY):
        return _compare(_number_of(person, field.key), op, value)
    if field.type is FieldType.DATE:
        return _date_holds(_moment_of(person, field.key), op, value, today)
    if field.type is FieldType.EVENT:
        assert isinstance(value, EventCount)
        count = _event_count(person, field, value, today)
        return _compare(Decimal(count), op, Decimal(value.count))
    assert field.type is FieldType.SEGMENT and isinstance(value, SegmentRef)
    assert value.id is not None
    return person.key in members[value.id]


def python_matches(data: Loaded, tree: Node, today: date = TODAY) -> set[str]:
    members = data.members()
    return {p.key for p in PEOPLE if holds(tree, p, today, members)}


# -- SQL helpers -----------------------------------------------------------------------------


def sql_matches(data: Loaded, tree: Node, today: date = TODAY) -> set[str]:
    """The contacts the compiled condition selects, by key; the plan for a few contacts
    (the incremental refresh's) must select exactly the same ones."""
    with data.store.reading() as conn:
        ids = set(conn.execute(select(Contact.id).where(compile_rule(tree, today))).scalars())
        few = set(conn.execute(select(Contact.id).where(
            compile_rule(tree, today, few_contacts=True))).scalars())
        assert few == ids
        return {data.keys[i] for i in ids}


def checked(data: Loaded, text: str) -> Node:
    """The parsed rule as the Store saves it: canonical, segment names resolved."""
    tree, issues = data.store.rules.check_rule(parse(text))
    assert issues == [], issues
    return tree


def expect(data: Loaded, rule: str, expected: str) -> None:
    """`rule` matches exactly the contacts named in `expected` (space-separated keys), by
    SQL and by Store.rules.rule_count; the Python evaluator agrees (it is what the property test
    trusts)."""
    wanted = set(expected.split())
    assert wanted <= EVERYONE
    tree = checked(data, rule)
    assert sql_matches(data, tree) == wanted
    assert data.store.rules.rule_count(tree) == len(wanted)
    assert python_matches(data, tree) == wanted


Case = tuple[str, str]  # (rule, the keys of the contacts it matches)


def cases(*pairs: Case) -> pytest.MarkDecorator:
    return pytest.mark.parametrize(("rule", "expected"), pairs, ids=[r for r, _ in pairs])


# -- choice fields ---------------------------------------------------------------------------


@cases(
    ('status = "Hot Lead"', "ann gus"),
    ('status = "hot LEAD"', "ann gus"),  # choice values are matched ignoring case
    ('status != "Hot Lead"', "bob cy di ed fay hal ivy jo kim lee"),
    ("status in (New, cold)", "bob ed hal kim"),
    ("status is empty", ""),  # lead status is never NULL
    ("status is not empty", "ann bob cy di ed fay gus hal ivy jo kim lee"),
)
def test_status(data: Loaded, rule: str, expected: str) -> None:
    expect(data, rule, expected)


@cases(
    ("stage = Engaged", "cy gus lee"),
    # NULL stage is "not Engaged": the complement is exact.
    ("stage != Engaged", "ann bob di ed fay hal ivy jo kim"),
    ("stage in (Customer, advocate)", "ann di ivy jo"),
    ("stage is empty", "bob hal kim"),
    ("stage is not empty", "ann cy di ed fay gus ivy jo lee"),
    ("not stage = Engaged", "ann bob di ed fay hal ivy jo kim"),
)
def test_stage(data: Loaded, rule: str, expected: str) -> None:
    expect(data, rule, expected)


@cases(
    ("source = referral", "ann fay kim"),
    ("source != referral", "bob cy di ed gus hal ivy jo lee"),
    ("source in (direct, subscription)", "cy di gus ivy lee"),
    ("source is empty", "bob hal"),
    ("source is not empty", "ann cy di ed fay gus ivy jo kim lee"),
)
def test_source(data: Loaded, rule: str, expected: str) -> None:
    expect(data, rule, expected)


@cases(
    ("size = Enterprise", "ann fay gus kim lee"),
    # No company (cy, jo) or a company without a size (ed, ivy): not Enterprise.
    ("size != Enterprise", "bob cy di ed hal ivy jo"),
    ("size in (SMB, mid-market)", "bob di hal"),
    ("size is empty", "cy ed ivy jo"),
    ("size is not empty", "ann bob di fay gus hal kim lee"),
)
def test_company_size(data: Loaded, rule: str, expected: str) -> None:
    expect(data, rule, expected)


# -- text fields -------------------------------------------------------------------------------


@cases(
    ("city = boston", "ann bob jo"),  # Boston, boston, BOSTON
    ("city = BOSTON", "ann bob jo"),
    ('city != "Boston"', "cy di ed fay gus hal ivy kim lee"),  # NULL and blank too
    ("city contains BOST", "ann bob fay jo"),
    ("city not contains bost", "cy di ed gus hal ivy kim lee"),
    ('city starts with "new"', "ed"),
    ("city in (chicago, AUSTIN)", "gus hal lee"),
    ("city is empty", "cy di"),  # NULL and '  '
    ("city is not empty", "ann bob ed fay gus hal ivy jo kim lee"),
)
def test_city(data: Loaded, rule: str, expected: str) -> None:
    expect(data, rule, expected)


@cases(
    ('company = "acme corp"', "ann gus"),
    # Without a company (cy, jo) a contact is "not at Acme Corp".
    ('company != "ACME CORP"', "bob cy di ed fay hal ivy jo kim lee"),
    ("company starts with acme", "ann fay gus"),
    ("company contains acme", "ann fay gus"),
    ("company not contains acme", "bob cy di ed hal ivy jo kim lee"),
    # % and _ are literal: "0%" is not "a 0 then anything" (Globex 500), "r_s" is not
    # "r, any character, s" (UnderXScore).
    ('company contains "0%"', "bob hal"),
    ("company contains r_s", "di"),
    ("company starts with under_", "di"),
    ('company starts with "%"', ""),
    ('company in ("globex 500", "Acme Corporation")', "fay kim lee"),
    ("company is empty", "cy ivy jo"),  # no company, or a blank name
    ("company is not empty", "ann bob di ed fay gus hal kim lee"),
)
def test_company(data: Loaded, rule: str, expected: str) -> None:
    expect(data, rule, expected)


@cases(
    ("industry = software", "ann fay gus"),  # Software, software
    ("industry != SOFTWARE", "bob cy di ed hal ivy jo kim lee"),
    ("industry contains ware", "ann fay gus"),
    ("industry not contains ware", "bob cy di ed hal ivy jo kim lee"),
    ("industry starts with f", "hal"),
    ("industry in (retail, food)", "ed hal"),
    # NULL (bob, ivy), blank (di), no company (cy, jo).
    ("industry is empty", "bob cy di ivy jo"),
    ("industry is not empty", "ann ed fay gus hal kim lee"),
)
def test_industry(data: Loaded, rule: str, expected: str) -> None:
    expect(data, rule, expected)


@cases(
    ("email = bob@example.com", "bob"),  # stored as BOB@Example.COM
    ("email != BOB@EXAMPLE.COM", "ann cy di ed fay gus hal ivy jo kim lee"),
    ("email contains @acme.", "ann fay jo"),
    ("email not contains @acme.", "bob cy di ed gus hal ivy kim lee"),
    ("email contains r_s", "di"),  # not ed@underxscore.com
    ("email starts with KIM", "kim"),
    ("email in (ann@acme.com, HAL@PURE.COM)", "ann hal"),
    ("email is empty", "cy gus ivy"),  # NULL, '' and '  '
    ("email is not empty", "ann bob di ed fay hal jo kim lee"),
)
def test_email(data: Loaded, rule: str, expected: str) -> None:
    expect(data, rule, expected)


@cases(
    ('name starts with "ann "', "ann"),
    ("name contains LL", "ed hal"),  # Ed Ellis, Hal Hill
    ("title contains _", "di"),
    ('title contains "\\\\"', "kim"),  # a backslash is literal too
    ("title is empty", "cy ed gus hal ivy jo lee"),
)
def test_name_and_title(data: Loaded, rule: str, expected: str) -> None:
    expect(data, rule, expected)


# -- tags --------------------------------------------------------------------------------------


@cases(
    ("tag = vip", "ann cy gus lee"),
    ("tag != VIP", "bob di ed fay hal ivy jo kim"),
    ('tag in (newsletter, "CHURN RISK")', "di ed gus jo"),
    ("tag contains enterprise", "ann fay ivy"),  # Enterprise, enterprise-plus
    ("tag contains o_5", "di"),  # Promo_50%, not "Promo 50"
    ('tag contains "50%"', "di"),
    ("tag is empty", "bob hal kim"),
    ("tag is not empty", "ann cy di ed fay gus ivy jo lee"),
)
def test_tags(data: Loaded, rule: str, expected: str) -> None:
    expect(data, rule, expected)


# -- numbers -----------------------------------------------------------------------------------


@cases(
    ("score > 70", "ann di fay gus jo lee"),
    ("score >= 70", "ann di ed fay gus jo lee"),
    ("score = 71", "fay gus lee"),
    ("score != 71", "ann bob cy di ed hal ivy jo kim"),
    ("score < 50", "cy kim"),
    ("score <= 0", "cy"),
    ("score between 69 and 71", "ed fay gus hal lee"),
    ("score between 100 and 100", "di"),
    ("score > 70.5", "ann di fay gus jo lee"),  # a decimal bound on an integer column
    ("score < 69.5", "bob cy hal ivy kim"),
)
def test_score(data: Loaded, rule: str, expected: str) -> None:
    expect(data, rule, expected)


@cases(
    # ann 100.00, bob 49.99, di 100.00 (a future conversion), fay 0.00 (revenue 0),
    # gus 50.00 (49.99 + 0.01), jo 200.00, lee 0.01, kim 0.00 (no revenue recorded); the
    # others never converted.
    ("spent = 49.99", "bob"),
    ("spent > 49.99", "ann di gus jo"),
    ("spent >= 50", "ann di gus jo"),
    ("spent < 50", "bob cy ed fay hal ivy kim lee"),
    ("spent = 0", "cy ed fay hal ivy kim"),
    ("spent != 0", "ann bob di gus jo lee"),
    ("spent between 0.01 and 50", "bob gus lee"),
    ("spent between 49.99 and 49.99", "bob"),
    ("spent <= 0.01", "cy ed fay hal ivy kim lee"),
    ("spent = 100", "ann di"),
    ("spent > $199.99", "jo"),
)
def test_spent(data: Loaded, rule: str, expected: str) -> None:
    expect(data, rule, expected)


@cases(
    ("purchases = 0", "cy ed hal ivy"),
    ("purchases >= 2", "ann gus"),
    ("purchases between 1 and 1", "bob di fay jo kim lee"),
    ("purchases != 1", "ann cy ed gus hal ivy"),
    ("purchases < 1.5", "bob cy di ed fay hal ivy jo kim lee"),
)
def test_purchases(data: Loaded, rule: str, expected: str) -> None:
    expect(data, rule, expected)


# -- dates -------------------------------------------------------------------------------------


@cases(
    # created: ann 2023-06-01, bob 2024-01-28 00:00 (the 30-day start), cy one second
    # before it, di today 23:00, ed 2022, fay 2023-12-31 23:59:59, gus 2024-01-01 00:00,
    # hal 2024-02-01, ivy 2023-01-15, jo 2023-11-29 00:00 (the 90-day start), kim a second
    # before it, lee 2024-02-25.
    ("created within 30d", "bob di hal lee"),
    ("created older than 30d", "ann cy ed fay gus ivy jo kim"),
    ("created within 90d", "bob cy di fay gus hal jo lee"),
    ("created older than 90d", "ann ed ivy kim"),
    ("created within 1d", "di"),
    ("created before 2024-01-01", "ann ed fay ivy jo kim"),  # gus at 00:00 is not before
    ("created after 2023-12-31", "bob cy di gus hal lee"),  # fay at 23:59:59 is not after
    ("created after 2024-02-26", ""),
    ("created is empty", ""),
    ("created is not empty", "ann bob cy di ed fay gus hal ivy jo kim lee"),
)
def test_created(data: Loaded, rule: str, expected: str) -> None:
    expect(data, rule, expected)


@cases(
    # The newest action (opened, clicked, responded, meeting, converted): ann 2024-02-10,
    # bob 2024-01-27 23:59:59, di 2024-03-01 (future), fay 2023-11-29 00:00, gus today noon,
    # hal 2023-11-28 23:59:59, ivy 2024-02-25, jo 2024-02-05, kim 2023-01-01, lee today
    # 00:00; cy has no event and ed only sent / unsubscribed.
    ("last_activity within 30d", "ann di gus ivy jo lee"),
    ("last_activity older than 30d", "bob fay hal kim"),  # never active is not "older"
    ("last_activity within 90d", "ann bob di fay gus ivy jo lee"),
    ("last_activity older than 90d", "hal kim"),
    ("last_activity within 1d", "di gus lee"),
    ("last_activity before 2024-02-26", "ann bob fay hal ivy jo kim"),
    ("last_activity before 2023-11-29", "hal kim"),
    ("last_activity after 2024-02-26", "di"),
    ("last_activity after 2024-02-25", "di gus lee"),
    ("last_activity is empty", "cy ed"),
    ("last_activity is not empty", "ann bob di fay gus hal ivy jo kim lee"),
    ("not last_activity within 30d", "bob cy ed fay hal kim"),
)
def test_last_activity(data: Loaded, rule: str, expected: str) -> None:
    expect(data, rule, expected)


# -- engagement facts --------------------------------------------------------------------------


@cases(
    # opened: ann at the 30-day start and on 02-10; bob a second before the 30-day start;
    # di at 2024-02-27 00:00 (after today); fay three times in 2023-05; gus today and at the
    # 7-day start; jo three times in February; lee 02-25 and at the 1-day start.
    ("opened within 30d >= 1", "ann gus jo lee"),
    ("opened >= 2", "ann fay gus jo lee"),
    ("opened within 30d = 0", "bob cy di ed fay hal ivy kim"),
    ("opened > 0", "ann bob di fay gus jo lee"),  # ever: di's future open counts
    ("opened < 2", "bob cy di ed hal ivy kim"),
    ("opened within 30d > 0", "ann gus jo lee"),
    ("opened within 30d < 2", "bob cy di ed fay hal ivy kim"),
    ("opened within 30d >= 3", "jo"),
    ("opened within 30d <= 1", "bob cy di ed fay hal ivy kim"),
    ("opened within 7d >= 2", "gus lee"),
    ("opened within 1d = 1", "gus lee"),
    ("opened != 3", "ann bob cy di ed gus hal ivy kim lee"),
    ("opened = 0", "cy ed hal ivy kim"),
    ("opened >= 0", "ann bob cy di ed fay gus hal ivy jo kim lee"),
    ("opened < 0", ""),
    ("opened <= 0", "cy ed hal ivy kim"),
    ("opened != 0", "ann bob di fay gus jo lee"),
)
def test_opened(data: Loaded, rule: str, expected: str) -> None:
    expect(data, rule, expected)


@cases(
    ("clicked within 7d >= 1", "di ivy"),  # di today 23:59:59; gus a second too early
    ("clicked >= 1", "di gus ivy kim"),
    ("responded within 30d >= 1", "ivy"),  # gus a second before the window
    ("meeting within 90d >= 1", ""),
    ("meeting >= 1", "fay hal"),
    ("converted within 30d >= 1", "ann gus jo lee"),  # not di's future one
    ("converted within 30d >= 2", "gus"),
    ("converted = 1", "bob di fay jo kim lee"),
    ("unsubscribed within 7d >= 1", "ed"),
    ("unsubscribed = 0", "ann bob cy di fay gus hal ivy jo kim lee"),
)
def test_other_events(data: Loaded, rule: str, expected: str) -> None:
    expect(data, rule, expected)


# -- other segments ------------------------------------------------------------------------


@cases(
    ('in segment "Prospects"', "ann cy ed"),  # bob's past stay does not count
    ('not in segment "Prospects"', "bob di fay gus hal ivy jo kim lee"),
    ('in segment "prospects"', "ann cy ed"),  # names ignore case
    ('in segment "Nobody"', ""),
    ('not in segment "Nobody"', "ann bob cy di ed fay gus hal ivy jo kim lee"),
    ('in segment "Prospects" or in segment "Others"', "ann bob cy ed fay"),
)
def test_in_segment(data: Loaded, rule: str, expected: str) -> None:
    expect(data, rule, expected)


def test_segment_reference_is_resolved_to_the_id(data: Loaded) -> None:
    tree = checked(data, 'in segment "prospects"')
    assert isinstance(tree, Group)
    [cond] = tree.children
    assert isinstance(cond, Condition)
    assert cond.value == SegmentRef("Prospects", data.segments["Prospects"])


# -- groups ----------------------------------------------------------------------------------


@cases(
    ('status = "Hot Lead" and (score > 80 or tag = Newsletter)', "ann gus"),
    ("city = boston or company starts with acme", "ann bob fay gus jo"),
    ("not (city = boston or company starts with acme)", "cy di ed hal ivy kim lee"),
    ("not (score > 70 and not tag = vip)", "ann bob cy ed gus hal ivy kim lee"),
    ("(stage is empty or not source = referral) and not in segment Prospects",
     "bob di gus hal ivy jo kim lee"),
    ("not (not (opened within 30d >= 1) and not (spent > 0))", "ann bob di gus jo lee"),
    ("score > 70 and not (company = \"acme corp\" or (tag = vip and not city = boston))",
     "di fay jo"),
    ("size = SMB or size is empty or (industry = software and not status = \"Hot Lead\")",
     "bob cy ed fay hal ivy jo"),
)
def test_groups(data: Loaded, rule: str, expected: str) -> None:
    expect(data, rule, expected)


def test_empty_groups(data: Loaded) -> None:
    """An empty AND holds for everyone, an empty OR for no one; negation flips both."""
    assert sql_matches(data, Group(Joiner.AND)) == set(EVERYONE)
    assert sql_matches(data, Group(Joiner.OR)) == set()
    assert sql_matches(data, Group(Joiner.AND, negated=True)) == set()
    assert sql_matches(data, Group(Joiner.OR, negated=True)) == set(EVERYONE)


def test_rule_sample_in_name_order(data: Loaded) -> None:
    tree = checked(data, "score > 70")
    assert data.store.rules.rule_sample(tree, limit=3) == [
        (data.ids["ann"], "Ann Archer"), (data.ids["di"], "Di Dunn"),
        (data.ids["fay"], "Fay Ford"),
    ]


def test_unresolved_or_unknown_is_not_compiled() -> None:
    with pytest.raises(RuleNotCompilable):
        compile_rule(parse('in segment "Prospects"'), TODAY)  # not checked: no id
    with pytest.raises(RuleNotCompilable):
        compile_rule(Group(children=(Condition("shoe_size", Op.EQ, "42"),)), TODAY)


def test_windows_move_with_today(data: Loaded) -> None:
    """The same rules on the next day: ann's open at the old window start drops out, di's
    open at 2024-02-27 00:00 comes in."""
    tomorrow = TODAY + timedelta(days=1)
    for rule, today, expected in (
        ("opened within 30d >= 2", TODAY, {"ann", "gus", "jo", "lee"}),
        ("opened within 30d >= 2", tomorrow, {"gus", "jo", "lee"}),
        ("opened within 30d >= 1", tomorrow, {"ann", "di", "gus", "jo", "lee"}),
    ):
        tree = checked(data, rule)
        assert sql_matches(data, tree, today) == expected
        assert python_matches(data, tree, today) == expected


# -- property: SQL equals the Python evaluator on random trees --------------------------------

MISSES = ("zzz", "%", "_", "0%", "r_s", "o_5", "\\", "x%y", "a_b")


# ASCII case changes only: Unicode case folding differs between the engines (documented).
_CASES: tuple[Callable[[str], str], ...] = (str, str.upper, str.lower, str.swapcase)


def _cased(pool: list[str] | tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.builds(lambda change, text: change(text), st.sampled_from(_CASES),
                     st.sampled_from(pool))


def _text_pool(values: list[str | None]) -> st.SearchStrategy[str]:
    """Values of a field in the dataset (drawn half the time), their beginnings, middles
    and ends, and misses; in any ASCII case."""
    full = sorted({v for v in values if v and v.strip()})
    parts = {part for v in full for part in (v[:4], v[-3:], v[1:5])}
    others = sorted(p for p in parts | set(MISSES) if p.strip())
    return st.one_of(_cased(full), _cased(others))


TEXT_FIELDS = ("city", "company", "industry", "email", "name", "title")
TEXT_POOLS: dict[str, st.SearchStrategy[str]] = {
    key: _text_pool([_text_of(p, key) for p in PEOPLE]) for key in TEXT_FIELDS
}
TAG_POOL = _text_pool([t for p in PEOPLE for t in p.tags])
CHOICE_FIELDS = ("status", "stage", "source", "size")
DATE_FIELDS = ("created", "last_activity")
EVENT_FIELDS = ("opened", "clicked", "responded", "meeting", "converted", "unsubscribed")
DAYS = (1, 2, 7, 29, 30, 31, 89, 90, 91, 365, 1000)
# Every day an event or a creation happened, and the days either side.
DATES = sorted({
    moment.date() + timedelta(days=k)
    for p in PEOPLE for moment in (p.created, *(e.at for e in p.events))
    for k in (-1, 0, 1)
})
NUMBERS: dict[str, tuple[str, ...]] = {
    "score": ("-1", "0", "40", "50", "55", "69", "69.5", "70", "71", "85", "90", "100", "101"),
    "spent": ("0", "0.01", "0.02", "49.98", "49.99", "50", "50.01", "100", "199.99", "200",
              "1000"),
    "purchases": ("0", "1", "2", "3", "1.5"),
}
SEGMENT_NAMES = (*SEGMENTS, "prospects")


def _one_of_values(values: st.SearchStrategy[str]) -> st.SearchStrategy[Value]:
    return st.lists(values, min_size=1, max_size=3).map(tuple)


def _condition(key: str, op: Op, value: Value) -> Condition:
    return Condition(key, op, value)


def _text_conditions(key: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[Condition]:
    single: tuple[Op, ...] = (Op.EQ, Op.NE, Op.CONTAINS, Op.NOT_CONTAINS, Op.STARTS_WITH)
    if key == "tag":
        single = (Op.EQ, Op.NE, Op.CONTAINS)
    return st.one_of(
        st.builds(_condition, st.just(key), st.sampled_from(single), values),
        st.builds(_condition, st.just(key), st.just(Op.ONE_OF), _one_of_values(values)),
        st.builds(_condition, st.just(key), st.sampled_from((Op.EMPTY, Op.NOT_EMPTY)),
                  st.none()),
    )


def _choice_conditions(key: str) -> st.SearchStrategy[Condition]:
    values = _cased(FIELDS_BY_KEY[key].choices)
    return st.one_of(
        st.builds(_condition, st.just(key), st.sampled_from((Op.EQ, Op.NE)), values),
        st.builds(_condition, st.just(key), st.just(Op.ONE_OF), _one_of_values(values)),
        st.builds(_condition, st.just(key), st.sampled_from((Op.EMPTY, Op.NOT_EMPTY)),
                  st.none()),
    )


def _between(pair: tuple[str, str]) -> Value:
    low, high = sorted(pair, key=Decimal)
    return (low, high)


def _number_conditions(key: str) -> st.SearchStrategy[Condition]:
    values = st.sampled_from(NUMBERS[key])
    comparisons = (Op.EQ, Op.NE, Op.GT, Op.LT, Op.GE, Op.LE)
    return st.one_of(
        st.builds(_condition, st.just(key), st.sampled_from(comparisons), values),
        st.builds(_condition, st.just(key), st.just(Op.BETWEEN),
                  st.tuples(values, values).map(_between)),
    )


def _date_conditions(key: str) -> st.SearchStrategy[Condition]:
    days: st.SearchStrategy[Value] = st.sampled_from(DAYS).map(Decimal)
    dates: st.SearchStrategy[Value] = st.sampled_from(DATES)
    return st.one_of(
        st.builds(_condition, st.just(key), st.sampled_from((Op.BEFORE, Op.AFTER)), dates),
        st.builds(_condition, st.just(key), st.sampled_from((Op.WITHIN, Op.OLDER)), days),
        st.builds(_condition, st.just(key), st.sampled_from((Op.EMPTY, Op.NOT_EMPTY)),
                  st.none()),
    )


def _event_conditions(key: str) -> st.SearchStrategy[Condition]:
    counts: st.SearchStrategy[Value] = st.builds(
        EventCount, st.integers(0, 3), st.none() | st.sampled_from(DAYS))
    ops = (Op.GE, Op.GT, Op.EQ, Op.NE, Op.LT, Op.LE)
    return st.builds(_condition, st.just(key), st.sampled_from(ops), counts)


def _segment_conditions() -> st.SearchStrategy[Condition]:
    refs: st.SearchStrategy[Value] = st.sampled_from(SEGMENT_NAMES).map(SegmentRef)
    return st.builds(_condition, st.just("segment"), st.just(Op.IN_SEGMENT), refs)


def _negatable(conditions: st.SearchStrategy[Condition]) -> st.SearchStrategy[Node]:
    return st.builds(lambda c, negated: Condition(c.field, c.op, c.value, negated),
                     conditions, st.booleans())


CONDITIONS: st.SearchStrategy[Node] = _negatable(st.one_of(
    *(_text_conditions(k, TEXT_POOLS[k]) for k in TEXT_FIELDS),
    _text_conditions("tag", TAG_POOL),
    *(_choice_conditions(k) for k in CHOICE_FIELDS),
    *(_number_conditions(k) for k in NUMBERS),
    *(_date_conditions(k) for k in DATE_FIELDS),
    *(_event_conditions(k) for k in EVENT_FIELDS),
    _segment_conditions(),
))


def _groups(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Group]:
    return st.builds(Group, st.sampled_from(Joiner),
                     st.lists(children, min_size=1, max_size=4).map(tuple), st.booleans())


def _nodes(levels: int) -> st.SearchStrategy[Node]:
    """A condition, or a group nesting at most `levels` deep."""
    if levels == 0:
        return CONDITIONS
    return st.one_of(CONDITIONS, _groups(_nodes(levels - 1)))


RULES: st.SearchStrategy[Group] = _groups(_nodes(2))  # depth <= 3


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rule=RULES)
def test_sql_equals_python_evaluation(data: Loaded, rule: Group) -> None:
    tree, issues = data.store.rules.check_rule(rule)
    assert issues == [], issues
    expected = python_matches(data, tree)
    assert sql_matches(data, tree) == expected
    assert data.store.rules.rule_count(tree) == len(expected)
