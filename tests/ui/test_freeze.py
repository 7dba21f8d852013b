"""Freeze and a campaign's status in the app (C20.4.1, C20.4.2, C20.4.4) driven with
Pilot, on both engines: F on the dashboard and on the detail screen, the dialog's
refusals (a bad name, a name taken, the segment deleted under it), a Viewer refused, and
the Performance tab's u picking a campaign's status."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from textual.widgets import Input, OptionList

from segtui.core.enums import CampaignStatus
from segtui.data.db.sql import current_membership
from segtui.data.db.tables import Campaign, Membership, Segment
from segtui.data.store import Store
from segtui.screens.dashboard.screen import DashboardScreen
from segtui.screens.detail.screen import SegmentDetailScreen
from segtui.screens.modals.choice_picker import ChoicePicker
from segtui.screens.modals.freeze_segment import FreezeSegmentModal
from segtui.widgets.paged_table import PagedTable
from tests.ui.conftest import make_app, open_segment, search_dashboard, settle, text_of

DEFAULT = "Enterprise Prospects snapshot 2024 02 26"


def toasts(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


def members(store: Store, segment_id: int) -> set[int]:
    with store.reading() as conn:
        return set(conn.execute(select(Membership.contact_id).where(
            Membership.segment_id == segment_id, current_membership())).scalars())


def count(store: Store) -> int:
    with store.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(Segment)).scalar_one())


async def type_name(pilot: Any, name: str) -> None:
    box = pilot.app.screen.query_one("#freeze-name", Input)
    box.value = ""
    await pilot.press(*name) if name else None
    await pilot.press("enter")
    await settle(pilot)


async def test_F_on_the_dashboard_freezes_the_highlighted_segment(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await search_dashboard(pilot, "Enterprise Prospects")
        await pilot.press("F")
        await settle(pilot)
        assert isinstance(app.screen, FreezeSegmentModal)
        assert app.screen.query_one("#freeze-name", Input).value == DEFAULT
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert any(t.startswith("Froze 45 members of “Enterprise Prospects” into "
                                f"“{DEFAULT}”") for t in toasts(app))
        new_id = demo_store.segments.segment_id_named(DEFAULT)
        source = demo_store.segments.segment_id_named("Enterprise Prospects")
        assert new_id is not None and source is not None
        assert members(demo_store, new_id) == members(demo_store, source)
        # The dashboard shows it: searched, it is there.
        await pilot.press("escape")
        await search_dashboard(pilot, DEFAULT)
        row = app.screen.query_one(PagedTable).current_row
        assert row is not None and row.contact_count == 45


async def test_the_dialog_refuses_bad_names_and_keeps_what_was_typed(
        demo_store: Store) -> None:
    """C20.4.2: markup, too long, empty, taken: the reason under the name, the dialog
    open with the name as typed, nothing written."""
    before = count(demo_store)
    app = make_app(demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("F")
        await settle(pilot)
        for name, says in [("[bold]Loud[/]", "not “[”"), ("x" * 101, "at most 100"),
                           ("", "Segment name is required."),
                           ("Marketing Engagers", "already exists")]:
            await type_name(pilot, name)
            assert isinstance(app.screen, FreezeSegmentModal)
            assert says in text_of(app, "#save-error"), name
            assert app.screen.query_one("#freeze-name", Input).value == name
        assert count(demo_store) == before
        await pilot.press("escape")  # changed: asks first
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, SegmentDetailScreen)
    assert count(demo_store) == before


async def test_a_segment_deleted_under_the_dialog_is_said(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_segment(pilot, "Inactive Subscribers")
        await pilot.press("F")
        await settle(pilot)
        gone = demo_store.segments.segment_id_named("Inactive Subscribers")
        assert gone is not None
        demo_store.segments.delete_segment(gone, demo_store.users.current_user(
            "Sarah Mitchell"))
        before = count(demo_store)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FreezeSegmentModal)
        assert "no longer exists: someone deleted it" in text_of(app, "#save-error")
        assert count(demo_store) == before


async def test_a_viewer_is_refused(demo_store: Store) -> None:
    before = count(demo_store)
    app = make_app(demo_store, "Alex Kim")
    async with app.run_test(size=(120, 40)) as pilot:
        await search_dashboard(pilot, "Enterprise Prospects")
        await pilot.press("F")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert any("may look but not change segments" in t for t in toasts(app))
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, SegmentDetailScreen)
        assert any("may look but not change campaigns" in t for t in toasts(app))
    assert count(demo_store) == before


async def test_u_on_performance_activates_a_campaign_and_freezes(demo_store: Store) -> None:
    """C20.4.4: u, the campaign, its new status: Paused -> Active makes the snapshot;
    the tab shows the new status."""
    source = demo_store.segments.segment_id_named("Enterprise Prospects")
    assert source is not None
    want = members(demo_store, source)
    before = count(demo_store)
    app = make_app(demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, ChoicePicker)
        assert app.screen.title_text == "Change the status of which campaign?"
        await pilot.press(*"demo", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ChoicePicker)
        assert app.screen.title_text == "Status of “Product Demo Campaign”"
        options = app.screen.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt)
                  for i in range(options.option_count)]
        assert labels == ["Active", "Paused (now)", "Completed"]
        await pilot.press(*"act", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SegmentDetailScreen)
        assert any("Paused → Active; snapshot" in t for t in toasts(app))
    with demo_store.reading() as conn:
        status = conn.execute(select(Campaign.status).where(
            Campaign.name == "Product Demo Campaign")).scalar_one()
    assert CampaignStatus(status) is CampaignStatus.ACTIVE
    assert count(demo_store) == before + 1
    snap = demo_store.segments.segment_id_named(
        "Enterprise Prospects Product Demo Campaign sent 2024 02 26")
    assert snap is not None and members(demo_store, snap) == want
