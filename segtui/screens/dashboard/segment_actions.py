"""What the dashboard does to segments: to one (open, new, edit, delete, duplicate, add
contacts, freeze, and the row menu that offers them), and to every dynamic one (re-evaluate).

Each ends with a toast saying what happened and the list reloaded to show the segment, or
(when it was deleted, or someone else deleted it meanwhile) with the list refreshed. The
Store calls run in the screen's workers (widgets.workers.run_in_thread).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.screen import Screen

from segtui.core.formatting import plural
from segtui.core.permissions import CurrentUser, Permission
from segtui.core.records import SegmentRow
from segtui.core.rules.tree import Group
from segtui.core.segments import SegmentDetails, SegmentError, SegmentNotFound
from segtui.core.snapshots import Snapshot
from segtui.data.store import Store
from segtui.screens.allowed import allowed
from segtui.screens.modals.add_contacts import AddContactsModal
from segtui.screens.modals.create_segment import CreateSegmentModal
from segtui.screens.modals.delete_segment import DeleteSegmentModal
from segtui.screens.modals.edit_segment import EditSegmentModal
from segtui.screens.modals.freeze_segment import FreezeSegmentModal, frozen_message
from segtui.screens.modals.results import SegmentDeleted, SegmentSaved
from segtui.screens.modals.row_menu import RowAction, RowMenu
from segtui.widgets.workers import deliver, run_in_thread


class SegmentActions:
    """The actions of the dashboard's keys and row menu. `highlighted()` is the list's
    highlighted segment; `changed(id)` reloads the list (showing that segment) and the cards;
    `refresh()` is what r does."""

    def __init__(self, screen: Screen[None], store: Store, user: CurrentUser, *,
                 highlighted: Callable[[], SegmentRow | None],
                 changed: Callable[[int | None], None], refresh: Callable[[], None]) -> None:
        self.screen = screen
        self.store = store
        self.user = user
        self.highlighted = highlighted
        self.changed = changed
        self.refresh = refresh

    def current(self) -> SegmentRow | None:
        """The highlighted segment; None, and a warning, when there is none."""
        row = self.highlighted()
        if row is None:
            self.screen.notify("No segment selected", severity="warning")
        return row

    def _may_edit(self) -> bool:
        return allowed(self.screen, self.user, "change segments")

    def new(self, rule: Group | None = None) -> bool:
        """Create a segment (a dynamic one from `rule`, the dashboard's "?rule" search);
        False (and a warning) if the user may not."""
        if not self._may_edit():
            return False
        self.screen.app.push_screen(CreateSegmentModal(self.store, self.user, rule),
                                    self._saved)
        return True

    def open(self, segment_id: int | None = None, name: str = "") -> None:
        """The detail screen of the highlighted segment, or of `segment_id` (the command
        palette's "open segment")."""
        if segment_id is None:
            row = self.current()
            if row is None:
                return
            segment_id, name = row.id, row.name
        # Imported when first wanted, as the other screens the dashboard opens: the app
        # starts without loading them.
        from segtui.screens.detail.screen import SegmentDetailScreen

        # The segment may have changed there: counts, name, or it may be gone.
        shown = segment_id
        self.screen.app.push_screen(
            SegmentDetailScreen(self.store, self.user, segment_id, name or f"#{segment_id}"),
            lambda _: self.changed(shown),
        )

    def edit(self) -> None:
        row = self.current()
        if row is not None and self._may_edit():
            run_in_thread(self.screen, "open", partial(self._load_for_edit, row.id))

    def _load_for_edit(self, segment_id: int) -> None:
        deliver(self.screen, self._edit, self.store.segments.segment_details(segment_id))

    def _edit(self, details: SegmentDetails | None) -> None:
        if details is None:
            self._gone()
            return
        self.screen.app.push_screen(EditSegmentModal(self.store, self.user, details),
                                    self._saved)

    def delete(self) -> None:
        row = self.current()
        if row is not None:
            self.screen.app.push_screen(
                DeleteSegmentModal(self.store, self.user, row.id, row.name), self._deleted)

    def duplicate(self) -> None:
        row = self.current()
        if row is not None and self._may_edit():
            run_in_thread(self.screen, "duplicate", partial(self._duplicate, row.id))

    def _duplicate(self, segment_id: int) -> None:
        app = self.screen.app
        try:
            new_id = self.store.segments.duplicate_segment(segment_id, self.user)
        except SegmentNotFound:  # someone deleted it meanwhile: say so, show the list as is
            deliver(self.screen, self._gone)
            return
        except SegmentError as error:  # refused (say, no name left): the error's own words
            deliver(app, app.notify, str(error), severity="error", markup=False)
            return
        details = self.store.segments.segment_details(new_id)
        if details is not None:
            saved = SegmentSaved(new_id, details.name, details.members, created=True)
            deliver(self.screen, self._saved, saved)

    def add_contacts(self) -> None:
        row = self.current()
        if row is not None and self._may_edit():
            self.screen.app.push_screen(
                AddContactsModal(self.store, self.user, row.id, row.name), self._saved)

    def freeze(self) -> None:
        """F: the Freeze dialog for the highlighted segment (C20.4.1)."""
        row = self.current()
        if row is not None and self._may_edit():
            self.screen.app.push_screen(
                FreezeSegmentModal(self.store, self.user, row.id, row.name), self._frozen)

    def _frozen(self, snap: Snapshot | None) -> None:
        if snap is not None:
            self.screen.notify(frozen_message(snap), markup=False)
            self.changed(snap.segment_id)

    def menu(self, archived: bool = False) -> None:
        """The row menu: the same actions as e, y and d, and view (enter); restore (R)
        when the list shows the archived segments."""
        row = self.current()
        if row is None:
            return
        chosen = {RowAction.VIEW: self.open, RowAction.EDIT: self.edit,
                  RowAction.DUPLICATE: self.duplicate, RowAction.DELETE: self.delete,
                  RowAction.RESTORE: self.restore}
        self.screen.app.push_screen(
            RowMenu(row.name, archived=archived),
            lambda action: chosen[RowAction(action)]() if action else None)

    def restore(self) -> None:
        """R: bring the highlighted archived segment back (C19.4.6); it leaves this list."""
        row = self.current()
        if row is not None and self._may_edit():
            run_in_thread(self.screen, "restore", partial(self._restore, row.id))

    def _restore(self, segment_id: int) -> None:
        app = self.screen.app
        try:
            name = self.store.segments.restore(segment_id, self.user)
        except SegmentError as error:  # not archived (any more), or deleted meanwhile
            deliver(app, app.notify, str(error), severity="error", markup=False)
            deliver(self.screen, self.changed, None)
            return
        deliver(app, app.notify, f"Restored “{name}”: it is back on the dashboard.",
                markup=False)
        deliver(self.screen, self.changed, None)

    # -- after -----------------------------------------------------------------------------

    def _gone(self) -> None:
        self.screen.notify("That segment no longer exists: someone deleted it.",
                           severity="warning")
        self.refresh()

    def _saved(self, result: SegmentSaved | None) -> None:
        if result is None:
            return
        added = plural(result.added, "contact")
        if result.created:
            message = f"Segment “{result.name}” created with {added}"
        elif result.added:
            message = f"Segment “{result.name}” saved; {added} added"
        else:
            message = f"Segment “{result.name}” saved"
        self.screen.notify(message, markup=False)
        self.changed(result.segment_id)

    def _deleted(self, result: SegmentDeleted | None) -> None:
        if result is not None:
            self.screen.notify(f"Segment “{result.segment_name}” deleted", markup=False)
            self.refresh()

    # -- every dynamic segment -------------------------------------------------------------

    def reevaluate_stale(self) -> None:
        """At start: bring dynamic segments evaluated before today up to date."""
        run_in_thread(self.screen, "reevaluate", self._reevaluate_stale)

    def _reevaluate_stale(self) -> None:
        # Another process's write holding the database is said as such (in_thread's report).
        if any(r.changed for r in self.store.rules.refresh_stale()):
            deliver(self.screen, self.changed, None)

    def reevaluate(self) -> None:
        """r: re-evaluate every dynamic segment's rule now (for those who may), then reload."""
        if self.user.may(Permission.EDIT_SEGMENTS):
            run_in_thread(self.screen, "reevaluate", self._reevaluate)

    def _reevaluate(self) -> None:
        results = self.store.rules.refresh_segments(user=self.user)
        if not results:
            return
        changed = sum(1 for r in results if r.changed)
        elapsed = sum(r.elapsed_ms for r in results)
        app = self.screen.app
        deliver(app, app.notify,
                f"Re-evaluated {plural(len(results), 'dynamic segment')} in {elapsed:,} ms; "
                f"{changed:,} changed", markup=False)
        deliver(self.screen, self.changed, None)
