"""Import from a CSV file (I6.1; docs/import-export.md), opened with `i` on the
dashboard: the app's face of `segtui import contacts|events|campaigns FILE`.

First a check (a dry run: everything is read, validated and written, then rolled back)
shows what would happen: rows, added / updated / skipped / rejected, the first rejected
rows with line, column and reason, what each column fills and the columns that are not
imported. Then Import runs the same thing for real, with a progress bar and rows per
second. Both run in a thread worker; escape stops either, and a stopped import has
written nothing (it is one transaction). The work itself is
segtui.transfer.imports.import_file, shared with the command line.

I16.13: a contacts file may be read with another CRM's mapping (`--preset`), and
`ctrl+o` (Columns…) shows every column of the file with what it fills and lets the user
change it or leave it out (`--map`, screens/modals/column_mapping.py), then checks again.

The form's choices are in import_choices.py, what the dialog says of a check in
import_report.py.
"""

from __future__ import annotations

import threading
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, ProgressBar, Select, Static

from segtui.core.contact_keys import MatchKey
from segtui.core.formats.contact_columns import ImportError_
from segtui.core.formats.contact_fields import Field
from segtui.core.formats.events_csv import EventField
from segtui.core.formatting import plural
from segtui.core.imports import OnDuplicate
from segtui.core.permissions import CurrentUser
from segtui.core.throttle import Throttle
from segtui.data.store import Store
from segtui.screens.modals.column_mapping import ColumnMappingModal
from segtui.screens.modals.dialog import Dialog
from segtui.screens.modals.import_choices import DUPLICATES, KINDS, MAPPINGS, MATCHES, Inputs
from segtui.screens.modals.import_report import COLUMNS_HINT, about_columns, outcome_text
from segtui.transfer.imports import (
    ColumnPreview,
    ImportKind,
    ImportOutcome,
    ImportProgress,
    ImportRequest,
    TransferStopped,
    import_file,
    import_path,
    preview_columns,
)
from segtui.widgets.buttons import LiveButton
from segtui.widgets.key_line import KeyLine
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread

IMPORTING = "import: importing changes contacts and their events"  # what a Viewer may not

IMPORT_HELP = (
    "Import contacts, an event log or campaign results from a CSV file, in one "
    "transaction. enter in the File box (or Check) first checks the whole file and "
    "writes nothing: rows, what would be added, updated, skipped or rejected, with each "
    "rejected row's line, column and reason. ctrl+s (or Import) then imports what was "
    "checked (before a check it checks first). escape stops a running check or import "
    "(nothing is written) or closes. The same as `segtui import` (docs/import-export.md)."
)


