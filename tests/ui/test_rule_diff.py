"""C20.6: while an existing dynamic segment's rule is edited, the rule builder says who
would enter and who would leave its members, driven from the keyboard on both engines:
the numbers and names against a brute-force set difference of the database's rows, the
lines following each edit, none on create or for an invalid rule, names shown literally,
and a segment deleted meanwhile."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from textual.pilot import Pilot
from textual.widgets import Input

from segtui.core.contacts import ContactSelection
from segtui.core.enums import LeadStatus
from segtui.core.rules.diff import DIFF_SAMPLE
from segtui.core.rules.language import parse
from segtui.core.segments import SegmentDraft
from segtui.data.db.tables import Contact, Membership
from segtui.data.store import Store
from segtui.screens.modals.edit_segment import EditSegmentModal
from segtui.widgets.rule_diff import RuleDiffLines
from segtui.widgets.rule_tree import RuleTree
from tests.data.test_rule_diff import brute_force, hot_leads
from tests.ui.conftest import make_app, search_dashboard, settle, text_of
from tests.ui.test_rule_builder import open_dynamic_create

SAVED = 'status = "Hot Lead"'


def expected(store: Store, side: dict[int, str], sign: str, verb: str) -> str:
    """A side's line from the brute force: its count and first names in name order."""
    if not side:
        return f"Nobody {verb}"
    with store.reading() as conn:
        names = list(conn.execute(select(Contact.name).where(Contact.id.in_(list(side)))
                                  .order_by(Contact.name, Contact.id).limit(DIFF_SAMPLE))
                     .scalars())
    more = ", …" if len(side) > DIFF_SAMPLE else ""
    return f"{sign}{len(side):,} {verb}: {', '.join(names)}{more}"


async def edit_rule(pilot: Pilot[Any], name: str) -> Input:
    """From the dashboard: the segment's Edit dialog (e), its Rule tab (f3)."""
    await search_dashboard(pilot, name)
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(pilot.app.screen, EditSegmentModal)
    await pilot.press("f3")
    await settle(pilot)
    line = pilot.app.screen.query_one("#rule-text", Input)
    assert line.has_focus
    return line


async def type_rule(pilot: Pilot[Any], text: str) -> None:
    await pilot.press("ctrl+u", *text)  # ctrl+u: the line emptied first
    await settle(pilot)


def shown(app: Any) -> tuple[str, str]:
    assert app.screen.query_one(RuleDiffLines).display
    return text_of(app, "#rule-enter"), text_of(app, "#rule-leave")


async def test_the_diff_follows_the_rule_and_equals_a_brute_force(demo_store: Store) -> None:
    """C20.6.1, C20.6.2, C20.6.3: each edit's lines equal the set differences computed
    here from the rows (a member by hand and one removed by hand included)."""
    store = demo_store
    segment_id = hot_leads(store)
    app = make_app(store, "Sarah Mitchell")
    async with app.run_test(size=(120, 40)) as pilot:
        line = await edit_rule(pilot, "Hot")
        assert shown(app) == ("Nobody would enter", "Nobody would leave")
        rules = {"score > 85": lambda c: c.quality_score > 85,
                 'status = "Customer" or status = "Hot Lead"':
                     lambda c: c.lead_status in (LeadStatus.CUSTOMER, LeadStatus.HOT_LEAD)}
        for text, matches in rules.items():
            await type_rule(pilot, text)
            assert line.value == text
            entering, leaving = brute_force(store, segment_id, matches)
            assert entering or leaving
            assert shown(app) == (expected(store, entering, "+", "would enter"),
                                  expected(store, leaving, "\u2212", "would leave"))
        # Built in the tree, not typed: `n` negates the highlighted condition.
        tree = app.screen.query_one(RuleTree)
        tree.focus()
        await pilot.press("end")  # the last row: the last condition
        await pilot.press("n")
        await settle(pilot)
        assert line.value == 'status = Customer or not status = "Hot Lead"'
        entering, leaving = brute_force(store, segment_id, lambda c: (
            c.lead_status == LeadStatus.CUSTOMER or c.lead_status != LeadStatus.HOT_LEAD))
        assert shown(app) == (expected(store, entering, "+", "would enter"),
                              expected(store, leaving, "\u2212", "would leave"))
        line.focus()
        # An invalid rule: its problem, no diff (C20.6.3).
        await type_rule(pilot, "score > ")
        assert not app.screen.query_one(RuleDiffLines).display
        assert app.screen.query_one("#rule-problem").display
        await type_rule(pilot, 'in segment "No Such Segment"')
        assert not app.screen.query_one(RuleDiffLines).display
        await type_rule(pilot, SAVED)
        assert shown(app) == ("Nobody would enter", "Nobody would leave")


async def test_no_diff_on_create(demo_store: Store) -> None:
    """C20.6.3: a new segment has no members to compare with."""
    app = make_app(demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dynamic_create(pilot, "Brand New")
        app.screen.query_one("#rule-text", Input).focus()
        await pilot.press(*SAVED)
        await settle(pilot)
        assert text_of(app, "#rule-count").startswith("28 contacts match now")
        assert not app.screen.query(RuleDiffLines)


async def test_names_with_markup_are_shown_as_typed(demo_store: Store) -> None:
    """C20.6.3: a contact's name is user text, never markup."""
    store = demo_store
    user = store.users.current_user("Sarah Mitchell")
    store.segments.create_segment(SegmentDraft("Hot", rule=parse(SAVED)),
                                  ContactSelection(), user)
    with store.writing() as conn:
        cold = conn.execute(select(Contact.id).where(Contact.lead_status == LeadStatus.COLD)
                            .order_by(Contact.id)).scalars().first()
        conn.execute(update(Contact).where(Contact.id == cold)
                     .values(name="[bold]Ana[/bold] Ruiz", city="Zzyzx"))
    app = make_app(store, "Sarah Mitchell")
    async with app.run_test(size=(80, 24)) as pilot:
        await edit_rule(pilot, "Hot")
        await type_rule(pilot, f"{SAVED} or city = Zzyzx")
        assert shown(app) == ("+1 would enter: [bold]Ana[/bold] Ruiz", "Nobody would leave")


async def test_a_segment_deleted_meanwhile_keeps_the_rule(demo_store: Store) -> None:
    """C20.6.4: someone deletes the segment while its rule is edited: the diff says so,
    the rule typed stays, and saving offers to create it again."""
    store = demo_store
    segment_id = hot_leads(store)
    app = make_app(store, "Sarah Mitchell")
    async with app.run_test(size=(80, 24)) as pilot:
        line = await edit_rule(pilot, "Hot")
        store.segments.delete_segment(segment_id, store.users.current_user("Sarah Mitchell"))
        await type_rule(pilot, "score > 85")
        assert line.value == "score > 85"
        assert text_of(app, "#rule-enter").startswith(
            "Someone deleted this segment while you were editing it")
        assert " match now" in text_of(app, "#rule-count")  # the count is still right
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EditSegmentModal) and app.screen.deleted
        assert app.screen.query_one("#rule-text", Input).value == "score > 85"
    with store.reading() as conn:
        assert not conn.execute(select(Membership.id).where(
            Membership.segment_id == segment_id, Membership.removed_at.is_(None))).first()
