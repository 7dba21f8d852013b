"""Contextual help (f1 everywhere, ? where no text field has the focus): the keys of the
screen or dialog underneath, then the keys of the widgets in it that have their own.

A widget class whose keys belong in the help names them with `KEYS_TITLE` (the tag list,
the contact list, the score slider, the rule tree): the help of a dialog then lists them
in a section of their own whether or not they have the focus, so "delete removes a tag"
can be learnt before the tag list is reached. Textual's own widgets (text fields, tables)
keep their usual keys out of it: cursor moves are not what anyone opens help for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from segtui.widgets.key_line import KeyLine
from segtui.widgets.key_names import key_label, remapped
from segtui.widgets.text import user_text

KeyRow = tuple[str, str]  # (keys, what they do)
HELP_ACTIONS = ("help", "help_unless_typing")  # the app's f1 and ?
Section = tuple[str, list[KeyRow]]  # (title, its keys)


def keys_title(node: DOMNode) -> str:
    """The title of the help section for this widget's keys ("" if it has none)."""
    return str(getattr(type(node), "KEYS_TITLE", "") or "")


def declared_here(node: DOMNode, binding: Binding) -> bool:
    """Whether one of segtui's own classes declares this binding for `node` (not Textual's
    base widget it extends, like a table's cursor keys). By id, as a user's keymap may
    have given it other keys; a binding without one (Textual's) by its key."""
    for cls in type(node).__mro__:
        if not cls.__module__.startswith("segtui."):
            continue
        for declared in cls.__dict__.get("BINDINGS", ()):
            if not isinstance(declared, Binding) or declared.action != binding.action:
                continue
            if binding.id is not None:
                if declared.id == binding.id:
                    return True
            elif binding.key in (k.strip() for k in declared.key.split(",")):
                return True
    return False


def key_rows(bindings: Iterable[tuple[Binding, bool]]) -> list[KeyRow]:
    """One row per description, its keys in the order given ("del backspace  Remove
    tag"). Each binding comes with whether it is segtui's own: those may say more in the
    help through their tooltip than the short description a key line shows."""
    grouped: dict[str, list[str]] = {}
    said: dict[str, str] = {}
    for binding, own in bindings:
        if binding.description:
            key = key_label(binding)
            keys_for = grouped.setdefault(binding.description, [])
            said.setdefault(binding.description,
                            (binding.tooltip if own else "") or binding.description)
            if key not in keys_for:
                keys_for.append(key)
    return [(" ".join(keys), said[description]) for description, keys in grouped.items()]


def screen_keys(app: App[Any], screen: Screen[Any]) -> list[KeyRow]:
    """The keys that work on `screen` now: its own in the order it declares them, the
    app's, then those segtui's widgets around the focus declare (a detail tab's `n`)."""
    declared = [b.action for b in (*screen.BINDINGS, *app.BINDINGS) if isinstance(b, Binding)]

    def rank(active: ActiveBinding) -> int:
        action = active.binding.action
        return declared.index(action) if action in declared else len(declared)

    def listed(active: ActiveBinding) -> bool:
        node = active.node
        return node is screen or node is app or (
            not keys_title(node) and declared_here(node, active.binding))

    actives = sorted((a for a in screen.active_bindings.values() if listed(a)), key=rank)
    bindings = [(a.binding, declared_here(a.node, a.binding)) for a in actives]
    if screen.is_modal:
        # A dialog's bindings stop at the dialog; the app's help keys still work there
        # (they are priority bindings).
        bindings += [(b, True) for b in remapped(app, app.BINDINGS)
                     if b.action in HELP_ACTIONS]
    return key_rows(bindings)


def widget_sections(screen: Screen[Any]) -> list[Section]:
    """A section per kind of widget on `screen` that has its own keys (`KEYS_TITLE`), the
    one holding the focus first; the keys as the user's keymap made them."""
    sections: dict[str, list[KeyRow]] = {}
    focus_path = set(screen.focused.ancestors_with_self) if screen.focused else set()
    first = ""
    for widget in screen.query("*"):
        title = keys_title(widget)
        if not title or title in sections:
            continue
        sections[title] = key_rows((b, True) for b in
                                   remapped(screen.app, type(widget).BINDINGS))
        if widget in focus_path:
            first = title
    order = sorted(sections, key=lambda title: title != first)
    return [(title, sections[title]) for title in order if sections[title]]


class HelpScreen(ModalScreen[None]):
    # f1 and ? close it too: they are the app's (priority) help keys, which toggle.
    BINDINGS = [Binding("escape,q", "close", "Close", id="help.close")]

    def __init__(self, title: str, intro: str, keys: Sequence[KeyRow],
                 sections: Sequence[Section] = ()) -> None:
        super().__init__()
        self.title_text = title
        self.intro = intro
        self.keys = list(keys)
        self.sections = list(sections)

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box help"):
            yield Label(user_text(self.title_text), classes="modal-title")
            with VerticalScroll():
                yield Static(user_text(self.intro, multiline=True), classes="help-intro")
                table: Table = self._table(self.keys)
                yield Static(table)
                for title, rows in self.sections:
                    yield Label(Text(title), classes="help-section")
                    section: Table = self._table(rows)
                    yield Static(section)
            yield KeyLine(("↑↓", "scroll"), help=False, classes="modal-keys")

    @staticmethod
    def _table(rows: Sequence[KeyRow]) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True, min_width=12)
        table.add_column()
        for key, description in rows:
            table.add_row(Text(key, style="bold"), Text(description))
        return table

    def action_close(self) -> None:
        self.dismiss(None)
