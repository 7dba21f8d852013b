"""The industry trends widget (C22.5.8) mounted alone, as the Discover screen will place
it (in a scrolling container): the chart's lines and gaps, the table's months that fit
and the note saying so, hostile industry names shown literally, the empty message, and
snapshots at 80x24 and 120x40 (baselines in snapshots/test_industry_trends_widget/;
regenerate with `--snapshot-update` and look at the SVGs).

The records are made from hand-written rows (core.industry_trends.industry_trends, as
the Store makes them): the widget reads no database."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from rich.console import Console
from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static
from textual_plotext import PlotextPlot

from segtui.core.industry_trends import IndustryTrends as Trends
from segtui.core.industry_trends import industry_trends, month_starts, period
from segtui.widgets.industry_trends import MARKERS, IndustryTrends, TrendCanvas, TrendTable
from segtui.widgets.themes import DEFAULT_THEME, THEMES
from tests.hostile import HOSTILE, shown
from tests.ui.conftest import SnapCompare

TODAY = date(2024, 2, 26)  # the demo's day
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
MONTHS = ["Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb"]
NAMES = ["Software", "Healthcare", "Financial Services", "Retail", "Media", "Energy",
         "Telecommunications", "Biotech", "Motors", "Foods"]


def trends_of(rows: list[tuple[str | None, int, int, int]], months: int = 12) -> Trends:
    starts = month_starts(TODAY, months)
    start, end = period(TODAY, months)
    return industry_trends(starts, start, end, rows)


def ten_industries() -> Trends:
    """Ten industries over twelve months, each with a month or two without a sale; the
    two smallest fold into "Other industries"."""
    rows: list[tuple[str | None, int, int, int]] = []
    for k, name in enumerate(NAMES):
        for month in range(12):
            if (month + k) % 7 == 3:
                continue  # a month without a transaction
            count = 5 + k + month
            rows.append((name, month, count, count * (500_000 - 45_000 * k + 4_000 * month)))
    return trends_of(rows)


class TrendsApp(App[None]):
    """The widget in a scrolling container, in the app's theme."""

    def __init__(self, trends: Trends | None = None) -> None:
        super().__init__()
        self.trends = trends

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield IndustryTrends(id="trends")

    def on_mount(self) -> None:
        for theme in THEMES.values():
            self.register_theme(theme)
        self.theme = DEFAULT_THEME
        if self.trends is not None:
            self.query_one(IndustryTrends).show(self.trends)


def plot_text(app: App[None]) -> str:
    canvas = app.query_one(PlotextPlot)
    text = canvas.render()
    assert isinstance(text, Text)
    return text.plain


def table_text(app: App[None]) -> str:
    table = app.query_one(TrendTable)
    console = Console(width=table.content_size.width, record=True, file=io.StringIO())
    console.print(table.render())
    return console.export_text()


def note_text(app: App[None]) -> str:
    note = app.query_one(".trends-note", Static).content
    assert isinstance(note, Text)
    return note.plain


async def test_the_table_shows_the_last_months_that_fit_and_says_so() -> None:
    """At 80 columns the table shows the last months that fit beside the names and the
    period's figures, and the note says how many; wide enough, all twelve."""
    app = TrendsApp(ten_industries())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(TrendTable)
        fit = table.months_that_fit()
        assert 1 <= fit < 12
        header = table_text(app).splitlines()[0].split()
        assert header == [*MONTHS[-fit:], "Sales", "Average", "Change"]
        assert note_text(app) == (
            "Top 8 industries by revenue; 2 more industries in “Other industries”. Table: "
            f"the last {fit} of 12 months (the chart: all). —: no sale that month.")
        assert all(len(line.rstrip()) <= table.content_size.width
                   for line in table_text(app).splitlines())
    wide = TrendsApp(ten_industries())
    async with wide.run_test(size=(200, 40)) as pilot:
        await pilot.pause()
        assert wide.query_one(TrendTable).months_that_fit() == 12
        assert "Table:" not in note_text(wide)


