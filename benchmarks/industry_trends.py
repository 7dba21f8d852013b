"""Industry value trends at scale (C22.5.7): `store.metrics.industry_trends` over 12 and
over 60 months, each the median of `--repeat` reads after one to warm the caches, next to
the same grouping written by hand without the index choice (raw SQL through the same
driver: on SQLite the planner's own pick, `ix_events_type_time_contact`).

Only reads: the 1M databases may be shared (SQLite's file is opened by the Store, which
writes nothing for a read).

    python benchmarks/industry_trends.py --db URL [--repeat 5]

Budget: 1 s at 1M contacts, as the dashboard's analytics (P1).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `benchmarks.` below

from benchmarks.compare import median_ms, on_the_datasets_day

BUDGET_MS = 1000.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="an SQLite path or a database URL")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from sqlalchemy import func, select, text

    from segtui.core import clock
    from segtui.core.industry_trends import period, period_text
    from segtui.data.db.engine import resolve_url
    from segtui.data.db.tables import Contact, EngagementEvent
    from segtui.data.store import Store

    store = Store.open(resolve_url(args.db))
    try:
        fixed = store.fixed_today()  # the demo's day, else its newest membership's
        if fixed is not None and clock.fixed_day() is None:
            clock.fix(fixed)
        on_the_datasets_day(store)
        start, end = period(clock.today(), 12)
        by_hand = text(
            "SELECT co.industry, count(*), sum(e.revenue_cents) FROM events e "
            "JOIN contacts c ON c.id = e.contact_id "
            "LEFT JOIN companies co ON co.id = c.company_id "
            "WHERE e.type = 'converted' AND e.occurred_at >= :start AND e.occurred_at < :end "
            "GROUP BY co.industry").bindparams(start=start, end=end)

        def raw() -> object:
            with store.reading() as conn:
                return conn.execute(by_hand).all()

        trends = store.metrics.industry_trends()
        results = {
            "industry trends, 12 months":
                median_ms(lambda: store.metrics.industry_trends(), args.repeat),
            "industry trends, 60 months":
                median_ms(lambda: store.metrics.industry_trends(months=60), args.repeat),
            "by hand, 12 months by industry (raw SQL)": median_ms(raw, args.repeat),
        }
        with store.reading() as conn:
            contacts = conn.execute(select(func.count()).select_from(Contact)).scalar_one()
            events = conn.execute(select(func.count()).select_from(EngagementEvent)
                                  ).scalar_one()
    finally:
        store.close()
    print(f"{contacts:,} contacts, {events:,} events; {trends.overall.total.transactions:,} "
          f"conversions in {period_text(trends.months)} ({args.db}); "
          f"load {os.getloadavg()[0]:.2f}")
    for label, ms in results.items():
        print(f"{label:<44} {ms:7.0f} ms  {'ok' if ms <= BUDGET_MS else 'over'} "
              f"(budget {BUDGET_MS:.0f} ms)")


if __name__ == "__main__":
    main()
