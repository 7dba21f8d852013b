"""U15.7: at 80x24 every field the specification asks of a table is on screen, in the
table or, for the highlighted row, in the detail line under it ("Label: value"); a text too
long for its place ends in "…", never cut silently; a toast never covers a dialog's buttons.
"""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.screen import Screen
from textual.widgets import Button
from textual.widgets._toast import Toast

from segtui.core.contacts import ContactSelection
from segtui.core.enums import SegmentStatus
from segtui.core.metrics import CampaignPerformance
from segtui.core.records import Page
from segtui.core.segments import SegmentDraft
from segtui.data.store import Store
from segtui.screens.detail.performance_tab import CampaignTable
from segtui.screens.modals.create_segment import CreateSegmentModal
from segtui.screens.modals.delete_segment import DeleteSegmentModal
from segtui.screens.quality import DataQualityScreen
from segtui.widgets.contact_picker import ContactPicker
from segtui.widgets.paged_table import Column, PagedTable
from segtui.widgets.row_detail import RowDetail, pack
from tests.ui.conftest import make_app, open_segment, search_dashboard, settle, text_of
from tests.ui.quality_data import add_duplicates

NARROW = (80, 24)


def plain(value: object) -> str:
    return " ".join((value.plain if isinstance(value, Text) else str(value)).split())


def assert_reachable(app: Any, table: PagedTable[Any], line_id: str, keys: list[str]) -> None:
    """Each column in `keys` is a table column, or its "Label: value" for the highlighted
    row is in the detail line under the table."""
    row = table.current_row
    assert row is not None
    shown = {key.value for key in table.columns}
    line = " ".join(text_of(app, f"#{line_id}").split())
    by_key = {c.key: c for c in table.all_columns}
    for key in keys:
        if key in shown:
            continue
        column = by_key[key]
        value = plain(column.render(row))
        assert value, f"pick a row with a {column.label}"
        assert f"{column.label}: {value}" in line, (key, line)


