"""The Store's plumbing: one database, its connections and transactions.

`reading()` and `writing()` give one transaction each (a write: BEGIN IMMEDIATE on SQLite,
DatabaseBusy after the busy timeout), registered with the scope they run for so `cancel`
can interrupt them (data/db/running.py, core/cancel.py). `aside()` and `helper` run reads
beside the caller's on connections of their own (P7). The facets (segments.py,
rules.py, ...) make every query through these.
"""

from __future__ import annotations

import contextvars
import functools
import secrets
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any, Self, TypeVar

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool

from segtui.core.busy import DatabaseBusy
from segtui.core.cancel import Scope
from segtui.data.db import schema_version
from segtui.data.db.engine import (
    ACTOR_OPTION,
    ORIGIN_OPTION,
    WRITE_OPTION,
    is_busy,
    lookup_engine,
    make_engine,
    sqlite_path,
)
from segtui.data.db.running import Running
from segtui.data.db.tables import Contact, Segment, Setting

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from segtui.core.permissions import CurrentUser
    from segtui.data.db.sql import Aside


PAGE_SIZE = 200


# Threads for the reads the detail tabs start beside their own (Store.aside): one per tab
# that has them (Performance, Analytics, Insights), and one for a tab reloaded while its
# previous load still runs.
TAB_HELPERS = 4


FIXED_TODAY_SETTING = "clock.today"


T = TypeVar("T")


INCREMENTAL_LIMIT = 20_000  # changed contacts re-evaluated one by one; more: every rule


@contextmanager
def busy_is_clear() -> Iterator[None]:
    """SQLite's "database is locked" (another process kept the write lock past the busy
    timeout) becomes DatabaseBusy with how long we waited: the one place that turns it
    into words a user can act on (I16.12). Any other error passes unchanged."""
    started = time.monotonic()
    try:
        yield
    except OperationalError as exc:
        if is_busy(exc):
            raise DatabaseBusy(time.monotonic() - started) from None
        raise


def in_this_context(function: Callable[..., T]) -> Callable[..., T]:
    """`function`, to run in another thread in the caller's context: a read started on a
    helper thread acts for the caller's scope, and is cancelled with it (core/cancel.py)."""
    return functools.partial(contextvars.copy_context().run, function)



