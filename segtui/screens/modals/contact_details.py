"""Everything segtui knows about one contact (R7.6 "view details")."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, Static

from segtui.core.contacts import ContactRow
from segtui.core.formatting import dmy, relative_days
from segtui.screens.modals.dialog import Dialog
from segtui.widgets.badges import lead_status_badge
from segtui.widgets.key_line import KeyLine
from segtui.widgets.text import user_text


class ContactDetails(Dialog[None]):
    HELP = ("Everything segtui knows about this contact. Last contact is when the team "
            "last reached them; Quality is the share of their fields filled in "
            "(docs/quality.md).")
    BINDINGS = [Binding("escape,enter", "close", "Close", id="contact.close")]

    def __init__(self, contact: ContactRow) -> None:
        super().__init__()
        self.contact = contact
        self.title_text = contact.name

    def compose(self) -> ComposeResult:
        c = self.contact
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column()
        last = (f"{dmy(c.last_contacted_at)} ({relative_days(c.last_contacted_at)})"
                if c.last_contacted_at else "never")
        for label, value in (
            ("Title", user_text(c.title)),
            ("Company", user_text(c.company)),
            ("Email", user_text(c.email or "—")),
            ("Phone", user_text(c.phone or "—")),
            ("City / State", user_text(", ".join(p for p in (c.city, c.state) if p))),
            ("Status", lead_status_badge(c.status)),
            ("Quality", Text(f"{c.quality_score}/100")),
            ("Tags", user_text(", ".join(c.tags) or "—")),
            ("Last contact", Text(last)),
        ):
            grid.add_row(label, value)
        with Vertical(classes="modal-box"):
            yield Label(user_text(c.name), classes="modal-title")
            yield Static(grid)
            yield KeyLine(classes="modal-keys")

    def action_close(self) -> None:
        self.dismiss(None)
