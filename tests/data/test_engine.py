"""Issue 2 §1-2: database selection and the SQLite connection rules (WAL, FKs, BEGIN IMMEDIATE)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event, text

from segtui.data.engine import DatabaseUrlError, resolve_url
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
    with sqlite_demo_store.writing() as session:
        session.execute(text("SELECT 1"))
    with sqlite_demo_store.reading() as conn:
        conn.execute(text("SELECT 2"))
    event.remove(sqlite_demo_store.engine, "before_cursor_execute", record)
    assert statements[:2] == ["BEGIN IMMEDIATE", "SELECT 1"]
    assert statements[-2:] == ["BEGIN", "SELECT 2"]
