"""The Data Quality screen (Q6.4; docs/quality.md), opened from the dashboard with `Q`.

Five cards (missing email, invalid email, missing phone, duplicate groups, stale contacts),
then the likely duplicates, one row per contact grouped under a number, and the segments
with the most flagged members. The report is one Store call in a thread worker: on a
million contacts it takes seconds, and the UI never waits for it.

Keys: `k` (or `enter`) on a contact keeps that one when its group is merged (by default
the oldest, the first row of the group); `M` merges the group after a confirmation; `m` is
the highlighted row's menu, as on every list; `enter` on a segment (or `o`) opens it; `tab`
moves between the two tables; `r` refreshes.

The tables' rows and columns are in quality_tables.py, the screen's words (its help, a
merge's confirmation) in quality_texts.py.
"""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label

from segtui.core.audit import Action
from segtui.core.formatting import plural, whole
from segtui.core.permissions import CurrentUser
from segtui.core.quality import (
    STALE_DAYS,
    DuplicateMember,
    MergeError,
    MergeResult,
    QualityReport,
    SegmentQuality,
)
from segtui.core.segments import SegmentError
from segtui.data.store import Store
from segtui.screens.allowed import allowed
from segtui.screens.audited import record_view
from segtui.screens.modals.confirm import Confirm
from segtui.screens.modals.row_menu import ActionMenu
from segtui.screens.quality_tables import (
    DUPLICATE_ACTIONS,
    DUPLICATE_COLUMNS,
    EMPTY_DUPLICATES,
    EMPTY_SEGMENTS,
    SEGMENT_ACTIONS,
    SEGMENT_COLUMNS,
    DuplicateRow,
    GroupKey,
    duplicate_rows,
    group_key,
    keep_id,
)
from segtui.screens.quality_texts import CARD_HELP, HELP, merge_message, merged_message, share_of
from segtui.widgets.key_bar import KeyBar
from segtui.widgets.live_changes import OthersChanged, announce
from segtui.widgets.metric_card import MetricCard
from segtui.widgets.paged_table import PagedTable
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread


