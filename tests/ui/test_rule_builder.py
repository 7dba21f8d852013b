"""D1.3: building a dynamic segment's rule from the keyboard, with the live count.

The builder keeps the query-language line and the tree in sync; the count updates while the
rule is edited (debounced in a worker), and saving creates a dynamic segment whose members
are exactly the rule's matches."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Button, Input, Select

from segtui.core import clock
from segtui.core.contacts import ContactFilter, ContactSelection
from segtui.core.enums import MembershipSource
from segtui.core.rules.fields import FIELDS
from segtui.core.rules.language import parse
from segtui.core.rules.tree import Group
from segtui.core.segments import SegmentDraft
from segtui.data.db.models import Contact, Membership, Segment
from segtui.data.rules.compiler import compile_rule
from segtui.data.store import Store
from segtui.screens.modals.condition_dialog import ConditionDialog
from segtui.screens.modals.create_segment import CreateSegmentModal
from segtui.screens.modals.edit_segment import EditSegmentModal
from segtui.widgets.rule_builder import RuleBuilder
from segtui.widgets.rule_tree import RuleTree
from tests.ui.conftest import make_app, screen_text, segment_ids, settle, text_of

NESTED = 'status = "Hot Lead" and (score > 85 or tag = Enterprise)'


def field_index(key: str) -> int:
    return [f.key for f in FIELDS].index(key)


async def choose(pilot: Pilot[Any], select_id: str, downs: int) -> None:
    """Pick the option `downs` below the current one of a Select, from the keyboard."""
    pilot.app.screen.query_one(select_id, Select).focus()
    await pilot.press("enter", *(["down"] * downs), "enter")
    await pilot.pause()


async def open_dynamic_create(pilot: Pilot[Any], name: str) -> None:
    await settle(pilot)
    await pilot.press("n")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CreateSegmentModal)
    await pilot.press(*name)
    await choose(pilot, "#segment-kind", 1)  # Static → Dynamic
    await settle(pilot)


async def type_rule(pilot: Pilot[Any], name: str, rule: str) -> Input:
    """Open Create as Dynamic and type `rule` on its Rule line, key by key; the line."""
    await open_dynamic_create(pilot, name)
    text = pilot.app.screen.query_one("#rule-text", Input)
    text.focus()
    await pilot.press(*rule)
    await settle(pilot)
    return text


async def add_condition(pilot: Pilot[Any], key: str, *, op_downs: int = 0,
                        choice_downs: int | None = None, value: str = "") -> None:
    """In the open ConditionDialog: field, operator, value, then ctrl+s."""
    assert isinstance(pilot.app.screen, ConditionDialog)
    await choose(pilot, "#cond-field", field_index(key))
    if op_downs:
        await choose(pilot, "#cond-op", op_downs)
    if choice_downs is not None:
        await choose(pilot, "#cond-choice", choice_downs)
    if value:
        pilot.app.screen.query_one("#cond-value", Input).focus()
        await pilot.press(*value)
    await pilot.press("ctrl+s")
    await pilot.pause()


async def test_build_a_nested_rule_from_the_keyboard_and_save(
        sqlite_demo_store: Store) -> None:
    store = sqlite_demo_store
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dynamic_create(pilot, "Keyboard Rule")
        modal = app.screen
        modal.query_one(RuleTree).focus()
        await pilot.press("a")  # a condition in the (empty) root group
        await add_condition(pilot, "status", choice_downs=3)  # New → … → Hot Lead
        await settle(pilot)
        assert modal.query_one("#rule-text", Input).value == 'status = "Hot Lead"'
        # The count follows every edit: all 28 demo Hot Leads, then 14 with the group.
        assert text_of(app, "#rule-count").startswith("28 contacts match now")
        await pilot.press("g")  # a nested group after it, starting with score > 70
        await add_condition(pilot, "score", op_downs=2, value="85")  # = → != → >
        await pilot.press("a")  # the group is highlighted: append to it
        await add_condition(pilot, "tag", value="Enterprise")
        await settle(pilot)
        assert modal.query_one("#rule-text", Input).value == NESTED
        assert text_of(app, "#rule-count").startswith("14 contacts match now")
        builder = modal.query_one(RuleBuilder)
        assert builder.checked is not None and builder.count == 14
        assert "Create Segment (14 contacts)" in str(modal.query_one("#save", Button).label)
        await pilot.press("ctrl+s")
        await settle(pilot)
    segment_id = segment_ids(store)["Keyboard Rule"]
    details = store.segments.segment_details(segment_id)
    assert details is not None and details.rule is not None
    assert details.members == 14 == store.rules.rule_count(store.rules.check_rule(parse(NESTED))[0])
    with store.reading() as conn:
        sources = set(conn.execute(select(Membership.source)
                                   .where(Membership.segment_id == segment_id)).scalars())
    assert sources == {MembershipSource.RULE}


async def test_tree_keys_negate_switch_move_and_remove(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dynamic_create(pilot, "Tree Keys")
        text = app.screen.query_one("#rule-text", Input)
        text.focus()
        await pilot.press(*NESTED)
        await settle(pilot)
        tree = app.screen.query_one(RuleTree)
        tree.focus()
        tree.highlighted = 1  # status = "Hot Lead"
        await pilot.press("n")
        assert text.value == 'not status = "Hot Lead" and (score > 85 or tag = Enterprise)'
        await pilot.press("o")  # the root group: and → or
        assert text.value == 'not status = "Hot Lead" or (score > 85 or tag = Enterprise)'
        await pilot.press("ctrl+down")  # move the condition after the group
        assert text.value == '(score > 85 or tag = Enterprise) or not status = "Hot Lead"'
        await pilot.press("delete")
        assert text.value == "(score > 85 or tag = Enterprise)"
        await settle(pilot)
        assert text_of(app, "#rule-count").split(" ")[0].replace(",", "").isdigit()


async def test_typing_mistakes_and_rule_problems_are_explained(
        sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        text = await type_rule(pilot, "Broken Rule", "score > abc")
        assert text_of(app, "#rule-problem") == "'abc' is not a number (column 9)"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CreateSegmentModal)  # nothing saved
        assert "Fix the rule first" in text_of(app, "#save-error")
        text.value = 'in segment "No Such Segment"'
        await settle(pilot)
        assert "does not exist" in text_of(app, "#rule-problem")
        # What the save said was of the rule before this edit: gone, the line says it now.
        assert text_of(app, "#save-error") == ""
        await pilot.press("ctrl+s")  # the database's refusal of the rule, under the form
        await settle(pilot)
        assert "does not exist" in text_of(app, "#save-error")
        text.value = 'status = "Hot Lead"'  # a rule that can be saved: nothing stale stays
        await settle(pilot)
        assert text_of(app, "#rule-problem") == "" and text_of(app, "#save-error") == ""
    assert "Broken Rule" not in segment_ids(sqlite_demo_store)


async def test_a_long_problem_wraps_under_the_rule_at_80x24(sqlite_demo_store: Store) -> None:
    """The problem under the rule's line is read whole, wrapped, at 80 columns: the values
    a status may take were cut after "Hot", the position of an unknown field after "("."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        text = await type_rule(pilot, "Wrapped", 'status = "[bold]x[/bold]"')
        problem = text_of(app, "#rule-problem")
        assert problem.endswith("Hot Lead, Customer, Cold (column 10)"), problem
        assert app.screen.query_one("#rule-problem").size.height == 2  # wrapped, not cut
        assert any(line.rstrip(" █").endswith("Lead, Customer, Cold (column 10)")
                   for line in screen_text(app))
        text.value = "x" * 300 + " = 1"  # the name is quoted cut short: where it is shows
        await settle(pilot)
        assert text_of(app, "#rule-problem") == f"unknown field '{'x' * 39}…' (column 1)"
        assert any(line.rstrip(" █").endswith("(column 1)") for line in screen_text(app))


