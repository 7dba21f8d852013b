"""Waiting for another connection's commit (C19.1, live collaboration), cheaply, on a
connection of its own that holds no transaction:

- PostgreSQL: LISTEN on the channel the change log's trigger notifies at each commit that
  recorded a change (migration 0014); the wait ends as the notification arrives.
- SQLite: `PRAGMA data_version`, which changes when any other connection (another process,
  or another connection of this one) commits; read every POLL_SECONDS, a few microseconds
  each. SQLite has no notifications between processes.

Either way a wake-up says only "look": the change log says what changed, and whose it was
(data/store/changes.py).
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine

from segtui.core.changes import ChangeWatch

CHANNEL = "segtui_changes"
POLL_SECONDS = 0.2  # SQLite: how often data_version is read while waiting


def watch(engine: Engine, stop: threading.Event) -> ChangeWatch:
    """A watch on `engine`'s database, on a connection the pool never sees again; `stop`
    set ends a SQLite wait early (a PostgreSQL wait ends within its timeout)."""
    raw = engine.raw_connection()
    driver = raw.driver_connection
    raw.detach()  # closing it closes it: it never goes back to the pool
    if engine.dialect.name == "postgresql":
        return _Listen(driver)
    return _DataVersion(driver, stop)


class _Listen:
    def __init__(self, conn: Any) -> None:
        self._conn = conn  # a psycopg.Connection
        conn.rollback()  # the pool's liveness check may have begun a transaction
        conn.autocommit = True  # a notification waits for no transaction to end
        conn.execute(f"LISTEN {CHANNEL}")

    def wait(self, timeout: float) -> bool:
        # Several commits while we looked at the log are several notifications: one
        # look covers them all, so take every one waiting, then the first to come.
        arrived = False
        for _ in self._conn.notifies(timeout=timeout, stop_after=1):
            arrived = True
        return arrived

    def close(self) -> None:
        self._conn.close()


class _DataVersion:
    def __init__(self, raw: Any, stop: threading.Event) -> None:
        self._raw = raw
        self._stop = stop
        cursor = raw.cursor()
        try:
            cursor.execute("PRAGMA mmap_size=0")  # it reads one number: map nothing
        finally:
            cursor.close()
        self._seen = self._version()

    def _version(self) -> int:
        cursor = self._raw.cursor()
        try:
            cursor.execute("PRAGMA data_version")
            return int(cursor.fetchone()[0])
        finally:
            cursor.close()

    def wait(self, timeout: float) -> bool:
        waited = 0.0
        while True:
            version = self._version()
            if version != self._seen:
                self._seen = version
                return True
            if waited >= timeout or self._stop.wait(POLL_SECONDS):
                return False
            waited += POLL_SECONDS

    def close(self) -> None:
        self._raw.close()
