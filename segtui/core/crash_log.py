"""Where an unexpected error's traceback goes (U15.1).

When the app meets an error nobody handled, it ends with exit status 1 and says in one line
what happened and which file holds the traceback, so a wrapper script notices and a user
can attach the file to a report. The files live in the user log directory
(`~/.local/state/segtui/log/` on Linux; `SEGTUI_LOG_DIR` overrides it) and are named by
time, so one crash never overwrites another.
"""

from __future__ import annotations

import os
import traceback
from datetime import datetime
from pathlib import Path

import platformdirs

from segtui import __version__
from segtui.core.text import printable


def log_dir() -> Path:
    override = os.environ.get("SEGTUI_LOG_DIR")
    return Path(override) if override else platformdirs.user_log_path("segtui")


def write_crash_log(error: BaseException, *, now: datetime | None = None) -> Path | None:
    """Write `error`'s traceback to a new file and return its path (None if even that
    failed: the caller still reports the error itself)."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S-%f")
    lines = [f"segtui {__version__} crashed at {stamp}\n\n",
             *traceback.format_exception(error)]
    try:
        directory = log_dir()
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"crash-{stamp}.log"
        path.write_text("".join(lines), encoding="utf-8")
    except OSError:
        return None
    return path


def crash_message(error: BaseException, path: Path | None) -> str:
    """The one line the terminal shows after a crash."""
    # The message may quote user data (a name that broke something): never raw escapes.
    what = printable(f"{type(error).__name__}: {error}".splitlines()[0])
    where = f"the traceback is in {path}" if path else "the traceback could not be written"
    return f"segtui stopped on an unexpected error ({what}); {where}. Please report it."
