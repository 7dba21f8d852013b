"""The history screen's tables as rows of cells (C20.2.2, C20.3.1): the stability of
each period, where leavers went and entrants came from, and the changes. No widget
here: the screen puts the cells in its DataTables."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from segtui.core.analytics import Series
from segtui.core.formatting import plural
from segtui.core.history import PERIODS, Direction, MembershipChange, Stability
from segtui.widgets.text import user_text

HELP = (
    "A segment's membership history. By month: the members at the end of each of the "
    "last 6 months (the growth chart's), and how many entered and left in it. "
    "Stability: of the members at the start of the last 7, 30 and 90 days, the share "
    "still members now; left and entered in that time. "
    "Where they went: the other segments the members who left entered in the period, and "
    "those the members who entered had left (p changes the period). Changes: every entry "
    "and exit, newest first, with why (the rule, by hand, a copy, a merge) and by whom; "
    "f shows entries, exits or both, w one reason or all, b the last 7, 30 or 90 days "
    "or all time, l loads older changes. r reads again. The same as `segtui segments "
    "history NAME` and `segtui segments migration`."
)

STABILITY_COLUMNS = [("Period", 9), ("At start", 9), ("Now", 9), ("Stayed", 9),
                     ("Stability", 9), ("Left", 8), ("Entered", 8)]
MONTH_COLUMNS = [("Month", 9), ("Members", 9), ("Entered", 9), ("Left", 9)]
MOVES_COLUMNS = [("Segment", 30), ("Left for it", 12), ("Came from it", 12)]
CHANGES_COLUMNS = [("When", 16), ("Change", 7), ("Why", 6), ("By", 16), ("Contact", 40)]


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _right(value: str) -> Text:
    return Text(value, justify="right")


def stability_rows(found: list[tuple[int, Stability]]) -> list[list[Text]]:
    return [[Text(plural(days, "day")), _right(f"{s.members_at_start:,}"),
             _right(f"{s.members_at_end:,}"), _right(f"{s.stayed:,}"),
             _right(_share(s.stability)), _right(f"{s.left:,}"), _right(f"{s.entered:,}")]
            for days, s in found]


def month_rows(months: Series) -> list[list[Text]]:
    """A row per month of the growth chart's (C20.2.1): members at its end, entered, left."""
    values = months.values
    return [[Text(label), *(_right(f"{int(values[name][i]):,}")
                            for name in ("Members", "Entered", "Left"))]
            for i, label in enumerate(months.labels)]


def moves_rows(found: Stability) -> list[list[Text]]:
    """One row per other segment: how many leavers entered it, how many entrants left
    it (each side's largest, C20.3.1), largest first."""
    went = {m.segment_id: m for m in found.went_to}
    came = {m.segment_id: m for m in found.came_from}
    ids = sorted(went.keys() | came.keys(), key=lambda sid: -max(
        went[sid].contacts if sid in went else 0, came[sid].contacts if sid in came else 0))
    rows = []
    for sid in ids:
        name = (went.get(sid) or came[sid]).name
        rows.append([user_text(name), _right(f"{went[sid].contacts:,}" if sid in went else "–"),
                     _right(f"{came[sid].contacts:,}" if sid in came else "–")])
    return rows


def change_row(change: MembershipChange, entered: Style, left: Style) -> list[Text]:
    """A change's cells; `entered` and `left` style its direction (the theme's)."""
    contact = user_text(change.contact_name)
    if change.email:
        contact.append(" ")
        contact.append_text(user_text(f"<{change.email}>", "dim"))
    return [Text(f"{change.at:%Y-%m-%d %H:%M}"),
            Text(change.direction.value,
                 style=entered if change.direction is Direction.ENTERED else left),
            Text(change.why.value), user_text(change.by) if change.by else Text("rule",
                                                                                style="dim"),
            contact]


def next_period(days: int) -> int:
    return PERIODS[(PERIODS.index(days) + 1) % len(PERIODS)]
