"""The dashboard's five cards: totals over every segment and contact (R7.1)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal

from segtui.core.formatting import whole
from segtui.core.records import DashboardMetrics
from segtui.widgets.metric_card import MetricCard

# (card id, label, label when narrow) -> the DashboardMetrics field it shows.
CARDS = {("card-total-segments", "Total Segments", "Segments"): "total_segments",
         ("card-total-contacts", "Total Contacts", "Contacts"): "total_contacts",
         ("card-active-segments", "Active Segments", "Active"): "active_segments",
         ("card-avg-size", "Avg. Segment Size", "Avg. Size"): "avg_segment_size",
         ("card-unsubscribed", "Unsubscribed", "Unsubscr."): "unsubscribed_contacts"}

# What each card counts (docs/dashboard.md): its tooltip, and the dashboard's help (f1).
# "Total Contacts" is the spec's "unique contacts across all segments" (R7.1.1), not every
# contact in the database: said, since a newcomer read it as the latter.
CARD_HELP = {
    "card-total-segments": "Total Segments: the segments listed, any status (archived ones "
                           "and those hidden from you aside).",
    "card-total-contacts": "Total Contacts: distinct contacts that are a current member of "
                           "at least one of them (contacts in no segment are not counted).",
    "card-active-segments": "Active Segments: those of them with status Active.",
    "card-avg-size": "Avg. Segment Size: their memberships / their number, rounded half up "
                     "(a contact in two segments counts in both).",
    "card-unsubscribed": "Unsubscribed: their members with an unsubscribe event.",
}


class DashboardCards(Horizontal):
    """Ellipses until `show()` gets the figures."""

    def compose(self) -> ComposeResult:
        for card_id, label, short in CARDS:
            yield MetricCard(label, short, id=card_id, help=CARD_HELP[card_id])

    def show(self, metrics: DashboardMetrics) -> None:
        for (card_id, _, _), field in CARDS.items():
            self.query_one(f"#{card_id}", MetricCard).value = whole(getattr(metrics, field))
