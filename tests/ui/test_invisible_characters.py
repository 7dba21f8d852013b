"""I16.8: text from the database that holds characters no one can see (a bidi
override, an ESC, a zero-width space) never reaches the terminal raw from a field the user
edits, and saving what the user did not change leaves it exactly as stored.

The Edit dialog's name and description, an activity's description and details, the Rule
line and a condition's value show such characters as stand-ins (␛, �) with a note under
the field saying which they are; each test checks what the terminal shows and what the
database holds afterwards (docs/dialogs.md, "Invisible characters").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea

from segtui.core.contacts import ContactSelection
from segtui.core.rules.language import parse
from segtui.core.segments import SegmentDetails, SegmentDraft
from segtui.core.text import hidden_characters, visible
from segtui.data.db.models import Activity
from segtui.data.store import Store
from segtui.screens.dashboard import DashboardScreen
from segtui.screens.detail.screen import SegmentDetailScreen
from segtui.screens.modals.activity_dialog import ActivityDialog
from segtui.screens.modals.condition_dialog import ConditionDialog
from segtui.screens.modals.edit_segment import EditSegmentModal
from segtui.widgets.paged_table import PagedTable
from segtui.widgets.rule_tree import RuleTree
from tests.factories import add_segment
from tests.hostile import HOSTILE, shown
from tests.ui.conftest import make_app, screen_text, settle, text_of

BIDI_NAME = "Zed\u202eAdmin\u202c"  # shows as "ZednimdA" in a terminal that obeys it
SHOWN_NAME = "Zed\ufffdAdmin\ufffd"
DESCRIPTION = "About \u202eevil\x1b[31m red\nsecond\u200b line"
SHOWN_DESCRIPTION = "About \ufffdevil\u241b[31m red\nsecond\ufffd line"


def raw_on_screen(app: Any) -> list[str]:
    """The lines of the terminal holding a character the app shows as a stand-in
    everywhere (controls, bidi controls). The fields also mark the other invisible
    characters (a zero-width space), which their tests check in the fields' values."""
    return [line for line in screen_text(app) if visible(line) != line]


def details_of(store: Store, segment_id: int) -> SegmentDetails:
    details = store.segments.segment_details(segment_id)
    assert details is not None
    return details


async def open_edit(pilot: Pilot[Any], search: str) -> EditSegmentModal:
    """From the dashboard: search, then e on the first match (the way a user gets there
    without typing the name, which they can't)."""
    await settle(pilot)
    await pilot.press("slash", *search, "enter")
    await settle(pilot)
    await pilot.press("e")
    await settle(pilot)
    modal = pilot.app.screen
    assert isinstance(modal, EditSegmentModal)
    return modal


async def test_the_edit_dialog_shows_stored_text_as_stand_ins(sqlite_demo_store: Store) -> None:
    """The hostile corpus as names and descriptions: each field shows what the rest of the
    app shows, nothing raw reaches the terminal, a note says so only when something is
    hidden, and escape closes at once (nothing changed)."""
    for n, key in enumerate(HOSTILE):
        add_segment(sqlite_demo_store, f"Zeta{n} {HOSTILE[key]}", description=HOSTILE[key])
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(100, 40)) as pilot:
        for n, key in enumerate(HOSTILE):
            modal = await open_edit(pilot, f"Zeta{n}")
            assert modal.query_one("#field-name", Input).value == f"Zeta{n} {shown(key)}"
            assert modal.query_one("#field-description", TextArea).text == shown(key)
            assert raw_on_screen(app) == [], key
            hidden = bool(hidden_characters(HOSTILE[key]))
            for field in ("name", "description"):
                assert modal.query_one(f"#note-{field}").display is hidden, (key, field)
            await pilot.press("escape")  # unchanged: closes without asking
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen), key
    assert app.crash is None


async def test_saving_the_status_keeps_name_and_description_exactly(demo_store: Store) -> None:
    """Only the status changes: the name and description keep their invisible characters
    byte for byte (before, the raw U+202E was on screen and the save was refused for a
    name the user had not touched)."""
    segment_id = add_segment(demo_store, BIDI_NAME, description=DESCRIPTION)
    app = make_app(demo_store)
    async with app.run_test(size=(100, 40)) as pilot:
        modal = await open_edit(pilot, "Zed")
        assert raw_on_screen(app) == []
        assert modal.query_one("#field-name", Input).value == SHOWN_NAME
        assert modal.query_one("#field-description", TextArea).text == SHOWN_DESCRIPTION
        note = text_of(app, "#note-name")
        assert note.startswith("Holds 2 invisible characters (�): U+202E right-to-left "
                               "override, U+202C pop directional formatting."), note
        assert "Unchanged, the name stays as saved" in note
        note = text_of(app, "#note-description")
        assert note.startswith("Holds 3 invisible characters (�, ␛): U+202E right-to-left "
                               "override, U+001B escape, U+200B zero width space."), note
        modal.query_one("#field-status", Select).focus()
        await pilot.press("enter", "down", "enter")  # Active -> Inactive
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
    details = details_of(demo_store, segment_id)
    assert (details.name, details.description) == (BIDI_NAME, DESCRIPTION)
    assert details.status.value == "Inactive"
    with demo_store.reading() as conn:
        logged = conn.execute(select(Activity.type, Activity.description)
                              .where(Activity.segment_id == segment_id)).all()
    assert [tuple(row) for row in logged] == [("Status Changed",
                                               "Changed status Active → Inactive")]


