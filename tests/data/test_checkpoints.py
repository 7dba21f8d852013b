"""C21.1.13: the API server's SQLite log is copied back into the database by a thread after
each write transaction, not by the committing request (data/db/checkpoints.py)."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy import text

from segtui.data.db.checkpoints import LOG_LIMIT_PAGES
from segtui.data.db.engine import sqlite_path
from segtui.data.store import Store


@contextmanager
def another_reader(path: Path) -> Iterator[None]:
    """A second connection holding the file open: closing the Store's last connection
    would otherwise checkpoint the log itself, whatever the thread did."""
    with closing(sqlite3.connect(path)) as held:
        held.execute("SELECT count(*) FROM contacts").fetchone()
        yield


def title_in_file_alone(path: Path, copy: Path) -> str:
    """Contact 1's title as the database file holds it, without its log: what
    checkpoints have copied back."""
    shutil.copyfile(path, copy)  # the file only, not its -wal
    with closing(sqlite3.connect(copy)) as conn:
        return str(conn.execute("SELECT title FROM contacts WHERE id = 1").fetchone()[0])


def retitle(store: Store, title: str) -> None:
    with store.writing() as conn:
        conn.execute(text("UPDATE contacts SET title = :t WHERE id = 1"), {"t": title})


def test_a_write_is_copied_back_by_the_thread(sqlite_demo_store: Store,
                                               tmp_path: Path) -> None:
    store = sqlite_demo_store
    path = sqlite_path(store.engine.url)
    assert path is not None
    with another_reader(path):
        with store.checkpoints_beside():
            retitle(store, "Checkpointed beside")
            with store.engine.connect() as conn:  # the writers leave it to the thread
                assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == \
                    LOG_LIMIT_PAGES
        # Stopped: its last checkpoint ran after the write's commit.
        assert title_in_file_alone(path, tmp_path / "copy.db") == "Checkpointed beside"


def test_without_it_a_small_write_stays_in_the_log(sqlite_demo_store: Store,
                                                   tmp_path: Path) -> None:
    """The control for the test above: a write of a few pages is below SQLite's own
    automatic checkpoint (1,000 pages), so only the thread copies it back."""
    store = sqlite_demo_store
    path = sqlite_path(store.engine.url)
    assert path is not None
    with another_reader(path):
        retitle(store, "Left in the log")
        assert title_in_file_alone(path, tmp_path / "copy.db") != "Left in the log"


def test_after_it_stops_connections_checkpoint_as_before(sqlite_demo_store: Store) -> None:
    store = sqlite_demo_store
    with store.checkpoints_beside():
        retitle(store, "During")
    retitle(store, "After")  # a new connection: the pooled ones were closed
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
    with store.reading() as conn:
        assert conn.execute(text("SELECT title FROM contacts WHERE id = 1")).scalar() == \
            "After"
