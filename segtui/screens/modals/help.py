"""Contextual help: the keys of the screen underneath plus the global ones."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from segtui.widgets.text import user_text

KeyRow = tuple[str, str]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "close", "Close")]

    def __init__(self, title: str, intro: str, keys: Sequence[KeyRow]) -> None:
        super().__init__()
        self.title_text = title
        self.intro = intro
        self.keys = list(keys)

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for key, description in self.keys:
            table.add_row(Text(key, style="bold"), Text(description))
        with Vertical(classes="modal-box help"):
            yield Label(user_text(self.title_text), classes="modal-title")
            with VerticalScroll():
                yield Static(user_text(self.intro, multiline=True), classes="help-intro")
                yield Static(table)
            yield Label("esc close", classes="modal-hint")

    def action_close(self) -> None:
        self.dismiss(None)
