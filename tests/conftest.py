"""Shared fixtures: databases on both engines, the fixed clock, the app under test.

PostgreSQL: tests marked with the `pg` parameter run against the server named by
SEGTUI_TEST_PG_URL (default: the local server on 127.0.0.1:5432, database `test`). When it
is unreachable they are skipped, unless SEGTUI_REQUIRE_PG=1 (CI sets it), which fails them.
Each test gets its own database, copied from a template built once per session.
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
import uuid
from collections.abc import Callable, Iterator
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
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        engine.dispose()
        message = f"PostgreSQL not reachable at {url.render_as_string()}: {exc}"
        if os.environ.get("SEGTUI_REQUIRE_PG") == "1":
            pytest.fail(message)
        pytest.skip(message)
    yield engine
    engine.dispose()


def _pg_database(admin: Engine, template: str | None = None) -> URL:
    name = f"segtui_test_{uuid.uuid4().hex[:12]}"
    suffix = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
    return admin.url.set(database=name)


def _drop_pg_database(admin: Engine, url: URL) -> None:
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_demo_template(pg_admin: Engine) -> Iterator[str]:
    url = _pg_database(pg_admin)
    store = Store.open(url)
    build_demo(store, DEMO_TODAY)
    store.close()
    assert url.database is not None
    yield url.database
    _drop_pg_database(pg_admin, url)


# -- SQLite ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "demo.db"
    store = Store.open(sqlite_url(path))
    build_demo(store, DEMO_TODAY)
    # Fold the WAL into the main file so a plain file copy is a complete database.
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
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
    """A migrated, empty database on each engine."""
    if engine_name == "sqlite":
        store = Store.open(sqlite_url(tmp_path / "empty.db"))
        yield store
        store.close()
        return
    admin: Engine = request.getfixturevalue("pg_admin")
    url = _pg_database(admin)
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
