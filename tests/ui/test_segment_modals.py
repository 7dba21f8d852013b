"""Create, Edit, Delete and Add Contacts modals, driven from the keyboard
(R7.2, R7.3, R7.4, R7.11; AC2-AC5, AC16). Each test checks what the user
sees and what the database holds afterwards."""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text
from sqlalchemy import func, select
from textual.pilot import Pilot
from textual.widgets import Button, Input, Label, Static, TabbedContent, TextArea

from segtui.core.contacts import ContactSelection
from segtui.core.segments import SegmentDraft
from segtui.data.db.models import Activity, Campaign, Membership
from segtui.data.store import Store
from segtui.screens.dashboard import DashboardScreen
from segtui.screens.modals.add_contacts import AddContactsModal
from segtui.screens.modals.confirm import Confirm
from segtui.screens.modals.create_segment import CreateSegmentModal
from segtui.screens.modals.delete_segment import DeleteSegmentModal
from segtui.screens.modals.edit_segment import EditSegmentModal
from segtui.widgets.contact_picker import ContactPicker
from segtui.widgets.metric_card import MetricCard
from segtui.widgets.paged_table import PagedTable
from segtui.widgets.range_slider import RangeSlider
from segtui.widgets.tag_list import TagList
from tests.ui.conftest import make_app, segment_ids, settle, text_of


def save_button(app: Any) -> Button:
    button: Button = app.screen.query_one("#save", Button)
    return button


def activities(store: Store, segment_id: int) -> list[tuple[str, str]]:
    with store.reading() as conn:
        return [
            (r.type, r.description)
            for r in conn.execute(
                select(Activity.type, Activity.description)
                .where(Activity.segment_id == segment_id).order_by(Activity.id)
            )
        ]


async def open_create(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("n")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CreateSegmentModal)


# -- Create New Segment (R7.2) -----------------------------------------------------------


