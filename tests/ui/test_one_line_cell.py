"""P5: `one_line_cell` draws a one-line table cell straight to segments, and
PagedTable draws its body cells with it. What the user sees must not change: each case
is drawn both ways, Rich's layers (what DataTable does) and the straight path, and the
segments (text, style, the row/column meta clicks read) must be the same."""

from __future__ import annotations

from typing import Any

import pytest
from rich.console import Console
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.renderables.styled import Styled
from textual.widgets import DataTable

from segtui.core.records import Page
from segtui.widgets.column_table import one_line as _one_line
from segtui.widgets.one_line_cell import one_line_cell
from segtui.widgets.paged_table import Column, PagedTable, PageRequest

CONSOLE = Console(width=120, color_system="truecolor", legacy_windows=False)
PRE = Style(color="white", bgcolor="grey11") + Style.from_meta({"row": 3, "column": 1})
POST = Style(bgcolor="blue")


def rich_layers(text: Text, width: int, padding: int, pre: Style, post: Style
                ) -> list[Segment]:
    """DataTable._render_cell's drawing of a cell in a row one line high."""
    options = CONSOLE.options.update_dimensions(width, 1).update(no_wrap=True)
    lines = CONSOLE.render_lines(Styled(Padding(text, (0, padding)), pre, post), options)
    assert len(lines) == 1
    return lines[0]


def styled(*parts: tuple[str, str]) -> Text:
    return Text.assemble(*parts)


CASES: list[Text] = [
    Text("Enterprise Prospects"),
    Text(""),
    Text("a"),
    Text("exactly ten"),
    Text("A name far too long for the column it is given, to be cut"),
    Text("Bold all over", style="bold"),
    styled(("Hot", "bold red"), (" Lead", "italic")),
    styled(("● ", "green"), ("Active", "bold"), ("  padded  ", "")),
    Text("1,234,567", justify="right"),
    Text("12   ", justify="right"),
    Text("   leading and trailing   "),
    Text("Left justified", justify="left"),
    Text("cut, no ellipsis, far too long", overflow="crop"),
    Text("東京都 渋谷区 wide characters", overflow="ellipsis"),
    Text("東京都渋谷区", justify="right"),
    Text("Ünïcödé naïve café", style="underline"),
    styled(("span over the cut point, and beyond", "reverse")),
    Text("[bold]not markup[/]"),
]


@pytest.mark.parametrize("width", [3, 8, 11, 14, 40])
@pytest.mark.parametrize("padding", [0, 1, 2])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_same_segments_as_richs_layers(case: int, padding: int, width: int) -> None:
    text = CASES[case]
    for cell in (text, _one_line(text, "left"), _one_line(text, "right")):
        straight = one_line_cell(CONSOLE, cell, width, padding, PRE, POST)
        if width - 2 * padding < 1:
            assert straight is None  # no room: Rich's path, which draws blanks
            continue
        assert straight == rich_layers(cell, width, padding, PRE, POST)


def test_null_styles_and_no_padding() -> None:
    cell = _one_line(styled(("x", "bold"), ("yz", "")), "left")
    for pre, post in ((Style.null(), Style.null()), (Style(), Style()), (PRE, Style.null())):
        assert one_line_cell(CONSOLE, cell, 6, 0, pre, post) == rich_layers(cell, 6, 0, pre,
                                                                              post)


@pytest.mark.parametrize("text", [
    Text("two\nlines"), Text("a\ttab"), Text("centred", justify="center"),
    Text("full", justify="full"), Text("wraps", no_wrap=False),
    Text("ignore", overflow="ignore"), Text("end", end=" "),
])
def test_what_it_leaves_to_rich(text: Text) -> None:
    assert one_line_cell(CONSOLE, text, 20, 1, PRE, POST) is None


# -- in the table ------------------------------------------------------------------------

ROWS = [(i, f"Row {i:03d} {'long ' * (i % 5)}name", i * 1000) for i in range(40)]
COLUMNS: list[Column[tuple[int, str, int]]] = [
    Column("name", "Name", lambda r: Text(r[1], style="bold" if r[0] % 3 else "")),
    Column("count", "Count", lambda r: Text(f"{r[2]:,}"), width=9, justify="right"),
    Column("kind", "Kind", lambda r: styled(("● ", "green"), ("kind", "italic")), width=6),
    Column("plain", "Plain", lambda r: f"str {r[0]}", width=7),  # not a Text: Rich's path
]


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield PagedTable(COLUMNS, row_key=lambda r: r[0], page_size=40, id="t")

    def on_mount(self) -> None:
        def fetch(request: PageRequest, limit: int) -> Page[tuple[int, str, int]]:
            return Page(rows=tuple(ROWS[:limit]))

        self.query_one(PagedTable).load(fetch, lambda: len(ROWS))


async def test_table_cells_as_datatable_draws_them() -> None:
    """Every visible body cell, under the cursor, hovered and neither: PagedTable's
    drawing equals DataTable's own for the same cell."""
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table: PagedTable[Any] = app.query_one(PagedTable)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(table.rows_on_page) == 40
        table.focus()
        await pilot.press("down", "down")
        await pilot.pause()
        base = table.rich_style
        for row in range(20):
            for column, column_info in enumerate(table.ordered_columns):
                width = column_info.get_render_width(table)
                for cursor, hover in ((False, False), (True, False), (False, True)):
                    table._cell_render_cache.clear()
                    ours = table._render_cell(row, column, base, width, cursor, hover)
                    table._cell_render_cache.clear()
                    theirs = DataTable._render_cell(table, row, column, base, width, cursor,
                                                    hover)
                    assert ours == theirs, (row, column, cursor, hover)
