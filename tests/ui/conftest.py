"""Driving the app like a user: Pilot helpers and snapshots kept in the top-level snapshots/."""

from __future__ import annotations

import asyncio
import html
import inspect
import io
import re
import time
import weakref
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Literal

import pytest
import textual.app
import textual.pilot
from pytest_textual_snapshot import SVGImageExtension
from rich._palettes import STANDARD_PALETTE
from rich.color import ColorSystem
from rich.console import Console
from rich.segment import Segment, Segments
from rich.style import Style
from rich.terminal_theme import TerminalTheme
from rich.text import Text
from syrupy.assertion import SnapshotAssertion
from syrupy.location import PyTestLocation
from textual._context import active_app
from textual._doc import take_svg_screenshot
from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet
from textual.css.types import CSSLocation
from textual.message_pump import MessagePump
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button
from textual.worker import Worker, WorkerCancelled

from segtui.app import SegtuiApp
from segtui.core.records import SegmentFilter, SegmentSort
from segtui.data.store import Store
from segtui.screens.dashboard import DashboardScreen
from segtui.screens.detail.screen import SegmentDetailScreen
from segtui.widgets.paged_table import PagedTable

SNAPSHOTS = Path(__file__).resolve().parents[2] / "snapshots"
# One text element of Textual's SVG screenshot: its x, its line number, its text.
SVG_TEXT = re.compile(
    r'<text[^>]*?x="([\d.]+)"[^>]*clip-path="url\(#[^)]*-line-(\d+)\)"[^>]*>(.*?)</text>')


def make_app(store: Store, user: str | None = None, *, live: bool = False) -> SegtuiApp:
    """The app on `store` as `user`. Live collaboration (C19.1) is off unless asked:
    a test's own writes share the app's Store, which ignores them anyway, and a thread
    watching the database would only add work (tests/ui/test_live.py turns it on)."""
    app = SegtuiApp(store, store.users.current_user(user), cursor_blink=False, live=live)
    _APPS.add(app)
    return app


# The apps made for tests: Pilot's keys wait for each running one's messages, as a test
# that drives two (one per person) needs, not only the active one's (the one started last).
_APPS: weakref.WeakSet[SegtuiApp] = weakref.WeakSet()


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
    page = store.segments.segment_page(SegmentFilter(), SegmentSort(), limit=500)
    return {r.name: r.id for r in page.rows}


