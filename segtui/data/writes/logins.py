"""PostgreSQL logins and segtui's users (C19.2).

Identity: on PostgreSQL the acting user is the database login (`current_user`), the
`users` row whose `login` it is. The schema's owner (or a superuser) is the exception:
it may do anything in SQL already, so acting as a named user (--user, SEGTUI_USER, the
database's default user) gives it nothing it lacks; it keeps segtui's usual choice of
user, which also serves a team that shares one login. On SQLite (one person's file) the
name is chosen as always (data/writes/users.py).

`segtui db grant` and `db revoke` (the owner only): a login's group role, and its
`users` row, in one transaction: role DDL is transactional in PostgreSQL, so a refusal
half-way leaves nothing done. The grants themselves: data/db/grants.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from segtui.core.audit import Action
from segtui.core.enums import UserRole
from segtui.core.permissions import (
    CurrentUser,
    LoginRefused,
    LoginsRefused,
    login_problem,
)
from segtui.core.validation import normalise_user_name, user_name_error
from segtui.data.db import grants
from segtui.data.db.grants import SignedIn
from segtui.data.db.tables import User, name_key

ENV_VAR = "SEGTUI_USER"
ROLE_WORDS = {UserRole.VIEWER: "viewer", UserRole.MARKETING_MANAGER: "manager",
              UserRole.CRM_ADMINISTRATOR: "administrator"}


def login_user(conn: Connection, signed: SignedIn, given: str | None,
               checked: str | None) -> CurrentUser:
    """The user a login that does not own the schema acts as: the `users` row whose
    `login` is the login. `given` (--user) or $SEGTUI_USER naming anyone else is
    refused (`checked`: `given` normalised as a user name), as is a login with no user."""
    row = conn.execute(select(User.id, User.name, User.role)
                       .where(User.login == signed.login)).one_or_none()
    if row is None:
        raise LoginRefused(
            f"you are signed in to PostgreSQL as {signed.login}, who is not a segtui user: "
            f"ask an administrator to run: segtui db grant {signed.login} --role viewer")
    user = CurrentUser(int(row.id), row.name, UserRole(row.role))
    named, source = ((given, "--user") if given and given.strip()
                     else (os.environ.get(ENV_VAR, ""), ENV_VAR))
    if named.strip() and named.strip() != signed.login and (
            checked is None or name_key(checked) != name_key(user.name)):
        raise LoginRefused(
            f"you are signed in to PostgreSQL as {signed.login}, who is {user.name}: "
            f"{source} can't name someone else")
    return user


@dataclass(frozen=True)
class Granted:
    """What `segtui db grant` did."""

    login: str
    name: str
    role: UserRole
    team: str | None
    login_made: bool  # the login was created (else it existed)
    user_made: bool  # the users row was added (else changed)
    groups: tuple[str, ...]  # the database's segtui group roles


@contextmanager
def refused_as_said() -> Iterator[None]:
    """PostgreSQL's own refusal of a grant (a login another role made, which this owner
    may not alter) as LoginsRefused: one line, and the transaction rolls back whole."""
    try:
        yield
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != "42501":  # insufficient_privilege
            raise
        reason = str(exc.orig).strip().splitlines()[0]
        raise LoginsRefused(f"PostgreSQL refused: {reason}; nothing was changed") from None


def checked_name(text: str) -> str:
    """`text` as a user name (data/writes/users.py's rule), or LoginsRefused."""
    name = normalise_user_name(text)
    problem = user_name_error(name)
    if problem is not None:
        raise LoginsRefused(problem)
    return name


def owner_only(conn: Connection, command: str) -> SignedIn:
    """The owner's login, or LoginsRefused saying why this can't be done here."""
    signed = grants.signed_in(conn)
    if signed is None:
        raise LoginsRefused(
            f"segtui db {command} is for PostgreSQL, where each person signs in with a "
            "login of their own; a SQLite file has no logins: give a user a role with "
            "segtui users set-role NAME ROLE")
    if not signed.owner:
        raise LoginsRefused(
            f"segtui db {command} is for the database's owner ({signed.owner_name}) or a "
            f"superuser: you are signed in as {signed.login}")
    if not signed.may_create_roles:
        raise LoginsRefused(
            f"{signed.login} may not create or grant roles: run segtui db {command} as a "
            f"superuser, or ask one to run: ALTER ROLE {signed.login} CREATEROLE")
    return signed


def _checked_login(conn: Connection, login: str) -> None:
    problem = login_problem(login)
    if problem is not None:
        raise LoginsRefused(problem)
    if login in grants.groups(conn).values():
        raise LoginsRefused(f"{login} is one of segtui's group roles, not a login")
    row = conn.execute(text(
        "SELECT r.rolsuper OR pg_has_role(r.oid, c.relowner, 'MEMBER') FROM pg_roles r, "
        "pg_class c WHERE r.rolname = :login AND c.oid = to_regclass('segments')"),
        {"login": login}).scalar_one_or_none()
    if row:
        raise LoginsRefused(f"{login} owns the database (or is a superuser): it may do "
                            "anything already; grant a role to another login")


def grant(conn: Connection, login: str, role: UserRole, acting: CurrentUser | None, *,
          name: str | None = None, team: str | None = None,
          password: str | None = None) -> Granted:
    """`login` signs in as a user with `role`: the database's group roles and their
    grants (made or brought up to date), the login (made if missing, allowed to sign
    in), a member of `role`'s group only, and its `users` row (added, or given the
    role, the team and `active`). Audited as a permissions change."""
    owner_only(conn, "grant")
    _checked_login(conn, login)
    wanted = checked_name(name) if name and name.strip() else None
    row = conn.execute(select(User.id, User.name, User.login)
                       .where(User.login == login)).one_or_none()
    if row is None:  # a user of that name without a login yet takes this one
        row = conn.execute(select(User.id, User.name, User.login).where(
            User.name_key == name_key(wanted or checked_name(login)))).one_or_none()
        if row is not None and row.login is not None:
            raise LoginsRefused(f"{row.name} signs in as {row.login} already: give "
                                "--name another name for this login")
    grants.create_groups(conn)
    grants.apply_grants(conn)
    login_made = grants.make_member(conn, login, role, password=password)
    values: dict[str, object] = {"role": role, "login": login, "active": True}
    if team is not None:
        values["team"] = team.strip() or None
    if row is None:
        shown = wanted or checked_name(login)
        conn.execute(insert(User).values(name=shown, name_key=name_key(shown), **values))
    else:
        if wanted is not None and name_key(wanted) != name_key(row.name):
            values.update(name=wanted, name_key=name_key(wanted))
        conn.execute(update(User).where(User.id == row.id).values(**values))
    user = conn.execute(select(User.name, User.team).where(User.login == login)).one()
    from segtui.data.writes.audit import record_audit  # writes only (P12)

    record_audit(conn, Action.PERMISSIONS_MODIFIED, acting, subject=f"user {user.name}",
                 details=f"login {login} granted {role.value}")
    return Granted(login, user.name, role, user.team, login_made, row is None,
                   tuple(grants.groups(conn).values()))


def revoke(conn: Connection, login: str, acting: CurrentUser | None) -> str:
    """`login` a member of none of this database's segtui groups, and its user
    deactivated (their segments stay, to be handed over). The login itself stays: it
    is the server's, and may sign in to other databases. Returns the user's name."""
    owner_only(conn, "revoke")
    problem = login_problem(login)
    if problem is not None:
        raise LoginsRefused(problem)
    row = conn.execute(select(User.id, User.name).where(User.login == login)).one_or_none()
    had = grants.leave_groups(conn, login) if grants.role_exists(conn, login) else []
    if row is None and not had:
        raise LoginsRefused(f"no segtui user signs in as {login} on this database")
    name = login if row is None else str(row.name)
    if row is not None:
        conn.execute(update(User).where(User.id == row.id).values(active=False))
    from segtui.data.writes.audit import record_audit  # writes only (P12)

    record_audit(conn, Action.PERMISSIONS_MODIFIED, acting, subject=f"user {name}",
                 details=f"login {login} revoked; user deactivated")
    return name


def follow_role(conn: Connection, user_id: int, role: UserRole) -> None:
    """After `segtui users set-role` gave a user `role` (C19.2.7): a user who signs in
    with a login moves to `role`'s group too, so segtui and the database agree. The
    database's owner moves it; an administrator's login through the follow function
    (grants.py, C19.3.4); anyone else is refused (LoginRefused), and the caller's
    transaction, the role change with it, rolls back."""
    row = conn.execute(select(User.name, User.login).where(User.id == user_id)).one()
    signed = grants.signed_in(conn)
    if row.login is None or signed is None:
        return
    if not (signed.owner and signed.may_create_roles):
        if grants.may_follow(conn):  # an administrator: through the follow function
            grants.follow_user(conn, user_id)
            return
        raise LoginRefused(
            f"{row.name} signs in to PostgreSQL as {row.login}: their role is a grant only "
            f"the database's owner changes, with: segtui db grant {row.login} --role "
            f"{ROLE_WORDS[role]}")
    grants.create_groups(conn)
    grants.apply_grants(conn)
    grants.move_to(conn, row.login, role)