async def test_dashboard_fields_at_80x24(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        table = app.screen.query_one(PagedTable)
        assert "description" not in {k.value for k in table.columns}
        assert_reachable(app, table, "description-preview",
                         ["name", "description", "status", "contacts", "campaigns",
                          "last_modified", "actions"])


async def test_contacts_tab_fields_at_80x24(sqlite_demo_store: Store) -> None:
    """R7.6: avatar, name, title, company, email and phone, tags, last contact, status,
    quality. The first member of the demo's Enterprise Prospects has every one."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=NARROW) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        table = app.screen.query_one("#members", PagedTable)
        assert_reachable(app, table, "member-preview",
                         ["avatar", "name", "title", "company", "email", "phone", "tags",
                          "status", "quality", "last"])
        await pilot.press("down")
        await pilot.pause()
        assert_reachable(app, table, "member-preview", ["title", "email", "last"])


async def test_activity_tab_fields_at_80x24(sqlite_demo_store: Store) -> None:
    """R7.9: icon, type, performer, date/time, description; the details of the
    highlighted activity too."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=NARROW) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("5")
        await settle(pilot)
        table = app.screen.query_one("#activities", PagedTable)
        assert "by" not in {k.value for k in table.columns}
        assert_reachable(app, table, "activity-details",
                         ["icon", "type", "by", "when", "description", "details"])


async def test_picker_fields_at_80x24(sqlite_demo_store: Store) -> None:
    """R7.2 (create): name, company, status, city, state, tags. R7.11 (add): name,
    title, company, email, phone, tags, score, status."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, CreateSegmentModal)
        table = app.screen.query_one(ContactPicker).query_one(PagedTable)
        assert_reachable(app, table, "picker-preview",
                         ["name", "company", "status", "city", "state", "tags"])
        await pilot.press("escape")
        await settle(pilot)
        await search_dashboard(pilot, "Enterprise Prospects")
        await pilot.press("a")
        await settle(pilot)
        table = app.screen.query_one(ContactPicker).query_one(PagedTable)
        assert_reachable(app, table, "picker-preview",
                         ["name", "title", "company", "email", "phone", "tags", "score",
                          "status"])


async def test_quality_tables_fields_at_80x24(sqlite_demo_store: Store) -> None:
    add_duplicates(sqlite_demo_store)
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("Q")
        await settle(pilot)
        assert isinstance(app.screen, DataQualityScreen)
        table = app.screen.query_one("#quality-duplicates", PagedTable)
        assert_reachable(app, table, "duplicate-detail",
                         ["group", "reason", "keep", "id", "name", "email", "company",
                          "created", "segments"])
        segments = app.screen.query_one("#quality-segments", PagedTable)
        assert {"name", "members", "flagged", "share"} <= {k.value for k in segments.columns}


def test_campaign_status_shown_at_any_width() -> None:
    """R7.7's campaign table and each campaign's status: its own column from 100
    columns, under the name (the header says so) below."""
    campaigns = [CampaignPerformance(1, "Q1 Enterprise Outreach", "Active", 45, 32, 12, 3,
                                     1_500_000),
                 CampaignPerformance(2, "Holiday Promotion", "Completed", 45, 25, 6, 1,
                                     250_000)]
    for width in (76, 118):
        console = Console(width=width, record=True, file=io.StringIO())
        console.print(CampaignTable(campaigns))
        shown = console.export_text()
        assert "Active" in shown and "Completed" in shown, shown
        assert ("Campaign Name / Status" in shown) == (width < CampaignTable.WIDE)
        for label in ("Sent", "Opened", "Clicked", "Converted", "Revenue"):
            assert label in shown


def test_detail_line_packing() -> None:
    """Fields in their order when they fit; a long one never hides the short ones after
    it; whatever is left over ends in "…"."""
    console = Console(width=200, file=io.StringIO())
    fields = [Text("Title: CTO"), Text("Email: a@b.example"), Text("Phone: 555")]
    assert pack(fields, 40, 2, console).plain == "Title: CTO · Email: a@b.example\nPhone: 555"
    tags = Text("Tags: " + ", ".join(f"tag {n}" for n in range(20)))
    packed = pack([Text("Title: CTO"), tags, Text("Last contact: 2 days ago")], 40, 2,
                  console).plain
    first, second = packed.split("\n")
    assert first == "Title: CTO · Last contact: 2 days ago"
    assert second.startswith("Tags: tag 0, tag 1") and second.endswith("…")
    assert len(second) == 40
    details = Text("Details: line one\nline two\n" + "more " * 10)
    assert pack([Text("By: Sam"), details], 40, 2, console).plain == \
        "By: Sam · Details: line one\nline two more more more more more more…"


async def test_the_detail_line_keeps_its_height_only_for_the_same_columns() -> None:
    """The line keeps the most lines a row needed while the width stays, so the table
    doesn't jump as the cursor moves; but lines needed by other columns (a table that laid
    out at a guessed width before it knew its own moved more of them here) are not kept:
    else its height, and the rows the table shows, depended on timing (a flaky snapshot)."""

    class Lines(App[None]):
        def compose(self) -> ComposeResult:
            yield RowDetail(id="line")

    async with Lines().run_test(size=(60, 10)) as pilot:
        line = pilot.app.query_one(RowDetail)
        many = [Text(f"Field {n}: value {n}") for n in range(6)]
        line.show(many, ("a", "b", "c", "d", "e", "f"))
        await pilot.pause()
        assert line.size.height == 2
        line.show(many[:1], ("a", "b", "c", "d", "e", "f"))  # another row, the same columns
        await pilot.pause()
        assert line.size.height == 2
        line.show(many[:1], ("a",))  # fewer columns moved here: a row of them needs one line
        await pilot.pause()
        assert line.size.height == 1


# -- "…" for every cut ---------------------------------------------------------------------


def silent_cuts(screen: Screen[Any]) -> list[tuple[str, str]]:
    """Labels, statics and buttons whose text is longer than what shows of them, with no
    "…" to say so. What a scrolled container hides is not a cut (it scrolls)."""
    cuts = []
    for widget in screen.query("Label, Static, Button"):
        if not widget.display or not widget.size.area:
            continue
        geometry = screen.find_widget(widget)
        visible = geometry.visible_region
        if not visible.area:
            continue
        rendered = widget.render()
        full = getattr(rendered, "plain", None)
        if not isinstance(full, str):
            continue
        region = geometry.region
        scrolled = any(getattr(a, "allow_vertical_scroll", False) and a.max_scroll_y > 0
                       for a in widget.ancestors if hasattr(a, "max_scroll_y"))
        rows = range(widget.size.height) if scrolled else range(
            visible.y - region.y, visible.bottom - region.y)
        left, right = visible.x - region.x, visible.right - region.x
        shown = "".join(widget.render_line(y).text[left:right] for y in rows)
        if "".join(full.split()) not in "".join(shown.split()) and "…" not in shown:
            cuts.append((widget.id or type(widget).__name__, shown.strip()))
    return cuts


LONG_NAME = "Enterprise accounts in the western region renewing soon"


def long_segment(store: Store) -> int:
    """A segment whose name, description and tags can't fit 80 columns."""
    draft = SegmentDraft(LONG_NAME, "Accounts " * 30, tuple(f"Long tag {n}" for n in range(8)),
                         SegmentStatus.ACTIVE)
    return store.segments.create_segment(draft, ContactSelection(), store.users.current_user())


