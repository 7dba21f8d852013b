"""P8: `contacts.non_ascii_text` (data/derived/plain_text.py), the flag that sends a
contact's text to Python's case folding on SQLite, is right whoever writes the contact,
so a rule matching only by Unicode case folding finds it after each write: a contact
created in the app, edited, imported (new and updated), merged, and written by another
program in plain SQL (as the sqlite3 shell or psql would, with no segtui code). Both
engines; the flag itself is compared with its expression after every write.

"Ǆ", "ǅ" and "ǆ" are one letter in three cases (folded: "ǆ"), which SQLite's own LIKE
can't match to each other; "Straße" folds to "strasse" in Python only (PostgreSQL's
lower() keeps "ß", and its rules fold with lower(): docs/rules.md)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, insert, select, update

from segtui.core import clock
from segtui.core.enums import LeadStatus
from segtui.core.rules.language import parse
from segtui.data.db.models import Company, Contact
from segtui.data.derived import plain_text
from segtui.data.rules.compiler import compile_rule
from segtui.data.store import Store
from segtui.transfer.imports import ImportKind, ImportRequest, import_file
from tests.factories import add_contact

C = Contact.__table__


def flags(conn: Connection) -> dict[str, bool]:
    """Each contact's stored flag by name, after checking it equals its expression."""
    rows = conn.execute(select(C.c.name, C.c.non_ascii_text,
                               plain_text.non_ascii_text(C))).all()
    assert all(bool(stored) == bool(expected) for _, stored, expected in rows), rows
    return {name: bool(stored) for name, stored, _ in rows}


def matching(store: Store, rule: str) -> set[str]:
    """The contacts the rule selects (its compiled condition), checked against its live
    count, which runs the same condition through the Store."""
    tree, issues = store.rules.check_rule(parse(rule))
    assert issues == [], issues
    condition = compile_rule(tree, clock.today())
    with store.reading() as conn:
        names = set(conn.execute(select(Contact.name).where(condition)).scalars())
    assert store.rules.rule_count(tree) == len(names), rule
    return names


def test_a_contact_created_and_edited_in_the_app(empty_store: Store, engine_name: str
                                                 ) -> None:
    store = empty_store
    plain = add_contact(store, "Dzenan Plain")
    add_contact(store, "ǅenan Titlecase")
    with store.reading() as conn:
        assert flags(conn) == {"Dzenan Plain": False, "ǅenan Titlecase": True}
    assert matching(store, 'name contains "Ǆ"') == {"ǅenan Titlecase"}
    assert matching(store, 'name starts with "ǆe"') == {"ǅenan Titlecase"}
    assert matching(store, 'name not contains "ǆ"') == {"Dzenan Plain"}
    with store.orm_session() as session:  # through the ORM, as the app saves an edit
        contact = session.get(Contact, plain)
        assert contact is not None
        contact.title = "ǄUPAN"
    with store.reading() as conn:
        assert flags(conn)["Dzenan Plain"] is True
    assert matching(store, 'title = "ǆupan"') == {"Dzenan Plain"}
    assert matching(store, 'title in ("x", "ǅupan")') == {"Dzenan Plain"}
    with store.orm_session() as session:  # and back to ASCII: the flag follows
        contact = session.get(Contact, plain)
        assert contact is not None
        contact.title = "Zupan"
    with store.reading() as conn:
        assert flags(conn)["Dzenan Plain"] is False
    assert matching(store, 'title = "ǆupan"') == set()
    if engine_name == "sqlite":
        with store.orm_session() as session:
            session.execute(update(Contact).where(Contact.id == plain)
                            .values(name="Anna Straße"))
        assert matching(store, 'name contains "STRASSE"') == {"Anna Straße"}
        assert matching(store, 'name = "anna strasse"') == {"Anna Straße"}


