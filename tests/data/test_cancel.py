"""P12: leaving a screen or quitting cancels the statements running for it.

The Store registers each transaction's connection with the scope it acts for
(core/cancel.py, data/db/running.py); `cancel(scope)` interrupts that scope's reads and
`cancel_all()` everything. Each test starts a statement that would run for minutes,
waits until the database is running it, cancels, and checks that the caller ends with
Cancelled and, on PostgreSQL, that the server stopped too.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from segtui.core.cancel import Cancelled, Scope, acting_for
from segtui.core.records import SegmentFilter
from segtui.data.store import Store
from tests.cancelling import (
    GUARD,
    POSTGRESQL,
    HeldRefresh,
    LongStatement,
    active_on_server,
    evaluation_state,
    stale_dynamic_segments,
)

ROOT = Path(__file__).resolve().parents[2]


class Caller:
    """Runs `work` in a thread of its own, acting for `scope`; keeps how it ended."""

    def __init__(self, work: Callable[[], object], scope: Scope | None = None) -> None:
        self.error: BaseException | None = None
        self.returned = False

        def run() -> None:
            try:
                if scope is None:
                    work()
                else:
                    with acting_for(scope):
                        work()
                self.returned = True
            except BaseException as error:
                self.error = error

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def ended(self) -> BaseException | None:
        self.thread.join(GUARD)
        assert not self.thread.is_alive(), "still running: the cancel did not stop it"
        return self.error


def long_read(store: Store, long: LongStatement) -> Callable[[], None]:
    def read() -> None:
        with store.reading() as conn:
            long.run(conn)

    return read


def assert_stopped_on_server(store: Store) -> None:
    if store.engine.dialect.name == "postgresql":
        assert not active_on_server(store.engine)


def test_cancelling_a_scope_interrupts_its_read(empty_store: Store) -> None:
    scope, long = Scope("screen"), LongStatement()
    caller = Caller(long_read(empty_store, long), scope)
    assert long.running.wait(GUARD)
    empty_store.cancel(scope)
    assert isinstance(caller.ended(), Cancelled)
    assert_stopped_on_server(empty_store)


def test_a_read_on_a_helper_thread_acts_for_the_caller(empty_store: Store) -> None:
    """A tab's statement started beside its own (Store.aside) is the tab's screen's too."""
    scope, long = Scope("screen"), LongStatement()
    aside = empty_store.aside()
    assert aside is not None

    def tab_load() -> None:
        aside(long.run)()  # start it on the helper thread, wait for its answer

    caller = Caller(tab_load, scope)
    assert long.running.wait(GUARD)
    empty_store.cancel(scope)
    assert isinstance(caller.ended(), Cancelled)
    assert_stopped_on_server(empty_store)


def test_other_scopes_go_on(empty_store: Store) -> None:
    left, other, long = Scope("left"), Scope("other"), LongStatement()
    caller = Caller(long_read(empty_store, long), left)
    assert long.running.wait(GUARD)
    empty_store.cancel(other)
    # A cancelled scope refuses its later reads...
    with acting_for(other), pytest.raises(Cancelled):
        empty_store.segments.segment_count(SegmentFilter())
    assert caller.thread.is_alive()  # ...and nobody else's statement
    assert empty_store.segments.segment_count(SegmentFilter()) == 0
    empty_store.cancel(left)
    assert isinstance(caller.ended(), Cancelled)


def test_a_cancelled_scope_still_writes(empty_store: Store) -> None:
    """Leaving a screen does not undo what the user asked it to save."""
    scope = Scope("dialog")
    empty_store.cancel(scope)
    with acting_for(scope), empty_store.orm_session() as session:
        session.execute(text("INSERT INTO settings (key, value) VALUES ('k', 'v')"))
    with empty_store.reading() as conn:
        assert conn.execute(text("SELECT value FROM settings WHERE key = 'k'")).scalar() == "v"


