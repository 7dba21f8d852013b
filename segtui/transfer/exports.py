"""Exporting a segment's members to a file that appears only when complete (I6;
docs/import-export.md). Shared by `segtui export members` and the export dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from segtui.core.audit import Action
from segtui.core.formats.csv_safe import atomic_text
from segtui.core.formats.file_formats import ExportFormat
from segtui.core.formats.members_export import write_members
from segtui.core.formatting import plural

if TYPE_CHECKING:
    from segtui.core.permissions import CurrentUser
    from segtui.data.store import Store


def export_members(store: Store, user: CurrentUser, segment_id: int, path: Path,
                   fmt: ExportFormat, *, raw: bool = False,
                   on_progress: Callable[[int], None] | None = None) -> int:
    """Write every current member of the segment to `path` ("-": standard output) in
    `fmt`, streamed from one read snapshot; return how many. The file appears only when
    complete: an OSError, or whatever `on_progress` raises, leaves no file behind. The
    export is in the audit log as `user`'s (C19.4)."""
    with store.transfer.member_export(segment_id) as records, atomic_text(path) as handle:
        count = write_members(handle, records, fmt, raw=raw, on_progress=on_progress)
    store.audit.record(Action.MEMBERS_EXPORTED, user, segment_id=segment_id,
                       subject=path.name, details=f"{plural(count, 'member')} as {fmt.value}")
    return count


def export_contact_data(store: Store, user: CurrentUser, contact_id: int, path: Path
                        ) -> bool:
    """Write everything stored about one contact to `path` ("-": standard output) as
    indented JSON (a subject access request, C19.5.2); False for an unknown contact, and
    no file. Shared by `segtui contacts export-data` and the member menu (C19.5.4). The
    file appears only when complete; the audit log records the request (not the data)."""
    from segtui.core.text import safe_json

    found = store.contacts.contact_data(contact_id, user)
    if found is None:
        return False
    with atomic_text(path) as handle:
        handle.write(safe_json(found, indent=2) + "\n")
    return True
