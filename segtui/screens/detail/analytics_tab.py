"""Analytics tab (R7.8): contact growth, company sizes, regions and the weekly
engagement score. One Store call fetches everything (`analytics_report`)."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Label

from segtui.core.analytics import SCORE_CAP, SCORE_POINTS, AnalyticsReport, money
from segtui.screens.detail.base import DetailTab
from segtui.widgets.charts import CategoryBars, SeriesChart
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread

POINTS = ", ".join(f"{value} per {kind.replace('_', ' ')}" for kind, value in
                   SCORE_POINTS.items())
GROWTH_HELP = ("Contact Growth Over Time: members at the end of each of the last 6 months "
               "(today for the current month), from membership history; each month's count "
               "is written above its point.")
SIZE_HELP = "Company Size Distribution: current members per company size."
REGION_HELP = ("Geographic Distribution: current members per region, with the revenue of "
               "their conversions.")
SCORE_HELP = (f"Weekly Engagement Score: for each of the last 6 seven-day weeks, the mean "
              f"over current members of each member's score that week, min({SCORE_CAP}, "
              f"points), points = {POINTS}. Members without events score 0. A bar per "
              "week with its score above it; the axis rises to a round number over the "
              f"highest week, not always to {SCORE_CAP}.")


class AnalyticsTab(DetailTab):
    HELP = "\n".join(("Analytics: how the segment is made up and how it moves.", GROWTH_HELP,
                      SIZE_HELP, REGION_HELP, SCORE_HELP))
    REDRAW_ON_THEME = True

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="analytics-scroll"):
            with Horizontal(classes="chart-row"):
                yield SeriesChart("Contact Growth Over Time", "area", help=GROWTH_HELP,
                                  id="growth")
                yield CategoryBars("Company Size Distribution", help=SIZE_HELP, id="sizes")
            with Horizontal(classes="chart-row"):
                with Vertical(id="regions-box"):
                    yield Label("Geographic Distribution", classes="section-title")
                    table: DataTable[Text] = DataTable(
                        id="regions", cursor_type="row", zebra_stripes=True,
                        cursor_foreground_priority="renderable")
                    yield table
                yield SeriesChart("Weekly Engagement Score", "bar", help=SCORE_HELP,
                                  id="weekly")

    def on_mount(self) -> None:
        table = self.query_one("#regions", DataTable)
        table.tooltip = Text(REGION_HELP)
        self.reload()

    def reload(self) -> None:
        self._load()

    @in_thread("analytics")
    def _load(self) -> None:
        report = self.store.metrics.analytics_report(self.segment_id)
        deliver(self, self._show, report)

    def _show(self, report: AnalyticsReport) -> None:
        # The members only: entered and left per month are the history screen's table
        # (C20.2.1), a scale apart from the members on one axis.
        self.query_one("#growth", SeriesChart).show_series(
            report.growth.labels, {"Members": report.growth.values["Members"]})
        self.query_one("#sizes", CategoryBars).show_bars(report.company_sizes)
        self.query_one("#weekly", SeriesChart).show_series(report.weekly_score.labels,
                                                           report.weekly_score.values)
        rows = [(user_text(region.region), Text(f"{region.contacts:,}", justify="right"),
                 Text(money(region.revenue_cents), justify="right"))
                for region in report.regions]
        keys: list[str | None] = [region.region for region in report.regions]
        if not rows:
            rows, keys = [(Text("No members", style="dim"), Text(""), Text(""))], [None]
        # The columns' widths are set here, from the cells, as the rows go in. Left to the
        # DataTable, they are measured when it next goes idle, and a header drawn before
        # that stays cached at its old widths, out of line with the rows under it (seen
        # under load: "Region  Contacts" over "North America        25").
        table = self.query_one("#regions", DataTable)
        table.clear(columns=True)
        for index, label in enumerate(("Region", "Contacts", "Revenue")):
            width = max(cell_len(label), *(row[index].cell_len for row in rows))
            table.add_column(label, key=label.lower(), width=width)
        for row, key in zip(rows, keys, strict=True):
            table.add_row(*row, key=key)
