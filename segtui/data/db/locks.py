"""PostgreSQL's transaction-level advisory locks segtui takes, in one place so their keys
never collide, and the one way to take them. Each is held to the end of the transaction
that takes it. SQLite needs none: it has one writer at a time.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

# Refreshes from several processes take turns, so two of them never add the same contact
# to a segment at once (the second would break uq_memberships_current and lose its whole
# transaction; data/rules/pending.serialise_refreshes).
REFRESH = 0x5E67_7501
# Imports matching by a key the database doesn't hold unique (a name at a company, a
# phone) take turns, so two at once can't both add the same person
# (data/io/importer.serialise_imports).
IMPORT = 0x5E67_7502
# Shared by every write of `memberships`, exclusive for a deletion of what a membership
# names (data/db/member_keys.py).
MEMBER_KEYS = 0x5E67_7503


def take(conn: Connection, key: int, *, shared: bool = False) -> None:
    """PostgreSQL: wait for the advisory lock `key` (`shared`: alongside other sharers) and
    hold it until the transaction ends. Nothing on SQLite."""
    if conn.dialect.name == "postgresql":
        how = "_shared" if shared else ""
        conn.execute(text(f"SELECT pg_advisory_xact_lock{how}(:key)"), {"key": key})
