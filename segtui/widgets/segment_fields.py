"""The fields of a segment, shared by the Create and Edit modals (spec 7.2, 7.3).

Errors appear under each field when the user first tries to save, and from then on are
re-checked as they type (spec 7.2: "Shows validation error if empty on submit attempt").
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
    description_error,
    segment_name_error,
    tag_error,
)
from segtui.widgets.tag_list import TagList

STATUS_OPTIONS = [(s.value, s.value) for s in SegmentStatus]


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
        super().__init__()
        self.initial = draft or SegmentDraft(name="")
        self.with_status = with_status
        self.attempted = False  # errors show from the first save attempt on

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field-row"):
            yield Label("Segment Name", classes="field-label")
            yield Input(self.initial.name, placeholder="Required: letters, digits and spaces",
                        max_length=NAME_MAX * 2, compact=True, id="field-name")
        yield Label("", classes="field-error", id="error-name")
        with Horizontal(id="field-description-row"):
            with Vertical(classes="field-label"):
                yield Label("Description")
                yield Label("(Optional)")
                yield Label("", id="field-description-count")
            yield TextArea(self.initial.description, id="field-description",
                           soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
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
            name=self.query_one("#field-name", Input).value,
            description=self.query_one("#field-description", TextArea).text,
            tags=self.query_one(TagList).tags,
            status=status,
        )

    @property
    def name_is_empty(self) -> bool:
        return not self.query_one("#field-name", Input).value.strip()

    def load(self, draft: SegmentDraft) -> None:
        """Replace what is typed (only on the user's explicit request, e.g. "use theirs")."""
        self.query_one("#field-name", Input).value = draft.name
        self.query_one("#field-description", TextArea).text = draft.description
        self.query_one(TagList).tags = draft.tags
        if self.with_status:
            self.query_one("#field-status", Select).value = draft.status.value

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
        errors = self.draft().normalised().errors(kept_tags=self.initial.tags)
        pending = self.query_one("#field-tag", Input).value.strip()
        if pending and not any(e.field == "tags" for e in errors):
            # A tag typed but not added would be lost silently on save.
            errors.append(FieldError("tags", f"Press enter to add the tag “{pending}”, "
                                             "or clear it."))
        self.show_errors(errors)
        return not errors

    # -- live feedback -------------------------------------------------------------------

    @on(Input.Changed, "#field-name")
    def _name_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.attempted:
            self.show_error("name", segment_name_error(event.value))
        self.post_message(self.Changed(self))

    @on(TextArea.Changed, "#field-description")
    def _description_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._count_description()
        if self.attempted:
            self.show_error("description", description_error(event.text_area.text.strip()))
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
        re-checked while it is edited (issue 15 §13: it stayed after the box was empty)."""
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
