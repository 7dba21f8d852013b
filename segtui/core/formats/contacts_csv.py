"""Reading contacts from a CSV file (I6): one record validated into a contact (RowReader).

The pieces it uses sit next to it: the contact fields and the header names that fill them
(contact_fields.py), which column fills which field (contact_columns.py, with
column_plan.py), each field's cell rules (contact_cells.py), the checks every cell gets
(cell_text.py) and the file's values mapped to segtui's (contact_value_map.py, I16.13); the
file itself (encoding, delimiter, records) is csv_source.py.

Pure Python, no database: `segtui.data.io.importer` writes what this module accepts. The
rules are in docs/import-export.md; each message names the line, the column and the
reason, because the person reading it has the spreadsheet open next to the terminal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from segtui.core.formats.cell_text import SUSPECT, squash, suspect_problem, unquote_formula
from segtui.core.formats.contact_cells import Converter, DateOrder, converters
from segtui.core.formats.contact_columns import ColumnMap
from segtui.core.formats.contact_fields import MAX_LENGTH, Field
from segtui.core.formats.contact_value_map import VOCABULARIES, value_key

# -- one row ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    line: int  # the line in the file where the row starts (1 = the header)
    column: str  # the file's header name, or "" for the whole row
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class ContactIn:
    """A validated row: only the fields the file has (None = the cell was empty). A row
    without a name is valid: it may update a contact (only the matching key and the
    columns it changes are needed, I16.17); the importer rejects it if it would
    create one, blaming `name_column`."""

    line: int
    values: dict[Field, object] = field(default_factory=dict)
    email: str | None = None  # the merge key, lower-cased
    name_column: str = Field.NAME.value  # the file's header for the name (for messages)


_VALUE_HINT = " (or map the value: --values, a preset)"


def _mapped(convert: Converter, table: Mapping[str, object]) -> Converter:
    def mapped(text: str) -> object:
        key = value_key(text)
        return table[key] if key in table else convert(text)

    return mapped


@dataclass(frozen=True)
class ReadOptions:
    """How cells are read beyond their field's rules: the file's values mapped to
    segtui's, the order of numeric dates, and the file's encoding (named in messages)."""

    values: Mapping[Field, Mapping[str, object]] = field(default_factory=dict)
    dates: DateOrder = DateOrder.ISO
    encoding: str = "utf-8"


class RowReader:
    """Validates records against one header; build once per file (the per-field work is
    looked up here, not per cell)."""

    def __init__(self, columns: ColumnMap, header: Sequence[str], today: date,
                 options: ReadOptions | None = None) -> None:
        options = options or ReadOptions()
        convert = converters(today, options.dates)
        for f, table in options.values.items():
            convert[f] = _mapped(convert[f], table)
        self.width = columns.width
        self.encoding = options.encoding
        labels = {use.index: use.label for use in columns.columns}
        # (field, index, header name, converter)
        self.plan = [(f, i, labels.get(i, header[i].strip()), convert[f])
                     for f, i in columns.fields.items()]
        self.name_column = next((labels.get(columns.fields[f], f.value) for f in
                                 (Field.NAME, Field.FIRST_NAME) if f in columns.fields),
                                Field.NAME.value)

    def read(self, cells: Sequence[str], line: int) -> ContactIn | list[RowProblem]:
        """Validate one record; every problem in the row is reported, not just the first."""
        if len(cells) != self.width:
            if not any(c.strip() for c in cells):
                return []  # a blank line: nothing to import, nothing to report
            return [RowProblem(line, "", f"has {len(cells)} fields; the header has "
                                         f"{self.width}")]
        problems: list[RowProblem] = []
        values: dict[Field, object] = {}
        for f, index, column, convert in self.plan:
            text = cells[index]
            if text[:1] == "'":
                text = unquote_formula(text)
            # Fast path (almost every cell): printable, no outer or double spaces.
            if not (text.isprintable() and "  " not in text and text[:1] != " "
                    and text[-1:] != " "):
                text = squash(text)
                suspect = SUSPECT.search(text)
                if suspect:
                    problems.append(RowProblem(line, column, suspect_problem(
                        suspect.group(), self.encoding)))
                    continue
            if not text:
                values[f] = None
                continue
            try:
                values[f] = convert(text)
            except ValueError as exc:
                problems.append(RowProblem(line, column, str(exc) + (
                    _VALUE_HINT if f in VOCABULARIES else "")))
        if problems:
            return problems
        first, last = values.pop(Field.FIRST_NAME, None), values.pop(Field.LAST_NAME, None)
        if not values.get(Field.NAME) and (first or last):
            values[Field.NAME] = " ".join(str(p) for p in (first, last) if p)
        name = values.get(Field.NAME)
        if not name and not any(c.strip() for c in cells):
            return []  # a row of only delimiters (",,,,", Excel's): blank too
        if name and len(str(name)) > MAX_LENGTH[Field.NAME]:
            return [RowProblem(line, self.name_column, "is longer than "
                                                       f"{MAX_LENGTH[Field.NAME]} characters")]
        if not name:
            values.pop(Field.NAME, None)  # nothing to write; a new contact is refused later
        email = values.get(Field.EMAIL)
        return ContactIn(line, values, email if isinstance(email, str) else None,
                         self.name_column)
