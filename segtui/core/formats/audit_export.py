"""The audit log as a file (C19.4.7): CSV (formula-safe) or JSON Lines, one entry a line,
newest first, written as the entries come (an iterator over keyset pages streams).
The JSON shape is `segtui audit --json`'s (docs/cli.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import IO, Any

from segtui.core.audit import AuditEntry
from segtui.core.formats.csv_safe import write_rows
from segtui.core.formats.file_formats import ExportFormat
from segtui.core.formatting import iso
from segtui.core.text import safe_json

AUDIT_HEADER = ("Id", "At", "Actor", "Action", "Segment Id", "Segment", "Subject", "Details")
AUDIT_FORMATS = (ExportFormat.CSV, ExportFormat.JSONL)
PROGRESS_EVERY = 1000


def entry_object(e: AuditEntry) -> dict[str, Any]:
    return {"id": e.id, "at": iso(e.at), "actor": e.actor,
            "action": e.action.value, "segment_id": e.segment_id, "segment": e.segment,
            "subject": e.subject, "details": e.details}


def audit_export_filename(today: date, fmt: ExportFormat) -> str:
    return f"audit-log-{today.isoformat()}.{fmt.value}"


def write_audit(handle: IO[str], entries: Iterable[AuditEntry], fmt: ExportFormat, *,
                on_progress: Callable[[int], None] | None = None) -> int:
    """Write the entries to `handle` as CSV or JSON Lines; return how many.
    `on_progress(count)` every PROGRESS_EVERY entries (it may raise to stop)."""
    if fmt not in AUDIT_FORMATS:
        raise ValueError(f"the audit log is exported as csv or jsonl, not {fmt.value}")
    count = 0

    def counted() -> Iterator[AuditEntry]:
        nonlocal count
        for entry in entries:
            yield entry
            count += 1
            if on_progress is not None and count % PROGRESS_EVERY == 0:
                on_progress(count)

    if fmt is ExportFormat.CSV:
        objects = (entry_object(e) for e in counted())
        write_rows(handle, AUDIT_HEADER, ([o[k] for k in o] for o in objects))
    else:
        for entry in counted():
            handle.write(safe_json(entry_object(entry)) + "\n")
    return count
