"""Recording what a user looks at in the audit log (C19.4): the dashboard, a segment's
metrics, the data quality report. In a worker of the screen, like every Store call."""

from __future__ import annotations

from contextlib import suppress

from textual.dom import DOMNode

from segtui.core.audit import Action
from segtui.core.busy import DatabaseBusy
from segtui.core.permissions import CurrentUser
from segtui.data.store import Store
from segtui.widgets.workers import run_in_thread


def record_view(node: DOMNode, store: Store, user: CurrentUser, action: Action,
                segment_id: int | None = None) -> None:
    def record() -> None:
        # DatabaseBusy: SQLite's write lock is another process's (a long import). The
        # user only looked: saying the look went unrecorded would be noise.
        with suppress(DatabaseBusy):
            store.audit.record(action, user, segment_id=segment_id)

    run_in_thread(node, "audit", record)
