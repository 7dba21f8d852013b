"""The Users screen (C19.3.3-C19.3.7), for CRM Administrators, opened from the dashboard
with `U` (or "Users" in the command palette): everyone who uses segtui on this database,
with their role, team, status, last seen and the segments they own.

Keys: `e` role (a menu of the three), `t` team (a one-line dialog), `D` deactivate (after
picking who receives their segments, if any, and a confirmation whose "no" has the focus)
or reactivate, `T` transfer their segments to another active user, `m`/enter the row's
menu, `r` reload, `K` the API tokens that act as users (screens/api_tokens.py, C21.2.4).
Every change is one Store call in a worker; a refusal (yourself, the last active
administrator) is a warning in the Store's words, and the list reloads after each change,
and when someone else changes something (C19.1). Opening the screen is recorded in the
audit log (user activity reviewed). The table, its columns and the screen's words are in
users_table.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label

from segtui.core import clock
from segtui.core.administration import AdminRefusal, UserRow
from segtui.core.audit import Action
from segtui.core.enums import UserRole
from segtui.core.permissions import CurrentUser, InvalidUserName, Permission
from segtui.core.segments import NotAllowed
from segtui.data.store import Store
from segtui.screens.allowed import allowed
from segtui.screens.audited import record_view
from segtui.screens.modals.choice_picker import ChoicePicker
from segtui.screens.modals.confirm import Confirm
from segtui.screens.modals.row_menu import ActionMenu
from segtui.screens.modals.team_dialog import TeamDialog
from segtui.screens.users_table import (
    EMPTY,
    HELP,
    ROLE_OPTIONS,
    USER_ACTIONS,
    deactivate_message,
    user_columns,
    users_status,
)
from segtui.widgets.asking import Picked
from segtui.widgets.key_bar import KeyBar
from segtui.widgets.live_changes import OthersChanged, announce
from segtui.widgets.paged_table import PagedTable
from segtui.widgets.workers import deliver, in_thread, run_in_thread

REFUSALS = (AdminRefusal, InvalidUserName, NotAllowed)  # said as warnings, in their words


class ReceiverPicker(ChoicePicker):
    """Who receives a user's segments: the active users, searched as you type."""

    HELP = ("Type to narrow the active users (it searches as you type), ↓ moves into the "
            "list, enter picks the highlighted one; when deactivating, the first entry "
            "leaves the segments with their owner for now. escape changes nothing.")


