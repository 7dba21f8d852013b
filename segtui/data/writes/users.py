"""Who is using segtui: resolved from --user, SEGTUI_USER, the database's default user (the
demo sets one), or the operating-system login, in that order. On PostgreSQL, a login that
does not own the schema is its own user instead (C19.2.2, data/writes/logins.py); a
deactivated user is refused on both engines (C19.2.3).

Names are normalised as segment names are (runs of spaces collapsed, accents composed) and
refused when they hold a character that can't be seen, so "Alex  Kim" is Alex Kim and
"Alex Kim" with a zero-width space is an error, never a second user (I16.6). A name
segtui has not seen is recorded as a Viewer: it may look at everything and change nothing
until an administrator gives it a role (`segtui users set-role`). Only the database's
first user, when it has none yet, starts as a CRM Administrator, so that someone can.
"""

from __future__ import annotations

import getpass
import os

from sqlalchemy import Connection, exists, func, select, update

from segtui.core.audit import Action
from segtui.core.enums import UserRole
from segtui.core.permissions import CurrentUser, InvalidUserName, Permission, UserDeactivated
from segtui.core.validation import name_skeleton, normalise_user_name, user_name_error
from segtui.data.db.grants import signed_in
from segtui.data.db.sql import insert_unless_present
from segtui.data.db.tables import Setting, User, name_key
from segtui.data.writes.logins import follow_role, login_user

ENV_VAR = "SEGTUI_USER"
DEFAULT_USER_SETTING = "user.default"
NEW_USER_ROLE = UserRole.VIEWER
FIRST_USER_ROLE = UserRole.CRM_ADMINISTRATOR


def wanted_name(conn: Connection, given: str | None) -> str:
    if given and given.strip():
        return given.strip()
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return env
    default = conn.execute(
        select(Setting.value).where(Setting.key == DEFAULT_USER_SETTING)
    ).scalar_one_or_none()
    if default:
        return str(default)
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        return "segtui user"


def checked_name(text: str) -> str:
    """`text` normalised as a user name, or InvalidUserName saying why it can't be one."""
    name = normalise_user_name(text)
    problem = user_name_error(name)
    if problem is not None:
        raise InvalidUserName(problem)
    return name


def _find(conn: Connection, name: str) -> CurrentUser | None:
    row = conn.execute(
        select(User.id, User.name, User.role).where(User.name_key == name_key(name))
    ).one_or_none()
    return None if row is None else CurrentUser(int(row.id), row.name, UserRole(row.role))


def _insert_new(conn: Connection, name: str, role: UserRole) -> None:
    """Record a user unless someone just did (two first runs at once find one row)."""
    conn.execute(insert_unless_present(
        conn, User, {"name": name, "name_key": name_key(name), "role": role}, ["name_key"]))


def known(conn: Connection, given: str | None) -> CurrentUser | None:
    """The current user if segtui has seen them (a read), else None. On PostgreSQL, a
    login that does not own the schema is its own user, whatever the name given (C19.2.2,
    data/writes/logins.py: LoginRefused). UserDeactivated when an administrator
    deactivated them (C19.2.3, C19.3.4): segtui does not act for them."""
    signed = signed_in(conn)
    if signed is not None and not signed.owner:
        checked = checked_name(given) if given and given.strip() else None
        return refuse_deactivated(conn, login_user(conn, signed, given, checked))
    name = checked_name(wanted_name(conn, given))
    row = conn.execute(select(User.id, User.name, User.role, User.active)
                       .where(User.name_key == name_key(name))).one_or_none()
    if row is None:
        return None
    if not row.active:
        raise UserDeactivated(row.name)
    return CurrentUser(int(row.id), row.name, UserRole(row.role))


def refuse_deactivated(conn: Connection, user: CurrentUser) -> CurrentUser:
    """`user`, or UserDeactivated when an administrator deactivated them (C19.2.3)."""
    active = conn.execute(select(User.active).where(User.id == user.id)).scalar()
    if active is False:  # (no row: a name not recorded yet, who was never deactivated)
        raise UserDeactivated(user.name)
    return user


