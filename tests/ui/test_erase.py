"""C19.5 in the app: an administrator erases a contact from a segment's member menu, after
a confirmation; a Marketing Manager's menu has no such entry."""

from __future__ import annotations

from segtui.data.store import Store
from segtui.screens.modals.confirm import Confirm
from segtui.screens.modals.row_menu import ActionMenu
from segtui.widgets.paged_table import PagedTable
from tests.ui.conftest import make_app, open_segment, settle


async def test_an_administrator_erases_a_member_everywhere(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store, "James Carter")  # the demo's CRM Administrator
    async with app.run_test(size=(120, 40)) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        table = app.screen.query_one(PagedTable)
        row = table.current_row
        assert row is not None
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ActionMenu)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        await pilot.press("escape")  # changed their mind: nothing happens
        await settle(pilot)
        assert sqlite_demo_store.contacts.contact_details(row.id) is not None
        await pilot.press("m", "x")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")  # "no" has the focus: enter alone would keep the contact
        await settle(pilot)
        assert sqlite_demo_store.contacts.contact_details(row.id) is None
        assert any(f"Erased contact {row.id}" in str(n.message) for n in app._notifications)
        assert row.id not in [r.id for r in table.rows_on_page]


async def test_a_managers_member_menu_offers_no_erasure(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store, "Sarah Mitchell")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ActionMenu)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ActionMenu)  # x is no key here
