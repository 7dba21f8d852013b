"""A DataTable that shows one keyset page of a long list at a time.

No widget ever holds every row (DESIGN.md, "Scale budgets"): the table holds one page (a
few hundred rows). Moving the cursor past the last row fetches the next page; past the first
row, the previous one; ctrl+home / ctrl+end jump to the first / last page. The total is a
separate COUNT, fetched in parallel, so the first rows appear without waiting for it.

The table is handed two callables (`fetch_page`, `fetch_count`) and runs them in thread
workers; it never sees SQL. Stale answers (the user typed again meanwhile) are dropped by
generation number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from rich.cells import cell_len
from rich.console import RenderableType
from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.events import Click, Resize
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable

from segtui.core.records import Keyset, Page
from segtui.widgets.workers import deliver

RowT = TypeVar("RowT")
CursorAt = Literal["top", "bottom", "keep"]


@dataclass(frozen=True)
class Column(Generic[RowT]):
    key: str
    label: str
    render: Callable[[RowT], RenderableType]
    width: int | None = None  # None: shares the width left over by fixed columns
    min_table_width: int = 0  # hidden when the table is narrower than this
    justify: Literal["left", "right"] = "left"
    menu: bool = False  # clicking this cell asks for the row's action menu
    sortable: bool = False  # the owner can sort the list by it (show_sort, next_sort_key)


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
        page_size: int = 200,
        id: str | None = None,
    ) -> None:
        # A cell's own colours win over the cursor's: a status badge keeps its text colour
        # on the highlighted row (the cursor's white on a green badge was 1.6:1).
        super().__init__(id=id, cursor_type="row", zebra_stripes=True,
                         cursor_foreground_priority="renderable")
        self.all_columns = list(columns)
        self.row_key_of = row_key
        self.page_size = page_size
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
            self._fetch(self._generation, PageRequest(starting_at=show), self.first_index,
                        "keep", show)
        else:
            self._fetch(self._generation, self._request, self.first_index, "keep", show)
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
                return

    def show_sort(self, key: str, descending: bool) -> None:
        """Put the sort arrow (▲ ascending, ▼ descending) in that column's header. The
        column widens to hold it when its width is fixed (Contacts is 8 wide for its 8
        letters: issue 15 §11 lost the arrow on every numeric column)."""
        self.sort_key, self.sort_descending = key, descending
        self._rebuild()

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

    def _request_page(self, request: PageRequest, offset: int, cursor: CursorAt) -> None:
        keep_key = None
        if cursor == "keep" and self.current_row is not None:
            keep_key = self.row_key_of(self.current_row)
        self._fetch(self._generation, request, offset, cursor, keep_key)

    @work(thread=True, exclusive=True, group="page", exit_on_error=False)
    def _fetch(
        self,
        generation: int,
        request: PageRequest,
        offset: int,
        cursor: CursorAt,
        keep_key: int | str | None,
    ) -> None:
        assert self._fetch_page is not None
        try:
            page = self._fetch_page(request, self.page_size)
        except Exception as error:  # shown to the user; the table keeps its rows
            deliver(self, self._failed, generation, error)
            return
        deliver(
            self, self._show, generation, request, page, offset, cursor, keep_key
        )

    @work(thread=True, exclusive=True, group="count", exit_on_error=False)
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
        offset = max(self.first_index - self.page_size, 0)
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
        shown = [c for c in self.all_columns if width >= c.min_table_width]
        padding = 2 * self.cell_padding * len(shown)
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
                self.add_column(Text(label, justify=column.justify), width=width, key=column.key)
            self._shown_columns = signature
        for row in self.rows_on_page:
            self.add_row(
                *(self._cell(c, row) for c, _ in layout), key=str(self.row_key_of(row))
            )
        if self.rows_on_page:
            self.move_cursor(row=min(cursor, len(self.rows_on_page) - 1), animate=False)

    @staticmethod
    def _cell(column: Column[RowT], row: RowT) -> RenderableType:
        rendered = column.render(row)
        if isinstance(rendered, Text) and column.justify == "right":
            rendered.justify = "right"
        return rendered

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
