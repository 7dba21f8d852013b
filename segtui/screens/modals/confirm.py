"""Ask before doing something that can't be undone. The "no" button has the focus, so a
stray enter never confirms; y says yes and n (or escape) no, from anywhere in it."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from segtui.widgets.key_line import KeyLine
from segtui.widgets.key_names import key_for
from segtui.widgets.text import user_text


class Confirm(ModalScreen[bool]):
    HELP = ("Confirm or cancel what you asked for. The second button (no) has the focus: "
            "enter on it, n or escape keep everything as it was; y (or tab, enter) goes "
            "ahead.")
    BINDINGS = [
        # Shown by the key line with the buttons' own words (see compose).
        Binding("y", "ok", "Yes", show=False, id="confirm.yes"),
        Binding("n,escape", "cancel", "No", show=False, id="confirm.no"),
    ]
    AUTO_FOCUS = "#confirm-cancel"

    def __init__(self, title: str, message: str, confirm_label: str,
                 keep_label: str = "Cancel") -> None:
        super().__init__()
        self.title_text = title
        self.message = message
        self.confirm_label = confirm_label
        self.keep_label = keep_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box confirm"):
            yield Label(user_text(self.title_text), classes="modal-title")
            yield Static(user_text(self.message, multiline=True))
            with Horizontal(classes="modal-buttons"):
                yield Button(user_text(self.keep_label), id="confirm-cancel")
                yield Button(user_text(self.confirm_label), variant="error", id="confirm-ok")
            yield KeyLine((key_for(self.app, "confirm.yes", "y"), self.confirm_label.lower()),
                          (key_for(self.app, "confirm.no", "n/esc"), self.keep_label.lower()),
                          classes="modal-keys")

    @on(Button.Pressed, "#confirm-ok")
    def action_ok(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
