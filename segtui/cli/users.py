"""`segtui users list|add|set-role` (I16.6; docs/cli.md, "Users").

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


@app.command("list")
@reads
def users_list(ctx: typer.Context, as_json: JsonOption = False, db: DbOption = None) -> None:
    """List every user with their role, in name order."""
    store = command_store(ctx, db)
    try:
        everyone = store.users.all_users()
    finally:
        store.close()
    if as_json:
        say(dumps([user_object(u) for u in everyone], indent=2))
        return
    say(f"{'ID':>5}  {'NAME':<32}  ROLE")
    for user in everyone:
        say(f"{user.id:>5}  {user.name:<32}  {user.role.value}")


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
