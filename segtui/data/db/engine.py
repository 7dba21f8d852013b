"""Where the database is and how segtui connects to it.

SQLite (the embedded default) is tuned for an interactive app that reads from worker threads
while writing: WAL so readers never block the writer, foreign keys on, a busy timeout, and
`BEGIN IMMEDIATE` for write transactions so two writers queue up at BEGIN instead of
failing half-way with "database is locked". PostgreSQL needs none of this.
"""

from __future__ import annotations

import os
import sqlite3
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool

ENV_VAR = "SEGTUI_DATABASE_URL"
# How long a SQLite write waits for another process's write transaction (an import) to
# end before it gives up with DatabaseBusy (core/busy.py). SEGTUI_BUSY_TIMEOUT (seconds)
# overrides it: longer for scripts queued behind big imports, shorter for tests.
BUSY_TIMEOUT_MS = 10_000
BUSY_TIMEOUT_VAR = "SEGTUI_BUSY_TIMEOUT"
# Execution option that marks a connection as a writer (see `_begin`).
WRITE_OPTION = "segtui_write"
# Execution options naming who writes, for the change log (data/writes/changes.py): the
# Store's token and the user it acts for (Database.stamped).
ORIGIN_OPTION = "segtui_origin"
ACTOR_OPTION = "segtui_actor"


class DatabaseUrlError(ValueError):
    """A --db value that is neither a path nor a database URL segtui supports."""


def default_database_path() -> Path:
    """The embedded default database, in the platform's user data directory."""
    import platformdirs  # only needed when no --db is given

    return platformdirs.user_data_path("segtui") / "segtui.db"


def resolve_url(db: str | None = None) -> URL:
    """--db, else SEGTUI_DATABASE_URL, else the default file; paths become SQLite URLs."""
    raw = (db or os.environ.get(ENV_VAR, "")).strip()
    if not raw:
        return sqlite_url(default_database_path())
    if "://" not in raw:
        return sqlite_url(Path(raw))
    try:
        url = make_url(raw)
    except Exception as exc:
        raise DatabaseUrlError(f"not a database URL: {raw!r} ({exc})") from None
    backend = url.get_backend_name()
    if backend in ("postgres", "postgresql"):
        # psycopg 3 is the driver segtui ships with; plain postgresql:// would ask for psycopg2.
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return url
    raise DatabaseUrlError(
        f"unsupported database {backend!r}: use a file path, sqlite:///PATH or "
        "postgresql+psycopg://USER@HOST/DB"
    )


def sqlite_url(path: Path) -> URL:
    return URL.create("sqlite", database=str(path.expanduser().resolve()))


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_path(url: URL) -> Path | None:
    """The file behind a SQLite URL, or None for in-memory databases and other engines."""
    if not is_sqlite(url) or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def busy_timeout_ms() -> int:
    """The SQLite busy timeout: SEGTUI_BUSY_TIMEOUT seconds, else BUSY_TIMEOUT_MS."""
    raw = os.environ.get(BUSY_TIMEOUT_VAR, "").strip()
    if not raw:
        return BUSY_TIMEOUT_MS
    try:
        seconds = float(raw)
    except ValueError:
        raise DatabaseUrlError(f"{BUSY_TIMEOUT_VAR}={raw!r} is not a number of seconds"
                               ) from None
    if not 0 <= seconds <= 86_400:
        raise DatabaseUrlError(f"{BUSY_TIMEOUT_VAR}={raw!r}: give 0 to 86400 seconds")
    return round(seconds * 1000)


def make_engine(url: URL) -> Engine:
    if is_sqlite(url):
        return _sqlite_engine(url)
    from segtui.data.db.tables import postgresql_partial_indexes

    postgresql_partial_indexes()
    # JIT off: segtui's statements are interactive reads of a few hundred milliseconds at
    # most, and PostgreSQL's cost threshold compiles them anyway, inlining and optimising
    # for 0.3-1.1 s before running them (the AI Insights member pass at a million contacts:
    # 1,124 ms of JIT in a 1,357 ms statement, P7).
    # Custom plans always: psycopg prepares a statement sent five times, and PostgreSQL
    # then may plan it once for any parameters. segtui's data is skewed (a segment of 30
    # members, one of 100,000; a city, a country), so a plan made without the values can
    # be a thousand times slower (a refresh's count of a segment's leavers: 10 ms planned
    # for its values, 1.4 s planned generically). Planning each time costs about 1 ms.
    engine = create_engine(
        url, pool_pre_ping=True, pool_size=5, max_overflow=5,
        connect_args={"options": "-c jit=off -c plan_cache_mode=force_custom_plan"})
    event.listen(engine, "connect", _postgresql_connect)
    return engine


