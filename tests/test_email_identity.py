"""I16.1: one contact per email, held by the database itself on SQLite and
PostgreSQL (a unique index on the email trimmed and case-folded), the importer merging
through it even when two imports of the same new emails run at once, and migration 0008
merging the duplicates an older database holds (docs/quality.md, "One contact per
email")."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import IntegrityError

from segtui.core.contact_keys import email_key
from segtui.core.enums import EventType, LeadStatus, SegmentKind
from segtui.core.rules.language import parse
from segtui.core.rules.tree import to_json
from segtui.data.db import migrate
from segtui.data.db.engine import sqlite_url
from segtui.data.db.models import Activity, Contact, EngagementEvent, Membership, Segment, Tag
from segtui.data.db.tables import contact_tags
from segtui.data.store import Store
from segtui.transfer.imports import ImportKind, ImportRequest, import_file
from tests.concurrent_imports import import_twice_at_once
from tests.conftest import _drop_pg_database, _pg_database

RACE = 300  # new emails in the file both imports read


def race_file(path: Path) -> Path:
    rows = "".join(f"Racer {n},Racer{n}@Race.example,Race {n % 3},Photo Finish\n"
                   for n in range(RACE))
    path.write_text("Name,Email,Company,Tags\n" + rows, encoding="utf-8")
    return path


def test_key_is_trimmed_and_case_folded() -> None:
    assert email_key(" Ann@Example.COM ") == "ann@example.com"
    assert email_key("STRASSE@x.de") == email_key("straße@x.de") == "strasse@x.de"
    assert email_key("   ") is None and email_key(None) is None


def test_two_imports_of_the_same_new_emails_at_once(empty_store: Store, engine_name: str,
                                                    tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Both imports read the file, look its emails up (none exists) and only then insert:
    on PostgreSQL each is held after its lookup until the other has made its own, the
    interleaving that made 50,000 contacts of 30,000 emails. SQLite's single writer makes
    the second import wait for the first (it got this right already). Either way: one
    contact per email, one import adds them all and the other updates them all."""
    path = race_file(tmp_path / "race.csv")
    reports = import_twice_at_once(empty_store.engine.url,
                                   ImportRequest(ImportKind.CONTACTS, path), engine_name,
                                   monkeypatch)
    assert sorted((r.added, r.updated, r.rejected) for r in reports) == [
        (0, RACE, 0), (RACE, 0, 0)]
    with empty_store.reading() as conn:
        emails = conn.execute(select(Contact.email, func.count()).group_by(Contact.email)
                              ).all()
        assert len(emails) == RACE and {n for _, n in emails} == {1}
        tag = conn.execute(select(Tag.id).where(Tag.name == "Photo Finish")).scalar_one()
        tagged = conn.execute(select(func.count()).select_from(contact_tags)
                              .where(contact_tags.c.tag_id == tag)).scalar_one()
        assert tagged == RACE


def test_an_import_merges_whatever_the_case(empty_store: Store, tmp_path: Path) -> None:
    """A contact whose email was typed with capitals is the file's lower-case email."""
    store = empty_store
    with store.orm_session() as session:
        session.add(Contact(name="Ann", email="Ann.Lee@Example.com ", lead_status=LeadStatus.NEW,
                            created_at=datetime(2023, 1, 1)))
    path = tmp_path / "ann.csv"
    path.write_text("Name,Email,City\nAnn Lee,ANN.LEE@example.com,Oslo\n", encoding="utf-8")
    report = import_file(store, ImportRequest(ImportKind.CONTACTS, path)).report
    assert (report.added, report.updated) == (0, 1)
    with store.reading() as conn:
        assert conn.execute(select(Contact.email, Contact.city)).all() == [
            ("Ann.Lee@Example.com ", "Oslo")]


def test_a_merge_may_give_the_kept_contact_the_other_email(empty_store: Store) -> None:
    """The kept contact has no email: it takes the merged one's, unique again once the
    merged contact is gone."""
    store = empty_store
    with store.orm_session() as session:
        kept = Contact(name="Bo", lead_status=LeadStatus.NEW, created_at=datetime(2022, 1, 1))
        other = Contact(name="Bo", email="Bo@Example.com", lead_status=LeadStatus.NEW,
                        created_at=datetime(2023, 1, 1))
        session.add_all([kept, other])
        session.flush()
        kept_id, other_id = kept.id, other.id
    store.quality.merge_contacts(kept_id, [other_id], store.users.current_user("Sarah Mitchell"))
    with store.reading() as conn:
        assert conn.execute(select(Contact.id, Contact.email, Contact.email_key)).all() == [
            (kept_id, "Bo@Example.com", "bo@example.com")]


# -- migration 0008 on a database holding duplicates -----------------------------------------


@pytest.fixture
def store_at_0007(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path
                  ) -> Iterator[Store]:
    """A database migrated only to revision 0007: before one contact per email."""
    if engine_name == "sqlite":
        url = sqlite_url(tmp_path / "old.db")
    else:
        admin = request.getfixturevalue("pg_admin")
        url = _pg_database(admin)
    store = Store.open(url, upgrade=False)
    command.upgrade(migrate.alembic_config(store.engine), "0007")
    yield store
    store.close()
    if engine_name != "sqlite":
        _drop_pg_database(admin, url)


CONTACTS = Contact.__table__
SEGMENTS = Segment.__table__


