"""The Usage & audit screen (C19.4.4-C19.4.7), for administrators, opened from the
dashboard with `U` (or the command palette). Three tabs, 1-3:

- Log (log_view.py): the audit log, filtered, paged from SQL; x exports what it shows.
- Adoption: each segment's views, exports and campaigns in the last 30 or 90 days (p),
  most used first.
- Unused: the segments nobody used in 90 days, longest unused first; A archives the
  highlighted one at once (a restore undoes it: the dashboard's status filter shows the
  archived ones, R restores), the row leaves the list and a toast says how to restore.

enter or o opens the highlighted row's segment; r reloads the tab shown.
"""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label, TabbedContent, TabPane

from segtui.core.audit import AuditEntry
from segtui.core.permissions import CurrentUser
from segtui.core.records import Page
from segtui.core.segments import SegmentError
from segtui.core.usage import PERIODS, SegmentUsage, UnusedSegment
from segtui.data.store import Store
from segtui.screens.allowed import allowed
from segtui.screens.usage.log_view import LogView
from segtui.screens.usage.tables import (
    ADOPTION_COLUMNS,
    EMPTY_ADOPTION,
    EMPTY_UNUSED,
    HELP,
    UNUSED_COLUMNS,
    adoption_status,
    unused_status,
)
from segtui.widgets.key_bar import KeyBar
from segtui.widgets.live_changes import OthersChanged
from segtui.widgets.paged_table import PagedTable, PageRequest
from segtui.widgets.workers import deliver, run_in_thread

TABS = [("log", "Log"), ("adoption", "Adoption"), ("unused", "Unused")]
# Which tab each key works on (check_action hides it elsewhere).
ONLY_ON = {"focus_filters": "log", "clear_filters": "log", "export": "log",
           "period": "adoption", "archive": "unused"}


