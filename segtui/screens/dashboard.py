"""The Segments dashboard (spec 7.1; acceptance criteria 1, 6, 7, 17, 18)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, DataTable, Header, Input, Label, Select

from segtui.core import clock
from segtui.core.busy import DatabaseBusy
from segtui.core.csv_safe import free_path, write_csv
from segtui.core.enums import SegmentStatus
from segtui.core.export import (
    SEGMENT_EXPORT_HEADER,
    segment_export_rows,
    segments_export_filename,
)
from segtui.core.formatting import dmy, plural, whole
from segtui.core.permissions import CurrentUser, Permission
from segtui.core.records import (
    Choice,
    ChoiceKind,
    DashboardMetrics,
    Page,
    SegmentFilter,
    SegmentRow,
    SegmentSort,
    SegmentSortColumn,
)
from segtui.core.rule_language import RuleSyntaxError, format_rule, parse
from segtui.core.rules import Group, Node
from segtui.core.segments import SegmentDetails, SegmentError, SegmentNotFound
from segtui.data.store import Store
from segtui.screens.allowed import allowed
from segtui.screens.modals.add_contacts import AddContactsModal
from segtui.screens.modals.choice_picker import ChoicePicker
from segtui.screens.modals.create_segment import CreateSegmentModal
from segtui.screens.modals.delete_segment import DeleteSegmentModal
from segtui.screens.modals.edit_segment import EditSegmentModal
from segtui.screens.modals.results import SegmentDeleted, SegmentSaved
from segtui.screens.modals.row_menu import RowAction, RowMenu
from segtui.widgets.asking import Picked
from segtui.widgets.badges import segment_status_badge
from segtui.widgets.key_bar import KeyBar
from segtui.widgets.metric_card import MetricCard
from segtui.widgets.paged_table import Column, PagedTable, PageRequest
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread, say_busy

SEARCH_DEBOUNCE_SECONDS = 0.15
RULE_PREFIX = "?"  # a search starting with this is a rule in the query language
WIDE = 100  # below this many columns the description moves out of the table

# Every column but the menu sorts the list (its key is a SegmentSortColumn).
COLUMNS: list[Column[SegmentRow]] = [
    Column("name", "Name", lambda r: user_text(r.name, "bold"), sortable=True),
    Column("description", "Description", lambda r: user_text(r.description),
           min_table_width=WIDE, sortable=True),
    Column("status", "Status", lambda r: segment_status_badge(r.status), width=10,
           sortable=True),
    Column("contacts", "Contacts", lambda r: Text(whole(r.contact_count)), width=8,
           justify="right", sortable=True),
    Column("campaigns", "Campaigns", lambda r: Text(whole(r.campaign_count)), width=9,
           justify="right", sortable=True),
    Column("last_modified", "Last Modified", lambda r: Text(dmy(r.last_modified)), width=13,
           sortable=True),
    Column("actions", "⋯", lambda r: Text("⋯", style="bold"), width=1, menu=True),
]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}

# What the list says when it is empty, with the next step (issue 15 §15).
EMPTY_LIST = "No segments yet — n: new segment, i: import contacts"
EMPTY_MATCH = "No segments match the search and filters — c: clear them"

STATUS_OPTIONS: list[tuple[str, str]] = [("All Statuses", "")] + [
    (s.value, s.value) for s in SegmentStatus
]

HELP_INTRO = (
    "The Segments dashboard lists every segment with its live member and campaign counts. "
    "Search matches segment names, segment tags and the companies of member contacts. "
    "City, state and company filters keep segments with at least one current member "
    "matching all of them. The list is paged: moving past the last row loads the next page. "
    "Below 100 columns the highlighted segment's description is on the line under the list."
)


class DashboardScreen(Screen[None]):
    AUTO_FOCUS = "#segments"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide")]
    HELP = HELP_INTRO
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
        Binding("e", "edit_segment", "Edit", id="dashboard.edit"),
        Binding("d", "delete_segment", "Delete", id="dashboard.delete"),
        Binding("m", "row_menu", "Menu", id="dashboard.menu"),
        Binding("enter", "open_segment", "Open", show=False, id="dashboard.open"),
        Binding("y", "duplicate_segment", "Duplicate", show=False, id="dashboard.duplicate"),
        Binding("a", "add_contacts", "Add contacts", show=False,
                id="dashboard.add-contacts"),
        Binding("S", "reverse_sort", "Reverse sort", show=False, id="dashboard.reverse-sort"),
        Binding("c", "clear_filters", "Clear filters", show=False,
                id="dashboard.clear-filters"),
        Binding("Q", "data_quality", "Data quality", show=False, id="dashboard.quality"),
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

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        with Horizontal(id="cards"):
            yield MetricCard("Total Segments", "Segments", id="card-total-segments")
            yield MetricCard("Total Contacts", "Contacts", id="card-total-contacts")
            yield MetricCard("Active Segments", "Active", id="card-active-segments")
            yield MetricCard("Avg. Segment Size", "Avg. Size", id="card-avg-size")
            yield MetricCard("Unsubscribed", "Unsubscr.", id="card-unsubscribed")
        with Horizontal(id="toolbar"):
            yield Input(placeholder="Search segments, tags, companies…  (/)", id="search")
            yield Button("+ New Segment", id="new-segment", variant="primary")
            yield Button("Export CSV", id="export")
        yield Label("", id="rule-hint")
        with Horizontal(id="filters"):
            yield Select(STATUS_OPTIONS, value="", allow_blank=False, id="status-filter")
            yield Button("All cities", id="city-filter", classes="filter-button")
            yield Button("All states", id="state-filter", classes="filter-button")
            yield Button("All companies", id="company-filter", classes="filter-button")
            yield Button("Clear", id="clear-filters")
        table = PagedTable(COLUMNS, row_key=lambda r: r.id, id="segments")
        yield table
        yield table.detail_line(max_lines=1, id="description-preview")
        yield Label(id="list-status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "Segments"
        self.query_one("#filters").display = False
        self.query_one("#rule-hint").display = False
        self._update_sort_headers()
        self.reload(metrics=True)
        self.reevaluate_stale()

    # -- loading -------------------------------------------------------------------------

    def reload(self, *, metrics: bool = False) -> None:
        """Reload the list for the current filter and sort (and the cards if asked)."""
        flt, sort, store = self.filter, self.sort, self.store

        def fetch_page(request: PageRequest, limit: int) -> Page[SegmentRow]:
            return store.segment_page(
                flt, sort, after=request.after, before=request.before,
                at_end=request.at_end, starting_at=request.starting_at, limit=limit,
            )

        table = self.query_one(PagedTable)
        table.set_empty_text(EMPTY_LIST if flt.is_empty else EMPTY_MATCH)
        table.load(fetch_page, lambda: store.segment_count(flt))
        if metrics:
            self.load_metrics()

    @in_thread("metrics")
    def load_metrics(self) -> None:
        metrics = self.store.dashboard_metrics()
        deliver(self, self._show_metrics, metrics)

    def _show_metrics(self, m: DashboardMetrics) -> None:
        for card_id, value in (
            ("#card-total-segments", m.total_segments),
            ("#card-total-contacts", m.total_contacts),
            ("#card-active-segments", m.active_segments),
            ("#card-avg-size", m.avg_segment_size),
            ("#card-unsubscribed", m.unsubscribed_contacts),
        ):
            self.query_one(card_id, MetricCard).value = whole(value)

    @on(PagedTable.Loaded, "#segments")
    def _list_loaded(self) -> None:
        table = self.query_one(PagedTable)
        shown = len(table.rows_on_page)
        if table.total is None:
            count = "counting…"
        elif table.total == 0:
            count = "No segments match" if not self.filter.is_empty else "No segments yet"
        elif shown == table.total:
            count = plural(table.total, "segment")
        else:
            first = table.first_index + 1 if shown else 0
            count = f"{whole(first)}–{whole(table.first_index + shown)} of {whole(table.total)}"
        # The header's own words, arrow included: the two always agree.
        sort = f"sorted by {table.header_label(COLUMN_BY_KEY[self.sort.column.value])}"
        self.query_one("#list-status", Label).update(
            Text.assemble(count, " · ", sort, " · ", self._filter_summary())
        )

    @on(PagedTable.LoadFailed)
    def _load_failed(self, event: PagedTable.LoadFailed) -> None:
        self.notify(f"Could not load segments: {event.error}", severity="error", markup=False)

    def _filter_summary(self) -> Text:
        f = self.filter
        parts = [
            f"search “{f.search}”" if f.search else "",
            f"status {f.status.value}" if f.status else "",
            f"city {f.city}" if f.city else "",
            f"state {f.state}" if f.state else "",
            f"company {f.company.label}" if f.company else "",
        ]
        active = [p for p in parts if p]
        return user_text("filtered by " + ", ".join(active) if active else "no filters")

    # -- search and filters ----------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._debounced_search(event.value)

    @work(exclusive=True, group="search")
    async def _debounced_search(self, text: str) -> None:
        await asyncio.sleep(SEARCH_DEBOUNCE_SECONDS)
        stripped = text.lstrip()
        if stripped.startswith(RULE_PREFIX):
            self._rule_search(stripped[1:], offset=len(text) - len(stripped) + 1)
            return
        self.rule_hint("")
        self._set_filter(replace(self.filter, search=text, rule=None))

    def _rule_search(self, text: str, offset: int) -> None:
        """"?rule": segments with a member the rule matches (issue 5 §2); enter then creates
        a dynamic segment from the rule."""
        try:
            tree = parse(text)
        except RuleSyntaxError as exc:
            self.rule_hint(f"Rule: {exc.message} (column {exc.column + offset})", error=True)
            return
        self.rule_hint("Checking the rule…")
        self._check_rule_search(tree)

    @in_thread("rule-search")
    def _check_rule_search(self, tree: Group) -> None:
        checked, issues = self.store.check_rule(tree)
        if issues:
            message = "Rule: " + "; ".join(i.message for i in issues)
            deliver(self, self.rule_hint, message, True)
            return
        count = self.store.rule_count(checked)
        deliver(self, self._rule_searched, checked, count)

    def _rule_searched(self, rule: Node, count: int) -> None:
        self.rule_hint(f"{plural(count, 'contact')} match "
                       f"{format_rule(rule)} · segments with such members are listed · "
                       "enter: create a dynamic segment from this rule")
        self._set_filter(replace(self.filter, search="", rule=rule))

    def rule_hint(self, message: str, error: bool = False) -> None:
        hint = self.query_one("#rule-hint", Label)
        hint.update(user_text(message))
        hint.display = bool(message)
        hint.set_class(error, "error")

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        rule = self.filter.rule
        if rule is not None and self.query_one("#search", Input).value.lstrip().startswith(
                RULE_PREFIX) and self._may_edit():
            assert isinstance(rule, Group)
            self.app.push_screen(CreateSegmentModal(self.store, self.user, rule), self._saved)
            return
        self.query_one(PagedTable).focus()

    def _set_filter(self, flt: SegmentFilter) -> None:
        if flt != self.filter:
            self.filter = flt
            self.reload()
        self._show_filter_buttons()

    def _show_filter_buttons(self) -> None:
        f = self.filter
        self.query_one("#city-filter", Button).label = user_text(f"City: {f.city}" if f.city
                                                                 else "All cities")
        self.query_one("#state-filter", Button).label = user_text(f"State: {f.state}" if f.state
                                                                  else "All states")
        self.query_one("#company-filter", Button).label = user_text(
            f"Company: {f.company.label}" if f.company else "All companies"
        )

    @on(Select.Changed, "#status-filter")
    def _status_changed(self, event: Select.Changed) -> None:
        value = event.value if isinstance(event.value, str) else ""
        self._set_filter(replace(self.filter, status=SegmentStatus(value) if value else None))

    @on(Button.Pressed, ".filter-button")
    def _pick_filter(self, event: Button.Pressed) -> None:
        kind = {
            "city-filter": ChoiceKind.CITY,
            "state-filter": ChoiceKind.STATE,
            "company-filter": ChoiceKind.COMPANY,
        }[event.button.id or ""]
        self.pick_filter(kind)

    def pick_filter(self, kind: ChoiceKind) -> None:
        current = {
            ChoiceKind.CITY: Choice(self.filter.city, self.filter.city) if self.filter.city
            else None,
            ChoiceKind.STATE: Choice(self.filter.state, self.filter.state) if self.filter.state
            else None,
            ChoiceKind.COMPANY: self.filter.company,
        }[kind]
        plural = {ChoiceKind.CITY: "cities", ChoiceKind.STATE: "states",
                  ChoiceKind.COMPANY: "companies"}[kind]
        store = self.store

        def picked(result: Picked | None) -> None:
            if result is None:
                return
            choice = result.choice
            if kind is ChoiceKind.COMPANY:
                self._set_filter(replace(self.filter, company=choice))
            elif kind is ChoiceKind.CITY:
                self._set_filter(replace(self.filter, city=choice.key if choice else None))
            else:
                self._set_filter(replace(self.filter, state=choice.key if choice else None))

        self.app.push_screen(
            ChoicePicker(
                f"Filter by {kind.value}", f"All {plural}",
                lambda text: store.choices(kind, text), current,
            ),
            picked,
        )

    @on(Button.Pressed, "#clear-filters")
    def action_clear_filters(self) -> None:
        self.query_one("#search", Input).value = ""
        self.query_one("#status-filter", Select).value = ""
        self._set_filter(SegmentFilter())

    def action_back_to_list(self) -> None:
        """escape: leave the search box or the filter bar for the list."""
        self.query_one(PagedTable).focus()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_toggle_filters(self) -> None:
        filters = self.query_one("#filters")
        filters.display = not filters.display
        if filters.display:
            self.query_one("#status-filter", Select).focus()
        else:
            self.query_one(PagedTable).focus()

    # -- sorting -------------------------------------------------------------------------

    def action_next_sort(self) -> None:
        """s: the next column shown (never one the terminal is too narrow for)."""
        key = self.query_one(PagedTable).next_sort_key(self.sort.column.value)
        if key is not None:
            self._set_sort(SegmentSort(SegmentSortColumn(key)))

    def action_reverse_sort(self) -> None:
        self._set_sort(self.sort.toggled())

    @on(DataTable.HeaderSelected, "#segments")
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        key = event.column_key.value or ""
        if key not in SegmentSortColumn._value2member_map_:
            return
        column = SegmentSortColumn(key)
        self._set_sort(self.sort.toggled() if column == self.sort.column else SegmentSort(column))

    def _set_sort(self, sort: SegmentSort) -> None:
        self.sort = sort
        self._update_sort_headers()
        self.reload()

    def _update_sort_headers(self) -> None:
        self.query_one(PagedTable).show_sort(self.sort.column.value, self.sort.descending)

    # -- rows ----------------------------------------------------------------------------

    def _current(self) -> SegmentRow | None:
        row = self.query_one(PagedTable).current_row
        if row is None:
            self.notify("No segment selected", severity="warning")
        return row

    @on(DataTable.RowSelected, "#segments")
    def action_open_segment(self) -> None:
        row = self._current()
        if row is not None:
            self.open_segment_by_id(row.id, row.name)

    def open_segment_by_id(self, segment_id: int, name: str = "") -> None:
        """Open the detail screen (also used by the command palette)."""
        from segtui.screens.detail.screen import SegmentDetailScreen

        def back(_: None) -> None:
            # The segment may have changed there: counts, name, or it may be gone.
            self.query_one(PagedTable).reload(show=segment_id)
            self.load_metrics()

        self.app.push_screen(
            SegmentDetailScreen(self.store, self.user, segment_id, name or f"#{segment_id}"),
            back,
        )

    def _may_edit(self) -> bool:
        return allowed(self, self.user, "change segments")

    @on(Button.Pressed, "#new-segment")
    def action_new_segment(self) -> None:
        if self._may_edit():
            self.app.push_screen(CreateSegmentModal(self.store, self.user), self._saved)

    def action_edit_segment(self) -> None:
        row = self._current()
        if row is not None and self._may_edit():
            self._open_editor(row.id)

    @in_thread("open")
    def _open_editor(self, segment_id: int) -> None:
        details = self.store.segment_details(segment_id)
        deliver(self, self._edit, segment_id, details)

    def _edit(self, segment_id: int, details: SegmentDetails | None) -> None:
        if details is None:
            self._gone()
            return
        self.app.push_screen(EditSegmentModal(self.store, self.user, details), self._saved)

    def action_delete_segment(self) -> None:
        row = self._current()
        if row is not None:
            self.app.push_screen(
                DeleteSegmentModal(self.store, self.user, row.id, row.name), self._deleted
            )

    def action_duplicate_segment(self) -> None:
        row = self._current()
        if row is not None and self._may_edit():
            self._duplicate(row.id)

    @in_thread("duplicate")
    def _duplicate(self, segment_id: int) -> None:
        try:
            new_id = self.store.duplicate_segment(segment_id, self.user)
        except SegmentNotFound:
            deliver(self, self._gone)
            return
        except SegmentError as error:
            deliver(self.app, self.app.notify, str(error), severity="error", markup=False)
            return
        details = self.store.segment_details(new_id)
        if details is not None:
            saved = SegmentSaved(new_id, details.name, details.members, created=True)
            deliver(self, self._saved, saved)

    def action_add_contacts(self) -> None:
        row = self._current()
        if row is not None and self._may_edit():
            self.app.push_screen(
                AddContactsModal(self.store, self.user, row.id, row.name), self._saved
            )

    def _gone(self) -> None:
        self.notify("That segment no longer exists: someone deleted it.", severity="warning")
        self.action_refresh()

    def _saved(self, result: SegmentSaved | None) -> None:
        if result is None:
            return
        added = plural(result.added, "contact")
        if result.created:
            message = f"Segment “{result.name}” created with {added}"
        elif result.added:
            message = f"Segment “{result.name}” saved; {added} added"
        else:
            message = f"Segment “{result.name}” saved"
        self.notify(message, markup=False)
        self.query_one(PagedTable).reload(show=result.segment_id)
        self.load_metrics()

    def _deleted(self, result: SegmentDeleted | None) -> None:
        if result is not None:
            self.notify(f"Segment “{result.segment_name}” deleted", markup=False)
            self.action_refresh()

    def action_row_menu(self) -> None:
        row = self._current()
        if row is None:
            return

        def chosen(action: str | None) -> None:
            if action == RowAction.VIEW:
                self.action_open_segment()
            elif action == RowAction.EDIT:
                self.action_edit_segment()
            elif action == RowAction.DUPLICATE:
                self.action_duplicate_segment()
            elif action == RowAction.DELETE:
                self.action_delete_segment()

        self.app.push_screen(RowMenu(row.name), chosen)

    @on(PagedTable.MenuRequested, "#segments")
    def _menu_clicked(self) -> None:
        self.action_row_menu()

    # -- export and refresh --------------------------------------------------------------

    @on(Button.Pressed, "#export")
    def action_export(self) -> None:
        self.export_csv(Path.cwd())

    def action_import_file(self) -> None:
        """i: import contacts, events or campaign results from a CSV file (issue 6); the
        cards and the list reload after an import."""
        from segtui.screens.modals.import_file import IMPORTING, ImportFileModal

        if not allowed(self, self.user, IMPORTING):
            return
        self.app.push_screen(ImportFileModal(self.store, self.user),
                             lambda outcome: self._reload() if outcome else None)

    @in_thread("export")
    def export_csv(self, directory: Path) -> None:
        """Write exactly the rows the list shows (all pages, current filter and sort)."""
        try:
            path = free_path(directory, segments_export_filename(clock.today()))
            count = write_csv(
                path,
                SEGMENT_EXPORT_HEADER,
                segment_export_rows(self.store.iter_segments(self.filter, self.sort)),
            )
        except OSError as error:
            deliver(self.app, self.app.notify, f"Export failed: {error}", severity="error",
                    markup=False)
            return
        deliver(self.app, self.app.notify, f"Exported {plural(count, 'segment')} to {path}",
                title="Export CSV", markup=False)

    def action_data_quality(self) -> None:
        """The data quality report (docs/quality.md); a merge there changes counts here."""
        from segtui.screens.quality import DataQualityScreen

        self.app.push_screen(DataQualityScreen(self.store, self.user), lambda _: self._reload())

    def action_refresh(self) -> None:
        """Reload now; then re-evaluate every dynamic segment's rule and reload again."""
        self._reload()
        if self.user.may(Permission.EDIT_SEGMENTS):
            self._reevaluate()

    def _reload(self) -> None:
        self.query_one(PagedTable).reload()
        self.load_metrics()

    @in_thread("reevaluate")
    def reevaluate_stale(self) -> None:
        """At start: bring dynamic segments evaluated before today up to date."""
        try:
            results = self.store.refresh_stale()
        except DatabaseBusy as error:
            say_busy(self, error)
            return
        if any(r.changed for r in results):
            deliver(self, self._reload)

    @in_thread("reevaluate")
    def _reevaluate(self) -> None:
        try:
            results = self.store.refresh_segments(user=self.user)
        except DatabaseBusy as error:
            say_busy(self, error)
            return
        if not results:
            return
        changed = sum(1 for r in results if r.changed)
        elapsed = sum(r.elapsed_ms for r in results)
        deliver(self.app, self.app.notify,
                f"Re-evaluated {plural(len(results), 'dynamic segment')} in {elapsed:,} ms; "
                f"{changed:,} changed", markup=False)
        deliver(self, self._reload)