# How long a lookup waits for a lock on PostgreSQL (a migration altering a table) before it
# fails: the thread it blocks is the API server's event loop, which serves every request.
LOOKUP_LOCK_TIMEOUT_MS = 5000
# How the lookups' connection is named in pg_stat_activity.
LOOKUP_APPLICATION = "segtui api lookups"


def lookup_engine(engine: Engine) -> Engine:
    """An engine beside `engine` for one thread's short reads by key: the API server's
    event loop checking a token and reading a segment by id (C21.1.13). Handing those to
    worker threads cost more than the reads (a GET's p95 under 20 clients: 154 ms, against
    49 ms read on the loop; docs/benchmarks.md). One connection, which that thread alone
    uses, so it never waits for a pool the slow requests (an export, an upsert) hold. On
    PostgreSQL each statement is its own transaction (no BEGIN and COMMIT round trips:
    a lookup is one statement), and a plan may be reused: a lookup by key has one good
    plan, and planning the segment's header cost more than running it. An in-memory
    SQLite database is one shared connection: `engine` itself."""
    url = engine.url
    if isinstance(engine.pool, StaticPool):
        return engine
    if is_sqlite(url):
        return _sqlite_engine(url, pool_size=1, max_overflow=0)
    # Not pinged before each use: the ping's round trip held the loop for every request
    # (p95 59-60 ms pinged, 32-44 ms not). A connection the server dropped fails its next
    # statement and is replaced; the token check, every request's first, asks once more
    # then (data/store/tokens.py).
    lookups = create_engine(
        url, pool_size=1, max_overflow=0, isolation_level="AUTOCOMMIT",
        connect_args={"options": f"-c jit=off -c lock_timeout={LOOKUP_LOCK_TIMEOUT_MS}",
                      "application_name": LOOKUP_APPLICATION})
    event.listen(lookups, "connect", _postgresql_connect)
    return lookups


# PostgreSQL 14+ checks this often (ms) that the client is still there while a statement
# runs, and stops the statement if not. The app cancels its statements when it quits
# (data/db/running.py), but a process that is killed cancels nothing: closing the terminal
# sends SIGHUP, which ends Python at once, and the server used to run the AI Insights
# query on for minutes for nobody (P12).
CLIENT_CHECK_MS = 1000


def _postgresql_connect(dbapi_connection: Any, _record: Any) -> None:
    if dbapi_connection.info.server_version < 140000:
        return
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET client_connection_check_interval = {CLIENT_CHECK_MS}")
        dbapi_connection.commit()
    except Exception:  # a server platform without the check (it needs POLLRDHUP)
        dbapi_connection.rollback()


def _sqlite_engine(url: URL, **pool: int) -> Engine:
    path = sqlite_path(url)
    timeout_ms = busy_timeout_ms()
    kwargs: dict[str, Any] = {
        "connect_args": {"check_same_thread": False, "timeout": timeout_ms / 1000}, **pool,
    }
    if path is None:
        kwargs["poolclass"] = StaticPool  # one shared in-memory database
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", partial(_sqlite_connect, timeout_ms))
    event.listen(engine, "begin", _sqlite_begin)
    event.listen(engine, "checkin", _release_memory_map)
    event.listen(engine, "before_cursor_execute", _unmap_lone_scan)
    return engine


MMAP_BYTES = 2_147_418_112  # SQLite's default ceiling (SQLITE_MAX_MMAP_SIZE)
# Unmaps the file at once when no statement is open; the connection reads through its
# page cache until the limit is set again.
_UNMAP = "PRAGMA mmap_size=0"


