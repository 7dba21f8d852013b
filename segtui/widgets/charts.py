"""Charts that are read, not admired (U15.8), fed plain lists by the Store.

- `SeriesChart`: values over ordered x labels (months, weeks), drawn by plotext as lines,
  an area or bars. The y axis starts at 0 with round ticks (`core/chart_scale.py`); whole
  numbers get whole ticks. Every value is marked where it is: a line or area puts a marker
  on each point (so a one-point series shows), a one-series chart writes each value above
  its point or bar, and a chart of several series lists the values in a table under it
  (beside it when wide) whose rows are its legend. plotext's own legend is never used: it
  is drawn inside the plot, over the data.
- `CategoryBars`: horizontal bars drawn with Rich for categories (company sizes). A row per
  category reads better than plotext's vertical bars at 80 columns: the names sit at the
  left at any length (plotext's x labels collide when four names share 35 columns), every
  bar ends in its number, bars have eighth-cell precision across the width, and n
  categories take n rows of the few an 80x24 tab has.
- `StackedBar`: one bar split by shares, in place of the spec's donut (a terminal cannot
  draw one legibly at 80x24), its legend the exact percentages.

Series colours come from the theme's palette (`widgets/palette.py`: explicit RGB that
downgrades to the intended colour at 256 and 16 colours); each series also has its own
marker shape, for when colours do not tell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult, RenderResult
from textual.widget import Widget
from textual.widgets import Static
from textual_plotext import PlotextPlot

from segtui.core.chart_scale import YScale, fitted_label, tick_label, value_label, y_scale
from segtui.core.text import printable
from segtui.widgets.palette import Swatch, theme_colours
from segtui.widgets.text import user_text

ChartKind = Literal["line", "area", "bar"]
SERIES_MARKERS = ("●", "■", "◆", "▲", "▼", "○")

# plotext's rows around the plot itself: the title, the top and bottom frame, the x labels.
FRAME_ROWS = 4
# From this width a several-series chart puts its values table beside the plot, not under.
SIDE_TABLE_WIDTH = 100


def series_color(node: Widget, index: int) -> Swatch:
    """The `index`th series' colour in the theme shown now (widgets/palette.py): plotext
    takes its `.rgb`, a Rich style its `.hex`."""
    series = theme_colours(node).series
    return series[index % len(series)]


def series_marker(index: int) -> str:
    return SERIES_MARKERS[index % len(SERIES_MARKERS)]


def all_whole(series: Mapping[str, Sequence[float]]) -> bool:
    """Counts (every value a whole number) get whole-number ticks."""
    return all(float(v).is_integer() for values in series.values() for v in values)


class ChartCanvas(PlotextPlot):
    """The plotext part of a `SeriesChart`. It draws when it renders, because the ticks and
    where a value label goes depend on how many rows the plot has."""

    def __init__(self, title: str, kind: ChartKind) -> None:
        super().__init__()
        self.chart_title = title
        self.kind: ChartKind = kind
        self.labels: list[str] = []
        self.series: dict[str, list[float]] = {}

    def show(self, labels: list[str], series: dict[str, list[float]]) -> None:
        self.labels = labels
        self.series = series
        self.refresh()

    def render(self) -> RenderResult:
        self._draw(self.size.width, self.size.height - FRAME_ROWS)
        return super().render()

    def _draw(self, width: int, rows: int) -> None:
        plt = self.plt
        plt.clear_figure()
        # The theme first: text takes its background from the theme's canvas colour when
        # it is added, and clear_figure forgot it.
        plt.theme(self._get_plotext_theme_name(self.app.theme))
        # Text.from_ansi reads plotext's output: control characters would be escapes.
        plt.title(printable(self.chart_title))
        if not self.labels or rows < 2:
            return
        labelled = len(self.series) == 1
        top = max((v for values in self.series.values() for v in values), default=0.0)
        scale = y_scale(top, rows, whole=all_whole(self.series), headroom=labelled)
        tick_labels = [tick_label(t) for t in scale.ticks]
        xs = [float(i) for i in range(1, len(self.labels) + 1)]
        # Half a slot of margin each side: the first and last points (and their labels)
        # stand clear of the frame, as bars do.
        plt.xlim(0.5, len(xs) + 0.5)
        plt.ylim(0, scale.top)
        plt.yticks(scale.ticks, tick_labels)
        if self.kind == "bar":
            self._bars(xs)
        else:
            self._lines(xs)
        plt.xticks(xs, [printable(label) for label in self.labels])
        if labelled:
            values = next(iter(self.series.values()))
            plot_width = width - max(len(t) for t in tick_labels) - 2
            room = plot_width // len(xs) - 1  # a space between neighbours' labels
            self._value_labels(xs, values, scale, room)

    def _bars(self, xs: list[float]) -> None:
        # Several series stand side by side in each slot (as plotext's multiple_bar, which
        # takes no colour per series in its type hints).
        count = len(self.series)
        width = 0.6 if count == 1 else 0.8 / count
        for index, values in enumerate(self.series.values()):
            offset = (index - (count - 1) / 2) * width
            self.plt.bar([x + offset for x in xs], values, color=series_color(self, index).rgb,
                         width=width, reset_ticks=False)

    def _lines(self, xs: list[float]) -> None:
        area = self.kind == "area"
        for index, values in enumerate(self.series.values()):
            color = series_color(self, index).rgb
            # Braille is finest for lines; a filled area reads better in half blocks
            # (dense braille also renders too wide in some fonts).
            self.plt.plot(xs, values, color=color, marker="hd" if area else "braille",
                          fillx=area)
        # The points themselves, drawn last so no line covers them: a value is where its
        # marker is, and a series of one point is a marker rather than nothing.
        for index, values in enumerate(self.series.values()):
            self.plt.scatter(xs, values, color=series_color(self, index).rgb,
                             marker=series_marker(index))

    def _value_labels(self, xs: list[float], values: list[float], scale: YScale,
                      room: int) -> None:
        """Each value written on the row above its point or bar top. A zero bar has no
        top: its 0 sits on the bottom row."""
        for x, value in zip(xs, values, strict=True):
            text = fitted_label(value, room)
            if text is None:
                continue
            on_base = self.kind == "bar" and value <= 0
            row = 0 if on_base else min(scale.row(value) + 1, scale.rows - 1)
            self.plt.text(text, x, scale.y_of_row(row), color=series_color(self, 0).rgb,
                          alignment="center")


class SeriesChart(Widget):
    """A titled chart of one or more named series over the same x labels, with the values
    readable: on the points for one series, in a legend table for several."""

    # The plot is 13 rows, what a detail tab shows at 80x24, so it is seen whole there;
    # the values table comes under it (beside it from SIDE_TABLE_WIDTH columns).
    DEFAULT_CSS = """
    SeriesChart { height: auto; layout: vertical; }
    SeriesChart > ChartCanvas { height: 13; width: 1fr; }
    SeriesChart > .chart-values { height: auto; width: 1fr; padding: 0 0 0 1; }
    SeriesChart.-side { layout: horizontal; }
    SeriesChart.-side > .chart-values { width: auto; padding: 2 1 0 2; }
    """

    def __init__(
        self,
        title: str,
        kind: ChartKind = "line",
        *,
        help: str | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.chart_title = title
        self.kind: ChartKind = kind
        self._help = help
        self.labels: list[str] = []
        self.series: dict[str, list[float]] = {}
        if help:
            self.tooltip = Text(help)

    def compose(self) -> ComposeResult:
        canvas = ChartCanvas(self.chart_title, self.kind)
        values = Static(classes="chart-values")
        for child in (canvas, values):
            child.tooltip = Text(self._help) if self._help else None
        values.display = False
        yield canvas
        yield values

    def show_series(self, labels: Sequence[str], series: Mapping[str, Sequence[float]]) -> None:
        """Replace what the chart shows and redraw."""
        self.labels = list(labels)
        self.series = {name: [float(v) for v in values] for name, values in series.items()}
        self.query_one(ChartCanvas).show(self.labels, self.series)
        table = self.query_one(".chart-values", Static)
        table.display = len(self.series) > 1
        colours = [series_color(self, i).hex for i in range(len(self.series))]
        table.update(values_table(self.labels, self.series, colours,
                                  bars=self.kind == "bar"))
        self._place_table()

    def on_resize(self, event: events.Resize) -> None:
        self._place_table()

    def _place_table(self) -> None:
        self.set_class(self.size.width >= SIDE_TABLE_WIDTH and len(self.series) > 1,
                       "-side")


def values_table(labels: Sequence[str], series: Mapping[str, Sequence[float]],
                 colours: Sequence[str], *, bars: bool = False) -> Table:
    """The exact values, a row per series led by its marker (a block for bars) in its
    colour: the chart's legend."""
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold",
                  padding=(0, 0, 0, 2))
    table.add_column("")
    for label in labels:
        table.add_column(user_text(label), justify="right")
    for index, (name, values) in enumerate(series.items()):
        key = Text(("█" if bars else series_marker(index)) + " ", style=colours[index])
        key.append_text(user_text(name))
        table.add_row(key, *(value_label(v) for v in values))
    return table


