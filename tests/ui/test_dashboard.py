"""The Segments dashboard driven from the keyboard (R7.1; AC1, AC6, AC7, AC17,
AC18). Each test reads what the user sees and, for exports, what lands on disk."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import Button, Input, Label, OptionList, Select, Static

from segtui.core.records import SegmentSortColumn
from segtui.data.store import Store
from segtui.screens.dashboard import COLUMNS, DashboardScreen
from segtui.screens.detail.screen import SegmentDetailScreen
from segtui.screens.modals.choice_picker import ChoicePicker
from segtui.screens.modals.help import HelpScreen
from segtui.screens.modals.row_menu import RowMenu
from segtui.widgets.metric_card import MetricCard
from segtui.widgets.paged_table import PagedTable
from segtui.widgets.palette import Hue, badge_style
from tests.factories import add_many_segments, add_segment
from tests.ui.conftest import make_app, screen_text, segment_ids, settle


def shown_names(app: object) -> list[str]:
    table = app.screen.query_one(PagedTable)  # type: ignore[attr-defined]
    return [row.name for row in table.rows_on_page]


def cell_text(app: object, row: int, column: int) -> str:
    table = app.screen.query_one(PagedTable)  # type: ignore[attr-defined]
    cell = table.get_row_at(row)[column]
    return cell.plain if isinstance(cell, Text) else str(cell)


def status_line(app: object) -> str:
    label = app.screen.query_one("#list-status", Label)  # type: ignore[attr-defined]
    return str(label.render())


async def test_cards_show_demo_figures(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        values = {card.id: card.value for card in app.screen.query(MetricCard)}
        assert values == {
            "card-total-segments": "4",
            "card-total-contacts": "255",
            "card-active-segments": "2",
            "card-avg-size": "64",
            "card-unsubscribed": "12",
        }
        assert shown_names(app) == ["Enterprise Prospects", "Inactive Subscribers",
                                    "Marketing Engagers", "Product Trial Users"]
        assert "4 segments" in status_line(app)


async def test_table_columns_and_badges(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(PagedTable)
        headers = [str(c.label) for c in table.columns.values()]
        assert headers == ["Name ▲", "Description", "Status", "Contacts", "Campaigns",
                           "Last Modified", "⋯"]
        assert [cell_text(app, 0, i) for i in range(7)] == [
            "Enterprise Prospects", "High-value enterprise leads for Q1 2024", " Active ",
            "45", "3", "20/01/2024", "⋯",
        ]
        inactive, draft, active = (table.get_row_at(i)[2] for i in (1, 3, 0))
        assert isinstance(inactive, Text) and inactive.style == badge_style(Hue.RED)
        assert isinstance(draft, Text) and draft.style == badge_style(Hue.YELLOW)
        assert isinstance(active, Text) and active.style == badge_style(Hue.GREEN)


async def test_narrow_terminal_moves_description_below(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(PagedTable)
        assert "Description" not in [str(c.label) for c in table.columns.values()]
        preview = app.screen.query_one("#description-preview", Static)
        assert "High-value enterprise leads" in str(preview.render())
        await pilot.press("down")
        assert "haven't opened emails" in str(preview.render())


async def test_search_as_you_type(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert app.focused is app.screen.query_one("#search", Input)
        await pilot.press(*"techcorp")  # a member's company (R7.1)
        await settle(pilot)
        assert shown_names(app) == ["Enterprise Prospects"]
        assert status_line(app).startswith("1 segment · ")  # U15.13: not "1 segments"
        await pilot.press(*["backspace"] * 8, *"trial")
        await settle(pilot)
        assert shown_names(app) == ["Product Trial Users"]
        await pilot.press("enter")  # back to the list
        assert isinstance(app.focused, PagedTable)
        await pilot.press("c")  # clear everything
        await settle(pilot)
        assert len(shown_names(app)) == 4
        assert app.screen.query_one("#search", Input).value == ""


async def test_search_with_no_match_says_so(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"nothing like this")
        await settle(pilot)
        assert shown_names(app) == []
        assert "No segments match" in status_line(app)


async def test_status_filter_from_keyboard(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        select = app.screen.query_one("#status-filter", Select)
        assert app.focused is select
        await pilot.press("enter", "down", "enter")  # All Statuses -> Active
        await settle(pilot)
        assert select.value == "Active"
        assert shown_names(app) == ["Enterprise Prospects", "Marketing Engagers"]
        assert "status Active" in status_line(app)


async def test_city_state_and_company_pickers_combine(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f", "tab")  # status select -> city button
        assert app.focused is app.screen.query_one("#city-filter", Button)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ChoicePicker)
        await pilot.press(*"san fran")
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        assert options.get_option_at_index(0).prompt.plain == "San Francisco"  # type: ignore[union-attr]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        # Many segments have members in San Francisco; add the state filter: only Michael
        # Chen's "San Francisco, FL" (R8) remains.
        await pilot.press("tab")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"FL", "enter")
        await settle(pilot)
        assert shown_names(app) == ["Product Trial Users"]
        assert "city San Francisco, state FL" in status_line(app)
        # Company picker narrows to nothing: TechCorp has no member in San Francisco, FL.
        await pilot.press("tab", "enter")
        await settle(pilot)
        await pilot.press(*"techcorp")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert shown_names(app) == []
        # "All companies" is the first choice when the search is empty.
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert shown_names(app) == ["Product Trial Users"]
        await pilot.press("tab", "enter")  # Clear
        await settle(pilot)
        assert len(shown_names(app)) == 4
        assert app.screen.query_one("#city-filter", Button).label.plain == "All cities"  # type: ignore[union-attr]


async def test_picker_escape_changes_nothing(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f", "tab", "enter")
        await settle(pilot)
        await pilot.press(*"boston", "escape")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert len(shown_names(app)) == 4


async def test_sort_from_keyboard(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s", "s", "s")  # name -> description -> status -> contacts
        await settle(pilot)
        assert shown_names(app) == ["Marketing Engagers", "Enterprise Prospects",
                                    "Product Trial Users", "Inactive Subscribers"]
        assert "sorted by Contacts ▲" in status_line(app)
        await pilot.press("S")
        await settle(pilot)
        assert shown_names(app)[0] == "Inactive Subscribers"
        table = app.screen.query_one(PagedTable)
        assert "Contacts ▼" in [str(c.label) for c in table.columns.values()]
        await pilot.press("s", "S")  # campaigns, descending
        await settle(pilot)
        assert shown_names(app)[0] == "Enterprise Prospects"
        await pilot.press("s")  # last modified ascending
        await settle(pilot)
        assert shown_names(app) == ["Inactive Subscribers", "Enterprise Prospects",
                                    "Marketing Engagers", "Product Trial Users"]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_s_sorts_by_each_shown_column_with_its_arrow(
        sqlite_demo_store: Store, size: tuple[int, int]) -> None:
    """U15.11: `s` steps through the columns shown, never one the terminal is too
    narrow for (at 80x24 the first `s` sorted by the hidden Description), and the sorted
    column's header shows ▲/▼ as the status line says (numeric columns lost the arrow)."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        table = app.screen.query_one(PagedTable)
        shown = [str(key.value) for key in table.columns]
        sortable = [key for key in shown if key in {c.value for c in SegmentSortColumn}]
        assert ("description" in sortable) == (size[0] >= 100)
        visited = []
        for _ in sortable:
            await pilot.press("s")
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)
            key = app.screen.sort.column.value
            visited.append(key)
            label = next(c.label for c in COLUMNS if c.key == key)
            for press, arrow in (("", "▲"), ("S", "▼")):
                if press:
                    await pilot.press(press)
                    await settle(pilot)
                header = next(line for line in screen_text(app)
                              if "Name" in line and "Status" in line)
                assert f"{label} {arrow}" in header, (header, key)
                assert f"sorted by {label} {arrow}" in status_line(app)
                assert header.count("▲") + header.count("▼") == 1
        assert visited == sortable[1:] + sortable[:1]  # every shown column, then Name again


