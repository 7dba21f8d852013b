"""The forms P8 rewrote for speed select exactly the contacts they did, on both
engines (data/rules/compiler.py, docs/rules.md "How a rule becomes a fast query"):

- an event count (`clicked >= 3`) is a list of the contacts whose count passes, grouped
  once, where it was a correlated count per contact; a test that holds for a count of 0
  (`< 3`, `!= 2`) is everyone except those whose count fails it;
- email tests read `email_key` (the email trimmed and case-folded) where outer spaces can't
  change the answer, and the email itself for contacts without a key;
- SQLite folds ASCII text with its own lower() and only the rest with Python's casefold().

Each rule is checked against the contacts the test expects, and against the per-contact
form the incremental re-evaluation compiles (`few_contacts=True`: correlated counts and
the email itself, the forms as they were), so the two can't drift apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import select, update

from segtui.core import clock
from segtui.core.enums import EventType, LeadStatus
from segtui.core.rules.language import parse
from segtui.core.rules.tree import Condition, Group, Op
from segtui.data.db.engine import sqlite_url
from segtui.data.db.models import Contact, EngagementEvent
from segtui.data.rules.compiler import compile_rule
from segtui.data.store import Store
from tests.conftest import ENGINES, _drop_pg_database, _pg_database


def _add(store: Store, name: str, *, email: str | None = None, clicks: int = 0,
         clicked_at: datetime = datetime(2024, 2, 20, 12, 0)) -> None:
    with store.orm_session() as session:
        contact = Contact(name=name, email=email, lead_status=LeadStatus.NEW,
                          quality_score=50, created_at=datetime(2023, 1, 1))
        session.add(contact)
        session.flush()
        session.add_all(EngagementEvent(contact_id=contact.id, type=EventType.CLICKED,
                                        occurred_at=clicked_at) for _ in range(clicks))


def _load(store: Store) -> Store:
    """Contacts with 0 to 4 clicks (one with 3 long ago), and emails that are NULL,
    blank, accented, padded with spaces, or written without their key."""
    _add(store, "Nell", clicks=0)
    _add(store, "Olga", email="olga@x.com", clicks=1)
    _add(store, "Tess", email="  ", clicks=2)
    _add(store, "Elodie", email="ÉLODIE@Exemple.fr", clicks=3)
    _add(store, "Fran", email="  Padded@X.com ", clicks=4)
    _add(store, "Old", email="old@x.com", clicks=3, clicked_at=datetime(2023, 1, 5))
    _add(store, "Kay", email="KEYLESS.Élan@x.com")
    _add(store, "Zoë Smith", email="zoe.smith@x.com")
    with store.orm_session() as session:  # as another program writing the table would
        session.execute(update(Contact).where(Contact.name == "Kay").values(email_key=None))
    return store


@pytest.fixture(scope="module", params=ENGINES)
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[Store]:
    """The contacts on each engine, written once per module: these tests only read."""
    if request.param == "sqlite":
        opened = Store.open(sqlite_url(tmp_path_factory.mktemp("forms") / "forms.db"))
        yield _load(opened)
        opened.close()
        return
    admin = request.getfixturevalue("pg_admin")
    url = _pg_database(admin)
    opened = Store.open(url)
    yield _load(opened)
    opened.close()
    _drop_pg_database(admin, url)


def matching(store: Store, rule: str, *, few_contacts: bool = False) -> set[str]:
    tree, issues = store.rules.check_rule(parse(rule))
    assert issues == [], issues
    condition = compile_rule(tree, clock.today(), few_contacts=few_contacts)
    with store.reading() as conn:
        return set(conn.execute(select(Contact.name).where(condition)).scalars())


EVERYONE = {"Nell", "Olga", "Tess", "Elodie", "Fran", "Old", "Kay", "Zoë Smith"}


@pytest.mark.parametrize(("rule", "expected"), [
    ("clicked >= 3", {"Elodie", "Fran", "Old"}),
    ("clicked > 2", {"Elodie", "Fran", "Old"}),
    ("clicked = 3", {"Elodie", "Old"}),
    ("clicked <= 3", EVERYONE - {"Fran"}),  # no clicks at all is at most 3
    ("clicked < 3", EVERYONE - {"Elodie", "Fran", "Old"}),
    ("clicked != 3", EVERYONE - {"Elodie", "Old"}),
    ("clicked != 2", EVERYONE - {"Tess"}),
    ("clicked = 2", {"Tess"}),
    ("clicked >= 0", EVERYONE),
    ("clicked < 0", set()),
    ("clicked = 0", {"Nell", "Kay", "Zoë Smith"}),
    ("clicked within 30d >= 3", {"Elodie", "Fran"}),  # Old's three are too old
    ("clicked within 30d < 3", EVERYONE - {"Elodie", "Fran"}),
    ("not clicked >= 3", EVERYONE - {"Elodie", "Fran", "Old"}),
    ("clicked >= 3 or name = Nell", {"Elodie", "Fran", "Old", "Nell"}),
    ("not (clicked < 3 and name != Tess)", {"Elodie", "Fran", "Old", "Tess"}),
])
def test_event_counts(store: Store, rule: str, expected: set[str]) -> None:
    assert matching(store, rule) == expected
    assert matching(store, rule, few_contacts=True) == expected
    tree, _ = store.rules.check_rule(parse(rule))
    assert store.rules.rule_count(tree) == len(expected)


@pytest.mark.parametrize(("rule", "expected"), [
    ('email contains "élo"', {"Elodie"}),
    ('email contains "ÉLO"', {"Elodie"}),
    ('email contains "exemple.FR"', {"Elodie"}),
    ('email not contains "élo"', EVERYONE - {"Elodie"}),  # NULL and blank included
    ('email contains "padded"', {"Fran"}),
    ('email contains "x.com"', {"Olga", "Fran", "Old", "Kay", "Zoë Smith"}),
    ('email contains "keyless.é"', {"Kay"}),  # no key: its email is tested
    ('email = "padded@x.com"', set()),  # the email has spaces around it
    ('email = "  padded@x.com "', set()),  # values are trimmed (core/rules/check.py)
    ('email = "élodie@exemple.fr"', {"Elodie"}),
    ('email != "ÉLODIE@exemple.FR"', EVERYONE - {"Elodie"}),
    ('email = "keyless.élan@x.com"', {"Kay"}),
    ('email in ("OLGA@X.COM", "old@x.com", "nobody@x.com")', {"Olga", "Old"}),
    ('email starts with "padded"', set()),  # it starts with spaces
    ('email starts with "ÉL"', {"Elodie"}),
    ('email starts with "keyless"', {"Kay"}),
    ("email is empty", {"Nell", "Tess"}),
    ("email is not empty", EVERYONE - {"Nell", "Tess"}),
])
def test_email(store: Store, rule: str, expected: set[str]) -> None:
    assert matching(store, rule) == expected
    assert matching(store, rule, few_contacts=True) == expected


@pytest.mark.parametrize(("rule", "expected"), [
    ('name contains "zoë"', {"Zoë Smith"}),
    ('name contains "ZOË"', {"Zoë Smith"}),
    ('name contains "SMITH"', {"Zoë Smith"}),
    ('name = "zoë smith"', {"Zoë Smith"}),
    ('name in ("ELODIE", "nell")', {"Elodie", "Nell"}),
    ('name starts with "EL"', {"Elodie"}),
    ('name not contains "e"', {"Olga", "Fran", "Old", "Kay", "Zoë Smith"}),
])
def test_names_fold_ascii_and_beyond(store: Store, rule: str, expected: set[str]) -> None:
    assert matching(store, rule) == expected


@pytest.mark.parametrize(("op", "value", "expected"), [
    (Op.CONTAINS, " padded", {"Fran"}),
    (Op.CONTAINS, "com ", {"Fran"}),
    (Op.CONTAINS, "com  ", set()),
    (Op.EQ, "  padded@x.com ", {"Fran"}),
    (Op.STARTS_WITH, " ", {"Tess", "Fran"}),
])
def test_email_values_with_outer_spaces_test_the_email(
        store: Store, op: Op, value: str, expected: set[str]) -> None:
    """A checked rule's values are trimmed; a tree built in code may keep the spaces,
    which the key (trimmed) can't see: such a value is tested on the email itself."""
    condition = compile_rule(Group(children=(Condition("email", op, value),)), clock.today())
    with store.reading() as conn:
        assert set(conn.execute(select(Contact.name).where(condition)).scalars()) == expected


