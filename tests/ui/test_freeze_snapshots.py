"""Snapshots of the Freeze dialog and the campaign status picker (C20.4.1, C20.4.4) at
80x24 and 120x40, on the demo.

Baselines live in snapshots/test_freeze_snapshots/; regenerate with
`pytest tests/ui/test_freeze_snapshots.py --snapshot-update` and look at the SVGs."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from segtui.data.store import Store
from tests.ui.conftest import SnapCompare, make_app, open_segment, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


async def on_performance(pilot: Pilot[Any]) -> None:
    await open_segment(pilot, "Enterprise Prospects")
    await pilot.press("2")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_freeze_dialog(snap_compare: SnapCompare, sqlite_demo_store: Store,
                       size: tuple[int, int]) -> None:
    async def freeze(pilot: Pilot[Any]) -> None:
        await open_segment(pilot, "Enterprise Prospects")
    assert snap_compare(make_app(sqlite_demo_store), run_before=freeze, press=["F"],
                        terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_freeze_dialog_refusal(snap_compare: SnapCompare, sqlite_demo_store: Store,
                               size: tuple[int, int]) -> None:
    async def refused(pilot: Pilot[Any]) -> None:
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("F")
        await settle(pilot)
        await pilot.press("ctrl+u", *"[bold]x", "enter")
        await settle(pilot)
    assert snap_compare(make_app(sqlite_demo_store), run_before=refused, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_campaign_picker(snap_compare: SnapCompare, sqlite_demo_store: Store,
                         size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store), run_before=on_performance, press=["u"],
                        terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_campaign_status_picker(snap_compare: SnapCompare, sqlite_demo_store: Store,
                                size: tuple[int, int]) -> None:
    async def picked(pilot: Pilot[Any]) -> None:
        await on_performance(pilot)
        await pilot.press("u")
        await settle(pilot)
        await pilot.press(*"demo", "enter")
        await settle(pilot)
    assert snap_compare(make_app(sqlite_demo_store), run_before=picked, terminal_size=size)
