"""What every detail tab shares."""

from __future__ import annotations

from textual import on
from textual.containers import Vertical
from textual.events import Mount
from textual.message import Message
from textual.theme import Theme

from segtui.core.permissions import CurrentUser
from segtui.data.store import Store


class DetailTab(Vertical):
    """A tab's content. `reload()` refetches; `Changed` tells the screen data changed (so
    the cards and other tabs refresh too)."""

    HELP = ""
    # A tab that picks colours in Python (palette.theme_colours: charts, marks) sets this,
    # so a theme switch (ctrl+p) draws it again in the new theme's colours.
    REDRAW_ON_THEME = False

    class Changed(Message):
        """This tab changed the segment's data."""

    def __init__(self, store: Store, user: CurrentUser, segment_id: int, name: str) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.segment_id = segment_id
        self.segment_name = name

    def reload(self) -> None:
        """Fetch everything again (after the segment changed)."""

    @on(Mount)
    def _follow_theme(self) -> None:
        if self.REDRAW_ON_THEME:
            self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme: Theme) -> None:
        self.reload()

    def focus_default(self) -> None:
        """Where the keyboard lands when the tab is shown: its first focusable widget, so
        the tab's own keys (/, n, m...) work at once. Tabs whose first widget takes text
        override this, or 1-6 would type digits instead of switching tabs."""
        first = next((w for w in self.query("*") if w.focusable), None)
        if first is not None:
            first.focus()
