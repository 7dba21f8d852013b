"""P1: the large dataset (`segtui demo --contacts N`, segtui/data/demo/scale.py)
is the same on both engines, row for row, although PostgreSQL builds it another way: the
rows made in Python go in with COPY, each contact is written once with its event rollups
and completeness already summed (SQLite updates them in place afterwards), and the
foreign keys are checked once at the end. Its derived columns equal a recomputation, its
schema is what the migrations made, and the planner has statistics for it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, select, text

from segtui.data.db.engine import sqlite_url
from segtui.data.db.models import Base, Contact
from segtui.data.db.tables import SegmentSize
from segtui.data.demo.build import build_demo
from segtui.data.demo.scale import grow
from segtui.data.derived import completeness, rollups
from segtui.data.store import Store
from tests.data.test_figures import copies_and_contacts
from tests.data.test_stays import counted

TODAY = date(2024, 2, 26)
CONTACTS, SEGMENTS = 3_000, 12


def built(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Build the demo and grow it; every table's rows in primary key order (the segments'
    sizes as each segment's sum: how its rows split it is the engine's, stays.SegmentSizes)."""
    build_demo(store, TODAY)
    grow(store, contacts=CONTACTS, segments=SEGMENTS, today=TODAY)
    sizes = SegmentSize.__table__.c
    with store.reading() as conn:
        return {table.name: [tuple(row) for row in conn.execute(
            select(sizes.segment_id, func.sum(sizes.members)).group_by(sizes.segment_id)
            .order_by(sizes.segment_id) if table.name == "segment_sizes" else
            select(table).order_by(*(table.primary_key.columns or table.columns)))]
            for table in Base.metadata.sorted_tables}


def schema(conn: Connection) -> list[str]:
    """Constraints, indexes and triggers of the public schema, as PostgreSQL states them."""
    return list(conn.execute(text("""
        SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace
        UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
        UNION ALL SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal
        ORDER BY 1""")).scalars())


def test_postgresql_builds_what_sqlite_builds(pg_admin: Engine, tmp_path: Path) -> None:
    from tests.conftest import _drop_pg_database, _pg_database

    lite = Store.open(sqlite_url(tmp_path / "scale.db"))
    try:
        expected = built(lite)
    finally:
        lite.close()
    url, empty = _pg_database(pg_admin), _pg_database(pg_admin)
    store, migrated = Store.open(url), Store.open(empty)
    try:
        rows = built(store)
        assert len(rows["contacts"]) == CONTACTS
        assert len(rows["events"]) > 5 * CONTACTS
        for name, table_rows in expected.items():
            assert rows[name] == table_rows, name

        with store.reading() as conn, migrated.reading() as fresh:
            # The rollups and completeness equal a recomputation from the events and
            # the contacts' own fields.
            stored = conn.execute(select(Contact.id, Contact.spent_cents, Contact.purchases,
                                         Contact.last_activity_at, Contact.last_engaged_at)
                                  .order_by(Contact.id)).all()
            sums = {r.contact_id: r for r in conn.execute(text(rollups.ROLLUP_SOURCE))}
            assert stored == [(i, *((int(s.spent), int(s.bought), s.latest, s.engaged)
                                    if (s := sums.get(i)) else (0, 0, None, None)))
                              for i, *_ in stored]
            contacts = Contact.__table__
            wrong = conn.execute(select(Contact.id).where(
                Contact.filled_fields != completeness.filled_fields(contacts))).all()
            assert wrong == []
            # Each contact's figures (data/derived/figures.py) are its copy. (SQLite's table is the
            # same: `expected` above.)
            copies, values = copies_and_contacts(conn)
            assert copies == values and len(copies) == CONTACTS
            # Each member's count of stays (data/derived/stays.py) is its memberships'.
            kept, recount = counted(conn)
            assert kept == recount and len(kept) > CONTACTS // 2
            # Every index, foreign key and trigger dropped for the load is back.
            assert schema(conn) == schema(fresh)
            # VACUUM (ANALYZE) ran: statistics, and the pages marked all-visible.
            assert conn.execute(text(
                "SELECT count(*) FROM pg_stats WHERE schemaname = 'public' "
                "AND tablename IN ('contacts', 'events', 'memberships')")).scalar_one() > 20
            assert conn.execute(text(
                "SELECT relallvisible > 0 AND reltuples >= :n FROM pg_class "
                "WHERE relname = 'contacts'"), {"n": CONTACTS}).scalar_one()
    finally:
        store.close()
        migrated.close()
        _drop_pg_database(pg_admin, url)
        _drop_pg_database(pg_admin, empty)
