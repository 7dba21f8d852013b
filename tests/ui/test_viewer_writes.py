"""The bad input of C19.2: a Viewer tries every write the app offers, by its keys, on both
engines. Each is refused with the one line every screen shows a Viewer (core/permissions.py,
`refusal`), no dialog opens to be filled in for nothing, and the database holds exactly
what it held (C19.2, R2). The command line's side: tests/test_cli_access.py; psql's:
tests/test_pg_logins.py."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Button

from segtui.data.db.models import Base
from segtui.data.store import Store
from segtui.screens.dashboard import DashboardScreen
from segtui.screens.detail.screen import SegmentDetailScreen
from segtui.screens.modals.confirm import Confirm
from segtui.screens.modals.delete_segment import DeleteSegmentModal
from segtui.screens.modals.row_menu import ActionMenu
from tests.ui.conftest import make_app, open_segment, settle

VIEWER = "Alex Kim"  # the demo's Viewer


def everything(store: Store) -> dict[str, list[str]]:
    """Every row of every table, but when each user was last seen (a look, C19.3.5)."""
    with store.reading() as conn:
        return {table.name: sorted(
                    repr(tuple(row)) for row in conn.execute(
                        select(*[c for c in table.columns if c.name != "last_seen_at"])))
                for table in Base.metadata.sorted_tables if table.name != "audit_log"}


def refusals(pilot: Pilot[Any]) -> int:
    return sum("may look but not" in str(n.message) for n in pilot.app._notifications)


async def refused(pilot: Pilot[Any], key: str, screen: type) -> None:
    before = refusals(pilot)
    await pilot.press(key)
    await settle(pilot)
    assert isinstance(pilot.app.screen, screen), f"{key!r} opened {pilot.app.screen!r}"
    assert refusals(pilot) == before + 1, f"{key!r} said nothing"


@pytest.mark.parametrize("key", ["n", "e", "y", "a", "i", "U", "P"])
async def test_a_viewer_is_refused_every_write_on_the_dashboard(demo_store: Store,
                                                                 key: str) -> None:
    held = everything(demo_store)
    app = make_app(demo_store, VIEWER)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await refused(pilot, key, DashboardScreen)
    assert everything(demo_store) == held


@pytest.mark.parametrize("keys", [["a"], ["e"], ["5", "n"], ["6", "n"]])
async def test_a_viewer_is_refused_every_write_on_a_segment(demo_store: Store,
                                                            keys: list[str]) -> None:
    held = everything(demo_store)
    app = make_app(demo_store, VIEWER)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        for key in keys[:-1]:
            await pilot.press(key)
            await settle(pilot)
        await refused(pilot, keys[-1], SegmentDetailScreen)
    assert everything(demo_store) == held


async def test_a_viewer_sees_what_a_delete_would_do_but_can_not(demo_store: Store) -> None:
    """d shows a Viewer the delete dialog's preview (who is in it, which campaigns use
    it), with Delete disabled and saying why (R7.10): looking is theirs."""
    held = everything(demo_store)
    app = make_app(demo_store, VIEWER)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DeleteSegmentModal)
        assert app.screen.query_one("#delete", Button).disabled
        await pilot.press("enter", "y")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
    assert everything(demo_store) == held


async def test_a_viewers_member_menu_offers_no_change(demo_store: Store) -> None:
    """The member menu of a Viewer has no "Remove from segment": its d does nothing."""
    held = everything(demo_store)
    app = make_app(demo_store, VIEWER)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ActionMenu)
        await pilot.press("d")
        await settle(pilot)
        assert not isinstance(app.screen, Confirm)
    assert everything(demo_store) == held