def resolve(conn: Connection, given: str | None) -> CurrentUser:
    """The current user, unless deactivated (UserDeactivated): `known`, or a name seen
    for the first time, recorded as a Viewer (as a CRM Administrator if the database has
    no user at all yet)."""
    found = known(conn, given)
    if found is not None:
        return found
    name = checked_name(wanted_name(conn, given))
    anyone = conn.execute(select(exists().select_from(User))).scalar_one()
    _insert_new(conn, name, NEW_USER_ROLE if anyone else FIRST_USER_ROLE)
    found = _find(conn, name)
    assert found is not None
    return CurrentUser(found.id, found.name, found.role, new=True)


def look_up(conn: Connection, given: str | None) -> CurrentUser:
    """The user `resolve` would find, read without writing (a read command's viewer,
    C19.3.2), by `known`: on PostgreSQL a login is its own user, and a deactivated user
    is refused. A name segtui has not seen is a Viewer with no id (0), who owns nothing
    and is hidden from nothing."""
    found = known(conn, given)
    if found is not None:
        return found
    return CurrentUser(0, checked_name(wanted_name(conn, given)), NEW_USER_ROLE, new=True)


def all_users(conn: Connection) -> list[CurrentUser]:
    rows = conn.execute(select(User.id, User.name, User.role).order_by(User.name))
    return [CurrentUser(int(r.id), r.name, UserRole(r.role)) for r in rows]


def look_alikes(conn: Connection, name: str) -> list[str]:
    """Other users whose names look like `name` ("Alex Kim" for "Alex Kím" or "Alex
    Kim."): same letters and digits once accents, punctuation, spaces and case go."""
    skeleton = name_skeleton(name)
    if not skeleton:
        return []
    return [u.name for u in all_users(conn)
            if name_key(u.name) != name_key(name) and name_skeleton(u.name) == skeleton]


def _administrators(conn: Connection, besides: int | None = None) -> int:
    """The active CRM Administrators (a deactivated one manages nobody: C19.3.4), but for
    user `besides`."""
    return int(conn.execute(select(func.count()).select_from(User)
                            .where(User.role == UserRole.CRM_ADMINISTRATOR,
                                   User.active.is_(True), User.id != (besides or 0))
                            ).scalar_one())


def may(conn: Connection, user: CurrentUser, permission: Permission) -> bool:
    """Whether `user` may do what `permission` covers. Managing users is for
    administrators; a database made before segtui had them (all its users were created
    as Marketing Managers) lets its managers name one."""
    if user.may(permission):
        return True
    return (permission is Permission.MANAGE_USERS
            and user.may(Permission.EDIT_SEGMENTS) and _administrators(conn) == 0)


def set_role(conn: Connection, given: str, role: UserRole, acting: CurrentUser, *,
             new: bool) -> CurrentUser:
    """Record `given` with `role` (`new`: it must not exist yet) or give an existing user
    `role`. An administrator can't take away the last administrator."""
    if not may(conn, acting, Permission.MANAGE_USERS):
        from segtui.core.segments import NotAllowed  # the refusal only (P12)

        raise NotAllowed(acting.name, acting.role.value, Permission.MANAGE_USERS.value)
    name = checked_name(given)
    found = _find(conn, name)
    if new and found is not None:
        raise InvalidUserName(f"{found.name!r} is already a user ({found.role.value}); "
                              "change the role with set-role")
    if not new and found is None:
        raise InvalidUserName(f"no user named {name!r}; add one with: segtui users add")
    if found is None:
        _insert_new(conn, name, role)
    else:
        if (found.role is UserRole.CRM_ADMINISTRATOR and role is not found.role
                and _administrators(conn, besides=found.id) == 0):
            raise InvalidUserName(f"{found.name!r} is the only CRM Administrator: give "
                                  "someone else that role first")
        conn.execute(update(User).where(User.id == found.id).values(role=role))
        follow_role(conn, found.id, role)  # C19.2.7: the login's grants follow
    result = _find(conn, name)
    assert result is not None
    from segtui.data.writes.audit import record_audit  # writes only (P12)

    record_audit(conn, Action.PERMISSIONS_MODIFIED, acting, subject=f"user {result.name}",
                 details=f"{'added as' if new else 'role now'} {role.value}")
    return result
