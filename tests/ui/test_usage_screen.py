"""C19.4.4-C19.4.7 in the app, driven with keys: the Usage & audit screen (U on the
dashboard, administrators only), its Log's filters and pages, Adoption's 30/90 days,
archiving from Unused and restoring from the dashboard, and the log's export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Button, Input

from segtui.core.audit import Action, AuditFilter
from segtui.data.db.tables import AuditEntry, Segment
from segtui.data.store import Store
from segtui.screens.dashboard import DashboardScreen
from segtui.screens.modals.choice_picker import ChoicePicker
from segtui.screens.modals.export_audit import ExportAuditModal
from segtui.screens.usage import UsageScreen
from segtui.widgets.paged_table import PagedTable
from tests.ui.conftest import make_app, screen_text, settle, text_of
from tests.usage_data import JAMES, SARAH, fill_usage

ADMIN = JAMES


@pytest.fixture
def store(sqlite_demo_store: Store) -> Store:
    fill_usage(sqlite_demo_store)
    return sqlite_demo_store


def table(app: Any, which: str) -> PagedTable[Any]:
    found: PagedTable[Any] = app.screen.query_one(f"#{which}-table", PagedTable)
    return found


def actions_logged(store: Store) -> list[str]:
    with store.reading() as conn:
        return list(conn.execute(select(AuditEntry.action).order_by(AuditEntry.id.desc())
                                 .limit(3)).scalars())


async def usage(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("U")
    await settle(pilot)


async def test_a_manager_is_refused_the_screen(store: Store) -> None:
    app = make_app(store, SARAH)
    async with app.run_test(size=(80, 24)) as pilot:
        await usage(pilot)
        assert isinstance(app.screen, DashboardScreen)
        toasts = [n.message for n in app._notifications]
        assert any("Sarah Mitchell (Marketing Manager) may look but not review the audit log"
                   in t for t in toasts)


async def test_the_log_filtered_by_keys_and_paged(store: Store) -> None:
    app = make_app(store, ADMIN)
    async with app.run_test(size=(80, 24)) as pilot:
        await usage(pilot)
        assert isinstance(app.screen, UsageScreen)
        log = table(app, "log")
        assert app.focused is log
        newest = log.rows_on_page[0]
        assert (newest.action, newest.actor) == (Action.ACCESS_LOGS_CHECKED, ADMIN)
        assert "entries · newest first · no filters" in text_of(app, "#log-status")
        # Paging: past the last row shown is the next page, from SQL.
        total = store.audit.log_count(AuditFilter(), store.users.current_user(ADMIN))
        log.page_size = 5
        log.reload()
        await settle(pilot)
        for _ in range(5):
            await pilot.press("down")
        await settle(pilot)
        assert log.first_index == 5 and f"of {total}" in text_of(app, "#log-status")
        # f: the filters; the user's picker narrows as one types.
        await pilot.press("f")
        assert app.screen.focused is app.screen.query_one("#filter-user", Button)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ChoicePicker)
        await pilot.press(*"sarah")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert {e.actor for e in log.rows_on_page} == {SARAH}
        assert actions_logged(store)[0] == Action.USER_ACTIVITY_REVIEWED
        # A day that is not one: said, left out; the user filter stays.
        await pilot.press("f", "tab", "tab", "tab", *"2026-13-40", "enter")
        await settle(pilot)
        assert "Since: “2026-13-40” is not a day; write it as YYYY-MM-DD" in \
            text_of(app, "#log-status")
        assert {e.actor for e in log.rows_on_page} == {SARAH}
        since = app.screen.query_one("#filter-since", Input)
        since.value = ""
        await pilot.press(*"2024-02-01", "enter")
        await settle(pilot)
        assert {e.at.date().isoformat() >= "2024-02-01" for e in log.rows_on_page} == {True}
        assert "user Sarah Mitchell, since 2024-02-01" in text_of(app, "#log-status")
        assert app.focused is log  # enter on a good day: back to the log
        await pilot.press("f", "escape")  # escape in the filters: back to the log
        assert app.focused is log
        await pilot.press("c")
        await settle(pilot)
        assert "no filters" in text_of(app, "#log-status")
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_adoption_toggles_30_and_90_days(store: Store) -> None:
    app = make_app(store, ADMIN)
    async with app.run_test(size=(120, 40)) as pilot:
        await usage(pilot)
        await pilot.press("2")
        await settle(pilot)
        adoption = table(app, "adoption")
        assert app.focused is adoption
        assert adoption.rows_on_page[0].name == "Marketing Engagers"
        assert "the last 30 days" in text_of(app, "#adoption-status")
        await pilot.press("p")
        await settle(pilot)
        assert adoption.rows_on_page[0].name == "Enterprise Prospects"
        assert (adoption.rows_on_page[0].views, adoption.rows_on_page[0].campaigns) == (3, 3)
        assert "the last 90 days" in text_of(app, "#adoption-status")


async def test_archive_from_unused_and_restore_from_the_dashboard(store: Store) -> None:
    app = make_app(store, ADMIN)
    async with app.run_test(size=(120, 40)) as pilot:
        await usage(pilot)
        await pilot.press("3")
        await settle(pilot)
        unused = table(app, "unused")
        assert [r.name for r in unused.rows_on_page] == [
            "Winter Promo 2022", "Dormant Leads", "Old Webinar List"]
        await pilot.press("A")
        await settle(pilot)
        assert [r.name for r in unused.rows_on_page] == ["Dormant Leads", "Old Webinar List"]
        toast = [n.message for n in app._notifications][-1]
        assert toast.startswith("Archived “Winter Promo 2022”. To restore it:")
        with store.reading() as conn:
            assert conn.execute(select(Segment.archived_at).where(
                Segment.name == "Winter Promo 2022")).scalar_one() is not None
        await pilot.press("escape")
        await settle(pilot)
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        segments = dashboard.query_one(PagedTable)
        assert "Winter Promo 2022" not in [r.name for r in segments.rows_on_page]
        await pilot.press("R")  # the list shows no archived segment: says how
        assert "f, then status Archived" in [n.message for n in app._notifications][-1]
        await pilot.press("f", "enter", "down", "down", "down", "down", "enter")
        await settle(pilot)
        assert [r.name for r in segments.rows_on_page] == ["Winter Promo 2022"]
        segments.focus()
        await pilot.press("R")
        await settle(pilot)
        assert segments.rows_on_page == []
        with store.reading() as conn:
            assert conn.execute(select(Segment.archived_at).where(
                Segment.name == "Winter Promo 2022")).scalar_one() is None
        assert actions_logged(store)[0] == Action.SEGMENT_RESTORED


async def test_the_log_exports_what_its_filters_show(store: Store, tmp_path: Path) -> None:
    app = make_app(store, ADMIN)
    async with app.run_test(size=(80, 24)) as pilot:
        await usage(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ExportAuditModal)
        path_box = app.screen.query_one("#audit-export-path", Input)
        path_box.value = str(tmp_path / "log.jsonl")
        await pilot.press("shift+tab", "enter", "down", "enter")  # format: JSON Lines
        await settle(pilot)
        path_box.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, UsageScreen)
        lines = (tmp_path / "log.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(lines) == store.audit.log_count(
            AuditFilter(), store.users.current_user(ADMIN)) - 1
        assert actions_logged(store)[0] == Action.AUDIT_EXPORTED


async def test_the_palette_opens_it(store: Store) -> None:
    app = make_app(store, ADMIN)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"usage & audit")
        await settle(pilot)  # the palette gathers its hits in a worker
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, UsageScreen)
        await pilot.press("question_mark")
        await settle(pilot)
        assert type(app.screen).__name__ == "HelpScreen"
        assert any("Help — Usage & audit" in line for line in screen_text(app))


async def test_names_show_literally(store: Store) -> None:
    """S1: a segment named with markup and an escape shows as written, in Unused and in
    the Log, and crashes nothing."""
    from datetime import datetime

    from sqlalchemy import insert

    from segtui.data.db.tables import name_key

    hostile = "[b]Tricky[/b] \x1b[31mred"
    with store.writing() as conn:
        sid = conn.execute(insert(Segment).values(
            name=hostile, name_key=name_key(hostile), status="Draft", kind="Static",
            created_at=datetime(2023, 1, 1), updated_at=datetime(2023, 1, 1))
            .returning(Segment.id)).scalar_one()
        conn.execute(insert(AuditEntry).values(at=datetime(2023, 2, 1), actor="[i]who[/i]",
                                               action="metrics_viewed", segment_id=sid))
    app = make_app(store, ADMIN)
    async with app.run_test(size=(120, 40)) as pilot:
        await usage(pilot)
        await pilot.press("ctrl+end")
        await settle(pilot)
        lines = "\n".join(screen_text(app))
        assert "[i]who[/i]" in lines and "[b]Tricky[/b] ␛[31mred" in lines
        await pilot.press("3")
        await settle(pilot)
        assert "[b]Tricky[/b] ␛[31mred" in "\n".join(screen_text(app))
