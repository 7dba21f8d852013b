"""F2.2: the migrations create exactly the models' schema, on both engines; a later
migration brings an existing database's data along. P12: opening a database
compares its revision with `schema_version.HEAD` and runs Alembic only when they differ."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import delete, insert, inspect, select, update
from sqlalchemy.engine import URL
from typer.testing import CliRunner

import segtui.cli as cli
from segtui.core.enums import EventType, LeadStatus
from segtui.core.schema import NewerSchema
from segtui.data.db import member_keys, migrate, schema_version
from segtui.data.db.engine import sqlite_url
from segtui.data.db.models import Base, Contact, EngagementEvent
from segtui.data.store import Store
from tests.conftest import _drop_pg_database, _pg_database

# Indexes on an expression: Alembic's comparison skips them on the models' side and would
# report the database's as extra; their existence is checked on their own below.
EXPRESSION_INDEXES = {"ix_contacts_phone_key", "ix_companies_lower_name"}
# Indexes the models declare for PostgreSQL alone (`ddl_if`), which Alembic's comparison
# does not know: on SQLite it would report them as missing.
POSTGRESQL_ONLY_INDEXES = {"ix_contacts_status_rules"}


def _compared(dialect: str) -> Any:
    def include(obj: object, name: str | None, kind: str, *_: object) -> bool:
        if kind == "foreign_key_constraint":  # held by triggers there (their own test)
            return not (dialect == "postgresql" and name in member_keys.TRIGGER_HELD)
        return not (kind == "index" and (name in EXPRESSION_INDEXES or (
            dialect != "postgresql" and name in POSTGRESQL_ONLY_INDEXES)))
    return include


def test_migrated_database_equals_models(empty_store: Store) -> None:
    with empty_store.engine.connect() as conn, warnings.catch_warnings():
        # SQLite's reflection says it skips them, as a warning the suite turns into errors.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified "
                                          "expression-based index")
        context = MigrationContext.configure(conn, opts={
            "compare_type": True, "include_object": _compared(conn.dialect.name)})
        diff = compare_metadata(context, Base.metadata)
        assert diff == []
        catalog = ("SELECT name FROM sqlite_master WHERE type = 'index'"
                   if conn.dialect.name == "sqlite" else
                   "SELECT indexname FROM pg_indexes "
                   "WHERE tablename IN ('contacts', 'companies')")
        indexes = set(conn.exec_driver_sql(catalog).scalars())
    assert indexes >= EXPRESSION_INDEXES


def test_partial_indexes_are_partial_on_both_engines(empty_store: Store) -> None:
    """The models name each partial index's WHERE for SQLite only (so SQLite never loads
    PostgreSQL's dialect); a PostgreSQL engine gives them the same WHERE, and the database
    made by the migrations has it."""
    partial = {str(index.name): str(index.dialect_options["sqlite"]["where"])
               for table in Base.metadata.tables.values() for index in table.indexes
               if index.dialect_options["sqlite"]["where"] is not None}
    assert {"uq_contacts_email_key", "uq_memberships_current"} <= set(partial)
    with empty_store.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            catalog = "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
        else:
            catalog = "SELECT indexname, indexdef FROM pg_indexes"
            models = {str(index.name): str(index.dialect_options["postgresql"]["where"])
                      for table in Base.metadata.tables.values()
                      for index in table.indexes if index.name in partial}
            assert models == partial
        made = {str(row[0]): str(row[1]) for row in conn.exec_driver_sql(catalog)}
    for name in partial:
        assert " WHERE " in made[name].upper(), made[name]


def test_every_model_table_exists(empty_store: Store) -> None:
    tables = set(inspect(empty_store.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_upgrade_is_idempotent(empty_store: Store) -> None:
    assert migrate.current_revision(empty_store.engine) == migrate.head_revision()
    assert migrate.upgrade(empty_store.engine) is False


def test_head_is_the_newest_migration() -> None:
    """HEAD is written by hand so that opening a database needs no Alembic: a new migration
    in data/db/migrations/versions/ must update it, or databases would not be upgraded."""
    assert migrate.head_revision() == schema_version.HEAD, (
        "set HEAD in segtui/data/db/schema_version.py to the newest migration's revision")


def test_a_migrated_database_is_current(empty_store: Store) -> None:
    assert schema_version.stored_revisions(empty_store.engine) == {schema_version.HEAD}
    assert schema_version.upgrade_if_needed(empty_store.engine) is False


@pytest.fixture
def unmigrated_url(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path
                   ) -> Iterator[URL]:
    """A new database nothing has created tables in yet."""
    if engine_name == "sqlite":
        yield sqlite_url(tmp_path / "new.db")
        return
    admin = request.getfixturevalue("pg_admin")
    url = _pg_database(admin)
    yield url
    _drop_pg_database(admin, url)


def test_opening_a_new_database_migrates_it(unmigrated_url: URL) -> None:
    bare = Store.open(unmigrated_url, upgrade=False)
    try:
        assert schema_version.stored_revisions(bare.engine) == set()  # no version table
        assert not schema_version.is_current(bare.engine)
    finally:
        bare.close()
    store = Store.open(unmigrated_url)
    try:
        assert schema_version.stored_revisions(store.engine) == {schema_version.HEAD}
        assert store.is_empty()
    finally:
        store.close()


def test_new_store_is_empty(empty_store: Store) -> None:
    assert empty_store.is_empty()
    assert empty_store.fixed_today() is None


def _store_at(revision: str, engine_name: str, request: pytest.FixtureRequest,
              tmp_path: Path) -> Iterator[Store]:
    """A database migrated only to `revision` (an older database to upgrade)."""
    if engine_name == "sqlite":
        url = sqlite_url(tmp_path / "old.db")
    else:
        admin = request.getfixturevalue("pg_admin")
        url = _pg_database(admin)
    store = Store.open(url, upgrade=False)
    command.upgrade(migrate.alembic_config(store.engine), revision)
    yield store
    store.close()
    if engine_name != "sqlite":
        _drop_pg_database(admin, url)


@pytest.fixture
def store_at_0005(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path
                  ) -> Iterator[Store]:
    """A database migrated only to revision 0005, as one made before the rollups of R7.5.3."""
    yield from _store_at("0005", engine_name, request, tmp_path)


def test_0006_fills_the_new_columns_of_existing_contacts(store_at_0005: Store) -> None:
    """R7.5.5: upgrading a database with contacts and events computes `last_engaged_at`
    and `filled_fields` for every existing contact, and the triggers follow later writes."""
    store = store_at_0005
    with store.engine.begin() as conn:
        filled, bare = conn.execute(insert(Contact).returning(Contact.id), [
            {"name": "Filled", "email": "ann@example.com", "phone": "555", "title": "CEO",
             "city": "Rome", "lead_status": LeadStatus.NEW, "created_at": datetime(2024, 1, 1)},
            {"name": "Bare", "email": None, "phone": None, "title": None, "city": None,
             "lead_status": LeadStatus.NEW, "created_at": datetime(2024, 1, 1)},
        ]).scalars().all()
        conn.execute(insert(EngagementEvent), [
            {"contact_id": filled, "type": EventType.OPENED, "occurred_at": datetime(2024, 1, 5)},
            {"contact_id": filled, "type": EventType.CLICKED, "occurred_at": datetime(2024, 1, 9)},
            {"contact_id": bare, "type": EventType.SENT, "occurred_at": datetime(2024, 1, 7)},
        ])
    assert migrate.upgrade(store.engine) is True

    def columns() -> dict[int, tuple[object, object, int]]:
        with store.reading() as conn:
            return {r.id: (r.last_activity_at, r.last_engaged_at, r.filled_fields)
                    for r in conn.execute(select(Contact.id, Contact.last_activity_at,
                                                 Contact.last_engaged_at,
                                                 Contact.filled_fields))}

    assert columns() == {filled: (datetime(2024, 1, 9), datetime(2024, 1, 5), 4),
                         bare: (None, None, 0)}
    with store.orm_session() as session:
        session.execute(insert(EngagementEvent), [
            {"contact_id": bare, "type": EventType.RESPONDED,
             "occurred_at": datetime(2024, 1, 8)}])
        session.execute(update(Contact).where(Contact.id == bare).values(city="Oslo"))
    assert columns()[bare] == (datetime(2024, 1, 8), datetime(2024, 1, 8), 1)


@pytest.fixture
def store_at_0011(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path
                  ) -> Iterator[Store]:
    """A database migrated only to revision 0011, as one made before contact_figures."""
    yield from _store_at("0011", engine_name, request, tmp_path)


def test_0012_copies_every_contact_and_follows_later_writes(store_at_0011: Store) -> None:
    """P6: upgrading a database with contacts makes `contact_figures` their copies;
    its triggers follow the writes after; a downgrade takes table and triggers away."""
    from tests.data.test_figures import assert_copies

    store = store_at_0011
    with store.engine.begin() as conn:
        ann, bob = conn.execute(insert(Contact).returning(Contact.id), [
            {"name": "Ann", "email": "ann@example.com", "city": "Rome", "quality_score": 80,
             "lead_status": LeadStatus.NEW, "created_at": datetime(2024, 1, 1)},
            {"name": "Bob", "email": None, "city": None, "quality_score": 50,
             "lead_status": LeadStatus.NEW, "created_at": datetime(2024, 1, 1)},
        ]).scalars().all()
        conn.execute(insert(EngagementEvent), [
            {"contact_id": ann, "type": EventType.CONVERTED, "revenue_cents": 500,
             "occurred_at": datetime(2024, 1, 5)}])
    assert migrate.upgrade(store.engine) is True
    assert assert_copies(store)[ann] == (80, 2, 1, 500, datetime(2024, 1, 5), None)
    with store.orm_session() as session:
        session.execute(insert(EngagementEvent), [
            {"contact_id": bob, "type": EventType.OPENED, "occurred_at": datetime(2024, 1, 8)}])
        session.execute(delete(Contact).where(Contact.id == ann))
    assert assert_copies(store) == {
        bob: (50, 0, 0, 0, datetime(2024, 1, 8), datetime(2024, 1, 8))}
    command.downgrade(migrate.alembic_config(store.engine), "0011")
    assert "contact_figures" not in inspect(store.engine).get_table_names()
    with store.engine.begin() as conn:  # no trigger left behind to write into it
        conn.execute(insert(Contact), [{"name": "Cy", "lead_status": LeadStatus.NEW,
                                        "created_at": datetime(2024, 1, 1)}])
        conn.execute(update(Contact).values(quality_score=1))
        conn.execute(delete(Contact))


@pytest.fixture
def store_at_0026(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path
                  ) -> Iterator[Store]:
    """A database migrated only to revision 0026, as one made before the status index."""
    yield from _store_at("0026", engine_name, request, tmp_path)


def _contact_indexes(store: Store) -> set[str]:
    with store.reading() as conn:
        return set(conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index'"
            if conn.dialect.name == "sqlite" else
            "SELECT indexname FROM pg_indexes WHERE tablename = 'contacts'").scalars())


def test_0027_indexes_the_status_rules_on_postgresql_only(store_at_0026: Store) -> None:
    """P4: upgrading makes `ix_contacts_status_rules` on PostgreSQL (with the contacts
    there already, analysed), nothing on SQLite; a downgrade takes it away."""
    store = store_at_0026
    with store.engine.begin() as conn:
        conn.execute(insert(Contact), [
            {"name": "Ann", "city": "Rome", "quality_score": 80,
             "lead_status": LeadStatus.HOT_LEAD, "created_at": datetime(2024, 1, 1)}])
    assert "ix_contacts_status_rules" not in _contact_indexes(store)
    assert migrate.upgrade(store.engine) is True
    postgresql = store.engine.dialect.name == "postgresql"
    assert ("ix_contacts_status_rules" in _contact_indexes(store)) is postgresql
    if postgresql:
        with store.reading() as conn:
            columns = conn.exec_driver_sql(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_contacts_status_rules'"
            ).scalar_one()
            analysed = conn.exec_driver_sql(
                "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables "
                "WHERE relname = 'contacts'").scalar_one()
        assert "(lead_status, quality_score, company_id, city, id)" in columns
        assert analysed
    command.downgrade(migrate.alembic_config(store.engine), "0026")
    assert "ix_contacts_status_rules" not in _contact_indexes(store)


def test_opening_an_older_database_upgrades_it(store_at_0005: Store) -> None:
    assert schema_version.stored_revisions(store_at_0005.engine) == {"0005"}
    reopened = Store.open(store_at_0005.url)
    try:
        assert schema_version.stored_revisions(reopened.engine) == {schema_version.HEAD}
        assert migrate.current_revision(reopened.engine) == migrate.head_revision()
    finally:
        reopened.close()


def _from_the_future(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")


def test_a_database_a_newer_segtui_upgraded_is_refused_and_left_alone(
        empty_store: Store) -> None:
    _from_the_future(empty_store)
    with pytest.raises(NewerSchema, match=r"newer segtui \(schema 9999; this segtui knows up to"):
        Store.open(empty_store.engine.url)
    assert schema_version.stored_revisions(empty_store.engine) == {"9999"}


def test_the_command_line_says_so_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    store = Store.open(sqlite_url(path))
    _from_the_future(store)
    store.close()
    result = CliRunner().invoke(cli.app, ["segments", "list", "--db", str(path)])
    assert result.exit_code == 1
    assert result.stderr == ("segtui: this database was upgraded by a newer segtui (schema 9999;"
                             f" this segtui knows up to {schema_version.HEAD}): update segtui"
                             " to open it\n")


@pytest.fixture
def store_at_0027(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path
                  ) -> Iterator[Store]:
    """A database migrated only to revision 0027, as one made before the contacts' room."""
    yield from _store_at("0027", engine_name, request, tmp_path)


