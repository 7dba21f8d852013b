"""A comparison of segments (C20.5) as data: the JSON object `segtui segments compare
--json` prints and the compare screen's `x` writes, and the rows of its CSV file.
docs/cli.md shows the shape."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from segtui.core.compare import METRICS, Comparison, Side
from segtui.core.formats.csv_safe import Cell


def comparison_filename(when: datetime, suffix: str) -> str:
    return f"segment_comparison_{when:%Y-%m-%d_%H%M}.{suffix}"


def _number(value: Decimal | int | None) -> float | int | None:
    """Rates as JSON numbers (one decimal at most, exact in a float); None stays null."""
    return float(value) if isinstance(value, Decimal) else value


def side_object(side: Side) -> dict[str, Any]:
    return {
        "id": side.segment_id,
        "name": side.name,
        **{m.key: _number(m.value(side)) for m in METRICS if m.key != "unsubscribed"},
        "retention_began": side.retention.began,
        "retention_kept": side.retention.kept,
        "unsubscribed": side.unsubscribed,
        "unsubscribed_rate": _number(side.unsubscribed_share),
    }


def comparison_object(comparison: Comparison) -> dict[str, Any]:
    """The segments with their figures, the best segment(s) of each figure (by name; none
    when all are equal), the overlap of every pair (counts and % of the first one), and
    the regions for 2 or 3 segments (else null)."""
    sides = comparison.sides
    regions = comparison.regions()
    return {
        "segments": [side_object(s) for s in sides],
        "best": {m.key: [sides[i].name for i in sorted(comparison.best(m))] for m in METRICS},
        "overlap": [
            {"segment": sides[row].name, "with": sides[column].name,
             "members": comparison.overlap(row, column),
             "percent_of_segment": _number(comparison.overlap_share(row, column))}
            for row in range(len(sides)) for column in range(len(sides)) if row != column],
        "regions": None if regions is None else [
            {"segments": [sides[i].name for i in r.inside], "members": r.members}
            for r in regions],
    }


def comparison_header(comparison: Comparison) -> list[str]:
    return ["Figure", *(s.name for s in comparison.sides)]


def comparison_rows(comparison: Comparison, *, regions: bool = True
                    ) -> Iterator[list[Cell]]:
    """The figures as shown (a "*" after the best), a blank row, the overlap matrix in
    counts then in % of the row's segment, and the regions (2 or 3 segments)."""
    sides = comparison.sides
    for metric in METRICS:
        best = comparison.best(metric)
        yield [metric.label, *(metric.text(s) + (" *" if i in best else "")
                               for i, s in enumerate(sides))]
    yield []
    yield ["Members in both", *(s.name for s in sides)]
    for row, side in enumerate(sides):
        yield [side.name, *(comparison.overlap(row, c) for c in range(len(sides)))]
    yield []
    yield ["% of the row's segment", *(s.name for s in sides)]
    for row, side in enumerate(sides):
        yield [side.name, *(f"{comparison.overlap_share(row, c)}%" for c in range(len(sides)))]
    listed = comparison.regions() if regions else None
    if listed is not None:
        yield []
        yield ["Region", "Members"]
        for region in listed:
            yield [comparison.region_name(region), region.members]
