"""C19.5 in the app: an administrator erases a contact from a segment's member menu, after
a confirmation, or exports everything stored about it (C19.5.4); a Marketing Manager's menu
has neither entry."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Input, Label

from segtui.core import clock
from segtui.core.audit import Action, AuditFilter
from segtui.data.store import Store
from segtui.screens.modals.confirm import Confirm
from segtui.screens.modals.export_contact_data import ExportContactDataModal
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


async def test_an_administrator_exports_a_members_data(sqlite_demo_store: Store,
                                                       tmp_path: Path) -> None:
    """C19.5.4: e in the member menu writes everything stored about the contact to the
    file typed; an existing file is refused and kept; the audit log records the request."""
    app = make_app(sqlite_demo_store, "James Carter")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        row = app.screen.query_one(PagedTable).current_row
        assert row is not None
        taken = tmp_path / "taken.json"
        taken.write_text("keep me", encoding="utf-8")
        await pilot.press("m", "e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportContactDataModal)
        path_input = dialog.query_one("#contact-data-path", Input)
        assert path_input.value == f"contact-{row.id}-data-{clock.today().isoformat()}.json"
        path_input.value = str(taken)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        assert "already exists" in str(dialog.query_one("#export-error", Label).render())
        assert taken.read_text(encoding="utf-8") == "keep me"
        target = tmp_path / "subject-access.json"
        path_input.value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is not dialog
    written = json.loads(target.read_text(encoding="utf-8"))
    assert written["contact"]["id"] == row.id
    assert written["contact"]["name"] == row.name
    admin = sqlite_demo_store.users.current_user("James Carter")
    entries = sqlite_demo_store.audit.entries(
        AuditFilter(action=Action.CONTACT_DATA_EXPORTED), admin)
    assert [(e.actor, e.subject) for e in entries] == [("James Carter", f"contact {row.id}")]


async def test_a_managers_member_menu_offers_no_data_export(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store, "Sarah Mitchell")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("m", "e")
        await settle(pilot)
        assert isinstance(app.screen, ActionMenu)  # e is no key here
