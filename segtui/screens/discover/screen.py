"""The Discover screen (C22.4), opened with `G` on the dashboard or "Discover segments" in
the command palette: contacts grouped into clusters a marketer reads, renames and keeps.

- 1 Setup (setup.py): the dimensions to group by, a starting segment, k (or auto), the
  engagement window, Run. `r` runs from either tab.
- 2 Clusters: while a discovery runs, a progress bar and what it is doing (escape stops
  it: its scope is cancelled, and a stopped run has written nothing); then a line of
  what was grouped, the silhouette of each k tried, the clusters' sizes as bars and one
  card per cluster (cards.py). `e` renames the highlighted cluster, `k` keeps it as a
  segment (screens/modals/keep_cluster.py), `o` opens the segment kept last.
- 3 Trends: the average transaction value by industry per month (C22.5), the widget
  widgets/industry_trends.py fed by `store.metrics.industry_trends()`, read when the tab
  is first shown; `r` there reads it again.

The discovery runs in a thread worker (`store.discover.run`) inside a scope of its own, so
escape can stop it while the screen stays; leaving the screen stops it too. A refusal
(DiscoverError: too few contacts for k, an empty segment...) or a database error is said
in place of the cards, in its own words; the app goes on.
"""

from __future__ import annotations

import threading

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import (
    Button,
    Header,
    Label,
    OptionList,
    ProgressBar,
    Static,
    TabbedContent,
    TabPane,
)
from textual.widgets.option_list import Option

from segtui.core.cancel import Cancelled, Scope, acting_for
from segtui.core.discover.model import (
    ClusterProfile,
    DiscoverError,
    DiscoverRequest,
    Discovery,
)
from segtui.core.industry_trends import IndustryTrends as Trends
from segtui.core.permissions import CurrentUser
from segtui.core.throttle import Throttle
from segtui.data.store import Store
from segtui.screens.allowed import allowed
from segtui.screens.discover.card_list import CardList
from segtui.screens.discover.cards import HELP, card, k_scores_text, size_bars, summary_text
from segtui.screens.discover.setup import NothingTicked, SetupPane
from segtui.screens.modals.keep_cluster import KeepClusterModal, Kept
from segtui.screens.modals.rename_cluster import RenameClusterModal
from segtui.widgets.industry_trends import IndustryTrends
from segtui.widgets.key_bar import KeyBar
from segtui.widgets.text import user_text
from segtui.widgets.workers import deliver, in_thread

TABS = [("setup", "Setup"), ("clusters", "Clusters"), ("trends", "Trends")]
KEEPING = "keep a cluster as a segment"  # what a Viewer may not (C22.4.10)
NO_RESULTS = "Nothing discovered yet: r runs the discovery set up on tab 1."
CANCELLED = "Cancelled; nothing was kept."


