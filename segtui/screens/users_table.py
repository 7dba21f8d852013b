"""The Users screen's table (screens/users.py; C19.3.3): its columns, what it says when
empty, the row's menu, the roles an administrator picks from, and the screen's words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text

from segtui.core.administration import UserRow, seen_ago
from segtui.core.enums import UserRole
from segtui.core.formatting import plural, whole
from segtui.widgets.paged_table import Column
from segtui.widgets.palette import Hue, badge_style
from segtui.widgets.text import user_text

WIDE = 100  # from this many columns the table shows the team (else the line under it)

HELP = (
    "Everyone who uses segtui on this database, for CRM Administrators: their role, team, "
    "whether they may use segtui, when they last did, and how many segments they own. "
    "e changes the role, t the team; D deactivates (their segments may go to someone "
    "else first) or reactivates; T gives all their segments to another user, whose "
    "timelines say so. m (or enter) lists these for the highlighted user. K opens the "
    "API tokens, which act as users in the HTTP API. Nobody "
    "deactivates themselves or the last active administrator. Reading this list is "
    "recorded in the audit log."
)

ROLE_OPTIONS = [
    (UserRole.VIEWER.value, "Viewer (looks only)", "1"),
    (UserRole.MARKETING_MANAGER.value, "Marketing Manager", "2"),
    (UserRole.CRM_ADMINISTRATOR.value, "CRM Administrator", "3"),
]

USER_ACTIONS = [
    ("role", "Change role…", "e"),
    ("team", "Set team…", "t"),
    ("active", "Deactivate or reactivate…", "D"),
    ("transfer", "Transfer their segments…", "T"),
]

EMPTY = "No users yet — segtui records each person the first time they use it"


def active_badge(row: UserRow) -> Text:
    if row.active:
        return Text(" Active ", style=badge_style(Hue.GREEN), no_wrap=True)
    return Text(" Deactivated ", style=badge_style(Hue.RED), no_wrap=True)


def user_columns(now: Callable[[], datetime]) -> list[Column[UserRow]]:
    """The columns, "last seen" told relative to `now()` (the clock when the rows came)."""
    return [
        Column("name", "Name", lambda r: user_text(r.name, "bold")),
        Column("role", "Role", lambda r: Text(r.role.value), width=17),
        Column("team", "Team", lambda r: user_text(r.team or "—"), width=16,
               min_table_width=WIDE),
        Column("active", "Status", active_badge, width=13),
        Column("seen", "Last seen", lambda r: Text(seen_ago(r.last_seen_at, now())), width=10),
        Column("owned", "Segments", lambda r: Text(whole(r.segments_owned)), width=8,
               justify="right"),
    ]


def users_status(rows: list[UserRow]) -> Text:
    active = sum(1 for r in rows if r.active)
    admins = sum(1 for r in rows if r.active and r.role is UserRole.CRM_ADMINISTRATOR)
    return Text(f"{plural(len(rows), 'user')} · {whole(active)} active · "
                f"{plural(admins, 'active administrator')} · m: actions",
                no_wrap=True, overflow="ellipsis")


def deactivate_message(row: UserRow, receiver: str | None) -> str:
    said = (f"{row.name} will no longer be able to use segtui, in the app or on the "
            "command line.")
    if receiver is not None:
        said += f" Their {plural(row.segments_owned, 'segment')} go to {receiver} first."
    elif row.segments_owned:
        said += (f" Their {plural(row.segments_owned, 'segment')} stay theirs (T on this "
                 "screen transfers them later).")
    return said + " An administrator can reactivate them."
