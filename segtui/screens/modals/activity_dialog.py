"""Add Activity, and view / edit an existing one (R7.9).

The author may edit an activity within 24 hours of creating it; everyone else (and the
author later) sees it read-only.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from segtui.core import clock
from segtui.core.activities import (
    DEFAULT_ACTIVITY_TYPE,
    DESCRIPTION_MAX,
    USER_ACTIVITY_TYPES,
    ActivityRow,
    activity_errors,
    icon,
    timeline_time,
)
from segtui.core.permissions import CurrentUser
from segtui.data.store import Store
from segtui.screens.modals.dialog import Dialog
from segtui.widgets.key_line import KeyLine
from segtui.widgets.text import TEXT_KEPT, FieldText, user_text
from segtui.widgets.workers import deliver, in_thread

ACTIVITY_HELP = (
    "An entry of the segment's timeline: its type, who did it, a one-line description "
    "and details. ctrl+s saves it from any field (tab leaves the details box). Its author "
    "can edit it within 24 hours; after that, or for anyone else, it is read-only. escape "
    "asks before dropping what you typed."
)


class ActivityDialog(Dialog[bool]):
    """Returns True when something was saved."""

    HELP = ACTIVITY_HELP
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="activity-dialog.save"),
        Binding("escape", "cancel", "Cancel", id="activity-dialog.cancel"),
    ]

    def __init__(self, store: Store, user: CurrentUser, segment_id: int,
                 activity: ActivityRow | None = None,
                 people: list[CurrentUser] | None = None) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.segment_id = segment_id
        self.activity = activity
        self.people = people or [user]
        self.editable = activity is None or activity.editable_by(user.id, clock.now())
        # Stored text holding invisible characters shows them as stand-ins (I16.8).
        kept = TEXT_KEPT if self.editable else ""
        self.description_text = FieldText(activity.description if activity else "",
                                          consequence=kept)
        self.details_text = FieldText(activity.details if activity else "", multiline=True,
                                      consequence=kept)
        self.title_text = ("Add Activity" if activity is None
                           else f"{icon(activity.type)} {activity.type}")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Read-only: no save key in the key line or the help.
        return self.editable if action == "save" else True

    def compose(self) -> ComposeResult:
        a = self.activity
        with Vertical(classes="modal-box activity-dialog"):
            yield Label(user_text(self.title_text), classes="modal-title")
            if a is not None:
                edited = f" · edited {timeline_time(a.edited_at)}" if a.edited_at else ""
                yield Static(user_text(f"By {a.performer} · {timeline_time(a.created_at)}"
                                       f"{edited}"), classes="stats-line")
            if a is None:
                yield Label("Type")
                yield Select([(t, t) for t in USER_ACTIVITY_TYPES], value=DEFAULT_ACTIVITY_TYPE,
                             allow_blank=False, compact=True, id="activity-type")
                yield Label("Performed by")
                yield Select([(user_text(p.name), p.id) for p in self.people], value=self.user.id,
                             allow_blank=False, compact=True, id="activity-performer")
            yield Label("Description")
            yield Input(self.description_text.shown, max_length=DESCRIPTION_MAX * 2,
                        compact=True, disabled=not self.editable, id="activity-description")
            yield Label("", id="note-description", classes="field-note")
            yield Label("", id="error-description", classes="save-error")
            yield Label("Details")
            yield TextArea(self.details_text.shown, id="activity-details", soft_wrap=True,
                           read_only=not self.editable, tab_behavior="focus")
            yield Label("", id="note-details", classes="field-note")
            yield Label("", id="error-details", classes="save-error")
            if a is not None and not self.editable:
                yield Static(Text("Only its author can edit an activity, within 24 hours.",
                                  style="dim"))
            with Horizontal(classes="modal-buttons"):
                yield Button("Close" if not self.editable else "Cancel", compact=True,
                             id="cancel")
                if self.editable:
                    yield Button("Add Activity" if a is None else "Save", variant="primary",
                                 compact=True, id="save")
            yield KeyLine(classes="modal-keys")

    def on_mount(self) -> None:
        self._show_notes()

    def _texts(self) -> tuple[str, str]:
        """The description and details as they would be saved."""
        return (
            self.description_text.read(self.query_one("#activity-description", Input).value),
            self.details_text.read(self.query_one("#activity-details", TextArea).text),
        )

    @on(Input.Changed, "#activity-description")
    @on(TextArea.Changed, "#activity-details")
    def _show_notes(self) -> None:
        for field, text, widget in (
            ("description", self.description_text,
             self.query_one("#activity-description", Input).value),
            ("details", self.details_text, self.query_one("#activity-details", TextArea).text),
        ):
            note = text.note(widget)
            label = self.query_one(f"#note-{field}", Label)
            label.update(note)
            label.display = bool(note.plain)

    def draft(self) -> tuple[object, ...] | None:
        if not self.editable:
            return None
        chosen = ((self.query_one("#activity-type", Select).value,
                   self.query_one("#activity-performer", Select).value)
                  if self.activity is None else ())
        return (*chosen, *self._texts())

    def cancelled(self) -> bool:
        return False

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if not self.editable:
            return
        description, details = self._texts()
        errors = activity_errors(description, details)
        for field in ("description", "details"):
            self.query_one(f"#error-{field}", Label).update(user_text(errors.get(field, "")))
        if errors:
            return
        # Widgets are read here, on the UI thread; the worker only writes.
        kind, performer = "", self.user
        if self.activity is None:
            kind = str(self.query_one("#activity-type", Select).value)
            performer_id = self.query_one("#activity-performer", Select).value
            performer = next((p for p in self.people if p.id == performer_id), self.user)
        self._save(description, details, kind, performer)

    @in_thread("save", failed="_failed")
    def _save(self, description: str, details: str, kind: str, performer: CurrentUser) -> None:
        if self.activity is None:
            self.store.activity.add_activity(self.segment_id, kind, description, details,
                                             performer, self.user)
        else:
            self.store.activity.edit_activity(self.activity.id, self.activity.version, description,
                                              details, self.user)
        deliver(self, self.dismiss, True)

    def _failed(self, error: Exception) -> None:
        self.query_one("#error-description", Label).update(user_text(str(error)))

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
