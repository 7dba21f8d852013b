"""Industry value trends (C22.5): the average transaction value by industry per calendar
month. Formulas: docs/metrics.md, "Industry value trends".

A transaction is a `converted` event; its value is its `revenue_cents` (none counts as 0,
as a contact's Total Spent and Purchase Count count it: data/derived/rollups.py). Its
industry is the industry of its contact's company; a contact without a company, or whose
company has no industry (blank counts as none), is "(no industry)".

The SQL (data/queries/industry_trends.py) returns one row per (industry, month) with the
count and the revenue; here are the calendar, the fold of the smaller industries into
"Other industries", the averages and their change, and the words and labels shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum

from segtui.core.analytics import money, month_windows, relative_change
from segtui.core.formatting import percent_change, plural, round_half_up

DEFAULT_MONTHS = 12
MAX_MONTHS = 60  # five years: past that a monthly chart is no longer read
TOP_INDUSTRIES = 8  # lines a chart at 80 columns still tells apart (C22.5.3)
NO_INDUSTRY = "(no industry)"
OTHER_INDUSTRIES = "Other industries"
ALL_INDUSTRIES = "All industries"
EMPTY = "—"  # a month without a transaction: no average, which is not $0


class TrendsError(ValueError):
    """Industry trends asked for in a way they can't be made; the message says why."""


class RowKind(Enum):
    INDUSTRY = "industry"  # one industry, as its companies name it
    NONE = "none"  # contacts without a company or an industry
    OTHER = "other"  # the industries past the top ones, together
    ALL = "all"  # every transaction of the period


def check_months(months: int) -> int:
    """C22.5.1: 1 to MAX_MONTHS months, or TrendsError naming the option."""
    if not 1 <= months <= MAX_MONTHS:
        raise TrendsError(f"--months must be 1 to {MAX_MONTHS}, got {months}.")
    return months


# -- the calendar ----------------------------------------------------------------------


def month_starts(today: date, months: int = DEFAULT_MONTHS) -> tuple[date, ...]:
    """C22.5.2: the first days of the last `months` calendar months, the current one
    included, oldest first (the Performance tab's months: analytics.month_windows)."""
    return tuple(w.start.date() for _, w in month_windows(today, months))


def period(today: date, months: int = DEFAULT_MONTHS) -> tuple[datetime, datetime]:
    """C22.5.2: [start, end) of the last `months` calendar months: from 00:00 on the first
    day of the oldest (inclusive) to the midnight after `today` (exclusive; the current
    month's days so far, as the Performance tab's months). An event exactly 12 months
    before now is in the thirteenth month back, so not counted."""
    windows = month_windows(today, months)
    return windows[0][1].start, windows[-1][1].end


def month_bounds(starts: Sequence[date]) -> list[datetime]:
    """The midnights that start each month after the first: the SQL's month of an event
    is how many of these it is at or after (data/queries/industry_trends.py)."""
    return [datetime.combine(day, time.min) for day in starts[1:]]


def month_label(day: date, *, year: bool = False) -> str:
    """'Apr', or 'Apr 2024' with the year."""
    return day.strftime("%b %Y" if year else "%b")


def month_key(day: date) -> str:
    """'2024-04': a month in JSON."""
    return day.strftime("%Y-%m")


def period_text(starts: Sequence[date]) -> str:
    """'Apr 2024 – Mar 2025' (one month: 'Mar 2025')."""
    first, last = month_label(starts[0], year=True), month_label(starts[-1], year=True)
    return first if first == last else f"{first} – {last}"


# -- records ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthFigures:
    """One group's transactions in one month (or a whole period)."""

    transactions: int = 0
    revenue_cents: int = 0

    def __add__(self, other: MonthFigures) -> MonthFigures:
        return MonthFigures(self.transactions + other.transactions,
                            self.revenue_cents + other.revenue_cents)

    @property
    def average_cents(self) -> int | None:
        """Revenue / transactions to the cent, halves up (as the app rounds money); None
        without a transaction."""
        return (round_half_up(self.revenue_cents, self.transactions)
                if self.transactions else None)


@dataclass(frozen=True)
class IndustryTrend:
    """One row: an industry (or the fold, or all of them) over the months."""

    name: str  # as shown: the industry as stored, NO_INDUSTRY, OTHER_INDUSTRIES, ...
    kind: RowKind
    months: tuple[MonthFigures, ...]  # one per month of the period, oldest first

    @property
    def total(self) -> MonthFigures:
        return sum(self.months, MonthFigures())

    @property
    def averages(self) -> list[int | None]:
        """Per month the average in cents; None where no transaction (empty, not $0)."""
        return [m.average_cents for m in self.months]

    @property
    def change(self) -> Decimal | None:
        """C22.5.4: the average of the last month with a transaction against the first
        one's, as a whole percent; None with fewer than two such months."""
        known = [a for a in self.averages if a is not None]
        if len(known) < 2:
            return None
        return relative_change(known[-1], known[0])


