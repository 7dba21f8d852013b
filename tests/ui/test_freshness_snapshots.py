"""Snapshots of a failed evaluation (C20.7.5, C20.7.6) at 80x24 and 120x40: the detail
screen of a dynamic segment whose rule fails (its header and the failure's line), and the
dashboard with that segment highlighted (⚠ before its name; at 80 columns, why, on the
line under the list).

Baselines live in snapshots/test_freshness_snapshots/; regenerate the module with
`pytest tests/ui/test_freshness_snapshots.py --snapshot-update` and look at the SVGs."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from segtui.data.store import Store
from tests.ui.conftest import SnapCompare, make_app, search_dashboard
from tests.ui.test_freshness import broken_segment

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
NAME = "Boston Shoe Sizes"


@pytest.fixture
def store(sqlite_demo_store: Store) -> Store:
    broken_segment(sqlite_demo_store, NAME)
    return sqlite_demo_store


async def highlighted(pilot: Pilot[Any]) -> None:
    await search_dashboard(pilot, NAME)


@pytest.mark.parametrize("size", SIZES)
def test_dashboard_with_a_failed_segment(snap_compare: SnapCompare, store: Store,
                                         size: tuple[int, int]) -> None:
    assert snap_compare(make_app(store), run_before=highlighted, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_detail_of_a_failed_segment(snap_compare: SnapCompare, store: Store,
                                    size: tuple[int, int]) -> None:
    assert snap_compare(make_app(store), run_before=highlighted, press=["enter"],
                        terminal_size=size)