def test_an_import_adds_and_updates(empty_store: Store, tmp_path: Path) -> None:
    store = empty_store
    path = tmp_path / "people.csv"
    path.write_text("Name,Email,Title,Country\n"
                    "Ann Lee,ann@example.com,ǅupan,Norway\n"
                    "Bo Berg,bo@example.com,CEO,Ǆland\n"
                    "Cy Cole,CY.ǄE@example.com,CFO,Sweden\n"
                    "Di Dow,di@example.com,CTO,Spain\n", encoding="utf-8")
    report = import_file(store, ImportRequest(ImportKind.CONTACTS, path)).report
    assert report.added == 4
    with store.reading() as conn:
        assert flags(conn) == {"Ann Lee": True, "Bo Berg": True, "Cy Cole": True,
                               "Di Dow": False}
    assert matching(store, 'title = "ǆupan"') == {"Ann Lee"}
    assert matching(store, 'country contains "ǅ"') == {"Bo Berg"}
    assert matching(store, 'email contains "ǆe@"') == {"Cy Cole"}
    assert matching(store, 'email not contains "ǆe@"') == {"Ann Lee", "Bo Berg", "Di Dow"}
    path.write_text("Name,Email,Title\nDi Dow,di@example.com,ǄUPAN\n"
                    "Ann Lee,ann@example.com,Zupan\n", encoding="utf-8")
    report = import_file(store, ImportRequest(ImportKind.CONTACTS, path)).report
    assert report.updated == 2
    with store.reading() as conn:
        assert flags(conn)["Di Dow"] is True
    assert matching(store, 'title = "ǆupan"') == {"Di Dow"}


def test_a_merge_gives_the_kept_contact_the_others_text(empty_store: Store) -> None:
    store = empty_store
    kept = add_contact(store, "Eve Moss")
    other = add_contact(store, "Eve Moss (old)")
    with store.orm_session() as session:
        session.execute(update(Contact).where(Contact.id == other)
                        .values(title="ǄUPAN", region="Ǆ Region"))
    store.quality.merge_contacts(kept, [other], store.users.current_user("Sarah Mitchell"))
    with store.reading() as conn:
        assert flags(conn) == {"Eve Moss": True}
    assert matching(store, 'title contains "ǆ"') == {"Eve Moss"}
    assert matching(store, 'region starts with "ǅ r"') == {"Eve Moss"}


def test_another_program_writing_plain_sql(empty_store: Store) -> None:
    """No segtui code runs: the database's own triggers set the flag, on insert and on
    update, and set it back when a writer clears it by hand."""
    store = empty_store
    with store.orm_session() as session:
        session.execute(insert(C).values(name="ǅemal Raw", lead_status=LeadStatus.NEW,
                                         created_at=datetime(2024, 1, 1)))
        session.execute(insert(C).values(name="Raw Plain", lead_status=LeadStatus.NEW,
                                         created_at=datetime(2024, 1, 1)))
    assert matching(store, 'name contains "ǆemal"') == {"ǅemal Raw"}
    with store.orm_session() as session:
        session.execute(update(C).where(C.c.name == "Raw Plain")
                        .values(name="Raw Ǆ"))
        session.execute(update(C).where(C.c.name == "ǅemal Raw")
                        .values(non_ascii_text=False))  # by hand: set back
    with store.reading() as conn:
        assert flags(conn) == {"ǅemal Raw": True, "Raw Ǆ": True}
    assert matching(store, 'name contains "ǆ"') == {"ǅemal Raw", "Raw Ǆ"}


def test_a_company_name_in_any_case(empty_store: Store, tmp_path: Path) -> None:
    """A company made by an import, then renamed in plain SQL: `company contains` follows
    its name's flag (companies.non_ascii_name)."""
    store = empty_store
    path = tmp_path / "people.csv"
    path.write_text("Name,Email,Company\nAnn Lee,ann@example.com,ǅemal Bakery\n"
                    "Bo Berg,bo@example.com,Plain Bakery\n", encoding="utf-8")
    assert import_file(store, ImportRequest(ImportKind.CONTACTS, path)).report.added == 2
    assert matching(store, 'company contains "Ǆemal"') == {"Ann Lee"}
    assert matching(store, 'company not contains "ǆemal"') == {"Bo Berg"}
    companies = Company.__table__
    with store.orm_session() as session:
        session.execute(update(companies).where(companies.c.name == "Plain Bakery")
                        .values(name="ǄEMAL Two"))
    with store.reading() as conn:
        rows = conn.execute(select(companies.c.name, companies.c.non_ascii_name,
                                   plain_text.non_ascii_name(companies))).all()
    assert all(bool(stored) == bool(expected) is True for _, stored, expected in rows), rows
    assert matching(store, 'company contains "ǆemal"') == {"Ann Lee", "Bo Berg"}
