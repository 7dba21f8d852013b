"""The Discover screen (C22.4) driven with Pilot: opened by key and from the palette, the
setup's choices, a run with its progress, the cards, renaming, keeping a cluster (static:
exactly its members; dynamic: the rule, its fit counted again after an edit), a Viewer
refused, a stop that leaves nothing behind, a population too small, a database error, and
hostile text shown as it is.

The tests that read or write the database run the real engine on both engines; those that
check what the screen shows of a discovery plant one made by hand (discover_data.py)."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from textual.pilot import Pilot
from textual.widgets import Button, Input, OptionList, Select

from segtui.core.contacts import ContactFilter
from segtui.core.discover.model import Dimension, DiscoverRequest, Discovery, segment_name
from segtui.core.enums import SegmentKind
from segtui.core.rules.language import format_rule, parse
from segtui.data.db.tables import Membership, Segment
from segtui.data.store import Store
from segtui.screens.dashboard import DashboardScreen
from segtui.screens.detail.screen import SegmentDetailScreen
from segtui.screens.discover import DiscoverScreen
from segtui.screens.discover.screen import CANCELLED
from segtui.screens.modals.keep_cluster import KeepClusterModal
from segtui.screens.modals.rename_cluster import RenameClusterModal
from segtui.widgets.industry_trends import IndustryTrends
from tests.factories import add_segment
from tests.hostile import HOSTILE, shown
from tests.ui.conftest import make_app, screen_text, settle, text_of, wait_until
from tests.ui.discover_data import made_discovery, plant, planted
from tests.ui.test_keys import bar_entries, read_bar

GUARD = 60  # seconds a held run may wait for the test (never reached when all is well)


def toasts(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


def discover_screen(app: Any) -> DiscoverScreen:
    assert isinstance(app.screen, DiscoverScreen)
    return app.screen


async def open_discover(pilot: Pilot[Any]) -> DiscoverScreen:
    await settle(pilot)
    await pilot.press("G")
    await settle(pilot)
    return discover_screen(pilot.app)


async def run_discovery(pilot: Pilot[Any]) -> Discovery:
    screen = await open_discover(pilot)
    await pilot.press("r")
    await settle(pilot)
    assert screen.discovery is not None, text_of(pilot.app, "#discover-status")
    return screen.discovery


def segment_members(store: Store, name: str) -> tuple[SegmentKind, str | None, set[int]]:
    with store.reading() as conn:
        row = conn.execute(select(Segment.id, Segment.kind, Segment.rule)
                           .where(Segment.name == name)).one()
        members = set(conn.execute(select(Membership.contact_id).where(
            Membership.segment_id == row.id, Membership.removed_at.is_(None))).scalars())
    return SegmentKind(row.kind), row.rule, members


def segment_count(store: Store) -> int:
    with store.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(Segment)).scalar_one())


# -- opening ---------------------------------------------------------------------------------


async def test_G_and_the_palette_open_discover(sqlite_demo_store: Store) -> None:
    """C22.4.1: G on the dashboard, or "Discover segments" in the command palette; escape
    goes back."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_discover(pilot)
        assert screen.sub_title == "Discover"
        assert app.focused is screen.query_one("#discover-dimensions")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("ctrl+p", *"discover segments")
        await settle(pilot)  # the palette gathers its hits in a worker
        await pilot.press("enter")
        await settle(pilot)
        discover_screen(app)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_key_bar_shows_whole_entries(sqlite_demo_store: Store,
                                           size: tuple[int, int]) -> None:
    """U15.6 on the Discover screen: whole entries; at 80 columns back, run, keep and
    rename once there are clusters, and the app's keys."""
    plant(sqlite_demo_store, planted(made_discovery(list(range(1, 101)))))
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=size) as pilot:
        await run_discovery(pilot)
        shown_keys = read_bar(screen_text(app)[-1], bar_entries(app))
        assert {"esc", "r", "k", "e", "q"} <= set(shown_keys)


# -- the setup (C22.4.2) ---------------------------------------------------------------------


