"""Exporting a segment's members to a file that appears only when complete (I6;
docs/import-export.md). Shared by `segtui export members` and the export dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from segtui.core.formats.csv_safe import atomic_text
from segtui.core.formats.file_formats import ExportFormat
from segtui.core.formats.members_export import write_members

if TYPE_CHECKING:
    from segtui.data.store import Store


def export_members(store: Store, segment_id: int, path: Path, fmt: ExportFormat, *,
                   raw: bool = False, on_progress: Callable[[int], None] | None = None
                   ) -> int:
    """Write every current member of the segment to `path` ("-": standard output) in
    `fmt`, streamed from one read snapshot; return how many. The file appears only when
    complete: an OSError, or whatever `on_progress` raises, leaves no file behind."""
    with store.transfer.member_export(segment_id) as records, atomic_text(path) as handle:
        return write_members(handle, records, fmt, raw=raw, on_progress=on_progress)
