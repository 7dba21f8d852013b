"""Snapshots of the dynamic-segment screens (D1.3) at 80x24 and 120x40: the rule builder
in Create and Edit, the condition dialog, and "why is this contact here".

Baselines live in snapshots/test_rule_builder_snapshots/; regenerate the whole module with
`pytest tests/ui/test_rule_builder_snapshots.py --snapshot-update` and look at the SVGs."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update
from textual.pilot import Pilot
from textual.widgets import Input, Select, TabbedContent

from segtui.core.contacts import ContactSelection
from segtui.core.rules.language import parse
from segtui.core.segments import SegmentDraft
from segtui.data.db.models import Segment
from segtui.data.store import Store
from segtui.widgets.rule_tree import RuleTree
from tests.ui.conftest import SnapCompare, make_app, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
NESTED = 'status = "Hot Lead" and (score > 85 or tag = Enterprise) and not in segment ' \
         '"Inactive Subscribers"'


async def dynamic_create(pilot: Pilot[Any]) -> None:
    await pilot.press("n")
    await settle(pilot)
    await pilot.press(*"VIP Hot Leads")
    pilot.app.screen.query_one("#segment-kind", Select).value = "Dynamic"
    await settle(pilot)
    pilot.app.screen.query_one("#rule-text", Input).value = NESTED
    await settle(pilot)
    pilot.app.screen.query_one(RuleTree).focus()
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_create_dynamic_segment(snap_compare: SnapCompare, sqlite_demo_store: Store,
                                size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sqlite_demo_store), run_before=dynamic_create,
                        terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_rule_syntax_error(snap_compare: SnapCompare, sqlite_demo_store: Store,
                           size: tuple[int, int]) -> None:
    async def before(pilot: Pilot[Any]) -> None:
        await dynamic_create(pilot)
        pilot.app.screen.query_one("#rule-text", Input).value = 'score > abc and city = "Bos'
        await settle(pilot)

    assert snap_compare(make_app(sqlite_demo_store), run_before=before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_condition_dialog(snap_compare: SnapCompare, sqlite_demo_store: Store,
                          size: tuple[int, int]) -> None:
    """Editing `score > 85`: enter on its row."""
    async def before(pilot: Pilot[Any]) -> None:
        await dynamic_create(pilot)
        pilot.app.screen.query_one(RuleTree).highlighted = 3
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(sqlite_demo_store), run_before=before, terminal_size=size)


def dynamic_segment(store: Store) -> int:
    segment_id = store.segments.create_segment(
        SegmentDraft("Engaged Hot Leads", "Hot leads who opened this month",
                     rule=parse('status = "Hot Lead" and opened within 30d >= 1')),
        ContactSelection(), store.users.current_user("Sarah Mitchell"))
    with store.orm_session() as session:  # the measured time varies run to run; pin it
        session.execute(update(Segment).where(Segment.id == segment_id)
                        .values(evaluation_ms=12))
    return segment_id


@pytest.mark.parametrize("size", SIZES)
def test_edit_rule_tab(snap_compare: SnapCompare, sqlite_demo_store: Store,
                       size: tuple[int, int]) -> None:
    segment_id = dynamic_segment(sqlite_demo_store)

    async def before(pilot: Pilot[Any]) -> None:
        from segtui.screens.modals.edit_segment import EditSegmentModal

        details = sqlite_demo_store.segments.segment_details(segment_id)
        assert details is not None
        user = sqlite_demo_store.users.current_user("Sarah Mitchell")
        pilot.app.push_screen(EditSegmentModal(sqlite_demo_store, user, details))
        await settle(pilot)
        pilot.app.screen.query_one(TabbedContent).active = "tab-rule"
        await settle(pilot)

    assert snap_compare(make_app(sqlite_demo_store), run_before=before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_why_is_this_contact_here(snap_compare: SnapCompare, sqlite_demo_store: Store,
                                  size: tuple[int, int]) -> None:
    segment_id = dynamic_segment(sqlite_demo_store)

    async def before(pilot: Pilot[Any]) -> None:
        from segtui.screens.detail.screen import SegmentDetailScreen

        user = sqlite_demo_store.users.current_user("Sarah Mitchell")
        pilot.app.push_screen(SegmentDetailScreen(sqlite_demo_store, user, segment_id,
                                                  "Engaged Hot Leads"))
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)

    assert snap_compare(make_app(sqlite_demo_store), run_before=before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_edit_rule_diff(snap_compare: SnapCompare, sqlite_demo_store: Store,
                        size: tuple[int, int]) -> None:
    """C20.6.3: the edited rule's enter/leave lines under the live count."""
    segment_id = dynamic_segment(sqlite_demo_store)

    async def before(pilot: Pilot[Any]) -> None:
        from segtui.screens.modals.edit_segment import EditSegmentModal

        details = sqlite_demo_store.segments.segment_details(segment_id)
        assert details is not None
        user = sqlite_demo_store.users.current_user("Sarah Mitchell")
        pilot.app.push_screen(EditSegmentModal(sqlite_demo_store, user, details))
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("ctrl+u", *"opened within 30d >= 1 and score > 85")
        await settle(pilot)

    assert snap_compare(make_app(sqlite_demo_store), run_before=before, terminal_size=size)
