"""Segments side by side (C20.5): the figures of 2 to 6 segments, which of them is best on
each, how their members overlap, and, for 2 or 3 segments, every region of their Venn
diagram. Formulas: docs/metrics.md, "Compare".

Everything here is arithmetic on sums the database made (data/queries/segment_compare.py):
the members of the compared segments grouped by the bitmask of the segments each belongs
to (bit i: segment i), at most 2^6 - 1 = 63 groups. A segment's figures are the sums of the
groups with its bit, an overlap those with both bits, a region one group.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import astuple, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from segtui.core.analytics import money
from segtui.core.formatting import plural, round_half_up, whole
from segtui.core.metrics import SegmentMetrics, percent

MIN_SEGMENTS = 2
MAX_SEGMENTS = 6
# Regions are listed for up to 3 segments: 7 of them; 4 would make 15, past reading.
MAX_REGION_SEGMENTS = 3
RETENTION_DAYS = 30  # "members still there after 30 days"


class CompareError(ValueError):
    """A comparison that can't be made as asked; the message says why, for the user."""


class SegmentsGone(CompareError):
    """C20.5.2: some of the segments asked for are no longer there (deleted since they were
    marked, or hidden from the user since)."""

    def __init__(self, segment_ids: Sequence[int]) -> None:
        self.segment_ids = tuple(segment_ids)
        super().__init__(f"{plural(len(self.segment_ids), 'segment')} to compare no longer "
                         "there: deleted, or hidden from you.")


def check_count(count: int, counted: str = "marked") -> None:
    """C20.5.2: 2 to 6 segments, or CompareError saying how many are `counted` (marked on
    the dashboard, given on the command line)."""
    if count < MIN_SEGMENTS:
        raise CompareError(f"Compare needs {MIN_SEGMENTS} to {MAX_SEGMENTS} segments; "
                           f"{plural(count, 'segment')} {counted}.")
    if count > MAX_SEGMENTS:
        raise CompareError(f"Compare takes at most {MAX_SEGMENTS} segments; "
                           f"{plural(count, 'segment')} {counted}.")


@dataclass(frozen=True)
class MemberSums:
    """What the members of one group (or one segment) add up to."""

    members: int = 0
    engaged: int = 0  # an engagement in the last 30 days (as the Engagement Rate card)
    converted: int = 0  # a conversion ever
    quality_sum: int = 0
    filled_sum: int = 0  # completeness checks passed
    revenue_cents: int = 0  # their conversions' revenue, ever

    def __add__(self, other: MemberSums) -> MemberSums:
        return MemberSums(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))


@dataclass(frozen=True)
class CampaignFigures:
    """The campaigns using a segment: how many are Active, and the Performance tab's Avg.
    Open and Click Rates (means over the campaigns with a send, R7.7)."""

    active: int = 0
    open_rate: Decimal | None = None  # None: no campaign sent to members
    click_rate: Decimal | None = None


@dataclass(frozen=True)
class Retention:
    """C20.5.4: of the stays in the segment that began at least RETENTION_DAYS ago, those
    still current or that lasted RETENTION_DAYS."""

    began: int = 0
    kept: int = 0

    @property
    def rate(self) -> Decimal | None:
        return percent(self.kept, self.began, 1) if self.began else None


@dataclass(frozen=True)
class Side:
    """One compared segment and its figures."""

    segment_id: int
    name: str
    sums: MemberSums
    unsubscribed: int
    campaigns: CampaignFigures
    retention: Retention
    quality: Decimal | None  # the Quality Score card's, out of 10; None without members

    @property
    def members(self) -> int:
        return self.sums.members

    @property
    def metrics(self) -> SegmentMetrics:
        """The detail screen's card figures, so the rates are the cards' own formulas."""
        s = self.sums
        return SegmentMetrics(members=s.members, engaged=s.engaged, engaged_previous=0,
                              converted=s.converted, unsubscribed=self.unsubscribed,
                              campaigns=0)

    @property
    def revenue_per_member(self) -> int | None:
        """In cents, rounded half up; None without members."""
        if not self.members:
            return None
        return round_half_up(self.sums.revenue_cents, self.members)

    @property
    def unsubscribed_share(self) -> Decimal:
        return percent(self.unsubscribed, self.members, 1)


class Better(Enum):
    HIGHER = "higher"
    LOWER = "lower"
    NEITHER = "neither"


Value = Decimal | int | None


@dataclass(frozen=True)
class Metric:
    """A row of the comparison: its key (CSV, JSON), its label, its value to rank on,
    the text shown, and which way is better."""

    key: str
    label: str
    value: Callable[[Side], Value]
    text: Callable[[Side], str]
    better: Better = Better.HIGHER