class DiscoverScreen(Screen[None]):
    AUTO_FOCUS = "#discover-dimensions"
    HELP = HELP
    # The key bar shows the first that fit, in this order (docs/keys.md).
    BINDINGS = [
        Binding("escape,backspace", "back", "Back", tooltip="Stop a running discovery, "
                "else go back", id="discover.back"),
        Binding("r", "run", "Run", id="discover.refresh"),
        # r on the Trends tab (check_action picks one of the two): read them again.
        Binding("r", "reload_trends", "Refresh", id="discover-trends.refresh"),
        Binding("k", "keep", "Keep", id="discover.keep"),
        Binding("e", "rename", "Rename", id="discover.edit"),
        Binding("o", "open_kept", "Open kept", id="discover.open"),
        *(Binding(str(n), f"tab({n})", f"Tab {n}: {title}", show=False,
                  id=f"discover.tab-{n}") for n, (_, title) in enumerate(TABS, start=1)),
    ]

    def __init__(self, store: Store, user: CurrentUser) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.discovery: Discovery | None = None
        self.within: str | None = None  # the starting segment of the discovery shown
        self.running = False
        self.kept: tuple[int, str] | None = None  # the segment kept last: id, name
        self._stop = threading.Event()
        self._scope: Scope | None = None  # the running discovery's
        self._drawn = Throttle(0.1)  # progress redraws
        self._trends_read = False  # the Trends tab reads them when first shown

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        with TabbedContent(id="discover-tabs"):
            with TabPane(Content("1 Setup"), id="tab-setup"):
                yield SetupPane(self.store, id="discover-setup")
            with TabPane(Content("2 Clusters"), id="tab-clusters"), \
                    Vertical(id="discover-results"):
                yield Label(Text(NO_RESULTS), id="discover-status")
                with Horizontal(id="discover-progress"):
                    yield ProgressBar(total=100, show_eta=False, id="discover-bar")
                    yield Label("", id="discover-stage")
                yield Label("", id="discover-scores")
                yield Static("", id="discover-sizes")
                yield CardList(id="discover-cards")
            with TabPane(Content("3 Trends"), id="tab-trends"), \
                    VerticalScroll(id="discover-trends"):
                yield Label(Text("Reading the industry trends…"), id="trends-status")
                yield IndustryTrends(id="industry-trends")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "Discover"
        self._show_results()

    def on_unmount(self) -> None:
        """Leaving stops a running discovery (its scope is not the screen's, which the
        app cancels: see _start)."""
        self._stop.set()
        if self._scope is not None:
            self.store.cancel(self._scope)

    # -- tabs and keys -------------------------------------------------------------------

    @property
    def tab(self) -> str:
        return (self.query_one(TabbedContent).active or "tab-setup").removeprefix("tab-")

    def action_tab(self, number: int) -> None:
        if 1 <= number <= len(TABS):
            self.query_one(TabbedContent).active = f"tab-{TABS[number - 1][0]}"

    @on(TabbedContent.TabActivated)
    def _tab_shown(self) -> None:
        if self.tab == "clusters" and self.discovery is not None:
            self.query_one("#discover-cards").focus()
            self.call_after_refresh(self._fill)  # at the width it has now
        elif self.tab == "setup":
            self.query_one("#discover-dimensions").focus()
        elif self.tab == "trends":
            self.query_one("#discover-trends").focus()
            if not self._trends_read:
                self.action_reload_trends()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # False: off the key bar, and the key does nothing. Renaming and keeping need
        # clusters (and no run replacing them); opening, a segment kept.
        if action in ("keep", "rename"):
            return self.tab == "clusters" and self.discovery is not None and not self.running
        if action == "open_kept":
            return self.kept is not None
        if action in ("run", "reload_trends"):
            return (self.tab == "trends") == (action == "reload_trends")
        return True

    # -- running (C22.4.3, C22.4.4) ------------------------------------------------------

    @on(Button.Pressed, "#discover-run")
    def action_run(self) -> None:
        setup = self.query_one(SetupPane)
        if self.running:
            self.notify("A discovery is running: escape stops it.", severity="warning")
            return
        try:
            request = setup.request()
        except NothingTicked as missing:
            self.action_tab(1)
            setup.show_error(str(missing))
            return
        setup.show_error("")
        # Its own scope, not the screen's: escape cancels this run and the screen stays
        # (a cancelled scope refuses every later statement: the next run gets a new one).
        self._scope = Scope("Discover run")
        self._stop.clear()
        self._drawn.reset()
        self.running = True
        self.discovery = None
        self.within = setup.within_name
        self._show_results("Starting…")
        self.action_tab(2)
        self._run(request, self._scope)

    @in_thread("discover-run")
    def _run(self, request: DiscoverRequest, scope: Scope) -> None:
        try:
            with acting_for(scope):
                discovery = self.store.discover.run(request, self.user,
                                                    progress=self._progress)
        except Cancelled:
            deliver(self, self._ended, CANCELLED)
        except DiscoverError as refused:  # the user's words: too few contacts for k...
            deliver(self, self._ended, str(refused))
        except Exception as error:  # the database failed: said here, the app goes on
            deliver(self, self._ended, f"The discovery failed: {error}. Nothing was kept.")
        else:
            deliver(self, self._found, discovery)

    def _progress(self, fraction: float, what: str) -> None:
        """In the worker, between batches and stages: stop if asked (escape), and draw
        at most every 0.1 s."""
        if self._stop.is_set():
            raise Cancelled
        if self._drawn.due():
            deliver(self, self._show_progress, fraction, what)

    def _show_progress(self, fraction: float, what: str) -> None:
        if self.running and not self._stop.is_set():
            self.query_one("#discover-bar", ProgressBar).update(progress=fraction * 100)
            self.query_one("#discover-stage", Label).update(user_text(what))

    def _stop_run(self) -> None:
        self._stop.set()
        if self._scope is not None:
            self.store.cancel(self._scope)  # interrupts a statement running for it
        self.query_one("#discover-stage", Label).update("Stopping…")

    def _ended(self, message: str) -> None:
        self.running = False
        self._show_results(message)
        self.refresh_bindings()

    def _found(self, discovery: Discovery) -> None:
        self.running = False
        self.discovery = discovery
        self._show_results()
        self.refresh_bindings()
        if self.tab == "clusters":
            self.query_one("#discover-cards").focus()

    # -- the results (C22.4.5-C22.4.8) ---------------------------------------------------

    def _show_results(self, message: str | None = None, highlight: int | None = None
                      ) -> None:
        """The clusters tab for the state now: running (the progress), a message (a
        refusal, a stop), the discovery, or nothing yet."""
        discovery = self.discovery
        status = self.query_one("#discover-status", Label)
        said: Text = (summary_text(discovery, self.within) if discovery is not None
                      else user_text(message or NO_RESULTS, multiline=True))
        status.update(said)
        # While running, what is being done is said once, beside the bar ("Starting…",
        # then each stage in its place): not also above it, where it would stay stale.
        status.display = not self.running
        self.query_one("#discover-progress").display = self.running
        if self.running:
            self.query_one("#discover-bar", ProgressBar).update(total=100, progress=0)
            self.query_one("#discover-stage", Label).update(user_text(message or ""))
        scores = k_scores_text(discovery) if discovery is not None else None
        self.query_one("#discover-scores", Label).update(scores or "")
        self.query_one("#discover-scores").display = scores is not None
        for selector in ("#discover-sizes", "#discover-cards"):
            self.query_one(selector).display = discovery is not None
        self._fill(highlight)

    def _fill(self, highlight: int | None = None) -> None:
        """The bars and the cards, laid out for the width the list has now."""
        discovery = self.discovery
        cards = self.query_one("#discover-cards", OptionList)
        keep = cards.highlighted if highlight is None else highlight
        cards.clear_options()
        if discovery is None:
            return
        room = self.query_one("#discover-results").size.width
        if not room:  # hidden, or being shown: filled once laid out (or when shown)
            if self.tab == "clusters":
                self.call_after_refresh(self._fill, keep)
            return
        width = max(room - 4, 30)
        bars: Text = size_bars(discovery, width)
        self.query_one("#discover-sizes", Static).update(bars)
        for number, cluster in enumerate(discovery.clusters, start=1):
            if number > 1:
                cards.add_option(None)  # a rule between cards
            shown: Text = card(cluster, number, width, self.within)
            cards.add_option(Option(shown, id=str(cluster.index)))
        cards.highlighted = min(keep or 0, len(discovery.clusters) - 1)

    def on_resize(self, _event: events.Resize) -> None:
        if self.discovery is not None:
            self.call_after_refresh(self._fill)

    def highlighted_cluster(self) -> ClusterProfile | None:
        cards = self.query_one("#discover-cards", OptionList)
        option = cards.highlighted_option
        if self.discovery is None or option is None or option.id is None:
            return None
        return self.discovery.cluster(int(option.id))

    # -- rename, keep, open (C22.4.9-C22.4.12) -------------------------------------------

    def action_rename(self) -> None:
        """e: a new name for the highlighted cluster; the cards show it at once."""
        discovery, cluster = self.discovery, self.highlighted_cluster()
        if discovery is None or cluster is None:
            return
        place = self.query_one("#discover-cards", OptionList).highlighted

        def renamed(result: Discovery | None) -> None:
            if result is not None and self.discovery is discovery:
                self.discovery = result
                self._show_results(highlight=place)

        self.app.push_screen(RenameClusterModal(discovery, cluster.index), renamed)

    def action_keep(self) -> None:
        """k: keep the highlighted cluster as a static or a dynamic segment (not for a
        Viewer, who is told why as on every screen)."""
        discovery, cluster = self.discovery, self.highlighted_cluster()
        if discovery is None or cluster is None or not allowed(self, self.user, KEEPING):
            return
        self.app.push_screen(KeepClusterModal(self.store, self.user, discovery,
                                              cluster.index, self.within), self._kept)

    def _kept(self, kept: Kept | None) -> None:
        if kept is None:
            return
        self.kept = (kept.segment_id, kept.name)
        self.notify(f"{kept.summary()} o opens it.", title="Kept", markup=False)
        self.refresh_bindings()

    def action_open_kept(self) -> None:
        """o: the detail screen of the segment kept last."""
        if self.kept is None:
            return
        from segtui.screens.detail.screen import SegmentDetailScreen  # when first wanted

        segment_id, name = self.kept
        self.app.push_screen(SegmentDetailScreen(self.store, self.user, segment_id, name))

    # -- the industry trends (C22.5) -----------------------------------------------------

    def action_reload_trends(self) -> None:
        self._trends_read = True
        self._read_trends()

    @in_thread("discover-trends", failed="_trends_failed")
    def _read_trends(self) -> None:
        deliver(self, self._show_trends, self.store.metrics.industry_trends())

    def _show_trends(self, trends: Trends) -> None:
        self.query_one("#trends-status").display = False
        self.query_one(IndustryTrends).show(trends)

    def _trends_failed(self, error: Exception) -> None:
        status = self.query_one("#trends-status", Label)
        status.update(user_text(f"Could not read the industry trends: {error}"))
        status.display = True

    def action_back(self) -> None:
        """escape: stop a running discovery (the screen stays), else back; escape again
        while it stops leaves at once (leaving stops it too: on_unmount)."""
        if self.running and not self._stop.is_set():
            self._stop_run()
            return
        self.dismiss(None)
