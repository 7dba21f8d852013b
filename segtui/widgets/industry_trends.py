"""The industry value trends (C22.5): a line chart of the average transaction value per
month, one line per top industry, and a table of the same averages. Fed a
`core.industry_trends.IndustryTrends` by `show(trends)`; the screen placing it reads the
Store in its worker (widgets import no data).

- The chart (plotext, as widgets/charts.py): a month with no transaction has no point and
  breaks its industry's line (empty, not $0); every point carries its industry's marker,
  a shape of its own for each of the eight lines, since the theme has six colours.
- The table: a row per top industry (its marker and colour: the chart's legend), then
  "Other industries" and "All industries"; a column per month, then the period's
  transactions, average and change. It is not focusable and does not scroll: it shows
  the last months that fit its width and says how many of the period's those are (at
  80 columns two or three of twelve, at 120 about six). A scrolling table would take the
  left and right keys and a tab stop from the screen it sits in, and could not be read
  whole in a screenshot; every month is on the chart, and in `segtui industry-trends`.
- Industry names are user text: shown literally (markup and escape codes as stand-ins:
  widgets/text.py), on the chart's axis labels too.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.widget import Widget
from textual.widgets import Static
from textual_plotext import PlotextPlot

from segtui.core.chart_scale import tick_label, y_scale
from segtui.core.formatting import plural, whole
from segtui.core.industry_trends import (
    EMPTY,
    IndustryTrend,
    RowKind,
    average_text,
    change_text,
    month_label,
)
from segtui.core.industry_trends import IndustryTrends as Trends
from segtui.core.text import printable
from segtui.widgets.charts import FRAME_ROWS, series_color
from segtui.widgets.text import user_text

# A shape per line: eight top industries, six theme colours (palette.py).
MARKERS = ("●", "■", "◆", "▲", "▼", "○", "□", "◇")
NAME_WIDTH = 18  # the table's industry column at most (a marker and a space included)
GAP = 2  # between the table's columns
HEADERS = ("Sales", "Average", "Change")  # the period's: transactions, average, change

HELP = ("Average transaction value by industry: a transaction is a converted event, its "
        "value its revenue; the average is the month's revenue / transactions. "
        "A month without a transaction is empty, not $0. Change: the last month with "
        "data against the first. docs/metrics.md, \"Industry value trends\".")


def marker(index: int) -> str:
    return MARKERS[index % len(MARKERS)]


def runs(values: list[float | None]) -> list[list[int]]:
    """The indexes of `values` in runs of neighbours that have a value: a line is drawn
    along each run, so a month without data breaks it."""
    found: list[list[int]] = []
    for index, value in enumerate(values):
        if value is None:
            continue
        if found and found[-1][-1] == index - 1:
            found[-1].append(index)
        else:
            found.append([index])
    return found


class TrendCanvas(PlotextPlot):
    """The chart: the top industries' monthly averages in dollars."""

    def __init__(self) -> None:
        super().__init__(classes="trends-chart")
        self.chart_title = ""
        self.labels: list[str] = []
        self.series: list[list[float | None]] = []

    def show(self, title: str, labels: list[str], series: list[list[float | None]]) -> None:
        self.chart_title, self.labels, self.series = title, labels, series
        self.refresh()

    def render(self) -> RenderResult:
        self._draw(self.size.height - FRAME_ROWS)
        return super().render()

    def _draw(self, rows: int) -> None:
        plt = self.plt
        plt.clear_figure()
        plt.theme(self._get_plotext_theme_name(self.app.theme))  # before any text
        plt.title(printable(self.chart_title))
        if not self.labels or rows < 2:
            return
        top = max((v for values in self.series for v in values if v is not None),
                  default=0.0)
        scale = y_scale(top, rows, whole=False, headroom=False)
        xs = [float(i) for i in range(1, len(self.labels) + 1)]
        plt.xlim(0.5, len(xs) + 0.5)
        plt.ylim(0, scale.top)
        plt.yticks(scale.ticks, [f"${tick_label(t)}" for t in scale.ticks])
        for index, values in enumerate(self.series):
            for run in runs(values):
                if len(run) > 1:
                    plt.plot([xs[i] for i in run], [values[i] or 0.0 for i in run],
                             color=series_color(self, index).rgb, marker="braille")
        # The points last, so no line covers them; a lone month is a point, not nothing.
        for index, values in enumerate(self.series):
            shown = [i for i, v in enumerate(values) if v is not None]
            if shown:
                plt.scatter([xs[i] for i in shown], [values[i] or 0.0 for i in shown],
                            color=series_color(self, index).rgb, marker=marker(index))
        plt.xticks(xs, [printable(label) for label in self.labels])