async def test_a_date_out_of_range_is_explained_not_counted_for_ever(
        sqlite_demo_store: Store) -> None:
    """I16.9: 'created after 9999-12-31' once left the live count on "Counting…"
    (the count raised OverflowError in its worker). It is a rule problem at its column."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        text = await type_rule(pilot, "Far Future", "created after 9999-12-31")
        assert text_of(app, "#rule-problem") == (
            "9999-12-31 is out of range: use a date from 1900-01-01 to 2999-12-31 "
            "(column 15)")
        assert "Counting" not in text_of(app, "#rule-count")
        text.value = "created after 2999-12-31"
        await settle(pilot)
        assert text_of(app, "#rule-count").startswith("0 contacts match now")


async def test_a_count_the_database_refuses_is_explained(
        sqlite_demo_store: Store, monkeypatch: Any) -> None:
    """Whatever stops a count (here: the database raising), the builder says so instead
    of "Counting…" for ever."""
    def refuse(rule: Group) -> int:
        raise OverflowError("date value out of range")

    monkeypatch.setattr(sqlite_demo_store.rules, "rule_count", refuse)
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_rule(pilot, "Refused Count", "score > 5")
        assert text_of(app, "#rule-problem") == ("the database could not count this rule "
                                                 "(OverflowError: date value out of range)")
        assert "Counting" not in text_of(app, "#rule-count")


async def test_template_fills_the_builder(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dynamic_create(pilot, "From Template")
        await choose(pilot, "#rule-template", 9)  # past the prompt to the ninth template
        await settle(pilot)
        assert app.screen.query_one("#rule-text", Input).value == \
            'status = "Hot Lead" and opened within 30d >= 1'
        assert "contacts match now" in text_of(app, "#rule-count") or \
            "1 contact matches now" in text_of(app, "#rule-count")


async def test_one_match_is_counted_in_the_singular(sqlite_demo_store: Store) -> None:
    """U15.13: "1 contact matches now" and "Create Segment (1 contact)", not
    "1 contacts" (nor "1 contact match now")."""
    email = sqlite_demo_store.contacts.contact_page(ContactFilter(), ContactSelection(),
                                                    limit=1).rows[0].email
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_dynamic_create(pilot, "Just One")
        app.screen.query_one("#rule-text", Input).focus()
        await pilot.press(*f'email = "{email}"')
        await settle(pilot)
        assert text_of(app, "#rule-count").startswith("1 contact matches now: ")
        assert str(app.screen.query_one("#save", Button).label) == \
            "Create Segment (1 contact)"


async def test_rule_search_on_the_dashboard_then_create(sqlite_demo_store: Store) -> None:
    """D1.2: "?" then a rule in the dashboard search lists the segments with a member
    the rule matches, says how many contacts match, and enter opens Create as Dynamic."""
    store = sqlite_demo_store
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"?score > abc")
        await settle(pilot)
        assert text_of(app, "#rule-hint") == "Rule: 'abc' is not a number (column 10)"
        search = app.screen.query_one("#search", Input)
        search.value = '?city = Boston and status = "Hot Lead"'
        await settle(pilot)
        expected = store.rules.rule_count(store.rules.check_rule(
            parse('city = Boston and status = "Hot Lead"'))[0])
        assert text_of(app, "#rule-hint").startswith(f"{expected:,} contact")
        table = app.screen.query_one("#segments")
        shown = {row.name for row in table.rows_on_page}  # type: ignore[attr-defined]
        with store.reading() as conn:
            rule = store.rules.check_rule(parse('city = Boston and status = "Hot Lead"'))[0]
            assert isinstance(rule, Group)
            members = select(Contact.id).where(compile_rule(rule, clock.today()))
            wanted = set(conn.execute(
                select(Segment.name).where(Segment.id.in_(
                    select(Membership.segment_id).where(Membership.removed_at.is_(None),
                                                        Membership.contact_id.in_(members))))
            ).scalars())
        assert shown == wanted
        search.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CreateSegmentModal)
        assert app.screen.query_one("#rule-text", Input).value == \
            'city = Boston and status = "Hot Lead"'
        assert str(app.screen.query_one("#segment-kind", Select).value) == "Dynamic"


async def test_edit_shows_the_rule_and_its_hand_made_overrides(
        sqlite_demo_store: Store) -> None:
    """D1.3: manual include/exclude overrides are kept and shown."""
    store = sqlite_demo_store
    user = store.users.current_user("Sarah Mitchell")
    segment_id = store.segments.create_segment(SegmentDraft("Hot",
                                                            rule=parse('status = "Hot Lead"')),
                                               ContactSelection(), user)
    with store.reading() as conn:
        member = conn.execute(select(Membership.contact_id).where(
            Membership.segment_id == segment_id)).scalars().first()
    assert member is not None
    store.members.remove_member(segment_id, member, user)
    details = store.segments.segment_details(segment_id)
    assert details is not None
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(EditSegmentModal(store, user, details))
        await settle(pilot)
        assert app.screen.query_one("#rule-text", Input).value == 'status = "Hot Lead"'
        assert text_of(app, "#rule-overrides") == \
            "Kept by hand whatever the rule says: 0 added, 1 removed"


async def test_condition_dialog_suggests_known_values(sqlite_demo_store: Store) -> None:
    """Known cities (and states, companies, segment names) are suggested as you type; the
    right arrow takes the suggestion."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dynamic_create(pilot, "Suggested")
        app.screen.query_one(RuleTree).focus()
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ConditionDialog)
        await choose(pilot, "#cond-field", field_index("city"))
        app.screen.query_one("#cond-value", Input).focus()
        await pilot.press(*"bos")
        await settle(pilot)
        await pilot.press("right")
        assert app.screen.query_one("#cond-value", Input).value == "Boston"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.query_one("#rule-text", Input).value == "city = Boston"
