"""Making a race certain: a Store call that answers only when the test says so."""

from __future__ import annotations

import threading
from typing import Any

from segtui.data.store import Store


class Gate:
    """Makes one Store method of this store hold its answer until `release()`."""

    def __init__(self, store: Store, method: str) -> None:
        self.opened = threading.Event()
        self.entered = threading.Event()
        original = getattr(store, method)

        def gated(*args: Any, **kwargs: Any) -> Any:
            result = original(*args, **kwargs)  # the answer is ready...
            self.entered.set()
            self.opened.wait(timeout=60)  # ...and arrives when the test says
            return result

        setattr(store, method, gated)

    def release(self) -> None:
        self.opened.set()
