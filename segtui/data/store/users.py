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
        are recorded as theirs (C19.1), and it reads the segments they see (C19.3.2)."""
        from segtui.data.writes import users

        with self._db.writing() as conn:
            user = users.resolve(conn, name)
        self._db.act_for(user)
        return user

    def look_as(self, name: str | None = None) -> CurrentUser:
        """As `current_user`, read without writing (a read command need not wait for
        another process's write): the Store reads what that user sees (C19.3.2). A name
        segtui has not seen reads as a new Viewer would, and is not recorded."""
        from segtui.data.writes import users

        with self._db.reading() as conn:
            user = users.look_up(conn, name)
        self._db.viewer = user
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
