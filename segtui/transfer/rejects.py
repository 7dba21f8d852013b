"""The rejects file of an import (`--rejects`): every rejected row with its line, column and
reason, written atomically (I16.3).
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from segtui.core.formats.contact_columns import ImportError_
from segtui.core.formats.contacts_csv import RowProblem
from segtui.core.formats.csv_safe import atomic_text, neutralise

REJECTS_COLUMNS = ("Original Row", "Line", "Column", "Reason")


RejectRow = Callable[[list[str], int, list[RowProblem]], None]


_UNDECODED = re.compile("[\udc80-\udcff]")


def _writable(cell: str) -> str:
    """A cell as the rejects file (UTF-8) can hold it: a byte the file's encoding could
    not decode (a lone surrogate here) is U+FFFD, the row's Reason names the byte."""
    return _UNDECODED.sub("\ufffd", cell)


@contextlib.contextmanager
def rejects_file(path: Path, header: list[str], delimiter: str) -> Iterator[RejectRow]:
    """The rejects file, written atomically (nothing if the import fails): the header and
    Original Row, Line, Column, Reason; then each rejected row's cells under their own
    headers, padded or cut to the header's width. A row with another number of fields
    can't be lined up truthfully, so it also goes whole, as the file had it, into
    Original Row (I16.3). A write error is ImportError_, not a traceback."""

    def failed(exc: OSError) -> ImportError_:
        return ImportError_(f"cannot write the rejects file {path}: {exc.strerror or exc}")

    def original(cells: list[str]) -> str:
        line = io.StringIO()
        csv.writer(line, delimiter=delimiter, lineterminator="").writerow(cells)
        return line.getvalue()

    width = len(header)
    opened = atomic_text(path)
    try:
        handle = opened.__enter__()
    except OSError as exc:
        raise failed(exc) from None
    writer = csv.writer(handle)

    def write(cells: Sequence[str], *, formula_safe: bool = True) -> None:
        try:
            writer.writerow([neutralise(_writable(c)) if formula_safe else _writable(c)
                             for c in cells])
        except OSError as exc:
            raise failed(exc) from None

    def reject_row(cells: list[str], line: int, problems: list[RowProblem]) -> None:
        fitted = cells[:width] + [""] * (width - len(cells))
        write([*fitted, original(cells) if cells and len(cells) != width else "",
               str(line), "; ".join(p.column for p in problems if p.column),
               "; ".join(p.reason for p in problems)])

    try:
        write([*header, *REJECTS_COLUMNS], formula_safe=False)  # as the file had it
        yield reject_row
    except BaseException as exc:
        opened.__exit__(type(exc), exc, exc.__traceback__)  # removes the temporary file
        raise
    try:
        opened.__exit__(None, None, None)
    except OSError as exc:
        raise failed(exc) from None
