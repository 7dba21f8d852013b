"""A one-line range slider with two keyboard-operable handles (e.g. "Score Range", 0-100).

Each handle is its own focusable widget, so tab / shift+tab walk low handle -> high handle ->
next widget with no special casing, and arrows act on whichever handle has focus. The
slider owns the values; handles and track only draw them and forward requests.
"""

from __future__ import annotations

from typing import Literal

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Click
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Label

from segtui.widgets.text import user_text

Which = Literal["low", "high"]


class SliderHandle(Widget, can_focus=True):
    """One end of the range: shows its number; arrows move it (see BINDINGS)."""

    KEYS_TITLE = "Range slider (each handle)"  # its section of a dialog's help
    # A key line shows one item per direction pair ("←/→ move 1"); the help lists each.
    BINDINGS = [
        Binding("left", "move(-1)", "Move 1", key_display="←/→", id="slider.previous"),
        Binding("right", "move(1)", "Move 1", key_display="←/→", show=False,
                id="slider.next"),
        Binding("shift+left", "move_big(-1)", "Move 10", key_display="shift+←/→",
                id="slider.previous-big"),
        Binding("shift+right", "move_big(1)", "Move 10", key_display="shift+←/→",
                show=False, id="slider.next-big"),
        Binding("pageup", "move_big(-1)", "Move 10", show=False, id="slider.previous-page"),
        Binding("pagedown", "move_big(1)", "Move 10", show=False, id="slider.next-page"),
        Binding("home", "extreme(-1)", "To lowest", show=False, id="slider.first"),
        Binding("end", "extreme(1)", "To highest", show=False, id="slider.last"),
    ]

    def __init__(self, slider: RangeSlider, which: Which) -> None:
        super().__init__(classes=f"-{which}")
        self.slider = slider
        self.which: Which = which
        # Fixed width from the widest possible number, so the track never shifts as
        # values change (e.g. "[  5]" and "[100]" take the same room).
        self.digits = max(len(str(slider.minimum)), len(str(slider.maximum)))
        self.styles.width = self.digits + 2

    @property
    def value(self) -> int:
        return self.slider.low if self.which == "low" else self.slider.high

    def render(self) -> RenderableType:
        return Text(f"[{self.value:>{self.digits}}]", no_wrap=True)

    def action_move(self, direction: int) -> None:
        self.slider.move_handle(self.which, self.value + direction * self.slider.step)

    def action_move_big(self, direction: int) -> None:
        self.slider.move_handle(self.which, self.value + direction * self.slider.big_step)

    def action_extreme(self, direction: int) -> None:
        # Out-of-range targets are clamped to the handle's allowed extreme.
        target = self.slider.maximum if direction > 0 else self.slider.minimum
        self.slider.move_handle(self.which, target)


class SliderTrack(Widget):
    """The bar between the handles; the selected part uses the highlighted component style."""

    COMPONENT_CLASSES = {"slider-track--selected", "slider-track--unselected"}

    def __init__(self, slider: RangeSlider) -> None:
        super().__init__()
        self.slider = slider

    def _column(self, value: int, width: int) -> int:
        span = self.slider.maximum - self.slider.minimum
        return 0 if span == 0 else round((value - self.slider.minimum) * (width - 1) / span)

    def render(self) -> RenderableType:
        width = self.content_size.width
        if width <= 0:
            return Text()
        start = self._column(self.slider.low, width)
        end = self._column(self.slider.high, width)
        selected = self.get_component_rich_style("slider-track--selected")
        unselected = self.get_component_rich_style("slider-track--unselected")
        return Text.assemble(
            ("━" * start, unselected),
            ("━" * (end - start + 1), selected),
            ("━" * (width - end - 1), unselected),
            no_wrap=True,
        )

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        width = self.content_size.width
        if offset is None or width <= 1:
            return
        slider = self.slider
        value = slider.minimum + round(offset.x * (slider.maximum - slider.minimum) / (width - 1))
        # Ties go to the handle on the click's side, so a click can always widen the range.
        if abs(value - slider.low) < abs(value - slider.high) or value < slider.low:
            which: Which = "low"
        else:
            which = "high"
        slider.move_handle(which, value)
        slider.query_one(f"SliderHandle.-{which}", SliderHandle).focus()


class RangeSlider(Widget):
    """Selects `low`..`high` (inclusive) within `minimum`..`maximum`; always low <= high.

    Every change, from keys, mouse or `set_range`, posts exactly one `Changed`.
    """

    DEFAULT_CSS = """
    RangeSlider {
        layout: horizontal;
        width: 1fr;
        height: 1;
    }
    RangeSlider > Label { margin-right: 2; color: $text; }
    RangeSlider > SliderHandle { height: 1; color: $text; }
    RangeSlider > SliderHandle:hover { background: $boost; }
    RangeSlider > SliderHandle:focus { background: $accent; color: $text; text-style: bold; }
    RangeSlider > SliderTrack { width: 1fr; height: 1; margin: 0 1; }
    RangeSlider > SliderTrack > .slider-track--selected { color: $accent; }
    RangeSlider > SliderTrack > .slider-track--unselected { color: $text-disabled; }
    """

    class Changed(Message):
        """The range changed; `control` lets handlers use @on(RangeSlider.Changed, "#id")."""

        def __init__(self, slider: RangeSlider, low: int, high: int) -> None:
            super().__init__()
            self.slider = slider
            self.low = low
            self.high = high

        @property
        def control(self) -> RangeSlider:
            return self.slider

    def __init__(
        self,
        minimum: int = 0,
        maximum: int = 100,
        low: int | None = None,
        high: int | None = None,
        *,
        label: str = "Score Range",
        step: int = 1,
        big_step: int = 10,
        id: str | None = None,
    ) -> None:
        if minimum > maximum:
            raise ValueError(f"minimum {minimum} is greater than maximum {maximum}")
        if step < 1 or big_step < 1:
            raise ValueError("step and big_step must be positive")
        super().__init__(id=id)
        self.minimum = minimum
        self.maximum = maximum
        self.label = label
        self.step = step
        self.big_step = big_step
        self._low, self._high = self._normalise(
            minimum if low is None else low, maximum if high is None else high
        )

    @property
    def low(self) -> int:
        return self._low

    @property
    def high(self) -> int:
        return self._high

    def compose(self) -> ComposeResult:
        yield Label(user_text(self.label))
        yield SliderHandle(self, "low")
        yield SliderTrack(self)
        yield SliderHandle(self, "high")

    def set_range(self, low: int, high: int) -> None:
        """Clamp both into [minimum, maximum] (swapping them if crossed) and apply."""
        self._apply(*self._normalise(low, high))

    def move_handle(self, which: Which, value: int) -> None:
        """Move one handle towards `value`, stopping at the bounds and at the other handle."""
        if which == "low":
            self._apply(max(self.minimum, min(value, self._high)), self._high)
        else:
            self._apply(self._low, min(self.maximum, max(value, self._low)))

    def _normalise(self, low: int, high: int) -> tuple[int, int]:
        low, high = sorted((low, high))
        return max(self.minimum, min(low, self.maximum)), max(self.minimum, min(high, self.maximum))

    def _apply(self, low: int, high: int) -> None:
        if (low, high) == (self._low, self._high):
            return
        self._low, self._high = low, high
        for child in self.query_children(Widget):
            child.refresh()
        self.post_message(self.Changed(self, low, high))
