"""Snapshots of every screen and modal at 80x24 and 120x40 (T3).

Baselines live in snapshots/test_snapshots/. After a deliberate UI change, regenerate with
`pytest tests/ui/test_snapshots.py --snapshot-update` and look at the SVGs before committing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import TabbedContent

from segtui.core.contacts import ContactSelection
from segtui.data.store import Store
from segtui.widgets.contact_picker import ContactPicker
from tests.factories import add_segment
from tests.ui.conftest import SnapCompare, make_app, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.mark.parametrize("size", SIZES)
def test_dashboard(snap_compare: SnapCompare, sqlite_demo_store: Store,
                   size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_dashboard_filtered_and_sorted(snap_compare: SnapCompare, sqlite_demo_store: Store,
                                       size: tuple[int, int]) -> None:
    """Filters open, status Active, sorted by contacts descending."""
    assert snap_compare(
        make_app(sqlite_demo_store),
        press=["s", "s", "s", "S", "f", "enter", "down", "enter"],
        terminal_size=size,
    )


@pytest.mark.parametrize("size", SIZES)
def test_dashboard_no_match(snap_compare: SnapCompare, sqlite_demo_store: Store,
                            size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store), press=["slash", *"no such thing"],
                        terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_dashboard_hostile_text(snap_compare: SnapCompare, sqlite_demo_store: Store,
                                size: tuple[int, int]) -> None:
    add_segment(sqlite_demo_store, "[bold red]Boom[/] \x1b[31mX",
                description="[link=http://evil]click[/link] 🎉 " + "y" * 300)
    assert snap_compare(make_app(sqlite_demo_store), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare: SnapCompare, sqlite_demo_store: Store,
              size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store), press=["question_mark"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_row_menu(snap_compare: SnapCompare, sqlite_demo_store: Store,
                  size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store), press=["m"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_company_picker(snap_compare: SnapCompare, sqlite_demo_store: Store,
                        size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store),
                        press=["f", "tab", "tab", "tab", "enter", *"tech"], terminal_size=size)


# -- R7.2: the segment modals, including error states ------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_create_segment(snap_compare: SnapCompare, sqlite_demo_store: Store,
                        size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store),
                        press=["n", *"Spring Push", "tab", *"Hot leads", "tab", *"VIP", "enter"],
                        terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_create_segment_errors(snap_compare: SnapCompare, sqlite_demo_store: Store,
                               size: tuple[int, int]) -> None:
    """Submit attempt with a bad name and a duplicate tag: errors under the fields."""
    assert snap_compare(
        make_app(sqlite_demo_store),
        press=["n", *"Bad [name]", "tab", "tab", *"VIP", "enter", *"vip", "enter", "ctrl+s"],
        terminal_size=size,
    )


@pytest.mark.parametrize("size", SIZES)
def test_create_segment_select_all(snap_compare: SnapCompare, sqlite_demo_store: Store,
                                   size: tuple[int, int]) -> None:
    async def pick(pilot: Pilot[Any]) -> None:
        await pilot.press("n", *"Tech Accounts")
        pilot.app.screen.query_one(ContactPicker).focus_search()

    assert snap_compare(make_app(sqlite_demo_store), run_before=pick,
                        press=[*"tech", "enter", "ctrl+a", "down", "space"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_edit_segment_details(snap_compare: SnapCompare, sqlite_demo_store: Store,
                              size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store), press=["e"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_edit_segment_add_contacts_tab(snap_compare: SnapCompare, sqlite_demo_store: Store,
                                       size: tuple[int, int]) -> None:
    async def tab(pilot: Pilot[Any]) -> None:
        await pilot.press("down", "down", "e")
        await settle(pilot)
        pilot.app.screen.query_one(TabbedContent).active = "tab-add"

    assert snap_compare(make_app(sqlite_demo_store), run_before=tab, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_edit_segment_conflict(snap_compare: SnapCompare, sqlite_demo_store: Store,
                               size: tuple[int, int]) -> None:
    async def conflict(pilot: Pilot[Any]) -> None:
        await pilot.press("e")
        await settle(pilot)
        james = sqlite_demo_store.users.current_user("James Carter")
        current = sqlite_demo_store.segments.segment_details(1)
        assert current is not None
        sqlite_demo_store.segments.update_segment(1, 1, replace(current.as_draft(),
                                                                name="EP by James"),
                                                  ContactSelection(), james)
        await pilot.press("ctrl+s")

    assert snap_compare(make_app(sqlite_demo_store), run_before=conflict, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_delete_blocked(snap_compare: SnapCompare, sqlite_demo_store: Store,
                        size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store), press=["d"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_delete_confirm(snap_compare: SnapCompare, sqlite_demo_store: Store,
                        size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store), press=["down", "d"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_pause_confirmation(snap_compare: SnapCompare, sqlite_demo_store: Store,
                            size: tuple[int, int]) -> None:
    async def pause(pilot: Pilot[Any]) -> None:
        # Keyboard, not a click: a click leaves the pointer hovering over whatever lies
        # under it, and the screenshot raced the confirmation's first paint (flaky in CI).
        await pilot.press("d")
        await settle(pilot)
        pilot.app.screen.query_one("#pause").focus()
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(sqlite_demo_store), run_before=pause, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_add_contacts(snap_compare: SnapCompare, sqlite_demo_store: Store,
                      size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store), press=["down", "down", "a"],
                        terminal_size=size)
