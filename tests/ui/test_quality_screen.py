"""Q6.4: the Data Quality screen, opened from the dashboard with `Q` and driven by key
presses, on SQLite and PostgreSQL. What it shows is checked against
`Store.quality.quality_report()`,
what a merge does against the database. Data: the demo plus tests/ui/quality_data.py."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from rich.text import Text
from sqlalchemy import delete, func, select
from textual.pilot import Pilot
from textual.widgets import Label, Static

from segtui.app import SegtuiApp
from segtui.core.formatting import whole
from segtui.core.quality import QualityReport
from segtui.data.db.models import Contact, EngagementEvent, Membership
from segtui.data.store import Store
from segtui.screens.dashboard import DashboardScreen
from segtui.screens.detail.screen import SegmentDetailScreen
from segtui.screens.modals.confirm import Confirm
from segtui.screens.modals.help import HelpScreen
from segtui.screens.quality import DataQualityScreen
from segtui.screens.quality_tables import DuplicateRow
from segtui.widgets.metric_card import MetricCard
from segtui.widgets.paged_table import PagedTable
from tests.ui.conftest import make_app, settle, text_of, wait_until
from tests.ui.quality_data import EVIL_SHOWN, add_duplicates


async def open_quality(pilot: Pilot[Any]) -> DataQualityScreen:
    await settle(pilot)
    assert isinstance(pilot.app.screen, DashboardScreen)
    await pilot.press("Q")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DataQualityScreen)
    return screen


def duplicate_rows(app: SegtuiApp) -> list[DuplicateRow]:
    table = app.screen.query_one("#quality-duplicates", PagedTable)
    return list(table.rows_on_page)


def cell(app: SegtuiApp, table_id: str, row: int, column: str) -> str:
    table = app.screen.query_one(f"#{table_id}", PagedTable)
    value = table.get_cell(table.ordered_rows[row].key, column)
    return value.plain if isinstance(value, Text) else str(value)


def confirm_text(app: SegtuiApp) -> str:
    assert isinstance(app.screen, Confirm)
    shown = [w.content for w in app.screen.query(Static) if not isinstance(w, Label)]
    return " ".join(c.plain if isinstance(c, Text) else str(c) for c in shown)


def messages(app: SegtuiApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def contact_exists(store: Store, contact_id: int) -> bool:
    with store.reading() as conn:
        return bool(conn.execute(select(func.count()).select_from(Contact)
                                 .where(Contact.id == contact_id)).scalar_one())


def current_segments(store: Store, contact_id: int) -> set[int]:
    with store.reading() as conn:
        return set(conn.execute(select(Membership.segment_id).where(
            Membership.contact_id == contact_id, Membership.removed_at.is_(None))).scalars())


def events_of(store: Store, contact_id: int) -> int:
    with store.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(EngagementEvent)
                                .where(EngagementEvent.contact_id == contact_id))
                   .scalar_one())


async def confirm_merge(pilot: Pilot[Any]) -> None:
    """M, then tab to the Merge button (Cancel has the focus) and enter."""
    await pilot.press("M")
    await settle(pilot)
    assert isinstance(pilot.app.screen, Confirm)
    await pilot.press("tab", "enter")
    await settle(pilot)


async def test_figures_and_tables_match_the_report(demo_store: Store) -> None:
    add_duplicates(demo_store)
    report = demo_store.quality.quality_report()
    app = make_app(demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_quality(pilot)
        cards = {card.id: card.value for card in app.screen.query(MetricCard)}
        assert cards == {
            "card-missing-email": whole(report.missing_email),
            "card-invalid-email": whole(report.invalid_email),
            "card-missing-phone": whole(report.missing_phone),
            "card-duplicates": whole(report.duplicate_email_groups
                                     + report.duplicate_name_groups),
            "card-stale": whole(report.stale),
        }
        assert cards["card-duplicates"] == "3"
        rows = duplicate_rows(app)
        assert [(r.number, r.contact.id) for r in rows] == [
            (n, m.id) for n, g in enumerate(report.groups, start=1) for m in g.contacts]
        # The oldest of each group is the one kept by default, and marked so.
        assert [r.contact.id for r in rows if r.keep] == [g.contacts[0].id
                                                          for g in report.groups]
        assert cell(app, "quality-duplicates", 0, "keep") == "keep"
        assert cell(app, "quality-duplicates", 1, "keep") == ""
        segments = app.screen.query_one("#quality-segments", PagedTable)
        assert [s.id for s in segments.rows_on_page] == [s.id for s in report.segments]
        assert "3 groups (2 same email, 1 same name + company)" in text_of(
            app, "#duplicates-title")
        assert f"{whole(report.contacts)} contacts checked" in text_of(app, "#quality-status")
        assert isinstance(app.focused, PagedTable) and app.focused.id == "quality-duplicates"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)


async def test_merge_keeps_the_oldest_and_every_membership(demo_store: Store) -> None:
    dup = add_duplicates(demo_store)
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_quality(pilot)
        assert duplicate_rows(app)[0].contact.id == dup.dana_old
        await confirm_merge(pilot)
        assert isinstance(app.screen, DataQualityScreen)
        assert not contact_exists(demo_store, dup.dana_new)
        assert current_segments(demo_store, dup.dana_old) == {dup.twins_segment,
                                                              dup.other_segment}
        assert events_of(demo_store, dup.dana_old) == 2
        assert f"Merged 1 contact into #{dup.dana_old} Dana Twin: 1 membership and 2 " \
            "events moved, 1 segment logged." in messages(app)
        # The report was reloaded: the Dana group is gone, the others remain.
        assert {r.contact.id for r in duplicate_rows(app)} == {
            dup.evil, dup.evil_twin, dup.lee_one, dup.lee_two}
        assert app.screen.query_one("#card-duplicates", MetricCard).value == "2"
        assert app.focused is app.screen.query_one("#quality-duplicates", PagedTable)


async def test_keep_another_contact_then_merge(demo_store: Store) -> None:
    dup = add_duplicates(demo_store)
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_quality(pilot)
        await pilot.press("down", "down", "down", "k")  # keep the younger evil twin
        await settle(pilot)
        await pilot.press("up", "up", "enter")  # enter keeps too
        await settle(pilot)
        rows = duplicate_rows(app)
        assert [r.contact.id for r in rows if r.keep][:2] == [dup.dana_new, dup.evil_twin]
        assert app.screen.query_one("#quality-duplicates", PagedTable).cursor_row == 1
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        assert f"Keep #{dup.dana_new} Dana Twin" in confirm_text(app)
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert not contact_exists(demo_store, dup.dana_old)
        assert current_segments(demo_store, dup.dana_new) == {dup.twins_segment,
                                                              dup.other_segment}


async def test_cancel_changes_nothing(sqlite_demo_store: Store) -> None:
    dup = add_duplicates(sqlite_demo_store)
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_quality(pilot)
        await pilot.press("M")
        assert isinstance(app.screen, Confirm)
        await pilot.press("enter")  # Cancel has the focus
        await settle(pilot)
        assert isinstance(app.screen, DataQualityScreen)
        assert contact_exists(sqlite_demo_store, dup.dana_new)


async def test_viewer_may_not_merge(demo_store: Store) -> None:
    dup = add_duplicates(demo_store)
    before = demo_store.quality.quality_report()
    app = make_app(demo_store, "Alex Kim")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_quality(pilot)
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(app.screen, DataQualityScreen)  # no confirmation offered
        assert any("Alex Kim (Viewer) may look but not merge contacts" in m
                   for m in messages(app))
    assert contact_exists(demo_store, dup.dana_new)
    assert demo_store.quality.quality_report() == before


async def test_contact_deleted_meanwhile_merges_nothing(demo_store: Store) -> None:
    dup = add_duplicates(demo_store)
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_quality(pilot)
        with demo_store.orm_session() as session:  # another user, same database
            session.execute(delete(Contact).where(Contact.id == dup.dana_new))
        await confirm_merge(pilot)
        assert any(f"Nothing was merged: no contact with id {dup.dana_new}" in m
                   for m in messages(app))
        assert contact_exists(demo_store, dup.dana_old)
        assert current_segments(demo_store, dup.dana_old) == {dup.twins_segment}
        assert dup.dana_old not in {r.contact.id for r in duplicate_rows(app)}  # reloaded


async def test_open_affected_segment_and_come_back(demo_store: Store) -> None:
    dup = add_duplicates(demo_store)
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_quality(pilot)
        await pilot.press("tab")
        table = app.screen.query_one("#quality-segments", PagedTable)
        assert app.focused is table
        ids = [s.id for s in table.rows_on_page]
        await pilot.press(*["down"] * ids.index(dup.twins_segment), "enter")
        await settle(pilot)
        assert isinstance(app.screen, SegmentDetailScreen)
        assert app.screen.segment_id == dup.twins_segment
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DataQualityScreen)
        assert app.focused is table
        await pilot.press("k")  # not on the duplicates table: says where to go
        assert any("duplicates table first" in m for m in messages(app))


async def test_hostile_names_render_literally(sqlite_demo_store: Store) -> None:
    dup = add_duplicates(sqlite_demo_store)
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_quality(pilot)
        rows = duplicate_rows(app)
        index = [r.contact.id for r in rows].index(dup.evil)
        assert cell(app, "quality-duplicates", index, "name") == EVIL_SHOWN
        segments = app.screen.query_one("#quality-segments", PagedTable)
        hostile = [s.id for s in segments.rows_on_page].index(dup.hostile_segment)
        assert cell(app, "quality-segments", hostile, "name") == \
            "[red]Hostile[/red] ␛[1mSegment"
        await pilot.press(*["down"] * index, "M")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        assert EVIL_SHOWN in confirm_text(app)


async def test_help_palette_and_back(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "Data quality" in {d for _, d in app.screen.keys}
        await pilot.press("escape")
        await pilot.press("ctrl+p", *"data quality")
        await settle(pilot)  # the palette's search is a worker: every hit is in
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DataQualityScreen)
        # No duplicates in the demo: the segments table has the focus.
        assert "none found" in text_of(app, "#duplicates-title")
        assert isinstance(app.focused, PagedTable) and app.focused.id == "quality-segments"
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.title_text == "Help — Data quality"
        described = {d for _, d in app.screen.keys}
        assert {"Back", "Keep contact", "Merge group", "Menu", "Open segment",
                "Refresh"} <= described
        assert "oldest" in app.screen.intro
        await pilot.press("escape", "backspace")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)


async def test_slow_report_never_blocks_the_screen(sqlite_demo_store: Store,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The report runs in a worker: while it is slow the tables show a loading indicator
    and escape leaves at once; the late answer is dropped."""
    release = threading.Event()
    real = sqlite_demo_store.quality.quality_report

    def slow() -> QualityReport:
        release.wait(60)  # a bound, not a wait: the test releases it
        return real()

    monkeypatch.setattr(sqlite_demo_store.quality, "quality_report", slow)
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("Q")

        def loading() -> bool:
            return isinstance(app.screen, DataQualityScreen) and \
                app.screen.query_one("#quality-duplicates", PagedTable).loading

        await wait_until(pilot, loading, "the quality screen waiting for its report")
        screen = app.screen
        assert isinstance(screen, DataQualityScreen)
        assert screen.query_one("#card-stale", MetricCard).value is None  # "…"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        release.set()
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert not any("went wrong" in m for m in messages(app))
