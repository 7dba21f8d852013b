"""`store.changes`: what other segtuis on this database committed (C19.1, live collaboration).

An app watches (`watch`: a wait that ends when another connection commits), then asks
what changed since it last looked (`since`); its own changes are left out by the Store's
`origin` (data/writes/changes.py records every change with it).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from segtui.data.store.database import Database

if TYPE_CHECKING:
    from segtui.core.changes import ChangesSince, ChangeWatch


class Changes:
    def __init__(self, db: Database) -> None:
        self._db = db

    def newest(self) -> int:
        """Where a watcher starts: the newest change so far."""
        from segtui.data.queries import changes

        with self._db.reading() as conn:
            return changes.newest_id(conn)

    def since(self, after: int) -> ChangesSince:
        """Other segtuis' changes after `after` (an id from `newest` or the last look)."""
        from segtui.core.changes import ChangesSince
        from segtui.data.queries import changes

        with self._db.reading() as conn:
            return ChangesSince(*changes.changes_since(conn, after, self._db.origin,
                                                       self._db.viewer))

    def watch(self, stop: threading.Event) -> ChangeWatch:
        """A wait for another connection's commit, on a connection of its own (close it)."""
        from segtui.data.db import change_watch

        return change_watch.watch(self._db.engine, stop)
