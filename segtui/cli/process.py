"""The process around a command (the real `segtui` only, `main` in segtui/cli/__init__.py;
tests call the Typer app): the cycle collector is paused while the command starts, until
its database is open (`pause_collector`, `started`), and the process ends without
Python's teardown once the command has ended (`end_process`). Both are work a scripted
read would otherwise wait for: about 10 and 60-90 ms of a `segtui segments list`
(docs/benchmarks.md, "The process around the command").
"""

from __future__ import annotations

import gc
import os
import sys
from typing import NoReturn

from segtui.cli.output import warn

_collector_paused = False


def pause_collector() -> None:
    """Pause Python's cycle collector while the command starts (`main`, and
    segtui/__main__.py before it imports the command line), until `started`.

    What a command makes while it starts is modules, classes, Typer's commands and the
    schema: all of it lives as long as the process, so the collector's passes while it is
    imported only walk it again and again (115 passes in a `segtui segments list`, about
    10 ms of its 250 ms budget; docs/benchmarks.md, "The process around the command")."""
    global _collector_paused
    gc.disable()
    _collector_paused = True


def started() -> None:
    """The command has opened its database: the collector runs again, for what the command
    does from here (an import of a million rows, the app), and what start-up made is
    frozen out of its passes (gc.freeze, as the app's tune_runtime does with Textual's)."""
    global _collector_paused
    if _collector_paused:
        _collector_paused = False
        gc.freeze()
        gc.enable()


def end_process(code: object) -> NoReturn:
    """End the process once the command has ended, without Python's teardown of every
    module and object: nothing is left to do by then (each command closes its Store
    before it returns, its files in `with` blocks, its helper threads ended), and the
    teardown was most of what a scripted read waited for after its output (60-90 ms of
    a `segtui segments list`; docs/benchmarks.md, "The process around the command"), and
    0.5-2 s after the app had shown the detail tabs (the heap of Textual, SQLAlchemy and
    the screens' data; "Responsive quitting"). Only the real command does this (`main`);
    tests call the Typer app. Output is flushed first; a reader that stopped reading
    (`segtui segments list | head -1`) makes it exit 1, as Click does for it."""
    if code is not None and not isinstance(code, int):  # sys.exit("why"): Python says it
        warn(str(code))
        code = 1
    status = code or 0
    try:
        sys.stdout.flush()
    except OSError:
        status = status or 1
    try:
        sys.stderr.flush()
    except OSError:
        status = status or 1
    os._exit(status)