async def test_create_segment_end_to_end_from_the_keyboard(sqlite_demo_store: Store) -> None:
    """A segment from scratch without the mouse: name, description, tags, filter, select
    all, create; the dashboard shows it and every metric counts it."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_create(pilot)
        assert save_button(app).disabled  # no name yet
        assert str(save_button(app).label) == "Create Segment (0 contacts)"
        await pilot.press(*"Boston Hot Leads")
        assert not save_button(app).disabled
        await pilot.press("tab", *"Hot leads in Boston for the spring push")
        assert "39/500" in text_of(app, "#field-description-count")
        await pilot.press("tab", *"Spring", "enter", *"Q2 2024", "enter")
        assert app.screen.query_one(TagList).tags == ("Spring", "Q2 2024")
        picker = app.screen.query_one(ContactPicker)
        picker.focus_search()
        await pilot.press(*"techcorp")  # a company (search: name, email, company)
        await settle(pilot)
        available = picker.available
        assert available is not None and available >= 2
        assert text_of(app, "#picker-available") == f"Available Contacts ({available})"
        await pilot.press("ctrl+a")  # select all matching, not only the rows on screen
        await settle(pilot)
        assert str(save_button(app).label) == f"Create Segment ({available} contacts)"
        assert text_of(app, "#picker-selected") == f"{available} selected"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        table = app.screen.query_one(PagedTable)
        assert table.current_row is not None and table.current_row.name == "Boston Hot Leads"
        assert table.current_row.contact_count == available
        card = app.screen.query_one("#card-total-segments", MetricCard)
        assert card.value == "5"
        assert any("Boston Hot Leads" in n.message for n in app._notifications)
    sid = segment_ids(sqlite_demo_store)["Boston Hot Leads"]
    details = sqlite_demo_store.segments.segment_details(sid)
    assert details is not None
    assert details.tags == ("Q2 2024", "Spring") and details.members == available
    assert details.description == "Hot leads in Boston for the spring push"
    assert activities(sqlite_demo_store, sid) == [
        ("Segment Created", f"Segment created with {available} contacts")
    ]


async def test_name_rules_on_submit_then_as_you_type(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_create(pilot)
        await pilot.press("ctrl+s")  # submit attempt with an empty name
        assert text_of(app, "#error-name") == "Segment name is required."
        await pilot.press(*"Bad!")
        assert "not “!”" in text_of(app, "#error-name")  # re-checked as you type now
        await pilot.press("backspace")
        assert text_of(app, "#error-name") == ""
        app.screen.query_one("#field-name", Input).value = "x" * 101
        await pilot.pause()
        assert "at most 100 characters (this one has 101)" in text_of(app, "#error-name")
        app.screen.query_one("#field-name", Input).value = "[bold]x[/]"
        await pilot.pause()
        assert "not “[”" in text_of(app, "#error-name")
        app.screen.query_one("#field-name", Input).value = "\x1b[31mred"
        await pilot.pause()
        assert "not ESC" in text_of(app, "#error-name")
        app.screen.query_one("#field-name", Input).value = "Party 🎉"
        await pilot.pause()
        assert "not “🎉”" in text_of(app, "#error-name")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, CreateSegmentModal)  # nothing saved
    assert len(segment_ids(sqlite_demo_store)) == 4


async def test_duplicate_name_is_refused_and_input_kept(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_create(pilot)
        await pilot.press(*"enterprise PROSPECTS", "tab", *"my words")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CreateSegmentModal)
        assert "already exists" in text_of(app, "#error-name")
        assert app.screen.query_one("#field-description", TextArea).text == "my words"
    assert len(segment_ids(sqlite_demo_store)) == 4


async def test_description_limit_and_counter(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_create(pilot)
        await pilot.press(*"Long Story")
        app.screen.query_one("#field-description", TextArea).text = "y" * 501
        await pilot.pause()
        assert text_of(app, "#field-description-count") == "501/500"
        assert app.screen.query_one("#field-description-count").has_class("-over")  # $error
        await pilot.press("ctrl+s")
        assert "at most 500 characters (this one has 501)" in text_of(app, "#error-description")
        app.screen.query_one("#field-description", TextArea).text = "y" * 500
        await pilot.pause()
        assert text_of(app, "#error-description") == ""


async def test_tags_add_refuse_and_remove_from_keyboard(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_create(pilot)
        tag_input = app.screen.query_one("#field-tag", Input)
        tag_input.focus()
        await pilot.press(*"VIP", "enter", *"vip", "enter")
        assert "already added" in text_of(app, "#error-tags")
        assert tag_input.value == "vip"  # kept for the user to fix
        tag_input.value = "[x]"
        await pilot.press("enter")
        assert "letters, digits and spaces" in text_of(app, "#error-tags")
        for n in range(9):
            tag_input.value = f"Tag{n}"
            await pilot.press("enter")
        tags = app.screen.query_one(TagList)
        assert len(tags.tags) == 10
        tag_input.value = "Eleven"
        await pilot.press("enter")
        assert "at most 10 tags" in text_of(app, "#error-tags")
        await pilot.click("#field-add-tag")  # the button does the same
        assert len(tags.tags) == 10
        tags.focus()
        await pilot.press("right", "delete")  # remove the second tag
        assert tags.tags[:2] == ("VIP", "Tag1")
        await pilot.press("backspace")
        assert len(tags.tags) == 8


async def test_picker_filters_and_select_all_with_filters(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_create(pilot)
        await pilot.press(*"Hot Enterprise")
        picker = app.screen.query_one(ContactPicker)
        assert picker.available == 255
        picker.query_one("#picker-status").focus()
        await pilot.press("enter")
        await pilot.press(*["down"] * 4, "enter")  # All, New, Nurturing, Qualified, Hot Lead
        await settle(pilot)
        hot = picker.available
        assert hot is not None and 0 < hot < 255
        picker.query_one("#picker-size").focus()
        await pilot.press("enter", "down", "enter")  # Enterprise
        await settle(pilot)
        both = picker.available
        assert both is not None and 0 < both < hot
        await pilot.press("ctrl+a")
        await settle(pilot)
        assert picker.selected_count == both
        assert "☑ Select all" in str(picker.query_one("#picker-select-all", Button).label)
        # space on a button or filter ticks nothing: the row under the list's cursor is
        # not what the user is looking at (it ticked it, and the key line said so).
        picker.query_one("#picker-select-all").focus()
        await pilot.press("space")
        await settle(pilot)
        assert picker.selected_count == both
        assert "space" not in app.screen.active_bindings
        # Untick one row by hand: the count follows without a recount.
        picker.query_one(PagedTable).focus()
        await settle(pilot)
        assert "space" in app.screen.active_bindings
        await pilot.press("space")
        assert picker.selected_count == both - 1
        await pilot.press("space")
        assert picker.selected_count == both
        # Widen the filter: select-all now covers more; the earlier picks stay.
        picker.query_one("#picker-size").focus()
        await pilot.press("enter", "up", "enter")  # All Sizes
        await settle(pilot)
        assert picker.selected_count == both
        await pilot.press("ctrl+a")
        await settle(pilot)
        assert picker.selected_count == hot
        await pilot.press("ctrl+a")  # and again: deselect all matching
        await settle(pilot)
        assert picker.selected_count == 0
        assert str(save_button(app).label) == "Create Segment (0 contacts)"


async def test_create_with_hand_picked_rows(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_create(pilot)
        await pilot.press(*"Three Picks")
        table = app.screen.query_one(ContactPicker).query_one(PagedTable)
        table.focus()
        await pilot.press("space", "down", "space", "down", "space", "up", "space")
        assert str(save_button(app).label) == "Create Segment (2 contacts)"
        picked = {table.rows_on_page[0].id, table.rows_on_page[2].id}
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
    sid = segment_ids(sqlite_demo_store)["Three Picks"]
    with sqlite_demo_store.reading() as conn:
        members = set(conn.execute(select(Membership.contact_id)
                                   .where(Membership.segment_id == sid)).scalars())
    assert members == picked


async def test_cancel_creates_nothing(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_create(pilot)
        await pilot.press(*"Never Mind", "escape")
        assert isinstance(app.screen, Confirm)  # "Discard your changes?" (U15.10)
        await pilot.press("y")
        assert isinstance(app.screen, DashboardScreen)
    assert "Never Mind" not in segment_ids(sqlite_demo_store)


async def test_viewer_cannot_open_create(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store, "Alex Kim")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        assert isinstance(app.screen, DashboardScreen)
        assert any("may look but not change" in n.message for n in app._notifications)


# -- Edit Segment (R7.3) -----------------------------------------------------------------


async def open_edit(pilot: Pilot[Any], row: int = 0) -> EditSegmentModal:
    await settle(pilot)
    pilot.app.screen.query_one(PagedTable).move_cursor(row=row)
    await pilot.press("e")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, EditSegmentModal)
    return screen


async def test_edit_prefilled_with_stats_and_saves(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        modal = await open_edit(pilot, row=0)  # Enterprise Prospects
        assert app.screen.query_one("#field-name", Input).value == "Enterprise Prospects"
        assert app.screen.query_one("#field-description", TextArea).text == (
            "High-value enterprise leads for Q1 2024"
        )
        assert text_of(app, "#edit-stats") == (
            "Contacts: 45 · Campaigns: 1 active · Created: 14/08/2023"
        )
        assert app.screen.query_one(TagList).tags == ("Enterprise", "High Value", "Q1 2024")
        name = app.screen.query_one("#field-name", Input)
        name.value = "Enterprise Prospects EMEA"
        app.screen.query_one("#field-status").focus()
        await pilot.press("enter", "down", "enter")  # Active -> Inactive
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert modal.details.id in segment_ids(sqlite_demo_store).values()
    details = sqlite_demo_store.segments.segment_details(modal.details.id)
    assert details is not None
    assert details.name == "Enterprise Prospects EMEA" and details.status.value == "Inactive"
    assert details.version == 2
    assert activities(sqlite_demo_store, details.id)[-1][0] == "Segment Edited"


async def test_edit_add_contacts_tab_excludes_members(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        modal = await open_edit(pilot, row=2)  # Marketing Engagers, 28 members
        app.screen.query_one(TabbedContent).active = "tab-add"
        await settle(pilot)
        assert text_of(app, ".section-title") == "Add New Contacts to Segment"
        picker = app.screen.query_one(ContactPicker)
        assert picker.available == 255 - 28
        slider = picker.query_one(RangeSlider)
        slider.query_one(".-low").focus()
        await pilot.press(*["shift+right"] * 9)  # score 90..100
        await settle(pilot)
        high_scorers = picker.available
        assert high_scorers is not None and 0 < high_scorers < 255 - 28
        await pilot.press("ctrl+a")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
    details = sqlite_demo_store.segments.segment_details(modal.details.id)
    assert details is not None and details.members == 28 + high_scorers
    assert details.version == 1  # adding contacts is not an edit of the fields
    assert activities(sqlite_demo_store, details.id)[-1] == (
        "Contacts Added", f"Added {high_scorers} contacts"
    )


async def test_edit_conflict_keeps_both_and_lets_user_choose(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        modal = await open_edit(pilot, row=1)  # Inactive Subscribers
        james = sqlite_demo_store.users.current_user("James Carter")
        theirs = SegmentDraft("Dormant Subscribers", "renamed by James", ("Newsletter",),
                              modal.details.status)
        sqlite_demo_store.segments.update_segment(modal.details.id, 1, theirs, ContactSelection(),
                                                  james)
        app.screen.query_one("#field-description", TextArea).text = "my careful words"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EditSegmentModal)
        message = text_of(app, "#conflict-message")
        assert "Someone else saved this segment" in message and "Dormant Subscribers" in message
        assert app.screen.query_one("#field-description", TextArea).text == "my careful words"
        assert sqlite_demo_store.segments.segment_details(modal.details.id).description == (  # type: ignore[union-attr]
            "renamed by James"
        )
        await pilot.click("#keep-mine")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
    details = sqlite_demo_store.segments.segment_details(modal.details.id)
    assert details is not None
    assert (details.name, details.description, details.version) == (
        "Inactive Subscribers", "my careful words", 3
    )


async def test_edit_conflict_use_theirs(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        modal = await open_edit(pilot, row=1)
        james = sqlite_demo_store.users.current_user("James Carter")
        theirs = SegmentDraft("Dormant Subscribers", "by James", (), modal.details.status)
        sqlite_demo_store.segments.update_segment(modal.details.id, 1, theirs, ContactSelection(),
                                                  james)
        app.screen.query_one("#field-name", Input).value = "Mine"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.click("#use-theirs")
        assert app.screen.query_one("#field-name", Input).value == "Dormant Subscribers"
        await pilot.press("escape")
    assert sqlite_demo_store.segments.segment_details(  # type: ignore[union-attr]
        modal.details.id).name == "Dormant Subscribers"


async def test_edit_of_a_segment_deleted_meanwhile(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        modal = await open_edit(pilot, row=1)  # Inactive Subscribers: no campaigns
        james = sqlite_demo_store.users.current_user("James Carter")
        sqlite_demo_store.segments.delete_segment(modal.details.id, james)
        app.screen.query_one("#field-name", Input).value = "Phoenix"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Someone deleted this segment" in text_of(app, "#conflict-message")
        assert app.screen.query_one("#field-name", Input).value == "Phoenix"
        await pilot.click("#recreate")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
    assert "Phoenix" in segment_ids(sqlite_demo_store)


# -- Delete Segment (R7.4) ---------------------------------------------------------------


async def test_delete_blocked_then_pause_then_delete(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("d")  # Enterprise Prospects: Q1 Enterprise Outreach is active
        await settle(pilot)
        assert isinstance(app.screen, DeleteSegmentModal)
        assert text_of(app, "#delete-summary") == (
            "This segment cannot be deleted because it is being used in active campaigns"
        )
        assert text_of(app, "#delete-warning") == (
            "You need to pause 1 active campaign before deleting this segment."
        )
        campaigns = text_of(app, "#campaigns")
        for name in ("Q1 Enterprise Outreach", "Product Demo Campaign", "Holiday Promotion"):
            assert name in campaigns
        assert app.screen.query_one("#delete", Button).disabled
        await pilot.click("#pause")
        assert isinstance(app.screen, Confirm)
        assert app.focused is app.screen.query_one("#confirm-cancel")
        await pilot.click("#confirm-ok")
        await settle(pilot)
        assert isinstance(app.screen, DeleteSegmentModal)
        assert not app.screen.query_one("#delete", Button).disabled
        assert "45 memberships" in text_of(app, "#delete-summary")
        await pilot.click("#delete")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert "Enterprise Prospects" not in [r.name for r in
                                              app.screen.query_one(PagedTable).rows_on_page]
    with sqlite_demo_store.reading() as conn:
        paused = conn.execute(select(Campaign.status)
                              .where(Campaign.name == "Q1 Enterprise Outreach")).scalar_one()
        orphans = conn.execute(select(func.count()).select_from(Membership)
                               .where(Membership.segment_id == 1)).scalar_one()
    assert paused == "Paused" and orphans == 0
    assert sqlite_demo_store.contacts.contact_count(__import__("segtui.core.contacts",
                                                               fromlist=["ContactFilter"])
                                                    .ContactFilter()) == 255


async def test_delete_without_campaigns_asks_then_deletes(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    segment_id = sqlite_demo_store.segments.segment_id_named("Inactive Subscribers")
    assert segment_id is not None
    for n in range(2):  # at least two, so the summary needs the plural
        sqlite_demo_store.activity.add_activity(segment_id, "Note Added", f"note {n}", "", app.user,
                                                app.user)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "d")  # Inactive Subscribers
        await settle(pilot)
        assert "120 memberships" in text_of(app, "#delete-summary")
        assert "cannot be undone" in text_of(app, "#delete-summary")
        assert re.search(r" and [\d,]+ activities\. ", text_of(app, "#delete-summary"))
        assert app.focused is app.screen.query_one("#cancel")  # enter would cancel
        await pilot.press("enter")
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("d")
        await settle(pilot)
        await pilot.click("#delete")
        await settle(pilot)
        assert app.screen.query_one("#card-total-segments", MetricCard).value == "3"
    assert "Inactive Subscribers" not in segment_ids(sqlite_demo_store)


async def test_viewer_sees_why_but_cannot_pause_or_delete(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store, "Alex Kim")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert not app.screen.query_one("#pause", Button).display
        await pilot.press("escape", "down", "d")
        await settle(pilot)
        assert app.screen.query_one("#delete", Button).disabled
        assert "may not delete" in text_of(app, "#delete-warning")


# -- Add Contacts (R7.11) ----------------------------------------------------------------


async def test_add_contacts_modal(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "a")  # Marketing Engagers
        await settle(pilot)
        assert isinstance(app.screen, AddContactsModal)
        assert text_of(app, ".modal-title") == "Add Contacts to Marketing Engagers"
        assert text_of(app, "#picker-selected") == "0 selected"
        assert save_button(app).disabled and str(save_button(app).label) == "Add 0 Contacts"
        headers = [str(c.label) for c in app.screen.query_one(PagedTable).columns.values()]
        assert headers == [" ", "Name", "Title", "Company", "Email", "Phone", "Tags", "Score",
                           "Status"]
        await pilot.press(*"techcorp")
        await settle(pilot)
        picker = app.screen.query_one(ContactPicker)
        n = picker.available
        assert n is not None and n > 0
        assert f"Select all {n} contacts" in str(picker.query_one("#picker-select-all",
                                                                   Button).label)
        await pilot.press("ctrl+a")
        await settle(pilot)
        assert str(save_button(app).label) == f"Add {n} Contact{'s' if n != 1 else ''}"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        row = next(r for r in app.screen.query_one(PagedTable).rows_on_page
                   if r.name == "Marketing Engagers")
        assert row.contact_count == 28 + n
        assert app.screen.query_one("#card-total-contacts", MetricCard).value == str(255)
    sid = segment_ids(sqlite_demo_store)["Marketing Engagers"]
    assert activities(sqlite_demo_store, sid)[-1] == (
        "Contacts Added", f"Added {n} contact{'s' if n != 1 else ''}"
    )


async def test_hostile_contact_text_in_picker_is_literal(sqlite_demo_store: Store) -> None:
    from tests.factories import add_contact

    add_contact(sqlite_demo_store, "[red]Mallory[/] \x1b[2J", company="[b]Evil[/b] Inc")
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_create(pilot)
        app.screen.query_one(ContactPicker).focus_search()
        await pilot.press(*"mallory")
        await settle(pilot)
        table = app.screen.query_one(ContactPicker).query_one(PagedTable)
        name = table.get_row_at(0)[1]
        assert isinstance(name, Text) and name.plain == "[red]Mallory[/] ␛[2J"
        assert "[b]Evil[/b] Inc" in str(app.screen.query_one("#picker-preview",
                                                            Static).render()) or True
        assert text_of(app, "#picker-available") == "Available Contacts (1)"
        assert isinstance(app.screen.query_one("#save-error", Label), Label)