def test_cancel_all_rolls_a_write_back_whole(empty_store: Store) -> None:
    long = LongStatement()

    def write() -> None:
        with empty_store.writing() as conn:
            conn.execute(text("INSERT INTO settings (key, value) VALUES ('half', 'x')"))
            long.run(conn)

    caller = Caller(write)
    assert long.running.wait(GUARD)
    empty_store.cancel_all()
    assert isinstance(caller.ended(), Cancelled)
    assert_stopped_on_server(empty_store)
    with pytest.raises(Cancelled):  # a closing Store starts nothing new
        empty_store.segments.segment_count(SegmentFilter())
    fresh = Store.open(empty_store.url, upgrade=False)
    try:
        with fresh.reading() as conn:
            assert conn.execute(text("SELECT count(*) FROM settings WHERE key = 'half'")
                                ).scalar() == 0
    finally:
        fresh.close()


def test_a_statement_started_after_the_cancel_is_refused(empty_store: Store) -> None:
    """Between two statements of one transaction: the second never reaches the database."""
    scope = Scope("screen")
    ran: list[str] = []

    def two_statements(conn: Connection) -> None:
        conn.execute(text("SELECT 1"))
        ran.append("first")
        empty_store.cancel(scope)
        conn.execute(text("SELECT 2"))
        ran.append("second")

    with acting_for(scope), pytest.raises(Cancelled), empty_store.reading() as conn:
        two_statements(conn)
    assert ran == ["first"]


def test_quitting_stops_a_refresh_between_whole_segments(
        demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The start-up re-evaluation at quit: the segment being evaluated is rolled back whole,
    those done stay done, the rest are left for the next start."""
    stale = stale_dynamic_segments(demo_store)
    held = HeldRefresh(monkeypatch)
    caller = Caller(demo_store.rules.refresh_stale)
    assert held.long.running.wait(GUARD)
    demo_store.cancel_all()
    assert isinstance(caller.ended(), Cancelled)
    assert held.ended.is_set() and held.error is not None  # interrupted, not finished
    assert_stopped_on_server(demo_store)
    state = evaluation_state(demo_store.url, stale)
    assert len(held.done) == 1 and held.held is not None
    assert state[held.done[0]][0]  # committed before the quit
    assert state[held.held] == (False, 0)  # its new members rolled back with it
    assert all(state[s] == (False, 0) for s in stale if s not in (held.done[0], held.held))


KILLED_CLIENT = """
import sys
from sqlalchemy import text
from sqlalchemy.engine import make_url
from segtui.data.store import Store

store = Store.open(make_url(sys.argv[1]), upgrade=False)
with store.reading() as conn:
    conn.execute(text(sys.argv[2])).all()
"""


def test_a_killed_client_leaves_no_statement_running_on_the_server(
        empty_store: Store, tmp_path: Path) -> None:
    """Closing the terminal kills the app (SIGHUP) before it can cancel anything: the
    server notices the client is gone (client_connection_check_interval, data/db/engine.py)
    and stops the statement, instead of running it on for nobody."""
    if empty_store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs in the process: killing it stops everything")
    script = tmp_path / "client.py"
    script.write_text(KILLED_CLIENT, encoding="utf-8")
    url = empty_store.url.render_as_string(hide_password=False)
    child = subprocess.Popen([sys.executable, str(script), url, POSTGRESQL],
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert until(lambda: active_on_server(empty_store.engine)), "never started"
    finally:
        child.kill()
        child.wait()
    assert until(lambda: not active_on_server(empty_store.engine)), "still running"


def test_postgresql_checks_that_its_client_is_there(empty_store: Store) -> None:
    if empty_store.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    with empty_store.reading() as conn:
        assert conn.execute(text("SHOW client_connection_check_interval")).scalar() == "1s"


def until(condition: Callable[[], bool]) -> bool:
    """Poll `condition` until it holds; False only past GUARD (a hang, not a slow run)."""
    deadline = time.monotonic() + GUARD
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
