"""D1: dynamic segments in the app, driven from the keyboard on the SQLite demo.

- the detail screen says a segment is dynamic and when it was evaluated; `r` re-evaluates
  its rule, so a contact who stopped matching leaves (the stay is ended, not deleted);
- the member menu's "Why is this contact here?" (w) explains a membership: the rule,
  condition by condition, for a dynamic segment; "added by hand" for a static one;
- a segment another segment's rule uses cannot be deleted, and the dialog names the user;
- duplicating a dynamic segment copies its rule, and so its members.

The segments are made through the Store (the rule builder has its own tests); everything
else goes through the keys. The clock is 2024-02-26 (noon is "now"), see tests/conftest.py.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select, update
from textual.pilot import Pilot
from textual.widgets import Button, Static

from segtui.core.contacts import ContactSelection
from segtui.core.enums import LeadStatus, MembershipSource
from segtui.core.rules.language import parse
from segtui.core.segments import SegmentDraft
from segtui.data.db.models import Contact, Membership
from segtui.data.store import Store
from segtui.screens.dashboard import DashboardScreen
from segtui.screens.detail.screen import SegmentDetailScreen
from segtui.screens.modals.confirm import Confirm
from segtui.screens.modals.delete_segment import DeleteSegmentModal
from segtui.screens.modals.row_menu import ActionMenu, RowMenu
from segtui.screens.modals.why_member import WhyMember
from segtui.widgets.metric_card import MetricCard
from segtui.widgets.paged_table import PagedTable
from tests.ui.conftest import (
    make_app,
    open_segment,
    search_dashboard,
    segment_ids,
    settle,
    text_of,
)

SIZE = (120, 40)
HOT_LEADS = 'status = "Hot Lead"'


def make_dynamic(store: Store, name: str, rule: str) -> int:
    return store.segments.create_segment(SegmentDraft(name, rule=parse(rule)), ContactSelection(),
                                         store.users.current_user("Sarah Mitchell"))


def current_members(store: Store, segment_id: int) -> set[int]:
    with store.reading() as conn:
        return set(conn.execute(select(Membership.contact_id).where(
            Membership.segment_id == segment_id, Membership.removed_at.is_(None))).scalars())


def members_card(app: Any) -> str | None:
    value: str | None = app.screen.query_one("#card-members", MetricCard).value
    return value


def modal_text(app: Any) -> str:
    """Everything a modal's Static widgets (labels included) show, one per line."""
    parts = []
    for widget in app.screen.query(Static):
        content = widget.content
        parts.append(content if isinstance(content, str) else getattr(content, "plain", ""))
    return "\n".join(parts)


async def ask_why(pilot: Pilot[Any]) -> str:
    """On the Contacts tab: the highlighted member's menu, then w. The WhyMember text."""
    await pilot.press("m")
    menu = pilot.app.screen
    assert isinstance(menu, ActionMenu)
    assert ("why", "Why is this contact here?", "w") in menu.options
    await pilot.press("w")
    await settle(pilot)
    assert isinstance(pilot.app.screen, WhyMember)
    return modal_text(pilot.app)


# -- the detail screen: meta line and `r` -----------------------------------------------------


async def test_detail_of_dynamic_segment_and_r_reevaluates(sqlite_demo_store: Store) -> None:
    store = sqlite_demo_store
    segment_id = make_dynamic(store, "Hot Leads Live", HOT_LEADS)
    before = current_members(store, segment_id)
    assert len(before) > 1
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_segment(pilot, "Hot Leads Live")
        meta = text_of(app, "#detail-meta")
        # The status badge leads the line; then what kind of segment, evaluated when.
        assert meta.startswith(" Draft ")
        after_badge = meta[len(" Draft "):].lstrip()
        assert after_badge.startswith("Dynamic, evaluated just now in ")  # C20.7.5
        assert re.match(r"Dynamic, evaluated just now in [\d,]+ ms · Owner Sarah "
                        r"Mitchell · Created 26/02/2024", after_badge), after_badge
        assert members_card(app) == str(len(before))
        assert text_of(app, "#members-title") == f"Segment Contacts ({len(before)})"

        # Someone else changes a member so it no longer matches; the screen does not know.
        leaver = min(before)
        with store.orm_session() as session:
            session.execute(update(Contact).where(Contact.id == leaver)
                            .values(lead_status=LeadStatus.CUSTOMER))
        await settle(pilot)
        assert members_card(app) == str(len(before))

        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, SegmentDetailScreen)
        assert members_card(app) == str(len(before) - 1)
        assert text_of(app, "#members-title") == f"Segment Contacts ({len(before) - 1})"
        assert leaver not in [r.id for r in app.screen.query_one(PagedTable).rows_on_page]
        assert text_of(app, "#detail-meta").removeprefix(" Draft ").lstrip().startswith(
            "Dynamic, evaluated just now")
    assert current_members(store, segment_id) == before - {leaver}
    with store.reading() as conn:
        stays = conn.execute(select(Membership.source, Membership.removed_at).where(
            Membership.segment_id == segment_id, Membership.contact_id == leaver)).all()
    # The stay was ended by the refresh (not deleted): history keeps it.
    assert len(stays) == 1
    assert stays[0].source == MembershipSource.RULE and stays[0].removed_at is not None


