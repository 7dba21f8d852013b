"""U15.9, U15.10 and the dialog parts of U15.13: every dialog answers f1 with its help and
shows its keys; escape asks before throwing typed work away; the small things a user
tripped over in the segment dialogs. Each test failed before its fix."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from rich.text import Text
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button, Input, Select, TabbedContent, TextArea

from segtui.core.activities import DEFAULT_ACTIVITY_TYPE
from segtui.core.contacts import ContactFilter, ContactSelection
from segtui.data.store import Store
from segtui.screens.dashboard import DashboardScreen
from segtui.screens.detail.screen import SegmentDetailScreen
from segtui.screens.modals.activity_dialog import ActivityDialog
from segtui.screens.modals.add_contacts import AddContactsModal
from segtui.screens.modals.choice_picker import ChoicePicker
from segtui.screens.modals.column_mapping import ColumnMappingModal
from segtui.screens.modals.condition_dialog import ConditionDialog
from segtui.screens.modals.confirm import Confirm
from segtui.screens.modals.contact_details import ContactDetails
from segtui.screens.modals.create_segment import CreateSegmentModal
from segtui.screens.modals.delete_segment import DeleteSegmentModal
from segtui.screens.modals.dialog import DISCARD_TITLE, Dialog
from segtui.screens.modals.edit_segment import EditSegmentModal
from segtui.screens.modals.export_members import ExportMembersModal
from segtui.screens.modals.help import HelpScreen
from segtui.screens.modals.import_file import ImportFileModal
from segtui.screens.modals.why_member import WhyMember
from segtui.widgets.contact_picker import ContactPicker
from segtui.widgets.key_line import KeyLine, fit
from segtui.widgets.paged_table import PagedTable
from segtui.widgets.range_slider import RangeSlider
from segtui.widgets.tag_list import TagList
from tests.ui.conftest import make_app, open_segment, segment_ids, settle

Opener = Callable[[Pilot[Any], Store], Awaitable[None]]
# A file whose columns the import's Columns dialog shows (two of them fill Status).
HUBSPOT = Path(__file__).resolve().parents[1] / "files" / "hubspot-contacts.csv"


async def press_on_dashboard(pilot: Pilot[Any], *keys: str) -> None:
    await settle(pilot)
    await pilot.press(*keys)
    await settle(pilot)


async def open_create(pilot: Pilot[Any], store: Store) -> None:
    await press_on_dashboard(pilot, "n")


async def open_edit(pilot: Pilot[Any], store: Store) -> None:
    await press_on_dashboard(pilot, "e")  # Enterprise Prospects


async def open_add_contacts(pilot: Pilot[Any], store: Store) -> None:
    await press_on_dashboard(pilot, "a")


async def open_delete(pilot: Pilot[Any], store: Store) -> None:
    await press_on_dashboard(pilot, "d")


async def open_import(pilot: Pilot[Any], store: Store) -> None:
    await press_on_dashboard(pilot, "i")


async def open_columns(pilot: Pilot[Any], store: Store) -> None:
    """ctrl+o in the import dialog, a file named (no check needed first)."""
    await open_import(pilot, store)
    pilot.app.screen.query_one("#import-path", Input).value = str(HUBSPOT)
    await pilot.press("ctrl+o")
    await settle(pilot)


async def open_export(pilot: Pilot[Any], store: Store) -> None:
    await open_segment(pilot, "Enterprise Prospects")
    await pilot.press("x")
    await settle(pilot)


async def open_activity(pilot: Pilot[Any], store: Store) -> None:
    await open_segment(pilot, "Enterprise Prospects")
    await pilot.press("5")
    await settle(pilot)
    # At 80x24 the timeline does not take the focus when shown (left to the tables'
    # work); its n key needs the focus inside the tab.
    pilot.app.screen.query_one("#activities", PagedTable).focus()
    await pilot.press("n")
    await settle(pilot)


def pusher(make: Callable[[Store], Screen[Any]]) -> Opener:
    """Open a dialog the way its caller does (push_screen), without the way there."""

    async def push(pilot: Pilot[Any], store: Store) -> None:
        await settle(pilot)
        pilot.app.push_screen(make(store))
        await settle(pilot)

    return push


def first_contact(store: Store) -> Any:
    return store.contacts.contact_page(ContactFilter(), ContactSelection(), limit=1).rows[0]


def why(store: Store) -> WhyMember:
    contact = first_contact(store)
    segment = segment_ids(store)["Enterprise Prospects"]
    return WhyMember(contact.name, "Enterprise Prospects",
                     store.members.explain_membership(segment, contact.id))


DIALOGS: list[tuple[str, Opener, type[Screen[Any]]]] = [
    ("create", open_create, CreateSegmentModal),
    ("edit", open_edit, EditSegmentModal),
    ("add-contacts", open_add_contacts, AddContactsModal),
    ("delete", open_delete, DeleteSegmentModal),
    ("import", open_import, ImportFileModal),
    ("columns", open_columns, ColumnMappingModal),
    ("export", open_export, ExportMembersModal),
    ("activity", open_activity, ActivityDialog),
    ("condition", pusher(lambda store: ConditionDialog()), ConditionDialog),
    ("choice", pusher(lambda store: ChoicePicker("Contacts in which city?", "All cities",
                                                 lambda text: [])), ChoicePicker),
    ("contact", pusher(lambda store: ContactDetails(first_contact(store))), ContactDetails),
    ("why", pusher(why), WhyMember),
    ("confirm", pusher(lambda store: Confirm("Pause campaigns", "Pause them?", "Pause")),
     Confirm),
]


def key_line(app: Any) -> str:
    line = app.screen.query_one(KeyLine)
    rendered = line.render()
    assert isinstance(rendered, Text)
    return rendered.plain


# -- §9: help and keys on screen in every dialog --------------------------------------------


@pytest.mark.parametrize(("opener", "kind"), [pytest.param(o, k, id=n) for n, o, k in DIALOGS])
async def test_f1_opens_the_help_of_every_dialog_and_closes_it(
    sqlite_demo_store: Store, opener: Opener, kind: type[Screen[Any]],
) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await opener(pilot, sqlite_demo_store)
        dialog = app.screen
        assert isinstance(dialog, kind)
        await pilot.press("f1")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        title = getattr(dialog, "title_text", "")
        assert title and help_screen.title_text == f"Help — {title}"
        assert dialog.HELP and help_screen.intro == dialog.HELP
        described = dict((d, k) for k, d in help_screen.keys)
        assert described["Help"] == "f1 ?"
        assert any("esc" in k.split() for k in described.values())  # how to leave it
        await pilot.press("f1")  # f1 again closes the help, back to the dialog
        assert app.screen is dialog


@pytest.mark.parametrize(("opener", "kind"), [pytest.param(o, k, id=n) for n, o, k in DIALOGS])
async def test_every_dialog_shows_its_keys_whole_at_80_columns(
    sqlite_demo_store: Store, opener: Opener, kind: type[Screen[Any]],
) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await opener(pilot, sqlite_demo_store)
        assert isinstance(app.screen, kind)
        line = key_line(app)
        assert line.endswith("f1 help")
        assert "esc " in line or "n/esc " in line
        assert cell_len(line) <= app.screen.query_one(KeyLine).content_size.width


async def test_key_lines_name_the_keys_of_the_focused_widget(sqlite_demo_store: Store) -> None:
    """ctrl+s, space, ctrl+a, delete on a tag and shift+arrows on the slider were shown
    nowhere (U15.9)."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_create(pilot, sqlite_demo_store)
        assert key_line(app) == "ctrl+s create · esc cancel · f1 help"
        app.screen.query_one(ContactPicker).query_one(PagedTable).focus()
        await pilot.pause()
        assert key_line(app) == ("ctrl+s create · esc cancel · space select row · "
                                 "ctrl+a select all · f1 help")
        await pilot.press("escape")
        await settle(pilot)
        await open_edit(pilot, sqlite_demo_store)
        app.screen.query_one(TagList).focus()
        await pilot.pause()
        assert key_line(app) == "ctrl+s save · esc cancel · del remove tag · f1 help"
        await pilot.press("f4")
        app.screen.query_one(RangeSlider).query_one(".-low").focus()
        await pilot.pause()
        assert key_line(app) == ("ctrl+s save · esc cancel · ←/→ move 1 · "
                                 "shift+←/→ move 10 · f1 help")


