"""`store.segments`: segments, listed, read and written.

The dashboard's cards and list (keyset pages), one segment's row and header, and the
writes: create, duplicate, edit, delete, pause campaigns, who sees it. Each write is one
transaction; its errors are the SegmentError family of core/segments.py.

Every read here shows what the Store's user sees (C19.3.2, `Database.viewer`,
data/queries/visibility.py): a segment hidden from them is as one that does not exist.
The writes check the user they are given.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select

from segtui.data.db.sql import storable_text
from segtui.data.db.tables import Segment, name_key
from segtui.data.store.database import PAGE_SIZE, Database

if TYPE_CHECKING:
    from segtui.core.contacts import ContactSelection
    from segtui.core.enums import Visibility
    from segtui.core.permissions import CurrentUser
    from segtui.core.records import (
        DashboardMetrics,
        Keyset,
        Page,
        SegmentFilter,
        SegmentRow,
        SegmentSort,
    )
    from segtui.core.rules.tree import Node
    from segtui.core.segment_plan import SegmentWrite, Stored
    from segtui.core.segments import DeletePreview, SegmentDetails, SegmentDraft
    from segtui.core.sharing import Sharing
    from segtui.core.snapshots import Snapshot


class Segments:
    """Segments, listed, read and written."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def dashboard_metrics(self) -> DashboardMetrics:
        from segtui.data.queries import dashboard

        with self._db.reading() as conn:
            return dashboard.dashboard_metrics(conn, self._db.viewer)

    def segment_count(self, flt: SegmentFilter) -> int:
        from segtui.data.queries import segment_list

        with self._db.reading() as conn:
            return segment_list.count_segments(conn, flt, self._db.viewer)

    def segment_page(
        self,
        flt: SegmentFilter,
        sort: SegmentSort,
        *,
        after: Keyset | None = None,
        before: Keyset | None = None,
        at_end: bool = False,
        starting_at: int | None = None,
        limit: int = PAGE_SIZE,
    ) -> Page[SegmentRow]:
        from segtui.data.queries import segment_list

        with self._db.reading() as conn:
            return segment_list.fetch_page(
                conn, flt, sort, self._db.viewer, after=after, before=before, at_end=at_end,
                starting_at=starting_at, limit=limit,
            )

    def iter_segments(self, flt: SegmentFilter, sort: SegmentSort) -> Iterator[SegmentRow]:
        """Every segment matching `flt` in `sort` order, fetched a page at a time."""
        after: Keyset | None = None
        while True:
            page = self.segment_page(flt, sort, after=after)
            yield from page.rows
            if not page.has_after:
                return
            after = page.last

    def segment_id_named(self, name: str) -> int | None:
        """The segment called `name` (ignoring case and surrounding spaces), if any that
        the Store's user sees."""
        from segtui.data.queries.visibility import visible_to

        if not storable_text(name):  # a NUL or undecodable bytes: no segment's name
            return None
        with self._db.reading() as conn:
            found = conn.execute(
                select(Segment.id).where(Segment.name_key == name_key(name),
                                         visible_to(self._db.viewer))
            ).scalar_one_or_none()
            return None if found is None else int(found)

    def seen(self, segment_ids: Sequence[int]) -> set[int]:
        """Those of `segment_ids` the Store's user sees (C19.3.2)."""
        from segtui.data.queries.visibility import visible_to

        with self._db.reading() as conn:
            return set(conn.execute(select(Segment.id).where(
                Segment.id.in_(list(segment_ids)), visible_to(self._db.viewer))).scalars())

    def segment_row(self, segment_id: int) -> SegmentRow | None:
        from segtui.data.queries import segment_list

        with self._db.reading() as conn:
            return segment_list.row_by_id(conn, segment_id, self._db.viewer)

    def segment_rules(self, segment_ids: Sequence[int]) -> dict[int, Node | None]:
        """Each segment's rule (None for a static segment): `segments list` shows them."""
        from segtui.data.queries import segment_list

        with self._db.reading() as conn:
            return segment_list.segment_rules(conn, segment_ids)

    def segment_details(self, segment_id: int) -> SegmentDetails | None:
        from segtui.data.queries import segment_details as queries_segment_details

        with self._db.reading() as conn:
            return queries_segment_details.details(conn, segment_id, viewer=self._db.viewer)

    def create_segment(
        self, draft: SegmentDraft, selection: ContactSelection, user: CurrentUser
    ) -> int:
        from segtui.data.writes import segment_writes

        with self._db.writing() as conn:
            return segment_writes.create_segment(conn, draft, selection, user)

    def freeze(self, segment_id: int, name: str, user: CurrentUser) -> Snapshot:
        """C20.4.1: a new static segment named `name` with the segment's current members,
        in one transaction; the SegmentError family when refused (nothing written)."""
        from segtui.data.writes import snapshots

        with self._db.writing() as conn:
            return snapshots.freeze_segment(conn, segment_id, name, user)

    def segments_left(self, user: CurrentUser) -> tuple[int, int]:
        """(how many more segments `user` may create, the per-creator limit), C19.3."""
        from segtui.data.writes import segment_limit

        with self._db.reading() as conn:
            return segment_limit.segments_left(conn, user)

    def set_segment_limit(self, limit: int, user: CurrentUser) -> None:
        """An administrator sets how many segments one person may own (NotAllowed for
        anyone else; InvalidSegment outside 1-100,000)."""
        from segtui.data.writes import segment_limit

        with self._db.writing() as conn:
            segment_limit.set_segment_limit(conn, limit, user)

    def duplicate_segment(self, segment_id: int, user: CurrentUser) -> int:
        from segtui.data.writes import segment_writes

        with self._db.writing() as conn:
            return segment_writes.duplicate_segment(conn, segment_id, user)

    def update_segment(
        self,
        segment_id: int,
        expected_version: int,
        draft: SegmentDraft,
        selection: ContactSelection,
        user: CurrentUser,
        sharing: Sharing | None = None,
    ) -> int:
        """Save an edit (and who sees the segment, when `sharing` is given: C19.3.2) made
        on `expected_version`; SegmentConflict if someone saved since."""
        from segtui.data.writes import segment_writes

        with self._db.writing() as conn:
            return segment_writes.update_segment(conn, segment_id, expected_version, draft,
                                                 selection, user, sharing)

    def share(self, segment_id: int, user: CurrentUser, *,
              visibility: Visibility | None = None, hide: Sequence[str] = (),
              unhide: Sequence[str] = ()) -> list[str]:
        """Change who sees the segment (C19.3.2): its visibility, and users it is hidden
        from or no longer hidden from; what changed. NotAllowed unless `user` owns it or
        is an administrator; InvalidSegment for a name that is no user's."""
        from segtui.data.writes import sharing

        with self._db.writing() as conn:
            return sharing.share(conn, segment_id, user, visibility=visibility, hide=hide,
                                 unhide=unhide)

    def definitions(self) -> list[Stored]:
        """Every segment's definition the Store's user sees, archived ones aside, by
        name (C21.4.1)."""
        from segtui.data.queries.definitions import segment_definitions

        with self._db.reading() as conn:
            return segment_definitions(conn, self._db.viewer)

    def apply_writes(self, writes: Sequence[SegmentWrite], user: CurrentUser) -> None:
        """`segments apply`'s changes (C21.4.5), each the write the app makes, all in one
        transaction: WriteRefused (naming the segment) undoes every one."""
        from segtui.data.writes import segments_as_code

        with self._db.writing() as conn:
            segments_as_code.apply_writes(conn, writes, user)

    def delete_preview(self, segment_id: int) -> DeletePreview | None:
        from segtui.data.queries import segment_details as queries_segment_details

        with self._db.reading() as conn:
            return queries_segment_details.delete_preview(conn, segment_id, self._db.viewer)

    def delete_segment(self, segment_id: int, user: CurrentUser) -> None:
        from segtui.data.writes import segment_writes

        with self._db.writing() as conn:
            segment_writes.delete_segment(conn, segment_id, user)

    def pause_campaigns(
        self, segment_id: int, campaign_ids: list[int], user: CurrentUser
    ) -> int:
        from segtui.data.writes import segment_writes

        with self._db.writing() as conn:
            return segment_writes.pause_campaigns(conn, segment_id, campaign_ids, user)

    def archive(self, segment_id: int, user: CurrentUser) -> str:
        """Archive the segment (C19.4.6); returns its name. ArchiveRefused if it is
        archived already, SegmentUsedByRules while a rule uses it, NotAllowed for a user
        who may not change segments."""
        from segtui.data.writes import archive

        with self._db.writing() as conn:
            return archive.archive_segment(conn, segment_id, user)

    def restore(self, segment_id: int, user: CurrentUser) -> str:
        """Bring an archived segment back (C19.4.6); returns its name."""
        from segtui.data.writes import archive

        with self._db.writing() as conn:
            return archive.restore_segment(conn, segment_id, user)
