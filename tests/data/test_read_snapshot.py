"""F2.2.8: a read transaction (`Store.reading`) sees one snapshot of the database on both
engines: what another connection commits between two of its statements is not seen by
the second. On PostgreSQL the read runs at REPEATABLE READ (READ COMMITTED, the server's
default, takes a new snapshot per statement); writes stay at READ COMMITTED."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select, text

from segtui.data.db.tables import Tag
from segtui.data.store import Store


def _tags(conn: object) -> int:
    return int(conn.execute(select(func.count()).select_from(Tag)).scalar_one())  # type: ignore[attr-defined]


def test_a_read_sees_one_snapshot_across_its_statements(empty_store: Store) -> None:
    with empty_store.reading() as conn:
        before = _tags(conn)
        with empty_store.writing() as other:  # another connection, committed at once
            other.execute(insert(Tag).values(name="Later", name_key="later"))
        assert _tags(conn) == before  # the same snapshot: the new tag is not seen
    with empty_store.reading() as conn:  # a new read sees it
        assert _tags(conn) == before + 1


@pytest.mark.postgres
@pytest.mark.parametrize("engine_name", ["postgresql"])
def test_reads_are_repeatable_and_writes_read_committed(empty_store: Store) -> None:
    with empty_store.reading() as conn:
        assert conn.execute(text("SHOW transaction_isolation")).scalar_one() == "repeatable read"
    with empty_store.writing() as conn:
        assert conn.execute(text("SHOW transaction_isolation")).scalar_one() == "read committed"
    # The connection went back to the pool as it came: the next write is READ COMMITTED.
    with empty_store.engine.connect() as conn:
        assert conn.execute(text("SHOW transaction_isolation")).scalar_one() == "read committed"
