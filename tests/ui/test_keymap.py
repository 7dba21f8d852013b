"""The user's keymap (A4, docs/keys.md "Your own keys"): keymap.toml in the config
folder remaps keys by binding id; the new key works and the old one no longer does, the
key bar, the key lines, the help and the palette show the keys as remapped, and a file
with a mistake is reported and left aside (the app starts with its own keys).

Every test here writes its keymap in its own tmp_path (SEGTUI_CONFIG_DIR): none reads the
user's real config folder (tests/conftest.py points it at a folder that never exists)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from segtui.data.store import Store
from segtui.screens.dashboard import DashboardScreen
from segtui.screens.modals.confirm import Confirm
from segtui.screens.modals.create_segment import CreateSegmentModal
from segtui.screens.modals.help import HelpScreen
from segtui.widgets.tag_list import TagList
from tests.ui.conftest import make_app, screen_text, settle
from tests.ui.test_dialogs import key_line
from tests.ui.test_keys import palette_prompts, with_key

DOCS = Path(__file__).resolve().parents[2] / "docs" / "keys.md"


def write_keymap(monkeypatch: pytest.MonkeyPatch, folder: Path, text: str) -> Path:
    monkeypatch.setenv("SEGTUI_CONFIG_DIR", str(folder))
    path = folder / "keymap.toml"
    path.write_text(text, encoding="utf-8")
    return path


def search_focused(app: Any) -> bool:
    return isinstance(app.focused, Input) and app.focused.id == "search"


def errors(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications if n.severity == "error"]


async def test_a_keymap_remaps_a_key(sqlite_demo_store: Store, monkeypatch: pytest.MonkeyPatch,
                                     tmp_path: Path) -> None:
    """ctrl+f searches and / no longer does; N makes a new segment and n no longer does;
    the key bar shows the new keys, in their places (the first keys are the ones a
    narrow bar keeps)."""
    write_keymap(monkeypatch, tmp_path, '[keys]\n"dashboard.search" = "ctrl+f"\n'
                                        '"dashboard.new" = "N"\n')
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert not errors(app)
        bar = screen_text(app)[-1]
        assert "/ Search" not in bar
        assert bar.split()[:4] == ["N", "New", "^f", "Search"]  # where they were declared
        await pilot.press("slash")
        assert not search_focused(app)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("ctrl+f")
        assert search_focused(app)
        await pilot.press("escape")  # back to the list
        await pilot.press("N")
        await settle(pilot)
        assert isinstance(app.screen, CreateSegmentModal)


async def test_a_dialogs_keys_and_the_app_keys_remap_too(
        sqlite_demo_store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A dialog's binding, a widget's in it and the app's help: the key line names the new
    keys, which work; the confirmation names its remapped keys."""
    write_keymap(monkeypatch, tmp_path, '[keys]\n"create.cancel" = "f6"\n'
                                        '"app.help" = "f2"\n"confirm.no" = "x,escape"\n')
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert key_line(app) == "ctrl+s create · f6 cancel · f2 help"
        await pilot.press(*"Typed")
        await pilot.press("escape")  # no longer cancels
        assert isinstance(app.screen, CreateSegmentModal)
        await pilot.press("f6")  # asks first: something was typed
        assert isinstance(app.screen, Confirm)
        assert key_line(app).startswith("y discard · x/esc keep editing")
        await pilot.press("x")
        assert isinstance(app.screen, CreateSegmentModal)
        await pilot.press("f1")  # no longer the help
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f2")
        assert isinstance(app.screen, HelpScreen)


async def test_the_help_shows_the_keys_as_remapped(
        sqlite_demo_store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The screen's keys, the app's, and a widget's own section (the tag list's, listed
    whether or not it has the focus)."""
    write_keymap(monkeypatch, tmp_path, '[keys]\n"dashboard.search" = "ctrl+f"\n'
                                        '"tags.remove" = "ctrl+d"\n"app.help" = "f1,f9"\n')
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        described = {description: keys for keys, description in help_screen.keys}
        assert described["Search"] == "ctrl+f"
        assert described["Help"] == "f1 f9 ?"
        assert any(re.search(r"\bctrl\+f +Search", line) for line in screen_text(app))
        await pilot.press("escape", "e")  # edit Enterprise Prospects, which has tags
        await settle(pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        sections = dict(app.screen.sections)
        assert ("ctrl+d", "Remove tag") in sections["Tag list"]
        assert not [keys for keys, _ in sections["Tag list"] if "del" in keys.split()]
        await pilot.press("escape")
        app.screen.query_one(TagList).focus()
        await pilot.pause()
        assert "ctrl+d remove tag" in key_line(app)


async def test_the_palette_shows_the_keys_as_remapped(
        sqlite_demo_store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write_keymap(monkeypatch, tmp_path, '[keys]\n"dashboard.filters" = "ctrl+t,F"\n')
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        prompts = await palette_prompts(pilot)
        assert with_key(prompts, "Filters") == "^t F"
        assert with_key(prompts, "New") == "n"


@pytest.mark.parametrize("text", [
    '[keys]\n"dashboard.search" = ',  # not TOML
    '[keys]\n"dashboard.serch" = "ctrl+f"\n',  # no such binding
    '[keys]\n"dashboard.search" = ""\n',  # empty
    '[keys]\n"dashboard.search" = "[bold red]ctrl+f[/]"\n',  # markup
    '[keys]\n"dashboard.search" = "\\u001b[31mctrl+f"\n',  # an escape sequence
])
async def test_a_broken_keymap_is_reported_and_left_aside(
        sqlite_demo_store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        text: str) -> None:
    """The app starts with its own keys and says, in a message shown literally, which file
    and what to fix; the file is left as it was."""
    path = write_keymap(monkeypatch, tmp_path, text + '"dashboard.new" = "N"\n')
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        [message] = errors(app)
        assert str(path) in message and "its own keys" in message
        assert "\x1b" not in "".join(screen_text(app))
        await pilot.press("slash")
        assert search_focused(app)
        await pilot.press("escape", "n")
        await settle(pilot)
        assert isinstance(app.screen, CreateSegmentModal)
    assert path.read_text(encoding="utf-8") == text + '"dashboard.new" = "N"\n'


async def test_a_key_taken_from_another_binding_is_told(
        sqlite_demo_store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The keymap wins (Textual's rule): n searches, and nothing makes a new segment by n."""
    write_keymap(monkeypatch, tmp_path, '[keys]\n"dashboard.search" = "n"\n')
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert search_focused(app)
        warnings = [str(n.message) for n in app._notifications if n.severity == "warning"]
        assert len(warnings) == 1
        assert "n was dashboard.new's key: it now does dashboard.search" in warnings[0]


def test_every_binding_id_is_in_the_docs() -> None:
    """docs/keys.md lists every id a keymap may name (they are stable: a renamed id would
    silently stop a user's keymap)."""
    from segtui.keymap import binding_ids

    documented = set(re.findall(r"`([a-z_-]+\.[a-z0-9_-]+)`", DOCS.read_text(encoding="utf-8")))
    missing = binding_ids() - documented
    assert not missing, f"not in docs/keys.md: {sorted(missing)}"