def test_0028_leaves_room_on_the_contacts_pages_on_postgresql(store_at_0027: Store) -> None:
    """C21.1.13: upgrading gives `contacts` fillfactor 90 on PostgreSQL, so an updated
    contact's new version stays on its page (a HOT update, no index entries); a
    downgrade takes it away. SQLite has no such setting: nothing changes there."""
    store = store_at_0027
    postgresql = store.engine.dialect.name == "postgresql"

    def options() -> list[str]:
        if not postgresql:
            return []
        with store.reading() as conn:
            found = conn.exec_driver_sql(
                "SELECT reloptions FROM pg_class WHERE oid = 'contacts'::regclass"
            ).scalar_one()
        return list(found or [])

    assert options() == []
    assert migrate.upgrade(store.engine) is True
    assert options() == (["fillfactor=90"] if postgresql else [])
    command.downgrade(migrate.alembic_config(store.engine), "0027")
    assert options() == []


@pytest.fixture
def store_at_0028(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path
                  ) -> Iterator[Store]:
    """A database migrated only to revision 0028, before the companies' folded names."""
    yield from _store_at("0028", engine_name, request, tmp_path)


def test_0029_indexes_company_names_folded_and_narrows_the_filled_trigger(
        store_at_0028: Store) -> None:
    """C21.1.13: upgrading adds `ix_companies_lower_name` on both engines and, on SQLite,
    a WHEN to the trigger that counts a contact's filled fields; a downgrade takes both
    back. Either way the count stays right after an update."""
    store = store_at_0028
    sqlite = store.engine.dialect.name == "sqlite"

    def state() -> tuple[bool, bool]:
        with store.reading() as conn:
            if sqlite:
                index = conn.exec_driver_sql(
                    "SELECT count(*) FROM sqlite_master "
                    "WHERE name = 'ix_companies_lower_name'").scalar_one()
                trigger = conn.exec_driver_sql(
                    "SELECT sql FROM sqlite_master WHERE name = 'trg_contacts_filled_update'"
                ).scalar_one()
                return bool(index), "WHEN NEW.filled_fields" in trigger
            index = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_companies_lower_name'"
            ).scalar_one()
            return bool(index), False

    def filled_after_update() -> int:
        with store.writing() as conn:
            conn.exec_driver_sql("INSERT INTO contacts (name, email, lead_status, "
                                 "quality_score, created_at) VALUES ('Filled Test', "
                                 "'filled@example.com', 'New', 50, '2024-01-01')")
            conn.exec_driver_sql("UPDATE contacts SET title = 'Buyer', city = 'Austin' "
                                 "WHERE email = 'filled@example.com'")
            count = conn.exec_driver_sql("SELECT filled_fields FROM contacts "
                                         "WHERE email = 'filled@example.com'").scalar_one()
            conn.exec_driver_sql("DELETE FROM contacts WHERE email = 'filled@example.com'")
        return int(count)

    # (A database made at 0028 by this segtui has the narrow trigger already: the first
    # migrations create the triggers from today's code. The downgrade shows the old one.)
    assert state()[0] is False
    assert migrate.upgrade(store.engine) is True
    assert state() == (True, sqlite)
    assert filled_after_update() == 3
    command.downgrade(migrate.alembic_config(store.engine), "0028")
    assert state() == (False, False)
    assert filled_after_update() == 3
    assert migrate.upgrade(store.engine) is True  # from the old trigger, as a user's file
    assert state() == (True, sqlite)
    assert filled_after_update() == 3
