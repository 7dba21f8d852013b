"""The Performance and Analytics tabs' figures (R7.7, R7.8): records and calendar.

The SQL lives in `segtui.data.queries.segment_performance` and `.segment_analytics`; here are
the shapes it returns, the time buckets it counts in (months and weeks ending today), and the
arithmetic shown on screen.
docs/metrics.md states every formula; the tabs show the same text in their help.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from segtui.core.formatting import percent_change, point_change
from segtui.core.metrics import CampaignPerformance, Window, percent

HEALTH_DAYS = 60  # R7.7: Active = any action within 60 days
TREND_MONTHS = 6  # months on the engagement trend and growth charts
SCORE_WEEKS = 6  # R7.8: weeks 1-6

# Weekly engagement score points per event (capped at 100 a member a week); docs/metrics.md.
SCORE_POINTS: dict[str, int] = {
    "opened": 10,
    "clicked": 20,
    "responded": 30,
    "meeting_attended": 40,
    "converted": 50,
}
SCORE_CAP = 100


# -- calendar ---------------------------------------------------------------------------


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min)


def month_windows(today: date, months: int = TREND_MONTHS) -> list[tuple[str, Window]]:
    """The last `months` calendar months, oldest first, labelled 'Sep'; the current month
    ends at the end of today (its days so far)."""
    out: list[tuple[str, Window]] = []
    year, month = today.year, today.month
    end = _midnight(today + timedelta(days=1))
    for _ in range(months):
        start = _midnight(date(year, month, 1))
        out.append((start.strftime("%b"), Window(start, end)))
        end = start
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def week_windows(today: date, weeks: int = SCORE_WEEKS) -> list[tuple[str, Window]]:
    """The last `weeks` seven-day weeks ending today, oldest first, labelled 'W1'..'W6'."""
    end = _midnight(today + timedelta(days=1))
    windows = [Window(end - timedelta(days=7 * (k + 1)), end - timedelta(days=7 * k))
               for k in range(weeks)][::-1]
    return [(f"W{n}", w) for n, w in enumerate(windows, start=1)]


# -- arithmetic and wording --------------------------------------------------------------


def money(cents: int) -> str:
    """'$15,000' for whole dollars, '$15,000.50' otherwise."""
    dollars, rest = divmod(cents, 100)
    return f"${dollars:,}" if rest == 0 else f"${dollars:,}.{rest:02d}"


def relative_change(now: int, before: int) -> Decimal | None:
    """(now - before) / before x 100 to a whole percent; None when there was nothing before
    and is something now (a change from zero has no percentage: 'new'). Nothing then and
    nothing now is no change (0), not 'new'."""
    if before == 0:
        return Decimal(0) if now == 0 else None
    return (Decimal(now - before) * 100 / Decimal(before)).quantize(Decimal(1), ROUND_HALF_UP)


def direction(change: Decimal | None) -> str:
    if change is None or change == 0:
        return "flat"
    return "up" if change > 0 else "down"


def change_text(change: Decimal | None, *, points: bool = False) -> str:
    """A trend: '+4 pts' for a rate (percentage points), '+12%' for an amount (relative
    change), 'new' when there was nothing before (core.formatting)."""
    if change is None:
        return "new"
    return point_change(change) if points else percent_change(change)


# -- records -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SendStats:
    """Campaign sends to members in one window and what the recipients did with them:
    a send is a (member, campaign) pair with a `sent` event in the window; it counts as
    opened/clicked when the member has an opened/clicked event for that campaign."""

    sends: int
    opened: int
    clicked: int

    @property
    def open_rate(self) -> Decimal:
        return percent(self.opened, self.sends, 1)

    @property
    def click_rate(self) -> Decimal:
        return percent(self.clicked, self.sends, 1)


@dataclass(frozen=True)
class PerformanceSummary:
    """The four cards of the Performance tab (R7.7)."""

    revenue_cents: int  # all members' conversion revenue, ever
    avg_open_rate: Decimal  # mean of the campaign table's open rates
    avg_click_rate: Decimal  # mean of the campaign table's click rates
    conversions: int  # members' conversion events, ever
    revenue_now: int  # the same revenue, last 30 days ...
    revenue_before: int  # ... and the 30 days before
    conversions_now: int
    conversions_before: int
    sends_now: SendStats
    sends_before: SendStats

    @property
    def revenue_change(self) -> Decimal | None:
        return relative_change(self.revenue_now, self.revenue_before)

    @property
    def conversions_change(self) -> Decimal | None:
        return relative_change(self.conversions_now, self.conversions_before)

    @property
    def open_rate_change(self) -> Decimal | None:
        """Percentage points; None when either window had no sends."""
        if not self.sends_now.sends or not self.sends_before.sends:
            return None
        return self.sends_now.open_rate - self.sends_before.open_rate

    @property
    def click_rate_change(self) -> Decimal | None:
        if not self.sends_now.sends or not self.sends_before.sends:
            return None
        return self.sends_now.click_rate - self.sends_before.click_rate


@dataclass(frozen=True)
class Series:
    """Labelled values for one chart: one list of values per named line or bar set."""

    labels: list[str]
    values: dict[str, list[float]]


@dataclass(frozen=True)
class Health:
    """R7.7 Segment Health. Unsubscribed wins over active; the rest are inactive."""

    active: int
    inactive: int
    unsubscribed: int

    @property
    def members(self) -> int:
        return self.active + self.inactive + self.unsubscribed

    def share(self, part: int) -> Decimal:
        return percent(part, self.members, 1)


@dataclass(frozen=True)
class RegionFigures:
    region: str  # "Unknown" for members without a region
    contacts: int
    revenue_cents: int


@dataclass(frozen=True)
class PerformanceReport:
    """Everything the Performance tab shows, fetched in one call."""

    summary: PerformanceSummary
    campaigns: list[CampaignPerformance]
    trend: Series
    health: Health


@dataclass(frozen=True)
class AnalyticsReport:
    """Everything the Analytics tab shows, fetched in one call."""

    growth: Series
    company_sizes: list[tuple[str, int]]
    regions: list[RegionFigures]
    weekly_score: Series
