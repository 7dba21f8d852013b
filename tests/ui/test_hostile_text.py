"""U15.1: user text never reaches a widget as markup or as terminal escapes.

Each test puts the hostile corpus (tests/hostile.py) where users put text (segment names and
descriptions, contact names and cities, user names, typed searches) and visits the places
it shows: the command palette's hits and help line, toasts, the header, dialog titles,
option lists and pickers, table cells, confirmations and error messages. Each entry must
show literally, and nothing may crash (a crash ends the app, failing the test).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.content import Content
from textual.widgets import Label, OptionList

from segtui.core.records import ChoiceKind
from segtui.core.text import printable
from segtui.data.store import Store
from segtui.screens.dashboard import DashboardScreen
from segtui.screens.detail.screen import SegmentDetailScreen
from segtui.screens.modals.help import HelpScreen
from segtui.widgets.paged_table import PagedTable
from segtui.widgets.text import escaped_markup
from tests.factories import add_contact, add_segment
from tests.hostile import HOSTILE, shown
from tests.ui.conftest import make_app, settle, wait_until

KEYS = list(HOSTILE)


def plain(value: Any) -> str:
    if isinstance(value, Text | Content):
        return value.plain
    return str(value)


def toasts(app: Any) -> list[str]:
    return [f"{n.title}\n{n.message}" for n in app._notifications]


async def test_palette_hits_show_names_and_descriptions_literally(
        sqlite_demo_store: Store) -> None:
    """The reported crash: a description holding "[/]" killed the app from ctrl+p. Every
    hostile entry as a segment name and description: the palette's hits and help lines,
    then the opened segment's title, header and help title."""
    for n, key in enumerate(KEYS):
        add_segment(sqlite_demo_store, f"Zeta{n} {HOSTILE[key]}",
                    description=f"About {HOSTILE[key]}")
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for n, key in enumerate(KEYS):
            await pilot.press("ctrl+p", *f"Zeta{n}")
            assert isinstance(app.screen, CommandPalette)
            commands = app.screen.query_one(CommandList)

            def prompts(commands: CommandList = commands) -> list[str]:
                return [plain(commands.get_option_at_index(i).prompt)
                        for i in range(commands.option_count)]

            wanted = f"Open segment: Zeta{n} {shown(key)}"
            await wait_until(pilot, lambda w=wanted: any(w in p for p in prompts()),  # type: ignore[misc]
                             f"the palette hit for {key}")
            assert any(wanted in p and f"About {shown(key)}" in p for p in prompts())
            await pilot.press("escape")
        await pilot.press("ctrl+p", *"Zeta0")  # open the first one from the palette
        await settle(pilot)  # the palette gathers its hits in a worker: all of them are in
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SegmentDetailScreen)
        name = f"Zeta0 {shown(KEYS[0])}"
        assert plain(app.screen.query_one("#detail-title", Label).render()) == name
        assert name in app.format_title(app.title, app.screen.sub_title or "").plain
        await pilot.press("question_mark")  # the help's title names the segment
        assert isinstance(app.screen, HelpScreen)
        assert name in plain(app.screen.query_one(".modal-title", Label).render())
    assert app.crash is None


def test_header_never_passes_escapes() -> None:
    from segtui.app import SegtuiApp

    for key, hostile in HOSTILE.items():
        title = SegtuiApp.format_title(object.__new__(SegtuiApp), "segtui", hostile)
        assert title.plain == f"segtui — {shown(key)}"


async def test_toasts_and_dialog_titles_show_names_literally(sqlite_demo_store: Store) -> None:
    """Segments whose names hold hostile text (names are validated in segtui, but a
    database shared with other tools may hold anything): the list, the row menu, the edit
    and delete dialogs' titles, the toast after deleting; then the same text typed as a
    new segment's name: created and said so, or refused with an error that shows it."""
    for key in KEYS:
        add_segment(sqlite_demo_store, f"A {HOSTILE[key]}", description=HOSTILE[key])
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:

        def title() -> str:
            return plain(app.screen.query_one(".modal-title", Label).render())

        for _ in KEYS:
            await settle(pilot)
            table = app.screen.query_one(PagedTable)
            row = table.current_row
            assert row is not None and row.name.startswith("A "), row
            shown_name = plain(table.get_row_at(table.cursor_row)[0])
            assert shown_name == printable(row.name)
            await pilot.press("m")
            assert title() == shown_name
            await pilot.press("escape", "e")
            await settle(pilot)
            assert title() == f"Edit Segment: {shown_name}"
            await pilot.press("escape", "d")
            await settle(pilot)
            assert title() == f"Delete Segment: {shown_name}"
            await pilot.click("#delete")
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)
            assert f"Segment “{shown_name}” deleted" in toasts(app)[-1], toasts(app)
        for key in ("closing tag", "ANSI", "long"):  # the Create dialog is slow to open
            await pilot.press("n")
            await settle(pilot)
            app.screen.query_one("#field-name").value = HOSTILE[key]  # type: ignore[attr-defined]
            await pilot.press("ctrl+s")
            await settle(pilot)
            if isinstance(app.screen, DashboardScreen):  # a valid name: created, said so
                assert f"Segment “{shown(key)}” created" in toasts(app)[-1]
                continue
            errors = [plain(w.render()) for w in app.screen.query(".field-error")]
            assert any(e.startswith("Segment name") for e in errors), errors
            assert not any("\x1b" in e for e in errors)
            await pilot.press("escape")
            await settle(pilot)
    assert app.crash is None


async def test_pickers_and_typed_searches_show_text_literally(sqlite_demo_store: Store) -> None:
    """Cities holding hostile text in the city filter's options, picked; a hostile search
    typed in the picker ("No match for …"); the filter summary under the list."""
    for key in KEYS:
        add_contact(sqlite_demo_store, "Pat Hostile", city=f"Zeta {HOSTILE[key]}")
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        dashboard.pick_filter(ChoiceKind.CITY)
        await settle(pilot)
        await pilot.press(*"Zeta")
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        prompts = [plain(options.get_option_at_index(i).prompt)
                   for i in range(options.option_count)]
        assert sorted(prompts) == sorted(f"Zeta {shown(key)}" for key in KEYS)
        for index, key in enumerate(KEYS):
            if index:
                dashboard.pick_filter(ChoiceKind.CITY)
                await settle(pilot)
                await pilot.press(*"Zeta")
                await settle(pilot)
            options = app.screen.query_one(OptionList)
            at = [plain(options.get_option_at_index(i).prompt)
                  for i in range(options.option_count)].index(f"Zeta {shown(key)}")
            options.highlighted = at
            options.action_select()
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)
            assert dashboard.filter.city == f"Zeta {HOSTILE[key]}"  # the value as stored
            status = plain(dashboard.query_one("#list-status", Label).render())
            assert f"city Zeta {shown(key)}" in status
        for key in KEYS:
            dashboard.pick_filter(ChoiceKind.CITY)
            await settle(pilot)
            app.screen.query_one("Input").value = f"qq{HOSTILE[key]}"  # type: ignore[attr-defined]
            await settle(pilot)
            options = app.screen.query_one(OptionList)
            assert plain(options.get_option_at_index(0).prompt) == (
                f"No match for “qq{shown(key)}” — ctrl+l: clear the search")
            await pilot.press("escape")
    assert app.crash is None


def test_escaped_markup_shows_exactly_the_text() -> None:
    for key, hostile in HOSTILE.items():
        assert Content.from_markup(escaped_markup(hostile)).plain == shown(key)