def test_a_key_line_leaves_out_whole_items_and_keeps_help() -> None:
    items = [("ctrl+s", "create"), ("esc", "cancel"), ("space", "select row")]
    assert fit(items, 40) == [("ctrl+s", "create"), ("esc", "cancel"), ("f1", "help")]
    assert fit(items, 10) == [("f1", "help")]
    assert fit(items, 26, last=None) == [("ctrl+s", "create"), ("esc", "cancel")]
    assert fit(items, 25, last=None) == [("ctrl+s", "create")]


async def test_question_mark_is_typed_in_text_fields_and_opens_help_elsewhere(
    sqlite_demo_store: Store,
) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_create(pilot, sqlite_demo_store)
        await pilot.press("question_mark")  # the name field has the focus: typed
        assert app.screen.query_one("#field-name", Input).value == "?"
        app.screen.query_one("#field-description", TextArea).focus()
        await pilot.press("question_mark")
        assert app.screen.query_one("#field-description", TextArea).text == "?"
        app.screen.query_one("#segment-kind", Select).focus()
        await pilot.press("question_mark")  # a list: help
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark")
        assert isinstance(app.screen, CreateSegmentModal)


async def test_dialog_help_lists_the_keys_of_its_widgets(sqlite_demo_store: Store) -> None:
    """Tag list, contact list, slider and rule tree keys are in the dialog's help whether
    or not the focus is on them; the focused one's section comes first."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_edit(pilot, sqlite_demo_store)
        app.screen.query_one(TagList).focus()
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        sections = {title: dict((d, k) for k, d in rows) for title, rows in app.screen.sections}
        assert app.screen.sections[0][0] == "Tag list"
        assert sections["Tag list"]["Remove tag"] == "del backspace"
        assert sections["Contact list"]["Select row"] == "space"
        assert sections["Contact list"]["Select all contacts matching the search and filters "
                                        "(again: unselect them)"] == "ctrl+a"
        assert sections["Range slider (each handle)"]["Move 10"] == "shift+←/→ pgup pgdn"
        assert sections["Rule tree (Dynamic segments)"]["Add condition"] == "a"
        described = {d: k for k, d in app.screen.keys}
        assert described["Save changes (from any field)"] == "ctrl+s"
        assert described["Add Contacts tab"] == "f4"
        # Textual's own cursor keys of the focused widgets are not what help is for.
        assert "Cursor up" not in described and "Move cursor left" not in described


async def test_edit_tabs_are_reached_with_f_keys_not_shift_tab(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_edit(pilot, sqlite_demo_store)
        tabs = app.screen.query_one(TabbedContent)
        assert "f3" in str(tabs.get_tab("tab-rule").label)  # each tab names its key
        await pilot.press("f3")
        assert tabs.active == "tab-rule" and app.focused is app.screen.query_one("#rule-text")
        await pilot.press("f4")
        assert tabs.active == "tab-add"
        assert app.focused is app.screen.query_one("#picker-search")
        await pilot.press("ctrl+pagedown")  # Who sees it (C19.3.2)
        assert tabs.active == "tab-sharing"
        assert app.focused is app.screen.query_one("#sharing-visibility")
        await pilot.press("ctrl+pagedown")  # wraps round to the first
        assert tabs.active == "tab-details"
        assert app.focused is app.screen.query_one("#field-name")
        await pilot.press("ctrl+pageup")
        assert tabs.active == "tab-sharing"
        await pilot.press("f5", "f2")
        assert tabs.active == "tab-details"


# -- §10: escape asks before throwing work away ----------------------------------------------


async def test_escape_in_create_asks_and_no_keeps_everything(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_create(pilot, sqlite_demo_store)
        create = app.screen
        await pilot.press(*"Spring Push", "tab", *"for the spring")
        await pilot.press("escape")
        assert isinstance(app.screen, Confirm) and app.screen.title_text == DISCARD_TITLE
        assert app.focused is app.screen.query_one("#confirm-cancel")  # enter keeps
        await pilot.press("n")
        assert app.screen is create
        assert app.screen.query_one("#field-name", Input).value == "Spring Push"
        assert app.screen.query_one("#field-description", TextArea).text == "for the spring"
        assert app.focused is app.screen.query_one("#field-description")
        await pilot.press("escape", "enter")  # enter on "Keep editing"
        assert app.screen is create
        await pilot.press("escape", "escape")  # escape answers no too
        assert app.screen is create
        await pilot.press("escape", "y")
        assert isinstance(app.screen, DashboardScreen)
    assert "Spring Push" not in segment_ids(sqlite_demo_store)


async def test_escape_closes_at_once_when_nothing_changed(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        for opener in (open_create, open_edit, open_add_contacts):
            await opener(pilot, sqlite_demo_store)
            assert isinstance(app.screen, Dialog)
            await pilot.press("escape")
            assert isinstance(app.screen, DashboardScreen)
        # Typed and taken back, ticked and unticked: nothing changed either.
        await open_create(pilot, sqlite_demo_store)
        await pilot.press("x", "backspace")
        app.screen.query_one(ContactPicker).query_one(PagedTable).focus()
        await pilot.press("space", "space", "escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_escape_asks_in_every_dialog_holding_work(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        # Edit: a changed status.
        await open_edit(pilot, sqlite_demo_store)
        app.screen.query_one("#field-status", Select).value = "Inactive"
        await pilot.press("escape")
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        assert isinstance(app.screen, DashboardScreen)
        # Add Contacts: a ticked row.
        await open_add_contacts(pilot, sqlite_demo_store)
        app.screen.query_one(ContactPicker).query_one(PagedTable).focus()
        await pilot.press("space", "escape")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        assert app.screen.query_one(ContactPicker).selected_count == 1
        await pilot.press("escape", "y")
        assert isinstance(app.screen, DashboardScreen)
        # The condition dialog: a field chosen, a value typed.
        app.push_screen(ConditionDialog())
        await settle(pilot)
        app.screen.query_one("#cond-field", Select).value = "city"
        await settle(pilot)
        app.screen.query_one("#cond-value", Input).focus()
        await pilot.press(*"Boston", "escape")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        assert isinstance(app.screen, ConditionDialog)
        assert app.screen.query_one("#cond-value", Input).value == "Boston"
        await pilot.press("escape", "y")
        assert isinstance(app.screen, DashboardScreen)
        # Add Activity: a description typed; its result is still "nothing saved".
        await open_activity(pilot, sqlite_demo_store)
        dialog = app.screen
        assert isinstance(dialog, ActivityDialog)
        dialog.query_one("#activity-description", Input).focus()
        await pilot.press(*"Called", "escape")
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        assert isinstance(app.screen, SegmentDetailScreen)


async def test_escape_in_the_columns_dialog_asks_before_dropping_choices(
    sqlite_demo_store: Store,
) -> None:
    """The import's Columns dialog dropped changed choices on escape without asking."""
    app = make_app(sqlite_demo_store)

    def top() -> Screen[Any]:  # the screen on top, not narrowed by mypy from one look to the next
        return app.screen

    async with app.run_test(size=(80, 24)) as pilot:
        await open_columns(pilot, sqlite_demo_store)
        columns = top()
        assert isinstance(columns, ColumnMappingModal)
        below = app.screen_stack[-2]
        assert isinstance(below, ImportFileModal)
        importer: ImportFileModal = below
        first = columns.query_one(".column-row Select", Select)
        assert app.focused is first
        before = first.value
        changed = "Name" if before != "Name" else ""
        first.value = changed
        await pilot.pause()
        await pilot.press("escape")
        asked = top()
        assert isinstance(asked, Confirm) and asked.title_text == DISCARD_TITLE
        await pilot.press("n")  # back, the choice and the focus as they were
        assert top() is columns and first.value == changed and app.focused is first
        await pilot.click("#columns-cancel")  # Cancel asks too
        assert isinstance(top(), Confirm)
        await pilot.press("escape")
        assert top() is columns
        first.value = before  # changed back: nothing to lose
        await pilot.pause()
        await pilot.press("escape")
        assert top() is importer
        assert importer.overrides == {}
        await pilot.press("ctrl+o")
        await settle(pilot)
        again = top()
        assert isinstance(again, ColumnMappingModal)
        again.query_one(".column-row Select", Select).value = changed
        await pilot.pause()
        await pilot.press("escape", "y")  # discarded: the import keeps no choice
        assert top() is importer
        assert importer.overrides == {}


