"""A DataTable that draws its one-line text cells itself (P5): the base of
PagedTable (widgets/paged_table.py).

A page turn draws every visible cell afresh, and DataTable draws each through Rich's
layers, after measuring every cell of the rows just added: together most of the time from
a page's arrival to its drawing. This table gives every column its width and every row one
line, so it skips the measures, and `one_line_cell` draws a text cell to the same segments
in a fraction of the time (tests/ui/test_one_line_cell.py compares the two). Textual is
pinned (pyproject.toml): the private methods overridden here are checked against each new
version.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import RenderableType
from rich.style import Style
from rich.text import Text
from textual._types import SegmentLines
from textual.widgets import DataTable
from textual.widgets._data_table import CellCacheKey
from textual.widgets.data_table import RowKey

from segtui.widgets.one_line_cell import one_line_cell


class FastCellTable(DataTable[RenderableType]):
    """A DataTable whose owner gives every column its width and every row one line."""

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """DataTable measures every cell of the rows just added (Rich measures each Text),
        to size its auto-width columns; here every column has its width and every row one
        line, so the measures would go unused: a third of the time from a page's arrival
        to its drawing (P5). The rest (the table's virtual size, the refresh) is
        DataTable's own."""
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
        Rich's layers: the same segments, in a fraction of the time. Headers, and any cell
        `one_line_cell` can't draw, DataTable draws itself. The cache and its key are
        DataTable's, so a cell is drawn again exactly when DataTable would."""
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
