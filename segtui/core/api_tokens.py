"""API tokens (C21.2): what a token is, how its secret is made and checked.

A token's secret is 32 random bytes (`secrets.token_urlsafe`), prefixed "segtui_" so a
leaked one is recognisable (secret scanners key on such prefixes). Only its SHA-256 is
stored: a slow password hash buys nothing for a 256-bit random secret (no dictionary to
try) and would cost every request milliseconds. The secret is shown once, when made.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from segtui.core.enums import TokenScope

SECRET_PREFIX = "segtui_"
SHOWN_PREFIX = 14  # "segtui_" and 7 characters: enough to tell tokens apart in a list


@dataclass(frozen=True)
class ApiTokenRow:
    """A token as an administrator sees it in a list (never its secret)."""

    id: int
    name: str
    user: str
    scope: TokenScope
    prefix: str
    created_at: datetime
    created_by: str | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True)
class NewToken:
    """A token just made: its row, and its secret, which is never shown again."""

    row: ApiTokenRow
    secret: str


class TokenError(ValueError):
    """A token can't be made or revoked as asked (a name in use or invalid, an unknown
    user or token): the message says why. Nothing was changed."""


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def may_write(scope: TokenScope) -> bool:
    return scope is TokenScope.WRITE


def token_name_error(name: str) -> str | None:
    """Why `name` can't name a token, or None: as a segment's name (letters of any
    alphabet, digits and spaces; at most 100 characters), so it prints safely anywhere."""
    from segtui.core.validation import word_name_error

    return word_name_error("A token's name", name)
