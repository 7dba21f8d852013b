"""C19.1 live collaboration: two people, each in their own segtui on one database (two
apps driven by Pilot, each on its own Store, as two processes would be), see each other's
changes without pressing a key: the dashboard's rows and cards, an open detail screen, an
edit dialog open on a segment the other saves. Both engines: LISTEN/NOTIFY on PostgreSQL,
data_version on SQLite. Each wait has a deadline (wait_until), never a pause."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager, asynccontextmanager
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Label, Static

from segtui.app import SegtuiApp
from segtui.data.store import Store
from segtui.screens.dashboard import DashboardScreen
from segtui.screens.detail.screen import SegmentDetailScreen
from segtui.screens.modals.edit_segment import EditSegmentModal
from segtui.widgets.metric_card import MetricCard
from segtui.widgets.paged_table import PagedTable
from tests.ui.conftest import (
    each_node_its_own_app,
    make_app,
    open_segment,
    settle,
    text_of,
    wait_until,
)

ME, COLLEAGUE = "Sarah Mitchell", "Priya Patel"  # both Marketing Managers in the demo
SIZE = (120, 40)


@asynccontextmanager
async def two_people(store: Store) -> AsyncIterator[tuple[Pilot[Any], Pilot[Any]]]:
    """My segtui and my colleague's, on the same database."""
    theirs = Store.open(store.url)
    mine_app = make_app(store, ME, live=True)
    their_app = make_app(theirs, COLLEAGUE, live=True)
    try:
        with each_node_its_own_app():
            async with mine_app.run_test(size=SIZE) as me, their_app.run_test(size=SIZE) \
                    as them:
                await settle(me)
                await settle(them)
                yield me, them
    finally:
        theirs.close()


def in_app(pilot: Pilot[Any]) -> AbstractContextManager[None]:
    """Calls on a widget of this pilot's app, made from the test: in the app's context (a
    widget's `app` is Textual's active app, in the test's task the app started last)."""
    return pilot.app._context()


def app_of(pilot: Pilot[Any]) -> SegtuiApp:
    app = pilot.app
    assert isinstance(app, SegtuiApp)
    return app


def rows(pilot: Pilot[Any]) -> list[str]:
    return [r.name for r in pilot.app.screen.query_one(PagedTable).rows_on_page]


def toasts(pilot: Pilot[Any]) -> list[str]:
    return [str(n.message) for n in pilot.app._notifications]


async def test_a_colleagues_new_segment_appears_on_my_dashboard_and_my_cursor_stays(
        demo_store: Store) -> None:
    async with two_people(demo_store) as (me, them):
        table = me.app.screen.query_one(PagedTable)
        with in_app(me):
            table.move_cursor(row=2)
        assert table.current_row is not None
        highlighted = table.current_row.name
        assert me.app.screen.query_one("#card-total-segments", MetricCard).value == "4"
        # They create "AAA Spring" from their keyboard; it sorts first on my list.
        await them.press("n")
        await settle(them)
        await them.press(*"AAA Spring", "ctrl+s")
        await settle(them)
        await wait_until(me, lambda: "AAA Spring" in rows(me), "their segment on my list")
        await settle(me)
        assert table.current_row is not None and table.current_row.name == highlighted
        assert table.cursor_row == 3  # the same segment, one line further down
        await wait_until(
            me, lambda: me.app.screen.query_one("#card-total-segments", MetricCard).value
            == "5", "the cards counting it")
        assert f"Updated by {COLLEAGUE}: Segment Created on “AAA Spring”" in toasts(me)
        # Theirs is the change they made: nothing is announced back to them.
        assert not any(t.startswith("Updated by") for t in toasts(them))


async def test_a_colleagues_note_and_contacts_reach_my_open_detail_screen(
        demo_store: Store) -> None:
    async with two_people(demo_store) as (me, them):
        await open_segment(me, "Enterprise Prospects")
        await me.press("6")  # my Notes tab
        await settle(me)
        await open_segment(them, "Enterprise Prospects")
        await them.press("6", "n", *"Call the CFO", "ctrl+s")
        await settle(them)

        def my_notes() -> list[str]:
            return [str(n.content) for n in me.app.screen.query(".note").results(Static)]

        await wait_until(me, lambda: any("Call the CFO" in n for n in my_notes()),
                         "their note on my Notes tab")
        assert f"Updated by {COLLEAGUE}: Note Added" in toasts(me)
        # Contacts they add change my card.
        screen = me.app.screen
        assert isinstance(screen, SegmentDetailScreen)
        segment_id = screen.segment_id
        before = str(screen.query_one("#card-members", MetricCard).value)
        their_store = app_of(them).store
        added = their_store.members.current_members(segment_id, range(1, 300))
        outside = next(i for i in range(1, 300) if i not in added)
        from segtui.core.contacts import ContactSelection
        their_store.members.add_members(segment_id, ContactSelection().toggled(outside, True),
                                        app_of(them).user)
        await wait_until(
            me, lambda: me.app.screen.query_one("#card-members", MetricCard).value != before,
            "my Total Contacts card counting their contact")
        assert me.app.screen.query_one("#card-members", MetricCard).value == str(
            int(before) + 1)