async def test_the_setup_makes_the_request(sqlite_demo_store: Store) -> None:
    """space ticks and unticks a dimension; k, the engagement window and the starting
    segment (picked by name) go into the request; the choices stay for the next run."""
    segment_id = add_segment(sqlite_demo_store, "Discover Within", members=list(range(1, 60)))
    asked: list[DiscoverRequest] = []
    plant(sqlite_demo_store, planted(made_discovery(list(range(1, 60))), asked))
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_discover(pilot)
        await pilot.press("space")  # Lead status, the first, ticked
        await pilot.press("down", "down", "space")  # Company size unticked
        screen.query_one("#discover-k", Select).value = "5"
        screen.query_one("#discover-window", Select).value = 90
        await pilot.press("r")
        await settle(pilot)
        assert asked[-1] == DiscoverRequest(
            (Dimension.STATUS, Dimension.INDUSTRY, Dimension.SPENT, Dimension.ENGAGED),
            k=5, segment_id=None, seed=0, window_days=90)
        await pilot.press("1")
        screen.query_one("#discover-within").focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"Discover Within")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "Discover Within" in str(screen.query_one("#discover-within", Button).label)
        await pilot.press("r")
        await settle(pilot)
        assert asked[-1].segment_id == segment_id and asked[-1].k == 5  # the rest kept
        assert "of Discover Within" in text_of(app, "#discover-status")


async def test_nothing_ticked_is_said_and_nothing_runs(sqlite_demo_store: Store) -> None:
    asked: list[DiscoverRequest] = []
    plant(sqlite_demo_store, planted(made_discovery([1, 2, 3, 4]), asked))
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_discover(pilot)
        screen.query_one("#discover-dimensions").deselect_all()  # type: ignore[attr-defined]
        await pilot.press("r")
        await settle(pilot)
        assert asked == []
        assert "Tick at least one dimension" in text_of(app, "#discover-setup-error")
        assert screen.tab == "setup"
        await pilot.press("space")  # ticking one clears the message
        assert not screen.query_one("#discover-setup-error").display


# -- a run and its results (C22.4.3-C22.4.8) --------------------------------------------------


async def test_a_run_on_the_demo_shows_its_clusters(demo_store: Store) -> None:
    """The real engine, both engines: the summary, the silhouette per k (auto), a bar and
    a card per cluster, the first card highlighted."""
    app = make_app(demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        discovery = await run_discovery(pilot)
        screen = discover_screen(app)
        contacts = demo_store.contacts.contact_count(ContactFilter())
        assert discovery.population == contacts
        assert f"{discovery.k} clusters of {contacts:,} contacts" in text_of(
            app, "#discover-status")
        assert "k by silhouette" in text_of(app, "#discover-scores")
        cards = screen.query_one("#discover-cards", OptionList)
        assert [o.id for o in cards.options] == [str(c.index) for c in discovery.clusters]
        assert cards.highlighted == 0 and app.focused is cards
        shown_text = "\n".join(screen_text(app))
        for cluster in discovery.clusters[:2]:
            assert cluster.name in shown_text
        assert screen.tab == "clusters"


async def test_a_long_summary_wraps_at_80x24(sqlite_demo_store: Store) -> None:
    """C22.4.5: every dimension ticked, the summary wraps at 80 columns: its end, the
    run time, is shown."""
    made = made_discovery(list(range(1, 101)))
    plant(sqlite_demo_store, planted(replace(made, request=replace(
        made.request, dimensions=tuple(Dimension)))))
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_discovery(pilot)
        shown_text = " ".join(" ".join(screen_text(app)).split())
        assert "tags · 0.4 s" in shown_text, shown_text


async def test_progress_shows_while_running(sqlite_demo_store: Store) -> None:
    """C22.4.3: the bar and what the engine says it is doing, while it runs."""
    held = HeldRun(sqlite_demo_store, made_discovery(list(range(1, 50))))
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_discover(pilot)
        await pilot.press("r")
        await held.wait_running(pilot)
        assert screen.query_one("#discover-progress").display
        await wait_until(pilot, lambda: text_of(app, "#discover-stage") == "Reading contacts",
                         "the stage shown")
        assert "Starting…" not in "\n".join(screen_text(app))  # replaced by the stage
        assert not screen.check_action("keep", ())
        held.release()
        await settle(pilot)
        assert screen.discovery is not None
        assert not screen.query_one("#discover-progress").display


class HeldRun:
    """`store.discover.run` reports progress, then holds until the test releases it or
    stops it; then it answers `discovery`, unless the progress callback refused (a stop)."""

    def __init__(self, store: Store, discovery: Discovery | None = None) -> None:
        self.running = threading.Event()
        self.go = threading.Event()
        real = store.discover.run

        def run(request: DiscoverRequest, user: Any = None, *, progress: Any = None
                ) -> Discovery:
            progress(0.25, "Reading contacts")
            self.running.set()
            self.go.wait(GUARD)
            progress(0.5, "Clustering")  # a stop asked meanwhile raises Cancelled here
            return discovery if discovery is not None else real(request, user,
                                                                 progress=progress)

        plant(store, run)

    async def wait_running(self, pilot: Pilot[Any]) -> None:
        await wait_until(pilot, self.running.is_set, "the run started")

    def release(self) -> None:
        self.go.set()


async def test_escape_stops_a_run_and_nothing_is_kept(demo_store: Store) -> None:
    """C22.4.4: escape while a discovery runs stops it (the screen stays): "Cancelled;
    nothing was kept", no segment made; the next run works."""
    before = segment_count(demo_store)
    held = HeldRun(demo_store)
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_discover(pilot)
        await pilot.press("r")
        await held.wait_running(pilot)
        await pilot.press("escape")
        assert text_of(app, "#discover-stage") == "Stopping…"
        held.release()
        await settle(pilot)
        assert app.screen is screen and screen.discovery is None and not screen.running
        assert text_of(app, "#discover-status") == CANCELLED
        assert segment_count(demo_store) == before
        assert not [t for t in toasts(app) if "wrong" in t]
        held.running.clear()
        await pilot.press("r")
        await held.wait_running(pilot)
        held.release()
        await settle(pilot)
        assert screen.discovery is not None  # a new scope: not refused as the last one


async def test_escape_twice_leaves_while_it_stops(sqlite_demo_store: Store) -> None:
    """C22.4.4: a second escape while the run stops leaves the screen; the run ends
    quietly (no toast), nothing kept."""
    before = segment_count(sqlite_demo_store)
    held = HeldRun(sqlite_demo_store, made_discovery(list(range(1, 50))))
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_discover(pilot)
        await pilot.press("r")
        await held.wait_running(pilot)
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        held.release()
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert not [t for t in toasts(app) if "wrong" in t or "failed" in t]
    assert segment_count(sqlite_demo_store) == before


async def test_too_few_contacts_is_said_in_place(demo_store: Store) -> None:
    """C22.4.4: a population smaller than k (a segment of 3 members, k = 8) gets the
    engine's message where the cards would be; nothing else happens."""
    add_segment(demo_store, "Tiny Three", members=[1, 2, 3])
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_discover(pilot)
        screen.query_one("#discover-k", Select).value = "8"
        screen.query_one("#discover-within").focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"Tiny Three")
        await settle(pilot)
        await pilot.press("enter", "r")
        await settle(pilot)
        assert screen.discovery is None and screen.tab == "clusters"
        status = text_of(app, "#discover-status")
        assert "3" in status and "8" in status, status
        assert not screen.query_one("#discover-cards").display


