"""Edit Segment (spec 7.3): "Segment Details" and "Add Contacts" tabs, saved together.

If someone else saved or deleted the segment while it was open, the save writes nothing
and says so; the user's typed input stays, and they choose what happens: keep theirs
(overwrite), take the other version, or (if deleted) create it again as a new segment.
"""

from __future__ import annotations

from dataclasses import replace

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static, TabbedContent, TabPane

from segtui.core.contacts import ContactFilter, ContactSelection
from segtui.core.enums import SegmentKind
from segtui.core.formatting import dmy, whole
from segtui.core.permissions import CurrentUser
from segtui.core.segments import (
    DuplicateSegmentName,
    InvalidSegment,
    SegmentConflict,
    SegmentDetails,
    SegmentDraft,
    SegmentError,
    SegmentNotFound,
)
from segtui.data.store import Store
from segtui.screens.modals.results import SegmentSaved
from segtui.screens.modals.rule_builder import KindSwitch, RuleBuilder, rule_errors
from segtui.widgets.contact_picker import ADD_COLUMNS, ContactPicker
from segtui.widgets.segment_fields import SegmentFields
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver


def segment_stats(details: SegmentDetails) -> str:
    """Spec 7.3 "Current Segment Stats" (read-only)."""
    active = details.active_campaigns
    return (
        f"Contacts: {whole(details.members)} · "
        f"Campaigns: {active} active · Created: {dmy(details.created_at)}"
    )


