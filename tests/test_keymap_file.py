"""The user's keymap file (A4, docs/keys.md "Your own keys"): read, checked, and
never used in part: any mistake is reported by entry and the whole file is left aside."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import pytest

from segtui.core.keymap_file import KeymapFile, config_dir, keymap_path, read_keymap
from segtui.keymap import binding_ids, is_key

IDS = {"dashboard.search", "dashboard.new", "detail.back"}


def known(ids: Collection[str]) -> set[str]:
    return set(ids) & IDS


def read(tmp_path: Path, text: str | bytes) -> KeymapFile | None:
    path = tmp_path / "keymap.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return read_keymap(path, known_ids=known, is_key=is_key)


def test_the_folder_is_the_config_folder_unless_overridden(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SEGTUI_CONFIG_DIR", str(tmp_path))
    assert keymap_path() == tmp_path / "keymap.toml"
    monkeypatch.delenv("SEGTUI_CONFIG_DIR")
    assert config_dir().name == "segtui"


def test_no_file_is_no_keymap(tmp_path: Path) -> None:
    assert read_keymap(tmp_path / "keymap.toml", known_ids=known, is_key=is_key) is None


def test_a_good_file_gives_its_keys(tmp_path: Path) -> None:
    keymap = read(tmp_path, '[keys]\n"dashboard.search" = "ctrl+f"\n'
                            '"detail.back" = "escape, b"\n')
    assert keymap is not None and not keymap.problems
    assert keymap.keys == {"dashboard.search": "ctrl+f", "detail.back": "escape,b"}


def test_an_empty_file_changes_nothing(tmp_path: Path) -> None:
    keymap = read(tmp_path, "")
    assert keymap is not None and keymap.keys == {} and not keymap.problems


@pytest.mark.parametrize(("text", "said"), [
    ('[keys]\n"dashboard.search" = ', "not valid TOML"),
    ('[keys]\n"dashboard.serch" = "ctrl+f"\n', "“dashboard.serch”: no key binding has this id"),
    ('[keys]\n"dashboard.search" = ""\n', "“dashboard.search”: a key is empty"),
    ('[keys]\n"dashboard.search" = "ctrl+f,"\n', "a key is empty"),
    ('[keys]\n"dashboard.search" = "[b]x[/b]"\n', "“[b]x[/b]” is not a key"),
    ('[keys]\n"dashboard.search" = "\\u001b[31mf"\n', "holds control characters"),
    ('[keys]\n"dashboard.search" = "ctlr+f"\n', "“ctlr+f” is not a key"),
    ('[keys]\n"dashboard.search" = 3\n', "keys are written as a string"),
    ('keys = "ctrl+f"\n', "keys must be a table"),
    ('[colours]\nx = 1\n', "“colours”: segtui reads only the [keys] table"),
    (b'[keys]\n"dashboard.search" = "\xff"\n', "not UTF-8"),
])
def test_a_mistake_is_named_and_nothing_of_the_file_is_used(
        tmp_path: Path, text: str | bytes, said: str) -> None:
    keymap = read(tmp_path, text)
    assert keymap is not None
    assert keymap.keys == {}
    assert any(said in problem for problem in keymap.problems), keymap.problems
    message = keymap.message()
    assert str(tmp_path / "keymap.toml") in message and "its own keys" in message
    assert "\x1b" not in message  # shown, never sent to the terminal


def test_good_entries_beside_a_bad_one_are_not_used_either(tmp_path: Path) -> None:
    keymap = read(tmp_path, '[keys]\n"dashboard.search" = "ctrl+f"\n'
                            '"dashboard.new" = "[red]n"\n"nope.nope" = "x"\n')
    assert keymap is not None and keymap.keys == {}
    assert len(keymap.problems) == 2


def test_a_long_list_of_mistakes_is_cut_short(tmp_path: Path) -> None:
    entries = "".join(f'"no.such{n}" = "x"\n' for n in range(10))
    keymap = read(tmp_path, "[keys]\n" + entries)
    assert keymap is not None and len(keymap.problems) == 10
    assert "… and 4 more" in keymap.message()


def test_a_folder_in_its_place_is_reported(tmp_path: Path) -> None:
    (tmp_path / "keymap.toml").mkdir()
    keymap = read_keymap(tmp_path / "keymap.toml", known_ids=known, is_key=is_key)
    assert keymap is not None and "could not be read" in keymap.problems[0]


@pytest.mark.parametrize("key", ["ctrl+f", "f3", "shift+tab", "question_mark", "?", "M",
                                 "slash", "escape", "ctrl+shift+up", "space", "plus", "é"])
def test_keys_textual_knows(key: str) -> None:
    assert is_key(key)


@pytest.mark.parametrize("key", ["", "ctlr+f", "ctrl+", "[b]x[/b]", "enterr", "f3 f4",
                                 "control+f"])
def test_not_keys(key: str) -> None:
    assert not is_key(key)


def test_every_binding_id_is_known() -> None:
    """What the file may name: the ids of every binding of the app, its screens, dialogs
    and widgets."""
    import segtui.app  # noqa: F401  (the app's own bindings)

    ids = binding_ids()
    assert {"app.help", "dashboard.search", "detail.back", "quality.merge", "table.first-page",
            "confirm.yes", "edit.save", "help.close", "tags.remove"} <= ids
