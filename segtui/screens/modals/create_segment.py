"""Create New Segment (spec 7.2; acceptance criteria 2-5)."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, ContentSwitcher, Input, Label

from segtui.core.contacts import ContactSelection
from segtui.core.enums import SegmentKind
from segtui.core.formatting import plural
from segtui.core.permissions import CurrentUser
from segtui.core.rules import Group
from segtui.core.segments import (
    DuplicateSegmentName,
    InvalidSegment,
    SegmentDraft,
    SegmentError,
)
from segtui.data.store import Store
from segtui.screens.modals.dialog import Dialog
from segtui.screens.modals.results import SegmentSaved
from segtui.screens.modals.rule_builder import KindSwitch, RuleBuilder, rule_errors
from segtui.widgets.buttons import LiveButton
from segtui.widgets.contact_picker import CREATE_COLUMNS, ContactPicker
from segtui.widgets.key_line import KeyLine
from segtui.widgets.segment_fields import SegmentFields
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread

CREATE_HELP = (
    "Create a segment: a name (required), a description and tags, then its members. "
    "Static: search and filter the contacts, space ticks the highlighted row, ctrl+a "
    "selects every contact matching the search and filters (not only the rows shown). "
    "Dynamic: type a rule or build it on the tree; it counts who matches as you edit. "
    "ctrl+s creates it from any field; tab and shift+tab move between fields; escape "
    "asks before throwing away what you typed."
)


class CreateSegmentModal(Dialog[SegmentSaved | None]):
    HELP = CREATE_HELP
    BINDINGS = [
        Binding("ctrl+s", "save", "Create", tooltip="Create the segment (from any field)",
                id="create.save"),
        Binding("escape", "cancel", "Cancel", id="create.cancel"),
    ]
    AUTO_FOCUS = "#field-name"
    title_text = "Create New Segment"

    def __init__(self, store: Store, user: CurrentUser, rule: Group | None = None) -> None:
        """`rule`: start as a dynamic segment with this rule (from the dashboard's "?"
        search)."""
        super().__init__()
        self.store = store
        self.user = user
        self.rule = rule
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box segment-modal"):
            yield Label(user_text(self.title_text), classes="modal-title")
            yield SegmentFields()
            yield KindSwitch(SegmentKind.STATIC if self.rule is None else SegmentKind.DYNAMIC)
            with ContentSwitcher(initial="pick-contacts" if self.rule is None else "build-rule",
                                 id="kind-content"):
                with Vertical(id="pick-contacts"):
                    yield Label("Select Contacts", classes="section-title")
                    yield ContactPicker(self.store, self.store.choices,
                                        columns=CREATE_COLUMNS)
                with Vertical(id="build-rule"):
                    yield RuleBuilder(self.store, self.rule)
            with Vertical(classes="modal-foot"):
                yield Label("", id="save-error", classes="save-error")
                with Horizontal(classes="modal-buttons"):
                    yield Button("Cancel", compact=True, id="cancel")
                    # Its count changes: a LiveButton widens with it (issue 15 §13).
                    yield LiveButton("Create Segment (0 contacts)", variant="primary",
                                     compact=True, disabled=True, id="save")
                yield KeyLine()

    def draft(self) -> tuple[object, ...]:
        return (self.query_one(SegmentFields).typed(), self.query_one(KindSwitch).kind,
                self.query_one("#rule-text", Input).value,
                self.query_one(ContactPicker).picked())

    @property
    def dynamic(self) -> bool:
        return self.query_one(KindSwitch).kind is SegmentKind.DYNAMIC

    def _update_button(self) -> None:
        count = (self.query_one(RuleBuilder).count if self.dynamic
                 else self.query_one(ContactPicker).selected_count)
        shown = "… contacts" if count is None else plural(count, "contact")
        button = self.query_one("#save", Button)
        button.label = Text(f"Create Segment ({shown})")
        # Spec 7.2: disabled while no name is given.
        button.disabled = self.query_one(SegmentFields).name_is_empty or self.saving

    @on(SegmentFields.Changed)
    @on(ContactPicker.SelectionChanged)
    @on(RuleBuilder.Changed)
    def _changed(self) -> None:
        self._update_button()

    @on(KindSwitch.Changed)
    def _kind_changed(self) -> None:
        self.query_one(ContentSwitcher).current = (
            "build-rule" if self.dynamic else "pick-contacts")
        self._update_button()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        fields = self.query_one(SegmentFields)
        if self.saving:
            return
        if not fields.check():
            self.query_one("#field-name").focus()
            return
        draft = fields.draft()
        selection = self.query_one(ContactPicker).selection
        if self.dynamic:
            builder = self.query_one(RuleBuilder)
            rule = builder.rule_for_save()
            if rule is None:
                self.show_error(builder.not_saveable())
                self.query_one("#rule-text").focus()
                return
            draft = replace(draft, rule=rule)
            selection = ContactSelection()  # a rule picks the members
        self.saving = True
        self.show_error("")
        self._update_button()
        self._save(draft, selection)

    @in_thread("save")
    def _save(self, draft: SegmentDraft, selection: ContactSelection) -> None:
        try:
            segment_id = self.store.create_segment(draft, selection, self.user)
        except Exception as error:  # shown in the form; nothing typed is lost
            deliver(self, self._failed, error)
            return
        details = self.store.segment_details(segment_id)
        added = details.members if details else 0
        saved = SegmentSaved(segment_id, draft.normalised().name, added, created=True)
        deliver(self, self.dismiss, saved)

    def _failed(self, error: Exception) -> None:
        self.saving = False
        self._update_button()
        fields = self.query_one(SegmentFields)
        if isinstance(error, DuplicateSegmentName):
            fields.show_error("name", str(error))
            self.query_one("#field-name").focus()
        elif isinstance(error, InvalidSegment):
            fields.show_errors(error.errors)
            self.show_error(rule_errors(error.errors))
        else:
            message = str(error) if isinstance(error, SegmentError) else \
                f"Could not save: {error}"
            self.show_error(message)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
