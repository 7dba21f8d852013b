"""Keys as shown: spelled as on the keyboard, and as the user's keymap made them.

Textual applies a keymap (App.set_keymap, docs/keys.md "Your own keys") inside the binding
chain, so `Screen.active_bindings` (the key bar, the key lines, the help's first table)
already holds the user's keys. What reads bindings off a class or a node instead (the
help's widget sections, the palette) or names a key in words (a confirmation's "y yes")
asks here for the keys in force.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import App
from textual.binding import ActiveBinding, Binding, BindingType, Keymap
from textual.keys import format_key

# Keys named as printed on the keyboard rather than by Textual's symbols ("⏎", "⌫").
SPELLED_KEYS = {"enter": "enter", "backspace": "backspace"}


def key_label(binding: Binding) -> str:
    """A binding's key as key lines and help spell it: "ctrl+s", not Textual's "^s" (which
    few marketing managers read as Ctrl). The footers of the screens keep Textual's
    spelling (App.get_key_display), which is shorter."""
    if binding.key_display:
        return binding.key_display
    modifiers, key = binding.parse_key()
    return "+".join([*modifiers, SPELLED_KEYS.get(key) or format_key(key)])


def user_keymap(app: App[Any]) -> Keymap:
    """The keymap in force: binding id -> keys, as App.set_keymap normalised them.
    Textual keeps it in `App._keymap` with no public getter (Textual is pinned, 8.2.8)."""
    keymap: Keymap = getattr(app, "_keymap", {})
    return keymap


def remapped(app: App[Any], bindings: Iterable[BindingType]) -> list[Binding]:
    """`bindings` (one per key, in their order) with the user's keys, as Textual's binding
    chain makes them: a remapped binding takes its new keys where it was declared, and a
    binding whose key the keymap gave to another of them is left out."""
    declared = list(Binding.make_bindings(bindings))
    keymap = user_keymap(app)
    if not keymap:
        return declared
    new_keys = {b.id: keymap[b.id] for b in declared if b.id and b.id in keymap}
    taken = {key for keys in new_keys.values() for key in keys.split(",")}
    shown: list[Binding] = []
    for binding in declared:
        keys = new_keys.pop(binding.id, None) if binding.id else None
        if keys is not None:  # its new keys, where its first key was
            shown += [binding.with_key(key) for key in keys.split(",")]
        elif binding.id not in keymap and binding.key not in taken:
            shown.append(binding)
    return shown


def key_for(app: App[Any], binding_id: str, default: str) -> str:
    """How to name the keys of the binding `binding_id` in words: `default` (what the
    words say today, "n/esc") unless the user's keymap gave it other keys ("x/esc")."""
    keys = user_keymap(app).get(binding_id)
    if not keys:
        return default
    return "/".join(key_label(Binding(key, "")) for key in keys.split(","))


def in_declared_order(app: App[Any], active: dict[str, ActiveBinding]
                      ) -> list[tuple[str, ActiveBinding]]:
    """The screen's active bindings (key -> binding), each node's in the order it declares
    them: Textual's keymap moves a remapped binding after the others of its node, and the
    key bar and key lines show the first declared first (a line full, the last are left
    out). Without a keymap, Textual's order is that already."""
    items = list(active.items())
    if not user_keymap(app):
        return items
    nodes: dict[int, int] = {}  # id(node) -> its place, the first binding's
    declared: dict[int, list[Binding]] = {}  # id(node) -> its bindings as declared

    def place(item: tuple[str, ActiveBinding]) -> tuple[int, int]:
        node, binding = item[1].node, item[1].binding
        order = declared.setdefault(id(node), [b for _, b in node._bindings])
        index = next((n for n, b in enumerate(order)
                      if (b.id == binding.id if binding.id else b.key == binding.key)),
                     len(order))
        return nodes.setdefault(id(node), len(nodes)), index

    places = [place(item) for item in items]  # in Textual's order: nodes keep theirs
    return [item for _, item in sorted(zip(places, items, strict=True), key=lambda p: p[0])]
