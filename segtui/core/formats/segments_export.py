"""The segments CSV export of the dashboard (R7.1, "Export CSV Button")."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from segtui.core.formats.csv_safe import Cell
from segtui.core.formatting import dmy
from segtui.core.records import SegmentRow

SEGMENT_EXPORT_HEADER = (
    "Name",
    "Description",
    "Status",
    "Contact Count",
    "Campaign Count",
    "Last Modified",
)


def segments_export_filename(day: date) -> str:
    return f"segments_export_{day.isoformat()}.csv"


def segment_export_rows(rows: Iterable[SegmentRow]) -> Iterator[list[Cell]]:
    for row in rows:
        yield [
            row.name,
            row.description,
            row.status.value,
            row.contact_count,
            row.campaign_count,
            dmy(row.last_modified),
        ]
