"""The membership history screen (C20.2.2, C20.3.1), opened with `h` on a segment's
detail screen, or from a member's menu for that contact alone (C20.2.3): how stable the
segment was over the last 7, 30 and 90 days, where the members who left went and those
who entered came from, and every entry and exit, newest first, paged from SQL and
filtered by direction and reason.

It follows other segtuis' changes (C19.1) and goes back, saying so, when the segment is
deleted or hidden from the user under it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label

from segtui.core import clock
from segtui.core.analytics import Series
from segtui.core.formatting import plural
from segtui.core.history import (
    PERIODS,
    Direction,
    HistoryFilter,
    HistoryPage,
    Stability,
    Why,
    period,
)
from segtui.core.permissions import CurrentUser
from segtui.core.segments import SegmentNotFound
from segtui.data.store import Store
from segtui.screens.history.tables import (
    CHANGES_COLUMNS,
    HELP,
    MONTH_COLUMNS,
    MOVES_COLUMNS,
    STABILITY_COLUMNS,
    change_row,
    month_rows,
    moves_rows,
    next_period,
    stability_rows,
)
from segtui.widgets.key_bar import KeyBar
from segtui.widgets.live_changes import OthersChanged, announce
from segtui.widgets.palette import theme_colours
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread

DIRECTIONS: list[Direction | None] = [None, Direction.ENTERED, Direction.LEFT]
REASONS: list[Why | None] = [None, *Why]
SINCE: list[int | None] = [None, *PERIODS]  # days; None: all time


class HistoryScreen(Screen[None]):
    AUTO_FOCUS = "#history-changes"
    HELP = HELP
    BINDINGS = [
        Binding("escape,backspace", "back", "Back", id="history.back"),
        Binding("f", "direction", "Entered/left", id="history.filters"),
        Binding("w", "reason", "Why", id="history.reason"),
        Binding("b", "since", "Since", id="history.since"),
        Binding("p", "period", "Period", id="history.period"),
        Binding("l", "more", "Load older", id="history.older"),
        Binding("r", "refresh", "Refresh", id="history.refresh"),
    ]

    def __init__(self, store: Store, user: CurrentUser, segment_id: int, segment_name: str,
                 contact: tuple[int, str] | None = None) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.segment_id = segment_id
        self.segment_name = segment_name
        self.contact = contact  # (id, name): that contact's entries and exits only
        self.direction: Direction | None = None
        self.reason: Why | None = None
        self.since_days: int | None = None  # the changes of the last N days, or all
        self.days = 30  # the period of "where they went"
        self.stabilities: list[tuple[int, Stability]] = []
        self.last_key: tuple[datetime, int, str] | None = None
        self.more = False

    def compose(self) -> ComposeResult:
        # The figures scroll in the upper part, the changes fill the lower: both in sight
        # at 80x24, tab between them.
        yield Header(icon="◆")
        yield Label(Text.assemble(*self._title()), id="history-title")
        if self.contact is None:
            with VerticalScroll(id="history-summary"):
                yield Label(Text("Stability (members at the start still members now)"),
                            classes="section-title")
                yield DataTable(id="history-stability", cursor_type="none",
                                zebra_stripes=True)
                yield Label(Text("By month (members at its end)"), classes="section-title")
                yield DataTable(id="history-months", cursor_type="none", zebra_stripes=True)
                yield Label(Text(""), id="history-moves-title", classes="section-title")
                yield DataTable(id="history-moves", cursor_type="none", zebra_stripes=True)
        yield Label(Text(""), id="history-changes-title", classes="section-title")
        yield DataTable(id="history-changes", cursor_type="row", zebra_stripes=True,
                        cursor_foreground_priority="renderable")
        yield Label(Text(""), id="history-status")
        yield KeyBar()

    def _title(self) -> list[Text]:
        """"Membership history of <contact> in <segment>" in parts, the names user text."""
        parts = [Text("Membership history of ", style="bold")]
        if self.contact is not None:
            parts += [user_text(self.contact[1], "bold"), Text(" in ", style="bold")]
        return [*parts, user_text(self.segment_name, "bold")]

    def on_mount(self) -> None:
        self.sub_title = "History"
        for selector, columns in (("#history-stability", STABILITY_COLUMNS),
                                  ("#history-months", MONTH_COLUMNS),
                                  ("#history-moves", MOVES_COLUMNS),
                                  ("#history-changes", CHANGES_COLUMNS)):
            for table in self.query(selector).results(DataTable):
                for label, width in columns:
                    if label == "Contact":  # what the other columns leave, 24 at least
                        width = max(24, self.app.size.width - 58)
                    table.add_column(label, width=width)
        self._reload()

    def _reload(self) -> None:
        if self.contact is None:
            self._load_stability()
        self._load_changes(None)

    # -- loading -------------------------------------------------------------------------

    @in_thread("history-stability")
    def _load_stability(self) -> None:
        now = clock.now()
        try:
            found = [(days, self.store.history.stability(self.segment_id, *period(days, now)))
                     for days in PERIODS]
            months = self.store.history.by_month(self.segment_id)
        except SegmentNotFound:
            deliver(self, self._gone)
            return
        deliver(self, self._show_stability, found, months)

    def _show_stability(self, found: list[tuple[int, Stability]], months: Series) -> None:
        self.stabilities = found
        by_month: DataTable[Text] = self.query_one("#history-months", DataTable)
        by_month.clear()
        by_month.add_rows(month_rows(months))
        table: DataTable[Text] = self.query_one("#history-stability", DataTable)
        table.clear()
        table.add_rows(stability_rows(found))
        self._show_moves()

    def _show_moves(self) -> None:
        chosen = next((s for days, s in self.stabilities if days == self.days), None)
        self.query_one("#history-moves-title", Label).update(Text(
            f"Where they went and came from, last {plural(self.days, 'day')} (p: another "
            "period)"))
        table: DataTable[Text] = self.query_one("#history-moves", DataTable)
        table.clear()
        if chosen is not None:
            rows = moves_rows(chosen)
            table.add_rows(rows or [[Text("Nobody moved (p: another period)", style="dim"),
                                     Text(""), Text("")]])

    @in_thread("history-changes")
    def _load_changes(self, after: tuple[datetime, int, str] | None) -> None:
        since = (clock.today() - timedelta(days=self.since_days - 1)
                 if self.since_days else None)
        wanted = HistoryFilter(self.direction, self.reason, since=since,
                               contact_id=self.contact[0] if self.contact else None)
        try:
            page = self.store.history.changes(self.segment_id, wanted, after)
        except SegmentNotFound:
            deliver(self, self._gone)
            return
        deliver(self, self._show_changes, page, after is not None)

    def _show_changes(self, page: HistoryPage, appended: bool) -> None:
        table: DataTable[Text] = self.query_one("#history-changes", DataTable)
        if not appended:
            table.clear()
        colours = theme_colours(self)
        entered, left = colours.style("good"), colours.style("error")
        table.add_rows([change_row(c, entered, left) for c in page.changes])
        if page.changes:
            self.last_key = page.changes[-1].key
        elif not appended:
            self.last_key = None
        self.more = page.more
        shown = ("entries and exits" if self.direction is None
                 else "entries" if self.direction is Direction.ENTERED else "exits")
        why = "" if self.reason is None else f" · why: {self.reason.value}"
        when = "" if self.since_days is None else f" · last {plural(self.since_days, 'day')}"
        self.query_one("#history-changes-title", Label).update(Text(
            f"Changes, newest first: {shown}{why}{when} (f, w, b)"))
        count = table.row_count
        status = (f"{count:,} shown · l loads older ones" if self.more
                  else f"{count:,} shown · no older ones" if count
                  else "No membership changes.")
        self.query_one("#history-status", Label).update(Text(status, style="dim"))

    def _gone(self) -> None:
        self.notify("This segment no longer exists, or is no longer shown to you.",
                    severity="warning")
        self.dismiss(None)

    # -- actions -------------------------------------------------------------------------

    def action_direction(self) -> None:
        self.direction = DIRECTIONS[(DIRECTIONS.index(self.direction) + 1) % len(DIRECTIONS)]
        self._load_changes(None)

    def action_reason(self) -> None:
        self.reason = REASONS[(REASONS.index(self.reason) + 1) % len(REASONS)]
        self._load_changes(None)

    def action_since(self) -> None:
        """b: the changes of the last 7, 30 or 90 days, or of all time (C20.2.2)."""
        self.since_days = SINCE[(SINCE.index(self.since_days) + 1) % len(SINCE)]
        self._load_changes(None)

    def action_period(self) -> None:
        if self.contact is None:
            self.days = next_period(self.days)
            self._show_moves()

    def action_more(self) -> None:
        if self.more and self.last_key is not None:
            self._load_changes(self.last_key)
        else:
            self.notify("No older changes.", timeout=2)

    def action_refresh(self) -> None:
        self._reload()

    def action_back(self) -> None:
        self.dismiss(None)

    @on(OthersChanged)
    def _others_changed(self, event: OthersChanged) -> None:
        """Another segtui changed this segment (C19.1): the history reads again."""
        if not event.more and not any(c.concerns(self.segment_id) for c in event.changes):
            return
        self._reload()
        announce(self, event, self.segment_id)
