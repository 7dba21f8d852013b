"""`store.users.all_users`: who is working.

The acting user (named, or the OS login), what a user may do, adding users and giving
them roles (data/writes/users.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from segtui.data.store.database import Database

if TYPE_CHECKING:
    from segtui.core.enums import UserRole
    from segtui.core.permissions import CurrentUser, Permission
    from segtui.data.writes.logins import Granted


class Users:
    """Who is working."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def current_user(self, name: str | None = None) -> CurrentUser:
        """--user, SEGTUI_USER, the database's default user, or the OS login, normalised;
        a name seen for the first time is recorded as a Viewer (the database's very first
        user as a CRM Administrator). InvalidUserName for a name with invisible
        characters (data/writes/users.py). The Store acts for this user from now on:
        changes nobody in particular asked for (a start-up re-evaluation, an import)
        are recorded as theirs (C19.1)."""
        from segtui.data.writes import users

        with self._db.writing() as conn:
            user = users.resolve(conn, name)
        self._db.actor = user.name
        return user

    def may(self, user: CurrentUser, permission: Permission) -> bool:
        """Whether `user` may do what `permission` covers, in this database."""
        from segtui.data.writes import users

        with self._db.reading() as conn:
            return users.may(conn, user, permission)

    def look_alikes(self, name: str) -> list[str]:
        """Users whose names look like `name` but are not it ("Alex Kim" for "Alex Kím")."""
        from segtui.data.writes import users

        with self._db.reading() as conn:
            return users.look_alikes(conn, name)

    def add_user(self, name: str, role: UserRole, acting: CurrentUser) -> CurrentUser:
        """Record a new user with a role (administrators only: NotAllowed)."""
        from segtui.data.writes import users

        with self._db.writing() as conn:
            return users.set_role(conn, name, role, acting, new=True)

    def set_user_role(self, name: str, role: UserRole, acting: CurrentUser) -> CurrentUser:
        """Give an existing user another role (administrators only: NotAllowed)."""
        from segtui.data.writes import users

        with self._db.writing() as conn:
            return users.set_role(conn, name, role, acting, new=False)

    def all_users(self) -> list[CurrentUser]:
        """Everyone who can be named as an activity's performer."""
        from segtui.data.writes import users

        with self._db.reading() as conn:
            return users.all_users(conn)

    def check_grantor(self, command: str) -> None:
        """LoginsRefused unless this is PostgreSQL and its login may run `segtui db
        COMMAND` (grant, revoke): the database's owner, who may create roles."""
        from segtui.data.writes import logins

        with self._db.reading() as conn:
            logins.owner_only(conn, command)

    def grant_login(self, login: str, role: UserRole, acting: CurrentUser | None, *,
                    name: str | None = None, team: str | None = None,
                    password: str | None = None) -> Granted:
        """`segtui db grant` (C19.2.4): on PostgreSQL, run by the database's owner, `login`
        signs in as a user with `role`, held by the database's grants too. LoginsRefused
        (nothing done) on SQLite, for another login, or one that may not create roles."""
        from segtui.data.writes import logins

        with logins.refused_as_said(), self._db.writing() as conn:
            return logins.grant(conn, login, role, acting, name=name, team=team,
                                password=password)

    def revoke_login(self, login: str, acting: CurrentUser | None) -> str:
        """`segtui db revoke`: `login` loses its segtui role here and its user is
        deactivated (LoginsRefused as grant_login). Returns the user's name."""
        from segtui.data.writes import logins

        with logins.refused_as_said(), self._db.writing() as conn:
            return logins.revoke(conn, login, acting)