def _sqlite_connect(timeout_ms: int, dbapi_connection: Any, _record: Any) -> None:
    # Hand transaction control to SQLAlchemy (pysqlite's own BEGIN is deferred and late).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={timeout_ms}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Read the file through a memory map instead of read() calls: a pass over 100,000
        # members touches ~50,000 scattered contact pages, and copying each into SQLite's
        # small page cache was a quarter of that query's time (docs/benchmarks.md). Pages
        # are the operating system's file cache, shared, not extra memory.
        cursor.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
    finally:
        cursor.close()
    register_sqlite_functions(dbapi_connection)


def _release_memory_map(dbapi_connection: Any, _record: Any) -> None:
    """Unmap the database file when a connection goes back to the pool; its next read maps
    it again. The pages are the operating system's file cache either way, but every page a
    mapping has touched counts in the process's resident size, once per connection: after
    the detail tabs at a million contacts, 4.9 GB of a 2.5 GB file (P12). Unmapped
    when idle, the app rests at its own ~110 MB; the pages stay cached, so mapping them
    again costs page-table entries, not reads (docs/benchmarks.md, "Memory")."""
    if dbapi_connection is None:  # invalidated: nothing is open any more
        return
    cursor = dbapi_connection.cursor()
    try:
        # Setting the limit unmaps at once (no statement is open at check-in); setting it
        # back leaves the file unmapped until the next read transaction needs it.
        cursor.execute(_UNMAP)
        cursor.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
    finally:
        cursor.close()


def without_memory_map(conn: Connection) -> None:
    """SQLite: this connection reads the file through SQLite's page cache (`pread()`), not
    the memory map, until it goes back to the pool, which maps it again
    (`_release_memory_map`). For statements that read whole tables in order: touching
    every page of a freshly mapped table costs more here than copying the pages through
    SQLite's small cache, which stays hot, where scattered reads (a member pass over
    100,000 contacts, an index walk) are cheaper mapped (docs/benchmarks.md, "Scans
    without the memory map"). A discovery's scans ran as fast unmapped (7.0-9.7 s mapped,
    7.4-7.8 s not) and keep 1.9 GB of mapped pages out of the resident size. Nothing on
    PostgreSQL."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(_UNMAP)


# A statement's execution option: on SQLite, run it without the memory map when its plan
# is a lone scan of one table from end to end (`_unmap_lone_scan`).
UNMAPPED_IF_SCAN = "segtui_unmapped_if_scan"


def _unmap_lone_scan(_conn: Any, cursor: Any, statement: str, parameters: Any,
                     context: Any, executemany: bool) -> None:
    """A statement marked UNMAPPED_IF_SCAN (a rule's live count) asks SQLite for its plan
    first, and reads unmapped, as `without_memory_map` makes a connection, when the plan
    is a single `SCAN <table>`: a rule on a column no index holds (`title contains
    "sales"`) reads all of `contacts`, 20-25% faster through the page cache here (256 ->
    201 ms at a million contacts). Any other plan keeps the map: walking an index
    (`email contains`), or a lookup per contact in another table (`clicked >= 3`), was
    10-15% slower unmapped.
    The plan costs a prepare, well under a millisecond (docs/benchmarks.md, "Scans
    without the memory map")."""
    if executemany or context is None or not context.execution_options.get(UNMAPPED_IF_SCAN):
        return
    plan = [str(row[-1]) for row in
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()]
    if len(plan) == 1 and plan[0].startswith("SCAN ") and " USING " not in plan[0]:
        cursor.execute(_UNMAP)  # mapped again when it goes back to the pool


def register_sqlite_functions(dbapi_connection: Any) -> None:
    """SQL functions SQLite lacks. casefold(): full Unicode case folding, where SQLite's
    lower() folds ASCII only ('É' stays 'É'); see `segtui.data.db.sql.casefold`."""
    dbapi_connection.create_function(
        "casefold", 1, lambda v: v.casefold() if isinstance(v, str) else v,
        deterministic=True,
    )


def is_busy(error: BaseException) -> bool:
    """Is this SQLite's "database is locked": another connection held the write lock for
    longer than the busy timeout?"""
    orig = getattr(error, "orig", error)
    return isinstance(orig, sqlite3.OperationalError) and (
        getattr(orig, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
        or "database is locked" in str(orig))


def _sqlite_begin(connection: Any) -> None:
    writing = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")
