"""Snapshots of the membership history screen (C20.2.2, C20.3.1) at 80x24 and 120x40:
the demo's Product Trial Users (three members left for Marketing Engagers), its 90 days'
moves shown.

Baselines live in snapshots/test_history_snapshots/; regenerate the module with
`pytest tests/ui/test_history_snapshots.py --snapshot-update` and look at the SVGs."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from segtui.data.store import Store
from tests.ui.conftest import SnapCompare, make_app, open_segment, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


async def history(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await open_segment(pilot, "Product Trial Users")
    await pilot.press("h")
    await settle(pilot)
    await pilot.press("p")  # 30 -> 90 days
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_history(snap_compare: SnapCompare, sqlite_demo_store: Store,
                 size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store), run_before=history, terminal_size=size)
