"""Keyset pagination, the one way lists are paged (DESIGN.md "Scale budgets").

A window of a list sorted by (value, id) is fetched by comparing row values with the edge
of the previous window, never by OFFSET, so page 5,000 costs what page 1 costs. Walking
backwards is walking forwards in the reversed order, then flipping the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, literal, tuple_
from sqlalchemy.orm import QueryableAttribute

from segtui.core.records import Keyset

T = TypeVar("T")
AnySelect = TypeVar("AnySelect", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True)
class Window:
    """Which window to fetch: the first, the one after/before an edge, or the last."""

    after: Keyset | None = None
    before: Keyset | None = None
    at_end: bool = False

    def __post_init__(self) -> None:
        if sum((self.after is not None, self.before is not None, self.at_end)) > 1:
            raise ValueError("give at most one of after, before, at_end")

    @property
    def backwards(self) -> bool:
        return self.before is not None or self.at_end


def windowed(
    query: AnySelect,
    value: ColumnElement[Any] | QueryableAttribute[Any],
    row_id: ColumnElement[Any] | QueryableAttribute[Any],
    window: Window,
    *,
    descending: bool,
    limit: int,
) -> AnySelect:
    """`query` limited to the window (one row more than `limit`, to tell if more exist)."""
    reverse = descending != window.backwards
    edge_row = window.after or window.before
    if edge_row is not None:
        position = tuple_(value, row_id)
        edge = tuple_(literal(edge_row.value), literal(edge_row.id))
        query = query.where(position < edge if reverse else position > edge)
    order = (value.desc(), row_id.desc()) if reverse else (value, row_id)
    return query.order_by(*order).limit(limit + 1)


def settle(rows: Sequence[T], window: Window, limit: int) -> tuple[list[T], bool, bool]:
    """The fetched rows in list order, and whether rows exist before and after them."""
    more = len(rows) > limit
    kept = list(rows[:limit])
    if window.backwards:
        kept.reverse()
        return kept, more, window.before is not None
    return kept, window.after is not None, more
