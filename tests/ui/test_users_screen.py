"""C19.3.3-C19.3.7 in the app: an administrator's Users screen, driven by keys like a
user: the list (role, team, status, last seen, segments owned), a role changed from the
menu of roles, a team typed (markup shows literally, an escape character is refused in
the dialog, which keeps the text), deactivation with the segments handed over first (the
confirmation's "no" has the focus), a transfer, the refusals (yourself), and a Marketing
Manager refused the screen. Reading it is audited. SQLite (the Store tests cover both
engines)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Input

from segtui.core.audit import Action, AuditFilter
from segtui.core.permissions import UserDeactivated
from segtui.data.db.tables import Segment, User
from segtui.data.store import Store
from segtui.screens.dashboard import DashboardScreen
from segtui.screens.modals.choice_picker import ChoicePicker
from segtui.screens.modals.confirm import Confirm
from segtui.screens.modals.team_dialog import TeamDialog
from segtui.screens.users import UsersScreen
from segtui.widgets.paged_table import PagedTable
from tests.ui.conftest import make_app, screen_text, settle, wait_until

ADMIN = "James Carter"


def row_named(screen: UsersScreen, name: str) -> int:
    return next(i for i, r in enumerate(screen.rows) if r.name == name)


async def open_users(pilot: Pilot[Any], on: str | None = None) -> UsersScreen:
    await settle(pilot)
    await pilot.press("P")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, UsersScreen)
    if on is not None:
        screen.query_one(PagedTable).move_cursor(row=row_named(screen, on))
        await settle(pilot)
    return screen


def owners(store: Store) -> dict[str, int]:
    with store.reading() as conn:
        rows = conn.execute(select(User.name, Segment.id).join(
            Segment, Segment.owner_id == User.id))
        counts: dict[str, int] = {}
        for name, _ in rows:
            counts[name] = counts.get(name, 0) + 1
        return counts


async def test_the_list_shows_everyone_and_reading_it_is_audited(
        sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store, ADMIN)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_users(pilot)
        shown = "\n".join(screen_text(app))
        for name in ("Alex Kim", "James Carter", "Priya Patel", "Sarah Mitchell"):
            assert name in shown
        assert "just now" in shown  # James Carter, who is using it
        assert "4 users · 4 active · 1 active administrator" in shown
        admin = sqlite_demo_store.users.current_user(ADMIN)
        entries = sqlite_demo_store.audit.entries(
            AuditFilter(action=Action.USER_ACTIVITY_REVIEWED, actor=ADMIN), admin)
        assert any(e.action is Action.USER_ACTIVITY_REVIEWED for e in entries)


async def test_a_manager_is_refused_the_screen(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store, "Priya Patel")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("P")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert any("may look but not manage users" in str(n.message)
                   for n in app._notifications)


async def test_role_and_team_by_keys(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store, ADMIN)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_users(pilot, on="Alex Kim")
        await pilot.press("e", "2")  # the role menu: Marketing Manager
        await settle(pilot)
        assert screen.rows[row_named(screen, "Alex Kim")].role.value == "Marketing Manager"
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TeamDialog)
        app.screen.query_one(Input).value = "\x1b[31mRed"  # pasted: an escape character
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TeamDialog)
        assert "invisible characters" in "\n".join(screen_text(app))  # refused, kept
        assert app.screen.query_one(Input).value == "\x1b[31mRed"
        app.screen.query_one(Input).value = "[bold]Growth[/]"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen)
        assert screen.rows[row_named(screen, "Alex Kim")].team == "[bold]Growth[/]"
        assert "[bold]Growth[/]" in "\n".join(screen_text(app))  # literally, in the detail


async def test_deactivating_hands_the_segments_over_after_asking(
        sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store, ADMIN)
    before = owners(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_users(pilot, on="Sarah Mitchell")
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, ChoicePicker)
        await pilot.press(*"Priya", "enter")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        assert app.screen.focused is not None and app.screen.focused.id == "confirm-cancel"
        await pilot.press("enter")  # "no" has the focus: nothing happens
        await settle(pilot)
        assert owners(sqlite_demo_store) == before
        await pilot.press("D", *"Priya")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        sarah = screen.rows[row_named(screen, "Sarah Mitchell")]
        assert not sarah.active and sarah.segments_owned == 0
        assert owners(sqlite_demo_store)["Priya Patel"] == \
            before["Priya Patel"] + before["Sarah Mitchell"]
    try:
        sqlite_demo_store.users.current_user("Sarah Mitchell")
        raise AssertionError("a deactivated user must not act")
    except UserDeactivated as refused:
        assert "Sarah Mitchell was deactivated by an administrator" in str(refused)


async def test_refusals_are_said_and_change_nothing(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store, ADMIN)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_users(pilot, on=ADMIN)
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen)
        assert screen.rows[row_named(screen, ADMIN)].active
        await pilot.press("e", "1")  # the only administrator can't become a Viewer
        await settle(pilot)
        assert screen.rows[row_named(screen, ADMIN)].role.value == "CRM Administrator"
        messages = [str(n.message) for n in app._notifications]
        assert any("can't deactivate themselves" in m for m in messages)
        assert any("only CRM Administrator" in m for m in messages)


async def test_transfer_gives_every_segment_to_the_one_picked(sqlite_demo_store: Store
                                                              ) -> None:
    app = make_app(sqlite_demo_store, ADMIN)
    before = owners(sqlite_demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_users(pilot, on="Sarah Mitchell")
        await pilot.press("T", *"James")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
    after = owners(sqlite_demo_store)
    assert "Sarah Mitchell" not in after
    assert after[ADMIN] == before[ADMIN] + before["Sarah Mitchell"]


async def test_the_command_palette_opens_it(sqlite_demo_store: Store) -> None:
    """"Users" in the palette (ctrl+p) opens the screen, as U does."""
    app = make_app(sqlite_demo_store, ADMIN)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"users")
        await settle(pilot)  # the palette gathers its hits in a worker
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)


async def test_another_administrators_transfer_shows_without_a_key(
        sqlite_demo_store: Store) -> None:
    """C19.1: a transfer made by another segtui (a script) reloads the open list."""
    import asyncio

    theirs = Store.open(sqlite_demo_store.url)
    app = make_app(sqlite_demo_store, ADMIN, live=True)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_users(pilot)

            def owned(name: str) -> int:
                return screen.rows[row_named(screen, name)].segments_owned

            assert owned("Sarah Mitchell") == 2
            await asyncio.to_thread(theirs.users.transfer_segments, "Sarah Mitchell",
                                    "Priya Patel", theirs.users.current_user(ADMIN))
            await wait_until(pilot, lambda: owned("Sarah Mitchell") == 0,
                             "the transfer shown on my Users screen")
            assert owned("Priya Patel") == 3
    finally:
        theirs.close()


async def test_every_field_reachable_at_80x24(sqlite_demo_store: Store) -> None:
    """At 80 columns the team moves to the line under the table; nothing is cut without
    an ellipsis (U15.7)."""
    from tests.ui.test_narrow import assert_reachable, silent_cuts

    admin = sqlite_demo_store.users.current_user(ADMIN)
    sqlite_demo_store.users.set_team("Priya Patel", "Lifecycle Marketing EMEA", admin)
    app = make_app(sqlite_demo_store, ADMIN)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_users(pilot, on="Priya Patel")
        table = screen.query_one(PagedTable)
        assert "team" not in {k.value for k in table.columns}
        assert_reachable(app, table, "user-detail",
                         ["name", "role", "team", "active", "seen", "owned"])
        assert silent_cuts(screen) == []
