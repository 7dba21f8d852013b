"""`segtui audit` (C19.4): the audit log, newest first, for administrators.

Reading it is recorded too (access_logs_checked; user_activity_reviewed with --user-of).
"""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from segtui.cli.access import writes
from segtui.cli.common import (
    DbOption,
    JsonlOption,
    JsonOption,
    UserOption,
    acting_user,
    command_store,
    find_segment,
)
from segtui.cli.output import cell, emit_objects, output_mode
from segtui.core.audit import Action
from segtui.core.permissions import Permission

if TYPE_CHECKING:
    from collections.abc import Iterator

    from segtui.core.audit import AuditEntry, AuditFilter
    from segtui.core.permissions import CurrentUser
    from segtui.data.store import Store

PAGE = 500

HEADER = f"{'WHEN':<19}  {'WHO':<20}  {'ACTION':<24}  {'SEGMENT':<24}  WHAT"


def entry_object(e: "AuditEntry") -> dict[str, Any]:
    return {"id": e.id, "at": e.at.isoformat(sep=" ", timespec="seconds"), "actor": e.actor,
            "action": e.action.value, "segment_id": e.segment_id, "segment": e.segment,
            "subject": e.subject, "details": e.details}


def _line(obj: dict[str, Any]) -> list[str]:
    what = " · ".join(part for part in (obj["subject"], obj["details"]) if part)
    segment = obj["segment"] or ("" if obj["segment_id"] is None else f"#{obj['segment_id']}")
    return [f"{obj['at']:<19}  {cell(obj['actor'] or 'segtui', 20):<20}  "
            f"{obj['action']:<24}  {cell(segment, 24):<24}  {cell(what, 60)}"]


@writes("review the audit log", Permission.REVIEW_AUDIT)
def audit(
    ctx: typer.Context,
    since: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], metavar="DATE",
                                                   help="From this day on (YYYY-MM-DD).",
                                                   show_default=False)] = None,
    until: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], metavar="DATE",
                                                   help="Up to this day, included.",
                                                   show_default=False)] = None,
    user_of: Annotated[str | None, typer.Option("--user-of", metavar="NAME",
                                                help="Only what this user did.",
                                                show_default=False)] = None,
    action: Annotated[Action | None, typer.Option(help="Only this action.",
                                                  show_default=False)] = None,
    segment: Annotated[str | None, typer.Option(metavar="NAME",
                                                help="Only what concerned this segment.",
                                                show_default=False)] = None,
    limit: Annotated[int | None, typer.Option(min=1, metavar="N",
                                              help="At most this many entries.",
                                              show_default=False)] = None,
    as_json: JsonOption = False,
    jsonl: JsonlOption = False,
    user: UserOption = None,
    db: DbOption = None,
) -> None:
    """The audit log, newest first: who did what, when, to which segment (administrators)."""
    from segtui.core.audit import AuditFilter

    output = output_mode(ctx, as_json, jsonl)
    store = command_store(ctx, db)
    try:
        acting = acting_user(ctx)
        flt = AuditFilter(
            since=_day(since), until=_day(until), actor=user_of, action=action,
            segment_id=None if segment is None else find_segment(store, segment))
        objects = (entry_object(e) for e in _entries(store, flt, acting, limit))
        emit_objects(output, objects, _line, HEADER, "No audit entries.")
    finally:
        store.close()


def _entries(store: "Store", flt: "AuditFilter", acting: "CurrentUser", limit: int | None
             ) -> "Iterator[AuditEntry]":
    """Matching entries newest first, a keyset page at a time, at most `limit`."""
    left, before = limit, None
    while left is None or left > 0:
        size = PAGE if left is None else min(PAGE, left)
        page = store.audit.entries(flt, acting, before=before, limit=size)
        yield from page
        if left is not None:
            left -= len(page)
        if len(page) < size:
            return
        before = page[-1].id


def _day(value: datetime | None) -> date | None:
    return None if value is None else value.date()