class UsageScreen(Screen[None]):
    AUTO_FOCUS = "#log-table"
    HELP = HELP
    BINDINGS = [
        Binding("escape,backspace", "back", "Back", id="usage.back"),
        Binding("f", "focus_filters", "Filters", id="usage.filters"),
        Binding("p", "period", "30/90 days", id="usage.period"),
        Binding("A", "archive", "Archive", id="usage.archive"),
        Binding("x", "export", "Export", id="usage.export"),
        Binding("r", "refresh", "Refresh", id="usage.refresh"),
        Binding("c", "clear_filters", "Clear filters", show=False, id="usage.clear-filters"),
        Binding("enter,o", "open_segment", "Open segment", show=False, id="usage.open"),
        *(Binding(str(n), f"tab({n})", f"Tab {n}: {title}", show=False, id=f"usage.tab-{n}")
          for n, (_, title) in enumerate(TABS, start=1)),
    ]

    def __init__(self, store: Store, user: CurrentUser) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.days = PERIODS[0]

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        with TabbedContent(id="usage-tabs"):
            with TabPane(Content("1 Log"), id="tab-log"):
                yield LogView(self.store, self.user, id="log-view")
            with TabPane(Content("2 Adoption"), id="tab-adoption"):
                adoption = PagedTable(ADOPTION_COLUMNS, row_key=lambda r: r.id,
                                      id="adoption-table")
                adoption.set_empty_text(EMPTY_ADOPTION)
                yield adoption
                yield Label("", id="adoption-status", classes="usage-status")
            with TabPane(Content("3 Unused"), id="tab-unused"):
                unused = PagedTable(UNUSED_COLUMNS, row_key=lambda r: r.id, id="unused-table")
                unused.set_empty_text(EMPTY_UNUSED)
                yield unused
                yield unused.detail_line(max_lines=1, id="unused-detail")
                yield Label("", id="unused-status", classes="usage-status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "Usage & audit"
        self._load_adoption()
        self._load_unused()

    # -- tabs ----------------------------------------------------------------------------

    @property
    def tab(self) -> str:
        return (self.query_one(TabbedContent).active or "tab-log").removeprefix("tab-")

    def action_tab(self, number: int) -> None:
        if 1 <= number <= len(TABS):
            self.query_one(TabbedContent).active = f"tab-{TABS[number - 1][0]}"

    @on(TabbedContent.TabActivated)
    def _tab_shown(self) -> None:
        self.query_one(f"#{self.tab}-table", PagedTable).focus_when_ready()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        wanted = ONLY_ON.get(action)
        # False: hidden from the key bar, and does nothing on the other tabs.
        return wanted is None or wanted == self.tab

    # -- loading -------------------------------------------------------------------------

    def _load_adoption(self) -> None:
        store, user, days = self.store, self.user, self.days

        def fetch(request: PageRequest, limit: int) -> Page[SegmentUsage]:
            return store.audit.adoption_page(days, user, after=request.after,
                                             before=request.before, at_end=request.at_end,
                                             limit=limit)

        self.query_one("#adoption-table", PagedTable).load(
            fetch, lambda: store.audit.adoption_count(user))

    def _load_unused(self) -> None:
        store, user = self.store, self.user

        def fetch(request: PageRequest, limit: int) -> Page[UnusedSegment]:
            return store.audit.unused_page(user, after=request.after, before=request.before,
                                           at_end=request.at_end, limit=limit)

        self.query_one("#unused-table", PagedTable).load(
            fetch, lambda: store.audit.unused_count(user))

    @on(PagedTable.Loaded, "#adoption-table")
    def _adoption_loaded(self, event: PagedTable.Loaded) -> None:
        status: Text = adoption_status(event.window, self.days)
        self.query_one("#adoption-status", Label).update(status)

    @on(PagedTable.Loaded, "#unused-table")
    def _unused_loaded(self, event: PagedTable.Loaded) -> None:
        status: Text = unused_status(event.window)
        self.query_one("#unused-status", Label).update(status)

    @on(PagedTable.LoadFailed)
    def _load_failed(self, event: PagedTable.LoadFailed) -> None:
        self.notify(f"Could not load the list: {event.error}", severity="error",
                    markup=False)

    def action_refresh(self) -> None:
        self.query_one(LogView).reload()
        self.query_one("#adoption-table", PagedTable).reload()
        self.query_one("#unused-table", PagedTable).reload()

    @on(OthersChanged)
    def _others_changed(self) -> None:
        """Someone else changed segments (C19.1): adoption and unused follow (the log is
        read as it was asked; r reads it again)."""
        self.query_one("#adoption-table", PagedTable).reload()
        self.query_one("#unused-table", PagedTable).reload()

    # -- the log's filters and export ----------------------------------------------------

    def action_focus_filters(self) -> None:
        self.query_one(LogView).focus_filters()

    def action_clear_filters(self) -> None:
        self.query_one(LogView).clear()

    def action_export(self) -> None:
        from segtui.screens.modals.export_audit import ExportAuditModal

        log = self.query_one(LogView)
        self.app.push_screen(ExportAuditModal(self.store, self.user, log.filter))

    # -- adoption ------------------------------------------------------------------------

    def action_period(self) -> None:
        """p: the last 30 days, or the last 90."""
        self.days = PERIODS[(PERIODS.index(self.days) + 1) % len(PERIODS)]
        self._load_adoption()

    # -- unused: archive -----------------------------------------------------------------

    def action_archive(self) -> None:
        """A: archive the highlighted unused segment, at once: a restore undoes it."""
        row = self.query_one("#unused-table", PagedTable).current_row
        if not isinstance(row, UnusedSegment):
            self.notify("No unused segment selected.", severity="warning")
            return
        if allowed(self, self.user, "archive segments"):
            run_in_thread(self, "archive", partial(self._archive, row))

    def _archive(self, row: UnusedSegment) -> None:
        try:
            name = self.store.segments.archive(row.id, self.user)
        except SegmentError as error:  # archived or deleted meanwhile, used by a rule
            deliver(self, self._archived, None, str(error))
            return
        deliver(self, self._archived, name, "")

    def _archived(self, name: str | None, why_not: str) -> None:
        if name is None:
            self.notify(why_not, severity="error", markup=False, timeout=8)
        else:
            self.notify(f"Archived “{name}”. To restore it: on the dashboard, f, status "
                        "Archived, then R (or `segtui segments restore`).",
                        title="Archive", markup=False, timeout=10)
        self.query_one("#unused-table", PagedTable).reload()
        self.query_one("#adoption-table", PagedTable).reload()

    # -- segments ------------------------------------------------------------------------

    @on(DataTable.RowSelected)
    def action_open_segment(self) -> None:
        row = self.query_one(f"#{self.tab}-table", PagedTable).current_row
        segment_id, name = None, ""
        if isinstance(row, SegmentUsage | UnusedSegment):
            segment_id, name = row.id, row.name
        elif isinstance(row, AuditEntry) and row.segment is not None:
            segment_id, name = row.segment_id, row.segment
        if segment_id is None:
            self.notify("No segment here to open.", severity="warning")
            return
        self.open_segment_by_id(segment_id, name)

    def open_segment_by_id(self, segment_id: int, name: str = "") -> None:
        """A segment's detail screen (also the command palette's "Open segment")."""
        from segtui.screens.detail.screen import SegmentDetailScreen

        self.app.push_screen(SegmentDetailScreen(self.store, self.user, segment_id,
                                                 name or f"#{segment_id}"),
                             lambda _: self.action_refresh())

    def action_back(self) -> None:
        """escape: out of a filter box to the log, else back to the dashboard."""
        log = self.query_one(LogView)
        if self.tab == "log" and log.filters_focused:
            self.query_one("#log-table", PagedTable).focus()
            return
        self.dismiss(None)
