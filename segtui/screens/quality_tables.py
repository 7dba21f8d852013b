"""The data quality screen's two tables (screens/quality.py): the likely duplicates, one
row per contact grouped under a number, and the segments with the most flagged members;
their columns, what an empty one says, and their rows' menus."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text

from segtui.core.formatting import dmy, whole
from segtui.core.quality import DuplicateGroup, DuplicateMember, SegmentQuality
from segtui.widgets.paged_table import Column
from segtui.widgets.palette import Hue, badge_style
from segtui.widgets.text import user_text

WIDE = 100  # from this many columns the tables show their extra columns
SHARE_BAR = 10  # cells of the share bar in the segments table (wide terminals)

GroupKey = tuple[str, str]  # (reason, key): a duplicate group, stable across reloads


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


def keep_id(group: DuplicateGroup, kept: dict[GroupKey, int]) -> int:
    """The contact a merge keeps: the user's choice (`kept`), else the oldest (first)."""
    return kept.get(group_key(group), group.contacts[0].id)


def duplicate_rows(groups: Sequence[DuplicateGroup], kept: dict[GroupKey, int]
                   ) -> list[DuplicateRow]:
    """The duplicates table's rows: each group's contacts, numbered by group."""
    rows: list[DuplicateRow] = []
    for number, group in enumerate(groups, start=1):
        keep = keep_id(group, kept)
        rows.extend(DuplicateRow(number, group, contact, position, contact.id == keep)
                    for position, contact in enumerate(group.contacts))
    return rows


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
# the table, for the highlighted contact (U15.7).
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


DUPLICATE_ACTIONS = [("keep", "Keep this contact", "k"), ("merge", "Merge the group…", "M")]
SEGMENT_ACTIONS = [("open", "Open segment", "o")]
