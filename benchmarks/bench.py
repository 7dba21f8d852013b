"""segtui benchmark: the key user operations on a large dataset, next to raw SQL.

    python benchmarks/bench.py                       # builds benchmarks/data/large.db once
    python benchmarks/bench.py --db other.db --repeat 9
    python benchmarks/bench.py --db postgresql+psycopg://postgres@127.0.0.1/big
    python benchmarks/bench.py --only cli --repeat 10  # CLI start-up, on the demo database
    python benchmarks/bench.py --db A.db --db postgresql+psycopg://postgres@127.0.0.1/big
                                                       # both engines, one table (P1)
    python benchmarks/bench.py --profile small --db benchmarks/data/small.db \
        --db postgresql+psycopg://postgres@127.0.0.1/segtui_small   # 200k, a few minutes

Prints JSON: for each operation the median time through segtui (the app or the Store API,
as a user's action reaches the database), the median time of the very SQL statements that
operation issued replayed on a raw DB-API connection, their ratio, and the budget
(docs/requirements.md, P). The dataset is built by `segtui demo --contacts N --segments M`
if missing (a
PostgreSQL database named in the URL is created if the server lacks it). With more than one
--db, each database is measured in a process of its own and one Markdown table compares
them, a column per engine (benchmarks/table.py); each run's JSON is kept beside it.
Nothing here asserts: the numbers are for people to read and compare between runs.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

os.environ.setdefault("SEGTUI_TODAY", "2024-02-26")
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
# Run as a script (`python benchmarks/bench.py`), only benchmarks/ is on the path: the
# repository's root holds the `benchmarks` package the other benchmark modules import from.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event
from sqlalchemy.engine import URL
from textual.widgets import Input

from segtui.core.records import (
    SegmentFilter,
    SegmentSort,
    SegmentSortColumn,
)
from segtui.data.db.engine import register_sqlite_functions, resolve_url, sqlite_path
from segtui.data.store import Store

HERE = Path(__file__).resolve().parent

# The budgets of P2-P12, in milliseconds.
BUDGETS = {
    "app_start_to_interactive_dashboard": 1000,
    "search_keystroke_to_updated_list": 150,
    "page_down_the_list": 50,
    "metric_cards": 300,
    "detail_open_to_cards_shown": 300,
    "rule_live_count_nested_6": 200,
    "rule_incremental_one_contact": 50,
    # P12: a scripted read command, start to exit, on the demo database.
    "cli_segments_list": 250,
    "cli_segments_count": 250,
    # P7: every detail tab shown within a second, on the 100k-member segment.
    "detail_contacts_tab_shown": 1000,
    "detail_tab_2_performance_shown": 1000,
    "detail_tab_3_analytics_shown": 1000,
    "detail_tab_4_insights_shown": 1000,
    "detail_tab_5_activity_shown": 1000,
    # P9: refreshing 1,000 dynamic segments, and again with nothing changed.
    "rule_refresh_dynamic_segments": 60_000,
    "rule_refresh_dynamic_segments:unchanged_refresh": 20_000,
}

# The small profile (P14): the same operations on a fifth of the reference
# dataset, for a developer to run on both engines in a few minutes before and after a
# change. Budgets are for the full size; at this size every figure should sit well inside.
PROFILES = {
    "full": {"contacts": 1_000_000, "segments": 1_000, "dynamic_segments": 1_000,
             "import_rows": 1_000_000, "db": HERE / "data" / "large.db"},
    "small": {"contacts": 200_000, "segments": 200, "dynamic_segments": 200,
              "import_rows": 200_000, "db": HERE / "data" / "small.db"},
}

# P4: a nested rule of six conditions, and the same question written by hand in
# SQL (what an expert would type), for the ratio.
NESTED_RULE = ('status in ("Hot Lead", Qualified) and (score > 70 or tag = Enterprise) and '
               '(city in (Boston, Chicago, Austin) or size = Enterprise) and '
               'opened within 30d >= 1')
NESTED_RULE_BY_HAND = """
SELECT count(*) FROM contacts c
WHERE c.lead_status IN ('Hot Lead', 'Qualified')
  AND (c.quality_score > 70 OR EXISTS (
        SELECT 1 FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id
        WHERE ct.contact_id = c.id AND t.name_key = 'enterprise'))
  AND (c.city IN ('Boston', 'Chicago', 'Austin')
       OR c.company_id IN (SELECT id FROM companies WHERE size = 'Enterprise'))
  AND EXISTS (SELECT 1 FROM events e WHERE e.contact_id = c.id AND e.type = 'opened'
              AND e.occurred_at >= '2024-01-28 00:00:00.000000'
              AND e.occurred_at < '2024-02-27 00:00:00.000000')
