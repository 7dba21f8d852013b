"""The Segments dashboard (R7.1; AC1, AC6, AC7, AC17, AC18).

The screen lays out its parts and keeps what the list shows (the filter and the sort): the
cards, the search bar and the filter bar (widgets/), the list (segment_list.py). What its keys do
to one segment is in segment_actions.py, export and import in transfer.py.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Button, DataTable, Header, Label

from segtui.core.audit import Action
from segtui.core.permissions import CurrentUser
from segtui.core.records import (
    ChoiceKind,
    DashboardMetrics,
    SegmentFilter,
    SegmentRow,
    SegmentSort,
)
from segtui.data.store import Store
from segtui.screens.audited import record_view
from segtui.screens.dashboard.marks import Marks
from segtui.screens.dashboard.segment_actions import SegmentActions
from segtui.screens.dashboard.segment_list import (
    EMPTY_LIST,
    EMPTY_MATCH,
    HELP_INTRO,
    WIDE,
    columns,
    list_status,
    next_sort,
    segment_pages,
    sort_by_header,
)
from segtui.screens.dashboard.transfer import export_segments, import_file
from segtui.widgets.dashboard_cards import CARD_HELP, DashboardCards
from segtui.widgets.filter_bar import FilterBar
from segtui.widgets.key_bar import KeyBar
from segtui.widgets.live_changes import OthersChanged, announce
from segtui.widgets.paged_table import PagedTable, RowWindow
from segtui.widgets.search_bar import SearchBar
from segtui.widgets.workers import deliver, in_thread


class DashboardScreen(Screen[None]):
    AUTO_FOCUS = "#segments"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide")]
    HELP = HELP_INTRO + "\n\nThe cards:\n" + "\n".join(CARD_HELP.values())
    # The key bar shows the first keys that fit, in this order (docs/keys.md): at 80
    # columns up to Refresh. The ids are for users' keymaps; one key, one meaning.
    BINDINGS = [
        Binding("n", "new_segment", "New", id="dashboard.new"),
        Binding("slash", "focus_search", "Search", id="dashboard.search"),
        Binding("f", "toggle_filters", "Filters", id="dashboard.filters"),
        Binding("s", "next_sort", "Sort", id="dashboard.sort"),
        Binding("x", "export", "Export", id="dashboard.export"),
        Binding("i", "import_file", "Import", id="dashboard.import"),
        Binding("r", "refresh", "Refresh", id="dashboard.refresh"),
        Binding("e", "segment('edit')", "Edit", id="dashboard.edit"),
        Binding("d", "segment('delete')", "Delete", id="dashboard.delete"),
        Binding("m", "segment('menu')", "Menu", id="dashboard.menu"),
        Binding("enter", "segment('open')", "Open", show=False, id="dashboard.open"),
        Binding("y", "segment('duplicate')", "Duplicate", show=False,
                id="dashboard.duplicate"),
        Binding("a", "segment('add_contacts')", "Add contacts", show=False,
                id="dashboard.add-contacts"),
        # C20.4.1: its current members kept as a new static segment.
        Binding("F", "segment('freeze')", "Freeze (snapshot)", show=False,
                id="dashboard.freeze"),
        Binding("S", "reverse_sort", "Reverse sort", show=False, id="dashboard.reverse-sort"),
        Binding("c", "clear_filters", "Clear filters", show=False,
                id="dashboard.clear-filters"),
        Binding("Q", "data_quality", "Data quality", show=False, id="dashboard.quality"),
        Binding("U", "usage", "Usage & audit", show=False, id="dashboard.usage"),
        Binding("R", "segment('restore')", "Restore archived", show=False,
                id="dashboard.restore"),
        Binding("P", "users", "Users (people)", show=False, id="dashboard.users"),  # C19.3.3
        Binding("K", "api_tokens", "API tokens", show=False,
                id="dashboard.api-tokens"),  # C21.2.4
        Binding("W", "webhooks", "Webhooks", show=False, id="dashboard.webhooks"),  # C21.3.5
        # C20.5.1: space selects a row to compare, as it selects a row in the contact
        # picker (one meaning); C compares them.
        Binding("space", "mark", "Mark to compare", show=False, id="dashboard.select-row"),
        Binding("C", "compare", "Compare marked", show=False, id="dashboard.compare"),
        # C22.4.1: G for groups (the clusters Discover finds); d and D mean other things.
        Binding("G", "discover", "Discover segments", show=False, id="dashboard.discover"),
        # Leaves the search box or the filter bar for the list: a key, not a command.
        Binding("escape", "back_to_list", "Back to the list", show=False,
                id="dashboard.back"),
    ]

    def __init__(self, store: Store, user: CurrentUser) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.filter = SegmentFilter()
        self.sort = SegmentSort()
        self.segments = SegmentActions(
            self, store, user, highlighted=lambda: self.query_one(PagedTable).current_row,
            changed=self._segments_changed, refresh=self.action_refresh)
        self.marks = Marks(self, store, user,
                           highlighted=lambda: self.query_one(PagedTable).current_row,
                           shown=self._mark_shown)

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        yield DashboardCards(id="cards")
        yield SearchBar(self.store, Button("+ New Segment", id="new-segment", variant="primary"),
                        Button("Export CSV", id="export"))
        yield FilterBar(self.store, id="filters")
        table = PagedTable(columns(lambda sid: sid in self.marks), row_key=lambda r: r.id,
                           id="segments")
        yield table
        yield table.detail_line(max_lines=1, id="description-preview")
        yield Label(id="list-status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "Segments"
        self._set_sort(self.sort, reload=False)
        self.reload(metrics=True)
        self.segments.reevaluate_stale()
        record_view(self, self.store, self.user, Action.DASHBOARD_ACCESSED)

    # -- the list and the cards --------------------------------------------------------------

    def reload(self, *, metrics: bool = False) -> None:
        """Reload the list for the current filter and sort (and the cards if asked)."""
        table = self.query_one(PagedTable)
        table.set_empty_text(EMPTY_LIST if self.filter.is_empty else EMPTY_MATCH)
        table.load(*segment_pages(self.store, self.filter, self.sort))
        if metrics:
            self.load_metrics()

    @in_thread("metrics")
    def load_metrics(self) -> None:
        deliver(self, self._show_metrics, self.store.segments.dashboard_metrics())

    def _show_metrics(self, metrics: DashboardMetrics) -> None:
        self.query_one(DashboardCards).show(metrics)

    @on(PagedTable.Loaded, "#segments")
    def _list_loaded(self, event: PagedTable.Loaded) -> None:
        self._show_status(event.window)

    def _show_status(self, window: RowWindow) -> None:
        status: Text = Text.assemble(list_status(window, self.filter, self.sort),
                                     self.marks.status())
        self.query_one("#list-status", Label).update(status)

    @on(PagedTable.LoadFailed)
    def _load_failed(self, event: PagedTable.LoadFailed) -> None:
        self.notify(f"Could not load segments: {event.error}", severity="error", markup=False)

    # -- search and filters ----------------------------------------------------------------

    def _set_filter(self, flt: SegmentFilter) -> None:
        if flt != self.filter:
            self.filter = flt
            self.reload()

    @on(SearchBar.Changed)
    def _searched(self, event: SearchBar.Changed) -> None:
        self._set_filter(replace(self.filter, search=event.text, rule=event.rule))

    @on(SearchBar.Submitted)
    def _search_entered(self, event: SearchBar.Submitted) -> None:
        """enter: a dynamic segment from the "?rule" searched (D1.2), else the list."""
        if event.rule is None or not self.segments.new(event.rule):
            self.query_one(PagedTable).focus_when_ready()

    @on(FilterBar.Changed)
    def _filtered(self, event: FilterBar.Changed) -> None:
        self._set_filter(event.filters.applied_to(self.filter))

    def pick_filter(self, kind: ChoiceKind) -> None:
        self.query_one(FilterBar).pick(kind)

    @on(Button.Pressed, "#clear-filters")
    def action_clear_filters(self) -> None:
        self.query_one(SearchBar).clear()
        self.query_one(FilterBar).clear()
        self._set_filter(SegmentFilter())

    def action_back_to_list(self) -> None:
        """escape: leave the search box or the filter bar for the list."""
        self.query_one(PagedTable).focus_when_ready()

    def action_focus_search(self) -> None:
        self.query_one(SearchBar).focus_box()

    def action_toggle_filters(self) -> None:
        filters = self.query_one(FilterBar)
        filters.display = not filters.display
        if filters.display:
            filters.focus_first()
        else:
            self.query_one(PagedTable).focus_when_ready()

    # -- sorting -------------------------------------------------------------------------

    def action_next_sort(self) -> None:
        """s: the next column shown (never one the terminal is too narrow for)."""
        sort = next_sort(self.query_one(PagedTable), self.sort)
        if sort is not None:
            self._set_sort(sort)

    def action_reverse_sort(self) -> None:
        self._set_sort(self.sort.toggled())

    @on(DataTable.HeaderSelected, "#segments")
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        sort = sort_by_header(event.column_key.value, self.sort)
        if sort is not None:
            self._set_sort(sort)

    def _set_sort(self, sort: SegmentSort, *, reload: bool = True) -> None:
        self.sort = sort
        self.query_one(PagedTable).show_sort(sort.column.value, sort.descending)
        if reload:
            self.reload()

    # -- segments (segment_actions.py) ------------------------------------------------------

    def action_segment(self, what: str) -> None:
        """enter, e, d, y, a, F, m, R: open, edit... the highlighted segment."""
        if what == "restore" and not self.filter.archived:
            self.notify("R restores an archived segment: f, then status Archived, lists "
                        "them.", severity="warning")
            return
        actions = {"open": self.segments.open, "edit": self.segments.edit,
                   "delete": self.segments.delete, "duplicate": self.segments.duplicate,
                   "add_contacts": self.segments.add_contacts,
                   "freeze": self.segments.freeze,
                   "menu": lambda: self.segments.menu(self.filter.archived),
                   "restore": self.segments.restore}
        actions[what]()

    @on(DataTable.RowSelected, "#segments")
    @on(PagedTable.MenuRequested, "#segments")
    def _row_chosen(self, event: DataTable.RowSelected | PagedTable.MenuRequested) -> None:
        self.action_segment("open" if isinstance(event, DataTable.RowSelected) else "menu")

    @on(Button.Pressed, "#new-segment")
    def action_new_segment(self) -> None:
        self.segments.new()

    def open_segment_by_id(self, segment_id: int, name: str = "") -> None:
        """The detail screen of any segment (the command palette's "open segment")."""
        self.segments.open(segment_id, name)

    # -- compare (marks.py) ----------------------------------------------------------------

    def action_mark(self) -> None:
        """space: mark or unmark the highlighted segment to compare (C20.5.1)."""
        self.marks.toggle()

    def _mark_shown(self, row: SegmentRow) -> None:
        table = self.query_one(PagedTable)
        table.replace_row(row)
        self._show_status(table.window)

    def action_compare(self) -> None:
        """C: the compare screen for the marked segments (C20.5.2)."""
        self.marks.compare(self._mark_shown_all)

    def _mark_shown_all(self) -> None:
        table = self.query_one(PagedTable)
        for row in list(table.rows_on_page):
            table.replace_row(row)
        self._show_status(table.window)

    # -- export, import, data quality, refresh ----------------------------------------------

    @on(Button.Pressed, "#export")
    def action_export(self) -> None:
        self.export_csv(Path.cwd())

    def export_csv(self, directory: Path) -> None:
        """The list as shown (every page) to a new CSV file in `directory`."""
        export_segments(self, self.store, self.user, self.filter, self.sort, directory)

    def action_import_file(self) -> None:
        """i: import contacts, events or campaign results from a CSV file (I6)."""
        import_file(self, self.store, self.user, self._segments_changed)

    def action_data_quality(self) -> None:
        """The data quality report (docs/quality.md); a merge there changes counts here."""
        from segtui.screens.quality import DataQualityScreen  # loads when first wanted

        self.app.push_screen(DataQualityScreen(self.store, self.user),
                             lambda _: self._segments_changed())

    def action_usage(self) -> None:
        """U: the Usage & audit screen (administrators, C19.4.4); an archive there
        changes the list here."""
        from segtui.core.permissions import Permission
        from segtui.screens.allowed import allowed
        from segtui.screens.usage import UsageScreen  # loads when first wanted

        if allowed(self, self.user, "review the audit log", Permission.REVIEW_AUDIT):
            self.app.push_screen(UsageScreen(self.store, self.user),
                                 lambda _: self._segments_changed())

    def action_users(self) -> None:
        """P: the Users screen, for administrators (C19.3.3); a transfer there changes the
        owners shown here."""
        from segtui.core.permissions import Permission
        from segtui.screens.allowed import allowed
        from segtui.screens.users import UsersScreen  # loads when first wanted

        if allowed(self, self.user, "manage users", Permission.MANAGE_USERS):
            self.app.push_screen(UsersScreen(self.store, self.user),
                                 lambda _: self._segments_changed())

    def action_api_tokens(self) -> None:
        """K: the API tokens screen, for administrators (C21.2.4), as on the Users screen."""
        from segtui.screens.users import open_api_tokens  # loads when first wanted

        open_api_tokens(self, self.store, self.user)

    def action_webhooks(self) -> None:
        """W: every webhook subscription and its delivery log (C21.3.5)."""
        from segtui.screens.webhooks import WebhooksScreen  # loads when first wanted

        self.app.push_screen(WebhooksScreen(self.store, self.user))

    def action_discover(self) -> None:
        """G: the Discover screen (C22.4.1); a cluster kept there is a new segment here."""
        from segtui.screens.discover import DiscoverScreen  # loads when first wanted

        self.app.push_screen(DiscoverScreen(self.store, self.user),
                             lambda _: self._segments_changed())

    def action_refresh(self) -> None:
        """Reload now; then re-evaluate every dynamic segment's rule and reload again."""
        self._segments_changed()
        self.segments.reevaluate()

    @on(OthersChanged)
    def _others_changed(self, event: OthersChanged) -> None:
        """Someone else changed segments (C19.1): the list and the cards follow, the cursor
        stays on its row; on top, the screen says who."""
        self._segments_changed()
        announce(self, event)

    def _segments_changed(self, show: int | None = None) -> None:
        """After segments changed: the list (on the row of segment `show`), the cards."""
        self.query_one(PagedTable).reload(show=show)
        self.load_metrics()
