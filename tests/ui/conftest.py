"""Driving the app like a user: Pilot helpers and snapshots kept in the top-level snapshots/."""

from __future__ import annotations

import inspect
import io
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from pytest_textual_snapshot import SVGImageExtension
from rich.console import Console
from rich.text import Text
from syrupy.assertion import SnapshotAssertion
from syrupy.location import PyTestLocation
from textual._doc import take_svg_screenshot
from textual.pilot import Pilot

from segtui.app import SegtuiApp
from segtui.core.records import SegmentFilter, SegmentSort
from segtui.data.store import Store
from segtui.screens.dashboard import DashboardScreen
from segtui.screens.detail.screen import SegmentDetailScreen
from segtui.widgets.paged_table import PagedTable

SNAPSHOTS = Path(__file__).resolve().parents[2] / "snapshots"


def make_app(store: Store, user: str | None = None) -> SegtuiApp:
    return SegtuiApp(store, store.current_user(user), cursor_blink=False)


def text_of(app: Any, selector: str) -> str:
    """The text a Static/Label shows (its content), else its rendering."""
    widget = app.screen.query_one(selector)
    content = getattr(widget, "content", None)
    if isinstance(content, Text):
        return content.plain
    if isinstance(content, str):
        return content
    rendered = widget.render()
    return rendered.plain if isinstance(rendered, Text) else str(rendered)


def segment_ids(store: Store) -> dict[str, int]:
    page = store.segment_page(SegmentFilter(), SegmentSort(), limit=500)
    return {r.name: r.id for r in page.rows}


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until every worker (database loads, debounced searches) has finished."""
    for _ in range(50):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in pilot.app.workers):
            return
    raise AssertionError("workers never settled")


async def search_dashboard(pilot: Pilot[Any], name: str) -> None:
    """From the dashboard: search the name; the table (first match highlighted) has the
    focus afterwards."""
    await settle(pilot)
    assert isinstance(pilot.app.screen, DashboardScreen)
    await pilot.press("slash", *name, "enter")
    await settle(pilot)
    row = pilot.app.screen.query_one(PagedTable).current_row
    assert row is not None and row.name == name


async def open_segment(pilot: Pilot[Any], name: str) -> SegmentDetailScreen:
    """From the dashboard: search the name, enter on it."""
    await search_dashboard(pilot, name)
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SegmentDetailScreen)
    assert screen.segment_name == name
    return screen


class TopLevelSVG(SVGImageExtension):  # type: ignore[misc]
    """Baselines live in snapshots/<test module>/, not next to the tests."""

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        return str(SNAPSHOTS / Path(test_location.filepath).stem)


SnapCompare = Callable[..., bool]


@pytest.fixture
def snap_compare(snapshot: SnapshotAssertion) -> SnapCompare:
    """Like pytest-textual-snapshot's fixture, with baselines in snapshots/ and a run_before
    that waits for the database workers, so screenshots show loaded data."""
    snapshot = snapshot.use_extension(TopLevelSVG)

    def compare(
        app: SegtuiApp,
        press: Iterable[str] = (),
        terminal_size: tuple[int, int] = (80, 24),
        run_before: Callable[[Pilot[Any]], Awaitable[None] | None] | None = None,
    ) -> bool:
        async def before(pilot: Pilot[Any]) -> None:
            await settle(pilot)
            if run_before is not None:
                result = run_before(pilot)
                if inspect.isawaitable(result):
                    await result
            for key in press:
                await pilot.press(key)
                await settle(pilot)

        svg = take_svg_screenshot(app=app, terminal_size=terminal_size, run_before=before)
        return bool(snapshot == svg)

    return compare


def screen_lines(app: Any) -> list[str]:
    """What the terminal shows, line by line (dialogs over their screens included)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False)
    console.print(app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens))
    return console.export_text(styles=False).split("\n")[:height]
