"""The columns of an import file and what each fills (I16.13), opened with `ctrl+o`
(or Columns…) in the import dialog: one row per column of the file's header, with a
choice of field or "Not imported". The dialog passes the choices that changed to the
import as `--map` entries (`segtui import ... --map "Header=Field"`), so what the dialog
imports is what the command line would, and checks again.

A `Dialog` like the others (docs/dialogs.md): its key line, f1 help, and escape asks before
dropping changed choices (the draft is every column's choice).

Headers are the file's text: shown through `user_text` (never markup, control characters
as visible stand-ins), since a file may hold anything.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Label, Select

from segtui.core.formats.column_plan import ColumnUse, Skip
from segtui.screens.modals.dialog import Dialog
from segtui.transfer.imports import ColumnPreview
from segtui.widgets.key_line import KeyLine
from segtui.widgets.text import user_text

NOT_IMPORTED = ""  # the choice, as a --map entry's right side: "Header=" leaves it out
SALUTATION = "Salutation"

COLUMNS_HELP = (
    "One row per column of the file's header, with the field it fills or \"Not imported\" "
    "(and why it is left out now). tab moves to the next column, enter opens its list of "
    "fields. ctrl+s (or Apply) keeps the changed choices for this file and checks it "
    "again; nothing is imported until Import in the import dialog. escape asks before "
    "dropping changed choices. The same as `segtui import ... --map \"Header=Field\"` "
    "(docs/import-export.md)."
)


def choice_of(use: ColumnUse[Any]) -> str:
    """A column's current use as a choice: a field's name, "" or "Salutation"."""
    if use.target is Skip.SALUTATION:
        return SALUTATION
    return NOT_IMPORTED if isinstance(use.target, Skip) else str(use.target)


def _left_out(use: ColumnUse[Any]) -> str:
    """The "Not imported" choice's label, saying why for a column left out now."""
    if isinstance(use.target, Skip) and use.target is not Skip.SALUTATION:
        return f"Not imported ({use.target})"
    return "Not imported"


class ColumnMappingModal(Dialog[dict[str, str] | None]):
    """Returns the changed choices (column label -> field name, "" for not imported), or
    None when cancelled or nothing changed."""

    HELP = COLUMNS_HELP
    BINDINGS = [
        Binding("ctrl+s", "apply", "Apply",
                tooltip="Apply the choices and check the file again (from any column)",
                id="columns.apply"),
        Binding("escape", "cancel", "Cancel", id="columns.cancel"),
    ]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (40, "-tall")]  # more rows from 40 lines up

    def __init__(self, file_name: str, preview: ColumnPreview, fields: list[str],
                 salutation: bool) -> None:
        super().__init__()
        self.file_name = file_name
        self.title_text = f"Columns of {file_name}"
        self.preview = preview
        self.fields = fields  # the kind's field names, in their order
        self.salutation = salutation  # contacts: "Salutation" is a choice
        self.shown = [use for use in preview.columns if use.label]  # unnamed: not mappable

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box columns-modal"):
            yield Label(user_text(self.title_text), classes="modal-title")
            yield Label(user_text(self.preview.problem or "", multiline=True),
                        id="columns-problem",
                        classes="save-error")
            with VerticalScroll(id="columns-list"):
                for use in self.shown:
                    with Horizontal(classes="column-row"):
                        yield Label(user_text(use.label), classes="column-header")
                        yield Select(self._options(use), value=choice_of(use),
                                     allow_blank=False, compact=True,
                                     id=f"column-{use.index}")
            with Horizontal(classes="modal-buttons"):
                yield Button("Cancel", compact=True, id="columns-cancel")
                yield Button("Apply", compact=True, variant="primary", id="columns-apply")
            # tab and enter move between and open the column lists (no bindings of ours).
            yield KeyLine(("tab", "next column"), ("enter", "choose"), classes="modal-keys")

    def _options(self, use: ColumnUse[Any]) -> list[tuple[str, str]]:
        options = [(_left_out(use), NOT_IMPORTED), *((f, f) for f in self.fields)]
        if self.salutation:
            options.append(("Salutation (recognised, not kept)", SALUTATION))
        return options

    def on_mount(self) -> None:
        self.query_one("#columns-problem").display = bool(self.preview.problem)
        if self.shown:
            self.query_one(f"#column-{self.shown[0].index}", Select).focus()

    def _choices(self) -> list[tuple[ColumnUse[Any], str]]:
        """Each shown column with its choice now."""
        chosen: list[tuple[ColumnUse[Any], str]] = []
        for use in self.shown:
            value = self.query_one(f"#column-{use.index}", Select).value
            if isinstance(value, str):
                chosen.append((use, value))
        return chosen

    def draft(self) -> tuple[str, ...]:
        return tuple(value for _, value in self._choices())

    def changes(self) -> dict[str, str]:
        """The choices that differ from the plan the dialog showed."""
        return {use.label: value for use, value in self._choices() if value != choice_of(use)}

    @on(Button.Pressed, "#columns-apply")
    def action_apply(self) -> None:
        self.dismiss(self.changes() or None)

    @on(Button.Pressed, "#columns-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