class DataQualityScreen(Screen[None]):
    AUTO_FOCUS = None  # the duplicates table takes the focus once the report is shown
    HELP = HELP
    # The key bar shows these in this order (docs/keys.md). M merges: m is the row's menu
    # on every list. The ids are for users' keymaps.
    BINDINGS = [
        Binding("escape,backspace", "back", "Back", id="quality.back"),
        Binding("k", "keep", "Keep contact", id="quality.keep"),
        Binding("M", "merge", "Merge group", id="quality.merge"),
        Binding("m", "menu", "Menu", id="quality.menu"),
        Binding("r", "refresh", "Refresh", id="quality.refresh"),
        # enter on a segment row opens it (the table's RowSelected); o does from anywhere.
        Binding("enter,o", "open_segment", "Open segment", show=False, id="quality.open"),
    ]

    def __init__(self, store: Store, user: CurrentUser) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.report: QualityReport | None = None
        self.kept: dict[GroupKey, int] = {}  # the contact to keep, where the user chose
        self.duplicate_rows: list[DuplicateRow] = []  # the report's groups, with `kept`
        self.merging = False
        self._generation = 0  # a reload drops the answers of the ones before it
        self._focus_id = "quality-duplicates"

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        self.load_report()  # the query starts while the widgets are built
        yield Header(icon="◆")
        with Horizontal(id="quality-cards"):
            for card_id, label, short in (
                ("missing-email", "Missing email", "No email"),
                ("invalid-email", "Invalid email", "Bad email"),
                ("missing-phone", "Missing phone", "No phone"),
                ("duplicates", "Duplicate groups", "Duplicates"),
                ("stale", f"Stale ({STALE_DAYS} days)", "Stale"),
            ):
                yield MetricCard(label, short, id=f"card-{card_id}", with_note=True,
                                 help=CARD_HELP[card_id])
        with Vertical(id="quality-body"):
            yield Label("Likely duplicates", id="duplicates-title", classes="section-title")
            duplicates = PagedTable(DUPLICATE_COLUMNS, row_key=lambda r: r.key,
                                    id="quality-duplicates")
            duplicates.set_empty_text(EMPTY_DUPLICATES)
            yield duplicates
            yield duplicates.detail_line(max_lines=1, id="duplicate-detail")
            yield Label("Segments with the most flagged members", id="segments-title",
                        classes="section-title")
            segments = PagedTable(SEGMENT_COLUMNS, row_key=lambda s: s.id,
                                  id="quality-segments")
            segments.set_empty_text(EMPTY_SEGMENTS)
            yield segments
        yield Label("Checking every contact…", id="quality-status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "Data quality"
        record_view(self, self.store, self.user, Action.VALIDATION_RULES_APPLIED)
        if self.report is None:
            for table in self.query(PagedTable):
                table.loading = True

    # -- loading -------------------------------------------------------------------------

    def action_refresh(self) -> None:
        focused = self.app.focused
        if isinstance(focused, PagedTable) and focused.id:
            self._focus_id = focused.id
        for table in self.query(PagedTable):
            table.loading = True
        self.query_one("#quality-status", Label).update("Checking every contact…")
        self.load_report()

    @on(OthersChanged)
    def _others_changed(self, event: OthersChanged) -> None:
        """Someone else changed contacts or members (C19.1): the report follows, the tables
        keep their cursors (a note on a segment changes nothing here)."""
        if event.more or any(c.touches_members for c in event.changes):
            self.load_report()
            announce(self, event)

    def load_report(self) -> None:
        """Fetch the report again; an answer to an earlier call is dropped."""
        self._generation += 1
        self._load(self._generation)

    @in_thread("quality-report")
    def _load(self, generation: int) -> None:
        try:
            report = self.store.quality.quality_report()
        except Exception as error:  # shown; the screen stays usable (r tries again)
            deliver(self, self._failed, generation, error)
            return
        deliver(self, self._show, generation, report)

    def _failed(self, generation: int, error: Exception) -> None:
        if generation != self._generation or not self.is_attached:
            return
        for table in self.query(PagedTable):
            table.loading = False
        self.query_one("#quality-status", Label).update(
            user_text(f"Could not check the contacts: {error} · r tries again"))
        self.notify(f"Could not load the data quality report: {error}", severity="error",
                    markup=False)

    def _show(self, generation: int, report: QualityReport) -> None:
        if generation != self._generation or not self.is_attached:
            return
        self.report = report
        total = report.contacts
        groups = report.duplicate_email_groups + report.duplicate_name_groups
        in_groups = report.duplicate_email_contacts + report.duplicate_name_contacts
        cards = {
            "missing-email": (report.missing_email, share_of(report.missing_email, total)),
            "invalid-email": (report.invalid_email, share_of(report.invalid_email, total)),
            "missing-phone": (report.missing_phone, share_of(report.missing_phone, total)),
            "duplicates": (groups, plural(in_groups, "contact")),
            "stale": (report.stale, share_of(report.stale, total)),
        }
        for card_id, (value, note) in cards.items():
            card = self.query_one(f"#card-{card_id}", MetricCard)
            card.value = whole(value)
            long = note if card_id == "duplicates" else f"{note} of all"
            card.note = (long, note, "flat")

        # A chosen contact stays chosen while it is still in its group.
        present = {group_key(g): {m.id for m in g.contacts} for g in report.groups}
        self.kept = {k: v for k, v in self.kept.items() if v in present.get(k, set())}
        self.duplicate_rows = duplicate_rows(report.groups, self.kept)
        self._show_rows()
        self._fit_tables()

        if groups == 0:
            duplicates = "Likely duplicates: none found"
        else:
            shown = "" if len(report.groups) == groups else \
                f", the first {len(report.groups)} shown"
            duplicates = (f"Likely duplicates: {plural(groups, 'group')} "
                          f"({whole(report.duplicate_email_groups)} same email, "
                          f"{whole(report.duplicate_name_groups)} same name + company"
                          f"{shown})")
        self.query_one("#duplicates-title", Label).update(
            Text(duplicates, no_wrap=True, overflow="ellipsis"))
        segments = ("Segments with the most flagged members" if report.segments
                    else "Segments: no segment has a flagged member")
        self.query_one("#segments-title", Label).update(segments)
        self.query_one("#quality-status", Label).update(Text(
            f"tab: next table · {plural(total, 'contact')} checked · stale: no action or "
            f"contact in {STALE_DAYS} days",
            no_wrap=True, overflow="ellipsis"))
        self._restore_focus()

    @property
    def segment_rows(self) -> tuple[SegmentQuality, ...]:
        return self.report.segments if self.report is not None else ()

    def _show_rows(self) -> None:
        """The tables show rows the report already holds (at most 50 groups and 10
        segments: one page each); a PagedTable still sizes its columns to the terminal.
        After the first time the cursor stays where it was (PagedTable.show_held)."""
        self.query_one("#quality-duplicates", PagedTable).show_held(
            lambda: self.duplicate_rows)
        self.query_one("#quality-segments", PagedTable).show_held(lambda: self.segment_rows)

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self._fit_tables)

    def _fit_tables(self) -> None:
        """Each table as tall as its rows, so a short report leaves no gap between them.
        When both can't fit, the segments keep up to 40% of the room (and never more than
        the duplicates leave), the duplicates the rest; each scrolls."""
        if self.report is None:
            return
        table = self.query_one("#quality-duplicates", PagedTable)
        # The two section titles, and the line under the duplicates when their table is
        # too narrow for some columns.
        line = 1 if self.duplicate_rows and table.detail_columns() else 0
        room = self.query_one("#quality-body").size.height - 2 - line
        if room <= 0:
            return
        # As tall as its rows + header; an empty one, as its header and what it says.
        duplicates = len(self.duplicate_rows) + 1 if self.duplicate_rows else 2
        segments = len(self.segment_rows) + 1 if self.segment_rows else 2
        if duplicates + segments > room:
            segments = min(segments, max(room * 2 // 5, room - duplicates))
            duplicates = room - segments
        for table_id, height in (("#quality-duplicates", duplicates),
                                 ("#quality-segments", segments)):
            self.query_one(table_id).styles.height = max(height, 1)

    def _restore_focus(self) -> None:
        focused = self.app.focused
        if focused is not None and focused.screen is self:
            return
        target = self._focus_id
        if target == "quality-duplicates" and not self.duplicate_rows:
            target = "quality-segments"
        self.query_one(f"#{target}", PagedTable).focus_when_ready()

    # -- duplicates ----------------------------------------------------------------------

    def _current_duplicate(self) -> DuplicateRow | None:
        table = self.query_one("#quality-duplicates", PagedTable)
        row = table.current_row
        if not self.duplicate_rows:
            self.notify("No likely duplicates to merge.", severity="warning")
            return None
        if self.app.focused is not table or not isinstance(row, DuplicateRow):
            self.notify("Choose a contact in the duplicates table first (tab moves there).",
                        severity="warning")
            return None
        return row

    @on(DataTable.RowSelected, "#quality-duplicates")
    def action_keep(self) -> None:
        row = self._current_duplicate()
        if row is None:
            return
        self.kept[group_key(row.group)] = row.contact.id
        if self.report is not None:
            self.duplicate_rows = duplicate_rows(self.report.groups, self.kept)
            self.query_one("#quality-duplicates", PagedTable).reload()

    def action_merge(self) -> None:
        row = self._current_duplicate()
        if row is None or not allowed(self, self.user, "merge contacts"):
            return
        if self.merging:
            self.notify("A merge is still running.", severity="warning")
            return
        group = row.group
        kept_id = keep_id(group, self.kept)
        keep = next(m for m in group.contacts if m.id == kept_id)
        others = [m for m in group.contacts if m.id != kept_id]

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.merging = True
                self._merge(keep, others)

        self.app.push_screen(Confirm("Merge duplicate contacts", merge_message(keep, others),
                                     "Merge"), confirmed)

    @in_thread("quality-merge")
    def _merge(self, keep: DuplicateMember, others: list[DuplicateMember]) -> None:
        try:
            result = self.store.quality.merge_contacts(keep.id, [m.id for m in others], self.user)
        except (MergeError, SegmentError) as error:
            # One transaction: nothing was merged. Most likely someone changed or deleted
            # one of the contacts meanwhile, so the report is reloaded.
            deliver(self, self._merged, None, f"Nothing was merged: {error}. "
                                      "The report has been reloaded.")
            return
        except Exception as error:  # e.g. the database went away; the reload shows the truth
            deliver(self, self._merged, None, f"The merge failed: {error}. "
                                      "The report has been reloaded.")
            return
        deliver(self, self._merged, result, merged_message(keep, result))

    def _merged(self, result: MergeResult | None, message: str) -> None:
        self.merging = False
        self.notify(message, title="Merge", severity="information" if result else "error",
                    markup=False, timeout=8)
        if self.is_attached:
            self.action_refresh()

    def action_menu(self) -> None:
        """m: the highlighted row's menu, the same menu as on every list: keep or merge a
        duplicate, open a segment."""
        focused = self.app.focused
        if focused is self.query_one("#quality-segments", PagedTable):
            segment = focused.current_row
            if isinstance(segment, SegmentQuality):
                self.app.push_screen(ActionMenu(segment.name, SEGMENT_ACTIONS),
                                     self._segment_chosen)
            return
        row = self._current_duplicate()
        if row is not None:
            title = f"#{row.contact.id} {row.contact.name}"
            self.app.push_screen(ActionMenu(title, DUPLICATE_ACTIONS), self._duplicate_chosen)

    def _duplicate_chosen(self, action: str | None) -> None:
        if action == "keep":
            self.action_keep()
        elif action == "merge":
            self.action_merge()

    def _segment_chosen(self, action: str | None) -> None:
        if action == "open":
            self.action_open_segment()

    # -- segments ------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#quality-segments")
    def action_open_segment(self) -> None:
        table = self.query_one("#quality-segments", PagedTable)
        row = table.current_row
        if not isinstance(row, SegmentQuality):
            self.notify("No segment selected", severity="warning")
            return
        self.open_segment_by_id(row.id, row.name)

    def open_segment_by_id(self, segment_id: int, name: str = "") -> None:
        """The segment's detail screen; escape comes back here, reloaded (also used by the
        command palette's "Open segment")."""
        from segtui.screens.detail.screen import SegmentDetailScreen

        focused = self.app.focused
        if isinstance(focused, PagedTable) and focused.id:
            self._focus_id = focused.id
        self.app.push_screen(
            SegmentDetailScreen(self.store, self.user, segment_id, name or f"#{segment_id}"),
            lambda _: self.action_refresh(),
        )

    def action_back(self) -> None:
        self.dismiss(None)
