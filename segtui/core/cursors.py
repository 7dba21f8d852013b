"""Opaque page cursors for the HTTP API (C21.1.5): what a page ended at, and what list and
order it was taken from, as URL-safe text. A client hands one back to get the next page;
pages are keyset seeks, so rows written between requests never shift a page (no row is
skipped or repeated because another was added or removed before it)."""

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


def encode_payload(kind: str, payload: Any) -> str:
    """`payload` (JSON-able) under `kind`, which names the list and its order
    ("segments:name:asc"), so a cursor is refused on another list."""
    raw = json.dumps([kind, payload], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_payload(kind: str, cursor: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        made_for, payload = json.loads(raw)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise BadCursor() from None
    if made_for != kind:
        raise BadCursor()
    return payload


def encode(kind: str, keyset: Keyset) -> str:
    value = keyset.value
    tagged = ["t", value.isoformat()] if isinstance(value, datetime) else ["v", value]
    return encode_payload(kind, [tagged, keyset.id])


def decode(kind: str, cursor: str) -> Keyset:
    try:
        (tag, value), row_id = decode_payload(kind, cursor)
    except (TypeError, ValueError):
        raise BadCursor() from None
    if not isinstance(row_id, int) or isinstance(row_id, bool):
        raise BadCursor()
    if tag == "t" and isinstance(value, str):
        try:
            return Keyset(datetime.fromisoformat(value), row_id)
        except ValueError:
            raise BadCursor() from None
    if tag != "v" or not (value is None or isinstance(value, str | int | float)):
        raise BadCursor()
    return Keyset(value, row_id)
