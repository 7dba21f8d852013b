"""`segtui users list|add|set-role|deactivate|reactivate|set-team|transfer` (I16.6,
C19.3.3-C19.3.7; docs/cli.md, "Users").

A name segtui has not seen is a Viewer (segtui/data/writes/users.py): these commands are how an
administrator lets a new colleague change things. Like the rest of the command line, they
import no Textual and print through segtui/cli/output.py.
"""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from segtui.cli.access import reads, writes
from segtui.cli.common import DbOption, JsonOption, UserOption, acting_user, command_store
from segtui.cli.output import dumps, fail, say
from segtui.core.enums import UserRole
from segtui.core.permissions import CurrentUser, InvalidUserName, Permission

if TYPE_CHECKING:
    from segtui.core.administration import UserRow
    from segtui.data.store import Store

app = typer.Typer(help="Who may use segtui, and in which role.", no_args_is_help=True,
                  rich_markup_mode=None)


class Role(StrEnum):
    """The roles as typed on the command line."""

    VIEWER = "viewer"
    MANAGER = "manager"
    ADMINISTRATOR = "administrator"


ROLES = {Role.VIEWER: UserRole.VIEWER, Role.MANAGER: UserRole.MARKETING_MANAGER,
         Role.ADMINISTRATOR: UserRole.CRM_ADMINISTRATOR}

UserName = Annotated[str, typer.Argument(metavar="NAME", help="The user's name (case and "
                                         "extra spaces are ignored).", show_default=False)]
RoleHelp = ("viewer (looks only), manager (Marketing Manager: changes segments and "
            "imports) or administrator (CRM Administrator: also manages users).")


def user_object(user: CurrentUser) -> dict[str, Any]:
    return {"id": user.id, "name": user.name, "role": user.role.value}


def row_object(row: "UserRow") -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "role": row.role.value, "team": row.team,
            "active": row.active, "segments_owned": row.segments_owned,
            "last_seen_at": row.last_seen_at.isoformat() if row.last_seen_at else None,
            "login": row.login}


@app.command("list")
@reads
def users_list(ctx: typer.Context, as_json: JsonOption = False, db: DbOption = None) -> None:
    """List every user with their role, team, whether active, when last seen and how many
    segments they own, in name order."""
    from segtui.core import clock
    from segtui.core.administration import seen_ago

    store = command_store(ctx, db)
    try:
        everyone = store.users.user_rows()
    finally:
        store.close()
    if as_json:
        say(dumps([row_object(u) for u in everyone], indent=2))
        return
    now = clock.now()
    say(f"{'ID':>5}  {'NAME':<24}  {'ROLE':<17}  {'TEAM':<16}  {'ACTIVE':<6}  "
        f"{'LAST SEEN':<12}  OWNED")
    for row in everyone:
        say(f"{row.id:>5}  {row.name:<24}  {row.role.value:<17}  {row.team or '-':<16}  "
            f"{'yes' if row.active else 'no':<6}  {seen_ago(row.last_seen_at, now):<12}  "
            f"{row.segments_owned}")


def _change(ctx: typer.Context, db: str | None, as_json: bool, headline: str,
            change: "Callable[[Store, CurrentUser], CurrentUser]") -> None:
    from segtui.core.segments import NotAllowed

    store = command_store(ctx, db)
    try:
        result = change(store, acting_user(ctx))
    except (InvalidUserName, NotAllowed) as exc:
        fail(str(exc))
    finally:
        store.close()
    if as_json:
        say(dumps(user_object(result), indent=2))
    else:
        say(f"{headline} {result.name!r}: {result.role.value}.")


@app.command("add")
@writes("manage users", Permission.MANAGE_USERS)
def users_add(
    ctx: typer.Context,
    name: UserName,
    role: Annotated[Role, typer.Option(case_sensitive=False, help=RoleHelp)],
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Add a user with a role (CRM Administrators only)."""
    _change(ctx, db, as_json, "Added",
            lambda store, acting: store.users.add_user(name, ROLES[role], acting))


@app.command("set-role")
@writes("manage users", Permission.MANAGE_USERS)
def users_set_role(
    ctx: typer.Context,
    name: UserName,
    role: Annotated[Role, typer.Argument(case_sensitive=False, help=RoleHelp,
                                         show_default=False)],
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Give a user another role (CRM Administrators only)."""
    _change(ctx, db, as_json, "Changed",
            lambda store, acting: store.users.set_user_role(name, ROLES[role], acting))


def _administer(ctx: typer.Context, db: str | None,
                change: "Callable[[Store, CurrentUser], str]") -> None:
    """Run an administrator's change; say what it did, or exit 1 with why not."""
    from segtui.core.administration import AdminRefusal
    from segtui.core.segments import NotAllowed

    store = command_store(ctx, db)
    try:
        said = change(store, acting_user(ctx))
    except (AdminRefusal, InvalidUserName, NotAllowed) as exc:
        fail(str(exc))
    finally:
        store.close()
    say(said)


@app.command("deactivate")
@writes("manage users", Permission.MANAGE_USERS)
def users_deactivate(
    ctx: typer.Context,
    name: UserName,
    transfer_to: Annotated[str | None, typer.Option(
        "--transfer-to", metavar="NAME", help="First give their segments to this active "
        "user, in the same transaction.", show_default=False)] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Stop a user from using segtui (CRM Administrators only); their segments stay theirs
    unless --transfer-to gives them to someone."""
    def change(store: "Store", acting: CurrentUser) -> str:
        moved = store.users.deactivate(name, acting, transfer_to)
        said = f"Deactivated {name!r}: they may no longer use segtui."
        return said if moved is None else f"{moved.summary()} {said}"
    _administer(ctx, db, change)


@app.command("reactivate")
@writes("manage users", Permission.MANAGE_USERS)
def users_reactivate(ctx: typer.Context, name: UserName, db: DbOption = None,
                     user: UserOption = None) -> None:
    """Let a deactivated user use segtui again, in the role they had (CRM Administrators
    only)."""
    def change(store: "Store", acting: CurrentUser) -> str:
        store.users.reactivate(name, acting)
        return f"Reactivated {name!r}."
    _administer(ctx, db, change)


@app.command("set-team")
@writes("manage users", Permission.MANAGE_USERS)
def users_set_team(
    ctx: typer.Context,
    name: UserName,
    team: Annotated[str | None, typer.Argument(metavar="[TEAM]", help="The team's name; "
                                               "empty or left out with --none: no team.",
                                               show_default=False)] = None,
    none: Annotated[bool, typer.Option("--none", help="Take the user out of their team.")
                    ] = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Put a user in a team, or in none (CRM Administrators only)."""
    if team is None and not none:
        fail("give a TEAM, or --none to take the user out of their team")

    def change(store: "Store", acting: CurrentUser) -> str:
        stored = store.users.set_team(name, None if none else team, acting)
        return f"{name!r} is now in team {stored!r}." if stored else \
            f"{name!r} is now in no team."
    _administer(ctx, db, change)


@app.command("transfer")
@writes("manage users", Permission.MANAGE_USERS)
def users_transfer(
    ctx: typer.Context,
    name: UserName,
    to: Annotated[str, typer.Option("--to", metavar="NAME", help="The active user who "
                                    "receives the segments.", show_default=False)],
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Give every segment a user owns to another user (CRM Administrators only); each
    segment's timeline says so. The receiver may end up owning more than the per-creator
    limit: the output says so."""
    _administer(ctx, db, lambda store, acting:
                store.users.transfer_segments(name, to, acting).summary())
