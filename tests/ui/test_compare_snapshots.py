"""Snapshots of marking and comparing (C20.5) at 80x24 and 120x40: the dashboard with
three segments marked, the compare screen of those three (figures, overlaps, regions),
and of six (no regions), on the demo plus two segments that share members with it.

Baselines live in snapshots/test_compare_snapshots/; regenerate the whole module with
`pytest tests/ui/test_compare_snapshots.py --snapshot-update` and look at the SVGs."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from segtui.data.store import Store
from tests.factories import add_segment
from tests.ui.conftest import SnapCompare, make_app, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def store(sqlite_demo_store: Store) -> Store:
    """Two segments overlapping the demo's: contacts 1-40 and 30-90."""
    add_segment(sqlite_demo_store, "High Value Mix", members=list(range(1, 41)))
    add_segment(sqlite_demo_store, "Recent Signups", members=list(range(30, 91)))
    return sqlite_demo_store


def marking(count: int) -> Any:
    async def mark(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for n in range(count):
            await pilot.press("space")
            if n < count - 1:
                await pilot.press("down")
        await settle(pilot)
    return mark


@pytest.mark.parametrize("size", SIZES)
def test_three_marked(snap_compare: SnapCompare, store: Store, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(store), run_before=marking(3), terminal_size=size)


@pytest.mark.parametrize("count", [3, 6])
@pytest.mark.parametrize("size", SIZES)
def test_compare(snap_compare: SnapCompare, store: Store, size: tuple[int, int],
                 count: int) -> None:
    assert snap_compare(make_app(store), run_before=marking(count), press=["C"],
                        terminal_size=size)
