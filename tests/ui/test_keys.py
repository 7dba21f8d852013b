"""Keys (U15.6 and U15.12): the key bar at the bottom of every screen shows whole entries
and the screen's essential keys at 80 columns; one menu widget; the palette shows each
command's key and leaves out what makes no sense there; one key, one meaning, on every
screen (docs/keys.md)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from rich.text import Text
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.dom import DOMNode
from textual.pilot import Pilot

import segtui.app
import segtui.screens
import segtui.widgets
from segtui.data.store import Store
from segtui.screens.detail.screen import SegmentDetailScreen
from segtui.screens.modals.row_menu import ActionMenu, RowMenu
from segtui.screens.quality import DataQualityScreen
from segtui.widgets.key_bar import MORE_KEYS, KeyEntry, fit_keys, line_width
from tests.ui.conftest import make_app, open_segment, screen_text, settle
from tests.ui.quality_data import add_duplicates

SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]

# -- the key bar ---------------------------------------------------------------------------

# What each screen's bar must show at 80 columns (docs/keys.md); at 120 every key shows.
DETAIL_KEYS = ["esc", "a", "e", "x", "q", "?"]
ESSENTIAL = {
    "dashboard": ["n", "/", "f", "s", "x", "i", "r", "q", "?"],
    "detail 1": ["/", "m", *DETAIL_KEYS, "r"],
    "detail 2": [*DETAIL_KEYS, "r"],
    "detail 3": [*DETAIL_KEYS, "r"],
    "detail 4": [*DETAIL_KEYS, "r"],
    "detail 5": ["n", *DETAIL_KEYS, "r"],
    "detail 6": ["^s", "n", *DETAIL_KEYS],
    "quality": ["esc", "k", "M", "m", "r", "q", "?"],
    "usage 1": ["esc", "f", "x", "r", "q", "?"],
    "usage 2": ["esc", "p", "r", "q", "?"],
    "usage 3": ["esc", "A", "r", "q", "?"],
    "tokens": ["esc", "n", "D", "r", "q", "?"],  # an administrator's (C21.2.4)
}
ADMINISTRATORS = ("usage", "tokens")  # screens shown as James Carter


async def show(pilot: Pilot[Any], where: str) -> None:
    await settle(pilot)
    if where.startswith("detail"):
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press(where.split()[1])
    elif where == "quality":
        await pilot.press("Q")
    elif where.startswith("usage"):  # an administrator's (C19.4.4)
        await pilot.press("U")
        await settle(pilot)
        await pilot.press(where.split()[1])
    elif where == "tokens":
        await pilot.press("P")
        await settle(pilot)
        await pilot.press("K")
    await settle(pilot)


def bar_entries(app: Any) -> dict[str, str]:
    """What the screen's shown bindings would put on the bar: key as shown -> words."""
    entries: dict[str, str] = {}
    seen: set[str] = set()
    for binding in (b.binding for b in app.screen.active_bindings.values()):
        if binding.show and binding.description and binding.action not in seen:
            seen.add(binding.action)
            entries[app.get_key_display(binding)] = binding.description
    return entries


def read_bar(line: str, entries: dict[str, str]) -> list[str]:
    """The keys on the bar line, in order. Every entry must be whole: a key, a space, its
    description (or "More keys" for ?), then spaces or the end; anything else (a cut word,
    "a Add co", "^pCom mands") fails."""
    keys: list[str] = []
    rest = line.strip()
    candidates = {k: [d] for k, d in entries.items()}
    # Help: ? where no text field has the focus, else f1 (both bound; the bar shows one).
    for help_key in ("?", "f1"):
        candidates.setdefault(help_key, []).extend(["Help", MORE_KEYS])
    candidates.setdefault("^p", ["Commands"])  # Textual's Footer showed it, hidden or not
    while rest:
        rest = rest.lstrip(" ▏")
        match = next(((key, words) for key, options in candidates.items()
                      for words in options
                      if re.match(re.escape(f"{key} {words}") + r"(?=[ ▏]|$)", rest)), None)
        assert match is not None, f"not a whole entry: {rest!r} in {line!r}"
        keys.append(match[0])
        rest = rest[len(f"{match[0]} {match[1]}"):]
    return keys


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("where", list(ESSENTIAL))
async def test_key_bar_shows_whole_entries_and_the_essential_keys(
        sqlite_demo_store: Store, where: str, size: tuple[int, int]) -> None:
    """U15.6: at 80x24 the dashboard hid `i r q ?`, the detail screen cut "a Add co",
    the palette's key broke mid-word. Every screen's bar: whole entries only; at 80 columns
    the screen's essential keys; at 120 all of them."""
    app = make_app(sqlite_demo_store,
                   "James Carter" if where.startswith(ADMINISTRATORS) else None)
    async with app.run_test(size=size) as pilot:
        await show(pilot, where)
        line = screen_text(app)[-1]
        entries = bar_entries(app)
        shown = read_bar(line, entries)
        assert len(shown) == len(set(shown)), line
        if size[0] == 80:
            missing = [k for k in ESSENTIAL[where] if k not in shown]
            assert not missing, f"{where}: {missing} not on {line!r}"
        else:  # help shows as ? (its key where no text field has the focus) for f1
            assert set(entries) - {"f1"} <= set(shown) and "?" in shown, f"{where}: {line!r}"
            assert MORE_KEYS not in line


