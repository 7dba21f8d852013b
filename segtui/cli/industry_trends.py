"""`segtui industry-trends [--months N] [--json]` (C22.5.6): the average transaction value
by industry per month, as a table or a JSON object; anyone may run it (it only reads).

The text form is two tables that fit 80 columns: the period per industry (transactions,
revenue, average, the change of the average), then one line per month and industry
with transactions that month, and every month's "All industries" line (an empty month
shows as such).
A table with a column per month would be 150 columns wide for 12 months; scripts read
--json.
"""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

from typing import TYPE_CHECKING, Annotated

import typer

from segtui.cli.access import reads
from segtui.cli.common import DbOption, JsonOption, command_store
from segtui.cli.output import cell, dumps, fail, say

if TYPE_CHECKING:
    from segtui.core.industry_trends import IndustryTrends

NAME_WIDTH = 24  # an industry's name cut to this in the tables

MonthsOption = Annotated[int, typer.Option(
    "--months", help="How many calendar months, the current one included (1 to 60).")]


@reads
def industry_trends(
    ctx: typer.Context,
    months: MonthsOption = 12,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Average transaction value (converted events' revenue) by industry per month over
    the last 12 months: the top 8 industries by revenue, the rest together."""
    from segtui.core.industry_trends import TrendsError, check_months

    try:
        check_months(months)
    except TrendsError as exc:
        fail(str(exc))
    store = command_store(ctx, db)
    try:
        trends = store.metrics.industry_trends(months=months)
    finally:
        store.close()
    if as_json:
        from segtui.core.industry_trends import trends_object

        say(dumps(trends_object(trends), indent=2))
        return
    for line in trend_lines(trends):
        say(line)


def trend_lines(trends: "IndustryTrends") -> list[str]:
    """The text form: the title, the fold, the period's table, the months' table."""
    from segtui.core.analytics import money
    from segtui.core.industry_trends import (
        EMPTY,
        average_text,
        change_text,
        month_label,
    )

    if trends.empty:
        return [trends.empty_text()]
    rows = [*trends.rows, trends.overall]
    lines = [trends.title(), trends.fold_text(), "",
             f"{'Industry':<{NAME_WIDTH}}  {'Transactions':>12}  {'Revenue':>14}  "
             f"{'Average':>12}  Change"]
    for row in rows:
        total = row.total
        lines.append(f"{cell(row.name, NAME_WIDTH):<{NAME_WIDTH}}  {total.transactions:>12,}  "
                     f"{money(total.revenue_cents):>14}  "
                     f"{average_text(total.average_cents):>12}  {change_text(row.change)}")
    lines += ["", f"{'Month':<8}  {'Industry':<{NAME_WIDTH}}  {'Transactions':>12}  "
                  f"{'Average':>12}"]
    for index, day in enumerate(trends.months):
        for row in rows:
            figures = row.months[index]
            if not figures.transactions and row is not trends.overall:
                continue  # the month's "All industries" line says it was empty
            count = f"{figures.transactions:,}" if figures.transactions else EMPTY
            lines.append(f"{month_label(day, year=True):<8}  "
                         f"{cell(row.name, NAME_WIDTH):<{NAME_WIDTH}}  {count:>12}  "
                         f"{average_text(figures.average_cents):>12}")
    lines += ["", f"{EMPTY}: no transaction that month (no average, which is not $0)."]
    return lines
