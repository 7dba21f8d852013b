"""Opaque page cursors for the HTTP API (C21.1.5): a keyset (the boundary row's sort value
and id) and what it was taken under, as URL-safe text. A client hands one back to get the
next page; pages are keyset seeks, so rows written between requests never shift a page
(no row is skipped or repeated because another was added or removed before it)."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from segtui.core.records import Keyset


class BadCursor(ValueError):
    """A cursor this server did not make, or made for another list or order."""

    def __init__(self) -> None:
        super().__init__("The cursor is not one this list gave out: start again without it.")


def _value(value: object) -> list[Any]:
    if isinstance(value, datetime):
        return ["t", value.isoformat()]
    return ["v", value]


def encode(kind: str, keyset: Keyset) -> str:
    """`kind` names the list and its order ("segments:name:asc"), so a cursor is refused
    on another list."""
    raw = json.dumps([kind, _value(keyset.value), keyset.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(kind: str, cursor: str) -> Keyset:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        made_for, (tag, value), row_id = json.loads(raw)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise BadCursor() from None
    if made_for != kind or not isinstance(row_id, int) or isinstance(row_id, bool):
        raise BadCursor()
    if tag == "t" and isinstance(value, str):
        try:
            return Keyset(datetime.fromisoformat(value), row_id)
        except ValueError:
            raise BadCursor() from None
    if tag != "v" or not (value is None or isinstance(value, str | int | float)):
        raise BadCursor()
    return Keyset(value, row_id)
