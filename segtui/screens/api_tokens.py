"""The API tokens screen (C21.2.4), for CRM Administrators, opened with `K` on the Users
screen or the dashboard (or "API tokens" in the command palette): every token the HTTP
API accepts, with the user it acts as, its scope, its prefix, when it was made and last
used, and whether it is active or revoked. Anyone else gets the usual one-line refusal
("Priya Patel (Marketing Manager) may look but not manage API tokens."), here too.

Keys: `n` a new token (screens/modals/token_dialog.py: a dialog, then its secret shown
once), `D` revokes the highlighted token (after a confirmation whose "no" has the focus;
`D` deactivates a user on the Users screen: one meaning), `r` reloads. Every Store call
runs in a worker; a refusal is a warning in the Store's words. The table, its columns
and the screen's words are in api_tokens_table.py.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Label

from segtui.core import clock
from segtui.core.api_tokens import ApiTokenRow, NewToken, TokenError
from segtui.core.permissions import CurrentUser, Permission
from segtui.core.segments import NotAllowed
from segtui.data.store import Store
from segtui.screens.allowed import allowed
from segtui.screens.api_tokens_table import (
    EMPTY,
    HELP,
    revoke_message,
    token_columns,
    tokens_status,
)
from segtui.screens.modals.confirm import Confirm
from segtui.screens.modals.token_dialog import NewTokenDialog, TokenSecretDialog
from segtui.widgets.key_bar import KeyBar
from segtui.widgets.live_changes import OthersChanged
from segtui.widgets.paged_table import PagedTable
from segtui.widgets.workers import deliver, in_thread, run_in_thread

MANAGE = "manage API tokens"  # what a non-administrator is told they may not do


class ApiTokensScreen(Screen[None]):
    AUTO_FOCUS = "#api-tokens"
    HELP = HELP
    # The key bar shows these in this order (docs/keys.md): n is new everywhere, D
    # deactivates on the Users screen and revokes (a token's deactivation) here.
    BINDINGS = [
        Binding("escape,backspace", "back", "Back", id="tokens.back"),
        Binding("n", "new", "New token", id="tokens.new"),
        Binding("D", "revoke", "Revoke", id="tokens.deactivate"),
        Binding("r", "reload", "Refresh", id="tokens.refresh"),
    ]

    def __init__(self, store: Store, user: CurrentUser) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.rows: list[ApiTokenRow] = []
        self.users: list[tuple[str, str]] = []  # (name, role) of the active users
        self.now: datetime = clock.now()

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        table = PagedTable(token_columns(lambda: self.now), row_key=lambda r: r.id,
                           id="api-tokens")
        table.set_empty_text(EMPTY)
        yield table
        yield table.detail_line(max_lines=1, id="token-detail")
        yield Label("Loading API tokens…", id="tokens-status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "API tokens"
        self.query_one(PagedTable).loading = True
        self.action_reload()

    # -- the list ------------------------------------------------------------------------

    def action_reload(self) -> None:
        self._load()

    @in_thread("api-tokens")
    def _load(self) -> None:
        if not self.user.may(Permission.MANAGE_USERS):
            deliver(self, self._show, [], [], clock.now())
            return
        users = [(u.name, u.role.value) for u in self.store.users.user_rows() if u.active]
        deliver(self, self._show, self.store.tokens.all_tokens(), users, clock.now())

    def _show(self, rows: list[ApiTokenRow], users: list[tuple[str, str]],
              now: datetime) -> None:
        self.rows, self.users, self.now = rows, users, now
        table = self.query_one(PagedTable)
        refusal = self.user.refusal(MANAGE, Permission.MANAGE_USERS)
        status: Text = Text(refusal) if refusal else tokens_status(rows)
        self.query_one("#tokens-status", Label).update(status)
        table.show_held(lambda: self.rows)

    @on(OthersChanged)
    def _others_changed(self, _event: OthersChanged) -> None:
        """Someone else changed something (C19.1): a user deactivated, a token revoked."""
        self.action_reload()

    def _current(self) -> ApiTokenRow | None:
        row = self.query_one(PagedTable).current_row
        if not isinstance(row, ApiTokenRow):
            self.notify("No token selected.", severity="warning")
            return None
        return row

    def _said(self, message: str, severity: str) -> None:
        self.notify(message, markup=False, timeout=8,
                    severity="warning" if severity == "warning" else "information")
        self.action_reload()

    # -- new ------------------------------------------------------------------------------

    def action_new(self) -> None:
        if not allowed(self, self.user, MANAGE, Permission.MANAGE_USERS):
            return
        self.app.push_screen(NewTokenDialog(self.store, self.user, self.users), self._made)

    def _made(self, made: NewToken | None) -> None:
        if made is None:
            return
        self.action_reload()
        self.app.push_screen(TokenSecretDialog(made))

    # -- revoke ---------------------------------------------------------------------------

    def action_revoke(self) -> None:
        if not allowed(self, self.user, MANAGE, Permission.MANAGE_USERS):
            return
        row = self._current()
        if row is None:
            return
        if row.revoked:
            self._said(f"The token “{row.name}” was revoked already.", "warning")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                run_in_thread(self, "api-tokens-revoke", lambda: self._revoke(row.name))

        self.app.push_screen(Confirm(f"Revoke the token “{row.name}”?", revoke_message(row),
                                     "Revoke"), answered)

    def _revoke(self, name: str) -> None:
        """In a worker: the Store's refusal (revoked meanwhile, not an administrator) is
        a warning in its words."""
        try:
            revoked = self.store.tokens.revoke(name, self.user)
        except (TokenError, NotAllowed) as refused:
            deliver(self, self._said, str(refused), "warning")
            return
        deliver(self, self._said, f"Revoked the token “{revoked.name}”: its requests "
                "are refused from now on.", "information")

    def action_back(self) -> None:
        self.dismiss(None)