class _Handling:
    """How many messages (and `call_next` callbacks, which run after a message, outside
    its dispatch) the app's nodes are in the middle of handling: Textual keeps no such
    count, its queues forget a message once it is taken."""

    now = 0

    @staticmethod
    def counted(handle: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        """`handle` (a MessagePump method), counted in `now` while it runs."""

        async def counting(*args: Any) -> None:
            _Handling.now += 1
            try:
                await handle(*args)
            finally:
                _Handling.now -= 1

        return counting


def _waiting(node: Any) -> bool:
    """Has `node` a message or callback it has not handled yet? A message it peeked at
    (to see whether the one before supersedes it) sits outside its queue meanwhile."""
    return (not node._message_queue.empty() or node._pending_message is not None
            or bool(node._next_callbacks))


async def handled_all(app: Any) -> None:
    """Wait until every message queued in the app has been handled, and the messages those
    queued in turn: as far as the app's own event loop goes (a worker's thread and a timer
    are not waited for; settle() waits for workers). Cheap: it looks at the queues and
    the count of messages being handled, and posts nothing."""
    quiet = 0
    # Bounded by time, not by turns of the loop: a handler may await a thread (a tab's
    # reads), and on a loaded machine 100,000 turns passed before one finished
    # (test_colours under the whole suite beside a CPU hog). Two minutes only tells a
    # never-ending stream of messages from a slow machine.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        await asyncio.sleep(0)
        if app._exception is not None:
            # A handler raised: the app is ending, and what its nodes still hold will
            # never be handled (tests/ui/test_crash.py waited the whole two minutes).
            return
        if _Handling.now or any(_waiting(node) for node in (app, *app._registry)):
            quiet = 0
        else:
            quiet += 1
            if quiet == 2:  # and once more: what a handler left for after it (idle events)
                return
    raise AssertionError("the app's messages never stopped coming")


async def processed(app: Any) -> None:
    """handled_all(), then the screen's layout and drawing, which a timer would do a few
    milliseconds later, and what waited for them (`call_after_refresh`: a focus moved, a
    column shown at a new width)."""
    await handled_all(app)
    # In the app's context: a widget's `app` is Textual's active app, which in the test's
    # own task is the app started last (tests/ui/test_live.py runs two).
    with app._context():
        app.screen._on_timer_update()
    await handled_all(app)


async def _pilot_waits_for_messages(min_sleep: float = 0, max_sleep: float = 1) -> None:
    """Textual's Pilot, after each key and in pause(), waits for the process to look idle:
    it sleeps 20 ms at a time until a sleep passes with under 1 ms of CPU used, so a key
    costs 40 ms or more, a second while a worker's thread computes, and on a busy machine
    a descheduled process looks idle too early. This waits for the event instead: every
    message the key (or anything before it) queued has been handled."""
    apps = [app for app in list(_APPS) if app.is_running]  # two in tests/ui/test_live.py
    try:
        active = active_app.get()
    except LookupError:  # no app running: nothing to wait for
        await asyncio.sleep(0)
        return
    for app in dict.fromkeys([active, *apps]):
        await processed(app)


_parsed_css: dict[tuple[object, ...], list[RuleSet]] = {}
_parse_rules = Stylesheet._parse_rules


def _parse_rules_once(self: Stylesheet, css: str, read_from: CSSLocation,
                      is_default_rules: bool = False, tie_breaker: int = 0,
                      scope: str = "") -> list[RuleSet]:
    """Stylesheet._parse_rules, remembered for the whole test process rather than for one
    app: every test starts an app, which parsed app.tcss and every widget's DEFAULT_CSS
    again (a fifth of starting it). The theme's variables are part of the key, as they
    are part of what the text parses to; nothing changes the rules once parsed."""
    key = (css, read_from, is_default_rules, tie_breaker, scope,
           tuple(self._variables.items()))
    rules = _parsed_css.get(key)
    if rules is None:
        rules = _parsed_css[key] = _parse_rules(self, css, read_from, is_default_rules,
                                                tie_breaker, scope)
    return rules


@pytest.fixture(autouse=True)
def css_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Stylesheet, "_parse_rules", _parse_rules_once)


_compositor_refresh = Screen._compositor_refresh


def _refresh_drawing_nothing(self: Screen[Any]) -> None:
    """Screen._compositor_refresh, less the drawing of the screen on top: a test's headless
    terminal shows nothing, and drawing after each key was a third of a UI test's time.
    The layout is still done (and what waits for it, `call_after_refresh`), and what a
    test reads off a widget it renders itself (`render_line`)."""
    app = self.app
    if app.is_inline or self is not app.screen:
        _compositor_refresh(self)
        return
    self._dirty_widgets.clear()
    app._update_mouse_over(self)


