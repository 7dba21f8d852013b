"""U15.8: charts that are read. Round whole-number ticks, values on bars and
points, a legend that covers nothing, a one-point series that shows, all at 80x24.

The demo tests open the app like a user; the others mount a chart alone to try the cases
the demo has not got (one point, thousands, hostile names)."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widget import Widget
from textual.widgets import Static
from textual_plotext import PlotextPlot

from segtui.data.store import Store
from segtui.widgets.charts import SeriesChart
from tests.ui.conftest import make_app, open_segment, settle

SMALL = (80, 24)


def plot_lines(app: Any, selector: str) -> list[str]:
    """The plain text of a chart's plotext drawing, row by row, top first."""
    widget = app.screen.query_one(selector)
    canvas = widget if isinstance(widget, PlotextPlot) else widget.query_one(PlotextPlot)
    text = canvas.render()
    assert isinstance(text, Text)
    return text.plain.splitlines()


def y_ticks(lines: list[str]) -> list[str]:
    """The y axis' tick labels, top first."""
    return [line.split("┤")[0].strip() for line in lines if "┤" in line]


def numbers(text: str) -> set[str]:
    return set(re.findall(r"\d[\d,.]*", text))


def rendered(widget: Widget) -> str:
    console = Console(width=widget.size.width, record=True, file=io.StringIO())
    content = widget.content if isinstance(widget, Static) else widget.render()
    console.print(content)
    return console.export_text()


# -- on the demo data ----------------------------------------------------------------------


async def test_count_axes_get_whole_round_ticks(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=SMALL) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("2")
        await settle(pilot)
        # Monthly counts up to 32: not 32.0, 26.7, 21.3...
        assert y_ticks(plot_lines(app, "#perf-trend")) == ["40", "30", "20", "10", "0"]
        await pilot.press("3")
        await settle(pilot)
        # 45 members: not 49.5, 41.3, 33.0...
        assert y_ticks(plot_lines(app, "#growth")) == ["50", "25", "0"]
        assert y_ticks(plot_lines(app, "#weekly")) == ["20", "10", "0"]


async def test_bars_and_points_carry_their_values(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=SMALL) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("3")
        await settle(pilot)
        # Growth 6, 14, 24, 36, 45, 45: each written above its point.
        growth = "\n".join(plot_lines(app, "#growth"))
        assert numbers(growth) >= {"6", "14", "24", "36", "45", "50", "25", "0"}
        # Company sizes: a bar per size, ending in its count.
        sizes = rendered(app.screen.query_one("#sizes")).splitlines()
        rows = {line.split()[0]: line for line in sizes if "█" in line or line.endswith(" 0")}
        assert rows["Enterprise"].rstrip().endswith("█ 32")
        assert rows["Mid-Market"].rstrip().endswith(" 13")
        assert rows["SMB"].rstrip().endswith(" 0")
        assert rows["Enterprise"].count("█") > rows["Mid-Market"].count("█") > 0
        # Weekly score 1.1, 0, 0, 15.8, 0, 1.8: each label right above its bar's top.
        weekly = plot_lines(app, "#weekly")
        label_row = next(i for i, line in enumerate(weekly) if "15.8" in line)
        column = weekly[label_row].index("15.8") + 1
        assert weekly[label_row + 1][column] == "█"
        assert "1.1" in "".join(weekly) and "1.8" in "".join(weekly)


async def test_a_small_score_is_drawn_at_its_height(sqlite_demo_store: Store) -> None:
    """Marketing Engagers' W1 and W2 score 6.4: bars two rows tall, not a line on 0."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=SMALL) as pilot:
        await open_segment(pilot, "Marketing Engagers")
        await pilot.press("3")
        await settle(pilot)
        weekly = plot_lines(app, "#weekly")
        bottom = next(i for i, line in enumerate(weekly) if line.strip().startswith("0┤"))
        label_rows = [i for i, line in enumerate(weekly) if "6.4" in line]
        assert label_rows, "the value 6.4 is not written on the chart"
        label_row = label_rows[0]
        column = weekly[label_row].index("6.4") + 1
        bar_rows = [i for i, line in enumerate(weekly) if line[column] == "█"]
        assert bar_rows == list(range(label_row + 1, bottom + 1))
        assert len(bar_rows) >= 2  # above the bottom row
        assert weekly[label_row].count("6.4") == 2  # W1 and W2


async def test_the_trend_legend_is_a_values_table_outside_the_plot(
    sqlite_demo_store: Store,
) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=SMALL) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("2")
        await settle(pilot)
        plot = "\n".join(plot_lines(app, "#perf-trend"))
        for name in ("Opened", "Clicked", "Responded", "Converted"):
            assert name not in plot
        chart = app.screen.query_one("#perf-trend", SeriesChart)
        table = chart.query_one(".chart-values", Static)
        canvas = chart.query_one(PlotextPlot)
        assert table.display and not table.region.overlaps(canvas.region)
        rows = [line.split() for line in rendered(table).splitlines() if line.strip()]
        assert rows[0] == ["Sep", "Oct", "Nov", "Dec", "Jan", "Feb"]
        assert rows[1] == ["●", "Opened", "16", "17", "12", "29", "28", "32"]
        assert rows[4] == ["▲", "Converted", "0", "0", "0", "1", "2", "3"]


async def test_analytics_charts_fit_an_80x24_tab(sqlite_demo_store: Store) -> None:
    """The first row of charts is seen whole, x labels included, without scrolling."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=SMALL) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("3")
        await settle(pilot)
        scroll = app.screen.query_one("#analytics-scroll")
        for selector in ("#growth", "#sizes"):
            region = app.screen.query_one(selector).region
            assert scroll.region.contains_region(region), selector
        assert "Sep" in plot_lines(app, "#growth")[-1]