async def test_one_line_texts_end_in_an_ellipsis(sqlite_demo_store: Store) -> None:
    """Every screen and tab at 80x24, with the demo's data and a segment whose name and
    tags are too long: the header's tags were cut with no "…"."""
    long_segment(sqlite_demo_store)
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        seen = {"dashboard": silent_cuts(app.screen)}
        for name in ("Enterprise Prospects", LONG_NAME):
            await open_segment(pilot, name)
            for tab in "123456":
                await pilot.press(tab)
                await settle(pilot)
                seen[f"{name} tab {tab}"] = silent_cuts(app.screen)
            await pilot.press("a")
            await settle(pilot)
            seen[f"{name} add contacts"] = silent_cuts(app.screen)
            await pilot.press("escape", "escape")
            await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        seen["create"] = silent_cuts(app.screen)
        await pilot.press("escape", "Q")
        await settle(pilot)
        seen["quality"] = silent_cuts(app.screen)
    assert {where: cuts for where, cuts in seen.items() if cuts} == {}


class TableApp(App[None]):
    """One PagedTable, 30 columns wide, with cells and a header too long for theirs."""

    CSS = "PagedTable { width: 30; }"

    def compose(self) -> ComposeResult:
        yield PagedTable([
            Column[str]("code", "Code", lambda r: Text(r), width=6),
            Column[str]("plain", "Plain", lambda r: Text(f"{r} in words"), width=8),
            Column[str]("rest", "A long header", lambda r: Text("x")),
        ], row_key=lambda r: r, id="table")

    def on_mount(self) -> None:
        rows = ("ABCDEFGHIJ", "AB")
        self.query_one(PagedTable).load(lambda _request, _limit: Page(rows, offset=0),
                                        lambda: len(rows))


async def test_table_cells_and_headers_end_in_an_ellipsis() -> None:
    """A cell or header longer than its column ends in "…" (Rich crops a Text with no
    overflow set, with no sign): the shared mechanism for every paged table. A fixed
    column is as wide as its header, sort arrow included."""
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        await settle(pilot)
        table = app.query_one(PagedTable)
        header, first, second = (table.render_line(y).text for y in range(3))
        assert header.startswith(" Code    Plain     A long … ")  # 8 cells left for it
        assert first.startswith(" ABCDE…  ABCDEFG…  x ")
        assert second.startswith(" AB      AB in w…  x ")
        table.show_sort("code", descending=True)
        await pilot.pause()
        assert table.render_line(0).text.startswith(" Code ▼  Plain ")


# -- toasts --------------------------------------------------------------------------------


def overlaps(app: Any) -> list[tuple[str, Region]]:
    toasts = [t.region for t in app.screen.query(Toast)]
    assert toasts, "no toast on screen"
    return [(str(b.label), b.region) for b in app.screen.query(Button)
            if b.display and any(b.region.overlaps(t) for t in toasts)]


async def test_a_toast_never_covers_the_next_dialogs_buttons(sqlite_demo_store: Store) -> None:
    """Create a segment (a toast says so), press n at once: the new Create dialog's
    buttons are free. The same for a dialog opened over the list (delete)."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"Toast test", "ctrl+s")
        await settle(pilot)
        assert "created" in " ".join(plain(t.render()) for t in app.screen.query(Toast))
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, CreateSegmentModal)
        assert overlaps(app) == []
        await pilot.press("escape")
        await settle(pilot)
        app.notify("A long message about something that just happened, " * 3, title="Note")
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DeleteSegmentModal)
        assert overlaps(app) == []