def _rate(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


METRICS: list[Metric] = [
    Metric("members", "Members", lambda s: s.members, lambda s: whole(s.members)),
    Metric("engagement_rate", "Engagement rate", lambda s: s.metrics.engagement_rate,
           lambda s: f"{s.metrics.engagement_rate}%"),
    Metric("conversion_rate", "Conversion rate", lambda s: s.metrics.conversion_rate,
           lambda s: f"{s.metrics.conversion_rate}%"),
    Metric("revenue_cents", "Revenue", lambda s: s.sums.revenue_cents,
           lambda s: money(s.sums.revenue_cents)),
    Metric("revenue_per_member_cents", "Revenue per member", lambda s: s.revenue_per_member,
           lambda s: "—" if s.revenue_per_member is None else money(s.revenue_per_member)),
    Metric("retention_rate", f"Retention ({RETENTION_DAYS} days)",
           lambda s: s.retention.rate, lambda s: _rate(s.retention.rate)),
    # Ranked on the share: 10 of 100 members is worse than 10 of 10,000.
    Metric("unsubscribed", "Unsubscribed", lambda s: s.unsubscribed_share,
           lambda s: f"{whole(s.unsubscribed)} ({s.unsubscribed_share}%)", Better.LOWER),
    Metric("quality_score", "Quality score", lambda s: s.quality,
           lambda s: "—" if s.quality is None else f"{s.quality}/10"),
    Metric("active_campaigns", "Active campaigns", lambda s: s.campaigns.active,
           lambda s: whole(s.campaigns.active)),
    Metric("open_rate", "Campaign open rate", lambda s: s.campaigns.open_rate,
           lambda s: _rate(s.campaigns.open_rate)),
    Metric("click_rate", "Campaign click rate", lambda s: s.campaigns.click_rate,
           lambda s: _rate(s.campaigns.click_rate)),
]


@dataclass(frozen=True)
class Region:
    """Members in exactly the segments of `inside` (indexes into the comparison)."""

    inside: tuple[int, ...]
    members: int


@dataclass(frozen=True)
class Comparison:
    sides: tuple[Side, ...]
    # Members per bitmask of the compared segments they belong to (bit i: sides[i]).
    groups: Mapping[int, int] = field(default_factory=dict)

    def best(self, metric: Metric) -> set[int]:
        """C20.5.3: the indexes of the sides with the best value. None when every side
        has the same value (nothing stands out) or the metric has no better way."""
        values = {i: v for i, s in enumerate(self.sides) if (v := metric.value(s)) is not None}
        if metric.better is Better.NEITHER or len(set(values.values())) < 2:
            return set()
        pick = max if metric.better is Better.HIGHER else min
        top = pick(values.values())
        return {i for i, v in values.items() if v == top}

    def overlap(self, row: int, column: int) -> int:
        """Members in both (a side with itself: its members)."""
        both = (1 << row) | (1 << column)
        return sum(n for mask, n in self.groups.items() if mask & both == both)

    def overlap_share(self, row: int, column: int) -> Decimal:
        """The overlap as a percent of the row segment's members, one decimal."""
        return percent(self.overlap(row, column), self.sides[row].members, 1)

    def regions(self) -> list[Region] | None:
        """Every region, in order of the masks (only A, only B, A and B, only C, ...),
        empty ones too; None for more than MAX_REGION_SEGMENTS segments."""
        count = len(self.sides)
        if count > MAX_REGION_SEGMENTS:
            return None
        return [Region(tuple(i for i in range(count) if mask >> i & 1),
                       self.groups.get(mask, 0)) for mask in range(1, 1 << count)]

    def region_name(self, region: Region) -> str:
        names = [self.sides[i].name for i in region.inside]
        if len(names) == 1:
            return "Only " + names[0]
        return ", ".join(names[:-1]) + " and " + names[-1]


def sums_of(groups: Mapping[int, MemberSums], index: int) -> MemberSums:
    """Side `index`'s sums: those of every group with its bit."""
    total = MemberSums()
    for mask, sums in groups.items():
        if mask >> index & 1:
            total = total + sums
    return total


def mean_rate(rates: Sequence[Decimal]) -> Decimal | None:
    """As the Performance tab's Avg. Open Rate: a mean of one-decimal rates, one decimal."""
    if not rates:
        return None
    return (sum(rates, Decimal(0)) / len(rates)).quantize(Decimal("0.1"), ROUND_HALF_UP)
