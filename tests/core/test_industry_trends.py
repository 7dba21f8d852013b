"""The pure parts of industry value trends (C22.5): the calendar across a year's end, the
rounding of the averages, the change and its words, the fold and the labels."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from segtui.core.industry_trends import (
    NO_INDUSTRY,
    OTHER_INDUSTRIES,
    MonthFigures,
    RowKind,
    TrendsError,
    average_text,
    change_text,
    check_months,
    industry_trends,
    month_bounds,
    month_starts,
    period,
    period_text,
)


def test_the_months_cross_a_years_end() -> None:
    """C22.5.2: the current month and the ones before it, oldest first."""
    assert month_starts(date(2024, 1, 31), 3) == (date(2023, 11, 1), date(2023, 12, 1),
                                                  date(2024, 1, 1))
    assert month_starts(date(2024, 2, 29), 12)[0] == date(2023, 3, 1)
    assert period(date(2024, 12, 31), 1) == (datetime(2024, 12, 1), datetime(2025, 1, 1))
    assert month_bounds(month_starts(date(2024, 1, 5), 2)) == [datetime(2024, 1, 1)]
    assert period_text(month_starts(date(2024, 1, 5), 2)) == "Dec 2023 – Jan 2024"
    assert period_text(month_starts(date(2024, 1, 5), 1)) == "Jan 2024"


def test_averages_round_half_up_to_the_cent() -> None:
    assert MonthFigures(2, 3).average_cents == 2  # 1.5 -> 2
    assert MonthFigures(2, 5).average_cents == 3  # 2.5 -> 3 (round() gives 2)
    assert MonthFigures(3, 100).average_cents == 33
    assert MonthFigures().average_cents is None
    assert average_text(None) == "—" and average_text(124_050) == "$1,240.50"


def test_the_change_and_its_words() -> None:
    """C22.5.4: first and last month with data; an arrow and a whole percent."""
    row = industry_trends(month_starts(date(2024, 3, 1), 4), datetime(2023, 12, 1),
                          datetime(2024, 3, 2),
                          [("A", 1, 1, 1000), ("A", 3, 1, 1125)]).rows[0]
    assert row.averages == [None, 1000, None, 1125]
    assert row.change == Decimal(13)  # 12.5 rounds half up
    assert change_text(row.change) == "↑ +13%"
    assert change_text(Decimal(-3)) == "↓ -3%"
    assert change_text(Decimal(0)) == "→ 0%"
    assert change_text(None) == "—"


def test_the_fold_and_the_kinds() -> None:
    """C22.5.3: ranked by revenue, then transactions, then name; blank is no industry."""
    months = month_starts(date(2024, 3, 1), 1)
    trends = industry_trends(months, datetime(2024, 3, 1), datetime(2024, 3, 2), [
        ("b", 0, 1, 100), ("A", 0, 1, 100), ("C", 0, 2, 100), (None, 0, 1, 50),
        (" ", 0, 1, 25), ("Big", 0, 1, 900)], top=3)
    assert [(r.name, r.kind) for r in trends.rows] == [
        ("Big", RowKind.INDUSTRY), ("C", RowKind.INDUSTRY), ("A", RowKind.INDUSTRY),
        (OTHER_INDUSTRIES, RowKind.OTHER)]
    assert trends.folded == 2  # "b" and "(no industry)" (75 cents over 2)
    assert trends.rows[-1].total == MonthFigures(3, 175)
    assert trends.overall.total == MonthFigures(7, 1275)
    assert NO_INDUSTRY not in {r.name for r in trends.rows}


@pytest.mark.parametrize("months", [0, 61])
def test_months_out_of_range(months: int) -> None:
    with pytest.raises(TrendsError):
        check_months(months)
    assert check_months(60) == 60
