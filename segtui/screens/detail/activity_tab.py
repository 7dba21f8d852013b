"""Activity tab (R7.9): the timeline, newest first, filterable by type and date."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Input, Label, Select

from segtui.core.activities import ACTIVITY_TYPES, ActivityFilter, ActivityRow, icon, timeline_time
from segtui.core.formatting import plural
from segtui.core.permissions import CurrentUser
from segtui.core.records import Page
from segtui.data.store import Store
from segtui.screens.allowed import allowed
from segtui.screens.detail.base import DetailTab
from segtui.screens.modals.activity_dialog import ActivityDialog
from segtui.widgets.paged_table import Column, PagedTable, PageRequest
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread

# R7.9's fields. Below 90 columns "By" moves to the detail line under the table, with
# the highlighted activity's details (which are never a column) (U15.7).
COLUMNS: list[Column[ActivityRow]] = [
    Column("icon", "", lambda r: Text(icon(r.type), style="bold"), width=1, detail="never"),
    Column("type", "Type", lambda r: Text(r.type, style="bold"), width=20),
    Column("by", "By", lambda r: user_text(r.performer), width=16, min_table_width=90),
    # "September 30, 2024 12:00" is 24 cells.
    Column("when", "When", lambda r: Text(timeline_time(r.created_at)), width=24),
    Column("description", "Description", lambda r: user_text(r.description)),
    Column("details", "Details", lambda r: user_text(r.details, multiline=True),
           detail="only"),
]
ALL = ""
DATE_SHAPE = "dddd-dd-dd"  # YYYY-MM-DD: d a digit
EMPTY = "No activities yet — n: add one"
EMPTY_MATCH = "No activities match the filters — c: clear them"


def parse_day(text: str) -> date | None:
    """A YYYY-MM-DD date; raises ValueError with a message for anything else."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text}” is not a date: use YYYY-MM-DD") from None


def could_become_date(text: str) -> bool:
    """The start of a YYYY-MM-DD date still being typed ("2024-0", "2024-02-3")."""
    if len(text) >= len(DATE_SHAPE):
        return False
    for char, shape in zip(text, DATE_SHAPE, strict=False):
        if (char in "0123456789") != (shape == "d"):
            return False
    month, day = text[5:7], text[8:10]
    if month and (month[0] > "1" or (len(month) == 2 and not 1 <= int(month) <= 12)):
        return False
    return not day or (day[0] <= "3" and (len(day) < 2 or 1 <= int(day) <= 31))


def date_error(text: str, *, finished: bool) -> str | None:
    """What is wrong with a date typed in a filter, None if nothing. While the user types
    (`finished` False), the start of a date is not an error yet; anything that can no
    longer become one is, at once (U15.13: "2024-13" said nothing until enter)."""
    text = text.strip()
    if not text or (not finished and could_become_date(text)):
        return None
    try:
        parse_day(text)
    except ValueError as problem:
        return str(problem)
    return None


class ActivityTab(DetailTab):
    HELP = ("Activity: the segment's timeline, newest first. enter shows an activity in full "
            "(and edits it if you wrote it in the last 24 hours); n adds one; the filters "
            "narrow by type and dates (YYYY-MM-DD, checked as you type); c clears them. "
            "Under the table: the highlighted activity's details, and who did it when the "
            "table has no room for the By column.")
    BINDINGS = [
        Binding("n", "add", "New activity", id="activity.new"),
        Binding("c", "clear_filters", "Clear filters", show=False, id="activity.clear-filters"),
    ]

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
        with Horizontal(id="activity-status"):
            yield Label("", id="activity-filter-error")
            yield Label("", id="activity-count")
        table = PagedTable(COLUMNS, row_key=lambda r: r.id, id="activities")
        yield table
        yield table.detail_line(max_lines=2, id="activity-details")

    def on_mount(self) -> None:
        self.query_one("#activity-filter-error").disabled = True
        self.reload()

    def reload(self) -> None:
        flt, store, segment_id = self.filter, self.store, self.segment_id

        def fetch(request: PageRequest, limit: int) -> Page[ActivityRow]:
            return store.activity.activity_page(segment_id, flt, after=request.after,
                                                before=request.before, at_end=request.at_end,
                                                limit=limit)

        table = self.query_one(PagedTable)
        table.set_empty_text(EMPTY if flt == ActivityFilter() else EMPTY_MATCH)
        table.load(fetch, lambda: store.activity.activity_count(segment_id, flt))

    def focus_default(self) -> None:
        self.query_one(PagedTable).focus_when_ready()

    @on(PagedTable.Loaded, "#activities")
    def _loaded(self, event: PagedTable.Loaded) -> None:
        total = event.window.total
        count = "… activities" if total is None else plural(total, "activity", "activities")
        self.query_one("#activity-count", Label).update(Text(count))

    @on(Select.Changed, "#activity-type-filter")
    def _type_changed(self, event: Select.Changed) -> None:
        event.stop()
        value = event.value if isinstance(event.value, str) else ALL
        self._set_filter(replace(self.filter, types=frozenset({value}) if value else frozenset()))

    @on(Input.Changed, ".date")
    def _date_typed(self, event: Input.Changed) -> None:
        event.stop()
        self._check_dates(finished=False)

    @on(Input.Submitted, ".date")
    @on(Input.Blurred, ".date")
    def _dates(self, event: Input.Submitted | Input.Blurred) -> None:
        event.stop()
        self._check_dates(finished=True)

    def _check_dates(self, *, finished: bool) -> None:
        """Checked as typed: a mistake shows at once; a whole valid date (or none) applies
        the filter at once; the start of a date waits for the rest. enter or leaving the
        box finishes it: an unfinished date is then a mistake too."""
        error = self.query_one("#activity-filter-error", Label)
        texts = [self.query_one(box, Input).value for box in ("#activity-from", "#activity-to")]
        problem = next((p for t in texts if (p := date_error(t, finished=finished))), None)
        if problem is not None:
            error.update(user_text(problem))
            error.disabled = False
            return
        try:
            start, end = parse_day(texts[0]), parse_day(texts[1])
        except ValueError:  # the start of a date, still being typed
            error.disabled = True
            return
        if start and end and start > end:
            error.update("The “from” date is after the “to” date.")
            error.disabled = False
            return
        error.disabled = True
        self._set_filter(replace(self.filter, start=start, end=end))

    def action_clear_filters(self) -> None:
        """c: every activity again (what an empty filtered list offers)."""
        self.query_one("#activity-type-filter", Select).value = ALL
        for box in ("#activity-from", "#activity-to"):
            self.query_one(box, Input).value = ""
        self.query_one("#activity-filter-error", Label).disabled = True
        self._set_filter(ActivityFilter())

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
        # A Viewer is told at once, not after filling in a dialog whose save is refused.
        if allowed(self, self.user, "add activities"):
            self._open_dialog(None)

    @in_thread("people")
    def _open_dialog(self, row: ActivityRow | None) -> None:
        people = self.store.users.all_users()
        deliver(self, self._push_dialog, row, people)

    def _push_dialog(self, row: ActivityRow | None, people: list[CurrentUser]) -> None:
        def done(saved: bool | None) -> None:
            if saved:
                self.reload()
                self.post_message(self.Changed())

        self.app.push_screen(
            ActivityDialog(self.store, self.user, self.segment_id, row, people), done
        )
