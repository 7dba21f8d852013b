"""The arithmetic of charts that are read, not admired (U15.8).

Round y ticks from zero, where a value lands on a chart of a given number of rows, and
number labels short enough to sit on an axis or above a bar. Pure Python so it is tested on
its own; `segtui/widgets/charts.py` draws with it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

# Tick steps are one of these times a power of ten: 1, 2, 2.5, 5, 10, 20, 25, 50, 100...
# (2.5 gives the quarters people count in: 0, 25, 50, 75, 100).
MANTISSAS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5))


def _top(max_value: float) -> Decimal:
    """The value the axis must reach, exactly. Below a millionth it is 0: the charts show
    counts and one-decimal scores, and a step that small would underflow a float."""
    return Decimal(repr(max_value)) if max_value >= 1e-6 else Decimal(0)


def nice_step(max_value: float, max_ticks: int, *, whole: bool = False) -> Decimal:
    """The round step (1, 2, 2.5 or 5 x 10^n) of the ticks from 0 to `max_value`: of the
    steps giving at most `max_ticks` ticks (0 and the top count; at least 2), the one
    whose top tick is closest above the value (the plot's height goes to the data, not to
    empty axis), with at least 3 ticks when allowed (0 and a top alone hardly make a
    scale), the smaller step on a tie.

    `whole`: the values are counts, so the step is a whole number (never 0.5 or 2.5).
    """
    if not math.isfinite(max_value):
        raise ValueError(f"cannot scale an axis to {max_value}")
    top = _top(max_value)
    if top == 0:
        return Decimal(1)
    max_ticks = max(max_ticks, 2)
    min_ticks = min(3, max_ticks)
    best: Decimal | None = None
    for step in _fitting_steps(top, max_ticks, whole):
        intervals = math.ceil(top / step)
        if best is not None and intervals + 1 < min_ticks:
            break  # larger steps only give fewer ticks
        if best is None or step * intervals < best * math.ceil(top / best):
            best = step
        if intervals == 1:
            break  # one step reaches the top: larger ones only raise it
    assert best is not None  # the sequence is endless
    return best


def _fitting_steps(top: Decimal, max_ticks: int, whole: bool) -> Iterator[Decimal]:
    """The round steps whose ticks from 0 reach `top` in at most `max_ticks`, smallest
    first (an endless sequence)."""
    # A step below top/intervals never reaches the top; start one decade under it so
    # rounding in the logarithm cannot skip the smallest.
    exponent = math.floor(math.log10(float(top / (max_ticks - 1)))) - 1
    while True:
        for mantissa in MANTISSAS:
            step = mantissa.scaleb(exponent)
            if whole and (step < 1 or step != step.to_integral_value()):
                continue
            if math.ceil(top / step) <= max_ticks - 1:
                yield step
        exponent += 1


def nice_ticks(max_value: float, max_ticks: int, *, whole: bool = False) -> list[float]:
    """Round, evenly spaced ticks from 0 to the first one at or above `max_value`
    (see `nice_step`). Zero or less gets [0, 1], an axis that still shows a scale."""
    step = nice_step(max_value, max_ticks, whole=whole)
    top = _top(max_value)
    count = max(math.ceil(top / step), 1)
    return [float(step * i) for i in range(count + 1)]


@dataclass(frozen=True)
class YScale:
    """A y axis from 0 to `top` on a plot of `rows` character rows (row 0 at the bottom).

    `row` is the nearest row, halves up: the same rounding plotext uses to place points,
    bars and text, so a label put at `y_of_row(row(v) + 1)` sits right above `v`.
    """

    ticks: list[float]
    top: float
    rows: int

    def row(self, value: float) -> int:
        if self.rows < 2 or self.top <= 0:
            return 0
        # round(.., 8) as plotext does: 2.9999999 is row 3, not 2.
        return math.floor(round(0.5 + (self.rows - 1) * value / self.top, 8))

    def y_of_row(self, row: int) -> float:
        """A y value drawn on `row`."""
        return row * self.top / (self.rows - 1) if self.rows > 1 else 0.0


def y_scale(max_value: float, rows: int, *, whole: bool, headroom: bool) -> YScale:
    """The y axis of a plot with `rows` rows: round ticks from 0, at most one every other
    row so their labels never touch. `headroom`: one row above the top tick stays free for
    the labels of the tallest values."""
    tick_rows = rows - 1 if headroom and rows >= 4 else rows
    ticks = nice_ticks(max_value, (tick_rows + 1) // 2, whole=whole)
    top = ticks[-1]
    if tick_rows < rows:
        # The top tick lands on the second row from the top: (rows-1) * top_tick / top
        # == rows - 2.
        top = top * (rows - 1) / (rows - 2)
    return YScale(ticks, top, rows)


# -- labels ----------------------------------------------------------------------------


def _trimmed(value: float, decimals: int) -> str:
    """'6.4', '20', '1,200': thousands separators, at most `decimals`, no trailing zeros."""
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _compact(value: float, decimals: int) -> str:
    """'12k', '1.5M' for values of ten thousand and more."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return _trimmed(value / size, decimals) + suffix
    return _trimmed(value, decimals)


def tick_label(value: float) -> str:
    """A y tick's label: '0', '2.5', '1,200', '12.5k', '1.5M'. Ticks are round, so two
    decimals are never cut; five digits and more get a suffix, since the axis labels'
    width is taken from the plot."""
    return _trimmed(value, 2) if abs(value) < 10_000 else _compact(value, 2)


def value_label(value: float) -> str:
    """A value as written on a bar, a point or in a values table: exact, '1,234', '6.4'
    (the figures behind the charts have at most one decimal)."""
    return _trimmed(value, 1)


def fitted_label(value: float, room: int) -> str | None:
    """The value's label in at most `room` characters: exact when it fits, else '45.3k',
    else nothing (the caller draws no label rather than overlapping ones)."""
    for text in (value_label(value), _compact(value, 1), _compact(value, 0)):
        if len(text) <= room:
            return text
    return None
