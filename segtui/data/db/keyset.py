"""Keyset pagination, the one way lists are paged (A5).

A window of a list sorted by (value, id) is fetched by comparing row values with the edge
of the previous window, never by OFFSET, so page 5,000 costs what page 1 costs. Walking
backwards is walking forwards in the reversed order, then flipping the rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, literal, tuple_

from segtui.core.records import Keyset, Page

T = TypeVar("T")
R = TypeVar("R")
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

    @property
    def edge(self) -> Keyset | None:
        """The row the window starts beyond (None: it starts at an end of the list)."""
        return self.after or self.before


Column = ColumnElement[Any]


def walks_down(window: Window, *, descending: bool) -> bool:
    """Whether fetching the window walks down the (value, id) order: an ascending list's
    previous or last window, a descending list's first or next one."""
    return descending != window.backwards


def past(value: Column, row_id: Column, edge: Keyset, *, down: bool) -> ColumnElement[bool]:
    """The rows a walk meets after `edge`: a row value comparison, which both engines
    answer as a range of a (value, id) index."""
    position, at = tuple_(value, row_id), tuple_(literal(edge.value), literal(edge.id))
    return position < at if down else position > at


def up_to(value: Column, row_id: Column, edge: Keyset, *, down: bool) -> ColumnElement[bool]:
    """The rows a walk meets before `edge`, and `edge` itself: the far end of a range."""
    position, at = tuple_(value, row_id), tuple_(literal(edge.value), literal(edge.id))
    return position >= at if down else position <= at


def walk_order(value: Column, row_id: Column, *, down: bool) -> tuple[Any, Any]:
    return (value.desc(), row_id.desc()) if down else (value, row_id)


def windowed(
    query: AnySelect,
    value: Column,
    row_id: Column,
    window: Window,
    *,
    descending: bool,
    limit: int,
) -> AnySelect:
    """`query` limited to the window (one row more than `limit`, to tell if more exist)."""
    down = walks_down(window, descending=descending)
    edge = window.edge
    if edge is not None:
        query = query.where(past(value, row_id, edge, down=down))
    return query.order_by(*walk_order(value, row_id, down=down)).limit(limit + 1)


def settle(rows: Sequence[T], window: Window, limit: int) -> tuple[list[T], bool, bool]:
    """The fetched rows in list order, and whether rows exist before and after them."""
    more = len(rows) > limit
    kept = list(rows[:limit])
    if window.backwards:
        kept.reverse()
        return kept, more, window.before is not None
    return kept, window.after is not None, more


def keyed_page(keys: Sequence[Keyset], rows: Mapping[int, R], has_before: bool,
               has_after: bool) -> Page[R]:
    """A page found in two steps (its keys by keyset, then its rows by id): the rows in
    the keys' order, a key whose row is gone meanwhile left out, and the keys as its edges."""
    return Page(
        rows=tuple(rows[key.id] for key in keys if key.id in rows),
        first=keys[0] if keys else None,
        last=keys[-1] if keys else None,
        has_before=has_before,
        has_after=has_after,
    )
