"""`store.history`: membership history (C20.1-C20.3): a segment's entries and exits,
its size day by day, a period's stability and migration, and the history's retention."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from segtui.core import clock
from segtui.data.store.database import Database

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from segtui.core.analytics import Series
    from segtui.core.feed import FeedPosition
    from segtui.core.history import (
        DailySize,
        HistoryFilter,
        HistoryPage,
        MembershipChange,
        Stability,
    )
    from segtui.core.permissions import CurrentUser

PAGE = 50


class History:
    def __init__(self, db: Database) -> None:
        self._db = db

    def _seen(self, conn: Connection, segment_id: int) -> None:
        """SegmentNotFound when the segment is gone or hidden from the Store's user."""
        from segtui.data.queries.visibility import require_visible

        require_visible(conn, segment_id, self._db.viewer)

    def changes(self, segment_id: int, wanted: HistoryFilter,
                after: tuple[datetime, int, str] | None = None, limit: int = PAGE
                ) -> HistoryPage:
        """A page of the segment's entries and exits, newest first (C20.2.2).
        SegmentNotFound when it is gone or hidden from the Store's user."""
        from segtui.data.queries import membership_history as q

        with self._db.reading() as conn:
            self._seen(conn, segment_id)
            return q.changes_page(conn, segment_id, wanted, after, limit)

    def feed(self, segment_id: int, after: FeedPosition | None, limit: int
             ) -> tuple[list[MembershipChange], bool]:
        """The segment's changes past `after`, oldest first, and whether more are there
        (C21.1.11). SegmentNotFound when it is gone or hidden from the Store's user."""
        from segtui.data.queries import membership_feed

        with self._db.reading() as conn:
            self._seen(conn, segment_id)
            return membership_feed.changes_since(conn, segment_id, after, limit)

    def daily_sizes(self, segment_id: int, start: date, through: date | None = None
                    ) -> list[DailySize]:
        """The segment's size at the end of each day from `start` to `through` (default
        yesterday, the last closed day), kept first where not yet (C20.1.3); a login
        that may only read has the days not kept yet computed instead."""
        from segtui.data.derived import daily_sizes

        last = min(through or clock.today(), clock.today() - timedelta(days=1))
        keep = self._db.may_maintain()
        with self._db.writing() if keep else self._db.reading() as conn:
            self._seen(conn, segment_id)
            new = daily_sizes.fill(conn, segment_id, last, keep=keep)
            kept = daily_sizes.sizes(conn, segment_id, start, last)
        return kept if keep else kept + [d for d in new if start <= d.day <= last]

    def by_month(self, segment_id: int) -> Series:
        """Members at the end of each of the last 6 months, and who entered and left in
        each (C20.2.1): the growth chart's figures."""
        from segtui.data.queries.segment_analytics import contact_growth

        with self._db.reading() as conn:
            self._seen(conn, segment_id)
            return contact_growth(conn, segment_id, clock.today())

    def stability(self, segment_id: int, start: datetime, end: datetime) -> Stability:
        """The segment over the period (C20.3.1). ValueError for an empty period."""
        from segtui.core.history import check_period
        from segtui.data.queries import membership_history as q

        check_period(start, end)
        with self._db.reading() as conn:
            self._seen(conn, segment_id)
            return q.stability(conn, segment_id, start, end, self._db.viewer)

    def retention_days(self) -> int:
        from segtui.data.writes import history_prune

        with self._db.reading() as conn:
            return history_prune.retention_days(conn)

    def set_retention_days(self, days: int, user: CurrentUser) -> None:
        from segtui.data.writes import history_prune

        with self._db.writing() as conn:
            history_prune.set_retention_days(conn, days, user)

    def prune(self, user: CurrentUser, *, dry_run: bool = False) -> tuple[datetime, int]:
        """Remove the stays ended before the retention (C20.1.4): (cut-off, removed)."""
        from segtui.data.writes import history_prune

        with self._db.writing() as conn:
            return history_prune.prune(conn, clock.now(), user, dry_run=dry_run)
