"""Metric formulas and time windows (R7.5 and R7.7). docs/metrics.md explains each.

The SQL that counts lives in `segtui.data.queries.segment_metrics`; this module holds the parts
that are pure arithmetic or calendar, so the same definitions serve SQL and display.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

ENGAGEMENT_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Window:
    """A half-open time range [start, end)."""

    start: datetime
    end: datetime

    def previous(self) -> Window:
        return Window(self.start - (self.end - self.start), self.start)


def last_days(today: date, days: int = ENGAGEMENT_WINDOW_DAYS) -> Window:
    """"The last N days": today and the N-1 days before it, whole days."""
    end = datetime.combine(today + timedelta(days=1), time.min)
    return Window(end - timedelta(days=days), end)


def percent(part: int, whole: int, places: int = 0) -> Decimal:
    """part / whole x 100, rounded half up to `places` decimals; 0 when whole is 0."""
    if whole == 0:
        return Decimal(0)
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(quantum, ROUND_HALF_UP)


@dataclass(frozen=True)
class SegmentMetrics:
    """Headline metrics of one segment, computed at one clock reading."""

    members: int
    engaged: int  # members who opened, responded or attended a meeting in the window
    engaged_previous: int  # the same, in the window before
    converted: int  # members with at least one conversion, ever
    unsubscribed: int  # members with an unsubscribed event
    campaigns: int  # campaigns using the segment, any status

    @property
    def engagement_rate(self) -> Decimal:
        return percent(self.engaged, self.members)

    @property
    def engagement_rate_previous(self) -> Decimal:
        return percent(self.engaged_previous, self.members)

    @property
    def conversion_rate(self) -> Decimal:
        return percent(self.converted, self.members, 1)


@dataclass(frozen=True)
class QualityScore:
    """Quality Score out of 10 (docs/metrics.md), with its two ingredients."""

    members: int
    avg_quality: Decimal  # mean member quality score, 0-100
    completeness: Decimal  # mean share of the five checked fields filled in validly, 0-1

    @property
    def score(self) -> Decimal | None:
        if self.members == 0:
            return None
        value = Decimal("0.7") * self.avg_quality / 10 + Decimal("0.3") * 10 * self.completeness
        return value.quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class SegmentCards:
    """What the detail screen's six cards show (R7.5), read in one transaction."""

    metrics: SegmentMetrics
    quality: QualityScore
    baseline: tuple[int, int]  # (contacts with a conversion, all contacts): "vs 5.1% overall"


@dataclass(frozen=True)
class CampaignPerformance:
    """One row of the Performance tab's campaign table (R7.7), among segment members."""

    campaign_id: int
    name: str
    status: str
    sent: int
    opened: int
    clicked: int
    converted: int
    revenue_cents: int

    def rate(self, count: int) -> Decimal:
        return percent(count, self.sent, 1)
