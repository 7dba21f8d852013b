"""`segtui db grant LOGIN --role ROLE` and `segtui db revoke LOGIN` (C19.2.4; docs/cli.md,
"Teams on PostgreSQL"): on a shared PostgreSQL database, each person signs in with a
login of their own, and its segtui role is a grant the database holds too
(segtui/data/db/grants.py). Run by the database's owner; on SQLite they say to use
`segtui users set-role`.
"""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from segtui.cli.access import grants_logins
from segtui.cli.common import DbOption, JsonOption, UserOption, command_store
from segtui.cli.output import dumps, fail, say
from segtui.cli.users import ROLES, Role, RoleHelp
from segtui.core.permissions import CurrentUser, InvalidUserName, LoginsRefused

if TYPE_CHECKING:
    from segtui.data.store import Store

Login = Annotated[str, typer.Argument(metavar="LOGIN", help="The PostgreSQL login (made "
                                      "if missing).", show_default=False)]


def _acting(ctx: typer.Context, store: "Store", user: str | None, command: str
            ) -> CurrentUser:
    """The owner's segtui user, recorded in the audit log; refused first unless this
    login owns the database (LoginsRefused)."""
    store.users.check_grantor(command)
    return store.users.current_user(user or (ctx.obj or {}).get("user"))


def _password() -> str:
    secret = sys.stdin.readline().rstrip("\r\n")
    if not secret:
        fail("--password-stdin: no password on standard input")
    return secret


@grants_logins
def db_grant(
    ctx: typer.Context,
    login: Login,
    role: Annotated[Role, typer.Option(case_sensitive=False, help=RoleHelp)],
    name: Annotated[str | None, typer.Option(
        "--name", help="The user's name in segtui (default: the login, or the name it "
        "has).", show_default=False)] = None,
    team: Annotated[str | None, typer.Option(
        "--team", help="The user's team.", show_default=False)] = None,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Set the login's password from the first line of "
        "standard input (default: no password; the server's pg_hba.conf decides).")] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Let a PostgreSQL login use segtui with a role: the database's segtui roles and
    grants, the login, and its user (the database's owner only; PostgreSQL only)."""
    password = _password() if password_stdin else None
    store = command_store(ctx, db)
    try:
        acting = _acting(ctx, store, user, "grant")
        done = store.users.grant_login(login, ROLES[role], acting, name=name, team=team,
                                       password=password)
        url = store.url.set(username=login, password=None)
    except (LoginsRefused, InvalidUserName) as exc:
        fail(str(exc))
    finally:
        store.close()
    if as_json:
        say(dumps({"login": done.login, "name": done.name, "role": done.role.value,
                   "team": done.team, "login_created": done.login_made,
                   "user_created": done.user_made, "groups": list(done.groups)}, indent=2))
        return
    team_part = f", team {done.team}" if done.team else ""
    say(f"{done.login} signs in as {done.name} ({done.role.value}{team_part}).")
    if done.login_made:
        say(f"Created the login {done.login}"
            + (" with the password given." if password is not None else
               " without a password (pg_hba.conf decides how it signs in; set one with "
               "--password-stdin)."))
    say(f"Connect with: segtui --db {url.render_as_string(hide_password=True)}")


@grants_logins
def db_revoke(
    ctx: typer.Context,
    login: Annotated[str, typer.Argument(metavar="LOGIN", help="The PostgreSQL login.",
                                         show_default=False)],
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Take a login's segtui role away on this database and deactivate its user (the
    login itself stays; the database's owner only)."""
    store = command_store(ctx, db)
    try:
        acting = _acting(ctx, store, user, "revoke")
        name = store.users.revoke_login(login, acting)
    except (LoginsRefused, InvalidUserName) as exc:
        fail(str(exc))
    finally:
        store.close()
    say(f"{login} has no segtui role here any more, and {name} is deactivated. The login "
        f"stays (it is the server's): DROP ROLE {login} removes it.")
