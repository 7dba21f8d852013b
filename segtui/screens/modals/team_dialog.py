"""Set a user's team (the Users screen's `t`, C19.3.7): one line of text, checked as a
user's name is (core/administration.py) before the dialog closes, so a refused name stays
typed with the reason under it. Empty: no team."""

from __future__ import annotations

from collections.abc import Hashable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from segtui.core.administration import AdminRefusal, checked_team
from segtui.screens.modals.dialog import Dialog
from segtui.widgets.key_line import KeyLine
from segtui.widgets.text import FieldText, user_text


class TeamDialog(Dialog[str | None]):
    """Returns the team as typed ("" for none), or None when cancelled."""

    HELP = ("Type the team's name (spaces and case as you want them shown; invisible "
            "characters are refused) and press enter. Leave it empty to take the user out "
            "of their team. escape closes without changing anything.")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="team.cancel")]
    AUTO_FOCUS = "#team-name"

    def __init__(self, user_name: str, team: str | None) -> None:
        super().__init__()
        self.title_text = f"Team of {user_name}"
        self.team = FieldText(team or "")  # a stored escape shows as a stand-in

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box team-modal"):
            yield Label(user_text(self.title_text), classes="modal-title")
            yield Input(self.team.shown, placeholder="No team", id="team-name")
            yield Label("", id="save-error", classes="save-error")
            yield KeyLine(("enter", "save"), classes="modal-keys")

    def draft(self) -> Hashable | None:
        return self.query_one("#team-name", Input).value

    @on(Input.Submitted, "#team-name")
    def _save(self, event: Input.Submitted) -> None:
        team = self.team.read(event.value)
        try:
            checked_team(team)
        except AdminRefusal as refused:
            self.show_error(str(refused).capitalize() + ".")
            return
        self.dismiss(team)
