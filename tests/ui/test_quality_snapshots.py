"""Snapshots of the Data Quality screen (Q6.4) at 80x24 and 120x40: the report with
likely duplicates (the demo plus tests/ui/quality_data.py, hostile names included), the
merge confirmation, and the demo alone (no duplicates).

Baselines live in snapshots/test_quality_snapshots/. Regenerate deliberately with
`pytest tests/ui/test_quality_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

import pytest

from segtui.data.store import Store
from tests.ui.conftest import SnapCompare, make_app
from tests.ui.quality_data import add_duplicates

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.mark.parametrize("size", SIZES)
def test_quality_report(snap_compare: SnapCompare, sqlite_demo_store: Store,
                        size: tuple[int, int]) -> None:
    add_duplicates(sqlite_demo_store)
    assert snap_compare(make_app(sqlite_demo_store), press=["Q"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_quality_merge_confirm(snap_compare: SnapCompare, sqlite_demo_store: Store,
                               size: tuple[int, int]) -> None:
    add_duplicates(sqlite_demo_store)
    assert snap_compare(make_app(sqlite_demo_store), press=["Q", "down", "down", "M"],
                        terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_quality_no_duplicates(snap_compare: SnapCompare, sqlite_demo_store: Store,
                               size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store), press=["Q"], terminal_size=size)
