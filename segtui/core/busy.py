"""What a write reports when another process holds the database (I16.12).

SQLite has one writer at a time: a write waits for another process's write transaction
(a long import, say) up to the busy timeout (data/db/engine.py), then gives up. The Store
turns SQLite's "database is locked" into DatabaseBusy, which the command line prints as
one `segtui:` line and the app as a message, never a traceback.
"""

from __future__ import annotations


class DatabaseBusy(Exception):
    """Another process held the database for writing for longer than we waited."""

    def __init__(self, waited: float) -> None:
        super().__init__(waited)
        self.waited = waited  # seconds

    def __str__(self) -> str:
        return (f"another process is writing to the database (an import, perhaps); gave up "
                f"after waiting {seconds(self.waited)}. Try again when it has finished, or "
                "wait longer with SEGTUI_BUSY_TIMEOUT=SECONDS")


def seconds(value: float) -> str:
    """'0.2 s', '9.8 s', '10 s', '17 s': tenths only where they matter."""
    return f"{value:.1f} s" if value < 9.95 else f"{value:.0f} s"


def busy_message(error: DatabaseBusy) -> str:
    """The error as a sentence for the app's message."""
    text = str(error)
    return text[:1].upper() + text[1:] + "."
