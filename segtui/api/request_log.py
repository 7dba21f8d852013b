"""The API server's request log (C21.2.3): an audit entry per request, as the token's user,
and each token's last use, written by one thread in batches.

A request does not wait for its log line: 20 clients reading at once would otherwise
queue on SQLite's one writer for every GET. Lines are written within `every` seconds (or
each `most` lines) in one transaction, and whatever is left when the server stops is
written before it exits. A process killed with SIGKILL loses at most the last `every`
seconds of lines; what a request changed is audited in its own transaction, as in the
app, and loses nothing.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from segtui.core.permissions import CurrentUser
    from segtui.data.store import Store

log = logging.getLogger("segtui.api")


class RequestLog:
    def __init__(self, store: Store, *, every: float = 0.5, most: int = 500) -> None:
        self._store = store
        self._every = every
        self._most = most
        self._lock = threading.Lock()
        self._lines: list[tuple[CurrentUser, str, str]] = []
        self._used: dict[int, datetime] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="api-request-log", daemon=True)
        self._thread.start()

    def add(self, token_id: int, user: CurrentUser, request: str, outcome: str) -> None:
        with self._lock:
            self._lines.append((user, request, outcome))
            self._used[token_id] = datetime.now().replace(microsecond=0)
            full = len(self._lines) >= self._most
        if full:
            self._wake.set()

    def flush(self) -> None:
        """Write what is waiting, now (the tests, and stopping)."""
        with self._lock:
            lines, used = self._lines, self._used
            self._lines, self._used = [], {}
        if not lines and not used:
            return
        try:
            self._store.tokens.record_requests(used, lines)
        except Exception:  # the log must not stop the server; say so and keep the lines
            log.exception("segtui api: could not write the request log; will retry")
            with self._lock:
                self._lines[:0] = lines
                for token_id, at in used.items():
                    self._used.setdefault(token_id, at)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
        self.flush()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._every)
            self._wake.clear()
            self.flush()