class TrendTable(Widget):
    """The averages as a table of the last months that fit (module docstring)."""

    def __init__(self) -> None:
        super().__init__(classes="trends-table")
        self.trends: Trends | None = None

    def show(self, trends: Trends) -> None:
        self.trends = trends
        self.refresh(layout=True)

    def _cells(self) -> tuple[list[Text], list[list[str]], list[list[str]]]:
        """Per row (the top industries, the fold, all): its name, its monthly averages,
        its period's transactions, average and change."""
        assert self.trends is not None
        rows = [*self.trends.rows, self.trends.overall]
        names = [self._row_label(index, row) for index, row in enumerate(rows)]
        months = [[average_text(a) for a in row.averages] for row in rows]
        totals = [[whole(r.total.transactions), average_text(r.total.average_cents),
                   change_text(r.change)] for r in rows]
        return names, months, totals

    def months_that_fit(self, width: int | None = None) -> int:
        """How many of the last months fit `width` (the table's own by default) beside
        the names and the period's columns."""
        if self.trends is None or self.trends.empty:
            return 0
        return self._fit(self._cells(), width)[0]

    def _fit(self, cells: tuple[list[Text], list[list[str]], list[list[str]]],
             width: int | None = None) -> tuple[int, int]:
        """The months of `cells` (_cells) that fit, and the name column's width:
        NAME_WIDTH at most while months are to be fitted, then whatever room is left over
        (less than a month's column) for long names, which are cut with … only when even
        that is short."""
        assert self.trends is not None
        names, months, totals = cells
        longest = max(n.cell_len for n in names)
        room = (self.content_size.width if width is None else width) \
            - min(longest, NAME_WIDTH) \
            - sum(max(len(h), *(len(t[i]) for t in totals)) + GAP
                  for i, h in enumerate(HEADERS))
        shown = 0
        for i in range(len(self.trends.months) - 1, -1, -1):
            needed = max(len(month_label(self.trends.months[i])),
                         *(len(m[i]) for m in months)) + GAP
            if room < needed:
                break
            room -= needed
            shown += 1
        return shown, min(longest, NAME_WIDTH + max(room, 0))

    def render(self) -> RenderableType:
        if self.trends is None or self.trends.empty:
            return Text("")
        cells = self._cells()
        names, months, totals = cells
        shown, name_width = self._fit(cells)
        first = len(self.trends.months) - shown
        table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold",
                      padding=(0, 0, 0, GAP), collapse_padding=True)
        table.add_column("", max_width=name_width, no_wrap=True, overflow="ellipsis")
        for day in self.trends.months[first:]:
            table.add_column(month_label(day), justify="right", no_wrap=True)
        for header in HEADERS:
            table.add_column(header, justify="right", no_wrap=True)
        for name, month_cells, total in zip(names, months, totals, strict=True):
            table.add_row(name, *month_cells[first:], *total)
        return table

    def _row_label(self, index: int, row: IndustryTrend) -> Text:
        """An industry's name led by its line's marker in its colour; the fold and the
        total have no line."""
        if row.kind in (RowKind.OTHER, RowKind.ALL):
            name = user_text(row.name, "italic")
            name.pad_left(2)
            return name
        key = Text(marker(index) + " ", style=series_color(self, index).hex)
        key.append_text(user_text(row.name))
        return key


class IndustryTrends(Widget):
    """C22.5: the chart, the table, and a note of what is folded and which months the
    table shows; or one line saying there is nothing to show."""

    DEFAULT_CSS = """
    IndustryTrends { height: auto; layout: vertical; }
    IndustryTrends > .trends-chart { height: 12; width: 1fr; }
    IndustryTrends > .trends-table { height: auto; width: 1fr; padding: 0 1; }
    IndustryTrends > .trends-note { height: auto; width: 1fr; padding: 0 1; color: $text-muted; }
    IndustryTrends > .trends-empty { height: auto; width: 1fr; padding: 1 1; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.trends: Trends | None = None
        self.tooltip = Text(HELP)

    def compose(self) -> ComposeResult:
        yield TrendCanvas()
        yield TrendTable()
        yield Static(classes="trends-note")
        yield Static(classes="trends-empty")

    def on_mount(self) -> None:
        self._place(None)

    def show(self, trends: Trends) -> None:
        """Show `trends` (store.metrics.industry_trends), replacing what was shown."""
        self.trends = trends
        self._place(trends)
        if trends.empty:
            self.query_one(".trends-empty", Static).update(Text(trends.empty_text()))
            return
        top = trends.top
        self.query_one(TrendCanvas).show(
            trends.title(), [month_label(day) for day in trends.months],
            [[None if a is None else a / 100 for a in row.averages] for row in top])
        self.query_one(TrendTable).show(trends)
        self.call_after_refresh(self._note)

    def on_resize(self) -> None:
        if self.trends is not None and not self.trends.empty:
            self.call_after_refresh(self._note)

    def _place(self, trends: Trends | None) -> None:
        data = trends is not None and not trends.empty
        for child in (self.query_one(TrendCanvas), self.query_one(TrendTable),
                      self.query_one(".trends-note")):
            child.display = data
        self.query_one(".trends-empty").display = trends is not None and not data

    def _note(self) -> None:
        """Under the table: what is folded, and the months the table shows (known once it
        has been laid out at its width)."""
        if self.trends is None or self.trends.empty:
            return
        total = len(self.trends.months)
        shown = self.query_one(TrendTable).months_that_fit()
        words = self.trends.fold_text()
        if shown < total:
            words += f" Table: the last {shown} of {plural(total, 'month')} (the chart: all)."
        words += f" {EMPTY}: no sale that month."
        self.query_one(".trends-note", Static).update(Text(words))
