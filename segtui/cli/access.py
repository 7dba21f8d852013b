"""What each command does to the database, and who may run it (I16.5; docs/cli.md,
"Who may do what").

Every command carries one of these decorators where it is defined (under its
`@app.command(...)`, or alone when its group lists it: segtui/cli/__init__.py,
segtui/cli/segments/__init__.py):

- `@reads`: it only looks (list, show, count, export, quality). Anyone may run it.
- `@writes(doing)`: it changes data (imports, segment changes, refresh, merge, users).
  Before its body runs, the database is opened, the acting user resolved (`--user`,
  `$SEGTUI_USER`, the database's default user, the login name) and checked against the
  same permissions as the app (core/permissions.py): a Viewer gets
  `segtui: Alex Kim (Viewer) is not allowed to DOING.` and exit 1 before anything is read
  or written. The body takes the checked user from `acting_user(ctx)` and the open database
  from `command_store` (common.py).
- `@builds_database`: `demo` fills a new database and refuses one that holds data; there
  is nobody to check yet.
- `@migrates`: `db upgrade` applies the schema migrations every command applies when it
  opens a database; the database's own grants decide who may change its schema.
- `@grants_logins`: `db grant` and `db revoke` give PostgreSQL logins their segtui roles
  (C19.2.4). Only the database's owner (or a superuser) may: the command checks the login
  it is signed in as, not a segtui user's role, and PostgreSQL refuses anyone else too.

Every decorator also refuses text arguments that can't be text (a NUL, or bytes that are
not UTF-8) as a usage error, before they reach a query (I16.10).

tests/test_cli_access.py walks the Typer app: a command without one of these decorators
fails it, and every `@writes` command is run as a Viewer on both engines.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from segtui.cli.common import ACTING, CHECKED_STORE, command_store
from segtui.cli.output import fail
from segtui.core.permissions import CurrentUser, InvalidUserName, Permission

if TYPE_CHECKING:
    from segtui.data.store import Store

F = TypeVar("F", bound=Callable[..., Any])

ACCESS = "segtui_access"  # the attribute each decorator sets on the command
DOING = "segtui_doing"  # a writing command's "change segments", "import contacts"...


class Access(StrEnum):
    READS = "reads"
    WRITES = "writes"
    BUILDS_DATABASE = "builds a new database"
    MIGRATES = "migrates the schema"
    GRANTS_LOGINS = "grants logins their roles"


def access_of(command: Callable[..., Any]) -> Access | None:
    """The access a command was declared with (None: it was not: a bug the tests catch)."""
    found = getattr(command, ACCESS, None)
    return found if isinstance(found, Access) else None


def _unusable_text(value: object) -> str | None:
    """Why a text argument can't be used, or None."""
    texts: Iterable[object] = value if isinstance(value, list | tuple) else [value]
    for text in texts:
        if not isinstance(text, str):
            continue
        if "\x00" in text:
            return "holds a NUL character"
        if any("\ud800" <= ch <= "\udfff" for ch in text):
            return "holds bytes that are not UTF-8 text"
    return None


def _check_arguments(ctx: typer.Context, kwargs: dict[str, Any]) -> None:
    """A NUL or a byte that is not UTF-8 in a text argument is a usage error (exit 2):
    no name, email or search holds one, and a database can't be asked about it. `--db`
    is a file path and may hold any bytes."""
    for name, value in kwargs.items():
        if name == "db":
            continue
        problem = _unusable_text(value)
        if problem is not None:
            shown = next(((p.metavar or name.upper()) if p.param_type_name == "argument"
                          else p.opts[0] for p in ctx.command.params if p.name == name), name)
            raise typer.BadParameter(problem, ctx=ctx, param_hint=repr(shown))


def _declared(command: F, access: Access, wrapper: Callable[..., Any]) -> F:
    setattr(wrapper, ACCESS, access)
    return functools.wraps(command)(wrapper)  # type: ignore[return-value]


def reads(command: F) -> F:
    """The command only looks: anyone may run it."""
    def checked(*args: Any, **kwargs: Any) -> Any:
        _check_arguments(kwargs["ctx"], kwargs)
        return command(*args, **kwargs)
    _require_params(command, {"ctx"})
    return _declared(command, Access.READS, checked)


def builds_database(command: F) -> F:
    """The command fills a new, empty database (`demo`)."""
    def checked(*args: Any, **kwargs: Any) -> Any:
        _check_arguments(kwargs["ctx"], kwargs)
        return command(*args, **kwargs)
    _require_params(command, {"ctx"})
    return _declared(command, Access.BUILDS_DATABASE, checked)


def migrates(command: F) -> F:
    """The command changes the schema only (`db upgrade`)."""
    def checked(*args: Any, **kwargs: Any) -> Any:
        _check_arguments(kwargs["ctx"], kwargs)
        return command(*args, **kwargs)
    _require_params(command, {"ctx"})
    return _declared(command, Access.MIGRATES, checked)


def grants_logins(command: F) -> F:
    """The command gives logins roles (`db grant`, `db revoke`): the owner's."""
    def checked(*args: Any, **kwargs: Any) -> Any:
        _check_arguments(kwargs["ctx"], kwargs)
        return command(*args, **kwargs)
    _require_params(command, {"ctx", "db"})
    return _declared(command, Access.GRANTS_LOGINS, checked)


def writes(doing: str, permission: Permission = Permission.EDIT_SEGMENTS
           ) -> Callable[[F], F]:
    """The command changes data: only a user with `permission` may run it; `doing` ends
    the refusal ("... is not allowed to import contacts.")."""
    def decorate(command: F) -> F:
        _require_params(command, {"ctx", "db", "user"})

        def checked(*args: Any, **kwargs: Any) -> Any:
            ctx: typer.Context = kwargs["ctx"]
            _check_arguments(ctx, kwargs)
            store = command_store(ctx, kwargs["db"])
            try:
                ctx.meta[ACTING] = _permitted(ctx, store, kwargs["user"], doing, permission)
            except BaseException:
                store.close()
                raise
            ctx.meta[CHECKED_STORE] = store
            try:
                return command(*args, **kwargs)
            finally:
                unused = ctx.meta.pop(CHECKED_STORE, None)
                if unused is not None:  # the body stopped before it took the database
                    unused.close()

        wrapped = _declared(command, Access.WRITES, checked)
        setattr(wrapped, DOING, doing)
        return wrapped
    return decorate


def _require_params(command: Callable[..., Any], names: set[str]) -> None:
    missing = names - set(inspect.signature(command).parameters)
    if missing:
        raise TypeError(f"{command.__name__} must take {', '.join(sorted(missing))} "
                        "(segtui/cli/access.py)")


def _permitted(ctx: typer.Context, store: Store, user: str | None, doing: str,
               permission: Permission) -> CurrentUser:
    """The acting user, or exit 1 with the one-line refusal the app would show."""
    from segtui.core.segments import NotAllowed  # not at import: keeps --help fast

    try:
        acting = store.users.current_user(user or (ctx.obj or {}).get("user"))
    except InvalidUserName as exc:
        fail(str(exc))
    if store.users.may(acting, permission):
        return acting
    refusal = str(NotAllowed(acting.name, acting.role.value, doing))
    if acting.new:
        refusal = refusal.removesuffix(".") + ": a name segtui had not seen is a Viewer " \
            "until an administrator gives it a role (segtui users set-role)"
    similar = store.users.look_alikes(acting.name)
    if similar:
        refusal = refusal.removesuffix(".") + \
            f" (did you mean {' or '.join(repr(s) for s in similar[:3])}?)"
    fail(refusal)

