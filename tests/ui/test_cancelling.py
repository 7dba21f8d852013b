"""P12: leaving a screen or quitting stops the statements running for it.

`q` used to wait for the AI Insights query (seconds on SQLite, minutes on PostgreSQL, where
the query also went on running on the server) and for the start-up re-evaluation of the
dynamic segments. Here the Store call never ends by itself: it runs a statement that
would take minutes (tests/cancelling.py) until the app interrupts it. Nothing may crash,
no error may be shown, and whatever the re-evaluation committed stays whole.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Connection

from segtui.core.insights import Insight
from segtui.data.db.sql import Aside
from segtui.data.queries import insights
from segtui.data.store import Store
from segtui.screens.dashboard import DashboardScreen
from segtui.screens.detail.screen import SegmentDetailScreen
from tests.cancelling import (
    GUARD,
    HeldRefresh,
    LongStatement,
    active_on_server,
    evaluation_state,
    stale_dynamic_segments,
)
from tests.ui.conftest import make_app, settle, wait_until


class HeldInsights:
    """The AI Insights tab's first Store call runs the long statement, on a connection
    beside its own (Store.aside) as its real statements do; later calls find nothing."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.long = LongStatement()
        self.error: BaseException | None = None
        self.ended = threading.Event()
        self.calls = 0

        def held(conn: Connection, segment_id: int, today: date,
                 aside: Aside | None = None, viewer: object = None) -> list[Insight]:
            self.calls += 1
            if self.calls > 1:
                return []
            try:
                (aside or (lambda query: lambda: query(conn)))(self.long.run)()
            except BaseException as error:
                self.error = error
                raise
            finally:
                self.ended.set()
            return []

        monkeypatch.setattr(insights, "segment_insights", held)

    async def wait_running(self) -> None:
        assert await asyncio.to_thread(self.long.running.wait, GUARD)

    async def wait_stopped(self, store: Store) -> None:
        assert await asyncio.to_thread(self.ended.wait, GUARD), "the statement never ended"
        assert self.error is not None  # interrupted, not finished
        if store.engine.dialect.name == "postgresql":
            assert not active_on_server(store.engine)  # the server stopped too


def errors_shown(app: Any) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def open_insights(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)  # the cards and the first tab
    assert isinstance(pilot.app.screen, SegmentDetailScreen)
    await pilot.press("4")  # AI Insights: its load never ends by itself


async def test_leaving_the_detail_screen_stops_its_tabs_statements(
        demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    held = HeldInsights(monkeypatch)
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_insights(pilot)
        await held.wait_running()
        await pilot.press("escape")
        await held.wait_stopped(demo_store)
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert errors_shown(app) == []  # a cancel is not a failure
        await pilot.press("enter")  # the app goes on reading: only that screen's scope
        await wait_until(pilot, lambda: isinstance(app.screen, SegmentDetailScreen),
                         "the detail screen opened again")
        await settle(pilot)  # on AI Insights, remembered: loaded this time
        assert held.calls == 2
        assert errors_shown(app) == []
    assert app.return_code in (None, 0)


async def test_quitting_stops_a_tab_loading(
        demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    held = HeldInsights(monkeypatch)
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_insights(pilot)
        await held.wait_running()
        await pilot.press("q")
    await held.wait_stopped(demo_store)
    assert errors_shown(app) == []
    assert app.return_code in (None, 0) and app.crash is None


async def test_quitting_stops_the_start_up_reevaluation(
        demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Quitting while the dashboard re-evaluates stale dynamic segments: it stops in the
    middle of a segment, which is rolled back whole; the one done before stays done."""
    stale = stale_dynamic_segments(demo_store)
    held = HeldRefresh(monkeypatch)
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await asyncio.to_thread(held.long.running.wait, GUARD)
        await pilot.press("q")
    assert await asyncio.to_thread(held.ended.wait, GUARD), "the statement never ended"
    assert held.error is not None
    assert errors_shown(app) == []
    assert app.return_code in (None, 0) and app.crash is None
    state = evaluation_state(demo_store.url, stale)
    assert len(held.done) == 1 and held.held is not None
    assert state[held.done[0]][0]
    assert state[held.held] == (False, 0)
    assert all(state[s] == (False, 0) for s in stale if s not in (held.done[0], held.held))
