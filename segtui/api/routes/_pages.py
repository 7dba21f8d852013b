"""What the listing routes share (C21.1.5): a cursor read back into a keyset, 400 for one
this list did not give out, and the cursor of a page's end."""

from __future__ import annotations

from typing import Any

from segtui.api.problems import Problem
from segtui.core import cursors
from segtui.core.records import Keyset, Page


def keyset_after(kind: str, cursor: str | None) -> Keyset | None:
    """Where the page `cursor` names begins (None: the first page)."""
    if cursor is None:
        return None
    try:
        return cursors.decode(kind, cursor)
    except cursors.BadCursor as exc:
        raise Problem(400, str(exc)) from None


def next_cursor(kind: str, page: Page[Any]) -> str | None:
    """The cursor of the page after `page`, or None at the end."""
    return cursors.encode(kind, page.last) if page.has_after and page.last else None