async def test_my_edit_dialog_says_a_colleague_saved_the_segment_before_i_save(
        demo_store: Store) -> None:
    async with two_people(demo_store) as (me, them):
        for pilot in (me, them):
            with in_app(pilot):
                pilot.app.screen.query_one(PagedTable).move_cursor(row=0)  # Enterprise Prosp.
            await pilot.press("e")
            await settle(pilot)
            assert isinstance(pilot.app.screen, EditSegmentModal)
        with in_app(them):
            them.app.screen.query_one("#field-name", Input).value = "Enterprise EMEA"
        await them.press("ctrl+s")
        await settle(them)
        assert isinstance(them.app.screen, DashboardScreen)
        await wait_until(me, lambda: "saved this segment" in text_of(me.app, "#save-error"),
                         "my dialog saying they saved it")
        assert text_of(me.app, "#save-error").startswith(f"{COLLEAGUE} saved this segment at ")
        assert me.app.screen.query_one("#field-name", Input).value == "Enterprise Prospects"
        await me.press("ctrl+s")  # the save still refuses and asks whose version stays
        await settle(me)
        assert me.app.screen.query_one("#conflict").display
        assert "Enterprise EMEA" in text_of(me.app, "#conflict-message")


async def test_a_segment_deleted_under_my_detail_screen_takes_me_back(demo_store: Store
                                                                      ) -> None:
    async with two_people(demo_store) as (me, them):
        user = app_of(them).user
        their_store = app_of(them).store
        from segtui.core.contacts import ContactSelection
        from segtui.core.segments import SegmentDraft
        segment_id = their_store.segments.create_segment(SegmentDraft("Short lived"),
                                                         ContactSelection(), user)
        await wait_until(me, lambda: "Short lived" in rows(me), "their segment on my list")
        await open_segment(me, "Short lived")
        assert isinstance(me.app.screen, SegmentDetailScreen)
        their_store.segments.delete_segment(segment_id, user)
        await wait_until(me, lambda: isinstance(me.app.screen, DashboardScreen),
                         "back on my dashboard")
        assert any("no longer exists" in t for t in toasts(me))
        await wait_until(me, lambda: "Short lived" not in rows(me), "gone from my list")
        assert isinstance(me.app.screen.query_one("#list-status", Label), Label)


async def test_a_script_adding_members_updates_my_dashboard(demo_store: Store) -> None:
    """The command line is another segtui too: what a script commits shows here."""
    from typer.testing import CliRunner

    import segtui.cli as cli

    mine = make_app(demo_store, ME, live=True)
    url = demo_store.url.render_as_string(hide_password=False)
    async with mine.run_test(size=SIZE) as me:
        await settle(me)
        table = me.app.screen.query_one(PagedTable)
        marketing = next(r for r in table.rows_on_page if r.name == "Marketing Engagers")
        result = await asyncio.to_thread(
            CliRunner().invoke, cli.app,
            ["--user", COLLEAGUE, "--db", url, "segments", "add-members",
             "Marketing Engagers", "--contact-id", "1"])
        assert result.exit_code == 0, result.output

        def count() -> int:
            row = next(r for r in table.rows_on_page if r.name == "Marketing Engagers")
            return int(row.contact_count)

        await wait_until(me, lambda: count() == marketing.contact_count + 1,
                         "the script's member counted on my list")
        assert f"Updated by {COLLEAGUE}: Contacts Added on “Marketing Engagers”" in toasts(me)


async def test_a_change_committed_as_my_app_begins_listening_is_heard(
        demo_store: Store, monkeypatch: Any) -> None:
    """A commit between the app reading where the change log stands and its watch
    beginning wakes no watch (LISTEN not yet issued; SQLite's data_version already counts
    it): the app looks once as each watch begins (C19.1)."""
    from segtui.core.contacts import ContactSelection

    theirs = Store.open(demo_store.url)
    segment_id = demo_store.segments.segment_id_named("Marketing Engagers")
    assert segment_id is not None
    colleague = theirs.users.current_user(COLLEAGUE)
    begin_watch = demo_store.changes.watch
    committed: list[bool] = []

    def commit_then_watch(stop: Any) -> Any:
        if not committed:  # in the app's listening thread, just before its first watch
            added = theirs.members.current_members(segment_id, range(1, 300))
            outside = next(i for i in range(1, 300) if i not in added)
            theirs.members.add_members(segment_id, ContactSelection().toggled(outside, True),
                                       colleague)
            committed.append(True)
        return begin_watch(stop)

    monkeypatch.setattr(demo_store.changes, "watch", commit_then_watch)
    try:
        async with make_app(demo_store, ME, live=True).run_test(size=SIZE) as me:
            await settle(me)
            await wait_until(me, lambda: f"Updated by {COLLEAGUE}: Contacts Added on "
                             "“Marketing Engagers”" in toasts(me), "their change announced")
    finally:
        theirs.close()
