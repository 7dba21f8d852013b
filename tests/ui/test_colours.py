"""U15.4-U15.5: what the user sees at `--color 16`, and on the highlighted row.

The screen is taken as Textual hands it to the terminal (after its filters) and each
colour downgraded as Rich does for a 16-colour terminal (`segtui --color 16` sets
TEXTUAL_COLOR_SYSTEM=standard), then read in Rich's standard palette.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from rich._palettes import STANDARD_PALETTE
from rich.color import Color, ColorSystem
from rich.segment import Segment
from textual.pilot import Pilot
from textual.widgets import DataTable

from segtui.data.store import Store
from segtui.widgets.contrast import TEXT, contrast
from segtui.widgets.palette import DARK, LIGHT
from segtui.widgets.themes import THEMES
from tests.ui.conftest import make_app, screen_lines, settle

# The ANSI colours (0-15) each badge must land on at 16 colours: the specification's hue
# (R7.1, R7.4, R7.6), normal or bright.
GREEN, RED, YELLOW, BLUE, CYAN, GREY = {2, 10}, {1, 9}, {3, 11}, {4, 12}, {6, 14}, {0, 7, 8, 15}
BADGE_ANSI = {"Active": GREEN, "Inactive": RED, "Draft": YELLOW,  # segments
              "Paused": YELLOW, "Completed": GREY,  # campaigns
              "Hot Lead": RED, "Qualified": GREEN, "Customer": BLUE, "Nurturing": YELLOW,
              "New": CYAN, "Cold": GREY}  # leads
READS_AS_ERROR = {1, 9, 5, 13}  # red and magenta
THEME_NAMES = [DARK.name, LIGHT.name]


@dataclass(frozen=True)
class Cell:
    """A run of text and the ANSI colours (0-15) a 16-colour terminal shows it in."""

    text: str
    fg: int
    bg: int

    @property
    def contrast(self) -> float:
        return contrast(tuple(STANDARD_PALETTE[self.fg]),  # type: ignore[arg-type]
                        tuple(STANDARD_PALETTE[self.bg]))  # type: ignore[arg-type]


def _ansi(color: Color | None) -> int:
    assert color is not None  # Textual paints every cell's colours
    number = color.downgrade(ColorSystem.STANDARD).number
    assert number is not None
    return number


def cells_16(line: list[Segment], start: int = 0, end: int | None = None) -> list[Cell]:
    """The line's runs of text (not blanks) between columns start and end, at 16
    colours."""
    cells, x = [], 0
    for text, style, _ in line:
        inside = start <= x and (end is None or x + len(text) <= end)
        if inside and style is not None and text.strip():
            cells.append(Cell(text, _ansi(style.color), _ansi(style.bgcolor)))
        x += len(text)
    return cells


def badges(lines: list[list[Segment]]) -> list[Cell]:
    return [cell for line in lines for cell in cells_16(line)
            if cell.text.startswith(" ") and cell.text.strip() in BADGE_ANSI]


def table_lines(app: Any, selector: str) -> list[list[Segment]]:
    """The screen's lines the table covers (the key bar's "n New" is not a New badge)."""
    region = app.screen.query_one(selector).region
    return screen_lines(app)[region.y:region.bottom]


def assert_badges_hold(found: list[Cell]) -> None:
    for cell in found:
        assert cell.bg in BADGE_ANSI[cell.text.strip()], cell
        assert cell.contrast >= TEXT, cell


def highlighted_row(app: Any, table: DataTable[Any]) -> list[Cell]:
    """The table's highlighted row as shown at 16 colours, badges included."""
    y = table.region.y + table.header_height + table.cursor_row - round(table.scroll_y)
    region = table.region
    return cells_16(screen_lines(app)[y], region.x, region.right)


async def _open_app(pilot: Pilot[Any], theme: str) -> None:
    pilot.app.theme = theme
    await settle(pilot)


