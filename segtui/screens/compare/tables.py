"""The compare screen's three tables as rows of cells (C20.5.3, C20.5.6, C20.5.7): the
figures side by side with the best marked, the overlap matrix, the regions. No widget
here: the screen puts the cells in its DataTables."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from segtui.core.compare import METRICS, Comparison
from segtui.core.formatting import whole
from segtui.core.metrics import percent
from segtui.widgets.text import user_text

BEST = " ★"  # after the best value: seen without colour too

HELP = (
    "2 to 6 segments side by side (marked with space on the dashboard, opened with C). "
    "Figures as the detail screen's: members now; engagement rate (an open, response or "
    "meeting in the last 30 days); conversion rate (a conversion ever); revenue of the "
    "members' conversions ever, and per member; retention: of the stays that began at "
    "least 30 days ago, the share still members or that lasted 30 days; unsubscribed "
    "(ranked by their share, lower is better); Quality Score; Active campaigns; the "
    "campaigns' mean open and click rates. ★ marks the best of the segments compared "
    "(none when all are equal). Members in both: each pair's shared members, and their "
    "share of the row's segment. For 2 or 3 segments, every region: the members in "
    "exactly those segments. x writes the comparison to a CSV and a JSON file in the "
    "current folder; r compares again. The same as `segtui segments compare A B --json`."
)


def figure_rows(comparison: Comparison, best_style: Style) -> list[list[Text]]:
    rows = []
    for metric in METRICS:
        best = comparison.best(metric)
        rows.append([Text(metric.label), *(
            Text(metric.text(side) + BEST, style=best_style, justify="right") if i in best
            else Text(metric.text(side) + " " * len(BEST), justify="right")
            for i, side in enumerate(comparison.sides))])
    return rows


def overlap_rows(comparison: Comparison) -> list[list[Text]]:
    """Row segment against column segment: 'members (share of the row's)'; the diagonal
    is the segment's own members."""
    count = len(comparison.sides)
    return [[user_text(side.name, "bold"), *(
        Text(whole(side.members), style="dim", justify="right") if row == column else
        Text(f"{whole(comparison.overlap(row, column))} "
             f"({comparison.overlap_share(row, column)}%)", justify="right")
        for column in range(count))] for row, side in enumerate(comparison.sides)]


def region_rows(comparison: Comparison) -> list[list[Text]] | None:
    """Each region's segments, members and share of all the compared members."""
    regions = comparison.regions()
    if regions is None:
        return None
    total = sum(r.members for r in regions)
    return [[user_text(comparison.region_name(r)), Text(whole(r.members), justify="right"),
             Text(f"{percent(r.members, total, 1)}%", justify="right")] for r in regions]
