"""Making a race certain: a Store call that answers only when the test says so."""

from __future__ import annotations

import threading
from typing import Any


class Gate:
    """Makes one method of a Store's facet (`store.contacts`, ...) hold its answer
    until `release()`."""

    def __init__(self, facet: object, method: str) -> None:
        self.opened = threading.Event()
        self.entered = threading.Event()
        original = getattr(facet, method)

        def gated(*args: Any, **kwargs: Any) -> Any:
            result = original(*args, **kwargs)  # the answer is ready...
            self.entered.set()
            self.opened.wait(timeout=60)  # ...and arrives when the test says
            return result

        setattr(facet, method, gated)

    def release(self) -> None:
        self.opened.set()