"""
# Rules for the refresh benchmark's dynamic segments: varied fields, a few thousand members
# each, so a thousand of them write a realistic number of memberships.
REFRESH_RULES = (
    'city = "{city}" and status = "{status}"',
    'state = "{state}" and score > {score}',
    'city = "{city}" and opened within 30d >= 1',
    'size = Enterprise and city = "{city}"',
)

Statement = tuple[str, Any]


@contextmanager
def captured(store: Store, *, by_connection: bool = False) -> Iterator[list[Any]]:
    """Record every SQL statement (with parameters) the store sends while inside; with
    `by_connection`, each with the id of the DB-API connection that sent it (a `SET
    LOCAL` holds on its own connection only)."""
    statements: list[Any] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if statement not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"):
            statements.append((statement, parameters, id(cursor.connection))
                              if by_connection else (statement, parameters))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(store.engine, "before_cursor_execute", record)



@contextmanager
def statement_times(store: Store, top: int = 8) -> Iterator[list[dict[str, Any]]]:
    """The statements the store sends while inside, summed by their text (temporary
    tables' numbers left out): on leaving, the list holds the `top` that took longest,
    each with its count and seconds. Where a long operation spends its time."""
    import re

    sums: dict[str, list[float]] = {}

    def before(conn: Any, *_: Any) -> None:
        conn.info["segtui_bench_started"] = time.perf_counter()

    def after(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        key = re.sub(r"(segtui_[a-z]+_)\d+", r"\1N", " ".join(statement.split()))[:100]
        entry = sums.setdefault(key, [0, 0.0])
        entry[0] += 1
        entry[1] += time.perf_counter() - conn.info.pop("segtui_bench_started")

    slowest: list[dict[str, Any]] = []
    event.listen(store.engine, "before_cursor_execute", before)
    event.listen(store.engine, "after_cursor_execute", after)
    try:
        yield slowest
    finally:
        event.remove(store.engine, "before_cursor_execute", before)
        event.remove(store.engine, "after_cursor_execute", after)
        slowest += [{"statement": key, "count": int(n), "seconds": round(t, 2)}
                    for key, (n, t) in sorted(sums.items(), key=lambda kv: -kv[1][1])[:top]]


def largest_segment(store: Store) -> int:
    """The id of the segment with the most current members (P6 and P7 are measured on
    the 1M dataset's, 101,291 members)."""
    from sqlalchemy import func, select

    from segtui.data.db.tables import Membership

    with store.reading() as conn:
        return int(conn.execute(
            select(Membership.segment_id).where(Membership.removed_at.is_(None))
            .group_by(Membership.segment_id).order_by(func.count().desc()).limit(1)
        ).scalar_one())

class RawReplayer:
    """Runs captured statements on a plain DB-API connection: the floor segtui sits on."""

    def __init__(self, url: URL) -> None:
        self.url = url
        path = sqlite_path(url)
        if path is not None:
            import sqlite3

            self.conn: Any = sqlite3.connect(str(path))
            register_sqlite_functions(self.conn)  # what the statements may call
        else:
            import psycopg

            self.conn = psycopg.connect(
                host=url.host, port=url.port, user=url.username, password=url.password,
                dbname=url.database, options="-c jit=off",  # as segtui's own connections
            )

    def run(self, statements: list[Statement]) -> float:
        started = time.perf_counter()
        cursor = self.conn.cursor()
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            if cursor.description is not None:  # a SET LOCAL returns no rows
                cursor.fetchall()
        self.conn.rollback()
        return time.perf_counter() - started


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


def measure(
    name: str,
    store: Store,
    raw: RawReplayer,
    operation: Callable[[], object],
    repeat: int,
    results: dict[str, Any],
) -> None:
    """Time `operation` through the Store, then the same statements raw."""
    operation()  # warm caches the way a running app has them
    with captured(store, by_connection=True) as sent:
        operation()
    # Replayed one connection's statements after another's, so that a `SET LOCAL` (sql.
    # planned_for_members) holds only for the statements its own connection sent.
    statements = [(statement, parameters) for connection in dict.fromkeys(c for *_, c in sent)
                  for statement, parameters, c in sent if c == connection]
    ours = []
    for _ in range(repeat):
        started = time.perf_counter()
        operation()
        ours.append(time.perf_counter() - started)
    theirs = [raw.run(statements) for _ in range(repeat)]
    results[name] = summary(name, ours, theirs, len(statements))


def summary(name: str, ours: list[float], theirs: list[float] | None,
            statements: int) -> dict[str, Any]:
    mine = median_ms(ours)
    entry: dict[str, Any] = {"median_ms": mine, "samples": len(ours),
                             "min_ms": round(min(ours) * 1000, 1) if ours else None,
                             "max_ms": round(max(ours) * 1000, 1) if ours else None}
    if theirs:
        floor = median_ms(theirs)
        entry.update(raw_sql_median_ms=floor, statements=statements,
                     ratio=round(mine / floor, 2) if floor else None)
    if name in BUDGETS:
        entry.update(budget_ms=BUDGETS[name], within_budget=mine <= BUDGETS[name])
    return entry


async def wait_for(ready: Callable[[], bool], limit: float = 60) -> None:
    """Poll with a bare sleep: pilot.pause() waits for the app to go idle, which would add
    its own latency to every figure."""
    deadline = time.perf_counter() + limit
    while not ready():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app never got there")
        await asyncio.sleep(0.001)


async def one_ui_run(store: Store, timings: dict[str, list[float]], shown: list[int]) -> None:
    """One app session: start, cards, three search keystrokes, one page flip."""
    from segtui.app import SegtuiApp
    from segtui.widgets.debounce import PAUSE
    from segtui.widgets.metric_card import MetricCard
    from segtui.widgets.paged_table import PagedTable

    started = time.perf_counter()
    app = SegtuiApp(store, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:

        def table() -> PagedTable[Any]:
            return app.screen.query_one(PagedTable)

        await wait_for(lambda: bool(app.screen.query(PagedTable)) and bool(table().rows_on_page))
        timings["start"].append(time.perf_counter() - started)
        await wait_for(lambda: all(c.value is not None for c in app.screen.query(MetricCard)))
        timings["cards"].append(time.perf_counter() - started)

        # Search: from a keystroke to the list showing its answer, minus the deliberate
        # debounce pause. Three kinds: broad ("e"), a name ("enterprise"), no match.
        search = app.screen.query_one("#search", Input)
        for typed, key in (("", "e"), ("enterpris", "e"), ("zzq", "x")):
            search.value = typed
            await app.workers.wait_for_complete()
            await pilot.pause(0.3)
            generation = table()._generation
            keyed = time.perf_counter()
            search.insert_text_at_cursor(key)  # what typing the key does
            await wait_for(lambda g=generation: shown[0] > g)  # type: ignore[misc]
            timings["search"].append(time.perf_counter() - keyed - PAUSE.seconds)

        # Page down: from the last row of a page, one key loads the next page.
        search.value = ""
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        table().move_cursor(row=len(table().rows_on_page) - 1)
        first = table().first_index
        keyed = time.perf_counter()
        table().action_cursor_down()  # what the down key does
        await wait_for(lambda: table().first_index != first)
        timings["page"].append(time.perf_counter() - keyed)


async def ui_timings(store: Store, repeat: int) -> dict[str, list[float]]:
    """Drive the real app headless, `repeat` times."""
    from segtui.widgets.paged_table import PagedTable

    timings: dict[str, list[float]] = {"start": [], "cards": [], "search": [], "page": []}
    shown = [0]  # generation of the last page the table put on screen
    original_show = PagedTable._show

    def show(self: Any, generation: int, *args: Any) -> None:
        original_show(self, generation, *args)
        if generation == self._generation:
            shown[0] = generation

    PagedTable._show = show  # type: ignore[method-assign,assignment]
    for _ in range(repeat):
        await one_ui_run(store, timings, shown)
    return timings


def picker_benchmarks(store: Store, raw: RawReplayer, repeat: int,
                      results: dict[str, Any]) -> None:
    """P10: the contact picker's filters on every contact, and select-all of ~100,000
    contacts (the generated Hot Leads, a tenth of a million) into a new segment."""
    from segtui.core.contacts import ContactFilter, ContactSelection
    from segtui.core.enums import LeadStatus
    from segtui.core.segments import SegmentDraft

    nothing = ContactSelection()
    for name, flt in (
        ("picker_search_smith", ContactFilter(search="smith")),
        ("picker_status_hot_lead", ContactFilter(status=LeadStatus.HOT_LEAD)),
        ("picker_score_90_100", ContactFilter(score=(90, 100))),
    ):
        measure(f"{name}_first_page", store, raw,
                lambda flt=flt: store.contacts.contact_page(flt, nothing), repeat, results)  # type: ignore[misc]
        measure(f"{name}_count", store, raw,
                lambda flt=flt: store.contacts.contact_count(flt), repeat, results)  # type: ignore[misc]

    hot = ContactFilter(status=LeadStatus.HOT_LEAD)
    selection = nothing.with_all(hot, True)
    user = store.users.current_user("Sarah Mitchell")
    timings, created = [], 0
    for n in range(repeat):
        started = time.perf_counter()
        segment_id = store.segments.create_segment(SegmentDraft(f"Bench Hot Leads {n}"), selection,
                                                   user)
        timings.append(time.perf_counter() - started)
        details = store.segments.segment_details(segment_id)
        created = details.members if details else 0
        store.segments.delete_segment(segment_id, user)  # not timed: keeps the dataset as it was
    results["select_all_into_new_segment"] = summary("", timings, None, 0) | {
        "contacts_added": created, "target": "well under a second",
    }


@contextmanager
def room_to_create(store: Store) -> Iterator[None]:
    """The benchmark creates segments as Sarah Mitchell, who owns more of the reference
    dataset's 1,000 segments than one person may (C19.3.1, 50 by default): the limit is
    raised for the run, as an administrator would, and put back afterwards."""
    from segtui.core.enums import UserRole
    from segtui.data.writes.segment_limit import segment_limit

    with store.reading() as conn:
        before = segment_limit(conn)
    admin = next(u for u in store.users.all_users()
                 if u.role is UserRole.CRM_ADMINISTRATOR)
    store.segments.set_segment_limit(100_000, admin)
    try:
        yield
    finally:  # on a Store of its own: `report` closed the run's
        again = Store.open(store.url, upgrade=False)
        try:
            again.segments.set_segment_limit(before, admin)
        finally:
            again.close()


def hot_lead_segment(store: Store, name: str) -> int:
    """A new segment holding every Hot Lead (~100,000 of a million contacts)."""
    from segtui.core.contacts import ContactFilter, ContactSelection
    from segtui.core.enums import LeadStatus
    from segtui.core.segments import SegmentDraft

    user = store.users.current_user("Sarah Mitchell")
    left_over = store.segments.segment_id_named(name)  # from an interrupted earlier run
    if left_over is not None:
        store.segments.delete_segment(left_over, user)
    selection = ContactSelection().with_all(ContactFilter(status=LeadStatus.HOT_LEAD), True)
    return store.segments.create_segment(SegmentDraft(name), selection, user)


def detail_benchmarks(store: Store, raw: RawReplayer, repeat: int,
                      results: dict[str, Any], existing: int | None = None) -> None:
    """P6, P7: the detail screen of a ~100,000-member segment, SQL per tab, then the real
    screen: open to all cards shown, and each tab key to its content shown. `existing`: an
    existing segment's id (P6 and P7 are measured on the dataset's largest, 101,291 members)
    instead of a new segment of every Hot Lead."""
    from segtui.core import clock
    from segtui.core.activities import ActivityFilter
    from segtui.core.contacts import ContactFilter, ContactSelection
    from segtui.core.metrics import last_days
    from segtui.core.records import Choice

    segment_id = existing or hot_lead_segment(store, "Bench Detail Hot Leads")
    try:
        details = store.segments.segment_details(segment_id)
        results["detail_segment_members"] = details.members if details else 0

        def cards() -> object:  # the header and the cards, as the screen reads them
            return store.metrics.segment_summary(segment_id, last_days(clock.today()))

        members = ContactFilter(segment=Choice(str(segment_id), "bench"))
        for name, operation in (
            ("detail_cards_sql", cards),
            ("detail_members_first_page_sql",
             lambda: store.contacts.contact_page(members, ContactSelection())),
            ("detail_members_count_sql", lambda: store.contacts.contact_count(members)),
            ("detail_performance_sql", lambda: store.metrics.performance_report(segment_id)),
            ("detail_analytics_sql", lambda: store.metrics.analytics_report(segment_id)),
            ("detail_insights_sql", lambda: store.metrics.insights(segment_id)),
            ("detail_activity_first_page_sql",
             lambda: store.activity.activity_page(segment_id, ActivityFilter())),
        ):
            measure(name, store, raw, operation, repeat, results)
        ui = asyncio.run(detail_ui_timings(store, segment_id, repeat))
        results["detail_open_to_cards_shown"] = summary("detail_open_to_cards_shown",
                                                        ui.pop("cards"), None, 0)
        for key, samples in ui.items():
            results[f"detail_{key}"] = summary(f"detail_{key}", samples, None, 0)
    finally:
        if existing is None:
            store.segments.delete_segment(segment_id, store.users.current_user("Sarah Mitchell"))


def chosen_segment(store: Store, given: str | None) -> int | None:
    """--detail-segment: an id, 'largest', or None for a new segment of every Hot Lead."""
    if given is None:
        return None
    return largest_segment(store) if given == "largest" else int(given)


def activity_shown(table: Any) -> bool:
    """A page of activities on screen, or none to show (a generated segment has none)."""
    return bool(table.rows_on_page) or (table.total == 0 and not table.loading)


async def one_detail_run(store: Store, segment_id: int,
                         timings: dict[str, list[float]]) -> None:
    """One app session: open the detail screen, then show tabs 2-5 in turn."""
    from segtui.app import SegtuiApp
    from segtui.screens.detail.insights_tab import InsightCard
    from segtui.screens.detail.screen import SegmentDetailScreen
    from segtui.widgets.metric_card import MetricCard
    from segtui.widgets.paged_table import PagedTable

    app = SegtuiApp(store, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: bool(app.screen.query(PagedTable)))
        # As a user does: the dashboard has finished loading before `enter` is pressed.
        # The garbage earlier samples' apps left is collected first: a real session has
        # none, and a full collection of it (110-150 ms, measured) would land in the timing.
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        gc.collect()
        started = time.perf_counter()
        app.push_screen(SegmentDetailScreen(store, app.user, segment_id, "bench"))

        def screen() -> Any:
            return app.screen

        found: list[MetricCard] = []

        def cards_shown() -> bool:
            # Cheap after the first find: a DOM query every millisecond would take the UI
            # thread (and the GIL) from the screen being measured.
            if not found:
                if not isinstance(screen(), SegmentDetailScreen):
                    return False
                found.extend(screen().query("#detail-cards MetricCard").results(MetricCard))
            return len(found) == 6 and all(c.value is not None for c in found)

        await wait_for(cards_shown)
        timings["cards"].append(time.perf_counter() - started)

        def once_found(selector: str, shown: Callable[[Any], bool]) -> Callable[[], bool]:
            """`shown(widget)` of the widget `selector` finds, looked up until it is there
            and then held: as for the cards, a DOM query of the whole screen every
            millisecond took 20-30% of a core from the two the tab's statements share
            (a timeline of the main thread's CPU, P7)."""
            held: list[Any] = []

            def ready() -> bool:
                if not held:
                    found = screen().query(selector)
                    if not found:
                        return False
                    held.append(found.first())
                return shown(held[0])

            return ready

        await wait_for(once_found("#members", lambda table: bool(table.rows_on_page)))
        timings["contacts_tab_shown"].append(time.perf_counter() - started)
        for key, name, ready in (
            ("2", "tab_2_performance_shown",
             # The health bar is the last thing PerformanceTab._show fills, in the same
             # call as its cards.
             once_found("#perf-health", lambda bar: bool(bar.parts))),
            ("3", "tab_3_analytics_shown",
             once_found("#weekly", lambda chart: bool(chart.labels))),
            ("4", "tab_4_insights_shown",
             once_found("#insights", lambda box: bool(box.query(InsightCard)))),
            ("5", "tab_5_activity_shown", once_found("#activities", activity_shown)),
        ):
            await app.workers.wait_for_complete()
            await pilot.pause(0.2)
            keyed = time.perf_counter()
            await pilot.press(key)
            await wait_for(ready)
            timings[name].append(time.perf_counter() - keyed)


async def detail_ui_timings(store: Store, segment_id: int,
                            repeat: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {"cards": [], "contacts_tab_shown": [],
                                       "tab_2_performance_shown": [],
                                       "tab_3_analytics_shown": [],
                                       "tab_4_insights_shown": [],
                                       "tab_5_activity_shown": []}
    for _ in range(repeat):
        await one_detail_run(store, segment_id, timings)
    return timings


# P5: a list page, key to shown, at the two terminal sizes the snapshots use.
PAGING_SIZES = ((80, 24), (120, 40))


class ShownClock:
    """When a table last put a page in (`PagedTable._show`) and when the screen was last
    drawn (`Screen._compositor_refresh`, which headless runs do too: they only skip
    writing to the terminal). A page is shown at the first drawing after it was put in."""

    def __init__(self) -> None:
        from textual.screen import Screen

        from segtui.widgets.paged_table import PagedTable

        self.page_in = 0.0
        self.drawn = 0.0
        original_show, original_draw = PagedTable._show, Screen._compositor_refresh
        clock = self

        def show(table: Any, generation: int, *args: Any) -> None:
            original_show(table, generation, *args)
            if generation == table._generation:
                clock.page_in = time.perf_counter()

        def draw(screen: Any) -> None:
            original_draw(screen)
            clock.drawn = time.perf_counter()

        PagedTable._show = show  # type: ignore[method-assign,assignment]
        Screen._compositor_refresh = draw  # type: ignore[method-assign,assignment]


async def page_key_to_shown(app: Any, pilot: Any, table: Any, clock: ShownClock, key: str,
                            timings: dict[str, list[float]], name: str) -> None:
    """Press `key` on the table's last (down) or first (up) row, as the terminal sends it,
    and time it to the page put in and to the page drawn."""
    from textual import events

    await app.workers.wait_for_complete()
    await pilot.pause(0.1)
    table.move_cursor(row=len(table.rows_on_page) - 1 if key == "down" else 0)
    await pilot.pause(0.1)
    gc.collect()  # earlier samples' garbage: a full collection would land in the timing
    first = table.first_index
    pressed = events.Key(key, None)
    pressed.set_sender(app)
    cpu = time.process_time()
    keyed = time.perf_counter()
    app._driver.send_message(pressed)  # what pilot.press does, without its waiting
    await wait_for(lambda: table.first_index != first and clock.page_in > keyed)
    await wait_for(lambda: clock.drawn > clock.page_in)
    timings[f"{name}_page_in"].append(clock.page_in - keyed)
    timings[f"{name}_shown"].append(clock.drawn - keyed)
    # This process's CPU time over the same span (the UI and the worker thread; not the
    # PostgreSQL server's): what a busy machine's other work doesn't inflate.
    timings[f"{name}_shown_cpu"].append(time.process_time() - cpu)


async def one_paging_run(store: Store, segment_id: int, size: tuple[int, int], repeat: int,
                         clock: ShownClock, timings: dict[str, list[float]]) -> None:
    """One app session at `size`: the dashboard's list, then the segment's member list,
    `repeat` pages down then as many up, each from the row where the key turns the page."""
    from segtui.app import SegtuiApp
    from segtui.screens.detail.screen import SegmentDetailScreen
    from segtui.widgets.paged_table import PagedTable

    label = f"{size[0]}x{size[1]}"
    app = SegtuiApp(store, cursor_blink=False)
    async with app.run_test(size=size) as pilot:

        def table(selector: str) -> PagedTable[Any] | None:
            found = app.screen.query(selector).results(PagedTable)
            shown = next(iter(found), None)
            return shown if shown is not None and shown.rows_on_page else None

        for selector, name in (("#segments", "dashboard"), ("#members", "members")):
            if name == "members":
                app.push_screen(SegmentDetailScreen(store, app.user, segment_id, "bench"))
            await wait_for(lambda selector=selector: table(selector) is not None)  # type: ignore[misc]
            paged = table(selector)
            assert paged is not None
            paged.focus()
            for key in ["down"] * repeat + ["up"] * repeat:
                await page_key_to_shown(app, pilot, paged, clock, key, timings,
                                        f"{name}_{key}_{label}")


async def paging_ui_timings(store: Store, segment_id: int, repeat: int
                            ) -> dict[str, list[float]]:
    from collections import defaultdict

    clock = ShownClock()
    timings: dict[str, list[float]] = defaultdict(list)
    for size in PAGING_SIZES:
        await one_paging_run(store, segment_id, size, repeat, clock, timings)
    return dict(timings)


def paging_benchmarks(store: Store, raw: RawReplayer, repeat: int, results: dict[str, Any],
                      segment_id: int | None = None) -> None:
    """P5: a page of the dashboard's list and of the largest segment's member
    list (101,291 members at a million contacts), the SQL alone and key to shown."""
    from segtui.core.contacts import ContactFilter, ContactSelection
    from segtui.core.records import Choice

    segment_id = segment_id or largest_segment(store)
    details = store.segments.segment_details(segment_id)
    results["paging_segment_members"] = details.members if details else 0
    first = store.segments.segment_page(SegmentFilter(), SegmentSort())
    measure("list_next_page_sql", store, raw,
            lambda: store.segments.segment_page(SegmentFilter(), SegmentSort(), after=first.last),
            repeat, results)
    members = ContactFilter(segment=Choice(str(segment_id), "bench"))
    nothing = ContactSelection()
    page = store.contacts.contact_page(members, nothing)
    for name, operation in (
        ("members_first_page_sql", lambda: store.contacts.contact_page(members, nothing)),
        ("members_next_page_sql",
         lambda: store.contacts.contact_page(members, nothing, after=page.last)),
        ("members_previous_page_sql",
         lambda: store.contacts.contact_page(members, nothing, before=page.last)),
        ("members_last_page_sql", lambda: store.contacts.contact_page(members, nothing,
                                                                      at_end=True)),
    ):
        measure(name, store, raw, operation, repeat, results)
    ui = asyncio.run(paging_ui_timings(store, segment_id, repeat))
    for key, samples in ui.items():
        # Key to shown is what the budget is for (page_down_the_list: 50 ms).
        name = "page_down_the_list" if key.endswith(("_shown", "_shown_cpu")) else ""
        results[key] = summary(name, samples, None, 0)


def dataset(store: Store) -> dict[str, int]:
    from sqlalchemy import func, select

    from segtui.data.db.tables import Contact, EngagementEvent, Membership, Segment

    with store.reading() as conn:
        return {
            name: int(conn.execute(select(func.count()).select_from(model)).scalar_one())
            for name, model in (("contacts", Contact), ("segments", Segment),
                                ("memberships", Membership), ("events", EngagementEvent))
        }


def ensure_dataset(db: str, contacts: int, segments: int) -> None:
    url = resolve_url(db)
    path = sqlite_path(url)
    if path is not None and path.exists():
        return
    if path is None:
        create_database_if_missing(url)
        store = Store.open(url)
        empty = store.is_empty()
        store.close()
        if not empty:
            return
    print(f"building {contacts:,} contacts / {segments:,} segments in {db} ...",
          file=sys.stderr)
    subprocess.run([sys.executable, "-m", "segtui", "demo", "--db", db, "--contacts",
                    str(contacts), "--segments", str(segments), "--build-only"], check=True)


def create_database_if_missing(url: URL) -> None:
    """CREATE DATABASE for a PostgreSQL URL whose database the server does not have yet, so
    a benchmark on a new server is one command (what `createdb` would do)."""
    import psycopg
    from psycopg import sql

    name = url.database or "postgres"
    with psycopg.connect(host=url.host, port=url.port, user=url.username,
                         password=url.password, dbname="postgres", autocommit=True) as admin:
        known = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                              (name,)).fetchone()
        if known is None:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def rule_benchmarks(store: Store, raw: RawReplayer, repeat: int, dynamic_segments: int,
                    results: dict[str, Any]) -> None:
    """P4: the builder's live count of a nested rule (against the same question written
    by hand), then refreshing many dynamic segments at once."""
    from sqlalchemy import text

    from segtui.core.rules.language import parse

    rule, issues = store.rules.check_rule(parse(NESTED_RULE))
    assert not issues, issues
    measure("rule_live_count_nested_6", store, raw, lambda: store.rules.rule_count(rule), repeat,
            results)
    by_hand = []
    with store.reading() as conn:
        for _ in range(repeat):
            started = time.perf_counter()
            conn.execute(text(NESTED_RULE_BY_HAND)).scalar()
            by_hand.append(time.perf_counter() - started)
    mine = results["rule_live_count_nested_6"]["median_ms"]
    results["rule_live_count_nested_6"].update(
        rule=NESTED_RULE, hand_written_sql_median_ms=median_ms(by_hand),
        ratio_to_hand_written=round(mine / median_ms(by_hand), 2))

    refresh_benchmarks(store, repeat, dynamic_segments, results)


def refresh_benchmarks(store: Store, repeat: int, dynamic_segments: int,
                       results: dict[str, Any]) -> None:
    """D1.5 and P9: refreshing many dynamic segments whole (their rules
    REFRESH_RULES), again with nothing changed, then one contact's incremental
    re-evaluation."""
    from sqlalchemy import delete, insert, select, text

    from segtui.core import clock
    from segtui.core.enums import SegmentKind
    from segtui.core.rules.language import parse
    from segtui.core.rules.tree import to_json
    from segtui.data.db.tables import Membership, Segment, name_key

    # Refresh: insert the dynamic segments directly (creating each would evaluate it too),
    # time one refresh of them all, then remove them and their memberships.
    with store.reading() as conn:
        cities = list(conn.execute(text("SELECT DISTINCT city FROM contacts WHERE city IS NOT "
                                        "NULL ORDER BY city")).scalars())
        states = list(conn.execute(text("SELECT DISTINCT state FROM contacts WHERE state IS "
                                        "NOT NULL ORDER BY state")).scalars())
    statuses = ["New", "Nurturing", "Qualified", "Hot Lead", "Customer", "Cold"]
    now = clock.now()
    ids: list[int] = []
    with store.writing() as conn:
        # Left over from an interrupted run: the app would start re-evaluating them.
        left_over = select(Segment.id).where(Segment.name.like("Bench Dynamic %"))
        conn.execute(delete(Membership).where(Membership.segment_id.in_(left_over)))
        conn.execute(delete(Segment).where(Segment.id.in_(left_over)))
        for n in range(dynamic_segments):
            template = REFRESH_RULES[n % len(REFRESH_RULES)]
            text_rule = template.format(city=cities[n % len(cities)],
                                        state=states[n % len(states)],
                                        status=statuses[n % len(statuses)],
                                        score=90 + n % 10)
            name = f"Bench Dynamic {n:04d}"
            checked, problems = store.rules.check_rule(parse(text_rule))
            assert not problems, problems
            segment_id = conn.execute(
                insert(Segment).values(
                    name=name, name_key=name_key(name), description="", status="Draft",
                    created_at=now, updated_at=now, version=1,
                    kind=SegmentKind.DYNAMIC.value, rule=to_json(checked))
                .returning(Segment.id)).scalar_one()
            ids.append(int(segment_id))
    try:
        started = time.perf_counter()
        with statement_times(store) as first_slowest:
            refreshed = store.rules.refresh_segments(ids)
        elapsed = time.perf_counter() - started
        per_segment = sorted(r.elapsed_ms for r in refreshed)
        results["rule_refresh_dynamic_segments"] = {
            "segments": len(refreshed),
            "total_ms": round(elapsed * 1000, 1),
            "per_segment_median_ms": per_segment[len(per_segment) // 2] if per_segment else 0,
            "per_segment_max_ms": per_segment[-1] if per_segment else 0,
            "memberships_written": sum(r.entered for r in refreshed),
            "slowest_statements": first_slowest,
        }
        started = time.perf_counter()
        with statement_times(store) as again_slowest:
            again = store.rules.refresh_segments(ids)
        results["rule_refresh_dynamic_segments"].update(
            unchanged_refresh_total_ms=round((time.perf_counter() - started) * 1000, 1),
            unchanged_slowest_statements=again_slowest,
            budget_ms=BUDGETS["rule_refresh_dynamic_segments"],
            unchanged_refresh_budget_ms=BUDGETS[
                "rule_refresh_dynamic_segments:unchanged_refresh"])
        assert not any(r.changed for r in again)
        # Incremental: one contact changes; every dynamic segment is re-evaluated for it.
        with store.reading() as conn:
            contact_id = int(conn.execute(text("SELECT min(id) FROM contacts")).scalar_one())
        incremental = []
        for _ in range(repeat):
            started = time.perf_counter()
            store.rules.contacts_changed([contact_id])
            incremental.append(time.perf_counter() - started)
        results["rule_incremental_one_contact"] = summary(
            "rule_incremental_one_contact", incremental, None, 0) | {
            "dynamic_segments": len(ids)}
    finally:
        with store.writing() as conn:
            conn.execute(delete(Membership).where(Membership.segment_id.in_(ids)))
            conn.execute(delete(Segment).where(Segment.id.in_(ids)))


def write_contacts_csv(path: Path, rows: int) -> None:
    """A contacts file like a CRM export: 14 columns, 5,000 companies, some tags."""
    import csv
    import random

    rng = random.Random(6)
    statuses = ["New", "Nurturing", "Qualified", "Hot Lead", "Customer", "Cold"]
    cities = ["Boston", "Chicago", "Austin", "Denver", "Seattle", "Porto", "Berlin"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Name", "Email", "Phone", "Title", "Company", "Company Size",
                         "Status", "Quality Score", "City", "State", "Country", "Region",
                         "Tags", "Created"])
        for n in range(rows):
            writer.writerow([
                f"Imported Person {n}", f"imported{n}@example{n % 97}.com",
                f"+1 555 {n:07d}", "Manager", f"Imported Company {n % 5000}",
                rng.choice(["Enterprise", "Mid-Market", "SMB"]), rng.choice(statuses),
                rng.randint(0, 100), rng.choice(cities), "MA", "United States",
                "North America", rng.choice(["VIP", "Webinar; Trial", ""]), "2023-06-01"])


# Imports per second (I6 on SQLite, P11 on PostgreSQL).
IMPORT_TARGETS = {"sqlite": 50_000, "postgresql": 30_000}


@contextmanager
def empty_database_like(url: URL, scratch: Path) -> Iterator[str]:
    """A new, empty database on the same engine as `url`, as a --db argument: a file in
    `scratch` for SQLite; on PostgreSQL a database created on the same server (and dropped
    afterwards), named after `url`'s with "_import" appended."""
    if sqlite_path(url) is not None:
        yield str(scratch / "import.db")
        return
    from sqlalchemy import create_engine, text

    name = f"{url.database}_import"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def io_benchmarks(store: Store, rows: int, results: dict[str, Any]) -> None:
    """I6: `segtui import contacts` of a generated file into a new, empty database
    of the same engine (target >= 50,000 rows/s on SQLite, 30,000 on PostgreSQL), and
    `segtui export members` of a ~100,000-member segment of the large dataset, both as a
    user runs them (a subprocess, wall clock)."""
    import tempfile

    segtui = [sys.executable, "-m", "segtui"]
    url = store.engine.url
    target_rate = IMPORT_TARGETS.get(url.get_backend_name(), 50_000)
    (HERE / "data").mkdir(exist_ok=True)  # not in a fresh clone: the datasets live there
    with tempfile.TemporaryDirectory(dir=HERE / "data") as scratch, \
            empty_database_like(url, Path(scratch)) as target:
        csv_path = Path(scratch) / "contacts.csv"
        write_contacts_csv(csv_path, rows)
        subprocess.run([*segtui, "db", "upgrade", "--db", target], check=True,
                       capture_output=True)
        started = time.perf_counter()
        done = subprocess.run([*segtui, "import", "contacts", str(csv_path), "--db",
                               target], check=True, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        results["import_contacts"] = {
            "rows": rows, "seconds": round(seconds, 1),
            "rows_per_second": round(rows / seconds),
            "target_rows_per_second": target_rate,
            "within_budget": rows / seconds >= target_rate, "output": done.stdout.strip()}
        segment_id = hot_lead_segment(store, "Bench Export Hot Leads")
        try:
            out = Path(scratch) / "members.csv"
            for fmt in ("csv", "jsonl"):
                started = time.perf_counter()
                subprocess.run([*segtui, "export", "members", "Bench Export Hot Leads",
                                "-o", str(out), "--format", fmt, "--db",
                                str(store.engine.url.render_as_string(hide_password=False))],
                               check=True, capture_output=True)
                results[f"export_members_{fmt}"] = {
                    "members": store.segments.segment_details(segment_id).members,  # type: ignore[union-attr]
                    "seconds": round(time.perf_counter() - started, 2),
                    "bytes": out.stat().st_size}
        finally:
            store.segments.delete_segment(segment_id, store.users.current_user("Sarah Mitchell"))


def cli_benchmarks(repeat: int, results: dict[str, Any]) -> None:
    """P12: how long a script waits for a read command, start to exit, as a
    subprocess on a new demo database (wall clock, median of at least 5 runs after one
    warm-up run each), and the CPU time the command used (user + system: on a machine
    shared with other work, wall time also counts the waits for a core). For scale: the
    interpreter alone, and `segtui --version`, which loads the command line but not the
    database stack. Bytecode is cached as an installed package's is
    (PYTHONDONTWRITEBYTECODE is dropped), so compiling isn't counted."""
    import tempfile

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    segtui = [sys.executable, "-m", "segtui"]
    runs = max(repeat, 5)
    with tempfile.TemporaryDirectory(prefix="segtui-cli-bench-") as scratch:
        db = str(Path(scratch) / "demo.db")
        subprocess.run([*segtui, "demo", "--build-only", "--db", db], check=True,
                       capture_output=True, env=env)
        commands = {
            "interpreter_start": [sys.executable, "-c", "pass"],
            "cli_version": [*segtui, "--version"],
            "cli_segments_list": [*segtui, "segments", "list", "--db", db],
            "cli_segments_count": [*segtui, "segments", "count", NESTED_RULE, "--db", db],
        }
        for name, argv in commands.items():
            samples, cpu = [], []
            for run in range(runs + 1):
                used = _children_cpu()
                started = time.perf_counter()
                subprocess.run(argv, check=True, capture_output=True, env=env)
                if run:  # the first run is the warm-up: caches, bytecode
                    samples.append(time.perf_counter() - started)
                    cpu.append(_children_cpu() - used)
            shown = ["segtui", *argv[3:]] if argv[:3] == segtui else ["python", *argv[1:]]
            results[name] = summary(name, samples, None, 0) | {
                "cpu_median_ms": median_ms(cpu),
                "command": shlex.join(shown).replace(db, "demo.db")}


def _children_cpu() -> float:
    """User + system seconds of this process's finished children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", action="append",
                        help="database path or URL; give it twice (SQLite and PostgreSQL) "
                             "for one table comparing them (default: the profile's SQLite "
                             "file in benchmarks/data/)")
    parser.add_argument("--profile", choices=list(PROFILES), default="full",
                        help="full: the reference dataset of P1 (1M contacts); "
                             "small: 200k contacts, 200 segments, a few minutes a run")
    parser.add_argument("--contacts", type=int, help="contacts to build (profile's default)")
    parser.add_argument("--segments", type=int, help="segments to build (profile's default)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=["all", "rules", "rule-forms", "refresh", "detail",
                                           "io", "cli", "paging"],
                        default="all",
                        help="rules: only the dynamic-segment benchmarks (D1) and the "
                             "rule forms; rule-forms: only every rule form against the "
                             "same predicate by hand (P8; writes nothing); "
                             "refresh: only refreshing --dynamic-segments dynamic segments "
                             "(P9); "
                             "detail: only the segment detail screen (R7.5); "
                             "io: only import and export (I6); "
                             "cli: only the start-up of read commands, on a new demo "
                             "database (P5); "
                             "paging: only a page of the dashboard's list and of the "
                             "largest segment's member list, key to shown (P5)")
    parser.add_argument("--import-rows", type=int,
                        help="rows in the generated CSV the import benchmark loads")
    parser.add_argument("--dynamic-segments", type=int,
                        help="how many dynamic segments the refresh benchmark creates")
    parser.add_argument("--detail-segment",
                        help="the detail benchmark opens this segment (its id, or "
                             "'largest': the one with the most members) instead of a new "
                             "one of every Hot Lead; the paging benchmark pages its "
                             "members (default: the largest segment's)")
    parser.add_argument("--json-out", type=Path,
                        help="also write the JSON to this file (one run per file)")
    parser.add_argument("--rule-form", help="rule-forms: only the form of this name "
                                            "(benchmarks/rule_forms.py)")
    parser.add_argument("--explain", action="store_true",
                        help="rule-forms: add the plan of each count segtui sends")
    args = parser.parse_args()
    profile = PROFILES[args.profile]
    for name in ("contacts", "segments", "dynamic_segments", "import_rows"):
        if getattr(args, name) is None:
            setattr(args, name, profile[name])
    databases = args.db or [str(profile["db"])]
    if len(databases) > 1:
        compare(databases, args)
        return
    args.db = databases[0]
    if args.only == "cli":  # the demo database, not the large dataset
        results: dict[str, Any] = {}
        cli_benchmarks(args.repeat, results)
        emit({"database": "segtui demo --build-only", "operations": results}, args.json_out)
        return
    from segtui.app import tune_runtime

    tune_runtime()  # as `segtui` does before the app runs

    ensure_dataset(args.db, args.contacts, args.segments)
    url = resolve_url(args.db)
    store = Store.open(url)
    raw = RawReplayer(url)
    with room_to_create(store):
        measure_all(args, url, store, raw)


def measure_all(args: argparse.Namespace, url: URL, store: Store, raw: RawReplayer) -> None:
    """The operations `args.only` names, on the dataset `store` opened."""
    results: dict[str, Any] = {}
    if args.only in ("rules", "rule-forms"):
        from benchmarks.rule_forms import rule_form_benchmarks

        rule_form_benchmarks(store, raw, args.repeat, results, largest_segment(store),
                             args.rule_form, args.explain)
    if args.only == "rule-forms":
        report(store, url, results, args.json_out)
        return
    if args.only == "rules":
        rule_benchmarks(store, raw, args.repeat, args.dynamic_segments, results)
        report(store, url, results, args.json_out)
        return
    if args.only == "refresh":
        refresh_benchmarks(store, args.repeat, args.dynamic_segments, results)
        report(store, url, results, args.json_out)
        return
    if args.only == "io":
        io_benchmarks(store, args.import_rows, results)
        report(store, url, results, args.json_out)
        return
    if args.only == "detail":
        detail_benchmarks(store, raw, args.repeat, results,
                          chosen_segment(store, args.detail_segment))
        report(store, url, results, args.json_out)
        return
    if args.only == "paging":
        paging_benchmarks(store, raw, args.repeat, results,
                          chosen_segment(store, args.detail_segment or "largest"))
        report(store, url, results, args.json_out)
        return

    measure("metric_cards", store, raw, store.segments.dashboard_metrics, args.repeat, results)
    first_page = store.segments.segment_page(SegmentFilter(), SegmentSort())
    measure("list_first_page_sql", store, raw,
            lambda: store.segments.segment_page(SegmentFilter(), SegmentSort()), args.repeat,
            results)
    measure("list_count_sql", store, raw, lambda: store.segments.segment_count(SegmentFilter()),
            args.repeat, results)
    measure("list_next_page_sql", store, raw,
            lambda: store.segments.segment_page(SegmentFilter(), SegmentSort(),
                                                after=first_page.last),
            args.repeat, results)
    measure("list_sorted_by_contacts_sql", store, raw,
            lambda: store.segments.segment_page(SegmentFilter(),
                                                SegmentSort(SegmentSortColumn.CONTACTS, True)),
            args.repeat, results)
    for term in ("enterprise", "a", "zzqx"):
        measure(f"search_{term}_sql", store, raw,
                lambda term=term: store.segments.segment_page(SegmentFilter(search=term),  # type: ignore[misc]
                                                              SegmentSort()),
                args.repeat, results)
    measure("filter_city_sql", store, raw,
            lambda: store.segments.segment_page(SegmentFilter(city="Boston"), SegmentSort()),
            args.repeat, results)

    picker_benchmarks(store, raw, args.repeat, results)
    detail_benchmarks(store, raw, args.repeat, results,
                      chosen_segment(store, args.detail_segment))

    ui = asyncio.run(ui_timings(store, args.repeat))
    sql_page = results["list_first_page_sql"]
    results["app_start_to_interactive_dashboard"] = summary(
        "app_start_to_interactive_dashboard", ui["start"], None, 0)
    results["app_start_to_metric_cards_shown"] = summary("", ui["cards"], None, 0)
    results["search_keystroke_to_updated_list"] = summary(
        "search_keystroke_to_updated_list", ui["search"],
        None, 0) | {"note": "after the 150 ms debounce"}
    results["page_down_the_list"] = summary("page_down_the_list", ui["page"], None, 0)
    results["page_down_the_list"]["raw_sql_median_ms"] = results["list_next_page_sql"][
        "raw_sql_median_ms"]
    del sql_page
    from benchmarks.rule_forms import rule_form_benchmarks

    rule_form_benchmarks(store, raw, args.repeat, results, largest_segment(store), None, False)
    rule_benchmarks(store, raw, args.repeat, args.dynamic_segments, results)
    report(store, url, results, args.json_out)


def report(store: Store, url: URL, results: dict[str, Any], json_out: Path | None) -> None:
    emit({
        "database": url.render_as_string(hide_password=True),
        "dataset": dataset(store),
        "operations": results,
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        **resident_now(),
    }, json_out)
    store.close()


def resident_now() -> dict[str, float]:
    """The process's resident memory at the end, split as `top` cannot show it: its own
    (anonymous: Python objects, SQLite's page caches) and mapped files (SQLite's memory map
    of the database, page cache shared with the operating system). Linux only."""
    try:
        lines = Path("/proc/self/status").read_text().splitlines()
    except OSError:
        return {}
    fields = dict(line.split(":", 1) for line in lines if ":" in line)
    return {f"{key.lower()}_mb": round(int(fields[key].split()[0]) / 1024, 1)
            for key in ("VmRSS", "RssAnon", "RssFile") if key in fields}


def emit(run: dict[str, Any], json_out: Path | None) -> None:
    text = json.dumps(run, indent=2)
    print(text)
    if json_out is not None:
        json_out.write_text(text + "\n")


def compare(databases: list[str], args: argparse.Namespace) -> None:
    """Each database measured by a process of its own, then one table (benchmarks/table.py).
    The runs' JSON files are kept in benchmarks/data/ with the time they were made."""
    from benchmarks.table import heading, render

    stamp = time.strftime("%Y%m%d-%H%M%S")
    runs = []
    for n, db in enumerate(databases):
        out = HERE / "data" / f"run-{stamp}-{n}.json"
        out.parent.mkdir(exist_ok=True)
        argv = [sys.executable, str(Path(__file__).resolve()), "--db", db,
                "--profile", args.profile, "--contacts", str(args.contacts),
                "--segments", str(args.segments), "--repeat", str(args.repeat),
                "--only", args.only, "--import-rows", str(args.import_rows),
                "--dynamic-segments", str(args.dynamic_segments), "--json-out", str(out)]
        if args.detail_segment:
            argv += ["--detail-segment", args.detail_segment]
        if args.rule_form:
            argv += ["--rule-form", args.rule_form]
        if args.explain:
            argv.append("--explain")
        print(f"measuring {db} ...", file=sys.stderr)
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        runs.append(json.loads(out.read_text()))
        print(f"  {out}", file=sys.stderr)
    print(heading(runs))
    print()
    print(render(runs))


if __name__ == "__main__":
    main()