async def test_a_database_error_is_said_and_the_app_goes_on(sqlite_demo_store: Store) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Discovery:
        raise OperationalError("SELECT", {}, Exception("disk I/O error"))

    plant(sqlite_demo_store, broken)
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_discover(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert "The discovery failed" in text_of(app, "#discover-status")
        assert "disk I/O error" in text_of(app, "#discover-status")
        assert app.is_running and app.screen is screen
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)


@pytest.mark.parametrize("key", ["markup", "ANSI", "long"])
async def test_hostile_text_in_a_trait_shows_literally(sqlite_demo_store: Store,
                                                       key: str) -> None:
    """An industry holding markup or an escape shows as it is, in the card's trait, its
    name and its rule."""
    plant(sqlite_demo_store, planted(
        made_discovery(list(range(1, 101)), industry=HOSTILE[key])))
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_discovery(pilot)
        cards = discover_screen(app).query_one("#discover-cards", OptionList)
        second = str(cards.get_option_at_index(1).prompt)
        assert f"{shown(key)} regulars" in second.replace("\n", " ") or key == "long"
        assert f"64% {shown(key)} (18% overall)" in " ".join(
            line.strip() for line in second.splitlines())
        assert "\x1b" not in "".join(screen_text(app))


async def test_a_long_cards_end_is_reached_at_80x24(sqlite_demo_store: Store) -> None:
    """C22.4.8: at 80x24 the list is shorter than a card. A highlighted card shows from
    its name; pagedown reads on to its rule's precision and recall (the highlight stays),
    then moves to the next card; pageup goes back up the card."""
    made = made_discovery(list(range(1, 101)))
    first = made.clusters[0]
    more = tuple(replace(first.traits[0], text=f"trait {n} of a long card") for n in range(5))
    discovery = replace(made, clusters=(replace(first, traits=first.traits + more),
                                        *made.clusters[1:]))
    plant(sqlite_demo_store, planted(discovery))
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_discovery(pilot)
        cards = discover_screen(app).query_one("#discover-cards", OptionList)
        assert cards.scrollable_content_region.height < cards._heights[0]  # the case
        for number, cluster in enumerate(discovery.clusters, start=1):
            if number > 1:
                await pilot.press("down")
                await settle(pilot)
            assert cards.highlighted == number - 1
            assert f"{number} {cluster.name}" in "\n".join(screen_text(app))
            end = "precision 92.0%" if cluster.suggested else "No readable rule"
            for _ in range(4):
                if end in "\n".join(screen_text(app)):
                    break
                await pilot.press("pagedown")
                await settle(pilot)
            assert end in "\n".join(screen_text(app)), number
            assert cards.highlighted == number - 1
            if number == 1:
                await pilot.press("pageup")
                await settle(pilot)
                await pilot.press("pageup")
                await settle(pilot)
                assert cards.highlighted == 0 and cards.scroll_y == 0
                await pilot.press("pagedown")  # the rest of the card (12 rows of 15)
                await settle(pilot)
                assert cards.highlighted == 0 and end in "\n".join(screen_text(app))
                await pilot.press("pagedown")  # then the next card
                await settle(pilot)
                assert cards.highlighted == 1
                await pilot.press("up")
                await settle(pilot)