# -- Why is this contact here? -----------------------------------------------------------------


async def test_why_member_of_dynamic_segment_shows_the_rule(sqlite_demo_store: Store) -> None:
    make_dynamic(sqlite_demo_store, "Hot Leads Live", HOT_LEADS)
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_segment(pilot, "Hot Leads Live")
        row = app.screen.query_one(PagedTable).current_row
        assert row is not None
        text = await ask_why(pilot)
        assert f"Why {row.name}?" in text
        assert f"{row.name} meets the rule of Hot Leads Live:" in text
        lines = text.splitlines()
        assert '  ✓ status = "Hot Lead"' in lines  # the condition, one level in
        assert "✗" not in text
        assert "Added by hand" not in text
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen


async def test_why_member_of_static_segment_says_added_by_hand(
    sqlite_demo_store: Store,
) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_segment(pilot, "Enterprise Prospects")
        row = app.screen.query_one(PagedTable).current_row
        assert row is not None
        # The demo's memberships were made by hand (source 'manual'), so that is the reason.
        why = sqlite_demo_store.members.explain_membership(screen.segment_id, row.id)
        assert why.member and why.rule_matches is None and why.lines == ()
        assert why.added_by_hand is not None
        assert why.added_by_hand.startswith("Added by hand by ")
        assert why.since is not None and why.since.startswith("Member since ")
        assert why.since.endswith(": added by hand by Sarah Mitchell")  # C20.2.3
        text = await ask_why(pilot)
        assert why.since in text and "A member by hand: a refresh never removes it." in text
        assert "meets the rule" not in text and "✓" not in text
        await pilot.press("enter")  # enter closes as well
        await settle(pilot)
        assert app.screen is screen


# -- Delete blocked by another segment's rule -------------------------------------------------


async def test_delete_blocked_when_a_rule_uses_the_segment(sqlite_demo_store: Store) -> None:
    """Enterprise Prospects also has an active campaign: the dialog names both blockers, and
    pausing the campaign does not unblock it."""
    store = sqlite_demo_store
    make_dynamic(store, "Prospect Watchers", 'in segment "Enterprise Prospects" and score > 50')
    assert store.rules.segments_using(segment_ids(store)["Enterprise Prospects"]) == [
        "Prospect Watchers"]
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await search_dashboard(pilot, "Enterprise Prospects")
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DeleteSegmentModal)
        assert text_of(app, "#delete-summary") == (
            "This segment cannot be deleted because it is being used in active campaigns")
        assert text_of(app, "#delete-warning") == (
            "You need to pause 1 active campaign before deleting this segment. This segment "
            "cannot be deleted: the rules of “Prospect Watchers” use it. Change those rules "
            "first.")
        assert app.screen.query_one("#delete", Button).disabled
        # Pause the active campaign: still blocked, now by the rule alone.
        await pilot.click("#pause")
        assert isinstance(app.screen, Confirm)
        await pilot.click("#confirm-ok")
        await settle(pilot)
        assert isinstance(app.screen, DeleteSegmentModal)
        assert text_of(app, "#delete-summary") == (
            "This segment cannot be deleted: the rules of “Prospect Watchers” use it. "
            "Change those rules first.")
        assert text_of(app, "#delete-warning") == "Used by: Prospect Watchers"
        assert app.screen.query_one("#delete", Button).disabled
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
    assert "Enterprise Prospects" in segment_ids(store)


async def test_delete_of_segment_used_only_by_a_rule(sqlite_demo_store: Store) -> None:
    store = sqlite_demo_store
    make_dynamic(store, "Lapsed Watchers", 'in segment "Inactive Subscribers"')
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await search_dashboard(pilot, "Inactive Subscribers")
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DeleteSegmentModal)
        assert text_of(app, "#delete-summary") == (
            "This segment cannot be deleted: the rules of “Lapsed Watchers” use it. "
            "Change those rules first.")
        assert text_of(app, "#delete-warning") == "Used by: Lapsed Watchers"
        assert app.screen.query_one("#delete", Button).disabled
        assert not app.screen.query_one("#pause", Button).display
    assert "Inactive Subscribers" in segment_ids(store)


# -- Duplicate -----------------------------------------------------------------------------


async def test_duplicate_of_dynamic_segment_keeps_rule_and_members(
    sqlite_demo_store: Store,
) -> None:
    store = sqlite_demo_store
    original = make_dynamic(store, "Hot Leads Live", HOT_LEADS)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await search_dashboard(pilot, "Hot Leads Live")
        await pilot.press("m")
        assert isinstance(app.screen, RowMenu)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        shown = [r.name for r in app.screen.query_one(PagedTable).rows_on_page]
        assert "Hot Leads Live Copy" in shown
    copy = segment_ids(store)["Hot Leads Live Copy"]
    first, second = store.segments.segment_details(original), store.segments.segment_details(copy)
    assert first is not None and second is not None
    assert second.rule is not None and second.rule == first.rule
    assert second.evaluated_at is not None  # evaluated at once
    assert second.members == first.members > 0
    assert current_members(store, copy) == current_members(store, original)
    with store.reading() as conn:
        sources = set(conn.execute(select(Membership.source).where(
            Membership.segment_id == copy)).scalars())
    assert sources == {MembershipSource.RULE}  # kept by the rule, not copied by hand
