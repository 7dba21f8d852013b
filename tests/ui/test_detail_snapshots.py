"""Snapshots of the segment detail screen (R7.5): every tab and its dialogs, at 80x24 and
120x40, on the demo data (Enterprise Prospects, the first row).

Baselines live in snapshots/test_detail_snapshots/. Regenerate deliberately with
`pytest tests/ui/test_detail_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

import pytest

from segtui.data.store import Store
from tests.ui.conftest import SnapCompare, make_app

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("tab", ["1", "2", "3", "4", "5", "6"])
def test_detail_tab(snap_compare: SnapCompare, sqlite_demo_store: Store,
                    size: tuple[int, int], tab: str) -> None:
    assert snap_compare(make_app(sqlite_demo_store), press=["enter", tab], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_member_search(snap_compare: SnapCompare, sqlite_demo_store: Store,
                       size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store), press=["enter", "slash", *"tech"],
                        terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_member_menu(snap_compare: SnapCompare, sqlite_demo_store: Store,
                     size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store), press=["enter", "m"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_contact_details(snap_compare: SnapCompare, sqlite_demo_store: Store,
                         size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store), press=["enter", "m", "v"],
                        terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_add_activity_dialog(snap_compare: SnapCompare, sqlite_demo_store: Store,
                             size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store), press=["enter", "5", "n"],
                        terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_note_typed(snap_compare: SnapCompare, sqlite_demo_store: Store,
                    size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store),
                        press=["enter", "6", "n", *"Call [bold]Sarah[/] back"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_detail_help(snap_compare: SnapCompare, sqlite_demo_store: Store,
                     size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store), press=["enter", "2", "question_mark"],
                        terminal_size=size)
