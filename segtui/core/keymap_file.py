"""The user's keymap file: keys of their own for segtui's bindings (docs/keys.md, "Your
own keys").

    # ~/.config/segtui/keymap.toml (SEGTUI_CONFIG_DIR overrides the folder)
    [keys]
    "dashboard.search" = "ctrl+f"
    "detail.back" = "escape,b"

Each entry names a binding by its id and gives its keys, several joined by commas. The
file is only ever read: a mistake in it is reported (`KeymapFile.problems`, every one
naming the entry) and the app keeps its own keys, never half of the user's. Whether an id
exists and a key is one Textual knows is for the caller to say (`known_ids`, `is_key`):
this module reads and checks the file's shape, and imports no UI.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from segtui.core.text import printable

KEYMAP_FILE = "keymap.toml"
TABLE = "keys"
EXAMPLE = '[keys]\n"dashboard.search" = "ctrl+f"'
KEY_EXAMPLES = "e.g. ctrl+f, f3, shift+tab, question_mark or a single character"
SHOWN_PROBLEMS = 6  # a message lists this many; the rest are counted


def config_dir() -> Path:
    """segtui's config folder (`~/.config/segtui` on Linux); SEGTUI_CONFIG_DIR overrides
    it (the tests point it at a folder of their own)."""
    override = os.environ.get("SEGTUI_CONFIG_DIR")
    return Path(override) if override else platformdirs.user_config_path("segtui")


def keymap_path() -> Path:
    return config_dir() / KEYMAP_FILE


@dataclass(frozen=True)
class KeymapFile:
    """What the file says: binding id -> keys ("ctrl+f" or "ctrl+f,f3"), and what is
    wrong with it. With any problem, none of it is used."""

    path: Path
    keys: dict[str, str]
    problems: tuple[str, ...] = ()

    def message(self) -> str:
        """The problems as one message for the user: where, what, what happens now."""
        shown = [f"• {problem}" for problem in self.problems[:SHOWN_PROBLEMS]]
        more = len(self.problems) - SHOWN_PROBLEMS
        if more > 0:
            shown.append(f"• … and {more} more")
        return "\n".join((f"{self.path} was not used:", *shown,
                          "segtui uses its own keys until the file is fixed (docs/keys.md)."))


def quoted(text: str) -> str:
    """A piece of the file in a message: visible, whatever characters it holds."""
    return f"“{printable(text)}”"


def key_problem(key: str, is_key: Callable[[str], bool]) -> str | None:
    """Why `key` (one key, "ctrl+f") is not a key Textual can bind, or None."""
    if not key:
        return "a key is empty (between two commas, or an empty string)"
    if any(not ch.isprintable() for ch in key):
        return f"the key {quoted(key)} holds control characters"
    if key != key.strip() or not is_key(key):
        return f"{quoted(key)} is not a key ({KEY_EXAMPLES})"
    return None


def check_entry(binding_id: object, value: object, is_key: Callable[[str], bool]
                ) -> tuple[str | None, list[str]]:
    """One `"id" = "keys"` entry: the keys to use (spaces around commas dropped), or None,
    with what is wrong."""
    name = quoted(str(binding_id))
    if not isinstance(value, str):
        return None, [f"{name}: keys are written as a string, e.g. \"ctrl+f\" or \"f3,ctrl+f\""]
    keys = [key.strip() for key in value.split(",")]
    problems = [f"{name}: {problem}" for key in keys
                if (problem := key_problem(key, is_key)) is not None]
    return (None if problems else ",".join(keys)), problems


def read_keymap(path: Path, *, known_ids: Callable[[Collection[str]], Collection[str]],
                is_key: Callable[[str], bool]) -> KeymapFile | None:
    """The keymap file at `path`, checked; None when there is none. `known_ids(ids)`
    returns those of `ids` that name a binding; `is_key(key)` says whether a key (with
    its modifiers, "ctrl+f") is one Textual knows."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        return KeymapFile(path, {}, (f"it could not be read: {error.strerror or error}",))
    import tomllib  # only when there is a file: most users have none

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return KeymapFile(path, {}, ("it is not UTF-8 text",))
    except tomllib.TOMLDecodeError as error:
        return KeymapFile(path, {}, (f"it is not valid TOML: {error}",))
    problems = [f"{quoted(name)}: segtui reads only the [{TABLE}] table"
                for name in data if name != TABLE]
    table = data.get(TABLE, {})
    if not isinstance(table, dict):
        return KeymapFile(path, {}, (*problems, f"{TABLE} must be a table: {EXAMPLE}"))
    keys: dict[str, str] = {}
    for binding_id, value in table.items():
        checked, wrong = check_entry(binding_id, value, is_key)
        problems += wrong
        if checked is not None:
            keys[binding_id] = checked
    known = set(known_ids(table)) if table else set()
    problems += [f"{quoted(binding_id)}: no key binding has this id (docs/keys.md lists "
                 "them)" for binding_id in table if binding_id not in known]
    return KeymapFile(path, {} if problems else keys, tuple(problems))
