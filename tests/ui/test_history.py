"""The membership history screen (C20.2.2, C20.2.3, C20.3.1) driven with Pilot on both
engines: `h` on a segment, its stability and moves against the Store's, the changes
paged and filtered, one member's history from the member menu, and a segment deleted
under it."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable

from segtui.core import clock
from segtui.core.history import PERIODS, HistoryFilter, period
from segtui.data.store import Store
from segtui.screens.history.screen import HistoryScreen
from segtui.widgets.paged_table import PagedTable
from tests.ui.conftest import make_app, open_segment, settle, text_of

SIZE = (120, 40)


def cells(app: Any, selector: str) -> list[list[str]]:
    table = app.screen.query_one(selector, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_h_shows_stability_moves_and_the_changes(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_segment(pilot, "Product Trial Users")
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        now = clock.now()
        expected = [demo_store.history.stability(detail.segment_id, *period(d, now))
                    for d in PERIODS]
        rows = cells(app, "#history-stability")
        assert [r[0] for r in rows] == ["7 days", "30 days", "90 days"]
        assert [(r[1], r[2], r[5], r[6]) for r in rows] == [
            (f"{s.members_at_start:,}", f"{s.members_at_end:,}", f"{s.left:,}",
             f"{s.entered:,}") for s in expected]
        await pilot.press("p", "p")  # 30 -> 90 -> 7 days: the 90 days' are the demo's exits
        await pilot.press("p", "p")  # ... -> 30 -> 90
        await settle(pilot)
        assert "last 90 days" in text_of(app, "#history-moves-title")
        assert cells(app, "#history-moves") == [["Marketing Engagers", "3", "–"]]
        page = demo_store.history.changes(detail.segment_id, HistoryFilter())
        changes = cells(app, "#history-changes")
        assert len(changes) == len(page.changes) == 50 and page.more
        assert [r[0] for r in changes] == [f"{c.at:%Y-%m-%d %H:%M}" for c in page.changes]
        assert "50 shown · l loads older ones" in text_of(app, "#history-status")
        await pilot.press("l")
        await settle(pilot)
        whole = demo_store.history.changes(detail.segment_id, HistoryFilter(), limit=1000)
        assert len(cells(app, "#history-changes")) == len(whole.changes)
        assert "no older ones" in text_of(app, "#history-status")
        await pilot.press("f", "f")  # both -> entries -> exits
        await settle(pilot)
        exits = cells(app, "#history-changes")
        assert [r[1] for r in exits] == ["left"] * 3
        assert {r[3] for r in exits} == {"Sarah Mitchell"}
        await pilot.press("b", "b", "b")  # all -> 7 -> 30 -> 90 days: the exits were 88 ago
        await settle(pilot)
        assert "last 90 days" in text_of(app, "#history-changes-title")
        assert len(cells(app, "#history-changes")) == 3
        await pilot.press("b")  # 90 days -> all time
        await pilot.press("b", "b")  # -> 7 -> 30 days: no exit that recent
        await settle(pilot)
        assert cells(app, "#history-changes") == []
        await pilot.press("b", "b")  # -> 90 days -> all time
        await pilot.press("w")  # exits for the rule's reasons: none, the demo's are by hand
        await settle(pilot)
        assert cells(app, "#history-changes") == []
        assert "No membership changes." in text_of(app, "#history-status")
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is detail


async def test_a_member_s_history_from_the_member_menu(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_segment(pilot, "Enterprise Prospects")
        row = app.screen.query_one(PagedTable).current_row
        assert row is not None
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert f"Membership history of {row.name} in Enterprise Prospects" in text_of(
            app, "#history-title")
        assert not app.screen.query("#history-stability")  # one contact: no stability
        theirs = demo_store.history.changes(detail.segment_id,
                                            HistoryFilter(contact_id=row.id))
        shown = cells(app, "#history-changes")
        assert len(shown) == len(theirs.changes) == 1
        assert shown[0][1:4] == ["entered", "manual", "Sarah Mitchell"]
        assert row.name in shown[0][4]


async def test_a_segment_deleted_under_it_goes_back(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_segment(pilot, "Inactive Subscribers")
        await pilot.press("h")
        await settle(pilot)
        owner = demo_store.users.current_user("Sarah Mitchell")
        demo_store.segments.delete_segment(detail.segment_id, owner)
        await pilot.press("r")
        await settle(pilot)
        # Back, saying so; the detail screen, shown again, finds it gone too.
        assert not isinstance(app.screen, HistoryScreen)
        assert any("no longer exists" in str(n.message) for n in app._notifications)
