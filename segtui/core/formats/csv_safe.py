"""CSV writing that spreadsheets can't be tricked by (S2).

A cell that starts with = + - @ tab, CR or LF is run as a formula by Excel, LibreOffice and
Google Sheets ("CSV injection"); such cells get a leading apostrophe, which spreadsheets
show as text. segtui's own importer strips that apostrophe again (I6).

Nor does CSV for spreadsheets carry control characters other than tab, CR and LF (I16.7):
ESC and the other C0 controls become their visible stand-ins (␛), the C1 controls
(U+0080-U+009F: U+009B starts a terminal command) and bidi controls become �, as the app
shows them. `--raw` writes every cell exactly as stored.
"""

from __future__ import annotations

import csv
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from segtui.core.text import UNSAFE, visible

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")

Cell = str | int | float | None


def neutralise(cell: Cell) -> str:
    """The cell as text, with a leading apostrophe if a spreadsheet would run it."""
    if cell is None:
        return ""
    if isinstance(cell, int | float):
        return str(cell)  # numbers are numbers; a negative count is still not a formula
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


_FORMULA_FIRST = frozenset(FORMULA_PREFIXES)


def safe_row(row: Sequence[Cell]) -> list[Cell]:
    """The row as `spreadsheet_cell` of every cell writes it, the row's text scanned once:
    a row with nothing unsafe in it (almost every row) needs only the formula check of its
    text cells; None and numbers are left to the csv module, which writes them as "" and
    str(). A 100,000-member export is 2.3M cells (C21.1.7)."""
    if UNSAFE.search("".join([c for c in row if isinstance(c, str)])) is not None:
        return [spreadsheet_cell(c) for c in row]
    return [c if not isinstance(c, str) or c[:1] not in _FORMULA_FIRST else "'" + c
            for c in row]


def spreadsheet_cell(cell: Cell) -> str:
    """The cell as a spreadsheet should get it: formula-safe (`neutralise`), with no
    control or bidi characters but tab, CR and LF."""
    return neutralise(visible(cell, keep="\t\r\n") if isinstance(cell, str) else cell)


@contextmanager
def atomic_text(path: Path) -> Iterator[IO[str]]:
    """A UTF-8 text file that appears at `path` only when complete (temp file + rename):
    if anything fails midway, no partial file is left behind. "-" is standard output."""
    if str(path) == "-":
        yield sys.stdout
        return
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
            yield handle
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def write_rows(handle: IO[str], header: Sequence[str], rows: Iterable[Sequence[Cell]], *,
               raw: bool = False) -> int:
    """Write a header and rows, formula- and control-safe unless `raw`
    (`spreadsheet_cell`); return the number of rows. Rows are consumed one at a time, so
    an iterator over a paged query streams."""
    csv.writer(handle).writerow(header)
    return write_rows_only(handle, rows, raw=raw)


def write_rows_only(handle: IO[str], rows: Iterable[Sequence[Cell]], *, raw: bool = False
                    ) -> int:
    """`write_rows` without the header: the rows after a streamed export's first chunk."""
    writer = csv.writer(handle)
    count = 0
    for row in rows:
        writer.writerow(["" if c is None else str(c) for c in row] if raw else safe_row(row))
        count += 1
    return count


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Cell]], *, raw: bool = False
) -> int:
    """Write rows to `path` atomically; return the number of rows."""
    with atomic_text(path) as handle:
        return write_rows(handle, header, rows, raw=raw)


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
