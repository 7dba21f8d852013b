"""Is a database's schema the one this segtui expects? Answered without importing Alembic.

Every command opens its database through `Store.open`, which must migrate a new or older
database first. Asking Alembic costs ~0.1 s of imports and a read of every migration script
before the first query, on every run; a script calling `segtui segments list` in a loop
paid it each time (P12). So opening reads the revision Alembic recorded in the
database (one SELECT) and compares it with `HEAD`, the newest migration's revision id;
only a database that differs (a new one, an older one, or one a newer segtui upgraded)
imports Alembic, which upgrades it or says why it can't (`segtui.data.db.migrate`).

`HEAD` is written here by hand: `tests/data/test_migrations.py` fails while it is not the
head of `data/db/migrations/versions/`, so a new migration can't be forgotten here.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

HEAD = "0030"  # the revision of the newest file in data/db/migrations/versions/

# Alembic's bookkeeping table: one row holding the revision the schema is at.
_READ_VERSION = "SELECT version_num FROM alembic_version"


def stored_revisions(engine: Engine) -> set[str]:
    """The revisions the database's schema is at: one normally, none for a database
    Alembic never migrated (no version table yet)."""
    with engine.connect() as connection:
        try:
            return {str(v) for v in connection.exec_driver_sql(_READ_VERSION).scalars()}
        except (OperationalError, ProgrammingError) as exc:
            # No such table (SQLite: OperationalError; PostgreSQL: ProgrammingError, and
            # the transaction is rolled back on leaving). Any other error of these kinds
            # (a locked file) meets Alembic's own reads next, which raise it as before; a
            # lost connection, or a file that is not a database, is raised here.
            if exc.connection_invalidated:
                raise
            return set()


def is_current(engine: Engine) -> bool:
    return stored_revisions(engine) == {HEAD}


def upgrade_if_needed(engine: Engine) -> bool:
    """Bring the schema to HEAD when it is not there. True if migrations were applied."""
    if is_current(engine):
        return False
    if engine.dialect.name == "postgresql":
        _owner_or_refused(engine)
    from segtui.data.db import migrate  # Alembic: only for a database that needs it

    return migrate.upgrade(engine)


def _owner_or_refused(engine: Engine) -> None:
    """On PostgreSQL, only the schema's owner migrates (C19.2.2): anyone else is told
    what to ask for (LoginRefused) rather than shown Alembic's permission denied."""
    from sqlalchemy import text

    from segtui.core.permissions import LoginRefused
    from segtui.data.db.grants import signed_in

    with engine.connect() as connection:
        signed = signed_in(connection)
        readable = connection.execute(text(
            "SELECT to_regclass('alembic_version') IS NOT NULL AND "
            "has_table_privilege(to_regclass('alembic_version'), 'SELECT')")).scalar_one()
    if signed is None or signed.owner:
        return
    if readable:
        raise LoginRefused(
            f"this database's schema is older than this segtui's ({HEAD}); only its owner "
            f"({signed.owner_name}) may upgrade it: ask them to run: segtui db upgrade")
    raise LoginRefused(
        f"you are signed in to PostgreSQL as {signed.login}, who has no segtui role on this "
        f"database: ask an administrator to run: segtui db grant {signed.login} "
        "--role viewer")
