"""The connections the Store is using, on whose behalf, and interrupting them (P12;
docs/architecture.md, "Cancelling statements").

Each Store transaction registers its connection here with the scope it runs for
(core/cancel.py). `cancel(scope)` stops that scope's reads; `cancel_all()` (the app is
quitting, the Store closing) stops everything, writes included: a write transaction
interrupted is rolled back whole, like any failed write. Leaving a screen does not stop
its writes: the user asked for that change, and a dialog may close as it saves.

Stopping a connection means three things:
- it is marked stopped, under a lock, so its next statement is refused before it reaches
  the database (`_refuse_if_stopped`) and a stopped scope starts no new transaction;
- the statement it is running is interrupted at the driver, from another thread, which
  both drivers support: SQLite's `sqlite3_interrupt` (`Connection.interrupt()`), and
  PostgreSQL's cancel request (psycopg's `cancel_safe()`, so the server stops too);
- whatever error that makes (SQLite's "interrupted", psycopg's QueryCanceled, a failed
  rollback after SQLite dropped the transaction) leaves the transaction as `Cancelled`.

The interrupts are sent by a helper thread, never by the caller: the UI thread calls
`cancel`, and a PostgreSQL cancel request is a network round trip. The helper sends them
again every RESEND_SECONDS while a stopped connection is still out, because an interrupt
that arrives between two statements (or just before one starts) is lost: SQLite clears it
when the next statement starts, PostgreSQL ignores a cancel for an idle backend. The
refusal covers a statement that starts after the mark; the re-send covers one that had
passed the check a moment before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.pool import StaticPool

from segtui.core.cancel import Cancelled, Scope, current_scope

RESEND_SECONDS = 0.1
# How long the helper waits for PostgreSQL to take a cancel request before it moves on.
CANCEL_TIMEOUT_SECONDS = 5.0
_KEY = "segtui_out"  # where a connection's _Out lives in its `info` while it is out


class _Out:
    """A connection out of the pool for one Store transaction."""

    __slots__ = ("dbapi", "guard", "scope", "stopped", "tracked", "writing")

    def __init__(self, dbapi: Any, scope: Scope | None, writing: bool) -> None:
        self.dbapi = dbapi
        self.scope = scope
        self.writing = writing
        self.stopped = False
        self.tracked = True
        # Held while an interrupt is sent, and to mark the connection returned: an
        # interrupt never reaches a connection someone else has taken from the pool since.
        self.guard = threading.Lock()


class Running:
    """The registry of one Store's connections in use (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self._interrupt = _interrupter(engine)
        self._lock = threading.Condition()
        self._out: set[_Out] = set()
        self._closing = False
        self._more = False  # connections were stopped since the helper last looked
        self._helper: threading.Thread | None = None
        event.listen(engine, "before_cursor_execute", _refuse_if_stopped)

    @contextmanager
    def track(self, conn: Connection, *, writing: bool) -> Iterator[None]:
        """Register `conn` for the transaction inside, on behalf of the current scope.
        Cancelled at once when that scope (for a read) or the Store is stopped already."""
        scope = current_scope()
        out = _Out(conn.connection.dbapi_connection, scope, writing)
        with self._lock:
            if self._closing or (not writing and scope is not None and scope.cancelled):
                raise Cancelled
            self._out.add(out)
        conn.info[_KEY] = out
        try:
            yield
        except Exception:
            if out.stopped:  # whatever the interrupt made of the statement
                raise Cancelled from None
            raise
        finally:
            # A connection the database dropped is invalidated: reading its `info` would
            # raise over the error that dropped it, and the pool clears it on reconnecting.
            if not conn.invalidated:
                conn.info.pop(_KEY, None)
            with out.guard:
                out.tracked = False
            with self._lock:
                self._out.discard(out)

    def cancel(self, scope: Scope) -> None:
        """Stop the reads running on behalf of `scope`, and refuse its later ones. Returns
        at once: the interrupts are sent by the helper thread."""
        with self._lock:
            scope.cancelled = True
            self._stop([o for o in self._out if o.scope is scope and not o.writing])

    def cancel_all(self) -> None:
        """Stop everything running, writes too, and refuse every later transaction."""
        with self._lock:
            self._closing = True
            self._stop(list(self._out))

    def _stop(self, outs: list[_Out]) -> None:  # with self._lock held
        if not outs:
            return
        for out in outs:
            out.stopped = True
        self._more = True
        if self._helper is None:
            self._helper = threading.Thread(target=self._send, name="segtui-cancel",
                                             daemon=True)
            self._helper.start()
        else:
            self._lock.notify_all()

    def _send(self) -> None:
        """The helper thread: interrupt the stopped connections until none is out."""
        while True:
            with self._lock:
                stopped = [o for o in self._out if o.stopped]
                if not stopped:
                    self._helper = None
                    return
                self._more = False
            for out in stopped:
                with out.guard:
                    if out.tracked:
                        self._interrupt(out.dbapi)
            with self._lock:
                self._lock.wait_for(lambda: self._more, timeout=RESEND_SECONDS)


def _refuse_if_stopped(conn: Connection, *_: Any) -> None:
    """before_cursor_execute: a stopped connection runs no further statement."""
    out = conn.info.get(_KEY)
    if out is not None and out.stopped:
        raise Cancelled


def _interrupter(engine: Engine) -> Callable[[Any], None]:
    if isinstance(engine.pool, StaticPool):
        # One connection shared by every thread (an in-memory database): interrupting it
        # would stop other scopes' statements too. Refusing the next statement is all.
        return lambda _dbapi: None
    if engine.dialect.name == "sqlite":
        return _interrupt_sqlite
    return _cancel_postgresql


def _interrupt_sqlite(dbapi: Any) -> None:
    with suppress(Exception):  # closed meanwhile: nothing runs on it any more
        dbapi.interrupt()


def _cancel_postgresql(dbapi: Any) -> None:
    with suppress(Exception):  # closed, or the server unreachable: the resend tries again
        dbapi.cancel_safe(timeout=CANCEL_TIMEOUT_SECONDS)
