"""Create New Segment (R7.2; AC2-AC5): the segment form
(segment_form.py, shared with Edit) with the contacts to pick or the rule to build."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, ContentSwitcher, Label

from segtui.core.contacts import ContactSelection
from segtui.core.enums import SegmentKind
from segtui.core.formatting import plural
from segtui.core.permissions import CurrentUser
from segtui.core.rules.tree import Group
from segtui.core.segments import NEAR_LIMIT
from segtui.data.store import Store
from segtui.screens.modals.segment_form import SegmentForm
from segtui.widgets.buttons import LiveButton
from segtui.widgets.contact_picker import CREATE_COLUMNS, ContactPicker
from segtui.widgets.key_line import KeyLine
from segtui.widgets.kind_switch import KindSwitch
from segtui.widgets.rule_builder import RuleBuilder
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


class CreateSegmentModal(SegmentForm):
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
        super().__init__(store, user,
                         SegmentKind.STATIC if rule is None else SegmentKind.DYNAMIC)
        self.rule = rule

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box segment-modal"):
            yield Label(user_text(self.title_text), classes="modal-title")
            yield SegmentFields()
            yield KindSwitch(self.kind)
            with ContentSwitcher(initial="build-rule" if self.dynamic else "pick-contacts",
                                 id="kind-content"):
                with Vertical(id="pick-contacts"):
                    yield Label("Select Contacts", classes="section-title")
                    yield ContactPicker(self.store, self.store.contacts.choices,
                                        columns=CREATE_COLUMNS)
                with Vertical(id="build-rule"):
                    yield RuleBuilder(self.store, self.rule)
            with Vertical(classes="modal-foot"):
                yield Label("", id="save-error", classes="save-error")
                with Horizontal(classes="modal-buttons"):
                    yield Button("Cancel", compact=True, id="cancel")
                    # Its count changes: a LiveButton widens with it (U15.13).
                    yield LiveButton("Create Segment (0 contacts)", variant="primary",
                                     compact=True, disabled=True, id="save")
                yield KeyLine()

    def on_mount(self) -> None:
        self._count_left()

    @in_thread("segments-left")
    def _count_left(self) -> None:
        """Near the per-creator limit (C19.3), the dialog says how many are left."""
        left, limit = self.store.segments.segments_left(self.user)
        if left <= NEAR_LIMIT:
            deliver(self, self._say_left, left, limit)

    def _say_left(self, left: int, limit: int) -> None:
        if self.query_one("#save-error", Label).content:  # a save's refusal says more
            return
        self.query_one("#save-error", Label).update(Text(
            f"You own the most segments one person may ({limit:,}): delete one, or ask an "
            "administrator to raise the limit." if left == 0 else
            f"You may create {plural(left, 'more segment')} (the limit per person is "
            f"{limit:,})."))

    def update_buttons(self) -> None:
        count = self.rule_count if self.dynamic else self.picked_count
        shown = "… contacts" if count is None else plural(count, "contact")
        button = self.query_one("#save", Button)
        button.label = Text(f"Create Segment ({shown})")
        # R7.2: disabled while no name is given.
        button.disabled = self.query_one(SegmentFields).name_is_empty or self.saving

    def selection(self) -> ContactSelection:
        """A dynamic segment's rule picks its members: none are added by hand."""
        return ContactSelection() if self.dynamic else super().selection()

    @on(SegmentFields.Changed)
    def _changed(self) -> None:
        self.update_buttons()

    def kind_switched(self) -> None:
        self.query_one(ContentSwitcher).current = (
            "build-rule" if self.dynamic else "pick-contacts")
        self.update_buttons()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if self.saving:
            return
        draft = self.form_draft()
        if draft is None:
            return
        selection = self.selection()
        self.save(lambda: self.create_segment(draft, selection))

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
