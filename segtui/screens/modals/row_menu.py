"""The one menu of the app: pick one action for the highlighted row (R7.1 View/Edit/
Delete, 7.6 per-contact actions, the data quality screen's rows). `m` opens it on every list
(docs/keys.md).

Every menu is an `ActionMenu` and looks the same (U15.12: the member menu wrapped its
keys under the labels while the row menu put them beside): one line per action, the label
on the left and its key in a column on the right, the box as wide as its widest line (never
wrapped; on a terminal too narrow for it, labels end in "…"). Each action has a key as well
as arrows + enter; a key means what it means on the screens (d deletes or removes, e edits).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from rich.cells import cell_len
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

KEY_GAP = 3  # cells between the longest label and the key column
TITLE_ROOM = 40  # a longer title (a segment's name) ends in "…" rather than widen the menu
OPTION_CHROME = 4  # an OptionList's border and its options' padding, left and right


class ActionMenu(ModalScreen[str | None]):
    """Returns the chosen option's id, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="menu.back")]

    def __init__(self, title: str, options: Sequence[tuple[str, str, str]]) -> None:
        """`options`: (id, label, key) triples; `key` is a letter ("d", "M") that picks it
        directly (enter picks the highlighted one)."""
        super().__init__()
        self.title_text = title
        self.options = list(options)

    def option_prompt(self, label: str, key: str, label_width: int, key_width: int) -> Text:
        """One line: the label padded to the widest, then the key right-aligned."""
        shown = self.app.get_key_display(Binding(key, ""))
        line = Text.assemble(label, " " * (label_width - cell_len(label) + KEY_GAP),
                             (" " * (key_width - cell_len(shown)) + shown, "bold"))
        line.no_wrap = True
        line.overflow = "ellipsis"
        return line

    def compose(self) -> ComposeResult:
        shown = [self.app.get_key_display(Binding(key, "")) for _, _, key in self.options]
        key_width = max(cell_len(key) for key in shown)
        # The lines as wide as the title (up to TITLE_ROOM), so the keys end at the right.
        inner = max(max(cell_len(label) for _, label, _ in self.options) + KEY_GAP
                    + key_width + OPTION_CHROME, min(cell_len(self.title_text), TITLE_ROOM))
        label_width = inner - OPTION_CHROME - KEY_GAP - key_width
        options = []
        for option_id, label, key in self.options:
            prompt: Text = self.option_prompt(label, key, label_width, key_width)
            options.append(Option(prompt, id=option_id))
        with Vertical(classes="modal-box action-menu"):
            title = Label(user_text(self.title_text), classes="modal-title")
            title.styles.width = inner
            yield title
            yield OptionList(*options)

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
    RESTORE = "restore"


class RowMenu(ActionMenu):
    """The segments table's row menu; e, y, d and R are the dashboard's keys for the same
    actions (R, restore, for an archived segment only)."""

    def __init__(self, segment_name: str, *, archived: bool = False) -> None:
        restore = [(RowAction.RESTORE, "Restore from the archive", "R")] if archived else []
        super().__init__(segment_name, [(RowAction.VIEW, "View", "v"),
                                        (RowAction.EDIT, "Edit", "e"),
                                        (RowAction.DUPLICATE, "Duplicate", "y"),
                                        (RowAction.DELETE, "Delete", "d"), *restore])
        self.segment_name = segment_name
