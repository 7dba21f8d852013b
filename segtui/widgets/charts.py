"""Charts: plotext line/area/bar charts fed plain lists, and a 100% stacked bar.

Series are computed by the Store (SQL) and handed over as lists; the widgets only draw.
plotext follows the app theme ("auto"); the stacked bar is drawn with Rich so its colours
and legend read on 16-colour terminals too (terminals have no donut, spec 7.7).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from rich.console import RenderableType
from rich.text import Text
from textual.widget import Widget
from textual_plotext import PlotextPlot

from segtui.widgets.palette import theme_colours

ChartKind = Literal["line", "area", "bar"]


class SeriesChart(PlotextPlot):
    DEFAULT_CSS = """
    SeriesChart { height: 1fr; min-height: 8; }
    """

    def __init__(
        self,
        title: str,
        kind: ChartKind = "line",
        *,
        y_range: tuple[float, float] | None = None,
        from_zero: bool = False,
        help: str | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.chart_title = title
        self.kind: ChartKind = kind
        self.y_range = y_range
        self.from_zero = from_zero  # counts: the y axis starts at 0, not at the lowest value
        self.labels: list[str] = []
        self.series: dict[str, list[float]] = {}
        if help:
            self.tooltip = help

    def show_series(self, labels: Sequence[str], series: Mapping[str, Sequence[float]]) -> None:
        """Replace what the chart shows and redraw."""
        self.labels = list(labels)
        self.series = {name: [float(v) for v in values] for name, values in series.items()}
        self._draw()

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_figure()
        plt.title(self.chart_title)
        if not self.labels:
            self.refresh()
            return
        xs: list[float] = [float(i) for i in range(1, len(self.labels) + 1)]
        palette = theme_colours(self).series  # RGB: plotext passes it through as truecolor
        for index, (name, values) in enumerate(self.series.items()):
            color = palette[index % len(palette)].rgb
            if self.kind == "bar":
                plt.bar(self.labels, values, color=color, label=name if len(self.series) > 1
                        else None)
            else:
                # Braille is finest for lines; a filled area reads better in half blocks
                # (dense braille also renders too wide in some fonts).
                area = self.kind == "area"
                plt.plot(xs, values, label=name, color=color,
                         marker="hd" if area else "braille", fillx=area)
        if self.kind != "bar":
            plt.xticks(xs, self.labels)
        if self.y_range is not None:
            plt.ylim(*self.y_range)
        elif self.from_zero:
            top = max((v for values in self.series.values() for v in values), default=0.0)
            plt.ylim(0, max(top * 1.1, 1.0))
        self.refresh()


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
            self.tooltip = help

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
