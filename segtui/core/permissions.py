"""Who may do what (R2: marketing managers create and edit; administrators everything).

Viewers may look at everything and change nothing; only administrators give people roles.
A name segtui has not seen is a Viewer (I16.6). docs/segments.md explains the choice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from segtui.core.enums import UserRole


class Permission(StrEnum):
    EDIT_SEGMENTS = "change segments"
    PAUSE_CAMPAIGNS = "pause campaigns"
    MANAGE_USERS = "manage users"
    PRIVACY_REQUESTS = "handle privacy requests"  # C19.5: erase, export a person's data
    REVIEW_AUDIT = "review the audit log"  # C19.4
    # C19.3.2: see every segment whatever its visibility, and set anyone's visibility.
    ALL_SEGMENTS = "see and share every segment"


GRANTS: dict[UserRole, frozenset[Permission]] = {
    UserRole.CRM_ADMINISTRATOR: frozenset(Permission),
    UserRole.MARKETING_MANAGER: frozenset({Permission.EDIT_SEGMENTS,
                                           Permission.PAUSE_CAMPAIGNS}),
    UserRole.VIEWER: frozenset(),
}


@dataclass(frozen=True)
class CurrentUser:
    id: int
    name: str
    role: UserRole
    # Recorded just now, the first time segtui saw the name (so it is a Viewer, unless it
    # was the database's first user): the command line says so when it refuses.
    new: bool = field(default=False, compare=False)

    def may(self, permission: Permission) -> bool:
        return permission in GRANTS[self.role]

    def refusal(self, doing: str, permission: Permission = Permission.EDIT_SEGMENTS
                ) -> str | None:
        """Why this user may not do `doing` (e.g. "change segments"), or None if they may:
        the one wording every screen shows a Viewer."""
        if self.may(permission):
            return None
        return f"{self.name} ({self.role.value}) may look but not {doing}."


class InvalidUserName(ValueError):
    """A --user, $SEGTUI_USER or login name segtui can't accept (core/validation.py,
    `user_name_error`): the message says why."""


class LoginRefused(InvalidUserName):
    """C19.2.2: on PostgreSQL, a login that is not the database's owner acts as its own
    user only: a login with no segtui user, or a --user naming someone else, is refused
    with what to do."""


class UserDeactivated(InvalidUserName):
    """The acting user was deactivated by an administrator (C19.2.3, C19.3.4): segtui
    refuses to act for them, in the app and on the command line alike."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} was deactivated by an administrator: an administrator "
                         "can reactivate them (segtui users reactivate)")
        self.name = name


class LoginsRefused(ValueError):
    """C19.2.4: `segtui db grant` or `db revoke` can't be done here (SQLite, a login that
    does not own the database, one that may not create roles, a bad login name): the
    message says why and what to do. Nothing was changed."""


def login_problem(login: str) -> str | None:
    """Why `login` can't be a PostgreSQL login segtui grants a role to, or None."""
    if not login or not login.strip():
        return "a login can't be empty"
    if len(login) > 63:
        return f"a PostgreSQL login has at most 63 characters ({login[:20]!r}... has " \
            f"{len(login)})"
    if any(not ch.isprintable() or ch.isspace() for ch in login):
        return f"a login can't contain spaces or invisible characters ({login!r})"
    if login.lower().startswith("pg_"):
        return f"{login!r}: names starting with pg_ are PostgreSQL's own"
    return None
