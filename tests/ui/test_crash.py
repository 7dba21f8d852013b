"""U15.1: an error nobody handled ends the app with exit status 1 and a one-line
message naming the log file that holds its traceback (before, the process exited 0)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from typer.testing import CliRunner

from segtui.app import SegtuiApp
from segtui.cli import app as cli
from segtui.data.store import Store
from segtui.screens.dashboard import DashboardScreen
from tests.ui.conftest import make_app, settle

BOOM = "boom [/] \x1b[31mred"


def explode(*_: Any) -> None:
    raise RuntimeError(BOOM)


@pytest.fixture(autouse=True)
def log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "logs"
    monkeypatch.setenv("SEGTUI_LOG_DIR", str(path))
    return path


async def test_an_unhandled_error_ends_the_app_with_status_1_and_a_log(
        sqlite_demo_store: Store, monkeypatch: pytest.MonkeyPatch, log_dir: Path) -> None:
    monkeypatch.setattr(DashboardScreen, "action_refresh", explode)
    app = make_app(sqlite_demo_store)
    with pytest.raises(RuntimeError, match="boom"):
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("r")
            await pilot.pause()
    assert app.return_code == 1
    assert app.crash_log is not None and app.crash_log.parent == log_dir
    logged = app.crash_log.read_text(encoding="utf-8")
    assert "Traceback" in logged and "in explode" in logged
    assert "RuntimeError: boom [/] \x1b[31mred" in logged  # the log keeps the real text


def test_the_cli_exits_1_and_names_the_log(demo_db_path: Path, log_dir: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole `segtui` command, with the app run headless (there is no terminal here)."""
    monkeypatch.setattr(DashboardScreen, "on_mount", explode)

    def run_headless(self: SegtuiApp, **_: Any) -> None:
        App.run(self, headless=True, size=(80, 24))

    monkeypatch.setattr(SegtuiApp, "run", run_headless)
    result = CliRunner().invoke(cli, ["--db", str(demo_db_path)])
    assert result.exit_code == 1
    logs = list(log_dir.glob("crash-*.log"))
    assert len(logs) == 1
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("segtui stopped on an unexpected error (RuntimeError: boom [/] ")
    assert str(logs[0]) in message
    assert "\x1b" not in message  # the error's text is shown safely


def test_a_normal_quit_exits_0(demo_db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def run_and_quit(self: SegtuiApp, **_: Any) -> None:
        async def quit_at_once() -> None:
            self.exit()

        self.call_later(quit_at_once)
        App.run(self, headless=True, size=(80, 24))

    monkeypatch.setattr(SegtuiApp, "run", run_and_quit)
    result = CliRunner().invoke(cli, ["--db", str(demo_db_path)])
    assert result.exit_code == 0, result.output
