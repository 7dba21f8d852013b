"""Export a contact's data (C19.5.4), from a member's menu (e, administrators only): the
app's face of `segtui contacts export-data ID -o FILE`, a subject access request.

Everything segtui stores about the contact (its fields, company, tags, events, stays in
segments, exclusions) is written as one JSON document to a file that appears only when
complete and never overwrites another; the audit log records that it was answered, not
what it held. The work is segtui.transfer.exports.export_contact_data, shared with the
command line; a contact's data is small (its events are the bulk), so there is no
progress bar, but it runs in a thread so the screen stays live.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from segtui.core import clock
from segtui.core.formats.csv_safe import free_path
from segtui.core.permissions import CurrentUser
from segtui.data.store import Store
from segtui.screens.modals.dialog import Dialog
from segtui.screens.modals.export_members import export_target
from segtui.transfer.exports import export_contact_data
from segtui.widgets.key_line import KeyLine
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread


def contact_data_filename(contact_id: int) -> str:
    """`contact-<id>-data-<date>.json`: the id, not the name, so the file name itself
    holds no personal data."""
    return f"contact-{contact_id}-data-{clock.today().isoformat()}.json"


class ExportContactDataModal(Dialog[Path | None]):
    """Returns the file written, or None if none was."""

    HELP = ("Write everything segtui stores about this contact (its fields, company, "
            "tags, events and stays in segments) to one JSON file, to answer their "
            "subject access request. The file appears only when complete and never "
            "overwrites another; a folder gets the default name. enter in the File box or "
            "ctrl+s exports; escape closes. The same as `segtui contacts export-data`.")
    BINDINGS = [
        Binding("ctrl+s", "export", "Export", show=False, id="contact-data.run"),
        Binding("escape", "close", "Close", id="contact-data.close"),
    ]
    AUTO_FOCUS = "#contact-data-path"

    def __init__(self, store: Store, user: CurrentUser, contact_id: int, name: str,
                 directory: Path | None = None) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.contact_id = contact_id
        self.contact_name = name
        directory = directory or Path.cwd()
        path = free_path(directory, contact_data_filename(contact_id))
        self._default = path.name if path.parent == Path.cwd() else str(path)
        self.running = False
        self.title_text = f"Export the data of {name}"

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box export-modal"):
            yield Label(user_text(self.title_text), classes="modal-title")
            with Horizontal(classes="form-row"):
                yield Label("File", classes="form-label")
                yield Input(self._default, compact=True, id="contact-data-path")
            yield Static(Text("Everything stored about the contact, as JSON, for their "
                              "subject access request. The audit log records the "
                              "request, not the data."), id="export-note")
            yield Label("", id="export-error", classes="save-error")
            with Horizontal(classes="modal-buttons"):
                yield Button("Close", compact=True, id="contact-data-close")
                yield Button("Export", compact=True, variant="primary",
                             id="contact-data-run")
            yield KeyLine(("enter", "export"), classes="modal-keys")

    def on_mount(self) -> None:
        super().on_mount()
        self._show_error("")

    @on(Input.Submitted, "#contact-data-path")
    @on(Button.Pressed, "#contact-data-run")
    def action_export(self) -> None:
        if self.running:
            return
        try:
            path = export_target(self.query_one("#contact-data-path", Input).value,
                                 contact_data_filename(self.contact_id))
        except ValueError as exc:
            self._show_error(str(exc))
            return
        self._show_error("")
        self.running = True
        self._write(path)

    @in_thread("contact-data")
    def _write(self, path: Path) -> None:
        try:
            written = export_contact_data(self.store, self.user, self.contact_id, path)
        except OSError as exc:
            deliver(self, self._failed, f"Cannot write {path}: {exc.strerror or exc}")
        except Exception as exc:  # the database, a segment deleted under us: no file
            deliver(self, self._failed, f"Export failed, no file was written: {exc}")
        else:
            if written:
                deliver(self, self._done, path)
            else:
                deliver(self, self._failed, f"{self.contact_name} was erased or merged "
                        "meanwhile: there is nothing left to export.")

    def _done(self, path: Path) -> None:
        self.running = False
        self.notify(f"Wrote everything stored about {self.contact_name} to "
                    f"{path.resolve()}", title="Subject access request", markup=False)
        self.dismiss(path)

    def _failed(self, message: str) -> None:
        self.running = False
        self._show_error(message)
        self.query_one("#contact-data-path", Input).focus()

    def _show_error(self, message: str) -> None:
        error = self.query_one("#export-error", Label)
        error.update(user_text(message[:1].upper() + message[1:], multiline=True))
        error.display = bool(message)

    @on(Button.Pressed, "#contact-data-close")
    def action_close(self) -> None:
        if not self.running:
            self.dismiss(None)
