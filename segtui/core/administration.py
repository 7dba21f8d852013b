"""Administration of the people on a shared database (C19.3.3-C19.3.7): the records the
Users screen and `segtui users` show, the refusals, a team's name, and "last seen" in
words. Pure Python: the SQL is data/queries/users.py and data/writes/administration.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from segtui.core.enums import UserRole
from segtui.core.formatting import dmy, plural
from segtui.core.validation import normalise_user_name, user_name_error

SEEN_EVERY_SECONDS = 60  # last seen is written at most once a minute (C19.3.5)


class AdminRefusal(ValueError):
    """An administrator's change segtui refuses, in words that say why and what to do
    instead (yourself, the last administrator, an unknown user, a bad team name)."""


@dataclass(frozen=True)
class UserRow:
    """One user as the Users screen and `segtui users list` show them."""

    id: int
    name: str
    role: UserRole
    team: str | None
    active: bool
    last_seen_at: datetime | None
    segments_owned: int
    login: str | None = None  # the PostgreSQL login (C19.2), None for a name only


@dataclass(frozen=True)
class Transferred:
    """What an ownership transfer did (C19.3.6): how many segments moved from whom to
    whom, and whether the receiver now owns more than the per-creator limit (C19.3.1):
    an administrator's transfer may exceed it, and says so."""

    giver: str
    receiver: str
    moved: int
    receiver_owns: int
    limit: int

    @property
    def over_limit(self) -> bool:
        return self.receiver_owns > self.limit

    def summary(self) -> str:
        if self.moved == 0:
            return f"{self.giver} owns no segments: nothing was transferred."
        verb = "belong" if self.moved > 1 else "belongs"
        said = f"{plural(self.moved, 'segment')} of {self.giver} now {verb} to {self.receiver}."
        if self.over_limit:
            said += (f" {self.receiver} now owns {self.receiver_owns}, more than the "
                     f"{self.limit} one person may create: they can't create more until "
                     "they own fewer.")
        return said


def checked_team(text: str | None) -> str | None:
    """A team's name as stored (None or empty: no team), normalised and checked as user
    names are: AdminRefusal saying why it can't be one."""
    if text is None:
        return None
    team = normalise_user_name(text)
    if not team:
        return None
    problem = user_name_error(team)
    if problem is not None:
        raise AdminRefusal(problem.replace("a user name", "a team name"))
    return team


def seen_ago(at: datetime | None, now: datetime) -> str:
    """When a user was last seen, as a person says it: "just now", "3 min ago",
    "5 h ago", else the date (DD/MM/YYYY); "never" if they have not used segtui since
    last seen was kept."""
    if at is None:
        return "never"
    seconds = (now - at).total_seconds()
    if seconds < SEEN_EVERY_SECONDS:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 24 * 3600:
        return f"{int(seconds // 3600)} h ago"
    return dmy(at)
