"""`segtui industry-trends` (C22.5.6), driven through the CLI runner on the demo on both
engines: the JSON is the Store's figures, the text table says the same, bad input is one
line, and a period without transactions says so."""

from __future__ import annotations

import pytest

from segtui.core.industry_trends import month_key
from tests.test_cli_script import db, ok_json, opened, run, user_error  # noqa: F401

VIEWER = "Alex Kim"


def test_json_is_the_stores_figures(db: str) -> None:  # noqa: F811
    shown = ok_json(run(db, "industry-trends", "--json", user=VIEWER))
    with opened(db) as store:
        trends = store.metrics.industry_trends()
    assert shown["months"] == [month_key(day) for day in trends.months]
    assert shown["months"][0] == "2023-03" and shown["months"][-1] == "2024-02"
    assert (shown["start"], shown["end"]) == ("2023-03-01T00:00:00", "2024-02-27T00:00:00")
    assert (shown["top"], shown["folded_industries"]) == (8, 0)
    assert [(r["industry"], r["kind"], r["transactions"], r["revenue_cents"],
             r["average_cents"], r["change_percent"]) for r in shown["industries"]] == [
        (r.name, r.kind.value, r.total.transactions, r.total.revenue_cents,
         r.total.average_cents, None if r.change is None else int(r.change))
        for r in trends.rows]
    # The demo: Healthcare 3 conversions for $13,600 ($4,600, $4,000 and $5,000).
    healthcare = shown["industries"][0]
    assert (healthcare["industry"], healthcare["transactions"],
            healthcare["revenue_cents"], healthcare["average_cents"]) == \
        ("Healthcare", 3, 1_360_000, 453_333)
    march = healthcare["months"][0]
    assert march == {"month": "2023-03", "transactions": 0, "revenue_cents": 0,
                     "average_cents": None}  # empty, not $0
    assert [m["average_cents"] for m in healthcare["months"][-4:]] == \
        [460_000, None, 400_000, 500_000]
    assert shown["all"]["kind"] == "all" and shown["all"]["transactions"] == 18


def test_text_shows_the_table_and_the_months(db: str) -> None:  # noqa: F811
    result = run(db, "industry-trends")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Average transaction value by industry, Mar 2023 – Feb 2024"
    assert lines[1] == "5 industries, by revenue."
    assert lines[4].split() == ["Healthcare", "3", "$13,600", "$4,533.33", "↑", "+9%"]
    assert lines[9].split()[:2] == ["All", "industries"]
    assert "Mar 2023  All industries" in result.stdout  # an empty month: its total line
    assert any(line.startswith("Feb 2024  Healthcare") and line.endswith("$5,000")
               for line in lines)
    assert all(len(line) <= 80 for line in lines)


def test_fewer_months(db: str) -> None:  # noqa: F811
    shown = ok_json(run(db, "industry-trends", "--months", "2", "--json"))
    assert shown["months"] == ["2024-01", "2024-02"]
    assert shown["all"]["transactions"] == 16


@pytest.mark.parametrize("months", ["0", "61", "-3"])
def test_months_out_of_range_are_one_line(db: str, months: str) -> None:  # noqa: F811
    assert user_error(run(db, "industry-trends", "--months", months)) == \
        f"segtui: --months must be 1 to 60, got {months}.\n"


def test_not_a_number_is_a_usage_error(db: str) -> None:  # noqa: F811
    result = run(db, "industry-trends", "--months", "twelve")
    assert result.exit_code == 2 and "--months" in result.stderr


def test_a_period_without_transactions_says_so(db: str,  # noqa: F811
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGTUI_TODAY", "2030-01-15")
    result = run(db, "industry-trends", "--months", "3")
    assert result.exit_code == 0, result.output
    assert result.stdout == ("No transactions (converted events) in the last 3 months "
                             "(Nov 2029 – Jan 2030): no industry trend to show.\n")
    shown = ok_json(run(db, "industry-trends", "--months", "3", "--json"))
    assert shown["industries"] == [] and shown["all"]["transactions"] == 0
    assert [m["average_cents"] for m in shown["all"]["months"]] == [None] * 3