class Database:
    """One database: its engine, connections, transactions and running statements."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.writer = engine.execution_options(**{WRITE_OPTION: True})
        # PostgreSQL reads at REPEATABLE READ: one snapshot for the whole transaction, as
        # a SQLite read has from its first statement (F2.2.8). READ COMMITTED, the
        # server's default and the writes' level, takes a new one per statement: a count
        # and the page it goes with could disagree while someone writes. psycopg names
        # the level in the BEGIN it sends with the first statement (no round trip), and
        # the pool sets it back when the connection returns.
        self.reader = (engine.execution_options(isolation_level="REPEATABLE READ")
                       if engine.dialect.name == "postgresql" else engine)
        # Two more readers for statements worth splitting (segment_summary); made when
        # first needed. An in-memory database is one shared connection: never split.
        self.helper: ThreadPoolExecutor | None = None
        self.tab_helper: ThreadPoolExecutor | None = None
        self.can_split = not isinstance(engine.pool, StaticPool)
        self.running = Running(engine)
        # Who writes (C19.1): this Store's token, so an app knows its own changes from
        # another segtui's in the change log, and the user it acts for (the last one
        # resolved: Users.current_user), named on changes no user asked for.
        self.origin = secrets.token_hex(8)
        self.actor: str | None = None
        self._maintains: bool | None = None  # may_maintain(), once asked
        # Whose segments this Store reads (C19.3.2: data/queries/visibility.py): the same
        # user. None (no user resolved: the tests' fixtures, a migration) sees every one.
        self.viewer: CurrentUser | None = None

    def act_for(self, user: CurrentUser) -> None:
        """From now on this Store reads what `user` may see and records what nobody in
        particular asked for as theirs (Users.current_user calls it; so may a caller that
        resolved the user itself, e.g. the app handed one)."""
        self.actor = user.name
        self.viewer = user

    @classmethod
    def open(cls, url: URL, *, upgrade: bool = True) -> Self:
        """Connect to `url`, creating and migrating the schema unless told not to (a
        database already at the newest revision costs one SELECT: data/db/schema_version.py)."""
        store = cls(make_engine(url))
        if upgrade:
            schema_version.upgrade_if_needed(store.engine)
        return store

    def lookups(self) -> Self:
        """A Store of the same database for one thread's short reads by key, on a
        connection of its own (`engine.lookup_engine`: the API server's event loop,
        C21.1.13); this Store itself for an in-memory database. Closed by its maker."""
        engine = lookup_engine(self.engine)
        return self if engine is self.engine else type(self)(engine)

    def close(self) -> None:
        """Stop whatever still runs (cancel_all) and let go of the database, without
        waiting for the helper threads: their statements end at the interrupt."""
        self.cancel_all()
        for helper in (self.helper, self.tab_helper):
            if helper is not None:
                helper.shutdown(wait=False, cancel_futures=True)
        self.engine.dispose()

    def cancel(self, scope: Scope) -> None:
        """Interrupt the reads running on behalf of `scope` (core/cancel.py: a screen the
        user left) and refuse its later ones: each ends with Cancelled. Its writes run
        on: the user asked for them. Returns at once (data/db/running.py)."""
        self.running.cancel(scope)

    def cancel_all(self) -> None:
        """Interrupt every statement running, writes too (each write transaction is
        rolled back whole), and refuse every later one: the app is quitting."""
        self.running.cancel_all()

    @property
    def url(self) -> URL:
        return self.engine.url

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """One read transaction: the queries inside see one consistent snapshot (F2.2.8).
        Cancelled when its scope is cancelled (Store.cancel)."""
        with busy_is_clear(), self.reader.connect() as conn, conn.begin(), \
                self.running.track(conn, writing=False):
            yield conn

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One write transaction (BEGIN IMMEDIATE on SQLite); commits on success.
        DatabaseBusy when another process held SQLite's write lock past the busy timeout;
        Cancelled (rolled back) when the Store is stopped (Store.cancel_all)."""
        with busy_is_clear(), self.writer.connect() as conn, \
                self.stamped(conn).begin(), self.running.track(conn, writing=True):
            yield conn

    @contextmanager
    def checkpoints_beside(self) -> Iterator[None]:
        """While inside, a SQLite file's log is copied back into it by a thread after each
        write transaction, not by the committing connection (data/db/checkpoints.py): for
        a process that writes batch after batch, the API server. Nothing on PostgreSQL
        or in memory."""
        path = sqlite_path(self.engine.url)
        if path is None:
            yield
            return
        from segtui.data.db.checkpoints import Checkpointer

        checkpointer = Checkpointer(self.engine, path)
        checkpointer.start()
        try:
            yield
        finally:
            checkpointer.stop()

    def stamped(self, conn: Connection) -> Connection:
        """`conn`, its changes recorded as this Store's (data/writes/changes.py)."""
        return conn.execution_options(**{ORIGIN_OPTION: self.origin, ACTOR_OPTION: self.actor})

    @contextmanager
    def orm_session(self) -> Iterator[Session]:
        """A write transaction as `writing()`'s, through an ORM Session, for code that
        builds rows as objects (data/db/models.py): the tests' fixtures. The app writes the
        Core tables and never loads the ORM (data/db/tables/)."""
        from sqlalchemy.orm import Session

        with busy_is_clear(), Session(self.writer, expire_on_commit=False) as session, \
                session.begin(), self.running.track(self.stamped(session.connection()),
                                                    writing=True):
            yield session

    def may_maintain(self) -> bool:
        """Whether this connection's login may do the writes segtui does unasked (keeping
        dynamic segments fresh: start-up, every 60 s, before a reader shows members).
        Always on SQLite; on PostgreSQL, a Viewer's login may not (C19.2.6): the worker,
        or a Manager's segtui, does that work, and the Viewer's segtui leaves it owed
        instead of failing on permission denied. Asked of the database once."""
        if self._maintains is None:
            from segtui.data.db.grants import may_write_data

            with self.reading() as conn:
                self._maintains = may_write_data(conn)
        return self._maintains

    def is_empty(self) -> bool:
        """True when the database holds no contacts and no segments."""
        with self.reading() as conn:
            contacts = conn.execute(select(func.count()).select_from(Contact)).scalar_one()
            segments = conn.execute(select(func.count()).select_from(Segment)).scalar_one()
        return contacts == 0 and segments == 0

    def fixed_today(self) -> date | None:
        """The date this database's data is anchored to, if it has one (demo databases)."""
        with self.reading() as conn:
            value = conn.execute(
                select(Setting.value).where(Setting.key == FIXED_TODAY_SETTING)
            ).scalar_one_or_none()
        return date.fromisoformat(value) if value else None

    def on_own_connection(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self.reading() as conn:
            return query(conn, *args, **kwargs)

    def aside(self) -> Aside | None:
        """Reads a tab starts beside its own, each on a connection of its own (P6): a
        pool apart from the cards' helpers, with room for every tab at once, so a slow tab
        never holds up the cards or another tab. None for an in-memory database (one
        shared connection)."""
        if not self.can_split:
            return None
        if self.tab_helper is None:
            self.tab_helper = ThreadPoolExecutor(max_workers=TAB_HELPERS,
                                                 thread_name_prefix="segtui-tab")
        pool = self.tab_helper

        def start(query: Callable[[Connection], T], /) -> Callable[[], T]:
            return pool.submit(in_this_context(self.on_own_connection), query).result

        return start
