"""Freeze a segment (C20.4.1-C20.4.2): its current members kept as a new static segment.

The dialog offers a name ("<name> snapshot YYYY MM DD", today's date), which the user may
change; enter saves in a worker. A refusal (a name taken, too long, with characters a name
may not hold, the user's segment limit, the segment deleted meanwhile) is said under the
name, which stays as typed; nothing was written.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from segtui.core import clock
from segtui.core.formatting import plural
from segtui.core.permissions import CurrentUser
from segtui.core.segments import InvalidSegment, SegmentError
from segtui.core.snapshots import Snapshot, snapshot_name
from segtui.data.store import Store
from segtui.screens.modals.dialog import Dialog
from segtui.widgets.key_line import KeyLine
from segtui.widgets.text import FieldText, user_text
from segtui.widgets.workers import deliver, in_thread


def frozen_message(snap: Snapshot) -> str:
    """The toast after a freeze (C20.4.1)."""
    return (f"Froze {plural(snap.members, 'member')} of “{snap.source}” into “{snap.name}”, "
            "a new static segment on the dashboard")


class FreezeSegmentModal(Dialog[Snapshot | None]):
    """Returns the snapshot made, or None when cancelled."""

    HELP = ("Freeze keeps the segment's current members as a new static segment: they stay "
            "as they are now whatever the segment's rule later says. It gets the segment's "
            "tags and a description saying what it was frozen from and when. Change the "
            "name if you like (letters, digits and spaces) and press enter; escape closes "
            "without making anything.")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="freeze.cancel")]
    AUTO_FOCUS = "#freeze-name"

    def __init__(self, store: Store, user: CurrentUser, segment_id: int, name: str) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.segment_id = segment_id
        self.source_name = name
        self.title_text = f"Freeze “{name}”"
        self.name_field = FieldText(snapshot_name(name, clock.today()))
        self._saving = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box freeze-modal"):
            yield Label(user_text(self.title_text), classes="modal-title")
            yield Label("Its current members, kept as a new static segment named:",
                        classes="freeze-intro")
            yield Input(self.name_field.shown, id="freeze-name")
            yield Label("", id="save-error", classes="save-error")
            yield KeyLine(("enter", "freeze"), classes="modal-keys")

    def draft(self) -> Hashable | None:
        return self.query_one("#freeze-name", Input).value

    @on(Input.Submitted, "#freeze-name")
    def _submitted(self, event: Input.Submitted) -> None:
        if self._saving:
            return
        self._saving = True
        self.show_error("")
        self._freeze(self.name_field.read(event.value))

    @in_thread("freeze")
    def _freeze(self, name: str) -> None:
        try:
            snap = self.store.segments.freeze(self.segment_id, name, self.user)
        except InvalidSegment as refused:
            deliver(self, self._refused, " ".join(e.message for e in refused.errors))
            return
        except SegmentError as refused:  # taken, the limit, deleted meanwhile, not allowed
            deliver(self, self._refused, str(refused))
            return
        deliver(self, self.dismiss, snap)

    def _refused(self, message: str) -> None:
        self._saving = False
        self.show_error(message)
        self.query_one("#freeze-name", Input).focus()
