"""What the batch routes share (C21.1.8, C21.1.10): who may import, a batch read as
import rows (422 when it can't be), and the rows the importer rejected, as the answer
lists them (`row`: the index in the batch)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from segtui.api.gate import Caller
from segtui.api.problems import Problem
from segtui.transfer.json_rows import FIRST_LINE

T = TypeVar("T")


def may_import(caller: Caller, doing: str) -> None:
    """403, in the command line's words, unless the caller's user may change data."""
    from segtui.core.permissions import Permission
    from segtui.core.segments import NotAllowed

    user = caller.user
    if not user.may(Permission.EDIT_SEGMENTS):
        raise Problem(403, str(NotAllowed(user.name, user.role.value, doing)))


def batch_rows(read: Callable[[Any], T], objects: Any) -> T:
    """`read(objects)` (transfer/json_rows.py), or 422 saying why the batch can't be
    imported at all."""
    try:
        return read(objects)
    except ValueError as exc:
        raise Problem(422, str(exc)) from None


class Rejected:
    """The importer's `on_reject`: every problem of every rejected row, kept for the
    answer."""

    def __init__(self) -> None:
        self.problems: list[dict[str, Any]] = []

    def __call__(self, found: list[Any]) -> None:
        self.problems.extend({"row": p.line - FIRST_LINE, "field": p.column or None,
                              "problem": p.reason} for p in found)
