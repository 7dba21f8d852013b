"""The segment detail screen (R7.5; AC8-AC10, AC19).

Header (name, status badge, owner, created date, tags, the keys), six metric cards, and six
tabs switched with 1-6. A tab's content mounts the first time it is shown; the tab last
shown for each segment is remembered while the app runs (R7.5 "Tab state persists
during page session"). Everything reloads after the segment changes (contacts added or
removed, edited, notes and activities added).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Header, Label, TabbedContent, TabPane

from segtui.core import clock
from segtui.core.audit import Action
from segtui.core.busy import DatabaseBusy
from segtui.core.formatting import dmy, plural, point_change, whole
from segtui.core.metrics import SegmentCards, last_days, percent
from segtui.core.permissions import CurrentUser, Permission
from segtui.core.rules.refresh import evaluated_words, failure_words
from segtui.core.segments import SegmentDetails
from segtui.core.snapshots import Snapshot
from segtui.data.store import Store
from segtui.screens.allowed import allowed
from segtui.screens.audited import record_view
from segtui.screens.detail.activity_tab import ActivityTab
from segtui.screens.detail.analytics_tab import AnalyticsTab
from segtui.screens.detail.base import DetailTab
from segtui.screens.detail.contacts_tab import ContactsTab
from segtui.screens.detail.insights_tab import InsightsTab
from segtui.screens.detail.notes_tab import NotesTab
from segtui.screens.detail.performance_tab import PerformanceTab
from segtui.screens.history.screen import HistoryScreen
from segtui.screens.modals.add_contacts import AddContactsModal
from segtui.screens.modals.edit_segment import EditSegmentModal
from segtui.screens.modals.export_members import ExportMembersModal
from segtui.screens.modals.freeze_segment import FreezeSegmentModal, frozen_message
from segtui.screens.modals.results import SegmentSaved
from segtui.widgets.badges import segment_status_badge, visibility_badges
from segtui.widgets.key_bar import KeyBar
from segtui.widgets.live_changes import OthersChanged, announce
from segtui.widgets.metric_card import MetricCard
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread, say_busy

# (pane id, title, tab class); the order is the 1-6 keys.
TABS: list[tuple[str, str, type[DetailTab]]] = [
    ("contacts", "Contacts", ContactsTab),
    ("performance", "Performance", PerformanceTab),
    ("analytics", "Analytics", AnalyticsTab),
    ("insights", "AI Insights", InsightsTab),
    ("activity", "Activity", ActivityTab),
    ("notes", "Notes", NotesTab),
]

CARD_HELP = {
    "members": "Total Contacts: current members of the segment.",
    "engagement": "Engagement Rate = members who opened an email, responded or attended a "
                  "meeting in the last 30 days / members x 100. Trend: the same for the 30 "
                  "days before, in percentage points.",
    "conversion": "Conversion Rate = members with a conversion / members x 100 (one "
                  "decimal), compared with the same rate over all contacts.",
    "campaigns": "Campaigns Used: campaigns (any status) that use this segment.",
    "unsubscribed": "Unsubscribed: members with an unsubscribe event.",
    "quality": "Quality Score = 0.7 x average member quality (0-100) / 10 + 0.3 x 10 x "
               "average data completeness (valid email, phone, title, company, city).",
}


@dataclass(frozen=True)
class Summary:
    """What the header and the first cards show, fetched in one worker."""

    details: SegmentDetails
    cards: SegmentCards


def trend_note(now: Decimal, before: Decimal, members: int, engaged: int,
               engaged_before: int) -> tuple[str, str, str]:
    """'+4 pts vs last month': the change in percentage points, from the unrounded rates
    (the spec's example writes "+4%"; segtui writes every rate's change in points)."""
    if members == 0:
        return ("no members", "—", "flat")
    change = percent(engaged - engaged_before, members)
    direction = "up" if change > 0 else "down" if change < 0 else "flat"
    return (f"{point_change(change)} vs last month", point_change(change), direction)


def evaluation(d: SegmentDetails) -> str:
    """"Dynamic, evaluated 3 min ago in 35 ms · " for a dynamic segment (C20.7.5)."""
    if d.rule is None:
        return ""
    return f"Dynamic, {evaluated_words(d.evaluated_at, d.evaluation_ms, clock.now())} · "


class SegmentDetailScreen(Screen[None]):
    AUTO_FOCUS = None  # the shown tab takes the focus (DetailTab.focus_default)
    # The key bar shows the tab's keys, then these in this order, as many as fit
    # (docs/keys.md). The ids are for users' keymaps; one key, one meaning.
    BINDINGS = [
        Binding("escape,backspace", "back", "Back", id="detail.back"),
        Binding("a", "add_contacts", "Add contacts", id="detail.add-contacts"),
        Binding("e", "edit", "Edit", id="detail.edit"),
        Binding("x", "export_members", "Export", id="detail.export"),
        Binding("r", "refresh", "Refresh", id="detail.refresh"),
        Binding("h", "history", "History", show=False, id="detail.history"),
        Binding("W", "webhooks", "Webhooks", show=False, id="detail.webhooks"),  # C21.3.5
        # C20.4.1; in the help and the palette, not the key bar: at 80 columns it would
        # push Refresh off the bar.
        Binding("F", "freeze", "Freeze (snapshot)", show=False, id="detail.freeze"),
        *(Binding(str(n), f"tab({n})", f"Tab {n}: {title}", show=False, id=f"detail.tab-{n}")
          for n, (_, title, _) in enumerate(TABS, start=1)),
    ]

    def __init__(self, store: Store, user: CurrentUser, segment_id: int, name: str) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.segment_id = segment_id
        self.segment_name = name
        self.summary: Summary | None = None
        self._first_tab_shown = False
        self._mounted = False
        self._gone_meanwhile = False  # deleted while a dialog was over this screen

    def help_text(self) -> str:
        """The current tab's help, then the cards' formulas (docs/metrics.md)."""
        tab = self._current_tab()
        formulas = "\n".join(CARD_HELP.values())
        return f"{tab.HELP}\n\nThe cards:\n{formulas}" if tab else formulas

    def compose(self) -> ComposeResult:
        # The cards' queries start before the widgets are built, not after they mount:
        # building and styling the screen takes 25-40 ms the queries can run alongside.
        self.load_summary()
        yield Header(icon="◆")
        with Horizontal(id="detail-head"):
            yield Label(user_text(self.segment_name, "bold"), id="detail-title")
            yield Button("← Back to Segments", compact=True, id="back")
            yield Button("Add Contacts", compact=True, variant="primary", id="add-contacts")
            yield Button("Edit", compact=True, id="edit")
        yield Label("", id="detail-meta")
        yield Label("", id="detail-failure")  # C20.7.5: shown while evaluation fails
        with Horizontal(id="detail-cards"):
            for card_id, label, short in (
                ("members", "Total Contacts", "Contacts"),
                ("engagement", "Engagement Rate", "Engaged"),
                ("conversion", "Conversion Rate", "Converted"),
                ("campaigns", "Campaigns Used", "Campaigns"),
                ("unsubscribed", "Unsubscribed", "Unsub."),
                ("quality", "Quality Score", "Quality"),
            ):
                yield MetricCard(label, short, id=f"card-{card_id}", with_note=True,
                                 help=CARD_HELP[card_id])
        # The remembered tab is the initial one, so no other tab shows (or mounts) first.
        with TabbedContent(id="detail-tabs", initial=self._initial_tab()):
            for n, (pane_id, title, _) in enumerate(TABS, start=1):
                yield TabPane(Content(f"{n} {title}"), id=f"tab-{pane_id}")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = self.segment_name
        self._mounted = True
        record_view(self, self.store, self.user, Action.METRICS_VIEWED, self.segment_id)
        if self.summary is not None:  # the queries won the race with the widgets
            self._show_summary(self.summary)

    def _initial_tab(self) -> str:
        return self._remembered().get(self.segment_id, "tab-contacts")

    # -- header and cards ----------------------------------------------------------------

    @in_thread("summary")
    def load_summary(self) -> None:
        """Header and cards in one worker, from one Store call that reads them together
        (a large segment's on three connections at once, Store.metrics.segment_summary)."""
        try:
            found = self.store.metrics.segment_summary(self.segment_id, last_days(clock.today()))
        except Exception:
            # The first tab waits for the cards: mount it anyway (the tabs still work),
            # then let in_thread report the error.
            deliver(self, self._show_first_tab)
            raise
        if found is None:
            deliver(self, self._gone)
            return
        deliver(self, self._show_summary, Summary(*found))

    def _card(self, card_id: str) -> MetricCard:
        return self.query_one(f"#card-{card_id}", MetricCard)

    def _show_summary(self, summary: Summary) -> None:
        self.summary = summary
        if not self._mounted:
            return  # on_mount shows it
        d, m = summary.details, summary.cards.metrics
        self.segment_name = d.name
        self.sub_title = d.name
        self.query_one("#detail-title", Label).update(user_text(d.name, "bold"))
        tags = ", ".join(d.tags) if d.tags else "no tags"
        # The badge leads the second line so it survives a narrow terminal.
        self.query_one("#detail-meta", Label).update(Text.assemble(
            segment_status_badge(d.status), " ",
            visibility_badges(d.visibility, len(d.hidden_from)),
            user_text(f"{evaluation(d)}Owner {d.owner or '—'} · Created {dmy(d.created_at)}"
                      f" · Tags: {tags}"),
        ))
        failure = failure_words(d.evaluation_failed_at, d.evaluation_error, clock.now())
        failed = self.query_one("#detail-failure", Label)
        failed.update(user_text(f"⚠ {failure}" if failure else ""))
        failed.display = bool(failure and d.rule is not None)
        cards = {
            "members": (whole(m.members), None),
            "engagement": (f"{m.engagement_rate}%",
                           trend_note(m.engagement_rate, m.engagement_rate_previous, m.members,
                                      m.engaged, m.engaged_previous)),
            "conversion": (f"{m.conversion_rate}%", self._conversion_note(summary.cards)),
            "campaigns": (whole(m.campaigns), None),
            "unsubscribed": (whole(m.unsubscribed), None),
            "quality": ("—" if (score := summary.cards.quality.score) is None
                        else f"{score}/10", None),
        }
        for card_id, (value, note) in cards.items():
            card = self._card(card_id)
            card.value = value
            card.note = note
        self.call_later(self._show_first_tab)

    async def _show_first_tab(self) -> None:
        """The first tab mounts (and starts its queries) once the cards are shown: on two
        cores the members list's queries would otherwise compete with the cards' and
        push them past their 300 ms budget (docs/benchmarks.md)."""
        if not self._first_tab_shown and self.is_attached:
            self._first_tab_shown = True
            await self._mount_tab(self.query_one(TabbedContent).active)

    def _conversion_note(self, cards: SegmentCards) -> tuple[str, str, str]:
        """'vs 5.1% overall': the segment's conversion rate against all contacts'."""
        overall = percent(*cards.baseline, 1)
        mine = cards.metrics.conversion_rate
        direction = "up" if mine > overall else "down" if mine < overall else "flat"
        return (f"vs {overall}% overall", f"all {overall}%", direction)

    def _gone(self) -> None:
        if not self.is_current:  # a dialog over it says so itself; leave when it closes
            self._gone_meanwhile = True
            return
        self.notify("This segment no longer exists: someone deleted it.", severity="warning")
        self.app.pop_screen()

    def on_screen_resume(self) -> None:
        if self._gone_meanwhile:
            self._gone_meanwhile = False
            self._gone()

    @on(OthersChanged)
    def _others_changed(self, event: OthersChanged) -> None:
        """Someone else changed this segment, or contacts and events any segment may show
        (C19.1): the cards and every tab shown reload, cursors staying on their rows; on
        top, the screen says who."""
        if not event.more and not any(c.concerns(self.segment_id) for c in event.changes):
            return
        self._reload()
        announce(self, event, self.segment_id)

    # -- tabs ----------------------------------------------------------------------------

    def _remembered(self) -> dict[int, str]:
        tabs: dict[int, str] = getattr(self.app, "remembered_tabs", {})
        return tabs

    async def _mount_tab(self, pane_id: str) -> None:
        """Mount the tab's content the first time it is shown, then give it the focus.

        By hand, not with Textual's `Lazy`: Lazy mounts its widget after the screen's first
        refresh whether its tab is shown or not, so all six tabs would mount at once and
        start their queries beside the cards' (the tabs' data loads when first shown)."""
        pane = self.query_one(f"#{pane_id}", TabPane)
        if not pane.children:
            tab_class = next(cls for pid, _, cls in TABS if f"tab-{pid}" == pane_id)
            await pane.mount(tab_class(self.store, self.user, self.segment_id,
                                       self.segment_name))
        pane.query_one(DetailTab).focus_default()

    def _current_tab(self) -> DetailTab | None:
        active = self.query_one(TabbedContent).active
        tabs = list(self.query_one(f"#{active}", TabPane).query(DetailTab)) if active else []
        return tabs[0] if tabs else None

    @on(TabbedContent.TabActivated)
    async def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        """A tab shown by any means (1-6, mouse, arrows on the tab bar)."""
        pane_id = event.pane.id or ""
        self._remembered()[self.segment_id] = pane_id
        if self._first_tab_shown:  # else _show_first_tab mounts it
            await self._mount_tab(pane_id)

    @on(InsightsTab.SegmentWanted)
    def _open_other(self, event: InsightsTab.SegmentWanted) -> None:
        self.app.push_screen(SegmentDetailScreen(self.store, self.user, event.segment_id,
                                                 event.name))

    def action_tab(self, number: int) -> None:
        if 1 <= number <= len(TABS):
            self.query_one(TabbedContent).active = f"tab-{TABS[number - 1][0]}"

    @on(DetailTab.Changed)
    def action_refresh(self) -> None:
        """Re-evaluate a dynamic segment's rule now, then reload the cards and every tab that
        is mounted (a static segment just reloads)."""
        if self.summary is not None and self.summary.details.rule is not None \
                and self.user.may(Permission.EDIT_SEGMENTS):
            self._reevaluate()
        else:
            self._reload()

    def _reload(self) -> None:
        self.load_summary()
        for tab in self.query(DetailTab):
            tab.reload()

    @in_thread("reevaluate")
    def _reevaluate(self) -> None:
        try:
            results = self.store.rules.refresh_segments([self.segment_id], self.user)
        except DatabaseBusy as error:
            say_busy(self, error)
            deliver(self, self._reload)
            return
        mine = [r for r in results if r.segment_id == self.segment_id]
        if mine:
            deliver(self.app, self.app.notify, mine[0].summary(), markup=False)
        deliver(self, self._reload)

    # -- actions -------------------------------------------------------------------------

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.dismiss(None)

    def _may_edit(self) -> bool:
        return allowed(self, self.user, "change segments")

    @on(Button.Pressed, "#add-contacts")
    def action_add_contacts(self) -> None:
        if self._may_edit():
            self.app.push_screen(AddContactsModal(self.store, self.user, self.segment_id,
                                                  self.segment_name), self._saved)

    @on(Button.Pressed, "#edit")
    def action_edit(self) -> None:
        if self.summary is not None and self._may_edit():
            self.app.push_screen(EditSegmentModal(self.store, self.user, self.summary.details),
                                 self._saved)

    def action_history(self) -> None:
        """h: who entered and left, stability and migration (C20.2.2, C20.3.1)."""
        self.app.push_screen(HistoryScreen(self.store, self.user, self.segment_id,
                                           self.segment_name))

    def action_webhooks(self) -> None:
        from segtui.screens.webhooks import WebhooksScreen  # loads when first wanted

        self.app.push_screen(WebhooksScreen(self.store, self.user, self.segment_id,
                                            self.segment_name))

    def action_export_members(self) -> None:
        """x: every member with all contact fields to a CSV, JSON or JSON Lines file
        (I6); anyone may export."""
        members = self.summary.cards.metrics.members if self.summary else None
        self.app.push_screen(ExportMembersModal(self.store, self.user, self.segment_id,
                                                self.segment_name, members))

    def action_freeze(self) -> None:
        """F: its current members kept as a new static segment (C20.4.1); this screen
        stays, the dashboard lists the snapshot."""
        if self._may_edit():
            self.app.push_screen(FreezeSegmentModal(self.store, self.user, self.segment_id,
                                                    self.segment_name), self._frozen)

    def _frozen(self, snap: Snapshot | None) -> None:
        if snap is not None:
            self.notify(frozen_message(snap), markup=False)

    def _saved(self, result: SegmentSaved | None) -> None:
        if result is not None:
            added = f"; {plural(result.added, 'contact')} added" if result.added else ""
            self.notify(f"Segment “{result.name}” saved{added}", markup=False)
            self.action_refresh()