class EditSegmentModal(ModalScreen[SegmentSaved | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save changes"),
    ]
    AUTO_FOCUS = "#field-name"

    def __init__(self, store: Store, user: CurrentUser, details: SegmentDetails) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.details = details
        self.saving = False
        self.conflict: SegmentDetails | None = None
        self.deleted = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box segment-modal"):
            yield Label(user_text(f"Edit Segment: {self.details.name}"), classes="modal-title")
            with TabbedContent(id="edit-tabs"):
                with TabPane("Segment Details", id="tab-details"):
                    yield SegmentFields(self.details.as_draft(), with_status=True)
                    yield KindSwitch(self.details.kind)
                    yield Label(segment_stats(self.details), id="edit-stats",
                                classes="stats-line")
                with TabPane("Rule", id="tab-rule"):
                    yield RuleBuilder(self.store, self.details.rule, self.details.id)
                with TabPane("Add Contacts", id="tab-add"):
                    yield Label("Add New Contacts to Segment", classes="section-title")
                    yield ContactPicker(
                        self.store, self.store.choices,
                        base=ContactFilter(not_in_segment=self.details.id),
                        columns=ADD_COLUMNS, filters=("status",), score=True,
                    )
            with Vertical(id="conflict", classes="conflict"):
                yield Static(id="conflict-message")
                with Horizontal(classes="modal-buttons"):
                    yield Button("Keep mine (overwrite)", compact=True, id="keep-mine")
                    yield Button("Use theirs", compact=True, id="use-theirs")
                    yield Button("Create as new segment", compact=True, id="recreate")
            yield Label("", id="save-error", classes="save-error")
            with Horizontal(classes="modal-buttons"):
                yield Button("Cancel", compact=True, id="cancel")
                yield Button("Save Changes", variant="primary", compact=True, id="save")

    def on_mount(self) -> None:
        self.query_one("#conflict").display = False

    @on(SegmentFields.Changed)
    def _changed(self) -> None:
        self.query_one("#save", Button).disabled = (
            self.query_one(SegmentFields).name_is_empty or self.saving
        )

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self._submit(self.details.version)

    def _draft(self) -> SegmentDraft | None:
        """What the form holds; None (with the reason shown) if it cannot be saved yet."""
        fields = self.query_one(SegmentFields)
        if not fields.check():
            self.query_one(TabbedContent).active = "tab-details"
            self.query_one("#field-name").focus()
            return None
        draft = fields.draft()
        if self.query_one(KindSwitch).kind is SegmentKind.STATIC:
            return draft
        builder = self.query_one(RuleBuilder)
        rule = builder.rule_for_save()
        if rule is None:
            self.query_one("#save-error", Label).update(user_text(builder.not_saveable()))
            self.query_one(TabbedContent).active = "tab-rule"
            return None
        return replace(draft, rule=rule)

    def _submit(self, version: int) -> None:
        if self.saving:
            return
        draft = self._draft()
        if draft is None:
            return
        self.saving = True
        self._changed()
        self._save(version, draft, self.query_one(ContactPicker).selection)

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def _save(self, version: int, draft: SegmentDraft, selection: ContactSelection) -> None:
        try:
            added = self.store.update_segment(self.details.id, version, draft, selection,
                                              self.user)
        except Exception as error:  # shown in the form; nothing typed is lost
            deliver(self, self._failed, error)
            return
        deliver(
            self, self.dismiss, SegmentSaved(self.details.id, draft.normalised().name, added)
        )

    def _failed(self, error: Exception) -> None:
        self.saving = False
        self._changed()
        fields = self.query_one(SegmentFields)
        if isinstance(error, DuplicateSegmentName):
            self.query_one(TabbedContent).active = "tab-details"
            fields.show_error("name", str(error))
        elif isinstance(error, InvalidSegment):
            fields.show_errors(error.errors)
            if rule_errors(error.errors):
                self.query_one(TabbedContent).active = "tab-rule"
                self.query_one("#save-error", Label).update(
                    user_text(rule_errors(error.errors)))
        elif isinstance(error, SegmentConflict):
            self._show_conflict(error.current)
        elif isinstance(error, SegmentNotFound):
            self._show_deleted()
        else:
            message = str(error) if isinstance(error, SegmentError) else \
                f"Could not save: {error}"
            self.query_one("#save-error", Label).update(user_text(message))

    def _show_conflict(self, current: SegmentDetails) -> None:
        self.conflict = current
        theirs = (
            f"Someone else saved this segment while you were editing it. Their version: "
            f"name “{current.name}”, status {current.status.value}, "
            f"{len(current.tags)} tags, description “{current.description[:80]}”. "
            "Your changes are still in the form: keep yours (overwrite theirs) or use theirs."
        )
        self.query_one("#conflict-message", Static).update(user_text(theirs, multiline=True))
        self.query_one("#recreate").display = False
        self.query_one("#keep-mine").display = True
        self.query_one("#use-theirs").display = True
        self.query_one("#conflict").display = True
        self.query_one("#keep-mine").focus()

    def _show_deleted(self) -> None:
        self.deleted = True
        self.query_one("#conflict-message", Static).update(
            "Someone deleted this segment while you were editing it. Your changes are still "
            "in the form: create it again as a new segment, or cancel."
        )
        self.query_one("#keep-mine").display = False
        self.query_one("#use-theirs").display = False
        self.query_one("#recreate").display = True
        self.query_one("#save", Button).disabled = True
        self.query_one("#conflict").display = True
        self.query_one("#recreate").focus()

    @on(Button.Pressed, "#keep-mine")
    def _keep_mine(self) -> None:
        assert self.conflict is not None
        self.details = self.conflict
        self.query_one("#conflict").display = False
        self._submit(self.conflict.version)

    @on(Button.Pressed, "#use-theirs")
    def _use_theirs(self) -> None:
        assert self.conflict is not None
        self.details = self.conflict
        self.query_one(SegmentFields).load(self.conflict.as_draft())
        self.query_one("#edit-stats", Label).update(segment_stats(self.conflict))
        self.query_one("#conflict").display = False
        self.conflict = None

    @on(Button.Pressed, "#recreate")
    def _recreate(self) -> None:
        draft = self._draft()
        if draft is not None:
            self._create(draft, self.query_one(ContactPicker).selection)

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def _create(self, draft: SegmentDraft, selection: ContactSelection) -> None:
        try:
            segment_id = self.store.create_segment(draft, selection, self.user)
        except Exception as error:
            deliver(self, self._failed, error)
            return
        details = self.store.segment_details(segment_id)
        deliver(
            self, self.dismiss,
            SegmentSaved(segment_id, draft.normalised().name,
                         details.members if details else 0, created=True),
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
