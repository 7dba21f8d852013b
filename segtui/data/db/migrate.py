"""Alembic, driven from code: the app and `segtui db upgrade` call `upgrade()`. On
PostgreSQL, a database whose segtui roles exist gets their grants again afterwards, so
the tables a migration adds are covered (data/db/grants.py, C19.2.5)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from segtui.core.schema import NewerSchema

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> bool:
    """Bring the schema to the newest revision. Returns True if anything was applied.
    A revision no migration here has (a newer segtui's) raises NewerSchema."""
    current = current_revision(engine)
    if current == head_revision():
        return False
    known = {script.revision for script in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
    if current is not None and current not in known:
        raise NewerSchema(current, head_revision())
    command.upgrade(alembic_config(engine), "head")
    if engine.dialect.name == "postgresql":
        # C19.2.5: tables a migration added get the grants of the database's segtui
        # roles, if `segtui db grant` made them (data/db/grants.py).
        from segtui.data.db import grants

        with engine.begin() as conn:
            grants.regrant(conn)
    return True