async def test_use_theirs_makes_their_version_the_unchanged_one(
    sqlite_demo_store: Store,
) -> None:
    """After "Use theirs" the form shows what is saved: escape closes at once."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_edit(pilot, sqlite_demo_store)
        modal = app.screen
        assert isinstance(modal, EditSegmentModal)
        james = sqlite_demo_store.users.current_user("James Carter")
        theirs = modal.details.as_draft()
        sqlite_demo_store.segments.update_segment(modal.details.id, 1,
                                                  type(theirs)("EP by James", theirs.description,
                                                               theirs.tags, theirs.status),
                                                  ContactSelection(), james)
        modal.query_one("#field-name", Input).value = "Mine"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.click("#use-theirs")
        assert modal.query_one("#field-name", Input).value == "EP by James"
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


# -- §13: the segment dialogs' small things ---------------------------------------------------


async def test_the_create_button_shows_its_whole_label_as_the_count_grows(
    sqlite_demo_store: Store,
) -> None:
    """"Create Segment (78" at 80x24: the button kept the width of its first label."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_create(pilot, sqlite_demo_store)
        app.screen.query_one("#segment-kind", Select).value = "Dynamic"
        await settle(pilot)
        app.screen.query_one("#rule-text", Input).focus()
        await pilot.press(*'status = "Cold"')
        await settle(pilot)
        button = app.screen.query_one("#save", Button)
        label = str(button.label)
        assert label.startswith("Create Segment (") and label.endswith(" contacts)")
        assert label != "Create Segment (0 contacts)"
        # As the user sees it: the button's width alone looked right before the fix, the
        # screen showed "Create Segment (78".
        shown = "".join(strip.text for strip in app.screen._compositor.render_strips())
        assert label in shown


