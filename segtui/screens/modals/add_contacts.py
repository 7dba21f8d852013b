"""Add Contacts to <segment> (R7.11; AC16)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label

from segtui.core.contacts import ContactFilter, ContactSelection
from segtui.core.formatting import plural
from segtui.core.permissions import CurrentUser
from segtui.core.segments import SegmentError
from segtui.data.store import Store
from segtui.screens.modals.dialog import Dialog
from segtui.screens.modals.results import SegmentSaved
from segtui.widgets.buttons import LiveButton
from segtui.widgets.contact_picker import ADD_COLUMNS, ContactPicker
from segtui.widgets.key_line import KeyLine
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread

ADD_HELP = (
    "Add contacts to this segment: search (name, email, company), filter by status and "
    "Score Range, then space ticks the highlighted row and ctrl+a selects every contact "
    "matching the search and filters, not only the rows shown (again: unselects them). "
    "Contacts already in the segment are not listed. ctrl+s adds the selected contacts; "
    "escape asks before dropping a selection."
)


class AddContactsModal(Dialog[SegmentSaved | None]):
    HELP = ADD_HELP
    BINDINGS = [
        Binding("ctrl+s", "save", "Add", tooltip="Add the selected contacts",
                id="add-contacts.save"),
        Binding("escape", "cancel", "Cancel", id="add-contacts.cancel"),
    ]
    AUTO_FOCUS = "#picker-search"

    def __init__(self, store: Store, user: CurrentUser, segment_id: int, name: str) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.segment_id = segment_id
        self.segment_name = name
        self.saving = False
        self.title_text = f"Add Contacts to {name}"
        # What the picker said last (ContactPicker.SelectionChanged); None: being counted.
        self.picked = ContactSelection()
        self.picked_count: int | None = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box segment-modal"):
            yield Label(user_text(self.title_text), classes="modal-title")
            yield ContactPicker(
                self.store, self.store.contacts.choices,
                base=ContactFilter(not_in_segment=self.segment_id),
                columns=ADD_COLUMNS, filters=("status",), score=True,
            )
            with Vertical(classes="modal-foot"):
                yield Label("", id="save-error", classes="save-error")
                with Horizontal(classes="modal-buttons"):
                    yield Button("Cancel", compact=True, id="cancel")
                    yield LiveButton("Add 0 Contacts", variant="primary", compact=True,
                                     disabled=True, id="save")
                yield KeyLine()

    def draft(self) -> ContactSelection:
        return self.picked

    @on(ContactPicker.SelectionChanged)
    def _picked_changed(self, event: ContactPicker.SelectionChanged) -> None:
        self.picked, self.picked_count = event.picked, event.count
        self._update_button()

    def _update_button(self) -> None:
        count = self.picked_count
        button = self.query_one("#save", Button)
        shown = "… Contacts" if count is None else plural(count, "Contact")
        button.label = Text(f"Add {shown}")
        button.disabled = not count or self.saving  # R7.11: disabled at zero

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if self.saving or not self.picked_count:
            return
        self.saving = True
        self.show_error("")
        self._update_button()
        self._save(self.picked)

    @in_thread("save", failed="_failed")
    def _save(self, selection: ContactSelection) -> None:
        added = self.store.members.add_members(self.segment_id, selection, self.user)
        saved = SegmentSaved(self.segment_id, self.segment_name, added)
        deliver(self, self.dismiss, saved)

    def _failed(self, error: Exception) -> None:
        self.saving = False
        self._update_button()
        message = str(error) if isinstance(error, SegmentError) else f"Could not add: {error}"
        self.show_error(message)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
