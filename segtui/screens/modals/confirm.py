"""Ask before doing something that can't be undone. Cancel has the focus, so a stray
enter never confirms."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from segtui.widgets.text import user_text


class Confirm(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    AUTO_FOCUS = "#confirm-cancel"

    def __init__(self, title: str, message: str, confirm_label: str) -> None:
        super().__init__()
        self.title_text = title
        self.message = message
        self.confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box confirm"):
            yield Label(user_text(self.title_text), classes="modal-title")
            yield Static(user_text(self.message, multiline=True))
            with Horizontal(classes="modal-buttons"):
                yield Button("Cancel", id="confirm-cancel")
                yield Button(user_text(self.confirm_label), variant="error", id="confirm-ok")

    @on(Button.Pressed, "#confirm-ok")
    def _ok(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
