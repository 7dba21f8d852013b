"""`store.users.all_users`: who is working.

The acting user (named, or the OS login), what a user may do, adding users and giving
them roles (data/writes/users.py); the administrator's Users screen: the users with their
teams, last seen and segments, deactivating, teams and ownership transfer
(data/queries/users.py, data/writes/administration.py; C19.3.3-C19.3.7).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from segtui.data.store.database import Database

if TYPE_CHECKING:
    from collections.abc import Sequence

    from segtui.core.administration import Transferred, UserRow
    from segtui.core.enums import UserRole
    from segtui.core.permissions import CurrentUser, Permission
    from segtui.core.records import Choice
    from segtui.data.writes.logins import Granted

RECEIVER_CHOICES = 50  # the users a transfer's picker shows for what was typed


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
        are recorded as theirs (C19.1), and it reads the segments they see (C19.3.2).

        UserDeactivated (an InvalidUserName) for a user an administrator deactivated
        (C19.3.4). A user segtui knows is found by a read; their last seen is then
        recorded (`seen`, C19.3.5)."""
        from segtui.data.writes import users

        with self._db.reading() as conn:
            user = users.known(conn, name)
        if user is None:
            with self._db.writing() as conn:
                user = users.resolve(conn, name)
        self._db.act_for(user)
        self.seen(user)
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

    def seen(self, user: CurrentUser) -> bool | None:
        """Record that `user` is using segtui now, unless that was recorded less than a
        minute ago (C19.3.5): the app calls it every minute. A look, not a change anyone
        asked for: when another process holds SQLite's write lock (or, on PostgreSQL,
        the user's row, for 2 s), or the database refuses it, it is skipped at once and
        None returned; nothing else changes, and only `last_seen_at` is written.
        Otherwise, whether the user is still active."""
        from sqlalchemy.exc import DBAPIError

        from segtui.core import clock
        from segtui.data.db.engine import busy_timeout_ms
        from segtui.data.writes.administration import touch_seen

        sqlite = self._db.engine.dialect.name == "sqlite"
        try:
            with self._db.writer.connect() as conn:
                raw: Any = conn.connection.driver_connection
                if sqlite:  # BEGIN IMMEDIATE gives up at once rather than wait
                    raw.execute("PRAGMA busy_timeout=0")
                try:
                    with self._db.stamped(conn).begin():
                        if not sqlite:
                            conn.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
                        return touch_seen(conn, user.id, clock.now())
                finally:
                    if sqlite:
                        raw.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
        except DBAPIError:  # another process writes (or a login may not write it, C19.2):
            return None  # this look goes unrecorded; nobody is refused for it

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
    # -- administration (C19.3.3-C19.3.7; administrators only: NotAllowed) ----------------

    def user_rows(self) -> list[UserRow]:
        """Every user, in name order: role, team, active, last seen, the segments they own
        and their login, in one statement."""
        from segtui.data.queries.users import user_rows

        with self._db.reading() as conn:
            return user_rows(conn)

    def receivers(self, text: str, besides: int) -> list[Choice]:
        """Active users other than user `besides` whose names contain `text`: who may
        receive another's segments."""
        from segtui.data.queries.users import receivers

        with self._db.reading() as conn:
            return receivers(conn, text, besides=besides, limit=RECEIVER_CHOICES)

    def deactivate(self, name: str, acting: CurrentUser, transfer_to: str | None = None
                   ) -> Transferred | None:
        """`name` may no longer use segtui (C19.3.4); with `transfer_to`, their segments go
        to that user first, in the same transaction (C19.3.6). AdminRefusal: yourself,
        the last active administrator, an unknown user."""
        from segtui.data.writes import administration

        with self._db.writing() as conn:
            moved = None if transfer_to is None else administration.transfer_segments(
                conn, name, transfer_to, acting)
            administration.deactivate(conn, name, acting)
            return moved

    def reactivate(self, name: str, acting: CurrentUser) -> None:
        """`name` may use segtui again, in the role they had."""
        from segtui.data.writes import administration

        with self._db.writing() as conn:
            administration.reactivate(conn, name, acting)

    def set_team(self, name: str, team: str | None, acting: CurrentUser) -> str | None:
        """Put `name` in `team` (None or empty: no team); the team as stored (C19.3.7)."""
        from segtui.data.writes import administration

        with self._db.writing() as conn:
            return administration.set_team(conn, name, team, acting)

    def transfer_segments(self, giver: str, receiver: str, acting: CurrentUser,
                          segment_ids: Sequence[int] | None = None) -> Transferred:
        """Give `giver`'s segments (all, or `segment_ids`) to `receiver` in one
        transaction (C19.3.6)."""
        from segtui.data.writes import administration

        with self._db.writing() as conn:
            return administration.transfer_segments(conn, giver, receiver, acting,
                                                    segment_ids)
