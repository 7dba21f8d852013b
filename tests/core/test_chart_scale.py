"""Chart axes (U15.8): round ticks from zero, rows, labels."""

from __future__ import annotations

import itertools
import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from segtui.core.chart_scale import (
    MANTISSAS,
    fitted_label,
    nice_step,
    nice_ticks,
    tick_label,
    value_label,
    y_scale,
)


# The demo's axes as the issue saw them (49.5, 41.3, 35.2, 5.9...) and what they become.
@pytest.mark.parametrize(
    ("max_value", "max_ticks", "whole", "ticks"),
    [
        (45, 4, True, [0, 25, 50]),  # Contact Growth, 45 members: not 0, 20, 40, 60
        (45, 5, True, [0, 25, 50]),
        (45, 6, True, [0, 10, 20, 30, 40, 50]),
        (32, 5, True, [0, 10, 20, 30, 40]),  # Company sizes, 32 Enterprise
        (13, 5, True, [0, 5, 10, 15]),
        (3, 5, True, [0, 1, 2, 3]),
        (1, 5, True, [0, 1]),
        (0.4, 5, True, [0, 1]),  # whole: never a fractional step
        (20.4, 5, False, [0, 10, 20, 30]),  # Weekly score of Marketing Engagers
        (20.4, 6, False, [0, 5, 10, 15, 20, 25]),
        (1.8, 5, False, [0, 0.5, 1, 1.5, 2]),
        (96, 5, False, [0, 25, 50, 75, 100]),
        (0, 5, True, [0, 1]),
        (0, 5, False, [0, 1]),
        (1e-9, 5, False, [0, 1]),  # below a millionth: nothing to scale
        (1200, 4, True, [0, 500, 1000, 1500]),
        (1_000_000, 5, True, [0, 250_000, 500_000, 750_000, 1_000_000]),
    ],
)
def test_nice_ticks_examples(max_value: float, max_ticks: int, whole: bool,
                             ticks: list[float]) -> None:
    assert nice_ticks(max_value, max_ticks, whole=whole) == ticks


values = st.one_of(st.just(0.0), st.floats(min_value=1e-6, max_value=1e12))


def _is_round(step: Decimal) -> bool:
    mantissa = step.scaleb(-step.adjusted())  # 2.5E+1 -> 2.5, 5E-2 -> 5
    return mantissa.normalize() in {m.normalize() for m in MANTISSAS}


@given(values, st.integers(min_value=2, max_value=12), st.booleans())
def test_nice_ticks_properties(max_value: float, max_ticks: int, whole: bool) -> None:
    ticks = nice_ticks(max_value, max_ticks, whole=whole)
    step = nice_step(max_value, max_ticks, whole=whole)
    assert ticks[0] == 0
    assert ticks[-1] >= max_value
    assert 2 <= len(ticks) <= max_ticks
    assert _is_round(step)
    assert all(math.isclose(b - a, float(step)) for a, b in itertools.pairwise(ticks))
    if whole:
        assert all(t == int(t) for t in ticks)
    # No other round step in bounds reaches a lower top.
    lowest = min(
        (s * math.ceil(top / s) for s in _round_steps(step) if _allowed(s, whole)
         and min(3, max_ticks) <= math.ceil(top / s) + 1 <= max_ticks),
        default=None,
    ) if (top := Decimal(repr(max_value))) >= Decimal("1e-6") else None
    if lowest is not None:
        assert Decimal(repr(ticks[-1])) <= lowest


def _round_steps(near: Decimal) -> list[Decimal]:
    return [m.scaleb(e) for e in range(near.adjusted() - 3, near.adjusted() + 4)
            for m in MANTISSAS]


def _allowed(step: Decimal, whole: bool) -> bool:
    return not whole or (step >= 1 and step == step.to_integral_value())


def test_nice_ticks_refuses_infinity() -> None:
    with pytest.raises(ValueError):
        nice_ticks(math.inf, 5)


@given(values, st.integers(min_value=2, max_value=40), st.booleans(), st.booleans())
def test_y_scale_ticks_on_distinct_rows_with_headroom(max_value: float, rows: int,
                                                      whole: bool, headroom: bool) -> None:
    scale = y_scale(max_value, rows, whole=whole, headroom=headroom)
    tick_rows = [scale.row(t) for t in scale.ticks]
    assert tick_rows[0] == 0
    assert all(b - a >= 2 for a, b in itertools.pairwise(tick_rows)) or rows < 3
    assert scale.row(max_value) <= tick_rows[-1] <= rows - 1
    if headroom and rows >= 4:
        # The tallest value leaves the top row free for its label.
        assert tick_rows[-1] == rows - 2
        assert scale.row(max_value) + 1 <= rows - 1


def test_y_scale_rows_match_plotext_rounding() -> None:
    # Marketing Engagers' weekly score on a 9-row plot: 6.4 is a row up, not on row 0.
    scale = y_scale(20.4, 9, whole=False, headroom=True)
    assert scale.ticks == [0, 10, 20, 30]
    assert scale.row(6.4) == 1 and scale.row(0) == 0 and scale.row(30) == 7
    assert scale.row(scale.y_of_row(3)) == 3


@pytest.mark.parametrize(
    ("value", "tick", "exact"),
    [
        (0, "0", "0"),
        (2.5, "2.5", "2.5"),
        (6.4, "6.4", "6.4"),
        (20.0, "20", "20"),
        (1200, "1,200", "1,200"),
        (12_500, "12.5k", "12,500"),
        (250_000, "250k", "250,000"),
        (1_500_000, "1.5M", "1,500,000"),
    ],
)
def test_labels(value: float, tick: str, exact: str) -> None:
    assert tick_label(value) == tick
    assert value_label(value) == exact


def test_fitted_label_shortens_then_gives_up() -> None:
    assert fitted_label(45_321, 6) == "45,321"
    assert fitted_label(45_321, 5) == "45.3k"
    assert fitted_label(45_321, 3) == "45k"
    assert fitted_label(45_321, 2) is None
    assert fitted_label(6.4, 3) == "6.4"
