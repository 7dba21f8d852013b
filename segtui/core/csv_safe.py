"""CSV writing that spreadsheets can't be tricked by (DESIGN.md, "Safety rules").

A cell that starts with = + - @ tab, CR or LF is run as a formula by Excel, LibreOffice and
Google Sheets ("CSV injection"); such cells get a leading apostrophe, which spreadsheets
show as text. segtui's own importer strips that apostrophe again (issue 6).
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")

Cell = str | int | float | None


def neutralise(cell: Cell) -> str:
    """The cell as text, with a leading apostrophe if a spreadsheet would run it."""
    if cell is None:
        return ""
    if isinstance(cell, int | float):
        return str(cell)  # numbers are numbers; a negative count is still not a formula
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Cell]], *, raw: bool = False
) -> int:
    """Write rows to `path` atomically (temp file + rename); return the number of rows.

    Rows are consumed one at a time, so an iterator over a paged query streams. If anything
    fails midway, no partial file is left behind.
    """
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    count = 0
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for row in rows:
                writer.writerow(["" if c is None else str(c) for c in row] if raw
                                else [neutralise(c) for c in row])
                count += 1
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return count


def free_path(directory: Path, filename: str) -> Path:
    """`directory/filename`, or `name-2.ext`, `name-3.ext`... if that file already exists.

    An export never silently overwrites an earlier export of the same day.
    """
    candidate = directory / filename
    stem, suffix = candidate.stem, candidate.suffix
    n = 2
    while candidate.exists():
        candidate = directory / f"{stem}-{n}{suffix}"
        n += 1
    return candidate
