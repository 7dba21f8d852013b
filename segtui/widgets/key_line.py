"""One line naming the keys that work here (U15.9): "ctrl+s create · esc cancel ·
space select row · f1 help".

It reads the screen's bindings, so it never drifts from them: first any fixed items the
owner passes (keys handled by a widget rather than a binding, like enter in a text field),
then the screen's own shown bindings, then those of the focused widget and its containers
(they change as the focus moves: the tag list's delete, the contact list's space and
ctrl+a, the slider's shift+arrows), and last "f1 help", which lists everything. An item
that does not fit the width is left out whole, never cut; "f1 help" always stays.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.cells import cell_len
from rich.console import RenderableType
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

from segtui.widgets.key_names import in_declared_order, key_for, key_label

KeyItem = tuple[str, str]  # (keys as shown, what they do)
SEPARATOR = " · "
HELP_ITEM: KeyItem = ("f1", "help")


def describe(description: str) -> str:
    """A binding's description as a key line says it: "Create segment" -> "create
    segment"; a leading acronym ("AI ...") keeps its capitals."""
    if len(description) > 1 and description[1].isupper():
        return description
    return description[:1].lower() + description[1:]


def fit(items: Iterable[KeyItem], width: int, last: KeyItem | None = HELP_ITEM
        ) -> list[KeyItem]:
    """The items that fit `width` cells in order, skipping any that would overflow;
    `last` is kept whatever happens (it is how to learn the others)."""
    room = width - (cell_len(" ".join(last)) if last else 0)
    chosen: list[KeyItem] = []
    used = 0
    for item in items:
        cost = cell_len(" ".join(item)) + (len(SEPARATOR) if chosen or last else 0)
        if used + cost <= room:
            chosen.append(item)
            used += cost
    return [*chosen, last] if last else chosen


class KeyLine(Widget):
    """The keys of the screen it is on, on one line (see the module docstring)."""

    DEFAULT_CSS = """
    KeyLine { height: 1; width: 1fr; color: $text-muted; }
    KeyLine > .key-line--key { text-style: bold; color: $text; }
    """
    COMPONENT_CLASSES = {"key-line--key"}

    def __init__(self, *items: KeyItem, help: bool = True, id: str | None = None,
                 classes: str | None = None) -> None:
        """`items`: keys to name first that are not bindings; `help`: end with "f1 help"
        (every screen but the help itself)."""
        super().__init__(id=id, classes=classes)
        self.fixed = list(items)
        self.with_help = help

    def on_mount(self) -> None:
        # Published whenever the focus moves or a binding's state changes.
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: Screen[Any]) -> None:
        self.refresh()

    def items(self) -> list[tuple[KeyItem, bool]]:
        """Every item with whether it can be used now (a dimmed one can't)."""
        screen = self.screen
        own: list[tuple[KeyItem, bool]] = []
        focused: list[tuple[KeyItem, bool]] = []
        seen: set[tuple[int, str, str]] = set()
        for _key, active in in_declared_order(self.app, screen.active_bindings):
            binding: Binding = active.binding
            # One item per binding: "delete,backspace" shows its first key. Help is the
            # last item anyway.
            same = (id(active.node), binding.action, binding.description)
            if (not binding.show or not binding.description or same in seen
                    or binding.action.removeprefix("app.").startswith("help")):
                continue
            seen.add(same)
            item = (key_label(binding), describe(binding.description))
            mine = active.node is screen or active.node is self.app
            (own if mine else focused).append((item, active.enabled))
        return [*((item, True) for item in self.fixed), *own, *focused]

    def help_item(self) -> KeyItem:
        """"f1 help", or the key the user's keymap gives the help."""
        return key_for(self.app, "app.help", HELP_ITEM[0]), HELP_ITEM[1]

    def render(self) -> RenderableType:
        items = self.items()
        enabled = dict(items)
        shown = fit([item for item, _ in items], self.content_size.width,
                    self.help_item() if self.with_help else None)
        key_style = self.get_component_rich_style("key-line--key")
        line = Text(no_wrap=True, overflow="crop")
        for index, (key, description) in enumerate(shown):
            if index:
                line.append(SEPARATOR)
            dim = Style() if enabled.get((key, description), True) else Style(dim=True)
            line.append(key, style=key_style + dim)
            line.append(f" {description}", style=dim)
        return line
