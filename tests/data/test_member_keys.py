"""What a membership names (its contact, segment, and the users who added and removed it)
exists, on both engines: foreign keys on SQLite, statement triggers on PostgreSQL
(data/db/member_keys.py, P9). Written as any program would write the tables (plain SQL,
no segtui code in between), so the promises hold for every writer. PostgreSQL's own
cases (a deletion and a stay written at once, isolation levels): test_member_keys_pg.py."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from segtui.data.store import Store

_ADD = ("INSERT INTO memberships (segment_id, contact_id, source, added_at, added_by_id) "
        "VALUES (:segment, :contact, 'manual', CURRENT_TIMESTAMP, :user)")


def _one(conn: Connection, sql: str, **params: Any) -> Any:
    return conn.execute(text(sql), params).scalar_one()


@contextmanager
def _writing(store: Store) -> Iterator[Connection]:
    with store.engine.connect() as conn, conn.begin():
        yield conn


def _outsider(store: Store) -> tuple[int, int]:
    """A segment and a contact that is not in it."""
    with store.engine.connect() as conn:
        row = conn.execute(text(
            "SELECT s.id, c.id FROM segments s, contacts c WHERE NOT EXISTS (SELECT 1 FROM "
            "memberships m WHERE m.segment_id = s.id AND m.contact_id = c.id) "
            "ORDER BY s.id, c.id LIMIT 1")).one()
        return int(row[0]), int(row[1])


def _stays(store: Store, column: str, value: int) -> int:
    with store.engine.connect() as conn:
        return int(_one(conn, f"SELECT count(*) FROM memberships WHERE {column} = :v", v=value))


@pytest.mark.parametrize("missing", ["contact", "segment", "user"])
def test_a_membership_naming_nothing_is_refused_and_nothing_is_written(
        demo_store: Store, missing: str) -> None:
    segment, contact = _outsider(demo_store)
    values = {"segment": segment, "contact": contact, "user": None} | {missing: 999_999}
    column = {"contact": "contact_id", "segment": "segment_id", "user": "added_by_id"}[missing]
    before = _stays(demo_store, "segment_id", segment)
    with pytest.raises(IntegrityError) as raised, _writing(demo_store) as conn:
        conn.execute(text(_ADD), values)
    assert "FOREIGN KEY" in str(raised.value).upper()
    if demo_store.engine.dialect.name == "postgresql":  # PostgreSQL's own words
        assert f"Key ({column})=(999999) is not present" in str(raised.value)
    assert _stays(demo_store, "segment_id", segment) == before


def test_a_statement_of_many_rows_is_refused_whole(demo_store: Store) -> None:
    segment, contact = _outsider(demo_store)
    before = _stays(demo_store, "segment_id", segment)
    with pytest.raises(IntegrityError), _writing(demo_store) as conn:
        conn.execute(text(
            "INSERT INTO memberships (segment_id, contact_id, source, added_at) "
            "SELECT :segment, id, 'manual', CURRENT_TIMESTAMP FROM contacts WHERE id = :c "
            "UNION ALL SELECT :segment, 999999, 'manual', CURRENT_TIMESTAMP"),
            {"segment": segment, "c": contact})
    assert _stays(demo_store, "segment_id", segment) == before


def test_moving_a_stay_to_a_contact_that_does_not_exist_is_refused(demo_store: Store) -> None:
    with demo_store.engine.connect() as conn:
        stay = int(_one(conn, "SELECT min(id) FROM memberships"))
    with pytest.raises(IntegrityError), _writing(demo_store) as conn:
        conn.execute(text("UPDATE memberships SET contact_id = 999999 WHERE id = :m"),
                     {"m": stay})
    segment, contact = _outsider(demo_store)
    with _writing(demo_store) as conn:  # to one that exists: fine
        conn.execute(text("UPDATE memberships SET contact_id = :c, segment_id = :s "
                          "WHERE id = :m"), {"c": contact, "s": segment, "m": stay})
    assert _stays(demo_store, "id", stay) == 1


@pytest.mark.parametrize("table,column", [("contacts", "contact_id"),
                                          ("segments", "segment_id")])
def test_deleting_a_contact_or_a_segment_deletes_its_stays(
        demo_store: Store, table: str, column: str) -> None:
    with demo_store.engine.connect() as conn:
        named = int(_one(conn, f"SELECT {column} FROM memberships GROUP BY {column} "
                               f"ORDER BY count(*) DESC, {column} LIMIT 1"))
    assert _stays(demo_store, column, named) > 0
    with _writing(demo_store) as conn:
        if table == "segments":  # what else names a segment without a cascade
            conn.execute(text("DELETE FROM campaign_segments WHERE segment_id = :v"),
                         {"v": named})
        conn.execute(text(f"DELETE FROM {table} WHERE id = :v"), {"v": named})
    assert _stays(demo_store, column, named) == 0
    with demo_store.engine.connect() as conn:  # the counts kept from the stays followed
        assert _one(conn, "SELECT coalesce(sum(stays), 0) FROM contact_stays") == _one(
            conn, "SELECT count(*) FROM memberships WHERE removed_at IS NULL")


def test_deleting_a_user_clears_them_from_the_stays(demo_store: Store) -> None:
    segment, contact = _outsider(demo_store)
    with _writing(demo_store) as conn:
        user = int(_one(conn, "INSERT INTO users (name, name_key, role, active) VALUES "
                              "('Temp', 'temp', 'Viewer', TRUE) RETURNING id"))
        conn.execute(text(_ADD), {"segment": segment, "contact": contact, "user": user})
        conn.execute(text("UPDATE memberships SET removed_at = CURRENT_TIMESTAMP, "
                          "removed_by_id = :u WHERE segment_id = :s AND contact_id = :c"),
                     {"u": user, "s": segment, "c": contact})
    assert _stays(demo_store, "added_by_id", user) == 1
    with _writing(demo_store) as conn:
        conn.execute(text("DELETE FROM users WHERE id = :u"), {"u": user})
    with demo_store.engine.connect() as conn:
        kept = conn.execute(text(
            "SELECT added_by_id, removed_by_id FROM memberships WHERE segment_id = :s "
            "AND contact_id = :c"), {"s": segment, "c": contact}).one()
    assert tuple(kept) == (None, None)
