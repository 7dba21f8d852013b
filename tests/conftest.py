"""Shared fixtures: databases on both engines, the fixed clock, the app under test.

PostgreSQL: tests marked with the `pg` parameter run against the server named by
SEGTUI_TEST_PG_URL (default: the local server on 127.0.0.1:5432, database `test`). When it
is unreachable they are skipped, unless SEGTUI_REQUIRE_PG=1 (CI sets it), which fails them.
Each test gets its own database, copied from a template built once per session (the
demo, or an empty migrated database); PostgreSQL's copies are made and dropped on a
thread beside the tests (PgDatabases).
"""

from __future__ import annotations

import os

# Before anything imports Textual: no animations, so screenshots don't depend on timing.
os.environ["TEXTUAL_ANIMATIONS"] = "none"
os.environ.setdefault("SEGTUI_TODAY", "2024-02-26")
# No test reads the user's own config folder (their keymap.toml): this one never exists;
# a test that wants a keymap points SEGTUI_CONFIG_DIR at its tmp_path.
os.environ["SEGTUI_CONFIG_DIR"] = os.path.join(os.path.dirname(__file__), "no-config")

import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url

from segtui.data.db.engine import sqlite_url
from segtui.data.demo.build import build_demo
from segtui.data.store import Store
from segtui.transfer import read_ahead

DEMO_TODAY = date(2024, 2, 26)
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs on the demo's day unless it moves the clock itself."""
    monkeypatch.setenv("SEGTUI_TODAY", DEMO_TODAY.isoformat())


@pytest.fixture(autouse=True)
def no_typing_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    """Searches run as soon as a key is typed (widgets/debounce.py): no test waits for a
    debounce pause on the clock."""
    from segtui.widgets.debounce import PAUSE

    monkeypatch.setattr(PAUSE, "seconds", 0)


# -- PostgreSQL --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    url = make_url(os.environ.get("SEGTUI_TEST_PG_URL", PG_DEFAULT))
    # Room for a batch of drops beside a copy made ahead and the test's own requests.
    engine = create_engine(url, isolation_level="AUTOCOMMIT", pool_size=2,
                           max_overflow=DROP_BATCH + 1)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        engine.dispose()
        message = f"PostgreSQL not reachable at {url.render_as_string()}: {exc}"
        if os.environ.get("SEGTUI_REQUIRE_PG") == "1":
            pytest.fail(message)
        pytest.skip(message)
    databases = PgDatabases(engine)
    _DATABASES[engine] = databases
    try:
        yield engine
    finally:
        del _DATABASES[engine]
        databases.close()
        engine.dispose()


def _create_pg_database(admin: Engine, template: str | None = None) -> URL:
    name = f"segtui_test_{uuid.uuid4().hex[:12]}"
    suffix = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
    return admin.url.set(database=name)


def _really_drop_pg_database(admin: Engine, url: URL) -> None:
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))


# Databases dropped together. Each drop holds a connection of a server other sessions
# share (100 in all here), so a few: six drops still share one checkpoint.
DROP_BATCH = 6


class PgDatabases:
    """The tests' PostgreSQL databases, made ahead and dropped behind, on threads.

    Copying a template (CREATE DATABASE ... TEMPLATE) and dropping a database cost 0.1 s
    on a quiet server and 1-3 s on a busy one, mostly waiting for the disk, and a quarter
    of the tests take a database. So once a template has been copied twice, a copy of it
    is kept ready for the next test that asks, and the databases tests are done with are
    dropped on a second thread, a few at once: the waiting overlaps the tests' own work.
    Each test still gets a database of its own, a fresh copy no other test has used."""

    def __init__(self, admin: Engine) -> None:
        self.admin = admin
        self._lock = threading.Condition()
        self._ready: dict[str | None, list[URL]] = {}  # copies made ahead, per template
        self._asked: dict[str | None, int] = {}  # how often each template was copied
        self._drops: list[URL] = []
        self._failed: list[tuple[URL, BaseException]] = []  # drops to try again
        self._closing = False
        self._threads = [threading.Thread(target=work, name=f"pg-databases-{work.__name__}",
                                          daemon=True)
                         for work in (self._make_ahead, self._drop_behind)]
        for thread in self._threads:
            thread.start()

    def take(self, template: str | None) -> URL:
        """A new database, a copy of `template` (None: an empty one, not migrated)."""
        with self._lock:
            self._asked[template] = self._asked.get(template, 0) + 1
            ready = self._ready.get(template)
            url = ready.pop() if ready else None
            self._lock.notify_all()
        return url if url is not None else _create_pg_database(self.admin, template)

    def drop(self, url: URL) -> None:
        """Drop `url`'s database soon: nobody uses it any more."""
        with self._lock:
            self._asked.pop(url.database, None)  # a template: no more copies of it
            self._drops.append(url)
            self._lock.notify_all()

    def close(self) -> None:
        """Stop, and drop every database left, the copies made ahead included."""
        with self._lock:
            self._closing = True
            self._lock.notify_all()
        for thread in self._threads:
            thread.join()
        self._drop_at_once(self._drops + [url for urls in self._ready.values() for url in urls])
        failed, self._failed = self._failed, []
        for url, _ in failed:  # once more, one at a time (the server may have been full)
            _really_drop_pg_database(self.admin, url)

    def _wanted(self) -> list[str | None]:
        """Under the lock: the templates a copy should be made of now."""
        return [template for template, asked in self._asked.items()
                if asked >= 2 and not self._ready.get(template)]

    def _make_ahead(self) -> None:
        while True:
            with self._lock:
                while not self._closing and not self._wanted():
                    self._lock.wait()
                if self._closing:
                    return
                template = self._wanted()[0]
            try:
                made = _create_pg_database(self.admin, template)
            except Exception:  # the next test makes its own copy, and says why not
                with self._lock:
                    self._asked.pop(template, None)
                continue
            with self._lock:
                self._ready.setdefault(template, []).append(made)

    def _drop_behind(self) -> None:
        while True:
            with self._lock:
                while not self._closing and len(self._drops) < DROP_BATCH:
                    self._lock.wait()
                if self._closing:
                    return
                batch, self._drops = self._drops, []
            self._drop_at_once(batch)

    def _drop_at_once(self, urls: list[URL]) -> None:
        """Drop `urls` all at once: each DROP DATABASE waits for a checkpoint, and drops
        that wait together share one (twelve in 0.2 s and 2 checkpoints here, against 1.7 s
        and 23 one after the other)."""
        def drop(url: URL) -> None:
            try:
                _really_drop_pg_database(self.admin, url)
            except Exception as exc:
                with self._lock:
                    self._failed.append((url, exc))

        with ThreadPoolExecutor(max(1, min(len(urls), DROP_BATCH))) as pool:
            list(pool.map(drop, urls))


