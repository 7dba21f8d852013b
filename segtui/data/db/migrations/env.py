"""Alembic environment: the engine is handed in by `segtui.data.db.migrate`, never read from a
file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from segtui.data.db.engine import WRITE_OPTION
from segtui.data.db.tables import metadata

engine = context.config.attributes["engine"]
assert isinstance(engine, Engine)

with engine.connect().execution_options(**{WRITE_OPTION: True}) as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=engine.dialect.name == "sqlite",  # SQLite can't ALTER most things
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
