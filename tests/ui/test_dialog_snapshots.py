"""Snapshots of U15.9, U15.10, U15.13 in the dialogs, at 80x24 and 120x40: a dialog's help
with its widgets' keys, the key line following the focus, the Edit tabs shown by F-keys,
"Discard your changes?", and the Create button with a rule's count.

Baselines live in snapshots/test_dialog_snapshots/; regenerate the whole module with
`pytest tests/ui/test_dialog_snapshots.py --snapshot-update` and look at the SVGs."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select

from segtui.data.store import Store
from segtui.widgets.contact_picker import ContactPicker
from segtui.widgets.paged_table import PagedTable
from tests.ui.conftest import SnapCompare, make_app, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.mark.parametrize("size", SIZES)
def test_create_help(snap_compare: SnapCompare, sqlite_demo_store: Store,
                     size: tuple[int, int]) -> None:
    """f1 in Create: its description, its keys, then the tag list's, contact list's and
    rule tree's."""
    assert snap_compare(make_app(sqlite_demo_store), press=["n", "f1"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_create_key_line_in_the_contact_list(snap_compare: SnapCompare,
                                             sqlite_demo_store: Store,
                                             size: tuple[int, int]) -> None:
    async def to_the_list(pilot: Pilot[Any]) -> None:
        await pilot.press("n")
        await settle(pilot)
        pilot.app.screen.query_one(ContactPicker).query_one(PagedTable).focus()

    assert snap_compare(make_app(sqlite_demo_store), run_before=to_the_list,
                        press=["space"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_create_dynamic_count_on_the_button(snap_compare: SnapCompare,
                                            sqlite_demo_store: Store,
                                            size: tuple[int, int]) -> None:
    """No name yet, a rule typed: "Create Segment (78 contacts)" whole, disabled."""
    async def dynamic(pilot: Pilot[Any]) -> None:
        await pilot.press("n")
        await settle(pilot)
        pilot.app.screen.query_one("#segment-kind", Select).value = "Dynamic"
        await settle(pilot)
        pilot.app.screen.query_one("#rule-text", Input).focus()

    assert snap_compare(make_app(sqlite_demo_store), run_before=dynamic,
                        press=[*'status = "Cold"'], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_discard_changes(snap_compare: SnapCompare, sqlite_demo_store: Store,
                         size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store), press=["n", *"Spring Push", "escape"],
                        terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_edit_rule_tab_by_f3(snap_compare: SnapCompare, sqlite_demo_store: Store,
                             size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store), press=["e", "f3"], terminal_size=size)
