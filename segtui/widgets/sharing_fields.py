"""Who sees a segment (C19.3.2), as the Edit dialog's "Who sees it" tab asks: its
visibility (Everyone, Owner's team, Private: arrow keys) and the users it is hidden from
(a list of people: space ticks one).

Attributes down, messages up: the dialog hands it the sharing as saved (`load`) and the
people who can be picked (`set_people`, from a worker: widgets read no database) and keeps
what `Changed` says. `editable` False shows it all and changes nothing (only the owner or
an administrator may: core/sharing.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, RadioButton, RadioSet, SelectionList

from segtui.core.enums import Visibility
from segtui.core.sharing import Sharing
from segtui.widgets.text import user_text

VISIBILITY_HELP = {
    Visibility.EVERYONE: "Everyone",
    Visibility.TEAM: "Owner's team (users with the owner's team)",
    Visibility.PRIVATE: "Private (the owner only)",
}


class SharingFields(Vertical):
    DEFAULT_CSS = """
    SharingFields { height: auto; }
    SharingFields .field-label { color: $text-muted; height: 1; }
    SharingFields RadioSet { height: auto; width: 1fr; border: none; padding: 0; }
    SharingFields SelectionList { height: auto; max-height: 8; border: none; padding: 0; }
    SharingFields .field-note { color: $text-muted; height: auto; }
    """

    class Changed(Message):
        """The user changed who sees the segment."""

        def __init__(self, sharing: Sharing) -> None:
            super().__init__()
            self.sharing = sharing

    def __init__(self, sharing: Sharing, *, editable: bool, note: str = "",
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.sharing = sharing
        self.editable = editable
        self.note = note
        self._people: list[str] = list(sharing.hidden_from)

    def compose(self) -> ComposeResult:
        yield Label("Visible to", classes="field-label")
        with RadioSet(id="sharing-visibility", disabled=not self.editable):
            for visibility, label in VISIBILITY_HELP.items():
                yield RadioButton(user_text(label), value=visibility is self.sharing.visibility,
                                  name=visibility.value)
        yield Label("Hidden from (space ticks; administrators and the owner still see it)",
                    classes="field-label")
        yield SelectionList[str](id="sharing-hidden", disabled=not self.editable)
        if self.note:
            yield Label(user_text(self.note), classes="field-note")

    def on_mount(self) -> None:
        self._fill()
        # The set's cursor starts on its first button: put it on the one pressed, so
        # space or enter on it changes nothing and the arrows go from there.
        radio = self.query_one(RadioSet)
        for _ in range(max(radio.pressed_index, 0)):
            radio.action_next_button()

    def load(self, sharing: Sharing) -> None:
        """Show `sharing` (the segment as saved)."""
        self.sharing = sharing
        buttons = list(self.query(RadioButton))
        for button in buttons:
            button.value = button.name == sharing.visibility.value
        self._people = sorted({*self._people, *sharing.hidden_from}, key=str.casefold)
        self._fill()

    def set_people(self, names: Sequence[str]) -> None:
        """The users the segment can be hidden from (the owner left out)."""
        self._people = sorted({*names, *self.sharing.hidden_from}, key=str.casefold)
        self._fill()

    def _fill(self) -> None:
        picked = {n.casefold() for n in self.sharing.hidden_from}
        people = self.query_one(SelectionList)
        with people.prevent(SelectionList.SelectedChanged):
            people.clear_options()
            people.add_options([(user_text(n), n, n.casefold() in picked)
                                for n in self._people])

    @on(RadioSet.Changed)
    def _visibility_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        name = event.pressed.name
        if name is None or name == self.sharing.visibility.value:
            return
        self._changed(Sharing(Visibility(name), self.sharing.hidden_from))

    @on(SelectionList.SelectedChanged)
    def _hidden_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        event.stop()
        self._changed(Sharing(self.sharing.visibility,
                              tuple(sorted(event.selection_list.selected, key=str.casefold))))

    def _changed(self, sharing: Sharing) -> None:
        self.sharing = sharing
        self.post_message(self.Changed(sharing))
