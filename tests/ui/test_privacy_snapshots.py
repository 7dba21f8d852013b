"""Snapshots of C19.5 in the app, at 80x24 and 120x40: an administrator's member menu with
"Erase contact everywhere (privacy request)", and the confirmation it asks for.

Baselines live in snapshots/test_privacy_snapshots/; regenerate the whole module with
`pytest tests/ui/test_privacy_snapshots.py --snapshot-update` and look at the SVGs."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from segtui.data.store import Store
from tests.ui.conftest import SnapCompare, make_app, open_segment

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
ADMIN = "James Carter"


async def members(pilot: Pilot[Any]) -> None:
    await open_segment(pilot, "Enterprise Prospects")


@pytest.mark.parametrize("size", SIZES)
def test_an_administrators_member_menu(snap_compare: SnapCompare, sqlite_demo_store: Store,
                                       size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store, ADMIN), run_before=members, press=["m"],
                        terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_the_erase_confirmation(snap_compare: SnapCompare, sqlite_demo_store: Store,
                                size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store, ADMIN), run_before=members,
                        press=["m", "x"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_the_contact_data_export(snap_compare: SnapCompare, sqlite_demo_store: Store,
                                 size: tuple[int, int]) -> None:
    """C19.5.4: the subject access export's dialog, from e in the member menu."""
    assert snap_compare(make_app(sqlite_demo_store, ADMIN), run_before=members,
                        press=["m", "e"], terminal_size=size)