def add(conn: Connection, **values: Any) -> int:
    """A contact written with Core, naming only the columns given: the schema of 0007."""
    row = {"lead_status": LeadStatus.NEW.value, "created_at": datetime(2023, 1, 1), **values}
    return int(conn.execute(insert(CONTACTS).returning(CONTACTS.c.id), [row]).scalar_one())


def test_0008_merges_contacts_sharing_an_email_into_the_oldest(
        store_at_0007: Store, caplog: pytest.LogCaptureFixture) -> None:
    store = store_at_0007
    with store.engine.begin() as conn:
        ann = add(conn, name="Ann Old", email="Ann@Example.com", created_at=datetime(2022, 1, 1))
        ann_twin = add(conn, name="Ann New", email=" ann@example.com", phone="555",
                       city="Oslo", created_at=datetime(2023, 5, 1))
        solo = add(conn, name="Solo", email="solo@example.com")
        blank = add(conn, name="Blank", email="  ")
        empty = add(conn, name="Empty", email="")
        elodie = add(conn, name="Élodie", email="ÉLODIE@x.fr", created_at=datetime(2021, 1, 1))
        elodie_twin = add(conn, name="Elodie", email="élodie@x.fr\t")
        segments = {}
        for name, kind, rule in (("First", SegmentKind.STATIC, None),
                                 ("Second", SegmentKind.STATIC, None),
                                 ("In Oslo", SegmentKind.DYNAMIC, to_json(parse("city = Oslo")))):
            segments[name] = int(conn.execute(insert(SEGMENTS).returning(SEGMENTS.c.id), [{
                    "name": name, "name_key": name.casefold(), "status": "Active",
                    "kind": kind.value, "rule": rule, "created_at": datetime(2023, 1, 1),
                    "updated_at": datetime(2023, 1, 1)}]).scalar_one())
        conn.execute(insert(Membership.__table__), [
            {"segment_id": segments["First"], "contact_id": ann, "source": "manual",
             "added_at": datetime(2023, 1, 1)},
            {"segment_id": segments["Second"], "contact_id": ann_twin, "source": "manual",
             "added_at": datetime(2023, 6, 1)}])
        conn.execute(insert(EngagementEvent.__table__), [
            {"contact_id": ann_twin, "type": EventType.OPENED.value,
             "occurred_at": datetime(2024, 1, 5)}])
    with caplog.at_level(logging.WARNING, logger="segtui.migrate"):
        assert migrate.upgrade(store.engine) is True
    assert (f"segtui upgrade: contacts {ann_twin} shared the email 'ann@example.com' with "
            f"contact {ann}, the oldest; merged into it") in caplog.messages
    assert (f"segtui upgrade: contacts {elodie_twin} shared the email 'élodie@x.fr' with "
            f"contact {elodie}, the oldest; merged into it") in caplog.messages
    assert ("segtui upgrade: 2 contacts merged into 2 that had the same email "
            '(docs/quality.md, "Merging")') in caplog.messages
    with store.reading() as conn:
        rows = {r.id: r for r in conn.execute(select(
            Contact.id, Contact.email, Contact.email_key, Contact.phone, Contact.city,
            Contact.last_activity_at))}
        assert set(rows) == {ann, solo, blank, empty, elodie}
        assert (rows[ann].email, rows[ann].email_key, rows[ann].phone, rows[ann].city) == (
            "Ann@Example.com", "ann@example.com", "555", "Oslo")
        assert rows[ann].last_activity_at == datetime(2024, 1, 5)  # the event moved
        assert rows[elodie].email_key == "élodie@x.fr"
        assert rows[blank].email_key is None and rows[empty].email_key is None
        stays = conn.execute(select(Membership.segment_id).where(
            Membership.contact_id == ann, Membership.removed_at.is_(None))).scalars().all()
        assert sorted(stays) == sorted([segments["First"], segments["Second"]])
        logged = conn.execute(select(Activity.segment_id, Activity.details,
                                     Activity.performer_id)
                              .where(Activity.type == "Contacts Merged")).all()
        assert [(s, p) for s, _, p in logged] == [(segments["Second"], None)]
        assert "Merged by segtui's upgrade" in logged[0][1]
    # The kept contacts changed (Ann has a city now): the dynamic segments are owed them.
    assert store.rules.owed().contacts == 2
    store.rules.finish_pending()
    with store.reading() as conn:
        assert conn.execute(select(Membership.contact_id).where(
            Membership.segment_id == segments["In Oslo"])).scalars().all() == [ann]
    assert store.quality.quality_report().duplicate_email_groups == 0
    # From now on the database refuses a second contact with the email, in any spelling.
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        add(conn, name="Ann Again", email="ANN@example.com", email_key="ann@example.com")
    with pytest.raises(IntegrityError), store.orm_session() as session:
        session.add(Contact(name="Ann Again", email=" ann@EXAMPLE.com",
                            lead_status=LeadStatus.NEW, created_at=datetime(2024, 1, 1)))


def test_0008_on_a_database_without_duplicates_merges_nothing(
        store_at_0007: Store, caplog: pytest.LogCaptureFixture) -> None:
    store = store_at_0007
    with store.engine.begin() as conn:
        add(conn, name="One", email="one@example.com")
        add(conn, name="None", email=None)
    with caplog.at_level(logging.WARNING, logger="segtui.migrate"):
        migrate.upgrade(store.engine)
    assert caplog.messages == []
    with store.reading() as conn:
        assert dict(conn.execute(select(Contact.name, Contact.email_key)).all()) == {
            "One": "one@example.com", "None": None}
    assert not store.rules.owed()
