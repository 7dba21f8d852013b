"""A table that shows one keyset page of a long list at a time.

No widget ever holds every row (A5): the table holds one page.
Moving the cursor past the last row fetches the next page; past the first row, the previous
one; ctrl+home / ctrl+end jump to the first / last page. A page is as many rows as the
terminal has lines (`page_rows`): more than the table can show, whatever is around it, and
no more, since every row fetched is a row of SQL and of table to build before the page
shows (P5: 100-row pages took 66-107 ms from key to shown at 120x40). A terminal
that grows taller than the page refills it. The total is a
separate COUNT, fetched in parallel, so the first rows appear without waiting for it.

The table is handed two callables (`fetch_page`, `fetch_count`) and runs them in thread
workers; it never sees SQL. Stale answers (the user typed again meanwhile) are dropped by
generation number.

What it shows and how (columns to the terminal's width, the detail line under it for the
columns a narrow terminal leaves out, what an empty list says, the sort arrow) is its
base's, ColumnTable (widgets/column_table.py); how fast it draws, FastCellTable's
(widgets/fast_table.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from textual.binding import Binding
from textual.events import Click, Resize
from textual.message import Message
from textual.widget import Widget

from segtui.core.records import Keyset, Page
from segtui.widgets.column_table import Column, ColumnTable, DetailMode
from segtui.widgets.workers import deliver, in_thread

# Column and DetailMode are the table's words too: its owners import them from here.
__all__ = ["Column", "CursorAt", "DetailMode", "PageRequest", "PagedTable", "RowWindow"]

RowT = TypeVar("RowT")
MIN_PAGE_ROWS = 10  # a page's rows on the smallest terminals
CursorAt = Literal["top", "bottom", "keep"]


@dataclass(frozen=True)
class PageRequest:
    after: Keyset | None = None
    before: Keyset | None = None
    at_end: bool = False
    starting_at: int | None = None  # the page that shows the row with this key


@dataclass(frozen=True)
class RowWindow:
    """Which part of the list the table shows: rows `first_index` to `first_index + shown`
    (0-based) of `total` (None while it is being counted)."""

    first_index: int
    shown: int
    total: int | None


class PagedTable(ColumnTable[RowT]):
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
        """A page or the total arrived: what the table now shows."""

        def __init__(self, table: PagedTable[Any], window: RowWindow) -> None:
            super().__init__(table)
            self.window = window

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
        super().__init__(columns, row_key, id=id)
        self.page_size = page_size  # None: as many rows as the terminal has lines
        self.page: Page[RowT] | None = None
        self.first_index = 0  # index of the page's first row in the whole list
        self.total: int | None = None
        self._request = PageRequest()
        self._fetch_page: Callable[[PageRequest, int], Page[RowT]] | None = None
        self._fetch_count: Callable[[], int] | None = None
        self._generation = 0
        self._focus_pending = False
        self._focused_at_request: Widget | None = None

    # -- what the owner calls ------------------------------------------------------------

    def focus_when_ready(self) -> None:
        """Focus now, or as soon as the first page is shown: Textual refuses the focus to a
        widget that is loading, and the first page may still be on its way. The late focus
        is given only if the user has not moved on meanwhile (U15.14: pressing 2
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

    def show_held(self, rows: Callable[[], Sequence[RowT]]) -> None:
        """Show a short list the screen already holds (users, tokens, a report's groups)
        whole, as one page; called again, show it anew with the cursor kept on its row
        (`reload`). The table still sizes its columns to the terminal."""
        if self._fetch_page is not None:
            self.reload()
            return
        self.load(lambda _request, _limit: Page(tuple(rows()), offset=0),
                  lambda: len(rows()))

    def reload(self, show: int | None = None) -> None:
        """Fetch the current page and the total again (after data changed). With `show`, the
        cursor goes to that row: on this page if it is here, else on the page it starts;
        without, it stays on its row if the row is still on the page (another user's
        change moved it), else on its line."""
        if self._fetch_page is None:
            return
        self._generation += 1
        if show is not None and show not in [self.row_key_of(r) for r in self.rows_on_page]:
            # The page showing that row (never one that hides the rows before it when the
            # whole list fits), the cursor on the row.
            self._fetch(self._generation, PageRequest(starting_at=show), self.page_rows,
                        self.first_index, "keep", show)
        else:
            keep = show if show is not None or self.current_row is None \
                else self.row_key_of(self.current_row)
            self._fetch(self._generation, self._request, self.page_rows, self.first_index,
                        "keep", keep)
        self._count(self._generation)

    @property
    def window(self) -> RowWindow:
        return RowWindow(self.first_index, len(self.rows_on_page), self.total)

    @property
    def is_empty(self) -> bool:
        """The list was fetched and holds no row."""
        return self.page is not None and not self.rows_on_page and not self.loading

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
        self.post_message(self.Loaded(self, self.window))

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
        self.post_message(self.Loaded(self, self.window))

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
        self._fit_columns()
        # A terminal grown taller than the page: the page is fetched again, longer, from
        # the same first row, the cursor on the same row, rather than leave blank lines.
        # (Not a page fetched backwards, `before` a row: a longer one would start earlier.)
        if (self.page is not None and self.page.has_after and self._request.before is None
                and not self.loading and len(self.rows_on_page) < self.page_rows):
            self._request_page(self._request, self.first_index, "keep")

