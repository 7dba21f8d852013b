"""At most one progress redraw per interval.

The import and export dialogs and the CLI's progress line hear about every batch; drawing
each one would flood a slow SSH link and take the UI thread from the work.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class Throttle:
    """`due()` is true at most once every `interval` seconds (the first call always)."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic
                 ) -> None:
        self.interval = interval
        self.clock = clock
        self._last = float("-inf")

    def reset(self) -> None:
        self._last = float("-inf")

    def due(self) -> bool:
        now = self.clock()
        if now - self._last < self.interval:
            return False
        self._last = now
        return True
