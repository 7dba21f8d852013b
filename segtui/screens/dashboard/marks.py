"""The segments marked on the dashboard to compare (C20.5.1, C20.5.2): `space` marks or
unmarks the highlighted one (its name shows ☑), `C` opens the compare screen for the
marked ones, 2 to 6 of them, in the order they were marked.

The marks are the screen's, kept while it lives, across searches, filters and pages: a
segment marked and then filtered out of sight is still compared (the status line says how
many are marked). A marked segment deleted or hidden since is said by name when compare
is asked, and unmarked; the others stay marked.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.screen import Screen

from segtui.core.compare import MAX_SEGMENTS, CompareError, check_count
from segtui.core.formatting import plural
from segtui.core.permissions import CurrentUser
from segtui.core.records import SegmentRow
from segtui.core.text import printable
from segtui.data.store import Store


class Marks:
    """The marked segments: id -> name, in the order marked."""

    def __init__(self, screen: Screen[None], store: Store, user: CurrentUser,
                 highlighted: Callable[[], SegmentRow | None],
                 shown: Callable[[SegmentRow], None]) -> None:
        self.screen = screen
        self.store = store
        self.user = user
        self.highlighted = highlighted
        self.shown = shown  # redraws a row after its mark changed
        self.names: dict[int, str] = {}

    def __contains__(self, segment_id: int) -> bool:
        return segment_id in self.names

    def toggle(self) -> None:
        row = self.highlighted()
        if row is None:
            return
        if row.id in self.names:
            del self.names[row.id]
        elif len(self.names) >= MAX_SEGMENTS:
            self.screen.notify(
                f"Compare takes at most {MAX_SEGMENTS} segments; "
                f"{plural(len(self.names), 'segment')} marked already. "
                f"{self._key('mark')} on a marked one unmarks it.",
                severity="warning", markup=False)
            return
        else:
            self.names[row.id] = row.name
        self.shown(row)

    def status(self) -> Text:
        """' · 2 marked — C compares' for the list's status line; empty without marks."""
        if not self.names:
            return Text()
        return Text(f" · {plural(len(self.names), 'segment')} marked — "
                    f"{self._key('compare')} compares")

    def compare(self, done: Callable[[], None]) -> None:
        """The compare screen for the marked segments; `done()` once it closes (the list
        shows the marks as they are then)."""
        try:
            check_count(len(self.names), "marked")
        except CompareError as exc:
            self.screen.notify(f"{exc} {self._key('mark')} marks the highlighted "
                               "segment.", severity="warning", markup=False)
            return
        from segtui.screens.compare import CompareScreen  # loads when first wanted

        def closed(gone: dict[int, str] | None) -> None:
            if gone:
                for segment_id in gone:
                    self.names.pop(segment_id, None)
                names = ", ".join(f"“{printable(name)}”" for name in gone.values())
                self.screen.notify(
                    f"{names} no longer there (deleted, or hidden from you): unmarked. "
                    f"{plural(len(self.names), 'segment')} still marked.",
                    title="Compare", severity="warning", markup=False)
            done()

        self.screen.app.push_screen(CompareScreen(self.store, self.user, dict(self.names)),
                                    closed)

    def _key(self, action: str) -> str:
        """The key bound to the dashboard's `action` as the user's keymap has it."""
        for binding in self.screen.active_bindings.values():
            if binding.binding.action == action:
                return self.screen.app.get_key_display(binding.binding)
        return action
