"""The segment detail screen driven from the keyboard (R7.5-R7.10; AC8-AC15,
AC19, AC20). Each test checks what the user sees and what the database holds."""

from __future__ import annotations

import asyncio
import io
from typing import Any

from rich.console import Console
from sqlalchemy import delete, select
from textual.widgets import Button, DataTable, Input, Static, TabbedContent, TextArea

from segtui.core.contacts import ContactFilter, ContactSelection
from segtui.core.records import Choice
from segtui.data.db.models import Activity, Membership, Note, Segment
from segtui.data.store import Store
from segtui.screens.dashboard import DashboardScreen
from segtui.screens.detail.insights_tab import InsightCard
from segtui.screens.detail.screen import SegmentDetailScreen
from segtui.screens.modals.activity_dialog import ActivityDialog
from segtui.screens.modals.add_contacts import AddContactsModal
from segtui.screens.modals.confirm import Confirm
from segtui.screens.modals.contact_details import ContactDetails
from segtui.screens.modals.edit_segment import EditSegmentModal
from segtui.screens.modals.help import HelpScreen
from segtui.screens.modals.row_menu import ActionMenu
from segtui.widgets.charts import CategoryBars, SeriesChart, StackedBar
from segtui.widgets.metric_card import MetricCard
from segtui.widgets.paged_table import PagedTable
from tests.ui.conftest import (
    make_app,
    open_segment,
    search_dashboard,
    segment_ids,
    settle,
    text_of,
)
from tests.ui.gates import Gate

SIZE = (120, 40)


def card(app: Any, card_id: str) -> tuple[str | None, str | None]:
    widget = app.screen.query_one(f"#{card_id}", MetricCard)
    return widget.value, widget.note[0] if widget.note else None


def active_tab(app: Any) -> str:
    return str(app.screen.query_one(TabbedContent).active)


def members(store: Store, segment_id: int) -> set[int]:
    with store.reading() as conn:
        return set(conn.execute(select(Membership.contact_id).where(
            Membership.segment_id == segment_id, Membership.removed_at.is_(None))).scalars())


def activity_log(store: Store, segment_id: int) -> list[tuple[str, str]]:
    with store.reading() as conn:
        return [(r.type, r.description) for r in conn.execute(
            select(Activity.type, Activity.description)
            .where(Activity.segment_id == segment_id).order_by(Activity.id))]


# -- header, cards, navigation (7.5) -------------------------------------------------------


