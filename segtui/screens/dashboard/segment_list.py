"""The dashboard's list: its columns and sorting, its pages, what it says when empty, and
the status line under it."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text

from segtui.core import clock
from segtui.core.formatting import dmy, plural, whole
from segtui.core.records import Page, SegmentFilter, SegmentRow, SegmentSort, SegmentSortColumn
from segtui.core.rules.refresh import failure_words
from segtui.data.store import Store
from segtui.widgets.badges import segment_status_badge
from segtui.widgets.column_table import sorted_label
from segtui.widgets.filter_bar import filter_summary
from segtui.widgets.paged_table import Column, PagedTable, PageRequest, RowWindow
from segtui.widgets.palette import Hue, badge_style
from segtui.widgets.text import user_text

WIDE = 100  # below this many columns the description moves out of the table

HELP_INTRO = (
    "The Segments dashboard lists every segment with its live member and campaign counts. "
    "Search matches segment names, segment tags and the companies of member contacts. "
    "City, state and company filters keep segments with at least one current member "
    "matching all of them. The list is paged: moving past the last row loads the next page. "
    "Below 100 columns the highlighted segment's description is on the line under the list. "
    "space marks a segment to compare (up to 6; ☑ before its name) and C compares the "
    "marked ones side by side. ⚠ before a name: its rule failed to evaluate (the detail "
    "screen says why)."
)

# A segment marked to compare (C20.5.1) shows this before its name, as the contact
# picker's selected rows do.
MARKED = "☑ "


def name_cell(row: SegmentRow, marked: Callable[[int], bool] = lambda _: False) -> Text:
    name = user_text(row.name, "bold")
    # A failed evaluation: ⚠ in the badges' red, legible on every row and theme (C20.7.6).
    if row.evaluation_error is not None:
        name = Text.assemble(("⚠", badge_style(Hue.RED)), " ", name)
    return Text.assemble((MARKED, "bold"), name) if marked(row.id) else name


def failure_cell(row: SegmentRow) -> Text:
    """The highlighted segment's failed evaluation, on the line under a narrow list
    (C20.7.6); nothing for the others."""
    words = failure_words(row.evaluation_failed_at, row.evaluation_error, clock.now())
    return Text.assemble("⚠ ", user_text(words.removeprefix("Evaluation "))) if words else Text()


def columns(marked: Callable[[int], bool]) -> list[Column[SegmentRow]]:
    """The list's columns, the name led by MARKED on the segments `marked` says."""
    return [Column("name", "Name", lambda r: name_cell(r, marked), sortable=True),
            *COLUMNS[1:]]


# Every column but the menu sorts the list (its key is a SegmentSortColumn).
COLUMNS: list[Column[SegmentRow]] = [
    Column("name", "Name", name_cell, sortable=True),
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
    Column("evaluation", "Evaluation", failure_cell, detail="extra"),
]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}

# What the list says when it is empty, with the next step (U15.15).
EMPTY_LIST = "No segments yet — n: new segment, i: import contacts"
EMPTY_MATCH = "No segments match the search and filters — c: clear them"


def list_status(window: RowWindow, flt: SegmentFilter, sort: SegmentSort) -> Text:
    """'1–24 of 250 · sorted by Name ▲ · filtered by city Boston'."""
    shown, total = window.shown, window.total
    if total is None:
        count = "counting…"
    elif total == 0:
        count = "No segments match" if not flt.is_empty else "No segments yet"
    elif shown == total:
        count = plural(total, "segment")
    else:
        first = window.first_index + 1 if shown else 0
        count = f"{whole(first)}–{whole(window.first_index + shown)} of {whole(total)}"
    # The header's own words, arrow included: the two always agree.
    column = COLUMN_BY_KEY[sort.column.value]
    sort_words = f"sorted by {sorted_label(column, sort.descending)}"
    return Text.assemble(count, " · ", sort_words, " · ", user_text(filter_summary(flt)))


def segment_pages(store: Store, flt: SegmentFilter, sort: SegmentSort
                  ) -> tuple[Callable[[PageRequest, int], Page[SegmentRow]], Callable[[], int]]:
    """How the list reads its pages and its count (PagedTable.load), for `flt` and `sort`."""

    def fetch_page(request: PageRequest, limit: int) -> Page[SegmentRow]:
        return store.segments.segment_page(
            flt, sort, after=request.after, before=request.before,
            at_end=request.at_end, starting_at=request.starting_at, limit=limit,
        )

    return fetch_page, lambda: store.segments.segment_count(flt)


def sort_by_header(key: str | None, sort: SegmentSort) -> SegmentSort | None:
    """A click on a column's header: sort by it, or reverse if it is the sort already;
    None for a column that does not sort."""
    if not key or key not in SegmentSortColumn._value2member_map_:
        return None
    column = SegmentSortColumn(key)
    return sort.toggled() if column == sort.column else SegmentSort(column)


def next_sort(table: PagedTable[SegmentRow], sort: SegmentSort) -> SegmentSort | None:
    """s: by the next column the table shows (never one the terminal is too narrow for)."""
    key = table.next_sort_key(sort.column.value)
    return SegmentSort(SegmentSortColumn(key)) if key else None
