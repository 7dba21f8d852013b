"""What every dialog shares (U15.9-U15.10).

- Help: f1 (and ? outside text fields) opens the help of the dialog on top, made from its
  `HELP`, its bindings and its widgets' keys (app.action_help, screens/modals/help.py);
  `title_text` names it.
- Keys on screen: each dialog yields a `KeyLine` (widgets/key_line.py).
- Escape never throws typed work away silently: `draft()` is what the user can change,
  remembered once the dialog is drawn; `action_cancel` closes at once when the draft is
  unchanged and otherwise asks "Discard your changes?" (y discards; n, escape or enter
  keep editing, with everything as it was). One mechanism: a dialog only says what its
  draft is.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TypeVar

from textual.screen import ModalScreen
from textual.widgets import Label

from segtui.screens.modals.confirm import Confirm
from segtui.widgets.text import user_text

ResultT = TypeVar("ResultT")
DISCARD_TITLE = "Discard your changes?"


class Dialog(ModalScreen[ResultT]):
    title_text = ""  # the dialog's title, as its help names it

    def __init__(self) -> None:
        super().__init__()
        self.initial_draft: Hashable | None = None  # the draft as the dialog opened
        self._remembered = False

    def on_mount(self) -> None:
        # After the first refresh: the widgets hold their starting values by then (a Select
        # settles its value, a dialog fills its fields in its own on_mount).
        self.call_after_refresh(self.remember_draft)

    # -- what the user changed -------------------------------------------------------------

    def draft(self) -> Hashable | None:
        """What the user typed or chose, comparable with ==; None for a dialog that holds
        nothing to lose (escape then always closes at once)."""
        return None

    def remember_draft(self) -> None:
        """Take the draft shown now as the unchanged one."""
        self.initial_draft = self.draft()
        self._remembered = True

    @property
    def changed(self) -> bool:
        return self._remembered and self.draft() != self.initial_draft

    def show_error(self, message: str, selector: str = "#save-error") -> None:
        """Say why the dialog could not do it; the line takes no room while empty (at
        80x24 every row of a full-screen dialog counts)."""
        label = self.query_one(selector, Label)
        label.update(user_text(message, multiline=True))
        label.display = bool(message)

    # -- closing ---------------------------------------------------------------------------

    def cancelled(self) -> ResultT | None:
        """What the dialog returns when closed without doing anything."""
        return None

    def action_cancel(self) -> None:
        """escape / Cancel: close at once if nothing changed, else ask first."""
        if not self.changed:
            self.dismiss(self.cancelled())
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(self.cancelled())

        self.app.push_screen(
            Confirm(DISCARD_TITLE, "What you typed or picked in this dialog will be lost.",
                    "Discard", keep_label="Keep editing"),
            answered,
        )
