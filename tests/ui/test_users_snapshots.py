"""Snapshots of the Users screen (C19.3.3) at 80x24 and 120x40: the list an administrator
sees (a team with markup shows literally, a deactivated user), the picker asking who
receives a leaving user's segments, the deactivation's confirmation, and the team dialog.

Baselines live in snapshots/test_users_snapshots/; regenerate the whole module with
`pytest tests/ui/test_users_snapshots.py --snapshot-update` and look at the SVGs."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from segtui.data.store import Store
from segtui.screens.users import UsersScreen
from segtui.widgets.paged_table import PagedTable
from tests.ui.conftest import SnapCompare, make_app, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
ADMIN = "James Carter"


def teams(store: Store) -> None:
    admin = store.users.current_user(ADMIN)
    store.users.set_team("Sarah Mitchell", "Growth", admin)
    store.users.set_team("Priya Patel", "[bold]Lifecycle[/]", admin)
    store.users.add_user("Maria Lopez", store.users.current_user(ADMIN).role, admin)
    store.users.deactivate("Maria Lopez", admin)


def on(name: str) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.press("P")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, UsersScreen)
        row = next(i for i, r in enumerate(screen.rows) if r.name == name)
        screen.query_one(PagedTable).move_cursor(row=row)
        await settle(pilot)
    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_the_users_list(snap_compare: SnapCompare, sqlite_demo_store: Store,
                        size: tuple[int, int]) -> None:
    teams(sqlite_demo_store)
    assert snap_compare(make_app(sqlite_demo_store, ADMIN), run_before=on("Priya Patel"),
                        terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_who_receives_the_segments(snap_compare: SnapCompare, sqlite_demo_store: Store,
                                   size: tuple[int, int]) -> None:
    teams(sqlite_demo_store)
    assert snap_compare(make_app(sqlite_demo_store, ADMIN), run_before=on("Sarah Mitchell"),
                        press=["D"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_the_deactivation_confirmation(snap_compare: SnapCompare, sqlite_demo_store: Store,
                                       size: tuple[int, int]) -> None:
    teams(sqlite_demo_store)
    assert snap_compare(make_app(sqlite_demo_store, ADMIN), run_before=on("Sarah Mitchell"),
                        press=["D", "P", "r", "i", "enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_the_team_dialog(snap_compare: SnapCompare, sqlite_demo_store: Store,
                         size: tuple[int, int]) -> None:
    teams(sqlite_demo_store)
    assert snap_compare(make_app(sqlite_demo_store, ADMIN), run_before=on("Priya Patel"),
                        press=["t"], terminal_size=size)
