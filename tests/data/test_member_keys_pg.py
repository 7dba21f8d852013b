"""PostgreSQL's memberships' keys held by triggers (data/db/member_keys.py, P9): a deletion
and a stay written at the same time never leave a stay naming nothing, whichever comes
first; the isolation levels the triggers can and can't serve; ids and TRUNCATE. The
promises both engines keep: test_member_keys.py."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from segtui.data.db.member_keys import LOCK_KEY
from segtui.data.store import Store
from tests.data.test_member_keys import _ADD, _one, _outsider, _stays, _writing

pytestmark = pytest.mark.postgres


@pytest.fixture
def engine_name() -> str:
    return "postgresql"


def _waits_for_the_lock(store: Store) -> bool:
    """Whether some connection waits for the memberships' advisory lock now."""
    with store.engine.connect() as conn:
        return bool(_one(conn, "SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' "
                               "AND NOT granted AND objid = :k", k=LOCK_KEY & 0xFFFFFFFF))


def _until(done: Callable[[], bool]) -> None:
    """Ask until `done` (a state of the server the test waits for): no clock involved."""
    for _ in range(100_000):
        if done():
            return
    raise AssertionError("the awaited state never came")


def _in_thread(work: Callable[[], None]) -> tuple[threading.Thread, list[BaseException]]:
    failed: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # reported to the test's thread
            failed.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, failed


def test_a_deletion_waits_for_a_stay_written_meanwhile_and_takes_it_along(
        demo_store: Store) -> None:
    segment, contact = _outsider(demo_store)
    with demo_store.engine.connect() as writer:
        tx = writer.begin()
        writer.execute(text(_ADD), {"segment": segment, "contact": contact, "user": None})

        def delete() -> None:
            with _writing(demo_store) as conn:
                conn.execute(text("DELETE FROM contacts WHERE id = :c"), {"c": contact})

        thread, failed = _in_thread(delete)
        _until(lambda: _waits_for_the_lock(demo_store))
        tx.commit()
        thread.join()
    assert failed == []
    assert _stays(demo_store, "contact_id", contact) == 0


def test_a_stay_written_during_a_deletion_is_refused_once_it_commits(
        demo_store: Store) -> None:
    segment, contact = _outsider(demo_store)
    with demo_store.engine.connect() as deleter:
        tx = deleter.begin()
        deleter.execute(text("DELETE FROM contacts WHERE id = :c"), {"c": contact})

        def add() -> None:
            with _writing(demo_store) as conn:
                conn.execute(text(_ADD), {"segment": segment, "contact": contact,
                                          "user": None})

        thread, failed = _in_thread(add)
        _until(lambda: _waits_for_the_lock(demo_store))
        tx.commit()
        thread.join()
    assert len(failed) == 1 and isinstance(failed[0], IntegrityError)
    assert _stays(demo_store, "contact_id", contact) == 0


def test_a_deletion_at_repeatable_read_is_refused(demo_store: Store) -> None:
    segment, _ = _outsider(demo_store)
    with pytest.raises(DBAPIError, match="needs READ COMMITTED"), \
            demo_store.engine.connect().execution_options(
                isolation_level="REPEATABLE READ") as conn, conn.begin():
        conn.execute(text("DELETE FROM campaign_segments WHERE segment_id = :s"), {"s": segment})
        conn.execute(text("DELETE FROM segments WHERE id = :s"), {"s": segment})


def test_a_stay_added_at_repeatable_read_is_checked_too(demo_store: Store) -> None:
    segment, contact = _outsider(demo_store)
    with demo_store.engine.connect().execution_options(
            isolation_level="REPEATABLE READ") as conn, conn.begin():
        conn.execute(text(_ADD), {"segment": segment, "contact": contact, "user": None})
    with pytest.raises(IntegrityError), demo_store.engine.connect().execution_options(
            isolation_level="REPEATABLE READ") as conn, conn.begin():
        conn.execute(text(_ADD), {"segment": segment, "contact": 999_999, "user": None})


@pytest.mark.parametrize("sql", ["UPDATE users SET id = 999999 WHERE id = :named",
                                 "TRUNCATE users CASCADE"])
def test_a_named_user_keeps_their_id_and_their_table(demo_store: Store, sql: str) -> None:
    """A user only a stay names (no other table's foreign key speaks first)."""
    segment, contact = _outsider(demo_store)
    with _writing(demo_store) as conn:
        named = int(_one(conn, "INSERT INTO users (name, name_key, role, active) VALUES "
                               "('Temp', 'temp', 'Viewer', TRUE) RETURNING id"))
        conn.execute(text(_ADD), {"segment": segment, "contact": contact, "user": named})
    with pytest.raises(DBAPIError, match="memberships"), _writing(demo_store) as conn:
        conn.execute(text(sql), {"named": named})
    assert _stays(demo_store, "added_by_id", named) == 1
