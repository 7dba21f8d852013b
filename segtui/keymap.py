"""The user's keymap for the app (docs/keys.md, "Your own keys"): the file read and
checked by core/keymap_file.py against the bindings segtui has and the keys Textual
knows, then given to `App.set_keymap`, which rebinds by binding id.

Checking the ids takes the bindings of every screen, dialog and widget class. Those of
the modules already imported are looked at first; the rest (charts, the import dialog...)
are imported only when the file names an id none of those has, so a keymap of the
dashboard's keys costs the start nothing.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Collection, Iterator
from functools import cache

from textual.binding import Binding, Keymap
from textual.dom import DOMNode
from textual.keys import KEY_NAME_REPLACEMENTS, Keys, format_key, key_to_character

import segtui.screens
import segtui.widgets
from segtui.core.keymap_file import KeymapFile, keymap_path, read_keymap

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
UI_PACKAGES = ("segtui.app", "segtui.screens", "segtui.widgets")


@cache
def named_keys() -> frozenset[str]:
    """Keys Textual names rather than types ("escape", "f5", "pageup"), modifiers off."""
    names = {key.value.rpartition("+")[2] for key in Keys if not key.value.startswith("<")}
    return frozenset(names | set(KEY_NAME_REPLACEMENTS.values()))


def is_key(key: str) -> bool:
    """A key Textual can bind: modifiers then one key, "ctrl+f", "f3", "question_mark",
    "?", "M". Markup ("[b]x[/]"), a word Textual doesn't know or a typo ("ctlr+f") is not."""
    *modifiers, base = key.split("+")
    if not base or any(modifier not in MODIFIERS for modifier in modifiers):
        return False
    return (len(base) == 1 or base in named_keys() or format_key(base) != base
            or key_to_character(base) is not None)


# -- the bindings segtui declares ------------------------------------------------------------


def _classes_in(module_names: Collection[str]) -> Iterator[type[DOMNode]]:
    for name in module_names:
        module = sys.modules.get(name)
        for value in vars(module).values() if module is not None else ():
            if isinstance(value, type) and issubclass(value, DOMNode) \
                    and value.__module__ == name:
                yield value


def _ids_of(cls: type[DOMNode]) -> set[str]:
    return {binding.id for binding in cls.__dict__.get("BINDINGS", ())
            if isinstance(binding, Binding) and binding.id}


def _loaded_modules() -> list[str]:
    return [name for name in list(sys.modules) if name.startswith(UI_PACKAGES)]


def _every_module() -> list[str]:
    """Every module of the app (when imported: it is what reads the keymap), its screens,
    dialogs and widgets (imported now)."""
    names = ["segtui.app"]
    for package in (segtui.screens, segtui.widgets):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(info.name)
            names.append(info.name)
    return names


def _classes_with(wanted: Collection[str]) -> list[type[DOMNode]]:
    """The UI classes, enough of them to hold `wanted` ids if any does: the imported
    modules' when they do, else every module's."""
    classes = list(_classes_in(_loaded_modules()))
    if set(wanted) <= set().union(*map(_ids_of, classes)):
        return classes
    return list(_classes_in(_every_module()))


def binding_ids() -> set[str]:
    """The id of every binding segtui declares (docs/keys.md lists them)."""
    return set().union(*map(_ids_of, _classes_in(_every_module())))


def known_ids(wanted: Collection[str]) -> set[str]:
    """Those of `wanted` that a binding of segtui has."""
    return set(wanted) & set().union(*map(_ids_of, _classes_with(wanted)))


def taken_keys(keymap: Keymap) -> list[str]:
    """Keys the keymap gives a binding that another binding of the same class (or its
    bases) had: the keymap's wins (Textual's rule), which the user should know. Textual's
    own check (App.handle_bindings_clash) misses a binding that has an id."""
    told: list[str] = []
    for cls in _classes_with(keymap):
        remapped = _ids_of(cls) & set(keymap)
        if not remapped:
            continue
        others = [b for base in cls.__mro__ if issubclass(base, DOMNode)
                  for b in Binding.make_bindings(base.__dict__.get("BINDINGS", ()))
                  if b.id not in keymap]
        for binding_id in sorted(remapped):
            for key in keymap[binding_id].split(","):
                told += [f"{key} was {other.id or other.action}'s key: it now does "
                         f"{binding_id}" for other in others if other.key == key]
    return list(dict.fromkeys(told))


def load_keymap() -> KeymapFile | None:
    """The user's keymap file, checked; None when there is none."""
    return read_keymap(keymap_path(), known_ids=known_ids, is_key=is_key)