# -- one chart alone -----------------------------------------------------------------------


class ChartApp(App[None]):
    def __init__(self, kind: str = "line") -> None:
        super().__init__()
        self.kind = kind

    def compose(self) -> ComposeResult:
        yield SeriesChart("Chart", self.kind, id="chart")  # type: ignore[arg-type]


@asynccontextmanager
async def shown(size: tuple[int, int], kind: str, labels: list[str],
                series: dict[str, list[float]]) -> AsyncIterator[ChartApp]:
    app = ChartApp(kind)
    async with app.run_test(size=size) as pilot:
        app.query_one(SeriesChart).show_series(labels, series)
        await pilot.pause()
        yield app


async def _show(size: tuple[int, int], kind: str, labels: list[str],
                series: dict[str, list[float]]) -> list[str]:
    async with shown(size, kind, labels, series) as app:
        return plot_lines(app, "#chart")


@pytest.mark.parametrize("kind", ["line", "area", "bar"])
@pytest.mark.parametrize("value", [0.0, 5.0])
async def test_a_one_point_series_shows(kind: str, value: float) -> None:
    lines = await _show((40, 13), kind, ["Feb"], {"Members": [value]})
    body = "\n".join(lines)
    if kind != "bar":
        assert "●" in body
    elif value:
        assert "█" in body
    assert f" {value:g} " in body  # its value, written above it
    assert y_ticks(lines)[-1] == "0"


async def test_several_bar_series_stand_side_by_side() -> None:
    lines = await _show((80, 13), "bar", ["A", "B"], {"One": [4, 4], "Two": [8, 8]})
    tall = next(line for line in lines if "█" in line)  # the top row: only "Two"
    low = lines[-3]  # the bottom row: both
    assert low.count("█") > tall.count("█") > 0


async def test_every_series_has_a_marker_on_each_point() -> None:
    lines = await _show((80, 13), "line", ["A", "B", "C"],
                           {"One": [1, 2, 3], "Two": [4, 5, 6], "Three": [8, 7, 8]})
    body = "\n".join(lines)
    assert body.count("●") == 3 and body.count("■") == 3 and body.count("◆") == 3


async def test_thousands_are_short_on_the_axis_and_exact_on_the_points() -> None:
    lines = await _show((80, 13), "bar", ["A", "B", "C"],
                           {"Members": [1200, 8000, 12_345]})
    assert y_ticks(lines) == ["15k", "10k", "5,000", "0"]
    body = "\n".join(lines)
    assert "12,345" in body and "1,200" in body and "8,000" in body


async def test_values_table_under_the_plot_when_narrow_beside_when_wide() -> None:
    series: dict[str, list[float]] = {"A": [1, 2], "B": [2, 1]}
    for width, beside in ((80, False), (120, True)):
        async with shown((width, 24), "line", ["Jan", "Feb"], series) as app:
            chart = app.query_one(SeriesChart)
            table = chart.query_one(".chart-values").region
            canvas = chart.query_one(PlotextPlot).region
            assert not table.overlaps(canvas)
            assert (table.x >= canvas.right) is beside
            assert (table.y >= canvas.bottom) is not beside


async def test_names_and_labels_are_shown_literally() -> None:
    async with shown((80, 20), "line", ["\x1b[31mJan", "[b]Feb"],
                     {"[bold]x[/]": [1, 2], "y": [2, 1]}) as app:
        table = rendered(app.query_one(SeriesChart).query_one(".chart-values", Static))
        lines = plot_lines(app, "#chart")
    assert "[bold]x[/]" in table and "[b]Feb" in table and "␛[31mJan" in table
    assert "␛[31mJan" in lines[-1] and "[b]Feb" in lines[-1]
