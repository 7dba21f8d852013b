"""The fields of a segment, shared by the Create and Edit modals (R7.2, R7.3).

Errors appear under each field when the user first tries to save, and from then on are
re-checked as they type (R7.2: "Shows validation error if empty on submit attempt").

A stored name or description holding characters no one can see (a bidi override, an ESC)
shows them as stand-ins, says so under the field, and is saved exactly as stored while
left unchanged (I16.8; widgets.text.FieldText).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, Select, TextArea

from segtui.core.enums import SegmentStatus
from segtui.core.segments import SegmentDraft
from segtui.core.validation import (
    DESCRIPTION_MAX,
    NAME_MAX,
    FieldError,
    tag_error,
)
from segtui.widgets.tag_list import TagList
from segtui.widgets.text import TEXT_KEPT, FieldText

STATUS_OPTIONS = [(s.value, s.value) for s in SegmentStatus]

# What saving does with invisible characters a stored name holds (the second half of the
# note under the field; a description's is TEXT_KEPT).
NAME_KEPT = ("Unchanged, the name stays as saved; a changed name must lose them (letters, "
             "digits and spaces only).")


class SegmentFields(Vertical):
    DEFAULT_CSS = """
    SegmentFields { height: auto; }
    SegmentFields .field-row { height: 1; }
    SegmentFields .field-label { width: 14; color: $text-muted; }
    SegmentFields Input { width: 1fr; }
    SegmentFields #field-description { height: 3; width: 1fr; border: none; padding: 0; }
    SegmentFields #field-description-row { height: 3; }
    SegmentFields #field-description-count { color: $text-muted; }
    SegmentFields #field-description-count.-over { color: $error; text-style: bold; }
    SegmentFields Vertical.field-label { height: 3; }
    SegmentFields #field-add-tag { min-width: 9; margin-left: 1; }
    SegmentFields #field-status { width: 20; }
    SegmentFields .field-error { color: $error; height: auto; width: 1fr; padding-left: 14; }
    SegmentFields .field-error:disabled { display: none; }
    SegmentFields .field-note { width: 1fr; padding-left: 14; }
    """

    class Changed(Message):
        """Something in the fields changed (the modal updates its buttons)."""

        def __init__(self, fields: SegmentFields) -> None:
            super().__init__()
            self.fields = fields

        @property
        def control(self) -> SegmentFields:
            return self.fields

    def __init__(self, draft: SegmentDraft | None = None, *, with_status: bool = False) -> None:
        """`draft`: the segment as stored, when editing one (None: a new segment)."""
        super().__init__()
        self.initial = draft or SegmentDraft(name="")
        self.stored = draft
        self.with_status = with_status
        self.attempted = False  # errors show from the first save attempt on
        self._texts(self.initial)

    def _texts(self, draft: SegmentDraft) -> None:
        self.name_text = FieldText(draft.name, consequence=NAME_KEPT)
        self.description_text = FieldText(draft.description, multiline=True,
                                          consequence=TEXT_KEPT)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field-row"):
            yield Label("Segment Name", classes="field-label")
            yield Input(self.name_text.shown,
                        placeholder="Required: letters, digits and spaces",
                        max_length=NAME_MAX * 2, compact=True, id="field-name")
        yield Label("", classes="field-note", id="note-name")
        yield Label("", classes="field-error", id="error-name")
        with Horizontal(id="field-description-row"):
            with Vertical(classes="field-label"):
                yield Label("Description")
                yield Label("(Optional)")
                yield Label("", id="field-description-count")
            yield TextArea(self.description_text.shown, id="field-description",
                           soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
        yield Label("", classes="field-note", id="note-description")
        yield Label("", classes="field-error", id="error-description")
        if self.with_status:
            with Horizontal(classes="field-row"):
                yield Label("Status", classes="field-label")
                yield Select(STATUS_OPTIONS, value=self.initial.status.value, allow_blank=False,
                             compact=True, id="field-status")
        with Horizontal(classes="field-row"):
            yield Label("Tags", classes="field-label")
            yield Input(placeholder="Type a tag, enter to add", compact=True, id="field-tag")
            yield Button("Add Tag", compact=True, id="field-add-tag")
        with Horizontal(classes="field-row", id="field-tags-row"):
            yield Label("", classes="field-label")
            yield TagList(self.initial.tags, id="field-tags")
        yield Label("", classes="field-error", id="error-tags")

    def on_mount(self) -> None:
        self._count_description()
        for error in self.query(".field-error"):
            error.disabled = True
        self._show_notes()

    # -- reading ---------------------------------------------------------------------------

    def typed(self) -> tuple[SegmentDraft, str]:
        """Everything the user can change here, for "discard your changes?": the draft
        and a tag typed but not added yet."""
        return self.draft(), self.query_one("#field-tag", Input).value

    def draft(self) -> SegmentDraft:
        status = self.initial.status
        if self.with_status:
            value = self.query_one("#field-status", Select).value
            status = SegmentStatus(value) if isinstance(value, str) else status
        return SegmentDraft(
            name=self.name_text.read(self.query_one("#field-name", Input).value),
            description=self.description_text.read(
                self.query_one("#field-description", TextArea).text),
            tags=self.query_one(TagList).tags,
            status=status,
        )

    @property
    def name_is_empty(self) -> bool:
        return not self.query_one("#field-name", Input).value.strip()

    def load(self, draft: SegmentDraft) -> None:
        """Replace what is typed with a stored version of the segment (only on the user's
        explicit request, e.g. "use theirs"), which is then the stored one."""
        self.initial = self.stored = draft
        self._texts(draft)
        self.query_one("#field-name", Input).value = self.name_text.shown
        self.query_one("#field-description", TextArea).text = self.description_text.shown
        self.query_one(TagList).tags = draft.tags
        if self.with_status:
            self.query_one("#field-status", Select).value = draft.status.value
        self._show_notes()

    def _show_notes(self) -> None:
        """The line under the name and the description saying which invisible characters
        they hold, shown as what (nothing, and no room, when they hold none)."""
        for field, text, value in (
            ("name", self.name_text, self.query_one("#field-name", Input).value),
            ("description", self.description_text,
             self.query_one("#field-description", TextArea).text),
        ):
            note = text.note(value)
            label = self.query_one(f"#note-{field}", Label)
            label.update(note)
            label.display = bool(note.plain)

    # -- errors ----------------------------------------------------------------------------

    def show_error(self, field: str, message: str | None) -> None:
        label = self.query_one(f"#error-{field}", Label)
        label.update(Text(message or ""))
        label.disabled = not message

    def show_errors(self, errors: list[FieldError]) -> None:
        by_field = {e.field: e.message for e in errors}
        for field in ("name", "description", "tags"):
            self.show_error(field, by_field.get(field))

    def check(self) -> bool:
        """Mark a save attempt; show every error; True when the fields are valid."""
        self.attempted = True
        errors = self.errors()
        pending = self.query_one("#field-tag", Input).value.strip()
        if pending and not any(e.field == "tags" for e in errors):
            # A tag typed but not added would be lost silently on save.
            errors.append(FieldError("tags", f"Press enter to add the tag “{pending}”, "
                                             "or clear it."))
        self.show_errors(errors)
        return not errors

    def errors(self) -> list[FieldError]:
        """What the Store would refuse: a new segment's rules, but a name or description
        left as stored is not judged again (SegmentDraft.errors)."""
        return self.draft().normalised(self.stored).errors(kept_tags=self.initial.tags,
                                                           kept=self.stored)

    def _error(self, field: str) -> str | None:
        return next((e.message for e in self.errors() if e.field == field), None)

    # -- live feedback -------------------------------------------------------------------

    @on(Input.Changed, "#field-name")
    def _name_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.attempted:
            self.show_error("name", self._error("name"))
        self._show_notes()
        self.post_message(self.Changed(self))

    @on(TextArea.Changed, "#field-description")
    def _description_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._count_description()
        if self.attempted:
            self.show_error("description", self._error("description"))
        self._show_notes()
        self.post_message(self.Changed(self))

    def _count_description(self) -> None:
        length = len(self.query_one("#field-description", TextArea).text)
        count = self.query_one("#field-description-count", Label)
        count.set_class(length > DESCRIPTION_MAX, "-over")
        count.update(Text(f"{length}/{DESCRIPTION_MAX}"))

    @on(Select.Changed, "#field-status")
    def _status_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self))

    # -- tags ------------------------------------------------------------------------------

    @on(Input.Submitted, "#field-tag")
    @on(Button.Pressed, "#field-add-tag")
    def add_tag(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        field = self.query_one("#field-tag", Input)
        tags = self.query_one(TagList)
        problem = tag_error(field.value, tags.tags)
        self.show_error("tags", problem)
        if problem is None:
            tags.tags = (*tags.tags, field.value.strip())
            field.value = ""
            self.post_message(self.Changed(self))
        field.focus()

    @on(Input.Changed, "#field-tag")
    def _tag_typed(self, event: Input.Changed) -> None:
        """An error about the tag being typed follows it: gone when the box is cleared,
        re-checked while it is edited (U15.13: it stayed after the box was empty)."""
        event.stop()
        if self.query_one("#error-tags", Label).disabled:
            return  # no error shown: a tag is judged when added
        typed = event.value
        tags = self.query_one(TagList).tags
        self.show_error("tags", tag_error(typed, tags) if typed.strip() else None)

    @on(TagList.Removed)
    def _tag_removed(self, event: TagList.Removed) -> None:
        event.stop()
        tags = self.query_one(TagList)
        tags.tags = tuple(t for t in tags.tags if t != event.tag)
        self.show_error("tags", None)
        if not tags.tags:
            self.query_one("#field-tag", Input).focus()
        self.post_message(self.Changed(self))
