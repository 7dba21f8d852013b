"""Delete Segment (R7.4).

Blocked while active campaigns use the segment: the dialog lists every campaign with its
status badge, says how many must be paused, and (for users allowed to) offers to pause them
after a confirmation. Otherwise it says exactly what will be removed and asks once more;
Cancel has the focus.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Label, Static

from segtui.core.formatting import plural
from segtui.core.permissions import CurrentUser, Permission
from segtui.core.segments import (
    DeletePreview,
    SegmentError,
    SegmentInUse,
    SegmentNotFound,
    SegmentUsedByRules,
)
from segtui.data.store import Store
from segtui.screens.modals.confirm import Confirm
from segtui.screens.modals.dialog import Dialog
from segtui.screens.modals.results import SegmentDeleted
from segtui.widgets.badges import campaign_status_badge
from segtui.widgets.buttons import LiveButton
from segtui.widgets.key_line import KeyLine
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread

BLOCKED = "This segment cannot be deleted because it is being used in active campaigns"


DELETE_HELP = (
    "Delete a segment with its memberships, notes and activities; the contacts stay. It "
    "cannot be deleted while active campaigns use it (pause them here first, if you may) "
    "or while other segments' rules use it. Cancel has the focus: tab or → reaches the "
    "other buttons, enter presses the one with the focus."
)


class DeleteSegmentModal(Dialog[SegmentDeleted | None]):
    HELP = DELETE_HELP
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="delete.cancel")]
    AUTO_FOCUS = "#cancel"

    def __init__(self, store: Store, user: CurrentUser, segment_id: int, name: str) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.segment_id = segment_id
        self.segment_name = name
        self.preview: DeletePreview | None = None
        self.title_text = f"Delete Segment: {name}"

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box delete-modal"):
            yield Label(user_text(self.title_text), classes="modal-title")
            with VerticalScroll(id="delete-body"):
                yield Static("Loading…", id="delete-summary")
                yield Label("Campaigns using this segment", classes="section-title",
                            id="campaigns-title")
                yield Static(id="campaigns")
                yield Static(id="delete-warning", classes="warning")
            with Horizontal(classes="modal-buttons"):
                yield Button("Cancel", compact=True, id="cancel")
                yield LiveButton("Pause campaigns", compact=True, variant="warning",
                                 id="pause")
                yield Button("Delete Segment", compact=True, variant="error", disabled=True,
                             id="delete")
            yield KeyLine(("tab", "next button"), ("enter", "press it"), classes="modal-keys")

    def on_mount(self) -> None:
        self.query_one("#pause").display = False
        self.load()

    @in_thread("preview")
    def load(self) -> None:
        preview = self.store.segments.delete_preview(self.segment_id)
        deliver(self, self._show, preview)

    def _show(self, preview: DeletePreview | None) -> None:
        self.preview = preview
        summary = self.query_one("#delete-summary", Static)
        if preview is None:
            summary.update("This segment no longer exists: someone deleted it.")
            for widget_id in ("#campaigns-title", "#campaigns", "#delete-warning", "#pause"):
                self.query_one(widget_id).display = False
            return
        seg = preview.segment
        active = preview.active_campaigns
        campaigns = Text()
        for campaign in preview.campaigns:
            campaigns.append_text(campaign_status_badge(campaign.status))
            campaigns.append(" ")
            campaigns.append_text(user_text(campaign.name))
            campaigns.append("\n")
        self.query_one("#campaigns", Static).update(campaigns if preview.campaigns
                                                    else Text("None", style="dim"))
        warning = self.query_one("#delete-warning", Static)
        delete = self.query_one("#delete", Button)
        pause = self.query_one("#pause", Button)
        if active:
            summary.update(Text(BLOCKED, style="bold"))
            needed = (f"You need to pause {plural(len(active), 'active campaign')} before "
                      "deleting this segment.")
            if preview.used_by:  # the other blocker too, so pausing is not a dead end
                needed += f" {SegmentUsedByRules(preview.used_by)}"
            warning.update(user_text(needed, multiline=True))
            delete.disabled = True
            pause.label = Text(f"Pause {plural(len(active), 'campaign')}")
            pause.display = self.user.may(Permission.PAUSE_CAMPAIGNS)
        elif preview.used_by:
            summary.update(Text(str(SegmentUsedByRules(preview.used_by)), style="bold"))
            warning.update(user_text("Used by: " + ", ".join(preview.used_by)))
            pause.display = False
            delete.disabled = True
        else:
            summary.update(user_text(
                f"Delete “{seg.name}” with its {plural(seg.members, 'membership')}, "
                f"{plural(preview.notes, 'note')} and "
                f"{plural(preview.activities, 'activity', 'activities')}"
                ". The contacts themselves stay. This cannot be undone.",
                multiline=True,
            ))
            warning.update("")
            pause.display = False
            delete.disabled = not self.user.may(Permission.EDIT_SEGMENTS)
            if delete.disabled:
                warning.update(user_text(f"{self.user.name} ({self.user.role.value}) may not "
                                         "delete segments."))

    @on(Button.Pressed, "#pause")
    def _pause(self) -> None:
        if self.preview is None:
            return
        active = self.preview.active_campaigns
        names = ", ".join(c.name for c in active)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._do_pause([c.id for c in active])

        self.app.push_screen(
            Confirm("Pause campaigns", f"Pause {names}? They stop sending until resumed.",
                    f"Pause {plural(len(active), 'campaign')}"),
            confirmed,
        )

    @in_thread("write", failed="_failed")
    def _do_pause(self, campaign_ids: list[int]) -> None:
        self.store.segments.pause_campaigns(self.segment_id, campaign_ids, self.user)
        deliver(self, self.load)

    @on(Button.Pressed, "#delete")
    def _delete(self) -> None:
        self._do_delete()

    @in_thread("write", failed="_failed")
    def _do_delete(self) -> None:
        self.store.segments.delete_segment(self.segment_id, self.user)
        deliver(self, self.dismiss, SegmentDeleted(self.segment_id, self.segment_name))

    def _failed(self, error: Exception) -> None:
        if isinstance(error, SegmentInUse | SegmentNotFound):
            self.load()  # the world changed: show it as it is now
        message = str(error) if isinstance(error, SegmentError) else f"Failed: {error}"
        self.notify(message, severity="error", markup=False)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
