"""C21.2.4 in the app: an administrator's API tokens screen (`K` on the Users screen or the
dashboard, or "API tokens" in the palette), driven by keys like a user. A token made in
the dialog shows its secret once, and that secret authenticates as the user picked
(`store.tokens.user_of`); revoked after the confirmation, it no longer does. Bad names
(empty, markup, an escape character, too long, taken) are refused in the dialog in the
Store's words, keep what was typed and write nothing. A Marketing Manager is refused
the screen and, were it open, its keys and the Store call. Making and revoking run on
both engines; the rest on SQLite."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Label, Select, TextArea

from segtui.core.api_tokens import ApiTokenRow
from segtui.core.audit import Action, AuditFilter
from segtui.core.enums import TokenScope
from segtui.data.store import Store
from segtui.screens.api_tokens import ApiTokensScreen
from segtui.screens.dashboard import DashboardScreen
from segtui.screens.modals.confirm import Confirm
from segtui.screens.modals.token_dialog import NewTokenDialog, TokenSecretDialog
from segtui.screens.users import UsersScreen
from segtui.widgets.paged_table import PagedTable
from tests.ui.conftest import make_app, screen_text, settle

ADMIN = "James Carter"
MANAGER = "Priya Patel"


async def open_tokens(pilot: Pilot[Any]) -> ApiTokensScreen:
    """From the dashboard: the Users screen (P), then its K."""
    await settle(pilot)
    await pilot.press("P")
    await settle(pilot)
    assert isinstance(pilot.app.screen, UsersScreen)
    await pilot.press("K")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ApiTokensScreen)
    return screen


async def new_token(pilot: Pilot[Any], name: str, picks: int) -> NewTokenDialog:
    """n, the name typed, the `picks`-th active user picked (1: the first) in the list."""
    await pilot.press("n")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, NewTokenDialog)
    await pilot.press(*name, "tab", "enter", *["down"] * picks, "enter")
    await settle(pilot)
    return dialog


def on_top(app: Any) -> Any:
    """The screen or dialog on top (a name mypy does not narrow across key presses)."""
    return app.screen


def shown(app: Any) -> str:
    return "\n".join(screen_text(app))


def rows(store: Store) -> list[ApiTokenRow]:
    return store.tokens.all_tokens()


async def test_make_a_token_see_its_secret_once_and_revoke_it(
        demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(demo_store, ADMIN)
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_tokens(pilot)
        assert "No API tokens yet — n: new token" in shown(app)
        dialog = await new_token(pilot, "Mautic sync", picks=3)  # Priya Patel
        assert dialog.query_one("#token-user", Select).value == MANAGER
        await pilot.press("tab", "enter", "down", "enter")  # scope: write
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)

        secret_dialog = app.screen
        assert isinstance(secret_dialog, TokenSecretDialog)
        secret = secret_dialog.made.secret
        assert secret.startswith("segtui_")
        text = shown(app)
        assert secret in text and "it will not be shown again" in text
        box = secret_dialog.query_one("#token-secret", TextArea)
        assert box.read_only and box.text == secret and box.selected_text == secret
        found = demo_store.tokens.user_of(secret)
        assert found is not None
        _, scope, user = found
        assert (user.name, scope) == (MANAGER, TokenScope.WRITE)
        await pilot.press("c")  # copies it (the terminal's clipboard)
        assert copied == [secret]
        await pilot.press("enter")
        await settle(pilot)
        assert on_top(app) is screen
        assert secret not in shown(app)  # never again: the list shows its prefix
        assert [(r.name, r.user, r.revoked) for r in screen.rows] == \
            [("Mautic sync", MANAGER, False)]
        assert "Mautic sync" in shown(app) and "1 token · 1 active token" in shown(app)

        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        await pilot.press("enter")  # "no" has the focus: nothing happens
        await settle(pilot)
        assert demo_store.tokens.user_of(secret) is not None
        await pilot.press("D", "y")
        await settle(pilot)
        assert demo_store.tokens.user_of(secret) is None
        assert screen.rows[0].revoked and "Revoked" in shown(app)
        await pilot.press("D")  # again: said, nothing asked
        await settle(pilot)
        assert on_top(app) is screen
        assert any("was revoked already" in str(n.message) for n in app._notifications)
    admin = demo_store.users.current_user(ADMIN)
    audited = {e.action for e in demo_store.audit.entries(AuditFilter(actor=ADMIN), admin)}
    assert {Action.API_TOKEN_CREATED, Action.API_TOKEN_REVOKED} <= audited


BAD_NAMES = [
    ("", "A token's name is required."),
    ("[bold]Sync[/]", "may contain only letters, digits and spaces"),
    ("\x1b[31mSync", "not ESC"),
    ("x" * 101, "at most 100 characters (this one has 101)"),
    ("mautic  SYNC", "A token named “mautic SYNC” already exists: revoke it or choose"),
]


async def test_bad_names_are_refused_in_the_dialog_and_write_nothing(
        sqlite_demo_store: Store) -> None:
    admin = sqlite_demo_store.users.current_user(ADMIN)
    sqlite_demo_store.tokens.create("Mautic sync", ADMIN, TokenScope.READ, admin)
    before = rows(sqlite_demo_store)
    app = make_app(sqlite_demo_store, ADMIN)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tokens(pilot)
        dialog = await new_token(pilot, "", picks=1)  # Alex Kim
        for name, said in BAD_NAMES:
            dialog.query_one("#token-name", Input).value = name  # typed or pasted
            dialog.query_one("#token-name", Input).focus()
            await pilot.press("enter")
            await settle(pilot)
            assert on_top(app) is dialog, name
            assert said in _error(dialog), name
            assert dialog.query_one("#token-name", Input).value == name  # nothing lost
            assert dialog.query_one("#token-user", Select).value == "Alex Kim"
            assert rows(sqlite_demo_store) == before
        dialog.query_one("#token-name", Input).value = "CRM sync"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TokenSecretDialog)
    assert [r.name for r in rows(sqlite_demo_store)] == ["CRM sync", "Mautic sync"]


def _error(dialog: NewTokenDialog) -> str:
    """The message under the fields, shown."""
    error = dialog.query_one("#save-error", Label)
    assert error.display
    return str(error.render())


async def test_no_user_picked_is_said_and_escape_asks_before_losing_the_typing(
        sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store, ADMIN)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tokens(pilot)
        await pilot.press("n", *"Zapier", "enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, NewTokenDialog)
        assert "Pick the user the token acts as." in shown(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)  # "Discard your changes?"
        await pilot.press("n")
        await settle(pilot)
        assert on_top(app) is dialog
        assert dialog.query_one("#token-name", Input).value == "Zapier"
    assert rows(sqlite_demo_store) == []


async def test_a_manager_can_neither_open_nor_make_nor_revoke(
        sqlite_demo_store: Store) -> None:
    admin = sqlite_demo_store.users.current_user(ADMIN)
    made = sqlite_demo_store.tokens.create("Mautic sync", ADMIN, TokenScope.READ, admin)
    before = rows(sqlite_demo_store)
    refusal = "Priya Patel (Marketing Manager) may look but not manage API tokens."
    app = make_app(sqlite_demo_store, MANAGER)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("K")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert [str(n.message) for n in app._notifications] == [refusal]
        # Were the screen open (pushed by hand): it lists nothing, its keys refuse.
        manager = sqlite_demo_store.users.current_user(MANAGER)
        screen = ApiTokensScreen(sqlite_demo_store, manager)
        await app.push_screen(screen)
        await settle(pilot)
        assert screen.rows == [] and refusal in shown(app)
        await pilot.press("n", "D")
        await settle(pilot)
        assert on_top(app) is screen
        # And the Store refuses the dialog's call in its own words.
        dialog = NewTokenDialog(sqlite_demo_store, manager, [(MANAGER, "Marketing Manager")])
        await app.push_screen(dialog)
        await settle(pilot)
        dialog.query_one("#token-user", Select).value = MANAGER
        await pilot.press(*"Mine", "enter")
        await settle(pilot)
        assert on_top(app) is dialog
        assert "Priya Patel (Marketing Manager) is not allowed to create API tokens" \
            in _error(dialog)
    assert rows(sqlite_demo_store) == before
    assert sqlite_demo_store.tokens.user_of(made.secret) is not None


@pytest.mark.parametrize("start", ["dashboard", "users"])
async def test_the_command_palette_opens_it(sqlite_demo_store: Store, start: str) -> None:
    """"API tokens" in the palette (ctrl+p) opens the screen, from the dashboard and from
    the Users screen, as K does."""
    app = make_app(sqlite_demo_store, ADMIN)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        if start == "users":
            await pilot.press("P")
            await settle(pilot)
        await pilot.press("ctrl+p", *"api tokens")
        await settle(pilot)  # the palette gathers its hits in a worker
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ApiTokensScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen if start == "users" else DashboardScreen)


async def test_every_field_reachable_at_80x24(sqlite_demo_store: Store) -> None:
    """At 80 columns the prefix moves to the line under the table (with who made it);
    nothing is cut without an ellipsis (U15.7)."""
    from tests.ui.test_narrow import assert_reachable, silent_cuts

    admin = sqlite_demo_store.users.current_user(ADMIN)
    sqlite_demo_store.tokens.create("Mautic sync for the EMEA marketing team",
                                    "Sarah Mitchell", TokenScope.WRITE, admin)
    app = make_app(sqlite_demo_store, ADMIN)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_tokens(pilot)
        table = screen.query_one(PagedTable)
        assert "prefix" not in {k.value for k in table.columns}
        assert_reachable(app, table, "token-detail",
                         ["name", "user", "scope", "prefix", "created", "used", "status"])
        assert silent_cuts(screen) == []