def test_fit_keys_never_overflows_and_keeps_help() -> None:
    """Any width: the line fits, the entries are a prefix of the screen's in order, the
    app's keys stay (help last), and help says "More keys" when something was left out."""
    screen = [KeyEntry(k, k, f"Action {k}", f"act_{k}") for k in "abcdefghij"]
    app = [KeyEntry("q", "q", "Quit", "quit"), KeyEntry("?", "?", "Help", "help")]
    palette = KeyEntry("ctrl+p", "^p", "Commands", "command_palette")
    for width in range(0, 140):
        shown = fit_keys(screen, app, palette, width)
        if not shown:
            continue
        assert line_width(shown) <= width
        mine = [e for e in shown if e in screen]
        assert mine == screen[:len(mine)]
        help_entry = next((e for e in shown if e.action == "help"), None)
        if line_width([app[1]]) <= width:
            assert help_entry is not None and shown[-1 if palette not in shown else -2] is \
                help_entry
            more = KeyEntry("?", "?", MORE_KEYS, "help")
            if len(mine) == len(screen):
                assert help_entry.description == "Help"
            elif line_width([more]) <= width:  # else "? Help" is all there is room for
                assert help_entry.description == MORE_KEYS


async def test_clicking_a_key_bar_entry_presses_its_key(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        line = screen_text(app)[-1]
        await pilot.click(offset=(line.index("f Filters"), 23))
        await settle(pilot)
        assert app.screen.query_one("#filters").display


# -- one menu ------------------------------------------------------------------------------


def menu_layout(app: Any) -> list[tuple[str, int, int]]:
    """Each option of the open menu as shown: (label, column where the label starts,
    column where the key ends). One line each, or the menu wrapped."""
    menu = app.screen
    assert isinstance(menu, ActionMenu)
    lines = screen_text(app)[:-1]  # not the key bar under the menu
    found = []
    for _, label, key in menu.options:
        shown = app.get_key_display(Binding(key, ""))
        matching = [line for line in lines if f" {label} " in line]
        assert len(matching) == 1, (label, matching)
        line = matching[0]
        start = line.index(f" {label} ") + 1
        after = line[start + len(label):]
        keyed = re.match(r"( +)" + re.escape(shown) + r" ", after)
        assert keyed is not None, f"the key {shown!r} is not beside {label!r}: {line!r}"
        found.append((label, start, start + len(label) + keyed.end() - 1))
    return found


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_every_menu_is_one_widget_with_keys_beside_labels(
        sqlite_demo_store: Store, size: tuple[int, int]) -> None:
    """U15.12: the member menu wrapped its keys under the labels while the row menu
    put them beside. Every menu (dashboard row, member, data quality row) is an ActionMenu:
    one line per option, labels in one column, keys right-aligned in another."""
    add_duplicates(sqlite_demo_store)
    app = make_app(sqlite_demo_store)
    layouts = []
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("m")
        assert isinstance(app.screen, RowMenu)
        layouts.append(menu_layout(app))
        await pilot.press("escape")
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("m")
        layouts.append(menu_layout(app))
        assert type(app.screen) is ActionMenu
        await pilot.press("escape", "escape")
        await settle(pilot)
        await pilot.press("Q")
        await settle(pilot)
        await pilot.press("m")
        assert type(app.screen) is ActionMenu
        layouts.append(menu_layout(app))
    for layout in layouts:
        assert len({start for _, start, _ in layout}) == 1, layout
        assert len({end for _, _, end in layout}) == 1, layout


async def test_quality_m_is_the_menu_and_M_merges(sqlite_demo_store: Store) -> None:
    """`m` is the menu on every list (it merged on the quality screen); the menu's keys
    are the screen's: k keeps, M merges (after asking)."""
    from segtui.screens.modals.confirm import Confirm

    dup = add_duplicates(sqlite_demo_store)
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("Q")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DataQualityScreen)
        await pilot.press("down", "m")
        menu = app.screen
        assert isinstance(menu, ActionMenu)
        assert [key for _, _, key in menu.options] == ["k", "M"]
        await pilot.press("k")  # keep the highlighted (second) contact of the group
        await settle(pilot)
        assert screen.is_current
        kept = [r.contact.id for r in screen.duplicate_rows if r.keep]
        assert kept[0] == dup.dana_new
        await pilot.press("m", "M")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        await pilot.press("escape", "M")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)


