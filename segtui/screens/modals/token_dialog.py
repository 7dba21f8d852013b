"""Make an API token (the API tokens screen's `n`, C21.2.4), then show its secret once.

`NewTokenDialog`: its name, the user it acts as (a list of the active users) and its
scope (read, or write). Saving is one Store call in a worker (`store.tokens.create`); a
refusal (no name, markup or an escape character in it, too long, a name in use, a
non-administrator) shows under the fields in the Store's words and the dialog keeps
everything typed. It returns the `NewToken`.

`TokenSecretDialog`: the secret, in a read-only text box selected whole (ctrl+c copies
it, as does `c` or the Copy button, through the terminal's clipboard), under the words
"copy it now: it will not be shown again". Only its hash is kept.
"""

from __future__ import annotations

from collections.abc import Hashable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from segtui.core.api_tokens import NewToken, TokenError, token_name_error
from segtui.core.enums import TokenScope
from segtui.core.permissions import CurrentUser
from segtui.core.segments import NotAllowed
from segtui.data.store import Store
from segtui.screens.modals.dialog import Dialog
from segtui.widgets.key_line import KeyLine
from segtui.widgets.text import FieldText, user_text
from segtui.widgets.workers import deliver, in_thread

SCOPES: list[tuple[str, str]] = [
    ("read: looks only", TokenScope.READ.value),
    ("write: looks and changes", TokenScope.WRITE.value),
]
NOTE = ("Every request with the token acts as this user: their role decides what it may "
        "see and do.")
SECRET_TITLE = "⚠ Copy this token now: it will not be shown again."
SECRET_WARNING = ("segtui keeps only its hash: a lost token can only be revoked and "
                  "replaced. Requests send it as “Authorization: Bearer <token>”.")


class NewTokenDialog(Dialog[NewToken | None]):
    """Returns the token made (its secret in it), or None when cancelled."""

    HELP = ("Name the token after what uses it (letters, digits and spaces, at most 100 "
            "characters; names are unique), pick the user every request with it acts as "
            "(their role decides what it may do) and its scope: read, or write. enter in "
            "the name or ctrl+s makes it; its secret is shown once, next. escape closes "
            "without making anything (asking first when something was typed).")
    BINDINGS = [
        Binding("ctrl+s", "create", "Create", id="token.create"),
        Binding("escape", "cancel", "Cancel", id="token.cancel"),
    ]
    AUTO_FOCUS = "#token-name"

    def __init__(self, store: Store, user: CurrentUser,
                 users: list[tuple[str, str]]) -> None:
        """`users`: (name, role) of each active user, whom a token may act as."""
        super().__init__()
        self.store = store
        self.user = user
        self.users = users
        self.title_text = "New API token"
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box token-modal"):
            yield Label("New API token", classes="modal-title")
            with Horizontal(classes="form-row"):
                yield Label("Name", classes="form-label")
                yield Input(placeholder="What uses it, e.g. Mautic sync", compact=True,
                            id="token-name")
            with Horizontal(classes="form-row"):
                yield Label("Acts as", classes="form-label")
                yield Select([(user_text(f"{name} ({role})"), name)
                              for name, role in self.users],
                             prompt="Pick a user", compact=True, id="token-user")
            with Horizontal(classes="form-row"):
                yield Label("Scope", classes="form-label")
                yield Select(SCOPES, value=TokenScope.READ.value, allow_blank=False,
                             compact=True, id="token-scope")
            yield Static(Text(NOTE), id="token-note")
            yield Label("", id="save-error", classes="save-error")
            with Horizontal(classes="modal-buttons"):
                yield Button("Cancel", compact=True, id="token-cancel")
                yield Button("Create", compact=True, variant="primary", id="token-create")
            yield KeyLine(("tab", "next field"), classes="modal-keys")

    def _choice(self, selector: str) -> str | None:
        value = self.query_one(selector, Select).value
        return None if value == Select.NULL else str(value)

    def draft(self) -> Hashable | None:
        return (self.query_one("#token-name", Input).value, self._choice("#token-user"),
                self._choice("#token-scope"))

    @on(Input.Submitted, "#token-name")
    @on(Button.Pressed, "#token-create")
    def action_create(self) -> None:
        if self.saving:
            return
        name = self.query_one("#token-name", Input).value
        acts_as = self._choice("#token-user")
        if acts_as is None:  # the name's problem first, as the Store says it
            self.show_error(token_name_error(name) or "Pick the user the token acts as.")
            self.query_one("#token-name" if token_name_error(name) else "#token-user").focus()
            return
        scope = TokenScope(self._choice("#token-scope") or TokenScope.READ.value)
        self.show_error("")
        self._set_saving(True)
        self._create(name, acts_as, scope)

    def _set_saving(self, saving: bool) -> None:
        self.saving = saving
        self.query_one("#token-create", Button).disabled = saving

    @in_thread("token-create", failed="_failed")
    def _create(self, name: str, acts_as: str, scope: TokenScope) -> None:
        try:
            made = self.store.tokens.create(name, acts_as, scope, self.user)
        except (TokenError, NotAllowed) as refused:  # said in the dialog, in its words
            deliver(self, self._refused, str(refused))
            return
        deliver(self, self._made, made)

    def _refused(self, message: str) -> None:
        self._set_saving(False)
        self.show_error(message)
        self.query_one("#token-name", Input).focus()

    def _failed(self, error: Exception) -> None:
        self._refused(f"The token was not made: {error}")

    def _made(self, made: NewToken) -> None:
        self._set_saving(False)
        self.dismiss(made)

    @on(Button.Pressed, "#token-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()


class TokenSecretDialog(Dialog[None]):
    """The secret of a token just made, shown this once."""

    HELP = ("The new token's secret, shown this once: segtui keeps only its hash. It is "
            "selected: ctrl+c copies it, as do c and the Copy button (through the "
            "terminal's clipboard; a terminal without one: select it with the mouse). "
            "Requests send it as `Authorization: Bearer <token>`. enter or escape closes.")
    BINDINGS = [
        Binding("c", "copy", "Copy", show=False, id="token-secret.copy"),
        Binding("escape,enter", "close", "Close", id="token-secret.close"),
    ]
    AUTO_FOCUS = "#token-secret"

    def __init__(self, made: NewToken) -> None:
        super().__init__()
        self.made = made
        self.secret = FieldText(made.secret)  # letters, digits, - and _ only
        self.title_text = f"API token “{made.row.name}” created"

    def compose(self) -> ComposeResult:
        row = self.made.row
        with Vertical(classes="modal-box token-modal"):
            yield Label(user_text(self.title_text), classes="modal-title")
            yield Static(user_text(f"Acts as {row.user}, scope {row.scope.value}.",
                                   multiline=True))
            yield Label(Text(SECRET_TITLE, style="bold"), classes="token-warning")
            yield Static(Text(SECRET_WARNING), id="token-secret-note")
            yield TextArea(self.secret.shown, read_only=True, soft_wrap=True,
                           compact=True, id="token-secret")
            with Horizontal(classes="modal-buttons"):
                yield Button("Copy", compact=True, id="token-copy")
                yield Button("Done", compact=True, variant="primary", id="token-done")
            yield KeyLine(("ctrl+c", "copy"), classes="modal-keys")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#token-secret", TextArea).select_all()

    @on(Button.Pressed, "#token-copy")
    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.made.secret)
        self.notify("Copied the token to the clipboard.", timeout=4)

    @on(Button.Pressed, "#token-done")
    def action_close(self) -> None:
        self.dismiss(None)
