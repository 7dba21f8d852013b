"""`segtui api` (C21.1.1): serve the HTTP API; `segtui api tokens create|list|revoke`
(C21.2.1): the tokens it accepts, made by administrators. docs/api.md.
"""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from segtui.cli.access import reads, writes
from segtui.cli.common import DbOption, JsonOption, UserOption, acting_user, command_store
from segtui.cli.output import cell, dumps, fail, iso, say, warn
from segtui.core.enums import TokenScope
from segtui.core.permissions import Permission

if TYPE_CHECKING:
    from segtui.core.api_tokens import ApiTokenRow
    from segtui.core.permissions import CurrentUser
    from segtui.data.store import Store

app = typer.Typer(help="The HTTP API: serve it, and the tokens it accepts.",
                  invoke_without_command=True, rich_markup_mode=None)
tokens_app = typer.Typer(help="API tokens (CRM Administrators).", no_args_is_help=True,
                         rich_markup_mode=None)
app.add_typer(tokens_app, name="tokens")


@app.callback()
@reads
def api_serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="The address to listen on. Anything but a "
                                      "loopback address lets other machines connect.")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="The port to listen on.")]
    = 8765,
    no_webhooks: Annotated[bool, typer.Option(
        "--no-webhooks", help="Don't send the webhook outbox here (segtui worker or segtui "
        "webhooks send does).")] = False,
    db: DbOption = None,
) -> None:
    """Serve the HTTP API (docs/api.md) until Ctrl+C. Requests need a token: segtui api
    tokens create."""
    if ctx.invoked_subcommand is not None:
        return
    from segtui.api.server import is_loopback, listen, serve
    from segtui.cli.worker import may_send

    store = command_store(ctx, db)
    try:
        # C21.3.4: sent here too, unless told not to (two senders never send one delivery
        # at once: they claim batches, data/integration/sender.py).
        sends = not no_webhooks and may_send(store, store.users.look_as(
            (ctx.obj or {}).get("user")), "segtui api")
        try:
            sock = listen(host, port)
        except OSError as exc:
            fail(f"can't listen on {host}:{port}: {exc.strerror or exc}")
        where = f"http://{host}:{port}" if ":" not in host else f"http://[{host}]:{port}"
        if is_loopback(host):
            say(f"segtui API on {where} (this machine only; --host 0.0.0.0 to let others "
                "connect). OpenAPI: /openapi.json. Ctrl+C stops it.")
        else:
            warn(f"segtui: the API listens on {where}, reachable from other machines: "
                 "tokens travel in clear over plain HTTP; put it behind TLS.")
        serve(store, sock, sends_webhooks=sends)
    finally:
        store.close()


def token_object(row: "ApiTokenRow") -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "user": row.user, "scope": row.scope.value,
            "prefix": row.prefix, "created_at": iso(row.created_at),
            "created_by": row.created_by, "revoked_at": iso(row.revoked_at),
            "last_used_at": iso(row.last_used_at)}


T = TypeVar("T")


def _token_change(ctx: typer.Context, db: str | None,
                  change: "Callable[[Store, CurrentUser], T]") -> T:
    """Run an administrator's change to the tokens; exit 1 with why if it is refused."""
    from segtui.core.api_tokens import TokenError
    from segtui.core.segments import NotAllowed

    store = command_store(ctx, db)
    try:
        return change(store, acting_user(ctx))
    except (TokenError, NotAllowed) as exc:
        fail(str(exc))
    finally:
        store.close()


@tokens_app.command("create")
@writes("create API tokens", Permission.MANAGE_USERS)
def tokens_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="What the token is for, e.g. "
                                        "'Mautic sync'.", show_default=False)],
    for_user: Annotated[str, typer.Option(
        "--for", metavar="USER", help="The user every request with the token acts as (their "
        "permissions, what they see).", show_default=False)],
    scope: Annotated[TokenScope, typer.Option(case_sensitive=False, help="read, or write "
                                              "(read and change).")] = TokenScope.READ,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Make an API token; its secret is printed once, and only its hash is kept."""
    made = _token_change(ctx, db, lambda store, acting: store.tokens.create(
        name, for_user, scope, acting))
    if as_json:
        say(dumps({**token_object(made.row), "token": made.secret}, indent=2))
        return
    say(f"Created token {made.row.name!r} acting as {made.row.user} ({scope.value}).")
    say(f"Token (shown once, keep it secret): {made.secret}")


@tokens_app.command("list")
@writes("list API tokens", Permission.MANAGE_USERS)
def tokens_list(ctx: typer.Context, as_json: JsonOption = False, db: DbOption = None,
                user: UserOption = None) -> None:
    """Every token (never its secret): whose, what scope, when last used, revoked."""
    store = command_store(ctx, db)
    try:
        rows = store.tokens.all_tokens()
    finally:
        store.close()
    if as_json:
        say(dumps([token_object(r) for r in rows], indent=2))
        return
    if not rows:
        say("No API tokens.")
        return
    say(f"{'NAME':<24}  {'USER':<20}  {'SCOPE':<5}  {'PREFIX':<14}  {'LAST USED':<19}  STATE")
    for r in rows:
        state = f"revoked {iso(r.revoked_at)}" if r.revoked else "active"
        say(f"{cell(r.name, 24):<24}  {cell(r.user, 20):<20}  {r.scope.value:<5}  {r.prefix:<14}  "
            f"{iso(r.last_used_at) or 'never':<19}  {state}")


@tokens_app.command("revoke")
@writes("revoke API tokens", Permission.MANAGE_USERS)
def tokens_revoke(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The token's name.",
                                        show_default=False)],
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Revoke a token: its next request is refused (401)."""
    row = _token_change(ctx, db, lambda store, acting: store.tokens.revoke(name, acting))
    if as_json:
        say(dumps(token_object(row), indent=2))
    else:
        say(f"Revoked token {row.name!r}.")
