"""R7.5.5: `contacts.filled_fields`, the number of the Quality Score's five fields a contact
has filled (docs/metrics.md), is kept by triggers on `contacts` (data/derived/completeness.py) and
always equals the expression, whatever writes the row: the ORM, Core inserts and updates
(as an import does), a company deleted under its contacts (ON DELETE SET NULL), and a
rebuild after a bulk load. Both engines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from segtui.core.enums import LeadStatus
from segtui.data.db.models import Company, Contact
from segtui.data.derived import completeness
from segtui.data.store import Store
from tests.factories import add_contact

C = Contact.__table__


def stored_and_expected(conn: Connection) -> dict[int, tuple[int, int]]:
    rows = conn.execute(select(C.c.id, C.c.filled_fields, completeness.filled_fields(C)))
    return {r[0]: (int(r[1]), int(r[2])) for r in rows}


def filled(store: Store) -> dict[int, int]:
    with store.reading() as conn:
        found = stored_and_expected(conn)
    assert all(a == b for a, b in found.values()), found
    return {contact_id: stored for contact_id, (stored, _) in found.items()}


def row(name: str, **values: object) -> dict[str, object]:
    return {"name": name, "lead_status": LeadStatus.NEW, "quality_score": 50,
            "created_at": datetime(2024, 1, 1), **values}


def test_inserts_count_each_field_once_and_only_when_really_filled(empty_store: Store) -> None:
    store = empty_store
    with store.orm_session() as session:
        company = Company(name="Acme")
        session.add(company)
        session.flush()
        ids = session.execute(insert(Contact).returning(Contact.id), [
            row("All five", email="ann@example.com", phone="555", title="CEO",
                company_id=company.id, city="Boston"),
            row("Nothing", email=None, phone=None, title=None, city=None),
            row("Blanks", email="   ", phone="  ", title="", city=" "),
            row("Bad emails 1", email="no-at-sign.com"),
            row("Bad emails 2", email="two@@example.com"),
            row("Bad emails 3", email="sp ace@example.com"),
            row("Bad emails 4", email="ann@localhost"),
            row("Good email only", email="a@b.co"),
            row("Percent literal", email="100%@example.com", title="[bold]x[/bold]"),
        ]).scalars().all()
    assert list(filled(store).values()) == [5, 0, 0, 0, 0, 0, 0, 1, 2]
    assert len(ids) == 9


def test_updates_and_a_deleted_company_are_followed(empty_store: Store) -> None:
    store = empty_store
    a = add_contact(store, "Ann Able", company="Acme")  # company and city: 2
    b = add_contact(store, "Bob Baker")  # city: 1
    assert filled(store) == {a: 2, b: 1}
    with store.orm_session() as session:
        session.execute(update(Contact).where(Contact.id == a)
                        .values(email="ann@example.com", phone="555 0100"))
        session.execute(update(Contact).where(Contact.id == b).values(city="  "))
    assert filled(store) == {a: 4, b: 0}
    with store.orm_session() as session:  # through the ORM, as the app's edit form saves
        contact = session.get(Contact, a)
        assert contact is not None
        contact.title = "CTO"
        contact.email = "not an email"
    assert filled(store) == {a: 4, b: 0}
    with store.orm_session() as session:  # the company goes: its contacts lose a field
        session.execute(delete(Company))
    assert filled(store) == {a: 3, b: 0}
    with store.orm_session() as session:  # other columns leave the count alone
        session.execute(update(Contact).values(quality_score=90, name="Renamed"))
    assert filled(store) == {a: 3, b: 0}


def test_rebuild_recomputes_after_a_load_without_triggers(empty_store: Store) -> None:
    store = empty_store
    a = add_contact(store, "Ann Able")
    with store.orm_session() as session:
        conn = session.connection()
        completeness.drop_triggers(conn)
        b = conn.execute(insert(Contact).returning(Contact.id),
                         [row("Bulk", email="b@example.com", city="Rome")]).scalar_one()
        assert stored_and_expected(conn)[b] == (0, 2)  # no triggers: not followed
        completeness.rebuild(conn, from_id=b)
        completeness.create_triggers(conn)
    assert filled(store) == {a: 1, b: 2}
    with store.orm_session() as session:  # and the triggers are back
        session.execute(update(Contact).where(Contact.id == b).values(city=None))
    assert filled(store) == {a: 1, b: 1}


def test_demo_data_matches_the_expression(demo_store: Store) -> None:
    values = filled(demo_store)
    assert len(values) > 100 and set(values.values()) > {5}
