"""Who is using segtui: resolved from --user, SEGTUI_USER, the database's default user (the
demo sets one), or the operating-system login, in that order."""

from __future__ import annotations

import getpass
import os

from sqlalchemy import Connection, insert, select

from segtui.core.enums import UserRole
from segtui.core.permissions import CurrentUser
from segtui.data.models import Setting, User, name_key

ENV_VAR = "SEGTUI_USER"
DEFAULT_USER_SETTING = "user.default"
NEW_USER_ROLE = UserRole.MARKETING_MANAGER


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


def resolve(conn: Connection, given: str | None) -> CurrentUser:
    """The current user, created (as a Marketing Manager) the first time a name is seen."""
    name = wanted_name(conn, given)
    row = conn.execute(
        select(User.id, User.name, User.role).where(User.name_key == name_key(name))
    ).one_or_none()
    if row is None:
        new_id = conn.execute(
            insert(User).values(name=name, name_key=name_key(name), role=NEW_USER_ROLE)
            .returning(User.id)
        ).scalar_one()
        return CurrentUser(int(new_id), name, NEW_USER_ROLE)
    return CurrentUser(int(row.id), row.name, UserRole(row.role))


def all_users(conn: Connection) -> list[CurrentUser]:
    rows = conn.execute(select(User.id, User.name, User.role).order_by(User.name))
    return [CurrentUser(int(r.id), r.name, UserRole(r.role)) for r in rows]