_DATABASES: dict[Engine, PgDatabases] = {}


def _pg_database(admin: Engine, template: str | None = None) -> URL:
    """A database of the test's own: a copy of `template`, or empty (not migrated)."""
    databases = _DATABASES.get(admin)
    if databases is None:
        return _create_pg_database(admin, template)
    return databases.take(template)


def _drop_pg_database(admin: Engine, url: URL) -> None:
    """Done with `url`'s database: it is dropped (behind the tests, on the thread)."""
    databases = _DATABASES.get(admin)
    if databases is None:
        _really_drop_pg_database(admin, url)
    else:
        databases.drop(url)


@pytest.fixture(scope="session")
def pg_demo_template(pg_admin: Engine) -> Iterator[str]:
    url = _create_pg_database(pg_admin)
    store = Store.open(url)
    build_demo(store, DEMO_TODAY)
    store.close()
    assert url.database is not None
    yield url.database
    _drop_pg_database(pg_admin, url)


@pytest.fixture(scope="session")
def pg_empty_template(pg_admin: Engine) -> Iterator[str]:
    """A migrated database without data: its copies are the tests' empty stores."""
    url = _create_pg_database(pg_admin)
    Store.open(url).close()
    assert url.database is not None
    yield url.database
    _drop_pg_database(pg_admin, url)


# -- SQLite ------------------------------------------------------------------------------


def _folded(store: Store) -> None:
    """Fold the WAL into the main file and close, so a plain file copy is the database."""
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()


@pytest.fixture(scope="session")
def sqlite_demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "demo.db"
    store = Store.open(sqlite_url(path))
    build_demo(store, DEMO_TODAY)
    _folded(store)
    return path


@pytest.fixture(scope="session")
def sqlite_empty_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database without data, for the tests' empty stores to copy."""
    path = tmp_path_factory.mktemp("template") / "empty.db"
    _folded(Store.open(sqlite_url(path)))
    return path


@pytest.fixture
def demo_db_path(sqlite_demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the SQLite demo database."""
    path = tmp_path / "demo.db"
    shutil.copyfile(sqlite_demo_template, path)
    return path


# -- stores on both engines --------------------------------------------------------------


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def empty_store(
    engine_name: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Store]:
    """A migrated, empty database on each engine (a copy of one migrated once)."""
    if engine_name == "sqlite":
        path = tmp_path / "empty.db"
        shutil.copyfile(request.getfixturevalue("sqlite_empty_template"), path)
        store = Store.open(sqlite_url(path))
        yield store
        store.close()
        return
    admin: Engine = request.getfixturevalue("pg_admin")
    url = _pg_database(admin, template=request.getfixturevalue("pg_empty_template"))
    store = Store.open(url)
    yield store
    store.close()
    _drop_pg_database(admin, url)


@pytest.fixture
def demo_store(engine_name: str, request: pytest.FixtureRequest) -> Iterator[Store]:
    """The demo database on each engine, private to the test."""
    if engine_name == "sqlite":
        store = Store.open(sqlite_url(request.getfixturevalue("demo_db_path")))
        yield store
        store.close()
        return
    admin: Engine = request.getfixturevalue("pg_admin")
    url = _pg_database(admin, template=request.getfixturevalue("pg_demo_template"))
    store = Store.open(url)
    yield store
    store.close()
    _drop_pg_database(admin, url)


@pytest.fixture
def sqlite_demo_store(demo_db_path: Path) -> Iterator[Store]:
    store = Store.open(sqlite_url(demo_db_path))
    yield store
    store.close()


StoreFactory = Callable[[], Store]


@pytest.fixture(params=["here", "read-ahead"])
def reading(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """I6: a file is read in the importing process, or, from READ_AHEAD_BYTES up, in a
    child process (segtui/transfer/read_ahead.py). A test taking this fixture runs both ways
    with the same expectations: a user can't choose, and must not tell the difference."""
    if request.param == "read-ahead":
        monkeypatch.setattr(read_ahead, "READ_AHEAD_BYTES", 0)  # every file, however small
    return str(request.param)

