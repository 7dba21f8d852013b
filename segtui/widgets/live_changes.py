"""Live collaboration (C19.1): the app hears what other segtuis on the same database commit,
and every open screen shows it without a key being pressed.

A thread of the app's own (not a Textual worker: it runs as long as the app, and tests
that wait for the workers to finish must not wait for it) waits on the database
(`store.changes`, a ChangeFeed: LISTEN on PostgreSQL, data_version on SQLite), reads what others
changed since it last looked, and posts `OthersChanged` to every screen in the stack,
at most once per GAP seconds, so a colleague's import or a refresh of many segments
reloads a screen once, not once per statement. Each screen reloads what the changes
concern and keeps its cursor; the screen on top says who changed what (a toast).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from textual.app import App
from textual.message import Message
from textual.screen import Screen

from segtui.core.changes import ChangeFeed, ChangesSince, updated_by
from segtui.widgets.workers import alive, deliver

WAIT_SECONDS = 0.25  # one wait on the database; the thread ends within this after quit
GAP = 1.0  # at least this between two deliveries: reloads coalesce
RETRY_SECONDS = 2.0  # after the database could not be reached


class OthersChanged(Message, bubble=False):
    """Another segtui committed these changes (`more`: so many that everything may have
    changed)."""

    def __init__(self, found: ChangesSince) -> None:
        super().__init__()
        self.changes = found.changes
        self.more = found.more


def announce(screen: Screen[Any], event: OthersChanged, segment_id: int | None = None
             ) -> None:
    """The screen on top says who changed what (a screen about one segment: what concerns
    it); a screen under another says nothing, its reload is all."""
    line = updated_by(event.changes, segment_id)
    if screen.is_current and line:
        screen.notify(line, timeout=4)


class LiveChanges:
    """The app's ear on the database: start() when the app has mounted; it stops with the
    app (or stop())."""

    def __init__(self, app: App[Any], feed: ChangeFeed,
                 publish: Callable[[ChangesSince], None]) -> None:
        self._app = app
        self._feed = feed
        self._publish = publish
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="segtui-live-changes",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _running(self) -> bool:
        if not alive(self._app):
            self._stop.set()
        return not self._stop.is_set()

    def _run(self) -> None:
        watch = None
        after: int | None = None
        while self._running():
            try:
                if after is None:
                    after = self._feed.newest()
                if watch is None:
                    # A commit between reading `after` and the watch beginning wakes
                    # nothing (LISTEN not yet issued; SQLite's data_version already
                    # counts it): look once now, then wait.
                    watch = self._feed.watch(self._stop)
                elif not watch.wait(WAIT_SECONDS):
                    continue
                found = self._feed.since(after)
                after = found.newest
                if found.changes or found.more:
                    deliver(self._app, self._publish, found)
                    self._stop.wait(GAP)
            except Exception:
                # The server went away, or the Store is closing: look again later (what
                # was committed meanwhile is still in the log, after `after`).
                if watch is not None:
                    with suppress(Exception):
                        watch.close()
                    watch = None
                self._stop.wait(RETRY_SECONDS)
        if watch is not None:
            with suppress(Exception):
                watch.close()
