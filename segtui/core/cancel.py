"""Stopping database work nobody waits for any more (P12; docs/architecture.md,
"Cancelling statements").

A screen's reads run in worker threads on behalf of that screen; the start-up
re-evaluation runs on behalf of the app. When the user leaves the screen, or quits, the
answers are no longer wanted, and a statement that goes on running holds the process open
at exit (Python joins worker threads) and, on PostgreSQL, keeps the server busy. So every
Store call made inside `acting_for(scope)` is registered under that scope, and
`Store.cancel(scope)` interrupts its running statements (`Store.cancel_all()` at exit).

The interrupted statement's error (SQLite's "interrupted", PostgreSQL's QueryCanceled)
reaches its caller as `Cancelled`: the worker that asked ends quietly, nothing is shown
and nothing is logged as a failure. A write transaction interrupted that way is rolled
back whole, as any failed write.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar


class Cancelled(Exception):
    """The work was stopped because its answer is no longer wanted (the user left the
    screen that asked, or quit). Not a failure: whoever started the work ends quietly."""

    def __init__(self) -> None:
        super().__init__("cancelled: nobody waits for this answer any more")


class Scope:
    """On whose behalf database work runs: a screen, or the app. Once cancelled it stays
    cancelled: any later statement on its behalf is refused with Cancelled."""

    __slots__ = ("cancelled", "name")

    def __init__(self, name: str = "") -> None:
        self.name = name
        self.cancelled = False

    def __repr__(self) -> str:
        state = " cancelled" if self.cancelled else ""
        return f"<Scope {self.name or hex(id(self))}{state}>"


# A context variable, not a thread-local: the Store copies the context into the threads
# it starts reads on (Store.aside), so those reads belong to the same scope.
_scope: ContextVar[Scope | None] = ContextVar("segtui_scope", default=None)


@contextmanager
def acting_for(scope: Scope) -> Iterator[None]:
    """Run the Store calls inside on behalf of `scope`."""
    token = _scope.set(scope)
    try:
        yield
    finally:
        _scope.reset(token)


def current_scope() -> Scope | None:
    """The scope the calling code acts for (None: nobody's, e.g. a CLI command)."""
    return _scope.get()
