"""The detail line under a table: the highlighted row's fields the table has no room for.

At 80 columns a table cannot show every field the specification asks for, so each table
decides which columns leave it first (`Column.min_table_width`) and where they go: here,
"Label: value" for the highlighted row, under the table (U15.7). The labels say on
screen which fields moved; a table that fits everything shows no line. `PagedTable`
fills the line (`PagedTable.detail_line`); this widget only lays the fields out.

Fields are packed whole where they fit (see `pack`), up to `max_lines` lines; whatever
does not fit ends in "…", never cut silently. The line grows to the lines a row needs
(up to `max_lines`) and keeps that height while the width and its columns stay, so the
table above it doesn't grow and shrink as the cursor moves from row to row.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from rich.console import Console
from rich.text import Text
from textual.widgets import Static

SEPARATOR = " · "
ELLIPSIS = "…"
MIN_ROOM = 12  # a long field starts at the end of a line only if this much is left


def pack(fields: Sequence[Text], width: int, max_lines: int, console: Console) -> Text:
    """The fields laid out in at most `max_lines` lines of `width` cells.

    In their order when all that can fit a line do. Else as many as possible show whole: the
    shortest are placed first, each in the first line with room for it, so one long field
    (a contact's many tags) can't push the short ones out of sight; within a line they keep
    their order. Fields longer than a line, or of several lines (an activity's details),
    and those left without room come last, flowing from the end of the last line. What is
    left over ends in "…"."""
    width = max(width, 2)
    # Per line: (the field's place, the field); then the fields that don't fit a line.
    placed, long = _place(list(enumerate(fields)), width, max_lines, first_fit=False)
    if not all(_too_long(field, width) for _, field in long):
        by_length = sorted(enumerate(fields), key=lambda pair: pair[1].cell_len)
        placed, long = _place(by_length, width, max_lines, first_fit=True)
    lines = [Text(SEPARATOR).join(field for _, field in sorted(line, key=lambda p: p[0]))
             for line in placed]
    for _, field in sorted(long, key=lambda pair: pair[0]):
        for index, chunk in enumerate(field.split("\n")):
            if index == 0 and lines and width - lines[-1].cell_len - len(SEPARATOR) >= MIN_ROOM:
                flowing = lines.pop()
                flowing.append(SEPARATOR)
                flowing.append_text(chunk)
            else:
                flowing = chunk.copy()
            lines.extend(flowing.wrap(console, width, overflow="fold", no_wrap=False))
    if len(lines) > max_lines:
        # The lines past the last one join it (a cut mid-field keeps as much of it as fits,
        # where a cut between wrapped lines could leave just its label), and it ends in "…".
        last = Text(" ").join(lines[max_lines - 1:])
        lines = [*lines[:max_lines - 1], last]
        if last.cell_len > width:
            last.truncate(width - 1)
            last.rstrip()
            last.append(ELLIPSIS)
    for line in lines:
        line.truncate(width, overflow="ellipsis")
    packed = Text("\n").join(lines)
    packed.no_wrap = True
    packed.overflow = "ellipsis"
    return packed


def _too_long(field: Text, width: int) -> bool:
    """Longer than a line, or of several lines."""
    return "\n" in field.plain or field.cell_len > width


def _place(
    fields: list[tuple[int, Text]], width: int, max_lines: int, *, first_fit: bool
) -> tuple[list[list[tuple[int, Text]]], list[tuple[int, Text]]]:
    """The fields that fit whole, per line, and those that don't. A field goes into the
    first line with room for it (`first_fit`) or into the last line or a new one."""
    placed: list[list[tuple[int, Text]]] = []
    used: list[int] = []  # cells used in each line
    rest: list[tuple[int, Text]] = []
    for index, field in fields:
        if _too_long(field, width):
            rest.append((index, field))
            continue
        candidates = range(len(used)) if first_fit else range(len(used))[-1:]
        for number in candidates:
            if used[number] + len(SEPARATOR) + field.cell_len <= width:
                placed[number].append((index, field))
                used[number] += len(SEPARATOR) + field.cell_len
                break
        else:
            if len(placed) < max_lines:
                placed.append([(index, field)])
                used.append(field.cell_len)
            else:
                rest.append((index, field))
    return placed, rest


class RowDetail(Static):
    """A line (or a few) under a table; see the module's docstring. Get one from
    `PagedTable.detail_line()` and yield it right after the table."""

    DEFAULT_CSS = """
    RowDetail { padding: 0 1; color: $text-muted; }
    """

    def __init__(self, *, max_lines: int = 2, id: str | None = None) -> None:
        super().__init__(id=id)
        self.max_lines = max_lines
        self.fields: list[Text] = []
        # (for this width and these columns, the most lines a row has needed)
        self._tallest: tuple[int, Hashable, int] = (0, None, 1)
        self._columns: Hashable = None
        self.styles.height = 1

    def show(self, fields: Sequence[Text], columns: Hashable = None) -> None:
        """Show `fields`; `columns` names which columns they are. The height a row needed
        is kept only while both the width and the columns stay: a table that first lays out
        at a guessed width moves other columns here, and their lines must not stay behind
        once it knows its own (which would make the height depend on timing)."""
        self.fields = list(fields)
        self._columns = columns
        self._pack()

    def on_resize(self) -> None:
        self._pack()

    def _pack(self) -> None:
        # Before the first layout the width is unknown: the screen's is a fair guess, and
        # the resize that follows packs again.
        width = self.content_size.width or self.app.size.width - 2
        packed: Text = pack(self.fields, width, self.max_lines, self.app.console)
        lines = len(packed.plain.split("\n"))
        seen_width, seen_columns, tallest = self._tallest
        same = (seen_width, seen_columns) == (width, self._columns)
        self._tallest = (width, self._columns, max(lines, tallest if same else 1))
        self.styles.height = self._tallest[2]
        self.update(packed)