class UsersScreen(Screen[None]):
    AUTO_FOCUS = "#users"
    HELP = HELP
    # The key bar shows these in this order (docs/keys.md); e edits the role, D
    # deactivates (d deletes elsewhere: one key, one meaning), T transfers, m is the
    # row's menu as on every list.
    BINDINGS = [
        Binding("escape,backspace", "back", "Back", id="users.back"),
        Binding("e", "role", "Role", id="users.edit"),  # edits the role
        Binding("t", "team", "Team", id="users.team"),
        Binding("D", "active", "Deactivate", tooltip="Deactivate or reactivate",
                id="users.deactivate"),
        Binding("T", "transfer", "Transfer", id="users.transfer"),
        Binding("m", "menu", "Menu", id="users.menu"),
        Binding("r", "reload", "Refresh", id="users.refresh"),
        # C21.2.4: the tokens that act as users (in the help and the palette).
        Binding("K", "api_tokens", "API tokens", show=False, id="users.api-tokens"),
    ]

    def __init__(self, store: Store, user: CurrentUser) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.rows: list[UserRow] = []
        self.now: datetime = clock.now()

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        table = PagedTable(user_columns(lambda: self.now), row_key=lambda r: r.id, id="users")
        table.set_empty_text(EMPTY)
        yield table
        yield table.detail_line(max_lines=1, id="user-detail")
        yield Label("Loading users…", id="users-status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "Users"
        self.query_one(PagedTable).loading = True
        record_view(self, self.store, self.user, Action.USER_ACTIVITY_REVIEWED)
        self.action_reload()

    # -- the list ------------------------------------------------------------------------

    def action_reload(self) -> None:
        self._load()

    @in_thread("users")
    def _load(self) -> None:
        deliver(self, self._show, self.store.users.user_rows(), clock.now())

    def _show(self, rows: list[UserRow], now: datetime) -> None:
        self.rows, self.now = rows, now
        table = self.query_one(PagedTable)
        status: Text = users_status(rows)
        self.query_one("#users-status", Label).update(status)
        table.show_held(lambda: self.rows)

    @on(OthersChanged)
    def _others_changed(self, event: OthersChanged) -> None:
        """Someone else changed something (C19.1): a transfer changes who owns what."""
        self.action_reload()
        announce(self, event)

    def _current(self) -> UserRow | None:
        row = self.query_one(PagedTable).current_row
        if not isinstance(row, UserRow):
            self.notify("No user selected.", severity="warning")
            return None
        return row

    # -- changes -------------------------------------------------------------------------

    def _change(self, change: Callable[[], str]) -> None:
        """Run `change` (a Store call returning what to say) in a worker; then say it and
        reload. A refusal is a warning in the Store's words; nothing changed."""
        def run() -> None:
            try:
                said = change()
            except REFUSALS as refused:
                deliver(self, self._said, str(refused), "warning")
                return
            deliver(self, self._said, said, "information")

        run_in_thread(self, "users-change", run)

    def _said(self, message: str, severity: str) -> None:
        text = message[:1].upper() + message[1:]
        self.notify(text if text.endswith(".") else text + ".", markup=False,
                    severity="warning" if severity == "warning" else "information",
                    timeout=8)
        self.action_reload()

    def action_role(self) -> None:
        row = self._current()
        if row is None:
            return

        def chosen(role: str | None) -> None:
            if role is None or role == row.role.value:
                return
            self._change(lambda: (
                f"{self.store.users.set_user_role(row.name, UserRole(role), self.user).name}"
                f" is now a {role}"))

        self.app.push_screen(ActionMenu(f"Role of {row.name}", ROLE_OPTIONS), chosen)

    def action_team(self) -> None:
        row = self._current()
        if row is None:
            return

        def typed(team: str | None) -> None:
            if team is None:
                return

            def change() -> str:
                stored = self.store.users.set_team(row.name, team, self.user)
                return (f"{row.name} is now in team “{stored}”" if stored
                        else f"{row.name} is now in no team")
            self._change(change)

        self.app.push_screen(TeamDialog(row.name, row.team), typed)

    def _pick_receiver(self, row: UserRow, title: str, nobody: str | None,
                       picked: Callable[[str | None], None]) -> None:
        """Ask who receives `row`'s segments (an active user); `nobody` offers none."""
        def answered(answer: Picked | None) -> None:
            if answer is not None:
                picked(answer.choice.label if answer.choice else None)

        self.app.push_screen(ReceiverPicker(
            title, nobody, lambda text: self.store.users.receivers(text, row.id)), answered)

    def action_active(self) -> None:
        row = self._current()
        if row is None:
            return
        if not row.active:
            def reactivate() -> str:
                self.store.users.reactivate(row.name, self.user)
                return f"{row.name} may use segtui again"
            self._confirm(f"Reactivate {row.name}?", f"{row.name} may use segtui again, as a "
                          f"{row.role.value}.", "Reactivate", reactivate)
            return
        if row.id == self.user.id:
            self._said(f"{row.name} can't deactivate themselves: another CRM Administrator "
                       "can", "warning")
            return

        def deactivate(receiver: str | None) -> None:
            def change() -> str:
                moved = self.store.users.deactivate(row.name, self.user, receiver)
                said = f"{row.name} was deactivated"
                return said if moved is None else f"{moved.summary()} {said}"
            self._confirm(f"Deactivate {row.name}?", deactivate_message(row, receiver),
                          "Deactivate", change)

        if row.segments_owned == 0:
            deactivate(None)
            return
        self._pick_receiver(row, f"Who receives {row.name}'s segments?",
                            f"Nobody for now: {row.name} keeps them", deactivate)

    def action_transfer(self) -> None:
        row = self._current()
        if row is None:
            return
        if row.segments_owned == 0:
            self._said(f"{row.name} owns no segments: nothing to transfer", "warning")
            return

        def picked(receiver: str | None) -> None:
            if receiver is None:
                return
            self._confirm(
                f"Transfer {row.name}'s segments?",
                f"All {row.segments_owned} of {row.name}'s segments will belong to "
                f"{receiver}. Each segment's timeline records it.", "Transfer",
                lambda: self.store.users.transfer_segments(row.name, receiver,
                                                           self.user).summary())

        self._pick_receiver(row, f"Give {row.name}'s segments to…", None, picked)

    def _confirm(self, title: str, message: str, label: str,
                 change: Callable[[], str]) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self._change(change)

        self.app.push_screen(Confirm(title, message, label), answered)

    # -- the row's menu, leaving ---------------------------------------------------------

    @on(DataTable.RowSelected, "#users")
    @on(PagedTable.MenuRequested, "#users")
    def action_menu(self) -> None:
        row = self._current()
        if row is not None:
            self.app.push_screen(ActionMenu(row.name, USER_ACTIONS), self._chosen)

    def _chosen(self, action: str | None) -> None:
        actions = {"role": self.action_role, "team": self.action_team,
                   "active": self.action_active, "transfer": self.action_transfer}
        if action in actions:
            actions[action]()

    def action_api_tokens(self) -> None:
        open_api_tokens(self, self.store, self.user)

    def action_back(self) -> None:
        self.dismiss(None)


def open_api_tokens(node: Screen[None], store: Store, user: CurrentUser) -> None:
    """The API tokens screen (C21.2.4), from the Users screen or the dashboard (`K`): for
    administrators; anyone else is told "X (Role) may look but not manage API tokens"."""
    from segtui.screens.api_tokens import MANAGE, ApiTokensScreen  # loads when wanted

    if allowed(node, user, MANAGE, Permission.MANAGE_USERS):
        node.app.push_screen(ApiTokensScreen(store, user))
