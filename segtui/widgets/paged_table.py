"""A DataTable that shows one keyset page of a long list at a time.

No widget ever holds every row (DESIGN.md, "Scale budgets"): the table holds one page.
Moving the cursor past the last row fetches the next page; past the first row, the previous
one; ctrl+home / ctrl+end jump to the first / last page. A page is as many rows as the
terminal has lines (`page_rows`): more than the table can show, whatever is around it, and
no more, since every row fetched is a row of SQL and of table to build before the page
shows (issue 17 §5: 100-row pages took 66-107 ms from key to shown at 120x40). A terminal
that grows taller than the page refills it. The total is a
separate COUNT, fetched in parallel, so the first rows appear without waiting for it.

The table is handed two callables (`fetch_page`, `fetch_count`) and runs them in thread
workers; it never sees SQL. Stale answers (the user typed again meanwhile) are dropped by
generation number.

Narrow terminals and empty lists (issue 15 §7, §15), the same way in every table:
- A column narrower terminals can't hold (`Column.min_table_width`) leaves the table for
  the detail line under it (`detail_line()`, a `RowDetail`), which shows the highlighted
  row's moved fields as "Label: value"; `Column.detail` says which columns go there.
- A cell or header too long for its column ends in "…", never cut silently.
- A list that came back empty says so inside the table, with the next step, in words its
  owner gives (`set_empty_text`): "No segments yet — n: new segment, i: import contacts".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from rich.cells import cell_len
from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual._types import SegmentLines
from textual.binding import Binding
from textual.events import Click, Resize
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import DataTable
from textual.widgets._data_table import CellCacheKey
from textual.widgets.data_table import RowKey

from segtui.core.records import Keyset, Page
from segtui.widgets.one_line_cell import one_line_cell
from segtui.widgets.row_detail import RowDetail
from segtui.widgets.workers import deliver, in_thread

RowT = TypeVar("RowT")
MIN_PAGE_ROWS = 10  # a page's rows on the smallest terminals
CursorAt = Literal["top", "bottom", "keep"]
# Where a column's value shows besides the table (the detail line under it):
# "collapsed": there when the table is too narrow for the column (min_table_width);
# "always": there too when the table shows it (a long text the table cuts);
# "never": nowhere when the table can't hold it (decoration, or repeated elsewhere);
# "only": never a table column, only the detail line (context for the highlighted row).
DetailMode = Literal["collapsed", "always", "never", "only"]


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


@dataclass(frozen=True)
class PageRequest:
    after: Keyset | None = None
    before: Keyset | None = None
    at_end: bool = False
    starting_at: int | None = None  # the page that shows the row with this key


class PagedTable(DataTable[RenderableType], Generic[RowT]):
    BINDINGS = [
        Binding("ctrl+home", "first_page", "First page", show=False, id="table.first-page"),
        Binding("ctrl+end", "last_page", "Last page", show=False, id="table.last-page"),
    ]

    class _TableMessage(Message):
        """Base of the table's messages: `control` lets handlers use @on(..., "#id")."""

        def __init__(self, table: PagedTable[Any]) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> PagedTable[Any]:
            return self.table

    class Loaded(_TableMessage):
        """A page or the total arrived; read `first_index`, `total` and `rows` off the table."""

    class MenuRequested(_TableMessage):
        """The user clicked a row's menu cell (a column created with `menu=True`)."""

        def __init__(self, table: PagedTable[Any], row: Any) -> None:
            super().__init__(table)
            self.row = row

    class LoadFailed(_TableMessage):
        def __init__(self, table: PagedTable[Any], error: Exception) -> None:
            super().__init__(table)
            self.error = error

    def __init__(
        self,
        columns: Sequence[Column[RowT]],
        row_key: Callable[[RowT], int | str],
        *,
        page_size: int | None = None,
        id: str | None = None,
    ) -> None:
        # A cell's own colours win over the cursor's: a status badge keeps its text colour
        # on the highlighted row (the cursor's white on a green badge was 1.6:1).
        super().__init__(id=id, cursor_type="row", zebra_stripes=True,
                         cursor_foreground_priority="renderable")
        self.all_columns = list(columns)
        self.row_key_of = row_key
        self.page_size = page_size  # None: as many rows as the terminal has lines
        self.rows_on_page: list[RowT] = []
        self.page: Page[RowT] | None = None
        self.first_index = 0  # index of the page's first row in the whole list
        self.total: int | None = None
        self.sort_key: str | None = None  # the column whose header shows the sort arrow
        self.sort_descending = False
        self._request = PageRequest()
        self._fetch_page: Callable[[PageRequest, int], Page[RowT]] | None = None
        self._fetch_count: Callable[[], int] | None = None
        self._generation = 0
        self._shown_columns: list[tuple[str, int, str]] = []
        self._focus_pending = False
        self._focused_at_request: Widget | None = None
        self.empty_text: Text | None = None  # what an empty list says (set_empty_text)
        self._detail_line: RowDetail | None = None

    # -- what the owner calls ------------------------------------------------------------

    def focus_when_ready(self) -> None:
        """Focus now, or as soon as the first page is shown: Textual refuses the focus to a
        widget that is loading, and the first page may still be on its way. The late focus
        is given only if the user has not moved on meanwhile (issue 15 §14: pressing 2
        while the members loaded switched back to Contacts when they arrived)."""
        if self.loading:
            self._focus_pending = True
            self._focused_at_request = self.screen.focused
        else:
            self.focus()

    def _still_wanted_focus(self) -> bool:
        """The focus asked for while loading is still wanted: the table is shown (not in a
        tab the user left, not under a dialog) and the user has not put the focus
        elsewhere (it is where it was then, or nowhere: hiding a tab drops its focus)."""
        shown = all(node.display for node in self.ancestors_with_self
                    if isinstance(node, Widget))
        focused = self.screen.focused
        return (shown and self.screen is self.app.screen
                and (focused is None or focused is self._focused_at_request))

    def load(
        self,
        fetch_page: Callable[[PageRequest, int], Page[RowT]],
        fetch_count: Callable[[], int],
    ) -> None:
        """Show a new list from its first page (a new search, filter or sort)."""
        self._fetch_page, self._fetch_count = fetch_page, fetch_count
        self._generation += 1
        self.total = None
        if not self.rows_on_page:
            self.loading = True
        self._request_page(PageRequest(), 0, "top")
        self._count(self._generation)

    def reload(self, show: int | None = None) -> None:
        """Fetch the current page and the total again (after data changed). With `show`, the
        cursor goes to that row: on this page if it is here, else on the page it starts."""
        if self._fetch_page is None:
            return
        self._generation += 1
        if show is not None and show not in [self.row_key_of(r) for r in self.rows_on_page]:
            # The page showing that row (never one that hides the rows before it when the
            # whole list fits), the cursor on the row.
            self._fetch(self._generation, PageRequest(starting_at=show), self.page_rows,
                        self.first_index, "keep", show)
        else:
            self._fetch(self._generation, self._request, self.page_rows, self.first_index,
                        "keep", show)
        self._count(self._generation)

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
        letters: issue 15 §11 lost the arrow on every numeric column)."""
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

    @property
    def is_empty(self) -> bool:
        """The list was fetched and holds no row."""
        return self.page is not None and not self.rows_on_page and not self.loading

    def next_sort_key(self, current: str | None) -> str | None:
        """The sortable column after `current`, in column order and wrapping round, among
        the columns shown: one the table is too narrow to show is never next (at 80
        columns `s` sorted by the hidden Description, issue 15 §11)."""
        keys = [c.key for c in self.all_columns if c.sortable]
        shown = {c.key for c, _ in self._layout()}
        start = keys.index(current) + 1 if current in keys else 0
        return next((k for k in keys[start:] + keys[:start] if k in shown), None)

    def header_label(self, column: Column[RowT]) -> str:
        """The header as shown: the label, and the sort arrow on the sorted column."""
        if column.key != self.sort_key:
            return column.label
        return f"{column.label} {'▼' if self.sort_descending else '▲'}"

    # -- paging --------------------------------------------------------------------------

    @property
    def page_rows(self) -> int:
        """The rows a page holds: `page_size` if the owner gave one, else the terminal's
        lines (known before the table is laid out, and always more than its rows)."""
        if self.page_size is not None:
            return self.page_size
        return max(self.app.size.height, MIN_PAGE_ROWS)

    def _request_page(self, request: PageRequest, offset: int, cursor: CursorAt) -> None:
        keep_key = None
        if cursor == "keep" and self.current_row is not None:
            keep_key = self.row_key_of(self.current_row)
        self._fetch(self._generation, request, self.page_rows, offset, cursor, keep_key)

    @in_thread("page")
    def _fetch(
        self,
        generation: int,
        request: PageRequest,
        limit: int,
        offset: int,
        cursor: CursorAt,
        keep_key: int | str | None,
    ) -> None:
        assert self._fetch_page is not None
        try:
            page = self._fetch_page(request, limit)
        except Exception as error:  # shown to the user; the table keeps its rows
            deliver(self, self._failed, generation, error)
            return
        deliver(
            self, self._show, generation, request, page, offset, cursor, keep_key
        )

    @in_thread("count")
    def _count(self, generation: int) -> None:
        assert self._fetch_count is not None
        try:
            total = self._fetch_count()
        except Exception as error:
            deliver(self, self._failed, generation, error)
            return
        deliver(self, self._counted, generation, total)

    def _failed(self, generation: int, error: Exception) -> None:
        if generation == self._generation:
            self.loading = False
            self.post_message(self.LoadFailed(self, error))

    def _counted(self, generation: int, total: int) -> None:
        if generation != self._generation:
            return
        self.total = total
        if self._request.at_end:
            self.first_index = max(total - len(self.rows_on_page), 0)
        self.post_message(self.Loaded(self))

    def _show(
        self,
        generation: int,
        request: PageRequest,
        page: Page[RowT],
        offset: int,
        cursor: CursorAt,
        keep_key: int | str | None,
    ) -> None:
        if generation != self._generation:
            return  # a newer search or filter superseded this answer
        if request.at_end and self.total is not None:
            offset = max(self.total - len(page.rows), 0)
        if page.offset is not None:
            offset = page.offset
        self._request, self.page, self.first_index = request, page, offset
        self.rows_on_page = list(page.rows)
        self.loading = False
        if self._focus_pending:
            self._focus_pending = False
            if self._still_wanted_focus():
                self.focus()
        self._rebuild()
        if cursor == "bottom":
            self.move_cursor(row=len(self.rows_on_page) - 1)
        elif cursor == "top":
            self.move_cursor(row=0)
        elif keep_key is not None:
            keys = [self.row_key_of(r) for r in self.rows_on_page]
            if keep_key in keys:
                self.move_cursor(row=keys.index(keep_key))
        self.post_message(self.Loaded(self))

    def _next_page(self) -> bool:
        if self.page is None or not self.page.has_after or self.page.last is None:
            return False
        self._request_page(
            PageRequest(after=self.page.last), self.first_index + len(self.rows_on_page), "top"
        )
        return True

    def _previous_page(self) -> bool:
        if self.page is None or not self.page.has_before or self.page.first is None:
            return False
        offset = max(self.first_index - self.page_rows, 0)
        self._request_page(PageRequest(before=self.page.first), offset, "bottom")
        return True

    def _at_last_row(self) -> bool:
        return self.cursor_row >= len(self.rows_on_page) - 1

    def action_cursor_down(self) -> None:
        if not (self._at_last_row() and self._next_page()):
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if not (self.cursor_row <= 0 and self._previous_page()):
            super().action_cursor_up()

    def action_page_down(self) -> None:
        if not (self._at_last_row() and self._next_page()):
            super().action_page_down()

    def action_page_up(self) -> None:
        if not (self.cursor_row <= 0 and self._previous_page()):
            super().action_page_up()

    def action_first_page(self) -> None:
        if self.page is not None and self.page.has_before:
            self._request_page(PageRequest(), 0, "top")
        else:
            self.move_cursor(row=0)

    def action_last_page(self) -> None:
        if self.page is not None and self.page.has_after:
            self._request_page(PageRequest(at_end=True), self.first_index, "bottom")
        else:
            self.move_cursor(row=len(self.rows_on_page) - 1)

    # -- layout --------------------------------------------------------------------------

    def _signature(self, layout: list[tuple[Column[RowT], int]]) -> list[tuple[str, int, str]]:
        return [(c.key, w, self.header_label(c)) for c, w in layout]

    def _layout(self) -> list[tuple[Column[RowT], int]]:
        """Visible columns and their widths for the current table width."""
        width = self.size.width or 80
        shown = [c for c in self.all_columns
                 if width >= c.min_table_width and c.detail != "only"]
        padding = 2 * self.cell_padding * len(shown)
        # A fixed column is at least as wide as its header, so a sort arrow added to it
        # ("Contacts ▼") shows whole rather than as "Contact…".
        widths = {c.key: max(c.width, cell_len(self.header_label(c)))
                  for c in shown if c.width is not None}
        flexible = [c for c in shown if c.width is None]
        spare = max(width - 2 - padding - sum(widths.values()),  # 2: the scrollbar
                    8 * len(flexible))
        share = spare // max(len(flexible), 1)
        return [(c, widths.get(c.key, share)) for c in shown]

    def _rebuild(self) -> None:
        layout = self._layout()
        signature = self._signature(layout)
        cursor = self.cursor_row
        self.clear(columns=signature != self._shown_columns)
        if signature != self._shown_columns:
            for (column, width), (_, _, label) in zip(layout, signature, strict=True):
                self.add_column(_one_line(Text(label), column.justify), width=width,
                                key=column.key)
            self._shown_columns = signature
        for row in self.rows_on_page:
            self.add_row(
                *(self._cell(c, row) for c, _ in layout), key=str(self.row_key_of(row))
            )
        if self.rows_on_page:
            self.move_cursor(row=min(cursor, len(self.rows_on_page) - 1), animate=False)
        self._show_detail()

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """DataTable measures every cell of the rows just added (Rich measures each Text),
        to size its auto-width columns; a PagedTable gives every column its width
        (`_layout`) and every row one line, so the measures would go unused: a third of
        the time from a page's arrival to its drawing (issue 17 §5). The rest (the table's
        virtual size, the refresh) is DataTable's own. Textual is pinned (pyproject.toml):
        this private method is checked against each new version."""
        super()._update_dimensions(())

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        """A body cell of one line of text, drawn by `one_line_cell` rather than through
        Rich's layers: the same segments, in a fraction of the time; a page turn draws
        every visible cell afresh (issue 17 §5). Headers, and any cell `one_line_cell`
        can't draw, DataTable draws itself. The cache and its key are DataTable's, so a
        cell is drawn again exactly when DataTable would. Textual is pinned
        (pyproject.toml): this private method is checked against each new version."""
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        row = self.rows.get(row_key) if row_key is not None else None
        if (row is None or row_key is None or column_key is None or row.height != 1
                or self.fixed_rows or self.fixed_columns):
            return super()._render_cell(row_index, column_index, base_style, width,
                                        cursor, hover)
        cache_key: CellCacheKey = (
            row_key, column_key, base_style, cursor, hover, self._show_hover_cursor,
            self._update_count, self._pseudo_class_state,
        )
        cached = self._cell_render_cache.get(cache_key)
        if cached is not None:
            return cached
        cell = self._get_row_renderables(row_index).cells[column_index]
        line = None
        if isinstance(cell, Text):
            component_style, post_style = self._get_styles_to_render_cell(
                False, False, False, hover, cursor, self.show_cursor,
                self._show_hover_cursor, self.cursor_foreground_priority == "css",
                self.cursor_background_priority == "css",
            )
            pre_style = (base_style + Style.from_meta({"row": row_index, "column": column_index})
                         + component_style)
            # (Textual's console options say neither justify nor overflow: the cell's own.)
            line = one_line_cell(self.app.console, cell, width, self.cell_padding, pre_style,
                                 post_style)
        if line is None:
            return super()._render_cell(row_index, column_index, base_style, width,
                                        cursor, hover)
        self._cell_render_cache[cache_key] = [line]
        return [line]

    @staticmethod
    def _cell(column: Column[RowT], row: RowT) -> RenderableType:
        rendered = column.render(row)
        return _one_line(rendered, column.justify) if isinstance(rendered, Text) else rendered

    # -- the detail line and the empty list ----------------------------------------------

    def detail_columns(self) -> list[Column[RowT]]:
        """The columns whose values the detail line shows at the table's current width."""
        shown = {column.key for column, _ in self._layout()}
        return [c for c in self.all_columns
                if c.detail in ("always", "only")
                or (c.detail == "collapsed" and c.key not in shown)]

    def detail_fields(self, row: RowT) -> list[Text]:
        """"Label: value" for each of `detail_columns()` with a value, in column order."""
        fields = []
        for column in self.detail_columns():
            value = column.render(row)
            text = value.copy() if isinstance(value, Text) else Text(str(value))
            if not text.plain.strip():
                continue
            label = self.header_label(column).strip()
            if label:
                text = Text.assemble((f"{label}: ", "bold"), text)
            fields.append(text)
        return fields

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

    async def _on_click(self, event: Click) -> None:
        # Textual calls _on_click of every class in the MRO; prevent_default() keeps
        # DataTable's own handler from also selecting the row.
        meta = event.style.meta
        row, column = meta.get("row", -1), meta.get("column", -1)
        shown = self._layout()
        if 0 <= row < len(self.rows_on_page) and 0 <= column < len(shown) and shown[column][0].menu:
            event.prevent_default()
            event.stop()
            self.move_cursor(row=row)
            self.post_message(self.MenuRequested(self, self.rows_on_page[row]))

    def on_resize(self, event: Resize) -> None:
        if self._signature(self._layout()) != self._shown_columns:
            self._rebuild()
        # A terminal grown taller than the page: the page is fetched again, longer, from
        # the same first row, the cursor on the same row, rather than leave blank lines.
        # (Not a page fetched backwards, `before` a row: a longer one would start earlier.)
        if (self.page is not None and self.page.has_after and self._request.before is None
                and not self.loading and len(self.rows_on_page) < self.page_rows):
            self._request_page(self._request, self.first_index, "keep")


def _one_line(rendered: Text, justify: Literal["left", "right"]) -> Text:
    """A cell's text on its one line: too long for the column, it ends in "…" (a Text
    left as it is would be cropped with no sign that something is missing)."""
    text = rendered.copy()
    text.no_wrap = True
    text.overflow = "ellipsis"
    if justify == "right":
        text.justify = "right"
    return text
