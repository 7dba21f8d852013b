"""What the import dialog says about a check or an import (screens/modals/import_file.py):
the findings, and whether a failed check was about the file's columns (which the Columns
dialog, ctrl+o, can fix)."""

from __future__ import annotations

from rich.text import Text

from segtui.core.formats.column_plan import column_notes, mapping_line
from segtui.core.formats.contact_columns import ImportError_
from segtui.core.formatting import plural
from segtui.core.text import printable
from segtui.transfer.imports import ImportOutcome, ImportRequest, preview_columns
from segtui.widgets.text import user_text

COLUMNS_HINT = " (ctrl+o: choose what each column fills)"


def outcome_text(outcome: ImportOutcome) -> Text:
    """What a check found (or an import did), every user-provided piece shown literally:
    file names, header names and cells may hold markup or control characters."""
    report = outcome.report
    lines = [f"Warning: {warning}." for warning in outcome.warnings]
    lines.append(f"({plural(report.rows, 'row')}, {outcome.encoding_name}, delimiter "
                 f"{outcome.delimiter!r})")
    if report.created:
        lines.append(f"New campaigns: {', '.join(report.created)}")
    lines.append(mapping_line(outcome.columns) + " (ctrl+o: change)")
    lines.extend(column_notes(outcome.columns))
    if outcome.problems:
        lines.append("Rejected rows:")
        lines.extend(f"· {problem}" for problem in outcome.problems)
    if outcome.more_rejected:
        lines.append(f"· … and {outcome.more_rejected:,} more rejected rows "
                     "(segtui import --rejects FILE lists them all)")
    body = "\n".join(printable(line) for line in lines)
    return Text.assemble(user_text(outcome.headline(), "bold"), "\n",
                         user_text(body, multiline=True))


def about_columns(request: ImportRequest, message: str) -> bool:
    """Whether a check failed on the file's columns (the Columns dialog can fix it)."""
    try:
        return preview_columns(request).problem == message
    except ImportError_:
        return False