async def test_the_trends_tab(demo_store: Store) -> None:
    """C22.4.14 (both engines): tab 3 reads the industry trends when first shown (the
    chart, the table); r there reads them again, r elsewhere runs the discovery."""
    app = make_app(demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_discover(pilot)
        assert not screen._trends_read
        await pilot.press("3")
        await settle(pilot)
        trends = screen.query_one(IndustryTrends)
        assert trends.trends is not None and not trends.trends.empty
        assert not screen.query_one("#trends-status").display
        assert "Average transaction value by industry" in "\n".join(screen_text(app))
        shown_keys = read_bar(screen_text(app)[-1], bar_entries(app))
        assert "r" in shown_keys and bar_entries(app)["r"] == "Refresh"
        await pilot.press("r")
        await settle(pilot)
        assert screen.discovery is None and screen.tab == "trends"


# -- rename and keep (C22.4.9-C22.4.12) -------------------------------------------------------


async def test_rename_the_highlighted_cluster(sqlite_demo_store: Store) -> None:
    plant(sqlite_demo_store, planted(made_discovery(list(range(1, 101)))))
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_discovery(pilot)
        screen = discover_screen(app)
        await pilot.press("down", "e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, RenameClusterModal)
        dialog.query_one(Input).value = "Enterprise big spenders"  # the first's name
        await pilot.press("enter")
        await settle(pilot)
        assert "Another cluster is already called" in text_of(app, "#save-error")
        dialog.query_one(Input).value = "  "
        await pilot.press("enter")
        assert "needs a name" in text_of(app, "#save-error")
        dialog.query_one(Input).value = "word " * 55  # 274 characters, once normalised
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RenameClusterModal)
        assert ("must be at most 100 characters, as a segment's (this one has 274)"
                in " ".join(text_of(app, "#save-error").split()))
        dialog.query_one(Input).value = "w" * 100  # the longest a segment's name may be
        await pilot.press("enter")
        await settle(pilot)
        assert discover_screen(app) is screen and screen.discovery is not None
        assert screen.discovery.clusters[1].name == "w" * 100
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, RenameClusterModal)
        app.screen.query_one(Input).value = "Software fans [bold]x[/]"
        await pilot.press("enter")
        await settle(pilot)
        assert discover_screen(app) is screen and screen.discovery is not None
        assert screen.discovery.clusters[1].name == "Software fans [bold]x[/]"
        assert screen.query_one("#discover-cards", OptionList).highlighted == 1  # still there
        assert "2 Software fans [bold]x[/]" in "\n".join(screen_text(app))


async def test_keep_static_makes_exactly_its_members(demo_store: Store) -> None:
    """C22.4.10 (both engines): k, then ctrl+s keeps the highlighted cluster's members now
    as a static segment; a toast says so and o opens it."""
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        discovery = await run_discovery(pilot)
        await pilot.press("down", "k")  # the second card
        await settle(pilot)
        assert isinstance(app.screen, KeepClusterModal)
        cluster = discovery.clusters[1]
        assert app.screen.query_one("#keep-name", Input).value == segment_name(cluster.name)
        app.screen.query_one("#keep-name", Input).value = "Kept Static Cluster"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DiscoverScreen)
        kind, rule, members = segment_members(demo_store, "Kept Static Cluster")
        assert kind is SegmentKind.STATIC and rule is None
        assert members == set(discovery.assignment.members(cluster.index).tolist())
        assert any("Kept “Kept Static Cluster” as a static segment of" in t
                   for t in toasts(app))
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, SegmentDetailScreen)
        assert app.screen.segment_name == "Kept Static Cluster"


