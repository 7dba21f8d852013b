"""The Discover screen's setup tab (C22.4.2, C22.4.3): what to group by, whom, into how
many clusters, with which engagement window; Run.

The choices stay as they are while the screen is open (the tab is never rebuilt), so a
second run starts from the first one's. `request()` reads them into a DiscoverRequest, or
says what is missing (no dimension ticked) without running anything.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Select, SelectionList
from textual.widgets.selection_list import Selection

from segtui.core.discover.model import DIMENSIONS, K_AUTO_RANGE, Dimension, DiscoverRequest
from segtui.core.formatting import plural
from segtui.core.records import Choice, ChoiceKind
from segtui.data.store import Store
from segtui.screens.modals.choice_picker import ChoicePicker
from segtui.widgets.asking import Picked
from segtui.widgets.text import user_text
from segtui.widgets.tick_list import TickList

# Ticked when the screen opens: the issue's own example (size, industry, spent, engaged),
# which reads well on the demo data and on a CRM's.
FIRST_TICKED = (Dimension.SIZE, Dimension.INDUSTRY, Dimension.SPENT, Dimension.ENGAGED)
AUTO = "auto"
K_CHOICES = [("Auto: the best separated of 2 to 8 (silhouette)", AUTO)] + [
    (f"{k} clusters", str(k)) for k in K_AUTO_RANGE]
WINDOWS = [(f"the last {plural(days, 'day')}", days) for days in (30, 60, 90, 180, 365)]
EVERYONE = "Every contact"
SEED = 0  # a fixed seed: the same choices give the same clusters


class NothingTicked(ValueError):
    """No dimension is ticked: the message says how to tick one."""


def dimension_help(dimension: Dimension) -> Text:
    """Under the checklist, what the highlighted dimension is: a line that wraps (a
    checklist's rows are one line each, and the longer helps do not fit 80 columns)."""
    info = DIMENSIONS[dimension]
    return Text.assemble((info.label + ": ", "bold"), info.help)


class SetupPane(Vertical):
    """The choices (see the module's docstring). The Run button's press goes up to the
    screen, which runs; a segment picked in Within is kept here."""

    def __init__(self, store: Store, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.within: Choice | None = None  # None: every contact

    def compose(self) -> ComposeResult:
        yield Label("Group by (space ticks a dimension, ↑↓ move)", classes="section-title")
        yield TickList[Dimension](
            *(Selection(Text(DIMENSIONS[d].label), d, d in FIRST_TICKED) for d in Dimension),
            id="discover-dimensions")
        yield Label("", id="discover-dimension-help")
        yield Label("", id="discover-setup-error", classes="save-error")
        with Horizontal(classes="form-row"):
            yield Label("Within", classes="form-label")
            yield Button(Text(EVERYONE), compact=True, id="discover-within")
        with Horizontal(classes="form-row"):
            yield Label("Clusters", classes="form-label")
            yield Select(K_CHOICES, value=AUTO, allow_blank=False, compact=True,
                         id="discover-k")
        with Horizontal(classes="form-row"):
            yield Label("Engaged in", classes="form-label")
            yield Select(WINDOWS, value=30, allow_blank=False, compact=True,
                         id="discover-window")
        with Horizontal(classes="form-row"):
            yield Label("", classes="form-label")
            yield Button("Run", variant="primary", compact=True, id="discover-run")

    def on_mount(self) -> None:
        self.show_error("")
        self._show_help(0)

    @on(SelectionList.SelectionHighlighted)
    def _highlighted(self, event: SelectionList.SelectionHighlighted[Dimension]) -> None:
        self._show_help(event.selection_index)

    def _show_help(self, index: int) -> None:
        shown: Text = dimension_help(list(Dimension)[index])
        self.query_one("#discover-dimension-help", Label).update(shown)

    # -- reading the choices -----------------------------------------------------------

    @property
    def dimensions(self) -> tuple[Dimension, ...]:
        """The ticked dimensions, in the checklist's order (the same choices, the same
        request, whatever order they were ticked in)."""
        ticked = set(self.query_one("#discover-dimensions", SelectionList).selected)
        return tuple(d for d in Dimension if d in ticked)

    def request(self) -> DiscoverRequest:
        """The discovery asked for; NothingTicked when no dimension is."""
        dimensions = self.dimensions
        if not dimensions:
            raise NothingTicked("Tick at least one dimension to group by (space ticks the "
                                "highlighted one).")
        k = self.query_one("#discover-k", Select).value
        window = self.query_one("#discover-window", Select).value
        return DiscoverRequest(
            dimensions, k=None if k == AUTO else int(str(k)),
            segment_id=int(self.within.key) if self.within is not None else None,
            seed=SEED, window_days=int(str(window)))

    @property
    def within_name(self) -> str | None:
        return self.within.label if self.within is not None else None

    def show_error(self, message: str) -> None:
        label = self.query_one("#discover-setup-error", Label)
        label.update(user_text(message, multiline=True))
        label.display = bool(message)

    @on(SelectionList.SelectedChanged)
    def _ticked(self) -> None:
        if self.dimensions:
            self.show_error("")

    # -- the starting segment ------------------------------------------------------------

    @on(Button.Pressed, "#discover-within")
    def _pick_within(self, event: Button.Pressed) -> None:
        event.stop()
        store = self.store
        self.app.push_screen(
            ChoicePicker("Cluster the members of which segment?", EVERYONE,
                         lambda text: store.contacts.choices(ChoiceKind.SEGMENT, text),
                         self.within), self._within_picked)

    def _within_picked(self, picked: Picked | None) -> None:
        if picked is None:  # cancelled: as it was
            return
        self.within = picked.choice
        self.query_one("#discover-within", Button).label = (
            user_text(picked.choice.label) if picked.choice is not None else Text(EVERYONE))