@pytest.fixture(autouse=True)
def screens_draw_only_for_screenshots(request: pytest.FixtureRequest,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests that take a screenshot draw as the app does: what a screen behind a dialog
    shows is what it drew last, while it was on top (its key bar, say), and a screenshot
    must show that, not the screen drawn afresh."""
    if "snap_compare" not in request.fixturenames:
        monkeypatch.setattr(Screen, "_compositor_refresh", _refresh_drawing_nothing)


@pytest.fixture(autouse=True)
def buttons_do_not_flash(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pressed button looks pressed for 0.2 s (Textual's timer): a screenshot taken
    within it showed the button behind a dialog pressed, one taken later not."""
    monkeypatch.setattr(Button, "_start_active_affect", lambda self: None)


@pytest.fixture(autouse=True)
def pilot_waits_for_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys and pauses wait for their messages, not for the CPU to go quiet (the UI tests
    took 2.5x as long, most of it asleep in Textual's idle wait)."""
    for method in ("_dispatch_message", "_flush_next_callbacks"):
        monkeypatch.setattr(MessagePump, method,
                            _Handling.counted(getattr(MessagePump, method)))
    monkeypatch.setattr(textual.app, "wait_for_idle", _pilot_waits_for_messages)


@contextmanager
def each_node_its_own_app() -> Iterator[None]:
    """While two apps run in one process (tests/ui/test_live.py): a widget's `app` is the
    app it belongs to. Textual answers with its `active_app` context variable, which each
    node's task copied when it started: a screen whose task began while the other app's
    context was current would answer with the other app (its `is_current` then false: a
    colleague's change neither announced nor reloaded, about one run in six). Two
    processes, as in real use, have one app each: the parent chain says the same there."""
    from textual.app import App

    textual_app: Any = vars(MessagePump)["app"]  # Textual's descriptor, kept whole

    def own_app(self: MessagePump) -> App[object]:
        node: MessagePump | None = self
        while node is not None and not isinstance(node, App):
            node = node._parent
        if node is not None:
            return node
        found: App[object] = textual_app.__get__(self, type(self))  # not attached yet
        return found

    setattr(MessagePump, "app", property(own_app))  # noqa: B010 (mypy: a method's name)
    try:
        yield
    finally:
        setattr(MessagePump, "app", textual_app)  # noqa: B010


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until every worker (database loads, debounced searches) has finished and its
    result has been handed to its widget."""
    for _ in range(50):
        await processed(pilot.app)
        # A worker cancelled because its screen closed first (a dialog dismissed by the
        # result the worker just delivered) is done too: what it did is the test's to check.
        with suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await processed(pilot.app)
        if not any(w.is_running for w in pilot.app.workers):
            return
    raise AssertionError("workers never settled")


def _looked_at(future: asyncio.Future[Any]) -> None:
    """A worker's end nobody awaits any more: its exception (WorkerCancelled) is seen, so
    asyncio does not report it as never retrieved."""
    if not future.cancelled():
        future.exception()


async def wait_until(pilot: Pilot[Any], condition: Callable[[], bool], what: str, *,
                     within: float = 60) -> None:
    """Wait until `condition` holds, for what settle() can't wait for (a screen pushed by a
    key while its worker is held; the palette's hits, gathered in a thread). Between
    looks: the app's messages handled, or a running worker's end, whichever comes (a
    worker held by the test never ends: it is looked at again every 50 ms). Bounded by a
    deadline a loaded machine meets, not by a guessed pause or a count of looks.

    A worker's end is awaited by one task per worker, made once and never cancelled:
    `Worker.wait()` awaits the worker's own task, so cancelling a wait cancels the worker
    (a screen's reload then never ran: a colleague's change lost, one run in five under
    load)."""
    deadline = time.monotonic() + within
    ends: dict[Worker[Any], asyncio.Future[Any]] = {}
    await processed(pilot.app)
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened within {within:.0f} s: {what}")
        for worker in pilot.app.workers:
            if worker.is_running and worker not in ends:
                ends[worker] = asyncio.ensure_future(worker.wait())
                ends[worker].add_done_callback(_looked_at)  # ends after we stop looking
        running = [end for end in ends.values() if not end.done()]
        if running:
            await asyncio.wait(running, timeout=0.05, return_when=asyncio.FIRST_COMPLETED)
        else:
            await asyncio.sleep(0.005)  # nothing running: a timer's turn
        await processed(pilot.app)


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


# -- what a terminal at a colour depth shows ------------------------------------------------

Colors = Literal["truecolor", "16"]

# Rich's standard palette (the VGA colours): the colours Rich assumes when it picks one of
# the 16 for an RGB colour. A real terminal shows its own palette.
STANDARD_TERMINAL = TerminalTheme(
    background=STANDARD_PALETTE[0], foreground=STANDARD_PALETTE[7],
    normal=[STANDARD_PALETTE[i] for i in range(8)],
    bright=[STANDARD_PALETTE[i] for i in range(8, 16)],
)


def screen_lines(app: Any) -> list[list[Segment]]:
    """The screen as Textual sends it to the terminal (after its filters, such as the one
    that maps ANSI colour names to its ANSI theme), line by line, before the console
    downgrades colours to the terminal's depth. As App.export_screenshot renders it."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", legacy_windows=False, safe_box=False)
    update = app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens, simplify=True)
    return list(Segment.split_lines(s for s in console.render(update) if not s.control))


def at_depth(style: Style | None, system: ColorSystem) -> Style | None:
    """`style` with its colours as a terminal with `system` gets them (Rich's downgrade,
    as Textual's Strip.render does it)."""
    if style is None:
        return None
    color = style.color.downgrade(system) if style.color else None
    bgcolor = style.bgcolor.downgrade(system) if style.bgcolor else None
    return style + Style.from_color(color, bgcolor)


def svg_at_16_colours(app: Any) -> str:
    """A screenshot as a 16-colour terminal (`--color 16`) shows the screen, in Rich's
    standard palette. App.export_screenshot always records truecolor."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False,
                      safe_box=False)
    segments: list[Segment] = []
    for index, line in enumerate(screen_lines(app)):
        if index:
            segments.append(Segment.line())
        segments += [Segment(text, at_depth(style, ColorSystem.STANDARD))
                     for text, style, _ in line]
    console.print(Segments(segments))
    return console.export_svg(title=f"{app.title} (16 colours)", theme=STANDARD_TERMINAL)


def _svg_after(app: Any, before: Callable[[Pilot[Any]], Awaitable[None]],
               terminal_size: tuple[int, int]) -> str:
    """take_svg_screenshot's steps, ending in a 16-colour screenshot."""

    async def auto_pilot(pilot: Pilot[Any]) -> None:
        await before(pilot)
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        pilot.app.exit(svg_at_16_colours(pilot.app))

    svg = app.run(headless=True, auto_pilot=auto_pilot, size=terminal_size)
    assert isinstance(svg, str)
    return svg


class TopLevelSVG(SVGImageExtension):  # type: ignore[misc]
    """Baselines live in snapshots/<test module>/, not next to the tests."""

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        return str(SNAPSHOTS / Path(test_location.filepath).stem)


SnapCompare = Callable[..., bool]


@pytest.fixture
def snap_compare(snapshot: SnapshotAssertion) -> SnapCompare:
    """Like pytest-textual-snapshot's fixture, with baselines in snapshots/ and a run_before
    that waits for the database workers, so screenshots show loaded data. colors="16"
    records what a 16-colour terminal shows (`segtui --color 16`)."""
    snapshot = snapshot.use_extension(TopLevelSVG)

    def compare(
        app: SegtuiApp,
        press: Iterable[str] = (),
        terminal_size: tuple[int, int] = (80, 24),
        run_before: Callable[[Pilot[Any]], Awaitable[None] | None] | None = None,
        colors: Colors = "truecolor",
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

        if colors == "16":
            svg = _svg_after(app, before, terminal_size)
        else:
            svg = take_svg_screenshot(app=app, terminal_size=terminal_size, run_before=before)
        matches = bool(snapshot == svg)
        if not matches:  # shown with the failure: what the screen held, as text
            print("\n".join(svg_text(svg)))
        return matches

    return compare


def svg_text(svg: str) -> list[str]:
    """A screenshot's lines as plain text, so a failing snapshot says what it showed."""
    lines: dict[int, list[tuple[float, str]]] = {}
    for match in SVG_TEXT.finditer(svg):
        x, line, text = match.groups()
        lines.setdefault(int(line), []).append((float(x), html.unescape(text)))
    return [f"{n:2} " + "".join(text for _, text in sorted(parts)).replace("\xa0", " ")
            for n, parts in sorted(lines.items())]


def screen_text(app: Any) -> list[str]:
    """What the terminal shows, line by line, as plain text (dialogs over their screens
    included)."""
    return ["".join(segment.text for segment in line) for line in screen_lines(app)]
