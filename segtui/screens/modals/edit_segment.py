"""Edit Segment (R7.3): "Segment Details", "Rule", "Add Contacts" and "Who sees it"
(C19.3.2) tabs, saved together.

If someone else saved or deleted the segment while it was open, the save writes nothing
and says so; the user's typed input stays, and they choose what happens: keep theirs
(overwrite), take the other version, or (if deleted) create it again as a new segment.
The form, its save path and every other refusal are Create's too (segment_form.py).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Label, Static, TabbedContent, TabPane

from segtui.core.changes import SEGMENT_DELETED, SEGMENT_EDITS
from segtui.core.contacts import ContactFilter, ContactSelection
from segtui.core.enums import SegmentKind
from segtui.core.formatting import dmy, plural, whole
from segtui.core.permissions import CurrentUser
from segtui.core.segments import (
    SegmentConflict,
    SegmentDetails,
    SegmentDraft,
    SegmentNotFound,
)
from segtui.core.sharing import may_share
from segtui.data.store import Store
from segtui.screens.modals.results import SegmentSaved
from segtui.screens.modals.segment_form import Part, SegmentForm
from segtui.widgets.contact_picker import ADD_COLUMNS, ContactPicker
from segtui.widgets.key_line import KeyLine
from segtui.widgets.kind_switch import KindSwitch
from segtui.widgets.live_changes import OthersChanged
from segtui.widgets.rule_builder import RuleBuilder
from segtui.widgets.segment_fields import SegmentFields
from segtui.widgets.sharing_fields import SharingFields
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread

EDIT_HELP = (
    "Edit a segment: its details (name, description, status, tags, Static or Dynamic), "
    "its rule, and contacts to add, saved together with ctrl+s from any field. f2, f3 "
    "and f4 show the Segment Details, Rule and Add Contacts tabs (ctrl+pageup and "
    "ctrl+pagedown step through them) and put the cursor in the tab's first field. "
    "Editing a dynamic segment's rule, the Rule tab shows how many contacts would enter "
    "and leave its members if you saved it, with a few names of each. In "
    "Add Contacts, space ticks the highlighted row and ctrl+a selects every contact "
    "matching the search and filters. f5 shows Who sees it: everyone, the owner's team "
    "or the owner only (arrow keys), and people it is hidden from (space ticks one); "
    "only the owner or an administrator may change it. If someone else saved the "
    "segment meanwhile, "
    "nothing is written and you choose whose version stays. escape asks before throwing "
    "away your changes."
)
# Tab -> the field the cursor goes to when the tab is shown by its key.
TAB_FIRST_FIELD = {"tab-details": "#field-name", "tab-rule": "#rule-text",
                   "tab-add": "#picker-search", "tab-sharing": "#sharing-visibility"}
TAB_ORDER = tuple(TAB_FIRST_FIELD)
PART_TAB: dict[Part, str] = {"details": "tab-details", "rule": "tab-rule"}  # a mistake's tab


def tab_label(title: str, key: str) -> Content:
    """A tab's title with the key that shows it: "Segment Details f2" (a TabPane takes
    Content or markup, not a Rich Text)."""
    return Content.assemble(title, " ", (key, "dim"))


def segment_stats(details: SegmentDetails) -> str:
    """R7.3 "Current Segment Stats" (read-only)."""
    active = details.active_campaigns
    return (
        f"Contacts: {whole(details.members)} · "
        f"Campaigns: {active} active · Created: {dmy(details.created_at)}"
    )


class EditSegmentModal(SegmentForm):
    HELP = EDIT_HELP
    # The tabs come before the fields, so tab never reaches them and shift+tab did only
    # from the first field (U15.9): F-keys show them from anywhere. Digits would be
    # typed into the fields; many terminals keep ctrl+pageup/pagedown for their own tabs,
    # so those are the second way, not the only one.
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", tooltip="Save changes (from any field)", id="edit.save"),
        Binding("escape", "cancel", "Cancel", id="edit.cancel"),
        # Each tab's label names its key (tab_label), so the key line leaves them out.
        Binding("f2", "show_tab('tab-details')", "Segment Details tab", show=False,
                id="edit.details-tab"),
        Binding("f3", "show_tab('tab-rule')", "Rule tab", show=False, id="edit.rule-tab"),
        Binding("f4", "show_tab('tab-add')", "Add Contacts tab", show=False, id="edit.add-tab"),
        Binding("f5", "show_tab('tab-sharing')", "Who sees it tab", show=False,
                id="edit.sharing-tab"),
        Binding("ctrl+pagedown", "step_tab(1)", "Next tab", show=False, id="edit.next-tab"),
        Binding("ctrl+pageup", "step_tab(-1)", "Previous tab", show=False, id="edit.previous-tab"),
    ]
    AUTO_FOCUS = "#field-name"

    def __init__(self, store: Store, user: CurrentUser, details: SegmentDetails) -> None:
        super().__init__(store, user, details.kind)
        self.details = details
        self.title_text = f"Edit Segment: {details.name}"
        self.conflict: SegmentDetails | None = None
        self.deleted = False
        # C19.3.2: who sees it, as the tab says (saved only by its owner or an admin).
        self.sharing = details.sharing
        self.can_share = may_share(user, details.owner_id)

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box segment-modal"):
            yield Label(user_text(self.title_text), classes="modal-title")
            with TabbedContent(id="edit-tabs"):
                with TabPane(tab_label("Segment Details", "f2"), id="tab-details"):
                    yield SegmentFields(self.details.as_draft(), with_status=True)
                    yield KindSwitch(self.details.kind)
                    yield Label(segment_stats(self.details), id="edit-stats",
                                classes="stats-line")
                with TabPane(tab_label("Rule", "f3"), id="tab-rule"):
                    # C20.6.3: a saved dynamic segment's edited rule shows its diff.
                    yield RuleBuilder(self.store, self.details.rule, self.details.id,
                                      diff=self.details.kind == SegmentKind.DYNAMIC)
                with TabPane(tab_label("Add Contacts", "f4"), id="tab-add"):
                    yield Label("Add New Contacts to Segment", classes="section-title")
                    yield ContactPicker(
                        self.store, self.store.contacts.choices,
                        base=ContactFilter(not_in_segment=self.details.id),
                        columns=ADD_COLUMNS, filters=("status",), score=True,
                    )
                with TabPane(tab_label("Who sees it", "f5"), id="tab-sharing"):
                    yield SharingFields(self.details.sharing, editable=self.can_share,
                                        note=self._sharing_note())
            with Vertical(id="conflict", classes="conflict"):
                yield Static(id="conflict-message")
                with Horizontal(classes="modal-buttons"):
                    yield Button("Keep mine (overwrite)", compact=True, id="keep-mine")
                    yield Button("Use theirs", compact=True, id="use-theirs")
                    yield Button("Create as new segment", compact=True, id="recreate")
            with Vertical(classes="modal-foot"):
                yield Label("", id="save-error", classes="save-error")
                with Horizontal(classes="modal-buttons"):
                    yield Button("Cancel", compact=True, id="cancel")
                    yield Button("Save Changes", variant="primary", compact=True, id="save")
                yield KeyLine()

    def on_mount(self) -> None:
        self.query_one("#conflict").display = False
        if self.can_share:
            self._load_people()

    def _sharing_note(self) -> str:
        if self.can_share:
            return ""
        owner = f"{self.details.owner} (its owner)" if self.details.owner else "its owner"
        return f"Only {owner} or an administrator can change who sees this segment."

    @in_thread("people")
    def _load_people(self) -> None:
        """The users the segment can be hidden from: everyone but its owner."""
        names = [u.name for u in self.store.users.all_users()
                 if u.id != self.details.owner_id]
        deliver(self, self.query_one(SharingFields).set_people, names)

    @on(SharingFields.Changed)
    def _sharing_changed(self, event: SharingFields.Changed) -> None:
        self.sharing = event.sharing

    def draft(self) -> tuple[object, ...]:
        return (*super().draft(), self.sharing)

    # -- tabs ------------------------------------------------------------------------------

    def action_show_tab(self, tab: str) -> None:
        """Show a tab and put the cursor in its first field."""
        self.query_one(TabbedContent).active = tab
        self.query_one(TAB_FIRST_FIELD[tab]).focus()

    def action_step_tab(self, step: int) -> None:
        current = self.query_one(TabbedContent).active
        index = TAB_ORDER.index(current) if current in TAB_ORDER else 0
        self.action_show_tab(TAB_ORDER[(index + step) % len(TAB_ORDER)])

    def show_part(self, part: Part) -> None:
        self.query_one(TabbedContent).active = PART_TAB[part]

    # -- someone else's save (C19.1) ----------------------------------------------------------

    @on(OthersChanged)
    def _others_changed(self, event: OthersChanged) -> None:
        """Someone else saved or deleted this segment while it is open here: say so
        before the user saves (the save still refuses and asks: failed_otherwise)."""
        theirs = [c for c in event.changes
                  if c.segment_id == self.details.id and c.what in SEGMENT_EDITS]
        if not theirs:
            return
        last = theirs[-1]
        did = "deleted" if last.what == SEGMENT_DELETED else "saved"
        then = ("saving will offer to create it again" if did == "deleted"
                else "saving will ask whose version stays")
        self.query_one("#save-error", Label).update(user_text(
            f"{last.by} {did} this segment at {last.at:%H:%M:%S} while you were editing "
            f"it: {then}."))

    # -- saving ----------------------------------------------------------------------------

    def update_buttons(self) -> None:
        self.query_one("#save", Button).disabled = (
            self.query_one(SegmentFields).name_is_empty or self.saving
        )

    @on(SegmentFields.Changed)
    def _changed(self) -> None:
        self.update_buttons()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self._submit(self.details.version)

    def _submit(self, version: int) -> None:
        """Save over the version of the segment the form was filled from (`version`): the
        Store refuses if someone else saved another meanwhile (failed_otherwise)."""
        if self.saving:
            return
        draft = self.form_draft()
        if draft is None:
            return
        selection = self.selection()
        self.save(lambda: self._update(version, draft, selection))

    def _update(self, version: int, draft: SegmentDraft, selection: ContactSelection
                ) -> SegmentSaved:
        """In the worker: save the changes, and the contacts to add."""
        added = self.store.segments.update_segment(
            self.details.id, version, draft, selection, self.user,
            self.sharing if self.can_share else None)
        name = draft.normalised(self.details.as_draft()).name
        return SegmentSaved(self.details.id, name, added)

    def failed_otherwise(self, error: Exception) -> bool:
        """Someone else saved or deleted the segment meanwhile: the user chooses."""
        if isinstance(error, SegmentConflict):
            self._show_conflict(error.current)
        elif isinstance(error, SegmentNotFound):
            self._show_deleted()
        else:
            return False
        return True

    def _show_conflict(self, current: SegmentDetails) -> None:
        self.conflict = current
        theirs = (
            f"Someone else saved this segment while you were editing it. Their version: "
            f"name “{current.name}”, status {current.status.value}, "
            f"{plural(len(current.tags), 'tag')}, description “{current.description[:80]}”. "
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
        self.sharing = self.conflict.sharing
        self.query_one(SharingFields).load(self.conflict.sharing)
        self.query_one("#edit-stats", Label).update(segment_stats(self.conflict))
        self.query_one("#conflict").display = False
        self.conflict = None
        # Their details are the saved ones now: only what differs from them (and the rule,
        # the contacts picked to add) is a change escape asks about.
        if isinstance(self.initial_draft, tuple):
            self.initial_draft = (self.query_one(SegmentFields).typed(),
                                  *self.initial_draft[1:-1], self.sharing)

    @on(Button.Pressed, "#recreate")
    def _recreate(self) -> None:
        if self.saving:
            return
        draft = self.form_draft()
        if draft is not None:
            selection = self.selection()
            self.save(lambda: self.create_segment(draft, selection))

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