@pytest.mark.parametrize("theme", THEME_NAMES)
async def test_dashboard_badges_and_highlighted_row_at_16_colours(
        sqlite_demo_store: Store, theme: str) -> None:
    """Active green, Inactive red, Draft yellow at 16 colours (they were bright green,
    magenta and bright red), each >= 4.5:1, on the highlighted row too (white on green
    was 1.3:1)."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_app(pilot, theme)
        found = badges(table_lines(app, "#segments"))
        assert {c.text.strip() for c in found} == {"Active", "Inactive", "Draft"}
        assert_badges_hold(found)

        table = app.screen.query_one("#segments", DataTable)
        table.focus()
        for _ in range(len(found)):  # every row highlighted in turn, badges and all
            await settle(pilot)
            row = highlighted_row(app, table)
            assert row and all(cell.contrast >= TEXT for cell in row), row
            assert_badges_hold([c for c in row if c.text.strip() in BADGE_ANSI])
            plain = [c for c in row if c.text.strip() not in BADGE_ANSI]
            cursor = app.theme_variables["block-cursor-background"]
            assert {c.bg for c in plain} == {_ansi(Color.parse(cursor))}
            await pilot.press("down")


@pytest.mark.parametrize("theme", THEME_NAMES)
async def test_lead_and_campaign_badges_at_16_colours(sqlite_demo_store: Store,
                                                      theme: str) -> None:
    """The Contacts tab's lead badges (Nurturing was bright red) and the Performance tab's
    campaign badges (Paused) and health bar (Inactive orange, Unsubscribed red)."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_app(pilot, theme)
        await pilot.press("enter")
        await settle(pilot)
        leads = badges(table_lines(app, "#members"))
        assert {c.text.strip() for c in leads} >= {"Nurturing", "Customer"}
        assert_badges_hold(leads)
        members = app.screen.query_one("#members", DataTable)
        members.focus()
        await settle(pilot)
        assert all(cell.contrast >= TEXT for cell in highlighted_row(app, members))

        await pilot.press("2")
        await settle(pilot)
        lines = screen_lines(app)
        campaigns = badges(lines)
        assert campaigns
        assert_badges_hold(campaigns)
        legend = next(line for line in lines  # the health bar's legend, not a chart's
                      if "Unsubscribed" in "".join(s.text for s in line)
                      and "■" in "".join(s.text for s in line))
        squares = [c.fg for c in cells_16(legend) if c.text == "■ "]
        assert len(squares) == 3
        active, inactive, unsubscribed = squares
        assert active in {2, 10} and inactive == 3 and unsubscribed in {1, 9}


@pytest.mark.parametrize("theme", THEME_NAMES)
async def test_section_headings_do_not_read_as_errors(sqlite_demo_store: Store,
                                                      theme: str) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_app(pilot, theme)
        await pilot.press("enter", "2")
        await settle(pilot)
        heading = next(line for line in screen_lines(app)
                       if "Campaign Performance" in "".join(s.text for s in line))
        cell = next(c for c in cells_16(heading) if "Campaign Performance" in c.text)
        assert cell.fg not in READS_AS_ERROR
        assert cell.contrast >= TEXT


def test_only_segtui_themes(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    assert app.theme == DARK.name
    assert set(app.available_themes) == set(THEMES)


async def test_a_theme_switch_redraws_colours_picked_in_python(sqlite_demo_store: Store) -> None:
    """The health bar's colours come from the theme's palette; after ctrl+p → theme they
    are the new theme's (dark green on white would be 1.6:1)."""

    def legend_colours() -> list[str]:
        legend = next(line for line in screen_lines(app)
                      if "Unsubscribed" in "".join(s.text for s in line)
                      and "■" in "".join(s.text for s in line))
        return [s.style.color.get_truecolor().hex for s in legend
                if s.text == "■ " and s.style is not None and s.style.color is not None]

    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "2")
        await settle(pilot)
        for theme in (DARK, LIGHT):
            app.theme = theme.name
            await settle(pilot)
            assert legend_colours() == [theme.health_active.hex, theme.health_inactive.hex,
                                        theme.health_unsubscribed.hex]