# -- the command palette -------------------------------------------------------------------


async def palette_prompts(pilot: Pilot[Any]) -> list[str]:
    await pilot.press("ctrl+p")
    assert isinstance(pilot.app.screen, CommandPalette)
    commands = pilot.app.screen.query_one(CommandList)
    await settle(pilot)  # the palette gathers its hits in a worker: all of them are in
    prompts = []
    for index in range(commands.option_count):
        prompt = commands.get_option_at_index(index).prompt
        prompts.append(prompt.plain if isinstance(prompt, Text) else str(prompt))
    await pilot.press("escape")
    return prompts


def with_key(prompts: list[str], command: str) -> str:
    """The key shown after the command (the palette's right-hand column)."""
    found = [p for p in prompts if re.match(re.escape(command) + r" {2,}\S", p)]
    assert len(found) == 1, (command, prompts)
    return found[0][len(command):].strip()


async def test_palette_shows_each_commands_key_and_no_key_only_bindings(
        sqlite_demo_store: Store) -> None:
    """U15.12: the palette showed no keys and offered escape's "Back to the list"
    on the dashboard (it only leaves the search box). Now each command has its keys in a
    column, as the key bar and help show them; a detail tab's own keys are commands too."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        prompts = await palette_prompts(pilot)
        assert not [p for p in prompts if "Back to the list" in p]
        assert not [p for p in prompts if p.startswith("Commands")]
        for command, key in (("New", "n"), ("Filters", "f"), ("Export", "x"), ("Open", "⏎"),
                             ("Data quality", "Q"), ("Help", "f1 ?"), ("Menu", "m")):
            assert with_key(prompts, command) == key
        columns = {next(p for p in prompts if p.startswith(c + " ")).rindex(with_key(prompts, c))
                   for c in ("New", "Data quality", "Help")}
        assert len(columns) == 1  # the keys form a column

        await open_segment(pilot, "Enterprise Prospects")
        prompts = await palette_prompts(pilot)
        for command, key in (("Search", "/"), ("Menu", "m"), ("Back", "esc ⌫"),
                             ("Add contacts", "a"), ("Tab 2: Performance", "2")):
            assert with_key(prompts, command) == key
        await pilot.press("6")
        await settle(pilot)
        prompts = await palette_prompts(pilot)
        assert with_key(prompts, "New note") == "n"
        assert not [p for p in prompts if "Leave the note box" in p]


async def test_palette_command_runs_on_its_widget(sqlite_demo_store: Store) -> None:
    """A tab's command runs on the tab: "Search" on the Contacts tab focuses its search."""
    app = make_app(sqlite_demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_segment(pilot, "Enterprise Prospects")
        await pilot.press("ctrl+p", *"search")
        await settle(pilot)  # the palette gathers its hits in a worker: all of them are in
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SegmentDetailScreen)
        assert app.focused is app.screen.query_one("#members-search")


# -- one key, one meaning ------------------------------------------------------------------