async def test_enter_opens_detail_with_header_and_cards(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the first row: Enterprise Prospects
        await settle(pilot)
        assert isinstance(app.screen, SegmentDetailScreen)
        assert text_of(app, "#detail-title") == "Enterprise Prospects"
        meta = text_of(app, "#detail-meta")
        assert meta.strip().startswith("Active") and "Owner Sarah Mitchell" in meta
        assert "Created 14/08/2023" in meta and "Q1 2024" in meta
        assert card(app, "card-members") == ("45", None)
        # R7.5 / AC19: engagement 76%, "+4 pts vs last month" (34 vs 32 of 45; the
        # spec writes "+4%": a change of a rate is written in points, U15.13).
        assert card(app, "card-engagement") == ("76%", "+4 pts vs last month")
        value, note = card(app, "card-conversion")
        assert value == "6.7%" and note is not None and note.endswith("% overall")
        assert card(app, "card-campaigns") == ("3", None)
        assert card(app, "card-unsubscribed") == ("1", None)
        assert card(app, "card-quality") == ("8.8/10", None)
        await pilot.press("backspace")
        assert isinstance(app.screen, DashboardScreen)


async def test_tabs_switch_with_1_to_6_and_are_remembered_per_segment(
    sqlite_demo_store: Store,
) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        assert active_tab(app) == "tab-contacts"
        for key, pane in zip("234561", ["tab-performance", "tab-analytics", "tab-insights",
                                        "tab-activity", "tab-notes", "tab-contacts"],
                             strict=True):
            await pilot.press(key)
            await settle(pilot)
            assert active_tab(app) == pane
        await pilot.press("3", "escape")
        await settle(pilot)
        await open_segment(pilot, "Marketing Engagers")
        assert active_tab(app) == "tab-contacts"  # another segment: its own (default) tab
        await pilot.press("escape")
        await open_segment(pilot, "Enterprise Prospects")
        assert active_tab(app) == "tab-analytics"  # remembered while the app runs


async def test_a_late_member_page_never_switches_the_tab_back(
        sqlite_demo_store: Store) -> None:
    """U15.14: `2` pressed after the cards but before the member list's first page
    showed Performance, then Contacts again when the page arrived (the table took the
    focus it had asked for, and the tabs follow the focus). Loading never moves either."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await search_dashboard(pilot, "Enterprise Prospects")
        gate = Gate(sqlite_demo_store.contacts, "contact_page")
        await pilot.press("enter")
        assert await asyncio.to_thread(gate.entered.wait, 30)  # the first page is held
        await pilot.press("2")
        await pilot.pause()
        assert active_tab(app) == "tab-performance"
        focused = app.focused
        gate.release()
        await settle(pilot)
        assert active_tab(app) == "tab-performance"
        assert app.focused is focused
        await pilot.press("1")  # back on Contacts, the table has its page and the keys
        await settle(pilot)
        table = app.screen.query_one("#members", PagedTable)
        assert table.rows_on_page and app.focused is table


async def test_help_shows_the_current_tab_and_the_card_formulas(
    sqlite_demo_store: Store,
) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("2", "question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.intro.startswith("Performance:")  # the tab's help first
        assert "Avg. Open Rate = mean" in app.screen.intro
        assert "Engagement Rate = members who opened" in app.screen.intro


async def test_segment_deleted_under_you_returns_to_the_dashboard(
    sqlite_demo_store: Store,
) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_segment(pilot, "Marketing Engagers")
        with sqlite_demo_store.orm_session() as session:  # someone else, elsewhere
            session.execute(delete(Segment).where(Segment.id == screen.segment_id))
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert any("no longer exists" in str(n.message) for n in app._notifications)


async def test_add_contacts_and_edit_open_the_modals(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AddContactsModal)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, EditSegmentModal)


async def test_viewer_cannot_add_contacts(sqlite_demo_store: Store) -> None:
    viewer = next(u for u in sqlite_demo_store.users.all_users() if u.role.value == "Viewer")
    app = make_app(sqlite_demo_store, user=viewer.name)
    async with app.run_test(size=SIZE) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, SegmentDetailScreen)
        assert any("may look but not change" in str(n.message) for n in app._notifications)


# -- Contacts (7.6) ---------------------------------------------------------------------


async def test_member_pages_follow_the_terminal(sqlite_demo_store: Store) -> None:
    """P5: the member list's pages are as many rows as the terminal has lines;
    down past a page's last row and up past its first walk every member once, in order,
    and ctrl+home / ctrl+end reach the ends."""
    segment_id = segment_ids(sqlite_demo_store)["Enterprise Prospects"]
    every = [r.id for r in sqlite_demo_store.contacts.contact_page(
        ContactFilter(segment=Choice(str(segment_id), "")), ContactSelection(),
        limit=100).rows]
    assert len(every) == 45
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        table = app.screen.query_one("#members", PagedTable)
        assert app.focused is table
        assert [r.id for r in table.rows_on_page] == every[:24]
        seen = [table.current_row.id] if table.current_row else []
        for _ in range(44):
            await pilot.press("down")
            await settle(pilot)
            assert table.current_row is not None
            seen.append(table.current_row.id)
        assert seen == every and table.first_index == 24 and table.cursor_row == 20
        for _ in range(21):  # back up over the page's first row
            await pilot.press("up")
            await settle(pilot)
        assert table.current_row is not None and table.current_row.id == every[23]
        assert table.first_index == 0 and table.cursor_row == 23
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert [r.id for r in table.rows_on_page] == every[-24:]
        assert table.current_row is not None and table.current_row.id == every[-1]
        await pilot.press("ctrl+home")
        await settle(pilot)
        assert table.cursor_row == 0 and table.current_row is not None
        assert table.current_row.id == every[0]


async def test_contacts_tab_lists_searches_and_removes_members(
    sqlite_demo_store: Store,
) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_segment(pilot, "Enterprise Prospects")
        assert text_of(app, "#members-title") == "Segment Contacts (45)"
        await pilot.press("slash", *"techcorp")
        await settle(pilot)
        table = app.screen.query_one("#members", PagedTable)
        names = [r.name for r in table.rows_on_page]
        assert "Sarah Johnson" in names and table.total == len(names) < 45
        await pilot.press("enter")  # to the table
        await settle(pilot)
        row = table.current_row
        assert row is not None
        await pilot.press("m")
        assert isinstance(app.screen, ActionMenu)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, ContactDetails)
        await pilot.press("escape", "m", "d")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        await pilot.press("escape")  # cancel: nothing removed
        await settle(pilot)
        assert row.id in members(sqlite_demo_store, screen.segment_id)
        await pilot.press("m", "d")
        await settle(pilot)
        await pilot.press("tab", "enter")  # Cancel has the focus; tab to Remove
        await settle(pilot)
        assert row.id not in members(sqlite_demo_store, screen.segment_id)
        assert card(app, "card-members") == ("44", None)  # the cards refresh at once
        log = activity_log(sqlite_demo_store, screen.segment_id)
        assert any(row.name in description for _, description in log)


# -- Performance (7.7) and Analytics (7.8) ----------------------------------------------


async def test_performance_tab_matches_section_8(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("2")
        await settle(pilot)
        assert card(app, "perf-revenue") == ("$25,500", "+88% vs prev. 30 days")
        assert card(app, "perf-open")[0] == "63.0%"
        assert card(app, "perf-click")[0] == "19.3%"
        assert card(app, "perf-conversions") == ("6", "+50% vs prev. 30 days")
        table = app.screen.query_one("#perf-campaigns", Static)
        lines = _render(table)
        for expected in ("Q1 Enterprise Outreach", "71.1% (32)", "26.7% (12)", "6.7% (3)",
                         "$15,000", "62.2% (28)", "17.8% (8)", "4.4% (2)", "$8,000",
                         "55.6% (25)", "13.3% (6)", "2.2% (1)", "$2,500"):
            assert expected in lines
        health = app.screen.query_one("#perf-health", StackedBar)
        assert [p[0] for p in health.parts] == ["Active", "Inactive", "Unsubscribed"]
        assert [p[2] for p in health.parts] == [42, 2, 1]


def _render(widget: Static) -> str:
    """The text a Static's Rich renderable shows at 120 columns."""
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


async def test_analytics_tab_shows_growth_sizes_regions_and_score(
    sqlite_demo_store: Store,
) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("3")
        await settle(pilot)
        growth = app.screen.query_one("#growth", SeriesChart)
        assert growth.labels == ["Sep", "Oct", "Nov", "Dec", "Jan", "Feb"]
        assert growth.series["Members"][-1] == 45
        sizes = app.screen.query_one("#sizes", CategoryBars)
        assert sizes.bars == [("Enterprise", 32), ("Mid-Market", 13), ("SMB", 0)]
        regions = app.screen.query_one("#regions", DataTable)
        assert regions.row_count == 3
        assert [str(c) for c in regions.get_row_at(0)] == ["North America", "25", "$16,500"]
        weekly = app.screen.query_one("#weekly", SeriesChart)
        assert weekly.labels == [f"W{n}" for n in range(1, 7)]
        assert all(0 <= v <= 100 for v in weekly.series["Score"])


# -- AI Insights ---------------------------------------------------------------------------


async def test_insights_add_lookalikes_after_confirmation(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_segment(pilot, "Marketing Engagers")
        before = members(sqlite_demo_store, screen.segment_id)
        await pilot.press("4")
        await settle(pilot)
        cards = list(app.screen.query(InsightCard))
        kinds = [c.insight.kind.value for c in cards]
        assert kinds[:3] == ["engagement_change", "gone_inactive", "lookalikes"]
        lookalike = app.screen.query_one("#insight-lookalikes", InsightCard)
        assert "14 lookalike contacts" in lookalike.insight.title
        lookalike.query_one(Button).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        await pilot.press("tab", "enter")
        await settle(pilot)
        after = members(sqlite_demo_store, screen.segment_id)
        assert len(after - before) == 14 and before <= after
        assert card(app, "card-members")[0] == str(len(after))
        # The insight recomputed: the lookalikes are members now.
        refreshed = app.screen.query_one("#insight-lookalikes", InsightCard)
        assert refreshed.insight.action is None


# -- Activity (7.9) ------------------------------------------------------------------------


async def test_add_activity_then_edit_it_and_filter(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("5")
        await settle(pilot)
        assert text_of(app, "#activity-count") == "5 activities"
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ActivityDialog)
        app.screen.query_one("#activity-description", Input).focus()
        await pilot.press(*"Webinar [b]invite[/b]", "tab")
        await pilot.press(*"40 registered")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SegmentDetailScreen)
        assert text_of(app, "#activity-count") == "6 activities"
        log = activity_log(sqlite_demo_store, screen.segment_id)
        assert log[-1] == ("Phone Outreach", "Webinar [b]invite[/b]")  # the default type
        table = app.screen.query_one("#activities", PagedTable)
        assert table.rows_on_page[0].description == "Webinar [b]invite[/b]"  # newest first
        # Recent and mine: editable (R7.9 "Edit option available for recent activities").
        table.focus()
        await pilot.press("home", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ActivityDialog) and app.screen.editable
        app.screen.query_one("#activity-description", Input).value = "Webinar invite"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert activity_log(sqlite_demo_store, screen.segment_id)[-1][1] == "Webinar invite"
        # Two days old: read-only.
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ActivityDialog) and not app.screen.editable
        await pilot.press("escape")
        # Filter by date: only the new one is from today.
        date_from = app.screen.query_one("#activity-from", Input)
        date_from.focus()
        await pilot.press(*"2024-02-26", "enter")
        await settle(pilot)
        assert text_of(app, "#activity-count") == "1 activity"
        date_from.value = "2024-13-01"
        await pilot.press("enter")
        await settle(pilot)
        assert text_of(app, "#activity-filter-error")