async def test_an_edited_name_must_lose_its_invisible_characters(demo_store: Store) -> None:
    """Edited, the name follows a new segment's rules: each mark left stands for its
    character, so the save is refused until the user deletes them; the description's
    bidi override stays where its mark was left, its ESC is refused until deleted."""
    segment_id = add_segment(demo_store, BIDI_NAME, description=DESCRIPTION)
    app = make_app(demo_store)
    async with app.run_test(size=(100, 40)) as pilot:
        modal = await open_edit(pilot, "Zed")
        name = modal.query_one("#field-name", Input)
        name.focus()
        await pilot.press("end", *" Team", "ctrl+s")
        await settle(pilot)
        assert app.screen is modal  # refused: nothing written
        assert text_of(app, "#error-name") == ("Segment name may contain only letters, "
                                               "digits and spaces, not control character "
                                               "U+202E.")
        assert name.value == f"{SHOWN_NAME} Team" and raw_on_screen(app) == []
        assert details_of(demo_store, segment_id).name == BIDI_NAME
        # Delete both marks: the note goes with them.
        name.focus()
        await pilot.press("home", *["right"] * 4, "backspace", "end", *["left"] * 5,
                          "backspace")
        assert name.value == "ZedAdmin Team"
        assert not modal.query_one("#note-name").display
        # The description: a line added; the ESC is refused, then deleted by its mark.
        description = modal.query_one("#field-description", TextArea)
        description.focus()
        description.move_cursor(description.document.end)
        await pilot.press("enter", *"third", "ctrl+s")
        await settle(pilot)
        assert app.screen is modal
        assert text_of(app, "#error-description") == "Description can't contain ESC."
        description.focus()  # the refused save put the cursor in the name
        description.move_cursor((0, len("About �evil␛")))
        await pilot.press("backspace")
        assert "␛" not in description.text and raw_on_screen(app) == []
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
    details = details_of(demo_store, segment_id)
    assert details.name == "ZedAdmin Team"
    assert details.description == "About \u202eevil[31m red\nsecond\u200b line\nthird"


async def test_an_activity_shows_and_keeps_its_invisible_characters(demo_store: Store) -> None:
    """An activity whose description and details hold a bidi override (allowed: only
    control characters are refused): shown as stand-ins, saved unchanged as stored."""
    segment_id = add_segment(demo_store, "Zed Activities")
    user = demo_store.users.current_user("Sarah Mitchell")
    demo_store.activity.add_activity(segment_id, "Phone Outreach", "Called \u202eevil\u202c",
                                     "Line one\nline \u2066two\u2069", user, user)
    app = make_app(demo_store)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"Zed", "enter")
        await settle(pilot)
        await pilot.press("enter", "5")  # the detail screen, its Activity tab
        await settle(pilot)
        assert isinstance(app.screen, SegmentDetailScreen)
        app.screen.query_one("#activities", PagedTable).focus()
        await pilot.press("home", "enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ActivityDialog) and dialog.editable
        assert dialog.query_one("#activity-description", Input).value == "Called �evil�"
        assert dialog.query_one("#activity-details", TextArea).text == "Line one\nline �two�"
        assert raw_on_screen(app) == []
        assert text_of(app, "#note-details").startswith(
            "Holds 2 invisible characters (�): U+2066 left-to-right isolate, U+2069 pop "
            "directional isolate.")
        dialog.query_one("#activity-description", Input).focus()
        await pilot.press("end", *" twice", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SegmentDetailScreen)
    with demo_store.reading() as conn:
        saved = conn.execute(select(Activity.description, Activity.details)
                             .where(Activity.segment_id == segment_id,
                                    Activity.type == "Phone Outreach")).one()
    assert tuple(saved) == ("Called \u202eevil\u202c twice", "Line one\nline \u2066two\u2069")


async def test_a_rule_shows_and_keeps_its_invisible_characters(demo_store: Store) -> None:
    """A rule whose values hold a bidi override: the Rule line and the condition dialog
    show stand-ins; using the condition unchanged and saving keep the rule as stored."""
    user = demo_store.users.current_user("Sarah Mitchell")
    rule = parse('city = "Zeta\u202eX" or company = "Acme\u200b"')
    segment_id = demo_store.segments.create_segment(SegmentDraft("Zed Rule", rule=rule),
                                                    ContactSelection(), user)
    stored = details_of(demo_store, segment_id).rule
    app = make_app(demo_store)
    async with app.run_test(size=(100, 40)) as pilot:
        modal = await open_edit(pilot, "Zed")
        await pilot.press("f3")
        await settle(pilot)
        line = modal.query_one("#rule-text", Input)
        assert line.value == 'city = "Zeta�X" or company = "Acme�"'
        assert raw_on_screen(app) == []
        assert text_of(app, "#rule-note").startswith(
            "Holds 2 invisible characters (�): U+202E right-to-left override, U+200B zero "
            "width space.")
        modal.query_one(RuleTree).focus()
        await pilot.press("home", "down", "enter")  # the first condition
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConditionDialog)
        assert dialog.query_one("#cond-value", Input).value == "Zeta�X"
        assert raw_on_screen(app) == []
        assert dialog.query_one("#cond-note").display
        await pilot.press("ctrl+s")  # used as it is
        await settle(pilot)
        assert app.screen is modal
        assert line.value == 'city = "Zeta�X" or company = "Acme�"'
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
    assert details_of(demo_store, segment_id).rule == stored
