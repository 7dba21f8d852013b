"""Progress redraws at most once per interval (core/throttle.py)."""

from __future__ import annotations

from segtui.core.throttle import Throttle


def test_due_at_most_once_per_interval() -> None:
    now = [100.0]
    drawn = Throttle(0.5, clock=lambda: now[0])
    assert drawn.due()  # the first call always draws
    now[0] += 0.25
    assert not drawn.due()
    now[0] += 0.25
    assert drawn.due()
    assert not drawn.due()
    drawn.reset()  # a new run draws at once
    assert drawn.due()
