"""A table of typed rows shown through `Column`s: the base of PagedTable
(widgets/paged_table.py), which fills `rows_on_page` a page at a time.

Narrow terminals and empty lists (U15.7, U15.15), the same way in every table:
- A column narrower terminals can't hold (`Column.min_table_width`) leaves the table for
  the detail line under it (`detail_line()`, a `RowDetail`), which shows the highlighted
  row's moved fields as "Label: value"; `Column.detail` says which columns go there.
- A cell or header too long for its column ends in "…", never cut silently.
- A list that came back empty says so inside the table, with the next step, in words its
  owner gives (`set_empty_text`): "No segments yet — n: new segment, i: import contacts".
- The sorted column's header has an arrow (`show_sort`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from rich.cells import cell_len
from rich.console import RenderableType
from rich.segment import Segment
from rich.text import Text
from textual.strip import Strip
from textual.widgets import DataTable

from segtui.widgets.fast_table import FastCellTable
from segtui.widgets.row_detail import RowDetail

RowT = TypeVar("RowT")
# Where a column's value shows besides the table (the detail line under it):
# "collapsed": there when the table is too narrow for the column (min_table_width);
# "always": there too when the table shows it (a long text the table cuts);
# "never": nowhere when the table can't hold it (decoration, or repeated elsewhere);
# "only": never a table column, only the detail line (context for the highlighted row).
# "extra": never in the table, and in the detail line only when it shows anyway (a
# collapsed column's, ...): a field that must not make the line appear by itself.
DetailMode = Literal["collapsed", "always", "never", "only", "extra"]
SCROLLBAR = 2  # cells the table keeps for its vertical scrollbar
MIN_SHARE = 8  # the least width a flexible column gets, however narrow the table


@dataclass(frozen=True)
class Column(Generic[RowT]):
    key: str
    label: str
    render: Callable[[RowT], RenderableType]
    width: int | None = None  # None: shares the width left over by fixed columns
    min_table_width: int = 0  # narrower tables leave it out (to the detail line: `detail`)
    justify: Literal["left", "right"] = "left"
    menu: bool = False  # clicking this cell asks for the row's action menu
    sortable: bool = False  # the owner can sort the list by it (show_sort, next_sort_key)
    detail: DetailMode = "collapsed"


HeaderLabel = Callable[[Column[RowT]], str]  # a column's header as shown (the sort arrow)


def one_line(rendered: Text, justify: Literal["left", "right"]) -> Text:
    """A cell's text on its one line: too long for the column, it ends in "…" (a Text
    left as it is would be cropped with no sign that something is missing)."""
    text = rendered.copy()
    text.no_wrap = True
    text.overflow = "ellipsis"
    if justify == "right":
        text.justify = "right"
    return text


def cell_of(column: Column[RowT], row: RowT) -> RenderableType:
    """What `column` shows for `row`, on one line."""
    rendered = column.render(row)
    return one_line(rendered, column.justify) if isinstance(rendered, Text) else rendered


def column_widths(columns: Sequence[Column[RowT]], width: int, cell_padding: int,
           header_label: HeaderLabel[RowT]) -> list[tuple[Column[RowT], int]]:
    """The columns a table `width` cells wide shows, and their widths."""
    shown = [c for c in columns
             if width >= c.min_table_width and c.detail not in ("only", "extra")]
    padding = 2 * cell_padding * len(shown)
    # A fixed column is at least as wide as its header, so a sort arrow added to it
    # ("Contacts ▼") shows whole rather than as "Contact…".
    widths = {c.key: max(c.width, cell_len(header_label(c)))
              for c in shown if c.width is not None}
    flexible = [c for c in shown if c.width is None]
    spare = max(width - SCROLLBAR - padding - sum(widths.values()), MIN_SHARE * len(flexible))
    share = spare // max(len(flexible), 1)
    return [(c, widths.get(c.key, share)) for c in shown]


def columns_for_detail(columns: Sequence[Column[RowT]], shown: set[str]) -> list[Column[RowT]]:
    """The columns whose values the detail line shows, when the table shows the columns
    whose keys are `shown`."""
    needed = [c for c in columns if c.detail in ("always", "only")
              or (c.detail == "collapsed" and c.key not in shown)]
    return [c for c in columns if c in needed or c.detail == "extra"] if needed else []


def fields_for_detail(columns: Sequence[Column[RowT]], row: RowT,
                  header_label: HeaderLabel[RowT]) -> list[Text]:
    """"Label: value" for each of `columns` with a value for `row`, in column order."""
    fields = []
    for column in columns:
        value = column.render(row)
        text = value.copy() if isinstance(value, Text) else Text(str(value))
        if not text.plain.strip():
            continue
        label = header_label(column).strip()
        if label:
            text = Text.assemble((f"{label}: ", "bold"), text)
        fields.append(text)
    return fields


def sorted_label(column: Column[Any], descending: bool) -> str:
    """A sorted column's header: its label and the arrow (a status line that names the
    sort uses the same words)."""
    return f"{column.label} {'▼' if descending else '▲'}"


class ColumnTable(FastCellTable, Generic[RowT]):
    """Rows of one type, one line each, in `Column`s sized to the table's width."""

    def __init__(self, columns: Sequence[Column[RowT]], row_key: Callable[[RowT], int | str],
                 *, id: str | None = None) -> None:
        # A cell's own colours win over the cursor's: a status badge keeps its text colour
        # on the highlighted row (the cursor's white on a green badge was 1.6:1).
        super().__init__(id=id, cursor_type="row", zebra_stripes=True,
                         cursor_foreground_priority="renderable")
        self.all_columns = list(columns)
        self.row_key_of = row_key
        self.rows_on_page: list[RowT] = []  # the rows shown (PagedTable: one page)
        self.sort_key: str | None = None  # the column whose header shows the sort arrow
        self.sort_descending = False
        self._shown_columns: list[tuple[str, int, str]] = []
        self.empty_text: Text | None = None  # what an empty list says (set_empty_text)
        self._detail_line: RowDetail | None = None

    @property
    def is_empty(self) -> bool:
        """The list was fetched and holds no row (PagedTable knows when it was fetched)."""
        return False

    @property
    def current_row(self) -> RowT | None:
        if not self.rows_on_page or not 0 <= self.cursor_row < len(self.rows_on_page):
            return None
        return self.rows_on_page[self.cursor_row]

    def replace_row(self, row: RowT) -> None:
        """Show a changed version of a row on this page (same key), without refetching."""
        key = self.row_key_of(row)
        for index, old in enumerate(self.rows_on_page):
            if self.row_key_of(old) == key:
                self.rows_on_page[index] = row
                for column, _ in self._layout():
                    self.update_cell(str(key), column.key, self._cell(column, row))
                self._show_detail()
                return

    def show_sort(self, key: str, descending: bool) -> None:
        """Put the sort arrow (▲ ascending, ▼ descending) in that column's header. The
        column widens to hold it when its width is fixed (Contacts is 8 wide for its 8
        letters: U15.11 lost the arrow on every numeric column)."""
        self.sort_key, self.sort_descending = key, descending
        self._rebuild()

    def detail_line(self, *, max_lines: int = 2, id: str | None = None) -> RowDetail:
        """The line under the table that shows the highlighted row's fields the table has
        no room for (and the `detail="always"/"only"` ones). Yield it right after the
        table; the table keeps it up to date, and hides it when it has nothing to show."""
        self._detail_line = RowDetail(max_lines=max_lines, id=id)
        return self._detail_line

    def set_empty_text(self, text: Text | str) -> None:
        """What the table says when the list comes back empty: what is empty and the next
        step ("No members yet — a: add contacts"). The owner sets it before loading, as
        it knows whether a search or filter is the reason."""
        self.empty_text = Text(text) if isinstance(text, str) else text
        self.refresh()

    def next_sort_key(self, current: str | None) -> str | None:
        """The sortable column after `current`, in column order and wrapping round, among
        the columns shown: one the table is too narrow to show is never next (at 80
        columns `s` sorted by the hidden Description, U15.11)."""
        keys = [c.key for c in self.all_columns if c.sortable]
        shown = {c.key for c, _ in self._layout()}
        start = keys.index(current) + 1 if current in keys else 0
        return next((k for k in keys[start:] + keys[:start] if k in shown), None)

    def header_label(self, column: Column[RowT]) -> str:
        """The header as shown: the label, and the sort arrow on the sorted column."""
        if column.key != self.sort_key:
            return column.label
        return sorted_label(column, self.sort_descending)

    # -- layout --------------------------------------------------------------------------

    def _signature(self, layout: list[tuple[Column[RowT], int]]) -> list[tuple[str, int, str]]:
        return [(c.key, w, self.header_label(c)) for c, w in layout]

    def _layout(self) -> list[tuple[Column[RowT], int]]:
        """Visible columns and their widths for the current table width."""
        return column_widths(self.all_columns, self.size.width or 80, self.cell_padding,
                             self.header_label)

    def _fit_columns(self) -> None:
        """Lay the columns out again if the table's width changes them (a resize)."""
        if self._signature(self._layout()) != self._shown_columns:
            self._rebuild()

    def _rebuild(self) -> None:
        layout = self._layout()
        signature = self._signature(layout)
        cursor = self.cursor_row
        self.clear(columns=signature != self._shown_columns)
        if signature != self._shown_columns:
            for (column, width), (_, _, label) in zip(layout, signature, strict=True):
                self.add_column(one_line(Text(label), column.justify), width=width,
                                key=column.key)
            self._shown_columns = signature
        for row in self.rows_on_page:
            self.add_row(
                *(self._cell(c, row) for c, _ in layout), key=str(self.row_key_of(row))
            )
        if self.rows_on_page:
            self.move_cursor(row=min(cursor, len(self.rows_on_page) - 1), animate=False)
        self._show_detail()

    @staticmethod
    def _cell(column: Column[RowT], row: RowT) -> RenderableType:
        return cell_of(column, row)

    # -- the detail line and the empty list ----------------------------------------------

    def detail_columns(self) -> list[Column[RowT]]:
        """The columns whose values the detail line shows at the table's current width."""
        return columns_for_detail(self.all_columns, {column.key for column, _ in self._layout()})

    def detail_fields(self, row: RowT) -> list[Text]:
        """"Label: value" for each of `detail_columns()` with a value, in column order."""
        return fields_for_detail(self.detail_columns(), row, self.header_label)

    def _show_detail(self) -> None:
        line = self._detail_line
        if line is None or not line.is_attached:
            return
        row = self.current_row
        columns = tuple(column.key for column in self.detail_columns())
        line.display = row is not None and bool(columns)
        line.show(self.detail_fields(row) if row is not None else [], columns)

    def _on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        # Not stopped: the owner may want the highlight too.
        self._show_detail()

    def render_line(self, y: int) -> Strip:
        """An empty list's message, under the header (one blank line between them when the
        table has the room); everything else as DataTable draws it."""
        if self.empty_text is None or not self.is_empty:
            return super().render_line(y)
        header = self.header_height if self.show_header else 0
        at = header + 1 if self.size.height > header + 1 else header
        if y != at:
            return super().render_line(y)
        width = self.size.width
        message = self.empty_text.copy()
        message.truncate(max(width - 2, 1), overflow="ellipsis")
        line = Text(" " * max((width - message.cell_len) // 2, 0)).append_text(message)
        segments = Segment.apply_style(line.render(self.app.console), self.rich_style)
        return Strip(segments).adjust_cell_length(width, self.rich_style)
