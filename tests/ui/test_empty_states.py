"""U15.15: an empty list says what is empty and offers the next step, and that step's
key works: the dashboard of an empty database (n, i), a search matching nothing (c), an
empty segment's Contacts tab (a), the contact picker (ctrl+l), the choice picker
(ctrl+l), the Activity tab (c), the Notes tab (n), a clean Data Quality report (r)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Input, OptionList, Static, TextArea

from segtui.core.contacts import ContactSelection
from segtui.core.enums import SegmentStatus
from segtui.core.records import ChoiceKind
from segtui.core.segments import SegmentDraft
from segtui.data.db.engine import sqlite_url
from segtui.data.store import Store
from segtui.screens.dashboard import DashboardScreen
from segtui.screens.modals.add_contacts import AddContactsModal
from segtui.screens.modals.choice_picker import ChoicePicker
from segtui.screens.modals.create_segment import CreateSegmentModal
from segtui.screens.modals.import_file import ImportFileModal
from segtui.screens.quality import DataQualityScreen
from segtui.widgets.contact_picker import ContactPicker
from segtui.widgets.paged_table import PagedTable
from tests.ui.conftest import make_app, open_segment, settle, text_of

NARROW = (80, 24)


def shown_in(table: PagedTable[Any]) -> str:
    """Every line the table draws, as text."""
    return "\n".join(table.render_line(y).text for y in range(table.size.height))


async def test_empty_database_dashboard_offers_new_and_import(tmp_path: Path) -> None:
    store = Store.open(sqlite_url(tmp_path / "empty.db"))
    try:
        app = make_app(store)
        async with app.run_test(size=NARROW) as pilot:
            await settle(pilot)
            table = app.screen.query_one(PagedTable)
            assert "No segments yet — n: new segment, i: import contacts" in shown_in(table)
            await pilot.press("n")
            await settle(pilot)
            assert isinstance(app.screen, CreateSegmentModal)
            # The picker in it: no contacts at all, and where they come from.
            picker_table = app.screen.query_one(ContactPicker).query_one(PagedTable)
            assert "No contacts yet — i on the dashboard imports them" in shown_in(picker_table)
            await pilot.press("escape")
            await settle(pilot)
            await pilot.press("i")
            await settle(pilot)
            assert isinstance(app.screen, ImportFileModal)
    finally:
        store.close()


async def test_search_matching_nothing_offers_clearing_it(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"nothing like this", "enter")
        await settle(pilot)
        table = app.screen.query_one(PagedTable)
        assert "No segments match the search and filters — c: clear them" in shown_in(table)
        await pilot.press("c")
        await settle(pilot)
        assert len(table.rows_on_page) == 4
        assert "No segments" not in shown_in(table)


async def test_empty_segment_offers_adding_contacts(sqlite_demo_store: Store) -> None:
    sqlite_demo_store.segments.create_segment(SegmentDraft("Nobody Yet",
                                                           status=SegmentStatus.ACTIVE),
                                              ContactSelection(),
                                              sqlite_demo_store.users.current_user())
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=NARROW) as pilot:
        await open_segment(pilot, "Nobody Yet")
        table = app.screen.query_one("#members", PagedTable)
        assert "No members yet — a: add contacts" in shown_in(table)
        assert not app.screen.query_one("#member-preview").display  # no row: no line
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AddContactsModal)


async def test_member_search_matching_nothing_offers_clearing_it(
    sqlite_demo_store: Store,
) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=NARROW) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("slash", *"zzzz", "enter")
        await settle(pilot)
        table = app.screen.query_one("#members", PagedTable)
        assert "No members match “zzzz” — c: clear the search" in shown_in(table)
        await pilot.press("c")
        await settle(pilot)
        assert table.total == 45
        assert app.screen.query_one("#members-search", Input).value == ""


async def test_contact_picker_with_no_match_offers_clearing(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        picker = app.screen.query_one(ContactPicker)
        picker.focus_search()
        await pilot.press(*"zzzz")
        await settle(pilot)
        table = picker.query_one(PagedTable)
        assert "No contacts match the search and filters — ctrl+l: clear them" in \
            shown_in(table)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert table.total == 255
        assert picker.query_one("#picker-search", Input).value == ""


async def test_choice_picker_with_no_match_offers_clearing(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        app.screen.pick_filter(ChoiceKind.CITY)
        await settle(pilot)
        assert isinstance(app.screen, ChoicePicker)
        await pilot.press(*"zzzz")
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt)
                   for i in range(options.option_count)]
        assert prompts == ["No match for “zzzz” — ctrl+l: clear the search"]
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert app.screen.query_one(Input).value == ""
        assert options.option_count > 1


async def test_activity_filters_matching_nothing_offer_clearing(
    sqlite_demo_store: Store,
) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=NARROW) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("5")
        await settle(pilot)
        app.screen.query_one("#activity-from", Input).focus()
        await pilot.press(*"2030-01-01", "enter")
        await settle(pilot)
        table = app.screen.query_one("#activities", PagedTable)
        assert "No activities match the filters — c: clear them" in shown_in(table)
        table.focus()
        await pilot.press("c")
        await settle(pilot)
        assert table.total == 5
        assert app.screen.query_one("#activity-from", Input).value == ""


async def test_empty_notes_say_what_to_do(sqlite_demo_store: Store) -> None:
    sqlite_demo_store.segments.create_segment(SegmentDraft("Quiet One"), ContactSelection(),
                                              sqlite_demo_store.users.current_user())
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=NARROW) as pilot:
        await open_segment(pilot, "Quiet One")
        await pilot.press("6")
        await settle(pilot)
        notes = [str(s.render()) for s in app.screen.query(".note").results(Static)]
        assert notes == ["No notes yet — n: write the first one"]
        await pilot.press("n")
        assert isinstance(app.focused, TextArea)


async def test_clean_quality_report_says_so_in_each_table(sqlite_demo_store: Store) -> None:
    """The demo has no duplicates; with no contact flagged at all, no segment either."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("Q")
        await settle(pilot)
        assert isinstance(app.screen, DataQualityScreen)
        duplicates = app.screen.query_one("#quality-duplicates", PagedTable)
        assert duplicates.display
        assert "No likely duplicates: nothing to merge — r: check again" in \
            shown_in(duplicates)
        assert "none found" in text_of(app, "#duplicates-title")
