"""Snapshots of the Discover screen (C22.4) at 80x24 and 120x40: the setup, the clusters
of a discovery (planted: the same whatever the engine's tuning, tests/ui/discover_data.py),
the Keep dialog with the suggested rule in the rule builder, and the industry trends of
the demo. The clock is the demo's.

Baselines live in snapshots/test_discover_snapshots/; regenerate the whole module with
`pytest tests/ui/test_discover_snapshots.py --snapshot-update` and look at the SVGs
(`tests.ui.conftest.svg_text` prints one as lines of text)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Select

from segtui.core.enums import SegmentKind
from segtui.data.store import Store
from tests.ui.conftest import SnapCompare, make_app, settle
from tests.ui.discover_data import made_discovery, plant, planted

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def store(sqlite_demo_store: Store) -> Store:
    plant(sqlite_demo_store, planted(made_discovery(list(range(1, 256)))))
    return sqlite_demo_store


@pytest.mark.parametrize("size", SIZES)
def test_setup(snap_compare: SnapCompare, store: Store, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(store), press=["G", "down", "down"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_clusters(snap_compare: SnapCompare, store: Store, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(store), press=["G", "r", "down"], terminal_size=size)


async def keep_dynamic(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    for key in ("G", "r", "k"):
        await pilot.press(key)
        await settle(pilot)
    pilot.app.screen.query_one("#keep-kind", Select).value = SegmentKind.DYNAMIC.value
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_keep_dynamic(snap_compare: SnapCompare, store: Store, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(store), run_before=keep_dynamic, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_trends(snap_compare: SnapCompare, store: Store, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(store), press=["G", "3"], terminal_size=size)
