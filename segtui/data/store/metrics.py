"""`store.metrics`: one segment's figures, and the whole base's industry trends.

The detail screen's cards (read on three connections at once: _summary), the campaign
table, and the Performance, Analytics and AI Insights tabs, each starting its largest
statement beside its own (Database.aside); the industry value trends (C22.5), one
statement over the period's conversions.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from segtui.core import clock
from segtui.data.store.database import Database, in_this_context

if TYPE_CHECKING:
    from segtui.core.analytics import AnalyticsReport, PerformanceReport
    from segtui.core.industry_trends import IndustryTrends
    from segtui.core.insights import Insight
    from segtui.core.metrics import CampaignPerformance, SegmentCards, Window
    from segtui.core.permissions import CurrentUser
    from segtui.core.segments import SegmentDetails
    from segtui.data.queries import segment_metrics


class Metrics:
    """One segment's figures."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def segment_cards(self, segment_id: int, window: Window) -> SegmentCards:
        """The detail screen's six cards (R7.5; formulas in docs/metrics.md)."""
        return self._summary(segment_id, window, with_details=False)[1]

    def segment_summary(self, segment_id: int, window: Window
                        ) -> tuple[SegmentDetails, SegmentCards] | None:
        """The detail screen's header and cards, read together: the header's statement
        runs alongside the cards' rather than before them. None: no such segment."""
        details, cards = self._summary(segment_id, window, with_details=True)
        return None if details is None else (details, cards)

    def _summary(self, segment_id: int, window: Window, *, with_details: bool
                 ) -> tuple[SegmentDetails | None, SegmentCards]:
        """Three reads at once, on three connections: the header and the figures that
        are not a pass over the members (the whole base's conversion baseline the
        largest), and the pass over the members in two halves (sql.in_half), which the
        two cores share (both engines' drivers release the GIL while a statement runs).
        None waits for another: the halves are a fixed partition of the contact ids, so
        no statement has to find a split point first (a count and a walk to the middle
        member, two round trips that each waited their turn for the interpreter while
        the screen is built, P6). Each statement is its own consistent snapshot;
        a change committed between them is in the next reload, which every change
        triggers. The header's member count is the cards' (the same current stays, read
        in the snapshot of the figures it is the base of)."""
        from segtui.data.queries import segment_details, segment_metrics

        with self._db.reading() as conn:
            if not self._db.can_split:  # one shared connection
                # One snapshot: the header's kept count is the cards' count of stays.
                return (segment_details.details(conn, segment_id, viewer=self._db.viewer)
                        if with_details else None,
                        segment_metrics.segment_cards(conn, segment_id, window))
            if self._db.helper is None:
                self._db.helper = ThreadPoolExecutor(max_workers=2,
                                                     thread_name_prefix="segtui-reader")
            rest = self._db.helper.submit(in_this_context(self._db.on_own_connection),
                                          _header_and_side_figures, segment_id, with_details,
                                          self._db.viewer)
            upper = self._db.helper.submit(in_this_context(self._db.on_own_connection),
                                           segment_metrics.member_sums, segment_id, window,
                                           half=1)
            sums = (segment_metrics.member_sums(conn, segment_id, window, half=0)
                    + upper.result())
            details, side = rest.result()
            cards = segment_metrics.cards_from(sums, side)
            if details is not None:
                details = dataclasses.replace(details, members=cards.metrics.members)
            return details, cards

    def campaign_performance(self, segment_id: int) -> list[CampaignPerformance]:
        from segtui.data.queries import segment_metrics

        with self._db.reading() as conn:
            return segment_metrics.campaign_performance(conn, segment_id)

    def performance_report(self, segment_id: int) -> PerformanceReport:
        """The Performance tab (R7.7) at the clock's today."""
        from segtui.data.queries import segment_performance

        with self._db.reading() as conn:
            return segment_performance.performance_report(conn, segment_id, clock.today(),
                                                          self._db.aside())

    def analytics_report(self, segment_id: int) -> AnalyticsReport:
        """The Analytics tab (R7.8) at the clock's today."""
        from segtui.data.queries import segment_analytics

        with self._db.reading() as conn:
            return segment_analytics.analytics_report(conn, segment_id, clock.today(),
                                                      self._db.aside())

    def insights(self, segment_id: int) -> list[Insight]:
        """The AI Insights tab: deterministic findings (segtui.core.insights)."""
        from segtui.data.queries import insights

        with self._db.reading() as conn:
            return insights.segment_insights(conn, segment_id, clock.today(), self._db.aside(),
                                             self._db.viewer)

    def industry_trends(self, now: datetime | None = None, months: int = 12
                        ) -> IndustryTrends:
        """C22.5: the average transaction value by industry in each of the last `months`
        calendar months up to `now` (the clock's by default), the current one included.
        TrendsError for a number of months out of range. Every contact's transactions,
        whoever reads: no segment is involved, so nothing is hidden from anyone."""
        from segtui.core.industry_trends import (
            check_months,
            industry_trends,
            month_bounds,
            month_starts,
            period,
        )
        from segtui.data.queries.industry_trends import industry_month_rows

        today = (now or clock.now()).date()
        starts = month_starts(today, check_months(months))
        start, end = period(today, months)
        with self._db.reading() as conn:
            rows = industry_month_rows(conn, start, end, month_bounds(starts))
        return industry_trends(starts, start, end, rows)


def _header_and_side_figures(conn: Connection, segment_id: int, with_details: bool,
                             viewer: CurrentUser | None
                             ) -> tuple[SegmentDetails | None, segment_metrics.SideFigures]:
    from segtui.data.queries import segment_details, segment_metrics

    # The members shown are the cards' pass's (Store.metrics._summary), read in its
    # snapshot with the figures they are the base of.
    return (segment_details.details(conn, segment_id, viewer=viewer)
            if with_details else None,
            segment_metrics.side_figures(conn, segment_id))

