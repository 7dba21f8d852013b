"""P6: `contact_figures` (data/derived/figures.py), the narrow copy of six contact columns the
detail screen's member passes sum, equals `contacts` whatever writes: the ORM and Core
(one row and many), an edit whose filled fields a trigger recounts, events whose rollups
a trigger moves (inserted, deleted, moved to another contact), a deleted contact or
company, a changed id, a merge, imports (tests/test_large_import.py), the demo builder
(tests/data/test_demo_scale.py) and the migration that makes it
(tests/data/test_migrations.py). Both engines."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from segtui.core.enums import EventType, LeadStatus
from segtui.data.db.models import Company, Contact, EngagementEvent
from segtui.data.db.tables import ContactFigures
from segtui.data.derived import figures
from segtui.data.store import Store
from tests.factories import add_contact

C = Contact.__table__
F = ContactFigures.__table__


def copies_and_contacts(conn: Connection) -> tuple[dict[int, tuple[Any, ...]],
                                                   dict[int, tuple[Any, ...]]]:
    """(every row of contact_figures, the same columns of every contact), by contact id."""
    copies = {r[0]: tuple(r[1:]) for r in conn.execute(
        select(F.c.contact_id, *(F.c[name] for name in figures.COLUMNS)))}
    contacts = {r[0]: tuple(r[1:]) for r in conn.execute(
        select(C.c.id, *(C.c[name] for name in figures.COLUMNS)))}
    return copies, contacts


def assert_copies(store: Store) -> dict[int, tuple[Any, ...]]:
    """The table holds exactly the contacts' values; returns them."""
    with store.reading() as conn:
        copies, contacts = copies_and_contacts(conn)
    assert copies == contacts
    return copies


def row(name: str, **values: object) -> dict[str, object]:
    return {"name": name, "lead_status": LeadStatus.NEW, "quality_score": 50,
            "created_at": datetime(2024, 1, 1), **values}


def event(contact_id: int, kind: EventType, at: datetime, revenue: int | None = None
          ) -> dict[str, object]:
    return {"contact_id": contact_id, "type": kind, "occurred_at": at,
            "revenue_cents": revenue}


def test_every_kind_of_write_keeps_the_copies(empty_store: Store) -> None:
    store = empty_store
    a = add_contact(store, "Ann Able", company="Acme")  # the ORM
    with store.orm_session() as session:  # Core, many rows in one statement
        b, c = session.execute(insert(Contact).returning(Contact.id), [
            row("Bob Baker", email="bob@example.com", city="Rome", quality_score=70),
            row("Cy Cole"),
        ]).scalars().all()
    copies = assert_copies(store)
    assert copies[b] == (70, 2, 0, 0, None, None)  # email and city filled
    with store.orm_session() as session:
        # An edit: the filled fields are recounted by their own trigger, then copied.
        session.execute(update(Contact).where(Contact.id == c)
                        .values(phone="555 0100", title="CTO", quality_score=12))
        session.execute(insert(EngagementEvent), [
            event(a, EventType.CONVERTED, datetime(2024, 1, 5), 4999),
            event(a, EventType.OPENED, datetime(2024, 1, 20)),
            event(b, EventType.CLICKED, datetime(2023, 12, 1)),
            event(b, EventType.SENT, datetime(2024, 2, 1)),  # changes nothing copied
        ])
    copies = assert_copies(store)
    assert copies[c][:2] == (12, 2)
    assert copies[a][2:] == (1, 4999, datetime(2024, 1, 20), datetime(2024, 1, 20))
    with store.orm_session() as session:
        # Events move and go: the rollups are recomputed, the copies follow.
        session.execute(update(EngagementEvent).where(EngagementEvent.contact_id == a,
                                                      EngagementEvent.type == "converted")
                        .values(contact_id=b))
        session.execute(delete(EngagementEvent).where(EngagementEvent.type == "opened"))
        contact = session.get(Contact, b)  # an ORM edit, as the app's form saves
        assert contact is not None
        contact.quality_score = 99
    copies = assert_copies(store)
    assert copies[a][2:] == (0, 0, None, None)
    assert copies[b][:4] == (99, 2, 1, 4999)
    with store.orm_session() as session:
        session.execute(delete(Company))  # ON DELETE SET NULL: a field less for Ann
        session.execute(update(Contact).where(Contact.id == c).values(id=c + 100))
        session.execute(update(Contact).values(name="Renamed"))  # nothing copied changes
    copies = assert_copies(store)
    assert set(copies) == {a, b, c + 100}
    with store.orm_session() as session:
        session.execute(delete(Contact).where(Contact.id.in_([a, c + 100])))
    assert set(assert_copies(store)) == {b}


def test_a_merge_keeps_the_copies(demo_store: Store) -> None:
    store = demo_store
    keep = add_contact(store, "Dee Duplicate")
    other = add_contact(store, "Dee Duplicate", city="Lyon")
    with store.orm_session() as session:
        session.execute(insert(EngagementEvent),
                        [event(other, EventType.CONVERTED, datetime(2024, 1, 9), 100)])
    store.quality.merge_contacts(keep, [other], store.users.current_user("Sarah Mitchell"))
    copies = assert_copies(store)
    assert other not in copies and copies[keep][2:4] == (1, 100)


def test_demo_data_has_its_copies(demo_store: Store) -> None:
    assert len(assert_copies(demo_store)) > 100


def test_a_copy_remade_after_a_load_without_triggers(empty_store: Store) -> None:
    store = empty_store
    a = add_contact(store, "Ann Able")
    with store.orm_session() as session:
        conn = session.connection()
        figures.drop_triggers(conn)
        b = conn.execute(insert(Contact).returning(Contact.id),
                         [row("Bulk", quality_score=3)]).scalar_one()
        assert b not in copies_and_contacts(conn)[0]  # no triggers: not copied
        figures.copy(conn, from_id=b)
        figures.create_triggers(conn)
    assert set(assert_copies(store)) == {a, b}
    with store.orm_session() as session:  # and the triggers are back
        session.execute(update(Contact).where(Contact.id == b).values(quality_score=4))
    assert assert_copies(store)[b][0] == 4


def test_sqlite_copies_an_import_in_one_pass(empty_store: Store) -> None:
    """copied_after: SQLite drops the insert trigger for the block and copies the new
    contacts at its end; an older contact the block changes is copied by the update
    trigger meanwhile. PostgreSQL keeps its triggers."""
    store = empty_store
    old = add_contact(store, "Old Timer")
    with store.orm_session() as session:
        conn = session.connection()
        first = old + 1
        with figures.copied_after(conn, first):
            new = conn.execute(insert(Contact).returning(Contact.id),
                               [row("New One", quality_score=7)]).scalar_one()
            conn.execute(update(Contact).where(Contact.id.in_([old, new]))
                         .values(quality_score=8))
            if conn.dialect.name == "sqlite":
                assert new not in copies_and_contacts(conn)[0]
    copies = assert_copies(store)
    assert copies[old][0] == copies[new][0] == 8
    with store.orm_session() as session:  # the insert trigger is back
        later = session.execute(insert(Contact).returning(Contact.id),
                                [row("Later")]).scalar_one()
    assert later in assert_copies(store)
