"""The Data Quality screen (issue 6 §4; docs/quality.md), opened from the dashboard with `Q`.

Five cards (missing email, invalid email, missing phone, duplicate groups, stale contacts),
then the likely duplicates, one row per contact grouped under a number, and the segments
with the most flagged members. The report is one Store call in a thread worker: on a
million contacts it takes seconds, and the UI never waits for it.

Keys: `k` (or `enter`) on a contact keeps that one when its group is merged (by default
the oldest, the first row of the group); `M` merges the group after a confirmation; `m` is
the highlighted row's menu, as on every list; `enter` on a segment (or `o`) opens it; `tab`
moves between the two tables; `r` refreshes.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label

from segtui.core.formatting import dmy, plural, whole
from segtui.core.permissions import CurrentUser
from segtui.core.quality import (
    STALE_DAYS,
    DuplicateGroup,
    DuplicateMember,
    MergeResult,
    QualityReport,
    SegmentQuality,
)
from segtui.core.records import Page
from segtui.core.segments import SegmentError
from segtui.data.quality import MergeError
from segtui.data.store import Store
from segtui.screens.allowed import allowed
from segtui.screens.modals.confirm import Confirm
from segtui.screens.modals.row_menu import ActionMenu
from segtui.widgets.key_bar import KeyBar
from segtui.widgets.metric_card import MetricCard
from segtui.widgets.paged_table import Column, PagedTable
from segtui.widgets.palette import Hue, badge_style
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread

WIDE = 100  # from this many columns the tables show their extra columns
SHARE_BAR = 10  # cells of the share bar in the segments table (wide terminals)

GroupKey = tuple[str, str]  # (reason, key): a duplicate group, stable across reloads

CARD_HELP = {
    "missing-email": "Missing email: contacts with no email, or only spaces.",
    "invalid-email": "Invalid email: an email failing the Quality Score's rule (one @, "
                     "something before it, a dot with something on both sides after it, "
                     "no spaces).",
    "missing-phone": "Missing phone: contacts with no phone, or only spaces.",
    "duplicates": "Duplicate groups: contacts sharing an email (case and outer spaces "
                  "ignored), or the same name at the same company.",
    "stale": f"Stale: no action (any event but sent/unsubscribed) and no contact by the "
             f"team in the last {STALE_DAYS} days.",
}

HELP = "\n".join((
    "Data quality: how accurate the contacts are, computed when the screen opens (r "
    "refreshes).",
    *CARD_HELP.values(),
    "",
    "Likely duplicates: each group is numbered; its contacts follow, oldest first. Merging "
    "a group keeps one contact (marked keep: by default the oldest) and folds the others "
    "into it: every membership, event and tag moves to it, the fields it lacks are filled "
    "from the others, and the others are deleted. k (or enter) on a contact keeps that one "
    "instead; M merges the group after asking (m opens the row's menu: keep, merge). A "
    "Viewer may look but not merge. Below 100 columns the highlighted contact's reason and "
    "creation date are under the table.",
    "",
    "Segments: the segments with the most current members showing any problem above. "
    "enter (or o) opens the highlighted one; escape comes back here. tab moves between "
    "the two tables.",
))


@dataclass(frozen=True)
class DuplicateRow:
    """One contact of a duplicate group, as the duplicates table shows it."""

    number: int  # the group's place in the list, from 1
    group: DuplicateGroup
    contact: DuplicateMember
    position: int  # the contact's place in its group (0: the oldest)
    keep: bool  # the contact a merge of this group keeps

    @property
    def key(self) -> str:  # a contact can be in two groups (same email, same name)
        return f"{self.number}-{self.contact.id}"

    @property
    def last(self) -> bool:
        return self.position == len(self.group.contacts) - 1


def group_key(group: DuplicateGroup) -> GroupKey:
    return (group.reason, group.key)


def _group_cell(row: DuplicateRow) -> Text:
    if row.position == 0:
        return Text(str(row.number), style="bold")
    return Text("└" if row.last else "├", style="dim")


def _reason_cell(row: DuplicateRow) -> Text:
    if row.position:
        return Text("")
    return Text("same email" if row.group.reason == "same email" else "name+company",
                style="italic")


# Below 100 columns "Why" (on a group's first row) and "Created" move to the line under
# the table, for the highlighted contact (issue 15 §7).
DUPLICATE_COLUMNS: list[Column[DuplicateRow]] = [
    Column("group", "#", _group_cell, width=3, justify="right", detail="never"),
    Column("reason", "Why", _reason_cell, width=12, min_table_width=WIDE),
    Column("keep", "Keep", lambda r: Text("keep", style=badge_style(Hue.GREEN)) if r.keep
           else Text(""), width=4),
    Column("id", "ID", lambda r: Text(str(r.contact.id)), width=7, justify="right"),
    Column("name", "Name", lambda r: user_text(r.contact.name, "bold")),
    Column("email", "Email", lambda r: user_text(r.contact.email)),
    Column("company", "Company", lambda r: user_text(r.contact.company)),
    Column("created", "Created", lambda r: Text(dmy(r.contact.created_at)), width=10,
           min_table_width=WIDE),
    Column("segments", "Segs", lambda r: Text(whole(r.contact.segments)), width=4,
           justify="right"),
]


def share_bar(share: float) -> Text:
    # In the row's own colours (no colour of its own): it reads on the highlighted row too.
    filled = round(share * SHARE_BAR)
    return Text.assemble("█" * filled, ("░" * (SHARE_BAR - filled), "dim"))


SEGMENT_COLUMNS: list[Column[SegmentQuality]] = [
    Column("name", "Segment", lambda s: user_text(s.name, "bold")),
    Column("members", "Members", lambda s: Text(whole(s.members)), width=9, justify="right"),
    Column("flagged", "Flagged", lambda s: Text(whole(s.flagged)), width=9, justify="right"),
    Column("share", "Share", lambda s: Text(f"{s.share:.0%}"), width=5, justify="right"),
    # The share in a bar: the Share column says it in numbers at any width.
    Column("bar", "", lambda s: share_bar(s.share), width=SHARE_BAR, min_table_width=WIDE,
           detail="never"),
]


EMPTY_DUPLICATES = "No likely duplicates: nothing to merge — r: check again"
EMPTY_SEGMENTS = "No segment has a flagged member — r: check again"


def share_of(count: int, total: int) -> str:
    return f"{count / total:.1%}" if total else "0%"


def merge_message(keep: DuplicateMember, others: list[DuplicateMember]) -> str:
    """What the confirmation says: who stays, who goes, what moves."""
    listed = "\n".join(f"• #{m.id} {m.name} <{m.email or 'no email'}>" for m in others[:8])
    more = f"\n• … and {len(others) - 8} more" if len(others) > 8 else ""
    one = len(others) == 1
    return (f"Keep #{keep.id} {keep.name} <{keep.email or 'no email'}>, created "
            f"{dmy(keep.created_at)}, and merge {plural(len(others), 'contact')} "
            f"into it:\n{listed}{more}\n\n"
            f"{'Its' if one else 'Their'} memberships, events and tags move to the kept "
            "contact, which also takes the fields it lacks. "
            f"{'The merged contact is' if one else 'The merged contacts are'} deleted: "
            "this can't be undone.")


def merged_message(keep: DuplicateMember, result: MergeResult) -> str:
    return (f"Merged {plural(len(result.merged), 'contact')} into #{result.kept} "
            f"{keep.name}: {plural(result.memberships_moved, 'membership')} and "
            f"{plural(result.events_moved, 'event')} moved, "
            f"{plural(len(result.segments), 'segment')} logged.")


# The rows' menus (m): (id, label, key), each key the screen's own for the same action.
DUPLICATE_ACTIONS = [("keep", "Keep this contact", "k"), ("merge", "Merge the group…", "M")]
SEGMENT_ACTIONS = [("open", "Open segment", "o")]


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
        self._tables_filled = False
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

    def load_report(self) -> None:
        """Fetch the report again; an answer to an earlier call is dropped."""
        self._generation += 1
        self._load(self._generation)

    @in_thread("quality-report")
    def _load(self, generation: int) -> None:
        try:
            report = self.store.quality_report()
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
        self.duplicate_rows = self._rows(report)
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

    def _keep_id(self, group: DuplicateGroup) -> int:
        """The contact a merge keeps: the user's choice, else the oldest (listed first)."""
        return self.kept.get(group_key(group), group.contacts[0].id)

    def _rows(self, report: QualityReport) -> list[DuplicateRow]:
        rows: list[DuplicateRow] = []
        for number, group in enumerate(report.groups, start=1):
            keep = self._keep_id(group)
            rows.extend(DuplicateRow(number, group, contact, position, contact.id == keep)
                        for position, contact in enumerate(group.contacts))
        return rows

    def _show_rows(self) -> None:
        """The tables show rows the report already holds (at most 50 groups and 10
        segments: one page each); a PagedTable still sizes its columns to the terminal.
        After the first time, `reload` keeps the cursor where it was."""
        duplicates = self.query_one("#quality-duplicates", PagedTable)
        segments = self.query_one("#quality-segments", PagedTable)
        if self._tables_filled:
            duplicates.reload()
            segments.reload()
            return
        self._tables_filled = True
        duplicates.load(lambda _request, _limit: Page(tuple(self.duplicate_rows), offset=0),
                        lambda: len(self.duplicate_rows))
        segments.load(lambda _request, _limit: Page(self.segment_rows, offset=0),
                      lambda: len(self.segment_rows))

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
            self.duplicate_rows = self._rows(self.report)
            self.query_one("#quality-duplicates", PagedTable).reload()

    def action_merge(self) -> None:
        row = self._current_duplicate()
        if row is None or not allowed(self, self.user, "merge contacts"):
            return
        if self.merging:
            self.notify("A merge is still running.", severity="warning")
            return
        group = row.group
        keep_id = self._keep_id(group)
        keep = next(m for m in group.contacts if m.id == keep_id)
        others = [m for m in group.contacts if m.id != keep_id]

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.merging = True
                self._merge(keep, others)

        self.app.push_screen(Confirm("Merge duplicate contacts", merge_message(keep, others),
                                     "Merge"), confirmed)

    @in_thread("quality-merge")
    def _merge(self, keep: DuplicateMember, others: list[DuplicateMember]) -> None:
        try:
            result = self.store.merge_contacts(keep.id, [m.id for m in others], self.user)
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
