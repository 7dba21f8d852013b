"""Export the audit log (C19.4.7), opened with `x` on the Usage & audit screen's Log: the
entries its filters show, newest first, as CSV (formula-safe) or JSON Lines, to a path
the user types. The app's face of `segtui audit ... -o FILE --format F`.

Streamed a keyset page at a time (the log is never in memory whole) into a file that
appears only when complete (transfer/audit_export.py); the export is in the log itself.
It runs in a thread worker; escape stops it (no file is left) or closes.
"""

from __future__ import annotations

import threading
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from segtui.core import clock
from segtui.core.audit import AuditFilter
from segtui.core.formats.audit_export import audit_export_filename
from segtui.core.formats.csv_safe import free_path
from segtui.core.formats.file_formats import ExportFormat
from segtui.core.formatting import plural
from segtui.core.permissions import CurrentUser
from segtui.data.store import Store
from segtui.screens.modals.dialog import Dialog
from segtui.screens.modals.export_members import export_target
from segtui.transfer.audit_export import describe, export_audit
from segtui.transfer.imports import TransferStopped
from segtui.widgets.buttons import LiveButton
from segtui.widgets.key_line import KeyLine
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread

FORMATS: list[tuple[str, str]] = [
    ("CSV (formula-safe)", ExportFormat.CSV.value),
    ("JSON Lines (one entry per line)", ExportFormat.JSONL.value),
]

HELP = (
    "Write the audit entries the Log's filters show, newest first, to a file: CSV "
    "(formula-safe) or JSON Lines. The file appears only when complete and never "
    "overwrites another; a folder gets the default name. enter in the File box or ctrl+s "
    "exports; escape stops a running export (no file is left) or closes. The export is "
    "recorded in the log. The same as `segtui audit ... -o FILE`."
)


class ExportAuditModal(Dialog[int | None]):
    """Returns the number of entries written, or None if nothing was."""

    HELP = HELP
    BINDINGS = [
        Binding("ctrl+s", "export", "Export", show=False, id="audit-export.run"),
        Binding("escape", "close", "Close", tooltip="Stop an export, else close",
                id="audit-export.close"),
    ]
    AUTO_FOCUS = "#audit-export-path"

    def __init__(self, store: Store, user: CurrentUser, flt: AuditFilter,
                 directory: Path | None = None) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.filter = flt
        self.directory = directory or Path.cwd()
        self.running = False
        self._stop = threading.Event()
        self._default = self._default_path(ExportFormat.CSV)
        self.title_text = "Export the audit log"

    def _default_path(self, fmt: ExportFormat) -> str:
        path = free_path(self.directory, audit_export_filename(clock.today(), fmt))
        return path.name if path.parent == Path.cwd() else str(path)

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box export-modal"):
            yield Label("Export the audit log", classes="modal-title")
            with Horizontal(classes="form-row"):
                yield Label("Format", classes="form-label")
                yield Select(FORMATS, value=ExportFormat.CSV.value, allow_blank=False,
                             compact=True, id="audit-export-format")
            with Horizontal(classes="form-row"):
                yield Label("File", classes="form-label")
                yield Input(self._default, compact=True, id="audit-export-path")
            yield Static(user_text(f"The entries the filters show ({describe(self.filter)}), "
                                   "newest first. The file appears when complete."),
                         id="audit-export-note")
            yield Label("", id="audit-export-error", classes="save-error")
            with Horizontal(classes="modal-buttons"):
                yield LiveButton("Close", compact=True, id="audit-export-close")
                yield Button("Export", compact=True, variant="primary", id="audit-export-run")
            yield KeyLine(("enter", "export"), ("shift+tab", "format"), classes="modal-keys")

    def on_mount(self) -> None:
        self._show_error("")

    def _format(self) -> ExportFormat:
        return ExportFormat(str(self.query_one("#audit-export-format", Select).value))

    @on(Select.Changed, "#audit-export-format")
    def _format_changed(self) -> None:
        path_input = self.query_one("#audit-export-path", Input)
        if path_input.value == self._default:
            self._default = self._default_path(self._format())
            path_input.value = self._default

    @on(Input.Submitted, "#audit-export-path")
    @on(Button.Pressed, "#audit-export-run")
    def action_export(self) -> None:
        if self.running:
            return
        fmt = self._format()
        try:
            path = export_target(self.query_one("#audit-export-path", Input).value,
                                 audit_export_filename(clock.today(), fmt))
        except ValueError as exc:
            self._show_error(str(exc))
            return
        self._stop.clear()
        self._show_error("")
        self._set_running(True)
        self._write(path, fmt)

    def _set_running(self, running: bool) -> None:
        self.running = running
        for selector in ("#audit-export-format", "#audit-export-path", "#audit-export-run"):
            self.query_one(selector).disabled = running
        close = self.query_one("#audit-export-close", Button)
        close.label = "Stop" if running else "Close"
        if running:
            close.focus()

    @in_thread("audit-export")
    def _write(self, path: Path, fmt: ExportFormat) -> None:
        try:
            count = export_audit(self.store, self.user, self.filter, path, fmt,
                                 on_progress=self._progress)
        except TransferStopped:
            deliver(self, self._failed, "Export stopped: no file was written.")
        except OSError as exc:
            deliver(self, self._failed, f"Cannot write {path}: {exc.strerror or exc}")
        except Exception as exc:  # the database: nothing was written either
            deliver(self, self._failed, f"Export failed, no file was written: {exc}")
        else:
            deliver(self, self._done, count, path)

    def _progress(self, count: int) -> None:
        if self._stop.is_set():
            raise TransferStopped

    def _done(self, count: int, path: Path) -> None:
        self._set_running(False)
        self.notify(f"Exported {plural(count, 'audit entry', 'audit entries')} to "
                    f"{path.resolve()}", title="Export the audit log", markup=False)
        self.dismiss(count)

    def _failed(self, message: str) -> None:
        self._set_running(False)
        self._show_error(message)
        self.query_one("#audit-export-path", Input).focus()

    def _show_error(self, message: str) -> None:
        error = self.query_one("#audit-export-error", Label)
        error.update(user_text(message[:1].upper() + message[1:], multiline=True))
        error.display = bool(message)

    @on(Button.Pressed, "#audit-export-close")
    def action_close(self) -> None:
        if self.running:
            self._stop.set()
            return
        self.dismiss(None)