# Keys that mean two things, and why (docs/keys.md).
TWO_MEANINGS = {
    "backspace": ({"back", "remove"},
                  "back on a screen, as escape; in a dialog's tag list (a field) it removes "
                  "the highlighted tag, as backspace deletes in any text field"),
    # The rule builder's tree (widgets/rule_tree.py) is a widget of the Create and Edit
    # dialogs: while it has the focus its keys are the dialog's own, as every dialog's are.
    "a": ({"add-contacts", "add-condition"},
          "add contacts on a screen; in the rule tree, add a condition"),
    "n": ({"new", "negate"}, "new on a screen; in the rule tree, not (negate)"),
    "enter": ({"open", "edit"}, "open on a screen; in the rule tree, edit the condition"),
    "o": ({"open", "and-or"}, "open a segment on the data quality screen; in the rule tree, "
                              "switch and/or"),
}
# The dialogs (segtui/screens/modals/, but the menu) were built on another branch (U15.9):
# their keys are the dialog's own while it is open and get ids there.
DIALOGS = "segtui.screens.modals."
THE_MENU = "segtui.screens.modals.row_menu"


def ui_classes() -> Iterator[type[DOMNode]]:
    modules = [segtui.app]
    for package in (segtui.screens, segtui.widgets):
        modules += [importlib.import_module(info.name) for info in
                    pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    for module in modules:
        if module.__name__.startswith(DIALOGS) and module.__name__ != THE_MENU:
            continue
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, DOMNode) \
                    and value.__module__ == module.__name__:
                yield value


def own_bindings() -> Iterator[tuple[str, Binding]]:
    for cls in ui_classes():
        for binding in cls.__dict__.get("BINDINGS", []):
            assert isinstance(binding, Binding), f"{cls.__name__}: {binding!r}"
            yield cls.__name__, binding


def test_every_binding_has_an_id_and_every_key_one_meaning() -> None:
    """U15.12 (`m` was "menu" on two screens and "merge" on the quality screen) and
    U15.12.3 (every binding has an id, so users can remap keys). A binding's id is
    "<where>.<meaning>": a key has one meaning across the app, its screens and their
    widgets, but for the exceptions written down in TWO_MEANINGS."""
    meanings: dict[str, set[str]] = defaultdict(set)
    ids: dict[str, str] = {}
    classes = set()
    for owner, binding in own_bindings():
        classes.add(owner)
        assert binding.id, f"{owner}: {binding.key} -> {binding.action} has no id"
        assert binding.id not in ids, f"{binding.id} is used by {ids[binding.id]} and {owner}"
        ids[binding.id] = owner
        where, _, meaning = binding.id.partition(".")
        assert where and meaning, binding.id
        for key in binding.key.split(","):
            meanings[key.strip()].add(meaning)
    assert {"SegtuiApp", "DashboardScreen", "SegmentDetailScreen", "DataQualityScreen",
            "ContactsTab", "NotesTab", "PagedTable", "ActionMenu"} <= classes
    clashes = {key: found for key, found in meanings.items()
               if len(found) > 1 and found != TWO_MEANINGS.get(key, (None,))[0]}
    assert not clashes, clashes
    assert meanings["m"] == {"menu"}
    assert meanings["escape"] == {"back"}


def dialog_bindings() -> Iterator[tuple[str, Binding]]:
    for info in pkgutil.walk_packages(segtui.screens.__path__, "segtui.screens."):
        if not info.name.startswith(DIALOGS) or info.name == THE_MENU:
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, DOMNode) \
                    and value.__module__ == module.__name__:
                for binding in value.__dict__.get("BINDINGS", []):
                    assert isinstance(binding, Binding), f"{value.__name__}: {binding!r}"
                    yield value.__name__, binding


def test_every_dialog_binding_has_an_id_of_its_own() -> None:
    """A4: a user's keymap (docs/keys.md) remaps a key by its binding's id, so the
    dialogs' bindings have ids too, "<dialog>.<meaning>", none shared with another
    binding anywhere (a dialog's keys may mean something else than the screens')."""
    ids = {binding.id: owner for owner, binding in own_bindings()}
    dialogs = 0
    for owner, binding in dialog_bindings():
        dialogs += 1
        assert binding.id, f"{owner}: {binding.key} -> {binding.action} has no id"
        assert binding.id not in ids, f"{binding.id} is used by {ids[binding.id]} and {owner}"
        ids[binding.id] = owner
        where, _, meaning = binding.id.partition(".")
        assert where and meaning, binding.id
    assert dialogs >= 25