@pytest.mark.parametrize("prefix", ["lisa.lo", "a", "z\U0010ffff", "\U0010ffff", "a\ud7ff",
                                    "é", "ǆ", "x~"])
def test_a_prefix_range_is_exactly_starts_with(prefix: str) -> None:
    """`email starts with` seeks the key's index by a range (compile_text._prefix_range):
    in code point order, the SQLite BINARY order of the keys, the range holds exactly the
    texts that start with the prefix."""
    import sqlite3

    from sqlalchemy.dialects import sqlite as sqlite_dialect

    from segtui.data.rules.compile_text import _prefix_range

    texts = sorted({prefix + tail for tail in ("", "a", "\U0010ffff", "\U0010ffffa", "~")}
                   | {prefix[:-1], prefix[:-1] + "\U0010ffff", "", "b", "\ue000",
                      prefix[:-1] + chr(min(ord(prefix[-1]) + 1, 0x10FFFF))}
                   - {t for t in [prefix[:-1] + "\ud800"]})
    texts = [t for t in texts if not any("\ud800" <= ch <= "\udfff" for ch in t)]
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE contacts (email_key TEXT)")
    conn.executemany("INSERT INTO contacts VALUES (?)", [(t,) for t in texts])
    condition = _prefix_range(Contact.__table__.c.email_key, prefix).compile(
        dialect=sqlite_dialect.dialect(), compile_kwargs={"literal_binds": True})
    found = {r[0] for r in conn.execute(f"SELECT email_key FROM contacts WHERE {condition}")}
    assert found == {t for t in texts if t.startswith(prefix)}
