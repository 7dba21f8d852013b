"""Performance tab (R7.7): four trend cards, the campaign table, the engagement trend
chart and the segment health bar. One Store call fetches everything (`performance_report`)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from rich.console import Console, ConsoleOptions, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, Static

from segtui.core.analytics import (
    HEALTH_DAYS,
    PerformanceReport,
    change_text,
    direction,
    money,
)
from segtui.core.enums import CampaignStatus
from segtui.core.metrics import CampaignPerformance
from segtui.core.permissions import Permission
from segtui.core.records import Choice
from segtui.screens.allowed import allowed
from segtui.screens.detail.base import DetailTab
from segtui.screens.modals.choice_picker import ChoicePicker
from segtui.widgets.asking import ChoiceSearch, Picked
from segtui.widgets.badges import campaign_status_badge
from segtui.widgets.charts import SeriesChart, StackedBar
from segtui.widgets.metric_card import MetricCard
from segtui.widgets.palette import theme_colours
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread

CARD_HELP = {
    "revenue": "Total Revenue = revenue of members' conversions, ever. Trend: revenue in the "
               "last 30 days against the 30 days before, relative change.",
    "open": "Avg. Open Rate = mean of the campaign table's open rates. Trend: of the sends "
            "to members in the last 30 days, the share opened, against the 30 days before, "
            "in percentage points.",
    "click": "Avg. Click Rate = mean of the campaign table's click rates. Trend: as for "
             "opens, with clicks.",
    "conversions": "Conversions = members' conversion events, ever. Trend: conversions in "
                   "the last 30 days against the 30 days before, relative change.",
}
TREND_HELP = ("Engagement Trend: per calendar month (the current one so far), distinct "
              "members who opened, clicked, responded or attended a meeting, converted. "
              "Each month is a marker on its line; the table by the chart gives the counts.")
HEALTH_HELP = (f"Segment Health: Unsubscribed = an unsubscribe event; Active = otherwise any "
               f"action (any event but a send) in the last {HEALTH_DAYS} days; Inactive = "
               "the rest. Shares of current members.")


def rate_cell(campaign: CampaignPerformance, count: int) -> str:
    """'62.2% (28)', R7.7."""
    return f"{campaign.rate(count)}% ({count:,})"


class CampaignTable:
    """A Rich table, not a DataTable: a segment uses a handful of campaigns, and a Rich
    table fits any width where a DataTable would scroll sideways at 80 columns. The status
    has its own column when there is room for it; narrower, it goes under the campaign's
    name, and the header says so ("Campaign Name / Status"): never left out (U15.7)."""

    WIDE = 100

    def __init__(self, campaigns: list[CampaignPerformance]) -> None:
        self.campaigns = campaigns

    def __rich_console__(self, console: Console,
                         options: ConsoleOptions) -> Iterator[RenderableType]:
        if not self.campaigns:
            yield Text("No campaign uses this segment yet.", style="dim")
            return
        wide = options.max_width >= self.WIDE
        table = Table(box=None, expand=True, header_style="bold", pad_edge=False)
        table.add_column("Campaign Name" if wide else "Campaign Name / Status", ratio=3,
                         overflow="ellipsis", no_wrap=True)
        if wide:
            table.add_column("Status", no_wrap=True)
        for label in ("Sent", "Opened", "Clicked", "Converted", "Revenue"):
            table.add_column(label, justify="right", no_wrap=True, overflow="ellipsis")
        for c in self.campaigns:
            badge = campaign_status_badge(CampaignStatus(c.status))
            name = user_text(c.name) if wide else Text.assemble(user_text(c.name), "\n", badge)
            status = [badge] if wide else []
            table.add_row(name, *status, f"{c.sent:,}", rate_cell(c, c.opened),
                          rate_cell(c, c.clicked), rate_cell(c, c.converted),
                          money(c.revenue_cents))
        yield table


def _choices(found: list[Choice]) -> ChoiceSearch:
    """A picker's search over a short list known already (the tab's campaigns, the
    statuses): what contains the typed text, ignoring case."""
    return lambda text: [c for c in found if text.strip().lower() in c.label.lower()]


class PerformanceTab(DetailTab):
    # C20.4.4: a campaign's status, picked; becoming Active freezes its segments.
    # `u` (update): `s` sorts everywhere else, one meaning per key (U15.12).
    BINDINGS = [Binding("u", "campaign_status", "Status",
                        id="performance.campaign-status")]
    HELP = "\n".join((
        "Performance: the segment's campaign results.", *CARD_HELP.values(),
        "Campaign table: per campaign using the segment, distinct members sent to, and "
        "those who opened, clicked and converted (rate against sent), with the revenue of "
        "their conversions.", "u sets a campaign's status (Active, Paused, Completed); "
        "when one becomes Active, each segment it targets is frozen into a snapshot, so "
        "whom it was sent to stays known.", TREND_HELP, HEALTH_HELP,
    ))
    REDRAW_ON_THEME = True

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="perf-scroll"):
            with Horizontal(id="perf-cards"):
                for card_id, label, short in (
                    ("revenue", "Total Revenue", "Revenue"),
                    ("open", "Avg. Open Rate", "Open rate"),
                    ("click", "Avg. Click Rate", "Click rate"),
                    ("conversions", "Conversions", "Conv."),
                ):
                    yield MetricCard(label, short, id=f"perf-{card_id}", with_note=True,
                                     help=CARD_HELP[card_id])
            yield Label("Campaign Performance", classes="section-title")
            yield Static(id="perf-campaigns")
            yield SeriesChart("Engagement Trend (members)", "line", help=TREND_HELP,
                              id="perf-trend")
            yield StackedBar("Segment Health", help=HEALTH_HELP, id="perf-health")

    campaigns: tuple[CampaignPerformance, ...] = ()

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        self._load()

    @in_thread("performance")
    def _load(self) -> None:
        report = self.store.metrics.performance_report(self.segment_id)
        deliver(self, self._show, report)

    def _show(self, report: PerformanceReport) -> None:
        s = report.summary
        cards: dict[str, tuple[str, tuple[str, str, str]]] = {
            "revenue": (money(s.revenue_cents), self._note(s.revenue_change)),
            "open": (f"{s.avg_open_rate}%", self._note(s.open_rate_change, points=True)),
            "click": (f"{s.avg_click_rate}%", self._note(s.click_rate_change, points=True)),
            "conversions": (f"{s.conversions:,}", self._note(s.conversions_change)),
        }
        for card_id, (value, note) in cards.items():
            card = self.query_one(f"#perf-{card_id}", MetricCard)
            card.value = value
            card.note = note

        self.campaigns = tuple(report.campaigns)
        self.query_one("#perf-campaigns", Static).update(CampaignTable(report.campaigns))

        self.query_one("#perf-trend", SeriesChart).show_series(report.trend.labels,
                                                               report.trend.values)
        h = report.health
        colours = theme_colours(self)
        self.query_one("#perf-health", StackedBar).show_parts([
            ("Active", float(h.share(h.active)), h.active, colours.health_active.hex),
            ("Inactive", float(h.share(h.inactive)), h.inactive, colours.health_inactive.hex),
            ("Unsubscribed", float(h.share(h.unsubscribed)), h.unsubscribed,
             colours.health_unsubscribed.hex),
        ])

    @staticmethod
    def _note(change: Decimal | None, *, points: bool = False) -> tuple[str, str, str]:
        text = change_text(change, points=points)
        return (f"{text} vs prev. 30 days", text, direction(change))

    # -- a campaign's status (C20.4.4) ----------------------------------------------------

    def action_campaign_status(self) -> None:
        """u: pick the campaign (when the segment has more than one), then its status."""
        if not allowed(self.screen, self.user, "change campaigns", Permission.PAUSE_CAMPAIGNS):
            return
        if not self.campaigns:
            self.notify("No campaign uses this segment yet.", severity="warning")
            return
        if len(self.campaigns) == 1:
            self._pick_status(self.campaigns[0])
            return
        found = [Choice(str(c.campaign_id), f"{c.name} ({c.status})") for c in self.campaigns]
        by_id = {str(c.campaign_id): c for c in self.campaigns}

        def picked(answer: Picked | None) -> None:
            if answer is not None and answer.choice is not None:
                self._pick_status(by_id[answer.choice.key])
        self.app.push_screen(ChoicePicker("Change the status of which campaign?", None,
                                          _choices(found)), picked)

    def _pick_status(self, campaign: CampaignPerformance) -> None:
        found = [Choice(s.value, s.value + (" (now)" if s.value == campaign.status else ""))
                 for s in CampaignStatus]

        def picked(answer: Picked | None) -> None:
            if answer is not None and answer.choice is not None:
                self._set_status(campaign.campaign_id, CampaignStatus(answer.choice.key))
        self.app.push_screen(ChoicePicker(f"Status of “{campaign.name}”", None,
                                          _choices(found)), picked)

    @in_thread("campaign-status", notify_failed=True)
    def _set_status(self, campaign_id: int, status: CampaignStatus) -> None:
        changed = self.store.campaigns.set_status(campaign_id, status, self.user)
        deliver(self.app, self.app.notify, changed.summary(), markup=False)
        if changed.changed:
            deliver(self, self.post_message, DetailTab.Changed())
