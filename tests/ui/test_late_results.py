"""U15.2: a worker whose answer arrives after its screen or widget is gone drops it.

Seen on a busy CI machine: `NoMatches: No nodes match 'OptionList' on ChoicePicker()` when a
picker's search answered after escape had closed it. Here the race is made certain, not
likely: the Store call the screen waits for blocks until the test lets it go, after the
user has left. Nothing may crash, and no "Something went wrong" toast may appear.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual import work
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Label

from segtui.core.records import ChoiceKind
from segtui.data.store import Store
from segtui.screens.dashboard import DashboardScreen
from segtui.widgets.workers import deliver
from tests.ui.conftest import make_app, settle
from tests.ui.gates import Gate

Leave = Callable[[Pilot[Any]], Awaitable[None]]


async def leave_picker(pilot: Pilot[Any]) -> None:
    dashboard = pilot.app.screen
    assert isinstance(dashboard, DashboardScreen)
    dashboard.pick_filter(ChoiceKind.CITY)
    await pilot.pause()
    await pilot.press(*"spring")
    await pilot.press("escape")


async def leave_detail(pilot: Pilot[Any]) -> None:
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("escape")


async def leave_detail_tab(pilot: Pilot[Any]) -> None:
    await pilot.press("enter")
    await settle_except_gate(pilot)
    await pilot.press("2")
    await pilot.pause()
    await pilot.press("escape")


async def leave_create(pilot: Pilot[Any]) -> None:
    await pilot.press("n")
    await pilot.pause()
    await pilot.press("escape")


async def leave_delete(pilot: Pilot[Any]) -> None:
    await pilot.press("d")
    await pilot.pause()
    await pilot.press("escape")


async def settle_except_gate(pilot: Pilot[Any]) -> None:
    """Let everything but the gated call finish (it never will before release)."""
    for _ in range(20):
        await pilot.pause()


SCENARIOS: list[tuple[str, str, Leave]] = [
    ("city picker closed while searching", "contacts.choices", leave_picker),
    ("detail screen left while its cards load", "metrics.segment_summary", leave_detail),
    ("detail tab left while it loads", "metrics.performance_report", leave_detail_tab),
    ("create dialog closed while counting", "contacts.contact_count", leave_create),
    ("delete dialog closed while checking", "segments.delete_preview", leave_delete),
]


class Box(Widget):
    """A widget whose worker's answer needs its child."""

    def __init__(self, gate: threading.Event) -> None:
        super().__init__()
        self.gate = gate
        self.started = threading.Event()
        self.delivered = threading.Event()  # the worker has handed its answer over
        self.shown = 0

    def compose(self) -> ComposeResult:
        yield Label("x", id="inner")

    @work(thread=True, exit_on_error=False)
    def fetch(self) -> None:
        self.started.set()
        self.gate.wait(timeout=60)
        deliver(self, self.show)
        self.delivered.set()

    def show(self) -> None:
        self.query_one("#inner", Label)  # NoMatches once the children are gone
        self.shown += 1


class BoxApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Box(threading.Event())


@pytest.mark.parametrize("moment", ["children pruned", "removed", "worker cancelled"])
async def test_deliver_drops_an_answer_whose_target_is_going(moment: str) -> None:
    """The exact race from CI: an answer that arrives while its screen is being removed,
    after its children are gone but before it is (`NoMatches ... on ChoicePicker()`);
    or after it is gone; or after a newer worker replaced it."""
    app = BoxApp()
    async with app.run_test() as pilot:
        box = app.query_one(Box)
        worker = box.fetch()
        assert await asyncio.to_thread(box.started.wait, 30)
        if moment == "children pruned":
            box._pruning = True  # what Textual sets on every node it starts to remove
            await box.query_one("#inner").remove()
        elif moment == "removed":
            await box.remove()
        else:
            worker.cancel()
        box.gate.set()
        assert await asyncio.to_thread(box.delivered.wait, 30)
        await pilot.pause()
        assert box.shown == 0
    assert app.return_code in (None, 0)


async def test_deliver_delivers_while_the_target_is_there() -> None:
    app = BoxApp()
    async with app.run_test() as pilot:
        box = app.query_one(Box)
        box.gate.set()
        box.fetch()
        assert await asyncio.to_thread(box.delivered.wait, 30)
        await pilot.pause()
        assert box.shown == 1


@pytest.mark.parametrize(("method", "leave"), [pytest.param(m, f, id=name)
                                               for name, m, f in SCENARIOS])
async def test_a_late_result_is_dropped(sqlite_demo_store: Store, method: str,
                                        leave: Leave) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        facet, name = method.split(".")
        gate = Gate(getattr(sqlite_demo_store, facet), name)
        await leave(pilot)
        assert gate.entered.wait(timeout=30), f"{method} was never called"
        assert isinstance(app.screen, DashboardScreen)  # the user is back
        gate.release()  # the answer arrives now, for a screen that is gone
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert errors == []
    assert app.return_code in (None, 0)  # nothing crashed it


async def test_a_failing_worker_of_any_screen_tells_the_user(
        sqlite_demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """U15.1: a worker's failure used to reach only the widget that owned it
    (Textual's Worker.StateChanged does not bubble), so a screen's failed query showed
    nothing at all. Every screen and widget worker now reports it, literally."""

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("boom [/] \x1b[31m")

    monkeypatch.setattr(sqlite_demo_store.segments, "dashboard_metrics", broken)
    monkeypatch.setattr(sqlite_demo_store.metrics, "performance_report", broken)
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)  # the dashboard's cards: a screen's worker
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("2")  # the Performance tab's report: a widget's worker
        await settle(pilot)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert errors == ["Something went wrong: boom [/] ␛[31m"] * 2
    assert app.return_code in (None, 0)  # reported, not a crash
