"""`segtui audit` (C19.4): the audit log, newest first, for administrators; with
`-o FILE`, written to a file as CSV or JSON Lines (C19.4.7).

Reading it is recorded too (access_logs_checked; user_activity_reviewed with --user-of;
audit_exported for a file).
"""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from segtui.cli.access import writes
from segtui.cli.common import (
    DbOption,
    JsonlOption,
    JsonOption,
    UserOption,
    a_file_name,
    acting_user,
    command_store,
    find_segment,
)
from segtui.cli.output import cell, emit_objects, fail, output_mode, warn
from segtui.core.audit import Action
from segtui.core.formats.audit_export import entry_object
from segtui.core.formats.file_formats import ExportFormat
from segtui.core.permissions import Permission

HEADER = f"{'WHEN':<19}  {'WHO':<20}  {'ACTION':<24}  {'SEGMENT':<24}  WHAT"


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
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", dir_okay=False, callback=a_file_name, show_default=False,
        help="Write the entries to this file (csv or jsonl, --format), streamed; it "
             "appears when complete.")] = None,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="With -o: csv or jsonl.")]
    = ExportFormat.CSV,
    user: UserOption = None,
    db: DbOption = None,
) -> None:
    """The audit log, newest first: who did what, when, to which segment (administrators)."""
    from segtui.core.audit import AuditFilter
    from segtui.transfer.audit_export import entries_of, export_audit

    mode = output_mode(ctx, as_json, jsonl)
    if output is not None and (as_json or jsonl):
        ctx.fail("-o writes csv or jsonl (--format); give it without --json or --jsonl")
    if output is not None and fmt is ExportFormat.JSON:
        ctx.fail("the audit log is exported as csv or jsonl")
    store = command_store(ctx, db)
    try:
        acting = acting_user(ctx)
        flt = AuditFilter(
            since=_day(since), until=_day(until), actor=user_of, action=action,
            segment_id=None if segment is None else find_segment(store, segment))
        if output is not None:
            try:
                count = export_audit(store, acting, flt, output, fmt, limit=limit)
            except OSError as exc:
                fail(f"cannot write {output}: {exc.strerror or exc}")
        else:
            store.audit.reviewed(flt, acting)
            objects = (entry_object(e) for e in entries_of(store, flt, acting, limit))
            emit_objects(mode, objects, _line, HEADER, "No audit entries.")
            return
    finally:
        store.close()
    if str(output) != "-":
        warn(f"Exported {count:,} audit {'entry' if count == 1 else 'entries'} to {output}")


def _day(value: datetime | None) -> date | None:
    return None if value is None else value.date()
