"""Waiting for typing to pause before acting on it: the one debouncer.

Search-as-you-type asks the database once per pause in typing, not once per key
(A1). Every search box and the rule builder's live count go through
`Debouncer`, so the pause is one setting, `PAUSE.seconds`. The tests set it to 0
(tests/conftest.py): the action then runs at once, and no test waits on a clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from textual.dom import DOMNode

from segtui.widgets.workers import alive

T = TypeVar("T")


@dataclass
class Pause:
    """How long typing must stop before a search runs. A burst of keys costs one query,
    for its last text; longer than this and the list would feel slow to follow."""

    seconds: float = 0.15


PAUSE = Pause()  # the setting (0 in tests)


class Debouncer(Generic[T]):
    """Calls `action(value)` once `value` has stopped changing for the pause (times
    `factor`, for an action that costs more than a search). Each call replaces the one
    still waiting: an exclusive async worker of `owner` in `group`, which Textual cancels
    with `owner` when it is removed, and which does not act for an owner on its way out."""

    def __init__(self, owner: DOMNode, action: Callable[[T], object], *, group: str,
                 factor: float = 1) -> None:
        self.owner = owner
        self.action = action
        self.group = group
        self.factor = factor

    def __call__(self, value: T) -> None:
        delay = PAUSE.seconds * self.factor
        if delay <= 0:
            self.now(value)
            return
        self.owner.run_worker(self._after(delay, value), group=self.group, exclusive=True)

    def now(self, value: T) -> None:
        """Act on `value` at once; a call still waiting is dropped."""
        self.owner.workers.cancel_group(self.owner, self.group)
        self.action(value)

    async def _after(self, delay: float, value: T) -> None:
        await asyncio.sleep(delay)
        if alive(self.owner):
            self.action(value)