@dataclass(frozen=True)
class IndustryTrends:
    """C22.5: the period's months, the top industries by revenue, then "Other industries"
    when any were folded, then all industries together."""

    months: tuple[date, ...]  # each month's first day, oldest first
    start: datetime  # the period, [start, end)
    end: datetime
    rows: tuple[IndustryTrend, ...]  # the top industries, then the fold if any
    overall: IndustryTrend  # every transaction of the period
    folded: int = 0  # industries in "Other industries"

    @property
    def empty(self) -> bool:
        return self.overall.total.transactions == 0

    @property
    def top(self) -> tuple[IndustryTrend, ...]:
        """The industries named one by one (the chart's lines)."""
        return tuple(r for r in self.rows if r.kind is not RowKind.OTHER)

    def title(self) -> str:
        return f"Average transaction value by industry, {period_text(self.months)}"

    def empty_text(self) -> str:
        """C22.5.5: what is said instead of a chart."""
        return (f"No transactions (converted events) in the last "
                f"{plural(len(self.months), 'month')} ({period_text(self.months)}): "
                "no industry trend to show.")

    def fold_text(self) -> str:
        """C22.5.3: what the list leaves out, and where it went."""
        if not self.folded:
            return f"{plural(len(self.top), 'industry', 'industries')}, by revenue."
        ranked = f"Top {len(self.top)} industries by revenue"
        return (f"{ranked}; {plural(self.folded, 'more industry', 'more industries')} in "
                f"“{OTHER_INDUSTRIES}”.")


def industry_trends(months: Sequence[date], start: datetime, end: datetime,
                    rows: Iterable[tuple[str | None, int, int, int]],
                    top: int = TOP_INDUSTRIES) -> IndustryTrends:
    """The record from the SQL's rows (industry as stored, month index, transactions,
    revenue in cents): industries ranked by revenue over the period (then transactions,
    then name), the first `top` kept, the rest summed into "Other industries"."""
    by_name: dict[str | None, list[MonthFigures]] = {}
    for industry, month, count, revenue in rows:
        name = (industry or "").strip() or None  # blank is no industry
        figures = by_name.setdefault(name, [MonthFigures()] * len(months))
        figures[month] += MonthFigures(int(count), int(revenue))

    def rank(item: tuple[str | None, list[MonthFigures]]) -> tuple[int, int, str, str]:
        name, figures = item
        total = sum(figures, MonthFigures())
        label = name or NO_INDUSTRY
        return (-total.revenue_cents, -total.transactions, label.casefold(), label)

    ranked = sorted(by_name.items(), key=rank)
    shown = [IndustryTrend(name or NO_INDUSTRY,
                           RowKind.INDUSTRY if name is not None else RowKind.NONE,
                           tuple(figures)) for name, figures in ranked[:top]]
    rest = ranked[top:]
    if rest:
        summed = [sum(column, MonthFigures()) for column in zip(*(f for _, f in rest),
                                                                  strict=True)]
        shown.append(IndustryTrend(OTHER_INDUSTRIES, RowKind.OTHER, tuple(summed)))
    everything = [sum(column, MonthFigures())
                  for column in zip(*(f for _, f in ranked), strict=True)] \
        if ranked else [MonthFigures()] * len(months)
    return IndustryTrends(tuple(months), start, end, tuple(shown),
                          IndustryTrend(ALL_INDUSTRIES, RowKind.ALL, tuple(everything)),
                          folded=len(rest))


# -- words -----------------------------------------------------------------------------


def average_text(cents: int | None) -> str:
    """'$1,240.50'; EMPTY for a month without a transaction."""
    return EMPTY if cents is None else money(cents)


def change_text(change: Decimal | None) -> str:
    """C22.5.4: '↑ +12%', '↓ -3%', '→ 0%'; EMPTY with fewer than two months of data."""
    if change is None:
        return EMPTY
    arrow = "↑" if change > 0 else "↓" if change < 0 else "→"
    return f"{arrow} {percent_change(change) if change else '0%'}"


# -- JSON ------------------------------------------------------------------------------


def _row_object(row: IndustryTrend, months: Sequence[date]) -> dict[str, object]:
    total = row.total
    change = row.change
    return {
        "industry": row.name, "kind": row.kind.value,
        "transactions": total.transactions, "revenue_cents": total.revenue_cents,
        "average_cents": total.average_cents,
        "change_percent": None if change is None else int(change),
        "months": [{"month": month_key(day), "transactions": m.transactions,
                    "revenue_cents": m.revenue_cents, "average_cents": m.average_cents}
                   for day, m in zip(months, row.months, strict=True)],
    }


def trends_object(trends: IndustryTrends) -> dict[str, object]:
    """C22.5.6: `segtui industry-trends --json` (docs/cli.md). A month without a
    transaction has `average_cents` null, not 0."""
    return {
        "months": [month_key(day) for day in trends.months],
        "start": trends.start.isoformat(timespec="seconds"),
        "end": trends.end.isoformat(timespec="seconds"),
        "top": TOP_INDUSTRIES, "folded_industries": trends.folded,
        "industries": [_row_object(row, trends.months) for row in trends.rows],
        "all": _row_object(trends.overall, trends.months),
    }