async def test_header_click_sorts(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(PagedTable)
        x = sum(c.get_render_width(table) for c in list(table.columns.values())[:3]) + 2
        await pilot.click(PagedTable, offset=(x, 0))  # "Contacts" header
        await settle(pilot)
        assert shown_names(app)[0] == "Marketing Engagers"
        await pilot.click(PagedTable, offset=(x, 0))
        await settle(pilot)
        assert shown_names(app)[0] == "Inactive Subscribers"


async def test_export_writes_visible_rows(
    sqlite_demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    add_segment(sqlite_demo_store, "Formula Risk", description="=HYPERLINK(\"http://x\")")
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f", "enter", "down", "enter")  # Active only
        await settle(pilot)
        await pilot.press("escape")
        app.screen.query_one(PagedTable).focus()
        await pilot.press("x")
        await settle(pilot)
        path = tmp_path / "segments_export_2024-02-26.csv"
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        assert rows == [
            ["Name", "Description", "Status", "Contact Count", "Campaign Count",
             "Last Modified"],
            ["Enterprise Prospects", "High-value enterprise leads for Q1 2024", "Active", "45",
             "3", "20/01/2024"],
            ["Formula Risk", "'=HYPERLINK(\"http://x\")", "Active", "0", "0", "01/01/2024"],
            ["Marketing Engagers", "Contacts who actively engage with marketing content",
             "Active", "28", "1", "05/02/2024"],
        ]
        messages = [n.message for n in app._notifications]
        assert any(str(path) in m and "Exported 3 segments" in m for m in messages)
        # A second export the same day never overwrites the first.
        await pilot.press("x")
        await settle(pilot)
        assert (tmp_path / "segments_export_2024-02-26-2.csv").exists()


async def test_export_failure_is_reported(
    sqlite_demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "gone"
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        screen.export_csv(missing)
        await settle(pilot)
        assert any("Export failed" in n.message for n in app._notifications)


async def test_paging_through_many_segments(sqlite_demo_store: Store) -> None:
    add_many_segments(sqlite_demo_store, 246)  # 250 in all: pages of 24 at 80x24
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(PagedTable)
        # A page is as many rows as the terminal has lines (P5): more than the
        # table shows, never the whole list.
        assert len(table.rows_on_page) == table.page_rows == 24
        assert table.size.height - 1 < 24  # the rows the table shows, under its header
        assert "1–24 of 250" in status_line(app)
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert "227–250 of 250" in status_line(app)
        assert table.current_row is not None and table.current_row.name == "Product Trial Users"
        await pilot.press("ctrl+home")
        await settle(pilot)
        assert table.cursor_row == 0 and "1–24 of 250" in status_line(app)
        await pilot.press("pagedown")  # within the page: a screen down, no fetch
        await settle(pilot)
        assert "1–24 of 250" in status_line(app) and 0 < table.cursor_row < 23
        table.move_cursor(row=23)
        await pilot.press("down")  # past the last row: the next page
        await settle(pilot)
        assert "25–48 of 250" in status_line(app) and table.cursor_row == 0
        first_of_page_two = table.current_row
        await pilot.press("up")  # before the first row: back again
        await settle(pilot)
        assert "1–24 of 250" in status_line(app) and table.cursor_row == 23
        await pilot.press("down")
        await settle(pilot)
        assert table.current_row == first_of_page_two
        await pilot.press("pagedown", "pagedown")  # to the page's last row, then over it
        await settle(pilot)
        assert table.cursor_row == 23
        await pilot.press("pagedown")
        await settle(pilot)
        assert "49–72 of 250" in status_line(app) and table.cursor_row == 0
        await pilot.press("pageup")  # on the first row: the page before, on its last row
        await settle(pilot)
        assert "25–48 of 250" in status_line(app) and table.cursor_row == 23


async def test_a_page_fills_a_taller_terminal(sqlite_demo_store: Store) -> None:
    """Pages follow the terminal's height: one grown taller than the page shown fetches
    that page again, longer, from the same row, the cursor staying on its segment."""
    add_many_segments(sqlite_demo_store, 246)
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(PagedTable)
        assert len(table.rows_on_page) == 40 and "1–40 of 250" in status_line(app)
        table.move_cursor(row=39)
        await pilot.press("down")
        await settle(pilot)
        await pilot.press("down", "down")
        await settle(pilot)
        highlighted = table.current_row
        assert "41–80 of 250" in status_line(app) and table.cursor_row == 2
        await pilot.resize_terminal(120, 60)
        await settle(pilot)
        assert "41–100 of 250" in status_line(app)
        assert table.current_row == highlighted and table.cursor_row == 2
        await pilot.resize_terminal(120, 30)  # smaller: the page is kept as it is
        await settle(pilot)
        assert "41–100 of 250" in status_line(app) and table.current_row == highlighted


async def test_hostile_text_is_shown_literally(sqlite_demo_store: Store) -> None:
    add_segment(sqlite_demo_store, "[bold red]Boom[/] \x1b[31mX",
                description="[link=http://evil]click[/link] 🎉" + "y" * 10_000)
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert cell_text(app, 0, 0) == "[bold red]Boom[/] ␛[31mX"
        assert cell_text(app, 0, 1).startswith("[link=http://evil]click[/link] 🎉")
        await pilot.press("m")
        assert isinstance(app.screen, RowMenu)
        title = app.screen.query_one(".modal-title", Label)
        assert "[bold red]Boom[/]" in str(title.render())


async def test_row_menu_opens_view_edit_delete(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        assert isinstance(app.screen, RowMenu)
        await pilot.press("down", "enter")  # Edit
        await settle(pilot)
        assert type(app.screen).__name__ == "EditSegmentModal"
        await pilot.press("escape", "m", "down", "down", "down", "enter")  # Delete
        await settle(pilot)
        assert type(app.screen).__name__ == "DeleteSegmentModal"
        await pilot.press("escape", "m", "enter")  # View opens the detail screen
        await settle(pilot)
        assert isinstance(app.screen, SegmentDetailScreen)
        assert app.screen.segment_name == "Enterprise Prospects"
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_duplicate_copies_a_static_segment_with_its_members(
        sqlite_demo_store: Store) -> None:
    """D1.4: duplicate (clone) from the row menu or `y`: a Draft named "... Copy" with
    the same members, description and tags; a copy of the copy is "... Copy 2"."""
    store = sqlite_demo_store
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("m", "down", "down", "enter")  # Duplicate
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
    ids = segment_ids(store)
    original = store.segments.segment_details(ids["Enterprise Prospects"])
    copy = store.segments.segment_details(ids["Enterprise Prospects Copy"])
    assert original is not None and copy is not None
    assert "Enterprise Prospects Copy 2" in ids
    assert copy.members == original.members == 45
    assert (copy.description, copy.tags) == (original.description, original.tags)
    assert copy.status.value == "Draft" and copy.rule is None


async def test_menu_cell_click_opens_menu(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(PagedTable)
        x = sum(c.get_render_width(table) for c in table.columns.values()) - 2
        await pilot.click(PagedTable, offset=(x, 2))  # second row's ⋯
        assert isinstance(app.screen, RowMenu)
        assert app.screen.segment_name == "Inactive Subscribers"


async def test_help_lists_dashboard_keys(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        described = {d for _, d in app.screen.keys}
        for words in ("New", "Search", "Filters", "Edit", "Delete", "Sort", "Export",
                      "Refresh", "Quit", "Menu", "Clear filters"):
            assert words in described
        # What each card counts: "Total Contacts" is the contacts in segments, not all.
        assert "Total Contacts: distinct contacts that are a current member" in \
            app.screen.intro
        assert all(card in app.screen.intro for card in (
            "Total Segments:", "Active Segments:", "Avg. Segment Size:", "Unsubscribed:"))
        await pilot.press("escape")
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)


async def test_command_palette_runs_actions(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"filters")
        await settle(pilot)  # the palette's search is a worker: every hit is in
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#filters").display


async def test_refresh_shows_changes_made_elsewhere(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        add_segment(sqlite_demo_store, "Another Team Segment")  # another user, same db
        await pilot.press("r")
        await settle(pilot)
        assert "Another Team Segment" in shown_names(app)
        card = app.screen.query_one("#card-total-segments", MetricCard)
        assert card.value == "5"


async def test_escape_leaves_search_then_q_quits(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"te", "escape")
        assert isinstance(app.focused, PagedTable)
        assert app.screen.query_one("#search", Input).value == "te"  # nothing lost
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_a_new_or_duplicated_segment_never_hides_the_others(
        sqlite_demo_store: Store) -> None:
    """U15.3: after `n` (a name, ctrl+s) the list showed "4–5 of 5" with two rows
    and blank lines below; after `y`, "2–5 of 5". The whole list stays visible when it
    fits, with the cursor on the new segment; `r` keeps it so."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"Nurture Wave", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert shown_names(app) == ["Enterprise Prospects", "Inactive Subscribers",
                                    "Marketing Engagers", "Nurture Wave",
                                    "Product Trial Users"]
        table = app.screen.query_one(PagedTable)
        assert table.current_row is not None and table.current_row.name == "Nurture Wave"
        assert status_line(app).startswith("5 segments")
        await pilot.press("y")  # duplicate "Nurture Wave"
        await settle(pilot)
        assert len(shown_names(app)) == 6 and status_line(app).startswith("6 segments")
        assert table.current_row is not None
        assert table.current_row.name == "Nurture Wave Copy"
        await pilot.press("r")
        await settle(pilot)
        assert len(shown_names(app)) == 6 and status_line(app).startswith("6 segments")
