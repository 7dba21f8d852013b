"""Exporting the audit log to a file that appears only when complete (C19.4.7). Shared
by `segtui audit -o FILE` and the Usage & audit screen's export (x)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from segtui.core.audit import Action
from segtui.core.formats.audit_export import write_audit
from segtui.core.formats.csv_safe import atomic_text
from segtui.core.formatting import plural

if TYPE_CHECKING:
    from segtui.core.audit import AuditEntry, AuditFilter
    from segtui.core.formats.file_formats import ExportFormat
    from segtui.core.permissions import CurrentUser
    from segtui.data.store import Store

PAGE = 500


def entries_of(store: Store, flt: AuditFilter, user: CurrentUser, limit: int | None = None
               ) -> Iterator[AuditEntry]:
    """The matching entries newest first, a keyset page at a time (never all at once),
    at most `limit`; not recorded (the caller records what it did with them)."""
    left, after = limit, None
    while left is None or left > 0:
        size = PAGE if left is None else min(PAGE, left)
        page = store.audit.log_page(flt, user, after=after, limit=size)
        yield from page.rows
        if left is not None:
            left -= len(page.rows)
        if not page.has_after:
            return
        after = page.last


def describe(flt: AuditFilter) -> str:
    """The filter in words, for the export's own audit entry: "user Priya, since ..."."""
    parts = [f"user {flt.actor}" if flt.actor else "",
             f"action {flt.action.value}" if flt.action else "",
             f"segment #{flt.segment_id}" if flt.segment_id is not None else "",
             f"since {flt.since.isoformat()}" if flt.since else "",
             f"until {flt.until.isoformat()}" if flt.until else ""]
    return ", ".join(p for p in parts if p) or "every entry"


def export_audit(store: Store, user: CurrentUser, flt: AuditFilter, path: Path,
                 fmt: ExportFormat, *, limit: int | None = None,
                 on_progress: Callable[[int], None] | None = None) -> int:
    """Write the entries matching `flt` to `path` ("-": standard output) as CSV or JSON
    Lines; return how many. The file appears only when complete. The export is in the
    log itself (audit_exported, with the filter), as `user`'s; so is a read of one
    user's entries (user_activity_reviewed)."""
    with atomic_text(path) as handle:
        count = write_audit(handle, entries_of(store, flt, user, limit), fmt,
                            on_progress=on_progress)
    store.audit.record(Action.AUDIT_EXPORTED, user, segment_id=flt.segment_id,
                       subject=path.name, details=f"{plural(count, 'entry', 'entries')} as "
                                                  f"{fmt.value}: {describe(flt)}")
    if flt.reviews_one_user:
        store.audit.record(Action.USER_ACTIVITY_REVIEWED, user, subject=f"user {flt.actor}")
    return count
