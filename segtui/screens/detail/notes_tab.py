"""Notes tab (R7.10): write a note, see them all newest first, in full."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Label, Static, TextArea

from segtui.core.activities import NoteRow, note_error, timeline_time
from segtui.core.records import Keyset
from segtui.screens.allowed import allowed
from segtui.screens.detail.base import DetailTab
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread

PLACEHOLDER = "Add a new note about this segment"
PAGE_SIZE = 50
EMPTY = "No notes yet — n: write the first one"  # with the next step (U15.15)


def note_card(note: NoteRow) -> Static:
    text = Text.assemble(
        user_text(note.author, "bold"), Text(f" · {timeline_time(note.created_at)}", "dim"),
        "\n", user_text(note.body, multiline=True),
    )
    return Static(text, classes="note")


class NoteInput(TextArea):
    """The note box. escape leaves the box (not the screen), so a stray escape while
    writing never throws the user out mid-sentence; a second escape goes back."""

    BINDINGS = [Binding("escape", "leave", "Leave the note box", show=False,
                        id="notes.back")]

    def action_leave(self) -> None:
        self.screen.focus_next()


class NotesTab(DetailTab):
    HELP = ("Notes: write in the box and save with ctrl+s (ctrl+j too, and ctrl+enter where "
            "the terminal reports it; most send plain enter). Notes are newest first, in full.")
    BINDINGS = [
        # Priority: they must work while the text area has the focus.
        Binding("ctrl+s,ctrl+j,ctrl+enter", "save", "Save", priority=True, id="notes.save"),
        Binding("n", "write", "New note", id="notes.new"),
    ]

    def compose(self) -> ComposeResult:
        # The unsaved draft survives leaving the screen while the app runs.
        draft = self._drafts().get(self.segment_id, "")
        # A Viewer reads the notes; the box takes no typing it could never save.
        refusal = self.user.refusal("write notes")
        yield NoteInput(draft, placeholder=PLACEHOLDER, id="note-input", soft_wrap=True,
                        tab_behavior="focus", read_only=refusal is not None)
        with Horizontal(classes="note-bar"):
            yield Label(user_text(refusal) if refusal else "n writes, ctrl+s saves",
                        id="note-hint")
            yield Button("Add Note", compact=True, variant="primary",
                         disabled=not draft.strip(), id="add-note")
        yield Label("", id="note-error")
        with VerticalScroll(id="notes"):
            yield Button("Load older notes", compact=True, id="older-notes")

    def on_mount(self) -> None:
        self.last: Keyset | None = None
        self.reload()

    def reload(self) -> None:
        self.query_one("#notes").remove_children(".note")
        self.last = None
        self._fetch(None)

    @in_thread("notes")
    def _fetch(self, after: Keyset | None) -> None:
        page = self.store.activity.notes_page(self.segment_id, after=after, limit=PAGE_SIZE)
        deliver(self, self._show, page.rows, page.last, page.has_after)

    def _show(self, notes: tuple[NoteRow, ...], last: Keyset | None, more: bool) -> None:
        container = self.query_one("#notes", VerticalScroll)
        older = self.query_one("#older-notes", Button)
        if notes:
            container.mount_all([note_card(n) for n in notes], before=older)
        elif self.last is None:
            container.mount(Static(Text(EMPTY, style="dim"), classes="note"), before=older)
        self.last = last
        older.display = more

    @on(Button.Pressed, "#older-notes")
    def _older(self) -> None:
        self._fetch(self.last)

    def _drafts(self) -> dict[int, str]:
        drafts: dict[int, str] = getattr(self.app, "note_drafts", {})
        return drafts

    @on(TextArea.Changed, "#note-input")
    def _typed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._drafts()[self.segment_id] = event.text_area.text
        # R7.10: "Button disabled when text area is empty".
        self.query_one("#add-note", Button).disabled = not event.text_area.text.strip()
        self.query_one("#note-error", Label).update("")

    def focus_default(self) -> None:
        self.query_one("#notes", VerticalScroll).focus()

    def action_write(self) -> None:
        """Focus the text area. Not automatic on showing the tab, so 1-6 keep switching."""
        if allowed(self, self.user, "write notes"):
            self.query_one("#note-input", TextArea).focus()

    @on(Button.Pressed, "#add-note")
    def action_save(self) -> None:
        body = self.query_one("#note-input", TextArea).text
        problem = note_error(body)
        if problem:
            self.query_one("#note-error", Label).update(user_text(problem))
            return
        self._save(body)

    @in_thread("note-save", failed="_failed")
    def _save(self, body: str) -> None:
        self.store.activity.add_note(self.segment_id, body, self.user)
        deliver(self, self._saved)

    def _failed(self, error: Exception) -> None:
        """Said under the box; the text stays in it."""
        self.query_one("#note-error", Label).update(user_text(str(error)))

    def _saved(self) -> None:
        self.query_one("#note-input", TextArea).text = ""  # spec: saving clears it
        self.reload()
        self.post_message(self.Changed())
