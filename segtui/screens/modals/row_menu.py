"""Small "⋯" menus: pick one action for a row (spec 7.1 View/Edit/Delete, 7.6 per-contact
actions). Each option has a letter key as well as arrows + enter."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from segtui.widgets.text import user_text


class ActionMenu(ModalScreen[str | None]):
    """Returns the chosen option's id, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, options: Sequence[tuple[str, str, str]]) -> None:
        """`options`: (id, label, key) triples; `key` is a letter that picks it directly."""
        super().__init__()
        self.title_text = title
        self.options = list(options)

    def compose(self) -> ComposeResult:
        width = max(len(label) for _, label, _ in self.options) + 4
        with Vertical(classes="modal-box row-menu"):
            yield Label(user_text(self.title_text), classes="modal-title")
            yield OptionList(*(Option(Text(f"{label:<{width}}{key}"), id=option_id)
                               for option_id, label, key in self.options))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_key(self, event: Key) -> None:
        for option_id, _, key in self.options:
            if event.key == key and len(key) == 1:
                event.stop()
                self.dismiss(option_id)
                return

    def action_cancel(self) -> None:
        self.dismiss(None)


class RowAction(StrEnum):
    VIEW = "view"
    EDIT = "edit"
    DUPLICATE = "duplicate"
    DELETE = "delete"


class RowMenu(ActionMenu):
    """The segments table's row menu."""

    def __init__(self, segment_name: str) -> None:
        super().__init__(segment_name, [(RowAction.VIEW, "View", "enter"),
                                        (RowAction.EDIT, "Edit", "e"),
                                        (RowAction.DUPLICATE, "Duplicate", "y"),
                                        (RowAction.DELETE, "Delete", "d")])
        self.segment_name = segment_name
