"""F2.1: the `segtui` command, driven through Typer's runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

import segtui.cli as cli
from segtui import __version__
from segtui.cli import app_commands
from segtui.data.db import migrate
from segtui.data.db.engine import sqlite_url
from segtui.data.store import Store

runner = CliRunner()


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Store, str, bool, dict[str, int]]]:
    """Replaces the app launch: records what would open, and what the database held."""
    calls: list[tuple[Store, str, bool, dict[str, int]]] = []

    def fake_run(store: Store, options: dict[str, object]) -> None:
        m = store.segments.dashboard_metrics()
        color = options.get("color", app_commands.ColorMode.AUTO)
        mouse = options.get("mouse", True)
        calls.append((store, str(color), bool(mouse), {"segments": m.total_segments,
                                                        "contacts": m.total_contacts}))

    monkeypatch.setattr(app_commands, "_run_app", fake_run)
    return calls


def test_version() -> None:
    result = runner.invoke(cli.app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"segtui {__version__}"


def test_help_lists_commands() -> None:
    result = runner.invoke(cli.app, ["--help"])
    assert result.exit_code == 0
    for word in ("demo", "db", "--db", "--color", "--no-mouse"):
        assert word in result.output


def test_no_command_opens_default_database(
    launched: list[tuple[Store, str, bool, dict[str, int]]],
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    monkeypatch.delenv("SEGTUI_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    result = runner.invoke(cli.app, ["--color", "16", "--no-mouse"])
    assert result.exit_code == 0, result.output
    store, color, mouse, held = launched[0]
    assert store.url.database == str(tmp_path / "segtui" / "segtui.db")
    assert (color, mouse, held) == ("16", False, {"segments": 0, "contacts": 0})
    assert (tmp_path / "segtui" / "segtui.db").exists()


def test_demo_opens_sample_data_in_a_temp_file(
    launched: list[tuple[Store, str, bool, dict[str, int]]],
) -> None:
    result = runner.invoke(cli.app, ["demo"])
    assert result.exit_code == 0, result.output
    store, _, _, held = launched[0]
    assert held == {"segments": 4, "contacts": 255}
    assert store.url.database is not None
    assert not Path(store.url.database).exists()  # temporary: removed on exit


def test_demo_with_db_keeps_file_and_refuses_to_overwrite(
    launched: list[tuple[Store, str, bool, dict[str, int]]], tmp_path: Path
) -> None:
    path = tmp_path / "mine.db"
    assert runner.invoke(cli.app, ["demo", "--db", str(path)]).exit_code == 0
    assert path.exists()
    again = runner.invoke(cli.app, ["demo", "--db", str(path)])
    assert again.exit_code == 1
    assert "already holds data" in again.output and "never overwrites" in again.output
    # ... and says how to open it instead.
    assert f"open this one with: segtui --db {path}" in " ".join(again.output.split())
    assert len(launched) == 1


def test_demo_build_only(tmp_path: Path) -> None:
    path = tmp_path / "built.db"
    result = runner.invoke(cli.app, ["demo", "--db", str(path), "--build-only"])
    assert result.exit_code == 0, result.output
    assert "Demo database ready" in result.output
    assert f"Open it with: segtui --db {path}" in result.output
    store = Store.open(sqlite_url(path))
    assert store.segments.dashboard_metrics().total_contacts == 255
    store.close()


def test_the_command_to_open_a_server_never_shows_its_password() -> None:
    from sqlalchemy.engine import make_url

    from segtui.cli.app_commands import _open_command

    url = "postgresql+psycopg://ann:s3cret@db.example/crm"
    assert _open_command(url, make_url(url)) == \
        "segtui --db 'postgresql+psycopg://ann:***@db.example/crm'"
    assert _open_command("my demo.db", make_url("sqlite:///my demo.db")) == \
        "segtui --db 'my demo.db'"


def test_reopened_demo_keeps_its_day(
    launched: list[tuple[Store, str, bool, dict[str, int]]],
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "demo.db"
    runner.invoke(cli.app, ["demo", "--db", str(path), "--build-only"])
    monkeypatch.delenv("SEGTUI_TODAY")
    seen: list[str] = []
    monkeypatch.setattr(app_commands, "_run_app",
                        lambda *a: seen.append(__import__("os").environ.get("SEGTUI_TODAY", "")))
    assert runner.invoke(cli.app, ["--db", str(path)]).exit_code == 0
    assert seen == ["2024-02-26"]


def test_bad_clock_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGTUI_TODAY", "tomorrow")
    result = runner.invoke(cli.app, ["demo", "--build-only"])
    assert result.exit_code == 1
    assert "SEGTUI_TODAY must be a date as YYYY-MM-DD" in result.output


def test_bad_db_url_is_a_clear_error() -> None:
    result = runner.invoke(cli.app, ["--db", "mysql://x@y/z"])
    assert result.exit_code == 1
    assert "unsupported database" in result.output


def test_unreachable_postgres_is_a_clear_error() -> None:
    result = runner.invoke(cli.app, ["--db", "postgresql://nobody@127.0.0.1:1/none"])
    assert result.exit_code == 1
    assert "cannot open database" in result.output
    assert "Traceback" not in result.output


def test_db_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "up.db"
    head = migrate.head_revision()  # the newest migration, whichever it is
    first = runner.invoke(cli.app, ["db", "upgrade", "--db", str(path)])
    assert first.exit_code == 0 and f"upgraded to revision {head}" in first.output
    second = runner.invoke(cli.app, ["--db", str(path), "db", "upgrade"])
    assert second.exit_code == 0 and f"already at revision {head}" in second.output


def test_demo_on_postgres(pg_admin: Engine,
                          launched: list[tuple[Store, str, bool, dict[str, int]]]) -> None:
    from tests.conftest import _drop_pg_database, _pg_database

    url = _pg_database(pg_admin)
    try:
        shown = url.render_as_string(hide_password=False)
        result = runner.invoke(cli.app, ["demo", "--db", shown])
        assert result.exit_code == 0, result.output
        assert launched[0][3] == {"segments": 4, "contacts": 255}
        launched[0][0].close()
    finally:
        _drop_pg_database(pg_admin, url)
