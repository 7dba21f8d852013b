"""F2.1-F2.2: database selection and the SQLite connection rules (WAL, FKs, BEGIN IMMEDIATE)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event, text

from segtui.data.db.engine import MMAP_BYTES, DatabaseUrlError, resolve_url, sqlite_url
from segtui.data.store import Store


def test_path_becomes_absolute_sqlite_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    url = resolve_url("my.db")
    assert url.get_backend_name() == "sqlite"
    assert url.database == str(tmp_path / "my.db")


def test_env_var_selects_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGTUI_DATABASE_URL", "postgresql://u@h/db")
    url = resolve_url(None)
    assert url.drivername == "postgresql+psycopg"
    assert resolve_url("/tmp/x.db").get_backend_name() == "sqlite"  # --db wins


def test_default_is_user_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SEGTUI_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    url = resolve_url(None)
    assert url.database == str(tmp_path / "segtui" / "segtui.db")


@pytest.mark.parametrize("bad", ["mysql://u@h/db", "nonsense://", "postgresql://u@h:notaport/db"])
def test_unsupported_urls_are_refused(bad: str) -> None:
    with pytest.raises(DatabaseUrlError):
        resolve_url(bad)


def test_sqlite_pragmas(sqlite_demo_store: Store) -> None:
    with sqlite_demo_store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000


def test_sqlite_writes_begin_immediate(sqlite_demo_store: Store) -> None:
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(sqlite_demo_store.engine, "before_cursor_execute", record)
    with sqlite_demo_store.orm_session() as session:
        session.execute(text("SELECT 1"))
    with sqlite_demo_store.reading() as conn:
        conn.execute(text("SELECT 2"))
    event.remove(sqlite_demo_store.engine, "before_cursor_execute", record)
    assert statements[:2] == ["BEGIN IMMEDIATE", "SELECT 1"]
    assert statements[-2:] == ["BEGIN", "SELECT 2"]


def _mapped(path: Path) -> bool:
    """Does this process have the file memory-mapped (Linux's /proc/self/maps)?"""
    # Exact names: the WAL index (mapped.db-shm) is mapped as long as a connection is open.
    return any(line.endswith(" " + str(path))
               for line in Path("/proc/self/maps").read_text().splitlines())


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs Linux's /proc")
def test_sqlite_unmaps_the_database_between_uses(tmp_path: Path) -> None:
    """P12: a pooled connection keeps no memory map of the file while it is idle, so
    the app's resident size rests at its own memory (engine._release_memory_map); a read
    maps it again (the speed of the memory map is kept)."""
    path = tmp_path / "mapped.db"
    store = Store.open(sqlite_url(path))
    try:
        with store.engine.connect() as conn:  # the pages into the file, out of the WAL
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        with store.reading() as conn:
            assert conn.exec_driver_sql("PRAGMA mmap_size").scalar() == MMAP_BYTES
            conn.exec_driver_sql("SELECT count(*) FROM contacts").scalar()
            assert _mapped(path)  # read through the map
        assert not _mapped(path)  # back in the pool: unmapped
        with store.reading() as conn:
            assert conn.exec_driver_sql("PRAGMA mmap_size").scalar() == MMAP_BYTES
            conn.exec_driver_sql("SELECT count(*) FROM contacts").scalar()
            assert _mapped(path)
        assert not _mapped(path)
    finally:
        store.close()


@pytest.mark.parametrize(("rule", "mapped"), [
    ('title contains "sales"', False),  # the plan: SCAN contacts, alone
    ('email = "ann@example.com"', True),  # a search through the email's index
    ("clicked >= 3", True),  # a lookup per contact in another table
])
def test_a_rule_count_reads_a_lone_scan_unmapped(tmp_path: Path, rule: str,
                                                 mapped: bool) -> None:
    """P8: SQLite counts a rule whose plan is one scan of `contacts` through its page
    cache, not the memory map (engine._unmap_lone_scan: 20-30% faster at a million
    contacts); any other plan keeps the map. The count is the same either way."""
    from segtui.core.rules.language import parse

    store = Store.open(sqlite_url(tmp_path / "counted.db"))
    seen: list[int] = []

    def spy(_conn: object, cursor: object, statement: str, *_: object) -> None:
        if statement.startswith("SELECT count(*)"):  # the count, as the driver gets it
            seen.append(cursor.connection.execute("PRAGMA mmap_size").fetchone()[0])  # type: ignore[attr-defined]

    try:
        event.listen(store.engine, "before_cursor_execute", spy)
        checked, issues = store.rules.check_rule(parse(rule))
        assert not issues
        assert store.rules.rule_count(checked) == 0
        assert seen == [MMAP_BYTES if mapped else 0]
        with store.reading() as conn:  # back in the pool, the connection maps again
            assert conn.exec_driver_sql("PRAGMA mmap_size").scalar() == MMAP_BYTES
    finally:
        store.close()
