"""SQLite: the write-ahead log copied back into the database by a thread beside the writers
(C21.1.13), for a process that writes batch after batch: the API server.

By default the connection that commits past 1,000 pages of log copies them back itself
(an automatic checkpoint) before its commit returns. A batch of 10,000 contacts scattered
over the table changes about 10,000 pages: the copy and its flush to disk were 135-150 ms
of every such request, after 1-2 ms for the commit itself. Here the writers' connections
leave it (their automatic checkpoint only above LOG_LIMIT_PAGES, should this thread fall
behind) and a thread checkpoints after each write transaction, while the server reads and
checks the next request's rows (docs/benchmarks.md, "The API's checkpoints beside it").

A PASSIVE checkpoint waits for no one: readers and the next writer carry on, and what it
can't copy yet stays for the next one. The log starts again from its beginning when a
writer finds every page copied back, so it stays about one batch long.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

# A writer's own automatic checkpoint, only should the thread fall behind: 256 MB of log
# at 4 KB pages. SQLite's default is 1,000 pages.
LOG_LIMIT_PAGES = 65_536


class Checkpointer:
    """A thread checkpointing `path`'s log after each write transaction of `engine`
    (a SQLite file's): `start`, then `stop` when the process is done writing."""

    def __init__(self, engine: Engine, path: Path) -> None:
        self.engine, self.path = engine, path
        self._due = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="segtui-checkpoints",
                                        daemon=True)

    def start(self) -> None:
        event.listen(self.engine, "checkout", _leave_checkpoints)
        event.listen(self.engine, "checkin", self._checked_in)
        self._thread.start()

    def stop(self) -> None:
        """Finish: the last checkpoint runs (a checkpoint under way ends first), and the
        pool's idle connections, whose own checkpoints were left to the thread, close
        (the engine makes new ones as SQLite's default has them)."""
        event.remove(self.engine, "checkout", _leave_checkpoints)
        event.remove(self.engine, "checkin", self._checked_in)
        self._stopping = True
        self._due.set()
        self._thread.join()
        self.engine.dispose()

    def _checked_in(self, dbapi_connection: Any, record: Any) -> None:
        """A connection back in the pool: if it wrote since it was last checked in, its
        transaction has ended (committed or rolled back), so there may be pages to copy."""
        if dbapi_connection is None:
            return
        changes = dbapi_connection.total_changes
        if changes != record.info.get(_CHANGES_SEEN):
            record.info[_CHANGES_SEEN] = changes
            self._due.set()

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            while True:
                self._due.wait()
                self._due.clear()
                # A checkpoint that fails (the disk full, the file locked by a VACUUM) is
                # left for the next one; meanwhile the writers' own limit bounds the log.
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                if self._stopping:
                    return
        finally:
            conn.close()


_CHANGES_SEEN = "segtui_changes_seen"
_LEFT = "segtui_checkpoints_left"


def _leave_checkpoints(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Each pooled connection, once: automatic checkpoints only past LOG_LIMIT_PAGES."""
    if record.info.get(_LEFT):
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA wal_autocheckpoint = {LOG_LIMIT_PAGES}")
    finally:
        cursor.close()
    record.info[_LEFT] = True
    record.info[_CHANGES_SEEN] = dbapi_connection.total_changes
