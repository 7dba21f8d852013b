"""The two-handle range slider, driven from the keyboard (and once with the mouse) in a
minimal app, so its behaviour is checked apart from any screen that uses it."""

from __future__ import annotations

from typing import Any

import pytest
from textual import on
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input

from segtui.widgets.range_slider import RangeSlider, SliderHandle, SliderTrack


class SliderApp(App[None]):
    def __init__(self, slider: RangeSlider) -> None:
        super().__init__()
        self.slider = slider
        self.changes: list[tuple[int, int]] = []

    def compose(self) -> ComposeResult:
        yield self.slider
        yield Input(id="after")

    @on(RangeSlider.Changed, "#score")
    def record(self, event: RangeSlider.Changed) -> None:
        assert event.control is self.slider
        self.changes.append((event.low, event.high))


def make(low: int | None = 40, high: int | None = 100, **kwargs: Any) -> SliderApp:
    return SliderApp(RangeSlider(0, 100, low, high, id="score", **kwargs))


def values(app: SliderApp) -> tuple[int, int]:
    return app.slider.low, app.slider.high


def focused(app: SliderApp) -> Widget | None:
    return app.focused


def handle(app: SliderApp, which: str) -> SliderHandle:
    return app.slider.query_one(f"SliderHandle.-{which}", SliderHandle)


def shown_line(app: SliderApp) -> str:
    """The slider's row as the user sees it, pieced together from its children."""
    line = [" "] * app.size.width
    for child in app.slider.children:
        assert isinstance(child, Widget)
        text = child.render_line(0).text
        line[child.region.x : child.region.x + len(text)] = text
    return "".join(line)


async def press(pilot: Pilot[None], *keys: str) -> None:
    await pilot.press(*keys)
    await pilot.pause()


async def test_initial_values_and_defaults() -> None:
    app = SliderApp(RangeSlider(id="score"))
    async with app.run_test(size=(80, 24)):
        assert values(app) == (0, 100)
        assert (app.slider.minimum, app.slider.maximum) == (0, 100)
    app = make()
    async with app.run_test(size=(80, 24)):
        assert values(app) == (40, 100)
        assert app.changes == []


async def test_constructor_clamps_and_rejects_bad_bounds() -> None:
    app = SliderApp(RangeSlider(0, 100, -5, 250, id="score"))
    async with app.run_test(size=(80, 24)):
        assert values(app) == (0, 100)
    with pytest.raises(ValueError):
        RangeSlider(10, 0)


async def test_arrows_move_the_focused_handle() -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "tab")
        assert focused(app) is handle(app, "low")
        await press(pilot, "right", "right", "right", "left")
        assert values(app) == (42, 100)
        await press(pilot, "tab", "left")
        assert focused(app) is handle(app, "high")
        assert values(app) == (42, 99)
        assert app.changes == [(41, 100), (42, 100), (43, 100), (42, 100), (42, 99)]


async def test_big_steps() -> None:
    app = make(step=1, big_step=10)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "tab", "shift+right")
        assert values(app) == (50, 100)
        await press(pilot, "pagedown", "pageup", "shift+left", "shift+left")
        assert values(app) == (30, 100)


async def test_custom_step() -> None:
    app = make(step=5)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "tab", "right")
        assert values(app) == (45, 100)


async def test_handles_cannot_cross() -> None:
    app = make(low=40, high=45)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "tab", *["right"] * 8)
        assert values(app) == (45, 45)
        assert app.changes[-1] == (45, 45)
        assert len(app.changes) == 5  # presses against the other handle change nothing
        await press(pilot, "tab", "left", "shift+left")
        assert values(app) == (45, 45)
        await press(pilot, "right")
        assert values(app) == (45, 46)


async def test_clamped_to_minimum_and_maximum() -> None:
    app = make(low=3, high=97)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "tab", "shift+left", "left")
        assert values(app) == (0, 97)
        await press(pilot, "tab", "shift+right", "right")
        assert values(app) == (0, 100)
        assert app.changes == [(0, 97), (0, 100)]


async def test_home_and_end() -> None:
    app = make(low=40, high=60)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "tab", "end")
        assert values(app) == (60, 60)  # the low handle's highest is the high handle
        await press(pilot, "home")
        assert values(app) == (0, 60)
        await press(pilot, "tab", "home")
        assert values(app) == (0, 0)
        await press(pilot, "end")
        assert values(app) == (0, 100)


async def test_tab_order_low_high_then_next_widget() -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "tab")
        assert focused(app) is handle(app, "low")
        await press(pilot, "tab")
        assert focused(app) is handle(app, "high")
        await press(pilot, "tab")
        assert focused(app) is app.query_one("#after", Input)
        await press(pilot, "shift+tab")
        assert focused(app) is handle(app, "high")
        await press(pilot, "shift+tab")
        assert focused(app) is handle(app, "low")
        assert app.changes == []


async def test_set_range_clamps_and_posts_once() -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        app.slider.set_range(-20, 70)
        await pilot.pause()
        assert values(app) == (0, 70)
        assert app.changes == [(0, 70)]
        app.slider.set_range(90, 10)  # crossed: taken as the range 10..90
        await pilot.pause()
        assert values(app) == (10, 90)
        app.slider.set_range(500, 600)
        await pilot.pause()
        assert values(app) == (100, 100)
        assert app.changes == [(0, 70), (10, 90), (100, 100)]


async def test_no_message_when_nothing_changes() -> None:
    app = make(low=0, high=100)
    async with app.run_test(size=(80, 24)) as pilot:
        app.slider.set_range(0, 100)
        app.slider.set_range(-1, 101)
        await press(pilot, "tab", "left", "home", "shift+left", "tab", "right", "end")
        assert values(app) == (0, 100)
        assert app.changes == []


async def test_renders_on_one_line_with_both_numbers() -> None:
    app = make(low=40, high=100)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.slider.region.height == 1
        assert app.slider.region.width == 80
        line = shown_line(app)
        assert line.startswith("Score Range  [ 40] ━")
        assert line.rstrip().endswith("━ [100]")
        await press(pilot, "tab", "right")
        assert "[ 41]" in shown_line(app)


async def test_track_highlights_the_selected_part() -> None:
    app = make(low=50, high=100)
    async with app.run_test(size=(80, 24)):
        track = app.slider.query_one(SliderTrack)
        strip = track.render_line(0)
        selected = track.get_component_rich_style("slider-track--selected")
        styles = [segment.style for segment in strip if segment.text.strip()]
        first, last = styles[0], styles[-1]
        assert first is not None and last is not None
        assert first.color != last.color
        assert last.color == selected.color


async def test_click_on_track_moves_nearer_handle() -> None:
    app = make(low=40, high=60)
    async with app.run_test(size=(80, 24)) as pilot:
        track = app.slider.query_one(SliderTrack)
        await pilot.click(SliderTrack, offset=(0, 0))
        assert values(app) == (0, 60)
        assert focused(app) is handle(app, "low")
        await pilot.click(SliderTrack, offset=(track.content_size.width - 1, 0))
        assert values(app) == (0, 100)
        assert focused(app) is handle(app, "high")
        assert app.changes == [(0, 60), (0, 100)]
