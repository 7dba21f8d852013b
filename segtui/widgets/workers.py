"""Handing a worker's result back to the UI thread, or dropping it when nobody wants it.

Every database call from the UI runs in a thread worker (A3). Its answer
may arrive after the widget or screen it was for is gone: the user pressed escape, a newer
search replaced the worker, the app is quitting. Calling back into a removed widget fails
(`NoMatches` from a `query_one` on a screen whose children were pruned), so results never go
back through `App.call_from_thread` directly: every worker posts through `deliver`, which
runs the callback on the UI thread only if its target is still there and the worker was not
cancelled, and silently drops it otherwise. `tests/test_ui_sources.py` checks that no other
module calls `call_from_thread`.

Screens and widgets start those workers with `@in_thread("group")` (`run_in_thread` for a
call that is not their own method), the one way to run a Store call off the UI thread:
exclusive in its group (a newer call cancels the older one, whose answer `deliver` then
drops), and an error is never lost: it goes to the method named by `failed=` (a form says
why its save failed), to a toast in its own words (`notify_failed=True`), or else to the
user as "Something went wrong". Textual alone would lose it: a worker's failure is a
`Worker.StateChanged` message to the widget that owns it, which does not bubble to the app.

Such a worker's Store calls act for its screen (`scope_of`, core/cancel.py): when the user
leaves the screen the app cancels that scope (SegtuiApp.pop_screen), which interrupts the
screen's running reads (P12). The worker then ends with `Cancelled`, quietly.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any, ParamSpec
from weakref import WeakKeyDictionary

from textual import work
from textual.app import App
from textual.dom import DOMNode
from textual.worker import NoActiveWorker, Worker, get_current_worker

from segtui.core.busy import DatabaseBusy, busy_message
from segtui.core.cancel import Cancelled, Scope, acting_for

P = ParamSpec("P")


def _worker() -> Worker[Any] | None:
    try:
        return get_current_worker()
    except NoActiveWorker:
        return None


def alive(target: DOMNode) -> bool:
    """Is `target` still on screen (or, for the app, still running) and not being removed?"""
    if isinstance(target, App):
        return bool(target.is_running) and not target._exit
    # Textual marks every node of a subtree `_pruning` as soon as its removal starts, before
    # the children go: a callback that queries them in that window would fail.
    return target.is_attached and not (target._closing or target._closed or target._pruning)


def deliver(target: DOMNode, callback: Callable[P, object], *args: P.args,
            **kwargs: P.kwargs) -> None:
    """From a worker thread: run `callback(*args, **kwargs)` on the UI thread, unless the
    worker was cancelled or `target` (the widget, screen or app the result is for) is gone
    by the time the UI thread gets to it. Pass the app as the target for what must reach
    the user whatever screen is showing (the outcome of a write, an export's file name).

    The callback is queued on the target (`call_later` is thread-safe) rather than awaited
    with `App.call_from_thread`: a worker blocked on a UI thread that is shutting down
    would never return, and quitting would wait for it."""
    worker = _worker()
    if worker is not None and worker.is_cancelled:
        return

    async def run() -> None:
        if (worker is None or not worker.is_cancelled) and alive(target):
            result = callback(*args, **kwargs)
            # An async handler (one that mounts) is awaited; Textual's other awaitables
            # (what dismiss() and mount() return) complete on their own and refuse to be
            # awaited from the screen's own message handler.
            if inspect.iscoroutine(result):
                await result

    target.call_later(run)  # False (dropped) when the target is already closing


def say_busy(target: DOMNode, error: DatabaseBusy) -> None:
    """From a worker whose write met another process's (SQLite: an import holding the
    database): tell the user so in plain words (I16.12). Needed because a worker's
    failure reaches only its own widget, not the app (Worker.StateChanged does not bubble)."""
    app = target.app
    deliver(app, app.notify, busy_message(error), severity="error", timeout=10)


_scopes: WeakKeyDictionary[DOMNode, Scope] = WeakKeyDictionary()
_scopes_lock = threading.Lock()  # workers look their scope up from their threads


def scope_of(node: DOMNode) -> Scope:
    """The scope a node's Store calls act for: its screen's (the app's, for the app).
    NoScreen from a widget no longer on any screen."""
    owner = node if isinstance(node, App) else node.screen
    with _scopes_lock:
        scope = _scopes.get(owner)
        if scope is None:
            scope = _scopes[owner] = Scope(type(owner).__name__)
        return scope


Failed = Callable[[Exception], object]


def in_thread(group: str, *, failed: str | None = None, notify_failed: bool = False,
              ) -> Callable[[Callable[P, None]], Callable[P, Worker[None]]]:
    """Decorate a screen's or widget's method to run in a thread worker, exclusive in
    `group` (see the module's docstring). The method hands its results back with
    `deliver`. What it raises goes, unless the user has left (`Cancelled`):

    - with `failed="_name"`, to the owner's method of that name, on the UI thread (like
      any result: dropped if the owner is gone): a form shows why its save failed;
    - with `notify_failed=True`, to the user as an error toast in the error's own words,
      whatever screen is showing (a write's refusal: "That segment no longer exists");
    - otherwise to `report_failure` ("Something went wrong: ..."), never lost.

    A method that must do something else on failure (say why in its own words, or carry
    on) catches the error itself, with a comment saying why."""
    assert not (failed and notify_failed), "one way to hand a failure back"

    def decorate(method: Callable[P, None]) -> Callable[P, Worker[None]]:
        @functools.wraps(method)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> None:
            owner = args[0] if args else None
            if not isinstance(owner, DOMNode):  # not a method of a widget: as it is
                method(*args, **kwargs)
                return
            handler = getattr(owner, failed) if failed is not None else None
            _run(owner, functools.partial(method, *args, **kwargs), handler, notify_failed)

        threaded: Callable[P, Worker[None]] = work(
            thread=True, exclusive=True, group=group, exit_on_error=False)(guarded)
        return threaded

    return decorate


def run_in_thread(owner: DOMNode, group: str, call: Callable[[], None], *,
                  failed: Failed | None = None, notify_failed: bool = False) -> Worker[None]:
    """`in_thread` for a call that is not a method of `owner` (a screen's helper object
    runs its Store calls in the screen's workers): the same group, scope and failures,
    with `failed` the handler itself."""
    return owner.run_worker(functools.partial(_run, owner, call, failed, notify_failed),
                            thread=True, exclusive=True, group=group, exit_on_error=False)


def _run(owner: DOMNode, call: Callable[[], None], failed: Failed | None,
         notify_failed: bool) -> None:
    """In the worker thread: `call` acting for `owner`'s screen; its failure handed on."""
    try:
        scope = scope_of(owner)
    except Exception:  # already off its screen: nobody waits for the answer
        return
    try:
        with acting_for(scope):
            call()
    except Cancelled:  # the user left, or quit: not a failure
        return
    except Exception as error:
        if failed is not None:
            deliver(owner, failed, error)
        elif notify_failed:
            app = owner.app
            deliver(app, app.notify, str(error), severity="error", markup=False)
        else:
            report_failure(owner, error)


def report_failure(owner: DOMNode, error: Exception) -> None:
    """From a worker of `owner` that failed: log it and tell the user (another process's
    write in plain words, anything else as "Something went wrong: ..."), unless the worker
    was cancelled or the app is closing (nobody is waiting for that answer any more)."""
    worker = _worker()
    if (worker is not None and worker.is_cancelled) or isinstance(error, Cancelled):
        return
    try:
        app = owner.app
    except Exception:  # the app has gone
        return
    app.log.error(error)
    if isinstance(error, DatabaseBusy):
        say_busy(owner, error)
        return
    deliver(app, app.notify, f"Something went wrong: {error}", severity="error", timeout=10)