async def test_the_rows_and_the_figures() -> None:
    """A row per top industry (its line's marker first), then the fold and the total;
    an empty month is "—", not $0; the period's sales, average and change."""
    app = TrendsApp(trends_of([("Software", 10, 2, 300_001), ("Software", 11, 1, 100_000),
                               ("Retail", 11, 3, 30_000)]))
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.pause()
        lines = [line.split() for line in table_text(app).splitlines()]
    assert lines[0] == [*MONTHS, "Sales", "Average", "Change"]
    assert lines[1] == ["●", "Software", *["—"] * 10, "$1,500.01", "$1,000",
                        "3", "$1,333.34", "↓", "-33%"]  # 300,001 / 2 rounds half up
    assert lines[2] == ["■", "Retail", *["—"] * 11, "$100", "3", "$100", "—"]
    assert lines[3] == ["All", "industries", *["—"] * 10, "$1,500.01", "$325",
                        "6", "$716.67", "↓", "-78%"]
    assert len(lines) == 4  # no fold: nothing was left out


async def test_the_chart_draws_a_line_per_top_industry_with_gaps() -> None:
    """A line per top industry, each point with its industry's marker, none for an empty
    month, none for "Other industries"; the months on the x axis, dollars on the y."""
    rows: list[tuple[str | None, int, int, int]] = [
        (name, month, 1, 100_000 * (2 * k + 1))  # $1,000, $3,000, $5,000: apart
        for k, name in enumerate(["Low", "Middle", "High"]) for month in range(12)
        if month not in (4, 5 + k)]
    trends = trends_of(rows)
    app = TrendsApp(trends)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        plot = plot_text(app)
    assert [r.name for r in trends.top] == ["High", "Middle", "Low"]
    for index in range(3):
        assert plot.count(MARKERS[index]) == 10, MARKERS[index]
    assert "Average transaction value by industry, Mar 2023 – Feb 2024" in plot
    assert plot.splitlines()[-1].split() == MONTHS
    ticks = [line.split("┤")[0].strip() for line in plot.splitlines() if "┤" in line]
    assert ticks[-1] == "$0" and all(t.startswith("$") for t in ticks)


async def test_eight_lines_at_most() -> None:
    """The two industries past the eighth are not drawn: no ninth marker."""
    app = TrendsApp(ten_industries())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert len(app.query_one(TrendCanvas).series) == 8


async def test_hostile_industry_names_are_shown_literally() -> None:
    """Markup and escape codes in an industry's name show as they are (stand-ins for the
    controls), cut to the name column."""
    values = list(HOSTILE.values())
    rows: list[tuple[str | None, int, int, int]] = [
        (value, 11, 1, 100_000 * (len(values) - n)) for n, value in enumerate(values)]
    app = TrendsApp(trends_of(rows))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        table = table_text(app)
    for key in list(HOSTILE)[:8]:  # the ninth is folded
        assert shown(key)[:12] in table, key
    assert "[bold red]Boom" in table and "␛[31mred␛[0m" in table
    assert "\x1b" not in table and "\u202e" not in table


async def test_no_transactions_show_one_line_instead() -> None:
    app = TrendsApp(trends_of([]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        widget = app.query_one(IndustryTrends)
        assert not widget.query_one(PlotextPlot).display
        assert not widget.query_one(TrendTable).display
        message = widget.query_one(".trends-empty", Static)
        assert message.display and isinstance(message.content, Text)
        assert message.content.plain == (
            "No transactions (converted events) in the last 12 months (Mar 2023 – Feb "
            "2024): no industry trend to show.")
        widget.show(ten_industries())  # and back: the chart and the table again
        await pilot.pause()
        assert widget.query_one(PlotextPlot).display and not message.display


async def test_nothing_shows_before_show() -> None:
    app = TrendsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        widget = app.query_one(IndustryTrends)
        assert not any(child.display for child in widget.children)


# -- snapshots -------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_snapshot(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    assert snap_compare(TrendsApp(ten_industries()), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_empty(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    assert snap_compare(TrendsApp(trends_of([])), terminal_size=size)


def test_the_period_is_the_demos() -> None:
    assert period(TODAY, 12) == (datetime(2023, 3, 1), datetime(2024, 2, 27))