async def test_keep_dynamic_with_an_edited_rule(demo_store: Store) -> None:
    """C22.4.11 (both engines): Dynamic shows the suggested rule in the rule builder with
    its precision and recall; an edit is measured again (rule_fit) before saving; the
    segment is kept to the rule as shown and has its members."""
    app = make_app(demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        discovery = await run_discovery(pilot)
        index, cluster = next((n, c) for n, c in enumerate(discovery.clusters)
                              if c.suggested is not None)
        await pilot.press(*["down"] * index, "k")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, KeepClusterModal) and dialog.cluster == cluster
        dialog.query_one("#keep-kind", Select).value = SegmentKind.DYNAMIC.value
        await settle(pilot)
        assert cluster.suggested is not None
        assert dialog.query_one("#rule-text", Input).value == format_rule(
            parse(cluster.suggested.rule))
        fit = text_of(app, "#keep-fit")
        assert f"precision {cluster.suggested.precision * 100:.1f}%" in fit
        edited = f"({cluster.suggested.rule}) and score >= 0"
        dialog.query_one("#rule-text", Input).value = edited
        await settle(pilot)
        counted = demo_store.discover.rule_fit(discovery, cluster.index, format_rule(
            parse(edited)))
        assert f"matches {counted.matches:,} contact" in text_of(app, "#keep-fit")
        assert f"{counted.in_cluster:,} of them in the cluster" in text_of(app, "#keep-fit")
        dialog.query_one("#keep-name", Input).value = "Kept Dynamic Cluster"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DiscoverScreen), text_of(app, "#save-error")
        kind, rule, members = segment_members(demo_store, "Kept Dynamic Cluster")
        assert kind is SegmentKind.DYNAMIC and rule is not None
        assert len(members) == demo_store.rules.rule_count(parse(edited))


async def test_keep_says_a_rule_error_once_and_clears_it(sqlite_demo_store: Store) -> None:
    """C22.4.11: a syntax error is said once (under the rule, by the builder; ctrl+s
    points at it); an empty rule's refusal goes when the rule is valid again, and the
    fit shows alone."""
    plant(sqlite_demo_store, planted(made_discovery(list(range(1, 101)))))
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(100, 40)) as pilot:
        await run_discovery(pilot)
        await pilot.press("k")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, KeepClusterModal)
        dialog.query_one("#keep-kind", Select).value = SegmentKind.DYNAMIC.value
        await settle(pilot)
        rule = dialog.query_one("#rule-text", Input)
        rule.value = "size = = ("
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown_text = "\n".join(screen_text(app))
        assert shown_text.count("expected a value") == 1, shown_text
        assert shown_text.count("Fix the rule") == 1
        assert text_of(app, "#save-error") == "Fix the rule above first."
        rule.value = ""
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "add at least one condition" in text_of(app, "#save-error")
        rule.value = "size = Enterprise"
        await settle(pilot)
        assert text_of(app, "#save-error") == ""
        assert "precision" in text_of(app, "#keep-fit")
        assert isinstance(app.screen, KeepClusterModal)  # nothing saved meanwhile


async def test_a_refused_keep_loses_nothing(sqlite_demo_store: Store) -> None:
    """A name another segment has: said under the form, which stays as typed; nothing
    was written."""
    app = make_app(sqlite_demo_store)
    before = segment_count(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_discovery(pilot)
        await pilot.press("k")
        await settle(pilot)
        app.screen.query_one("#keep-name", Input).value = "Enterprise Prospects"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, KeepClusterModal)
        assert "Enterprise Prospects" in text_of(app, "#save-error")
        assert app.screen.query_one("#keep-name", Input).value == "Enterprise Prospects"
    assert segment_count(sqlite_demo_store) == before


async def test_a_viewer_may_run_but_not_keep(sqlite_demo_store: Store) -> None:
    """C22.4.10: a Viewer sees the clusters; k says why not, as on every screen."""
    plant(sqlite_demo_store, planted(made_discovery(list(range(1, 101)))))
    app = make_app(sqlite_demo_store, "Alex Kim")
    async with app.run_test(size=(80, 24)) as pilot:
        await run_discovery(pilot)
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.screen, DiscoverScreen)
        assert any("may look but not keep a cluster" in t for t in toasts(app))