PARTIAL = " ▏▎▍▌▋▊▉"  # eighths of a cell, left-aligned like the full blocks


def bar_cells(cells: float) -> str:
    """A bar `cells` cells long, to the nearest eighth of a cell ("" for none)."""
    full, eighths = divmod(round(cells * 8), 8)
    return "█" * full + (PARTIAL[eighths] if eighths else "")


class CategoryBars(Widget):
    """A titled list of horizontal bars, one row per category: its name, a bar as long as
    its share of the largest value, and the value (see the module's docstring)."""

    DEFAULT_CSS = """
    CategoryBars { height: auto; padding: 0 1; }
    """
    def __init__(self, title: str, *, help: str | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = title
        self.bars: list[tuple[str, float]] = []
        if help:
            self.tooltip = Text(help)

    def show_bars(self, bars: Sequence[tuple[str, float]]) -> None:
        self.bars = [(label, float(value)) for label, value in bars]
        self.refresh(layout=True)

    def render(self) -> RenderableType:
        width = max(self.content_size.width, 12)
        text = Text(" " * max((width - len(self.title)) // 2, 0) + self.title, style="bold",
                    no_wrap=True, overflow="ellipsis")
        text.append("\n")
        if not self.bars:
            text.append("\nNo members", style="dim")
            return text
        names = [user_text(label) for label, _ in self.bars]
        numbers = [value_label(value) for _, value in self.bars]
        name_width = min(max(n.cell_len for n in names), width // 3)
        number_width = max(len(n) for n in numbers)
        room = max(width - name_width - number_width - 2, 1)
        top = max(value for _, value in self.bars)
        color = series_color(self, 0).hex
        for name, number, (_, value) in zip(names, numbers, self.bars, strict=True):
            name.truncate(name_width, overflow="ellipsis", pad=True)
            text.append("\n")
            text.append_text(name)
            text.append(" ")
            text.append(bar_cells(value / top * room if top > 0 else 0.0), style=color)
            text.append(" " + number)
        return text


class StackedBar(Widget):
    """One bar split by shares (which sum to 100), with a legend of exact percentages."""

    DEFAULT_CSS = """
    StackedBar { height: auto; min-height: 3; }
    """

    def __init__(self, title: str, *, help: str | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = title
        self.parts: list[tuple[str, float, int, str]] = []  # label, percent, count, color
        if help:
            self.tooltip = Text(help)

    def show_parts(self, parts: Sequence[tuple[str, float, int, str]]) -> None:
        self.parts = list(parts)
        self.refresh(layout=True)

    def render(self) -> RenderableType:
        width = max(self.content_size.width, 10)
        text = Text(self.title, style="bold")
        text.append("\n")
        if not self.parts or sum(p[1] for p in self.parts) <= 0:
            text.append("No members", style="dim")
            return text
        # Largest remainder, so the cells always fill the bar exactly.
        raw = [p[1] / 100 * width for p in self.parts]
        cells = [int(r) for r in raw]
        for i in sorted(range(len(raw)), key=lambda i: raw[i] - cells[i], reverse=True):
            if sum(cells) >= width:
                break
            cells[i] += 1
        for (_, _, _, color), n in zip(self.parts, cells, strict=True):
            text.append("█" * n, style=color)
        text.append("\n")
        for label, percent, count, color in self.parts:
            text.append("■ ", style=color)
            text.append(f"{label} {percent:.1f}% ({count:,})   ")
        return text
