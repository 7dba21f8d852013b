"""Activity tab (spec 7.9): the timeline, newest first, filterable by type and date."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from segtui.core.activities import ACTIVITY_TYPES, ActivityFilter, ActivityRow, icon, timeline_time
from segtui.core.formatting import plural
from segtui.core.permissions import CurrentUser
from segtui.core.records import Page
from segtui.data.store import Store
from segtui.screens.detail.base import DetailTab
from segtui.screens.modals.activity_dialog import ActivityDialog
from segtui.widgets.paged_table import Column, PagedTable, PageRequest
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver

COLUMNS: list[Column[ActivityRow]] = [
    Column("icon", "", lambda r: Text(icon(r.type), style="bold"), width=1),
    Column("type", "Type", lambda r: Text(r.type, style="bold"), width=20),
    Column("by", "By", lambda r: user_text(r.performer), width=16, min_table_width=90),
    Column("when", "When", lambda r: Text(timeline_time(r.created_at)), width=23),
    Column("description", "Description", lambda r: user_text(r.description)),
]
ALL = ""


def parse_day(text: str) -> date | None:
    """A YYYY-MM-DD date; raises ValueError with a message for anything else."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text}” is not a date: use YYYY-MM-DD") from None


class ActivityTab(DetailTab):
    HELP = ("Activity: the segment's timeline, newest first. enter shows an activity in full "
            "(and edits it if you wrote it in the last 24 hours); n adds one; the filters "
            "narrow by type and dates (YYYY-MM-DD).")
    DEFAULT_CSS = """
    ActivityTab .tab-head { height: 1; }
    ActivityTab #activity-type-filter { width: 24; margin-right: 1; }
    ActivityTab .date { width: 17; margin-right: 1; }
    ActivityTab #add-activity { margin-left: 1; }
    ActivityTab #activity-count { width: 1fr; text-align: right; color: $text-muted; }
    ActivityTab #activity-filter-error { color: $error; height: auto; }
    ActivityTab #activity-filter-error:disabled { display: none; }
    ActivityTab PagedTable { height: 1fr; }
    ActivityTab #activity-details { height: auto; max-height: 4; color: $text-muted; }
    """
    BINDINGS = [Binding("n", "add", "New activity", id="activity.new")]

    def __init__(self, store: Store, user: CurrentUser, segment_id: int, name: str) -> None:
        super().__init__(store, user, segment_id, name)
        self.filter = ActivityFilter()

    def compose(self) -> ComposeResult:
        with Horizontal(classes="tab-head"):
            yield Select([("All types", ALL)] + [(t, t) for t in ACTIVITY_TYPES], value=ALL,
                         allow_blank=False, compact=True, id="activity-type-filter")
            yield Input(placeholder="From YYYY-MM-DD", compact=True, id="activity-from",
                        classes="date")
            yield Input(placeholder="To YYYY-MM-DD", compact=True, id="activity-to",
                        classes="date")
            yield Button("Add Activity", compact=True, variant="primary", id="add-activity")
            yield Label("", id="activity-count")
        yield Label("", id="activity-filter-error")
        yield PagedTable(COLUMNS, row_key=lambda r: r.id, page_size=100, id="activities")
        yield Static(id="activity-details")

    def on_mount(self) -> None:
        self.query_one("#activity-filter-error").disabled = True
        self.reload()

    def reload(self) -> None:
        flt, store, segment_id = self.filter, self.store, self.segment_id

        def fetch(request: PageRequest, limit: int) -> Page[ActivityRow]:
            return store.activity_page(segment_id, flt, after=request.after,
                                       before=request.before, at_end=request.at_end,
                                       limit=limit)

        self.query_one(PagedTable).load(fetch, lambda: store.activity_count(segment_id, flt))

    def focus_default(self) -> None:
        self.query_one(PagedTable).focus_when_ready()

    @on(PagedTable.Loaded, "#activities")
    def _loaded(self) -> None:
        table = self.query_one(PagedTable)
        count = ("… activities" if table.total is None
                 else plural(table.total, "activity", "activities"))
        self.query_one("#activity-count", Label).update(Text(count))
        self._show_details()

    @on(DataTable.RowHighlighted, "#activities")
    def _show_details(self) -> None:
        row = self.query_one(PagedTable).current_row
        details = row.details if row and row.details else ""
        self.query_one("#activity-details", Static).update(user_text(details, multiline=True))

    @on(Select.Changed, "#activity-type-filter")
    def _type_changed(self, event: Select.Changed) -> None:
        event.stop()
        value = event.value if isinstance(event.value, str) else ALL
        self._set_filter(replace(self.filter, types=frozenset({value}) if value else frozenset()))

    @on(Input.Submitted, ".date")
    @on(Input.Blurred, ".date")
    def _dates(self, event: Input.Submitted | Input.Blurred) -> None:
        event.stop()
        error = self.query_one("#activity-filter-error", Label)
        try:
            start = parse_day(self.query_one("#activity-from", Input).value)
            end = parse_day(self.query_one("#activity-to", Input).value)
        except ValueError as problem:
            error.update(user_text(str(problem)))
            error.disabled = False
            return
        if start and end and start > end:
            error.update("The “from” date is after the “to” date.")
            error.disabled = False
            return
        error.disabled = True
        self._set_filter(replace(self.filter, start=start, end=end))

    def _set_filter(self, flt: ActivityFilter) -> None:
        if flt != self.filter:
            self.filter = flt
            self.reload()

    @on(DataTable.RowSelected, "#activities")
    def _open(self) -> None:
        row = self.query_one(PagedTable).current_row
        if row is not None:
            self._open_dialog(row)

    @on(Button.Pressed, "#add-activity")
    def action_add(self) -> None:
        self._open_dialog(None)

    @work(thread=True, exclusive=True, group="people", exit_on_error=False)
    def _open_dialog(self, row: ActivityRow | None) -> None:
        people = self.store.users()
        deliver(self, self._push_dialog, row, people)

    def _push_dialog(self, row: ActivityRow | None, people: list[CurrentUser]) -> None:
        def done(saved: bool | None) -> None:
            if saved:
                self.reload()
                self.post_message(self.Changed())

        self.app.push_screen(
            ActivityDialog(self.store, self.user, self.segment_id, row, people), done
        )
