"""C19.3.2 in the app: the owner makes a segment private in the Edit dialog ("Who sees
it", f5); a colleague's segtui on the same database stops listing it without a key, and
searching or the command palette finds it no more, as a segment that does not exist. A
colleague who is not the owner sees who sees it but changes nothing. The tab at 80x24 and
120x40. Both engines for the flows."""

from __future__ import annotations

from typing import Any

import pytest
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import RadioSet, SelectionList

from segtui.core.enums import Visibility
from segtui.data.store import Store
from segtui.screens.detail.screen import SegmentDetailScreen
from segtui.screens.modals.edit_segment import EditSegmentModal
from segtui.widgets.paged_table import PagedTable
from segtui.widgets.sharing_fields import SharingFields
from tests.ui.conftest import (
    SnapCompare,
    make_app,
    open_segment,
    search_dashboard,
    settle,
    text_of,
    wait_until,
)
from tests.ui.test_live import rows, two_people

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
SEGMENT = "Enterprise Prospects"  # Sarah Mitchell's, first on the dashboard


async def palette_hits(pilot: Pilot[Any], text: str) -> list[str]:
    await pilot.press("ctrl+p", *text)
    assert isinstance(pilot.app.screen, CommandPalette)
    await settle(pilot)  # the palette gathers its hits in a worker
    commands = pilot.app.screen.query_one(CommandList)
    hits = []
    for index in range(commands.option_count):
        prompt = commands.get_option_at_index(index).prompt
        hits.append(prompt.plain if isinstance(prompt, Text) else str(prompt))
    await pilot.press("escape")
    await settle(pilot)
    return hits


async def test_made_private_in_the_edit_dialog_it_leaves_a_colleagues_segtui(
        demo_store: Store) -> None:
    async with two_people(demo_store) as (me, them):
        assert SEGMENT in rows(them)
        assert any(SEGMENT in hit for hit in await palette_hits(them, "Enterprise"))
        # The owner: e on the first row, f5, Private (two down, space), save.
        await search_dashboard(me, SEGMENT)
        await me.press("e")
        await settle(me)
        assert isinstance(me.app.screen, EditSegmentModal)
        await me.press("f5")
        assert me.app.screen.focused is me.app.screen.query_one(RadioSet)
        await me.press("down", "down", "space")
        assert me.app.screen.sharing.visibility is Visibility.PRIVATE
        await me.press("ctrl+s")
        await settle(me)
        assert not isinstance(me.app.screen, EditSegmentModal)
        # Theirs follows without a key: the list, the cards, and every way to find it.
        await wait_until(them, lambda: SEGMENT not in rows(them), "the segment gone")
        await settle(them)
        await wait_until(
            them, lambda: them.app.screen.query_one("#card-total-segments").value == "3",
            "their Total Segments card counting it no more")
        assert not any(SEGMENT in hit for hit in await palette_hits(them, "Enterprise"))
        await them.press("slash", *"Enterprise", "enter")
        await settle(them)
        assert them.app.screen.query_one(PagedTable).rows_on_page == []
        assert them.app.store.segments.segment_id_named(SEGMENT) is None
        # Mine still lists it.
        assert SEGMENT in rows(me)


async def test_a_colleague_open_on_it_goes_back_when_it_is_hidden_from_them(
        demo_store: Store) -> None:
    async with two_people(demo_store) as (_me, them):
        await search_dashboard(them, SEGMENT)
        await them.press("enter")
        await settle(them)
        assert isinstance(them.app.screen, SegmentDetailScreen)
        owner = demo_store.users.current_user("Sarah Mitchell")
        segment_id = demo_store.segments.segment_id_named(SEGMENT)
        assert segment_id is not None
        demo_store.segments.share(segment_id, owner, hide=["Priya Patel"])
        await wait_until(them, lambda: not isinstance(them.app.screen, SegmentDetailScreen),
                         "their detail screen closed")
        await settle(them)
        assert SEGMENT not in rows(them)


async def test_only_the_owner_or_an_administrator_may_change_it(demo_store: Store) -> None:
    app = make_app(demo_store, "Priya Patel")  # a Marketing Manager, not its owner
    async with app.run_test(size=(120, 40)) as pilot:
        await search_dashboard(pilot, SEGMENT)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("f5")
        fields = pilot.app.screen.query_one(SharingFields)
        assert not fields.editable
        assert pilot.app.screen.query_one(RadioSet).disabled
        assert "Only Sarah Mitchell (its owner) or an administrator" in str(
            pilot.app.screen.query_one("SharingFields .field-note").render())
    admin = make_app(demo_store, "James Carter")
    async with admin.run_test(size=(120, 40)) as pilot:
        await search_dashboard(pilot, SEGMENT)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("f5")
        people = pilot.app.screen.query_one(SelectionList)
        names = [str(people.get_option_at_index(i).prompt) for i in range(people.option_count)]
        assert names == ["Alex Kim", "James Carter", "Priya Patel"]  # all but the owner
        await pilot.press("tab", "down", "down", "down", "space")  # hide from Priya
        await settle(pilot)
        edit = pilot.app.screen
        assert isinstance(edit, EditSegmentModal)
        assert edit.sharing.hidden_from == ("Priya Patel",)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, EditSegmentModal)
    segment_id = demo_store.segments.segment_id_named(SEGMENT)
    assert segment_id is not None
    details = demo_store.segments.segment_details(segment_id)
    assert details is not None and details.hidden_from == ("Priya Patel",)


@pytest.mark.parametrize("size", SIZES)
def test_who_sees_it_tab(snap_compare: SnapCompare, sqlite_demo_store: Store,
                         size: tuple[int, int]) -> None:
    """The owner's tab: Private picked, hidden from Alex Kim."""
    owner = sqlite_demo_store.users.current_user("Sarah Mitchell")
    segment_id = sqlite_demo_store.segments.segment_id_named(SEGMENT)
    assert segment_id is not None
    sqlite_demo_store.segments.share(segment_id, owner, visibility=Visibility.PRIVATE,
                                     hide=["Alex Kim"])
    assert snap_compare(make_app(sqlite_demo_store), press=["e", "f5"], terminal_size=size)


async def test_the_detail_screen_says_who_sees_it_when_not_everyone(demo_store: Store) -> None:
    owner = demo_store.users.current_user("Sarah Mitchell")
    segment_id = demo_store.segments.segment_id_named(SEGMENT)
    assert segment_id is not None
    app = make_app(demo_store, "Sarah Mitchell")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_segment(pilot, SEGMENT)
        assert "Private" not in text_of(pilot.app, "#detail-meta")
    demo_store.segments.share(segment_id, owner, visibility=Visibility.PRIVATE,
                              hide=["Alex Kim", "Priya Patel"])
    app = make_app(demo_store, "Sarah Mitchell")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_segment(pilot, SEGMENT)
        assert text_of(pilot.app, "#detail-meta").startswith(
            " Active   Private   Hidden from 2  ")
