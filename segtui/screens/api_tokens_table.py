"""The API tokens screen's table (screens/api_tokens.py; C21.2.4): its columns, what it
says when empty, and the screen's words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text

from segtui.core.administration import seen_ago
from segtui.core.api_tokens import ApiTokenRow
from segtui.core.formatting import dmy, plural
from segtui.widgets.paged_table import Column
from segtui.widgets.palette import Hue, badge_style
from segtui.widgets.text import user_text

WIDE = 100  # from this many columns the table shows the prefix (else the line under it)

HELP = (
    "The API tokens remote systems send with each request to segtui's HTTP API (segtui "
    "api), for CRM Administrators: each acts as one user, with their permissions, and "
    "reads only or also writes. n makes a token: its secret shows once, in a dialog "
    "that says so; copy it then, only its hash is kept. D revokes the highlighted token: "
    "its next request is refused. r reloads. Every token made or revoked is recorded in "
    "the audit log. The same as `segtui api tokens create|list|revoke`."
)

EMPTY = "No API tokens yet — n: new token"


def token_status(row: ApiTokenRow) -> Text:
    if row.revoked:
        return Text(" Revoked ", style=badge_style(Hue.RED), no_wrap=True)
    return Text(" Active ", style=badge_style(Hue.GREEN), no_wrap=True)


def token_columns(now: Callable[[], datetime]) -> list[Column[ApiTokenRow]]:
    """The columns, "last used" told relative to `now()` (the clock when the rows came)."""
    return [
        Column("name", "Name", lambda r: user_text(r.name, "bold")),
        Column("user", "Acts as", lambda r: user_text(r.user), width=16),
        Column("scope", "Scope", lambda r: Text(r.scope.value), width=5),
        Column("prefix", "Prefix", lambda r: Text(f"{r.prefix}…"), width=15,
               min_table_width=WIDE),
        Column("created", "Created", lambda r: Text(dmy(r.created_at)), width=10),
        Column("used", "Last used", lambda r: Text(seen_ago(r.last_used_at, now())),
               width=10),
        Column("status", "Status", token_status, width=9),
        Column("by", "Made by", lambda r: user_text(r.created_by or "—"), detail="extra"),
        Column("revoked", "Revoked",
               lambda r: Text(dmy(r.revoked_at) if r.revoked_at else ""), detail="extra"),
    ]


def tokens_status(rows: list[ApiTokenRow]) -> Text:
    active = sum(1 for r in rows if not r.revoked)
    return Text(f"{plural(len(rows), 'token')} · {plural(active, 'active token')} · "
                "n: new · D: revoke", no_wrap=True, overflow="ellipsis")


def revoke_message(row: ApiTokenRow) -> str:
    return (f"Requests with the token “{row.name}” (acting as {row.user}, prefix "
            f"{row.prefix}…) will be refused from the next one on. A revoked token can't "
            "be used again: make a new one if it is still needed.")
