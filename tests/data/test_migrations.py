"""Issue 2 §2: the first migration creates exactly the models' schema, on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from segtui.data import migrate
from segtui.data.models import Base
from segtui.data.store import Store


def test_migrated_database_equals_models(empty_store: Store) -> None:
    with empty_store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_every_model_table_exists(empty_store: Store) -> None:
    tables = set(inspect(empty_store.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_upgrade_is_idempotent(empty_store: Store) -> None:
    assert migrate.current_revision(empty_store.engine) == migrate.head_revision()
    assert migrate.upgrade(empty_store.engine) is False


def test_new_store_is_empty(empty_store: Store) -> None:
    assert empty_store.is_empty()
    assert empty_store.fixed_today() is None
