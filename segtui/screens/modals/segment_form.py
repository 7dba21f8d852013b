"""What Create New Segment and Edit Segment share (R7.2, R7.3): the segment's fields,
its kind and rule, the contacts picked, and one save path.

Saving reads the form (`form_draft`: every field checked, the rule read; a mistake is
shown where it is and the cursor put there), then runs one Store write in a thread worker
(`save`): Create's creates the segment, Edit's updates it, or creates it again when
someone deleted it meanwhile. What the Store refuses comes back to `failed`: a taken name
or an invalid field shows under the field, a mistake in the rule under the rule; what only
one dialog knows how to handle, it handles first (`failed_otherwise`: Edit's "someone
else saved this segment meanwhile"), anything else shows on the error line. Nothing typed
is lost.

What the form's widgets decide (the kind, the contacts picked and their count, the rule's
count) reaches it in their messages, and it keeps it: nothing is read back off a widget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Literal

from textual import on
from textual.widgets import Input

from segtui.core.contacts import ContactSelection
from segtui.core.enums import SegmentKind
from segtui.core.permissions import CurrentUser
from segtui.core.segments import DuplicateSegmentName, InvalidSegment, SegmentDraft, SegmentError
from segtui.data.store import Store
from segtui.screens.modals.dialog import Dialog
from segtui.screens.modals.results import SegmentSaved
from segtui.widgets.contact_picker import ContactPicker
from segtui.widgets.kind_switch import KindSwitch
from segtui.widgets.rule_builder import RuleBuilder, rule_errors
from segtui.widgets.segment_fields import SegmentFields
from segtui.widgets.workers import deliver, in_thread

Part = Literal["details", "rule"]  # where a mistake is: the fields, or the rule
FIRST_FIELD: dict[Part, str] = {"details": "#field-name", "rule": "#rule-text"}


class SegmentForm(Dialog[SegmentSaved | None]):
    """A segment's form in a dialog; the dialog lays it out and names its buttons."""

    def __init__(self, store: Store, user: CurrentUser, kind: SegmentKind) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.saving = False  # a save is running: another one waits for its answer
        # What the widgets said last (KindSwitch.Changed, ContactPicker.SelectionChanged,
        # RuleBuilder.Changed); None: being counted.
        self.kind = kind
        self.picked = ContactSelection()
        self.picked_count: int | None = 0
        self.rule_count: int | None = None
        self.rule_refused = False  # the error under the form is the rule's (save refused)

    # -- what each dialog says -----------------------------------------------------------

    def show_part(self, part: Part) -> None:
        """Bring the part of the form holding `part` into view (Edit: show its tab)."""

    def update_buttons(self) -> None:
        """The buttons as the form now is (a name typed, a save running)."""

    def selection(self) -> ContactSelection:
        """The contacts the save adds to the segment: those picked in the list."""
        return self.picked

    def failed_otherwise(self, error: Exception) -> bool:
        """Handle a refusal only this dialog knows; True if it did."""
        return False

    def kind_switched(self) -> None:
        """The user switched the kind (`self.kind` is the new one)."""

    # -- what the widgets say --------------------------------------------------------------

    @on(KindSwitch.Changed)
    def _kind_changed(self, event: KindSwitch.Changed) -> None:
        self.kind = event.kind
        self.kind_switched()

    @on(ContactPicker.SelectionChanged)
    def _picked_changed(self, event: ContactPicker.SelectionChanged) -> None:
        self.picked, self.picked_count = event.picked, event.count
        self.update_buttons()

    @on(RuleBuilder.Changed)
    def _rule_changed(self, event: RuleBuilder.Changed) -> None:
        self.rule_count = event.count
        if self.rule_refused:  # said of the rule before this edit: stale now (the
            self.rule_refused = False  # builder says under the line what is still wrong)
            self.show_error("")
        self.update_buttons()

    # -- reading the form ----------------------------------------------------------------

    def draft(self) -> tuple[object, ...]:
        return (self.query_one(SegmentFields).typed(), self.kind,
                self.query_one("#rule-text", Input).value, self.picked)

    @property
    def dynamic(self) -> bool:
        return self.kind is SegmentKind.DYNAMIC

    def form_draft(self) -> SegmentDraft | None:
        """The segment the form holds; None, with the mistake shown and the cursor on it,
        if it cannot be saved yet."""
        fields = self.query_one(SegmentFields)
        if not fields.check():
            self._show_mistake("details")
            return None
        draft = fields.draft()
        if not self.dynamic:
            return draft
        builder = self.query_one(RuleBuilder)
        rule = builder.rule_for_save()
        if rule is None:
            self.show_error(builder.not_saveable())
            self.rule_refused = True
            self._show_mistake("rule")
            return None
        return replace(draft, rule=rule)

    def _show_mistake(self, part: Part) -> None:
        self.show_part(part)
        self.query_one(FIRST_FIELD[part]).focus()

    # -- the one save path ---------------------------------------------------------------

    def save(self, write: Callable[[], SegmentSaved]) -> None:
        """Run `write` (a Store write, in a worker); the dialog closes with what it
        returns, or shows why the Store refused."""
        self.saving = True
        self.show_error("")
        self.update_buttons()
        self._save(write)

    @in_thread("save", failed="failed")  # a refusal is shown in the form; nothing is lost
    def _save(self, write: Callable[[], SegmentSaved]) -> None:
        deliver(self, self.dismiss, write())

    def create_segment(self, draft: SegmentDraft, selection: ContactSelection) -> SegmentSaved:
        """In the worker: create the segment, and count who is in it now."""
        segment_id = self.store.segments.create_segment(draft, selection, self.user)
        details = self.store.segments.segment_details(segment_id)
        return SegmentSaved(segment_id, draft.normalised().name,
                            details.members if details else 0, created=True)

    def failed(self, error: Exception) -> None:
        """The Store refused the save: say why, where it is."""
        self.saving = False
        self.update_buttons()
        if self.failed_otherwise(error):
            return
        fields = self.query_one(SegmentFields)
        if isinstance(error, DuplicateSegmentName):
            fields.show_error("name", str(error))
            self._show_mistake("details")
        elif isinstance(error, InvalidSegment):
            fields.show_errors(error.errors)
            if rule_errors(error.errors):
                self.show_part("rule")
                self.show_error(rule_errors(error.errors))
                self.rule_refused = True
        else:
            self.show_error(str(error) if isinstance(error, SegmentError)
                            else f"Could not save: {error}")
