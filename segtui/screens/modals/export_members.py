"""Export members (I6.2; docs/import-export.md), opened with `x` on the segment
detail screen: the app's face of `segtui export members SEGMENT -o FILE --format F`.

Every current member with all contact fields, streamed a page at a time from one read
snapshot (a million members never sit in memory) into a file that appears only when
complete. The work is segtui.transfer.exports.export_members, shared with the command
line; it runs in a thread worker, with a progress bar, and escape stops it.
"""

from __future__ import annotations

import threading
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, ProgressBar, Select, Static

from segtui.core import clock
from segtui.core.formats.csv_safe import free_path
from segtui.core.formats.file_formats import ExportFormat
from segtui.core.formats.members_export import members_export_filename
from segtui.core.formatting import plural
from segtui.core.permissions import CurrentUser
from segtui.core.rules.refresh import Owed
from segtui.core.throttle import Throttle
from segtui.data.store import Store
from segtui.screens.modals.dialog import Dialog
from segtui.transfer.exports import export_members
from segtui.transfer.imports import TransferStopped
from segtui.widgets.buttons import LiveButton
from segtui.widgets.key_line import KeyLine
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread

FORMATS: list[tuple[str, str]] = [
    ("CSV (formula-safe, imports back as it is)", ExportFormat.CSV.value),
    ("JSON (one array)", ExportFormat.JSON.value),
    ("JSON Lines (one member per line)", ExportFormat.JSONL.value),
]


def export_target(text: str, default_name: str) -> Path:
    """Where to write what the user typed (`~` expanded, relative to the current
    directory): a folder gets the default file name, made unique. ValueError says why
    not; an existing file is never overwritten."""
    if not text.strip():
        raise ValueError("enter a file name")
    path = Path(text.strip()).expanduser()
    if path.is_dir():
        return free_path(path, default_name)
    if path.exists():
        raise ValueError(f"{path} already exists; choose another name")
    return path


EXPORT_HELP = (
    "Write every current member of the segment with all contact fields to a file: CSV "
    "(formula-safe, imports back as it is), JSON or JSON Lines. The file appears only "
    "when complete and never overwrites another; a folder gets the default name. enter "
    "in the File box or ctrl+s exports; shift+tab goes back to the format; escape stops "
    "a running export (no file is left) or closes. The same as `segtui export members`."
)


