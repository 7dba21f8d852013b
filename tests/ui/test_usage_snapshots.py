"""Snapshots of the Usage & audit screen (C19.4.4-C19.4.6) at 80x24 and 120x40: the Log,
Adoption over 30 days, Unused, and the Log's export dialog.

Baselines live in snapshots/test_usage_snapshots/; regenerate the whole module with
`pytest tests/ui/test_usage_snapshots.py --snapshot-update` and look at the SVGs."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from segtui.data.store import Store
from tests.ui.conftest import SnapCompare, make_app, settle
from tests.usage_data import JAMES, fill_usage

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def store(sqlite_demo_store: Store) -> Store:
    fill_usage(sqlite_demo_store)
    return sqlite_demo_store


async def usage(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("U")
    await settle(pilot)


@pytest.mark.parametrize("view", ["1", "2", "3", "x"])
@pytest.mark.parametrize("size", SIZES)
def test_usage_views(snap_compare: SnapCompare, store: Store, size: tuple[int, int],
                     view: str) -> None:
    assert snap_compare(make_app(store, JAMES), run_before=usage, press=[view],
                        terminal_size=size)


async def archived_on_the_dashboard(pilot: Pilot[Any]) -> None:
    """Winter Promo archived from Unused, then the dashboard's status filter: Archived."""
    await usage(pilot)
    await pilot.press("3", "A")
    await settle(pilot)
    await pilot.press("escape")
    await settle(pilot)
    await pilot.press("f", "enter", "down", "down", "down", "down", "enter", "escape")
    await settle(pilot)
    pilot.app.clear_notifications()  # the archive's toast: test_usage_screen.py reads it
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_an_archived_segments_row_menu(snap_compare: SnapCompare, store: Store,
                                       size: tuple[int, int]) -> None:
    """The dashboard lists the archived; the row menu offers "Restore from the archive"."""
    assert snap_compare(make_app(store, JAMES), run_before=archived_on_the_dashboard,
                        press=["m"], terminal_size=size)
