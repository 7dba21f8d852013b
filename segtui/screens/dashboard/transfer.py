"""The dashboard's export (x: the list as shown, to a CSV file) and import (i: contacts,
events or campaign results from a CSV file)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.screen import Screen

from segtui.core import clock
from segtui.core.audit import Action
from segtui.core.formats.csv_safe import free_path, write_csv
from segtui.core.formats.segments_export import (
    SEGMENT_EXPORT_HEADER,
    segment_export_rows,
    segments_export_filename,
)
from segtui.core.formatting import plural
from segtui.core.permissions import CurrentUser
from segtui.core.records import SegmentFilter, SegmentSort
from segtui.data.store import Store
from segtui.screens.allowed import allowed
from segtui.widgets.workers import deliver, run_in_thread


def export_segments(screen: Screen[None], store: Store, user: CurrentUser, flt: SegmentFilter,
                    sort: SegmentSort, directory: Path) -> None:
    """Write exactly the rows the list shows (all pages, `flt` and `sort`) to a new file in
    `directory`, in a worker of `screen`; a toast names the file, or says why not (to
    whatever screen is showing by then)."""
    app = screen.app

    def write() -> None:
        try:
            path = free_path(directory, segments_export_filename(clock.today()))
            count = write_csv(path, SEGMENT_EXPORT_HEADER,
                              segment_export_rows(store.segments.iter_segments(flt, sort)))
            store.audit.record(Action.SEGMENTS_EXPORTED, user, subject=path.name,
                               details=plural(count, "segment"))
        except OSError as error:  # the file, not the database: said in the export's words
            deliver(app, app.notify, f"Export failed: {error}", severity="error",
                    markup=False)
            return
        deliver(app, app.notify, f"Exported {plural(count, 'segment')} to {path}",
                title="Export CSV", markup=False)

    run_in_thread(screen, "export", write)


def import_file(screen: Screen[None], store: Store, user: CurrentUser,
                imported: Callable[[], None]) -> None:
    """The import dialog (I6); `imported()` after an import (the cards and the list
    change)."""
    # Imported here: the dialog (and the importer behind it) loads when first wanted.
    from segtui.screens.modals.import_file import IMPORTING, ImportFileModal

    if allowed(screen, user, IMPORTING):
        screen.app.push_screen(ImportFileModal(store, user),
                               lambda outcome: imported() if outcome else None)