async def test_add_activity_starts_with_a_person_s_activity(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_activity(pilot, sqlite_demo_store)
        kind = app.screen.query_one("#activity-type", Select).value
        assert kind == DEFAULT_ACTIVITY_TYPE == "Phone Outreach"


async def test_a_tag_error_goes_when_the_tag_box_is_cleared(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_create(pilot, sqlite_demo_store)
        app.screen.query_one("#field-tag", Input).focus()
        await pilot.press(*"VIP", "enter", *"vip", "enter")
        error = app.screen.query_one("#error-tags")
        assert "already added" in str(error.render()) and not error.disabled
        await pilot.press("ctrl+u")  # the box emptied
        assert app.screen.query_one("#field-tag", Input).value == ""
        assert error.disabled and str(error.render()) == ""


async def test_an_empty_tag_list_is_no_tab_stop(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_create(pilot, sqlite_demo_store)
        app.screen.query_one("#field-add-tag", Button).focus()
        await pilot.press("tab")
        assert app.focused is app.screen.query_one("#segment-kind")
        # A tag added: the list is a stop (delete removes it); removed again: not.
        app.screen.query_one("#field-tag", Input).focus()
        await pilot.press(*"VIP", "enter", "tab", "tab")
        tags = app.screen.query_one(TagList)
        assert app.focused is tags
        await pilot.press("delete")
        assert tags.tags == () and not tags.can_focus


async def test_f1_in_a_menu_lists_its_keys_not_the_dashboard_s_help(
    sqlite_demo_store: Store,
) -> None:
    """Any modal answers f1, even one that is not a Dialog yet (the row menu)."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await press_on_dashboard(pilot, "m")
        menu = app.screen
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.intro == "The keys that work here:"
        assert ("esc", "Cancel") in app.screen.keys
        await pilot.press("escape")
        assert app.screen is menu
