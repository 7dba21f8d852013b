"""I16.16 in the app's import dialog (`i` on the dashboard): the check of a file
without an Email column says every row will be a new contact, and "Match by" lets the rows
find their contacts another way. On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from textual.widgets import Button, Input, Select

from segtui.core.contact_keys import MatchKey
from segtui.data.db.models import Contact
from segtui.data.store import Store
from segtui.screens.dashboard import DashboardScreen
from tests.ui.conftest import make_app, settle
from tests.ui.test_import_export_ui import SIZE, check, open_import, write


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


async def test_no_email_column_is_said_and_name_and_company_match(demo_store: Store,
                                                                  home: Path) -> None:
    write(home / "people.csv", "Full Name,Company,City\n"
                               "Sarah Johnson,TechCorp Solutions,Lisbon\n")
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        modal = await open_import(pilot, "~/people.csv")
        shown = await check(pilot)
        assert ("Warning: this file has no Email column: every row will be a new contact, "
                "and importing it again will add them all again; this file could match by "
                "name and company instead (--match).") in shown
        assert "Would import people.csv: 1 added, 0 updated" in shown
        modal.query_one("#import-match", Select).value = MatchKey.NAME_COMPANY.value
        await pilot.pause()
        assert modal.query_one("#import-run", Button).disabled  # checked with another key
        modal.query_one("#import-path", Input).focus()
        shown = await check(pilot)
        assert "Warning" not in shown
        assert "Would import people.csv: 0 added, 1 updated" in shown
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
    with demo_store.reading() as conn:
        assert conn.execute(select(Contact.city).where(Contact.id == 1)).scalar_one() == \
            "Lisbon"