class ExportMembersModal(Dialog[int | None]):
    """Returns the number of members written, or None if nothing was."""

    HELP = EXPORT_HELP
    BINDINGS = [
        Binding("ctrl+s", "export", "Export", show=False, id="export.run"),  # key line: enter
        Binding("escape", "close", "Close", tooltip="Stop an export, else close",
                id="export.close"),
    ]
    AUTO_FOCUS = "#export-path"  # enter exports; shift+tab: the format

    def __init__(self, store: Store, user: CurrentUser, segment_id: int, segment_name: str,
                 members: int | None = None, directory: Path | None = None) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.segment_id = segment_id
        self.segment_name = segment_name
        self.members = members  # for the progress bar; None while unknown
        self.directory = directory or Path.cwd()
        self.running = False
        self._stop = threading.Event()
        self._drawn = Throttle(0.1)  # progress redraws
        self._default = self._default_path(ExportFormat.CSV)
        self.title_text = f"Export members of {segment_name}"

    def _default_path(self, fmt: ExportFormat) -> str:
        """`<segment>-members-<date>.<fmt>` in the current directory, made unique; shown
        relative to it."""
        name = members_export_filename(self.segment_name, clock.today(), fmt)
        path = free_path(self.directory, name)
        return path.name if path.parent == Path.cwd() else str(path)

    def compose(self) -> ComposeResult:
        count = ("" if self.members is None else
                 f" ({plural(self.members, 'member')})")
        with Vertical(classes="modal-box export-modal"):
            yield Label(user_text(self.title_text), classes="modal-title")
            with Horizontal(classes="form-row"):
                yield Label("Format", classes="form-label")
                yield Select(FORMATS, value=ExportFormat.CSV.value, allow_blank=False,
                             compact=True, id="export-format")
            with Horizontal(classes="form-row"):
                yield Label("File", classes="form-label")
                yield Input(self._default, compact=True, id="export-path")
            yield Static(Text(f"Every current member with all contact fields{count}. The "
                              "file appears when complete."), id="export-note")
            yield Label("", id="export-error", classes="save-error")
            with Horizontal(id="export-progress"):
                yield ProgressBar(total=self.members, show_eta=False, id="export-bar")
                yield Label("", id="export-rate")
            with Horizontal(classes="modal-buttons"):
                yield LiveButton("Close", compact=True, id="export-close")
                yield Button("Export", compact=True, variant="primary", id="export-run")
            yield KeyLine(("enter", "export"), ("shift+tab", "format"), classes="modal-keys")

    def on_mount(self) -> None:
        self.query_one("#export-progress").display = False
        self._show_error("")

    def _format(self) -> ExportFormat:
        return ExportFormat(str(self.query_one("#export-format", Select).value))

    @on(Select.Changed, "#export-format")
    def _format_changed(self) -> None:
        """A new format renames the default file (not a name the user typed)."""
        path_input = self.query_one("#export-path", Input)
        if path_input.value == self._default:
            self._default = self._default_path(self._format())
            path_input.value = self._default

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-run")
    def action_export(self) -> None:
        if self.running:
            return
        fmt = self._format()
        try:
            path = export_target(self.query_one("#export-path", Input).value,
                                 members_export_filename(self.segment_name, clock.today(),
                                                         fmt))
        except ValueError as exc:
            self._show_error(str(exc))
            self.query_one("#export-path", Input).focus()
            return
        self._stop.clear()
        self._drawn.reset()
        self._show_error("")
        self.query_one("#export-progress").display = True
        self.query_one("#export-rate", Label).update("Exporting…")
        self._set_running(True)
        self._write(path, fmt)

    def _set_running(self, running: bool) -> None:
        self.running = running
        for selector in ("#export-format", "#export-path", "#export-run"):
            self.query_one(selector).disabled = running
        close = self.query_one("#export-close", Button)
        close.label = "Stop" if running else "Close"
        if running:
            close.focus()
        else:
            self.query_one("#export-progress").display = False

    @in_thread("export")
    def _write(self, path: Path, fmt: ExportFormat) -> None:
        try:
            # Finish what the segment's rule is owed first (I16.4): an import whose
            # process ended before re-evaluating it must not export stale members.
            left = self.store.rules.bring_up_to_date([self.segment_id])
            count = export_members(self.store, self.user, self.segment_id, path, fmt,
                                   on_progress=self._progress)
        except TransferStopped:
            deliver(self, self._failed, "Export stopped: no file was written.")
        except OSError as exc:
            deliver(self, self._failed, f"Cannot write {path}: "
                                                    f"{exc.strerror or exc}")
        except Exception as exc:  # the database: nothing was written either
            deliver(self, self._failed, f"Export failed, no file was written: "
                                                    f"{exc}")
        else:
            deliver(self, self._done, count, path, left)

    def _progress(self, count: int) -> None:
        """Every thousand members, in the worker: stop if asked (the temporary file is
        removed), and draw the progress at most every 0.1 s."""
        if self._stop.is_set():
            raise TransferStopped
        if self._drawn.due():
            deliver(self, self._show_progress, count)

    def _show_progress(self, count: int) -> None:
        if self._stop.is_set():
            return
        self.query_one("#export-bar", ProgressBar).update(progress=count)
        self.query_one("#export-rate", Label).update(Text(plural(count, "member")))

    def _done(self, count: int, path: Path, left: Owed) -> None:
        self._set_running(False)
        self.notify(f"Exported {plural(count, 'member')} to {path.resolve()}",
                    title="Export members", markup=False)
        if left:
            said = left.out_of_date()
            self.notify(said[:1].upper() + said[1:] + ".", severity="warning",
                        title="Export members", markup=False)
        self.dismiss(count)

    def _failed(self, message: str) -> None:
        self._set_running(False)
        self._show_error(message)
        self.query_one("#export-path", Input).focus()  # to fix the name

    def _show_error(self, message: str) -> None:
        error = self.query_one("#export-error", Label)
        error.update(user_text(message[:1].upper() + message[1:], multiline=True))
        error.display = bool(message)

    @on(Button.Pressed, "#export-close")
    def action_close(self) -> None:
        """escape: stop a running export (no file is left), else close."""
        if self.running:
            self._stop.set()
            self.query_one("#export-rate", Label).update("Stopping…")
            return
        self.dismiss(None)