# -- Notes (7.10) --------------------------------------------------------------------------


async def test_notes_save_with_ctrl_s_and_ctrl_j_and_refuse_empty(
    sqlite_demo_store: Store,
) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("6", "n")
        await settle(pilot)
        existing = _notes(sqlite_demo_store, screen.segment_id)
        area = app.screen.query_one("#note-input", TextArea)
        assert area.has_focus
        assert app.screen.query_one("#add-note", Button).disabled  # empty: disabled
        await pilot.press("space", "space", "ctrl+s")  # blank: refused, nothing saved
        await settle(pilot)
        assert text_of(app, "#note-error")
        assert _notes(sqlite_demo_store, screen.segment_id) == existing
        area.clear()
        await pilot.press(*"Call [bold]Sarah[/] back", "ctrl+s")
        await settle(pilot)
        await pilot.press(*"Second", "ctrl+j")
        await settle(pilot)
        assert _notes(sqlite_demo_store, screen.segment_id) == [
            *existing, "Call [bold]Sarah[/] back", "Second"]
        assert area.text == ""
        shown = [str(n.content) for n in app.screen.query(".note").results(Static)]
        assert "Second" in shown[0] and "Call [bold]Sarah[/] back" in shown[1]  # newest first
        assert "Sarah Mitchell" in shown[0]  # user attribution
        added = [t for t, _ in activity_log(sqlite_demo_store, screen.segment_id)]
        assert added.count("Note Added") == 2


def _notes(store: Store, segment_id: int) -> list[str]:
    with store.reading() as conn:
        return list(conn.execute(select(Note.body).where(Note.segment_id == segment_id)
                                 .order_by(Note.id)).scalars())



async def test_escape_in_a_note_keeps_the_draft(sqlite_demo_store: Store) -> None:
    """A stray escape while writing leaves the box, not the screen; leaving the screen keeps
    the unsaved draft for when the user comes back."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("6", "n", *"half a thought", "escape")
        await settle(pilot)
        assert isinstance(app.screen, SegmentDetailScreen)
        assert not app.screen.query_one("#note-input", TextArea).has_focus
        await pilot.press("escape")  # now back to the segments
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        await open_segment(pilot, "Enterprise Prospects")  # reopens on Notes (remembered)
        assert app.screen.query_one("#note-input", TextArea).text == "half a thought"
        assert not app.screen.query_one("#add-note", Button).disabled