class ImportFileModal(Dialog[ImportOutcome | None]):
    """Returns the import's outcome once it committed; None if closed without importing."""

    HELP = IMPORT_HELP
    BINDINGS = [
        Binding("ctrl+s", "run_import", "Import", id="import.run"),
        Binding("escape", "close", "Close", tooltip="Stop a check or import, else close",
                id="import.close"),
        Binding("ctrl+o", "columns", "Columns", id="import.columns"),
    ]
    title_text = "Import from a CSV file"
    AUTO_FOCUS = "#import-path"
    # The findings get 9 lines at 80x24, 20 from 34 lines up (app.tcss).
    VERTICAL_BREAKPOINTS = [(0, "-short"), (34, "-tall")]

    def __init__(self, store: Store, user: CurrentUser, path: str = "") -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.initial_path = path
        self.running: bool = False
        self.checked: Inputs | None = None  # the inputs of the last check that succeeded
        # The columns' changes made in the Columns dialog: label -> field ("" left out).
        self.overrides: dict[str, str] = {}
        self._overrides_for: tuple[str, ImportKind] | None = None  # the file they fit
        self._stop = threading.Event()
        self._drawn = Throttle(0.1)  # progress redraws

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box import-modal"):
            yield Label(user_text(self.title_text), classes="modal-title")
            with Horizontal(classes="form-row"):
                yield Label("File", classes="form-label")
                yield Input(self.initial_path, placeholder="path/to/file.csv (~ works)",
                            compact=True, id="import-path")
            with Horizontal(classes="form-row"):
                yield Label("Holds", classes="form-label")
                yield Select(KINDS, value=ImportKind.CONTACTS.value, allow_blank=False,
                             compact=True, id="import-kind")
            with Horizontal(classes="form-row", id="match-row"):
                yield Label("Match by", classes="form-label")
                yield Select(MATCHES, value=MatchKey.EMAIL.value, allow_blank=False,
                             compact=True, id="import-match")
            with Horizontal(classes="form-row", id="duplicates-row"):
                yield Label("Duplicates", classes="form-label")
                yield Select(DUPLICATES, value=OnDuplicate.UPDATE.value, allow_blank=False,
                             compact=True, id="import-duplicates")
            with Horizontal(classes="form-row", id="preset-row"):
                yield Label("Mapping", classes="form-label")
                yield Select(MAPPINGS, value="", allow_blank=False, compact=True,
                             id="import-preset")
            with VerticalScroll(id="import-report"):
                yield Label("", id="import-error", classes="save-error")
                yield Static("", id="import-result")
            with Horizontal(id="import-progress"):
                yield ProgressBar(total=100, show_eta=False, id="import-bar")
                yield Label("", id="import-rate")
            with Horizontal(classes="modal-buttons"):
                yield LiveButton("Close", compact=True, id="import-close")
                yield Button("Check", compact=True, id="import-check")
                yield Button("Columns…", compact=True, id="import-columns")
                yield Button("Import", compact=True, variant="primary", disabled=True,
                             id="import-run")
            # "check" writes nothing: the help and the Check button say so; at 80 columns
            # the longer words pushed esc off the line.
            yield KeyLine(("enter", "check"), classes="modal-keys")

    def on_mount(self) -> None:
        self.query_one("#import-progress").display = False
        self._show_error("")
        self._show_result(None)

    # -- the form ------------------------------------------------------------------------

    def _inputs(self) -> Inputs:
        path = self.query_one("#import-path", Input).value
        kind = ImportKind(str(self.query_one("#import-kind", Select).value))
        duplicates = self.query_one("#import-duplicates", Select).value
        preset = self.query_one("#import-preset", Select).value
        match = self.query_one("#import-match", Select).value
        if self._overrides_for != (path, kind):
            self.overrides = {}  # they named another file's columns
        entries = tuple(f"{label}={target}" for label, target in self.overrides.items())
        return (path, kind, OnDuplicate(str(duplicates)),
                str(preset) if kind is ImportKind.CONTACTS else "", entries,
                MatchKey(str(match)))

    def _request(self, path: Path, inputs: Inputs, *, dry_run: bool) -> ImportRequest:
        _, kind, duplicates, preset, entries, match = inputs
        return ImportRequest(kind, path, dry_run=dry_run, on_duplicate=duplicates,
                             column_map=entries, preset=preset or None, match=match)

    @on(Input.Changed, "#import-path")
    @on(Select.Changed)
    def _inputs_changed(self) -> None:
        kind = self._inputs()[1]
        for row in ("#duplicates-row", "#preset-row", "#match-row"):
            self.query_one(row).display = kind is ImportKind.CONTACTS
        if not self.running and self.checked != self._inputs():
            self.checked = None  # a check says nothing about another file or kind
            self._show_result(None)
            self._show_error("")
        self._update_buttons()

    def _update_buttons(self) -> None:
        ready = not self.running and self.checked == self._inputs()
        self.query_one("#import-run", Button).disabled = not ready
        self.query_one("#import-check", Button).disabled = self.running
        self.query_one("#import-columns", Button).disabled = self.running
        self.query_one("#import-close", Button).label = "Stop" if self.running else "Close"
        for selector in ("#import-path", "#import-kind", "#import-duplicates",
                         "#import-preset", "#import-match"):
            self.query_one(selector).disabled = self.running

    def _show_result(self, text: Text | None) -> None:
        result = self.query_one("#import-result", Static)
        result.update(text or "")
        result.display = text is not None
        self._show_report()

    def _show_error(self, message: str) -> None:
        error = self.query_one("#import-error", Label)
        error.update(user_text(message[:1].upper() + message[1:], multiline=True))
        error.display = bool(message)
        self._show_report()

    def _show_report(self) -> None:
        """The findings' box shows while it has something to show."""
        self.query_one("#import-report").display = (
            self.query_one("#import-error").display
            or self.query_one("#import-result").display)

    # -- actions -------------------------------------------------------------------------

    @on(Input.Submitted, "#import-path")
    @on(Button.Pressed, "#import-check")
    def action_check(self) -> None:
        self._start(dry_run=True)

    @on(Button.Pressed, "#import-run")
    def action_run_import(self) -> None:
        """Import what was checked; before a check, ctrl+s checks first."""
        self._start(dry_run=self.checked != self._inputs())

    @on(Button.Pressed, "#import-close")
    def action_close(self) -> None:
        """escape: stop what is running (nothing is written), else close."""
        if self.running:
            self._stop.set()
            self.query_one("#import-rate", Label).update("Stopping…")
            return
        self.dismiss(None)

    def _start(self, *, dry_run: bool) -> None:
        if self.running:
            return
        why_not = self.user.refusal(IMPORTING)
        if why_not is not None:
            self._show_error(why_not)
            return
        inputs = self._inputs()
        try:
            path = import_path(inputs[0])
        except ImportError_ as exc:
            self._show_error(str(exc))
            self.query_one("#import-path", Input).focus()
            return
        self.running = True
        self._stop.clear()
        self._drawn.reset()
        self._show_error("")
        if dry_run:
            self.checked = None
            self._show_result(None)
        self.query_one("#import-progress").display = True
        self.query_one("#import-bar", ProgressBar).update(total=100, progress=0)
        self.query_one("#import-rate", Label).update("Checking…" if dry_run
                                                     else "Importing…")
        self._update_buttons()
        self.query_one("#import-close", Button).focus()
        self._run(self._request(path, inputs, dry_run=dry_run), inputs)

    @in_thread("import")
    def _run(self, request: ImportRequest, inputs: Inputs) -> None:
        try:
            outcome = import_file(self.store, request, self._progress)
        except TransferStopped:
            deliver(self, self._stopped, request.dry_run)
        except ImportError_ as exc:
            nothing = "" if request.dry_run else "; nothing was imported"
            deliver(self, self._failed, f"{request.file}: {exc}{nothing}"
                    + (COLUMNS_HINT if about_columns(request, str(exc)) else ""))
        except Exception as exc:  # the database refused: the transaction rolled back
            what = "Check" if request.dry_run else "Import"
            deliver(self, self._failed, f"{what} failed, nothing was written: "
                                                    f"{exc}")
        else:
            deliver(self, self._finished, outcome, inputs)

    def _progress(self, progress: ImportProgress) -> None:
        """After each batch, in the worker: stop if asked (the Store rolls back), and
        draw the progress at most every 0.1 s."""
        if self._stop.is_set():
            raise TransferStopped
        if self._drawn.due():
            deliver(self, self._show_progress, progress)

    def _show_progress(self, progress: ImportProgress) -> None:
        if self._stop.is_set():
            return  # "Stopping…" stays
        self.query_one("#import-bar", ProgressBar).update(progress=progress.share * 100)
        self.query_one("#import-rate", Label).update(Text(
            f"{plural(progress.rows, 'row')} · {progress.rate:,.0f} rows/s"))

    def _idle(self) -> None:
        self.running = False
        self.query_one("#import-progress").display = False
        self._update_buttons()

    def _finished(self, outcome: ImportOutcome, inputs: Inputs) -> None:
        self._idle()
        if not outcome.dry_run:
            changed = sum(1 for r in outcome.report.refreshed if r.changed)
            followed = (f"; {plural(changed, 'dynamic segment')} changed" if changed
                        else "")
            self.notify(outcome.summary() + followed, title="Import", markup=False,
                        timeout=10)
            self.dismiss(outcome)
            return
        self._show_result(outcome_text(outcome))
        if inputs == self._inputs():
            self.checked = inputs
            self._update_buttons()
            self.query_one("#import-run", Button).focus()

    def _stopped(self, dry_run: bool) -> None:
        self._idle()
        message = ("Check stopped." if dry_run else
                   "Import stopped: nothing was imported (the import is one transaction).")
        self._show_error(message)
        self.notify(message, severity="warning", markup=False)

    def _failed(self, message: str) -> None:
        self._idle()
        self._show_error(message)
        self.query_one("#import-path", Input).focus()  # to pick another file

    # -- the columns (I16.13) ------------------------------------------------------------

    @on(Button.Pressed, "#import-columns")
    def action_columns(self) -> None:
        """Read the file's header and show what each column fills (the Columns dialog)."""
        if self.running:
            return
        inputs = self._inputs()
        try:
            path = import_path(inputs[0])
        except ImportError_ as exc:
            self._show_error(str(exc))
            self.query_one("#import-path", Input).focus()
            return
        self._read_columns(self._request(path, inputs, dry_run=True), inputs)

    @in_thread("import-columns")
    def _read_columns(self, request: ImportRequest, inputs: Inputs) -> None:
        try:
            preview = preview_columns(request)
        except ImportError_ as exc:
            deliver(self, self._failed, f"{request.file}: {exc}")
        else:
            deliver(self, self._show_columns, request, preview, inputs)

    def _show_columns(self, request: ImportRequest, preview: ColumnPreview,
                      inputs: Inputs) -> None:
        if inputs != self._inputs() or self.running:
            return  # the file or its options changed meanwhile: ask again
        contacts = request.kind is ImportKind.CONTACTS
        names = [f.value for f in (Field if contacts else EventField)]
        self.app.push_screen(
            ColumnMappingModal(request.file.name, preview, names, salutation=contacts),
            lambda changed: self._columns_chosen(inputs, changed))

    def _columns_chosen(self, inputs: Inputs, changed: dict[str, str] | None) -> None:
        """Keep the changes for this file and check again with them."""
        if not changed or inputs != self._inputs():
            return
        self._overrides_for = (inputs[0], inputs[1])
        self.overrides = {**self.overrides, **changed}
        self._inputs_changed()
        self.action_check()

