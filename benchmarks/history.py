"""Membership history's reads at scale (C20.2.2, C20.3.1): on the largest segment, the
history screen's first page of changes, the 20th page (a keyset 950 changes in), one
contact's changes, the stability of the last 7, 30 and 90 days (with where leavers
went), the month table; and the fill of its daily sizes (C20.1.3), a write, timed once.
Each read is the median of `--repeat` after one to warm the caches.

    python benchmarks/history.py --db URL [--repeat 5]

The first fill writes `segment_daily_sizes` rows: run it on a database you may change.
Budget: each read a screen makes within 1 s (the detail tabs', P7).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `benchmarks.` below

from benchmarks.compare import median_ms, on_the_datasets_day

BUDGET_MS = 1000.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="an SQLite path or a database URL")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from datetime import timedelta

    from sqlalchemy import func, select

    from segtui.core import clock
    from segtui.core.history import PERIODS, HistoryFilter, period
    from segtui.data.db.engine import resolve_url
    from segtui.data.db.tables import Membership
    from segtui.data.store import Store

    store = Store.open(resolve_url(args.db))
    try:
        with store.reading() as conn:
            largest, members = conn.execute(
                select(Membership.segment_id, func.count())
                .where(Membership.removed_at.is_(None)).group_by(Membership.segment_id)
                .order_by(func.count().desc(), Membership.segment_id).limit(1)).one()
            contact = conn.execute(select(Membership.contact_id).where(
                Membership.segment_id == largest).limit(1)).scalar_one()
        on_the_datasets_day(store)
        everything = HistoryFilter()

        key = None  # where the 20th page starts: the keyset after 19 pages
        for _ in range(19):
            page = store.history.changes(largest, everything, key)
            if not page.more:
                break
            key = page.changes[-1].key

        def stability() -> object:
            now = clock.now()
            return [store.history.stability(largest, *period(d, now)) for d in PERIODS]

        results = {
            "changes, first page (50)": median_ms(
                lambda: store.history.changes(largest, everything), args.repeat),
            "changes, the 20th page": median_ms(
                lambda: store.history.changes(largest, everything, key), args.repeat),
            "one contact's changes": median_ms(lambda: store.history.changes(
                largest, HistoryFilter(contact_id=contact)), args.repeat),
            "stability 7, 30, 90 days": median_ms(stability, args.repeat),
            "by month (6)": median_ms(lambda: store.history.by_month(largest), args.repeat),
        }
        started = time.perf_counter()
        store.history.daily_sizes(largest, clock.today() - timedelta(days=400))
        fill_ms = (time.perf_counter() - started) * 1000
    finally:
        store.close()
    print(f"segment {largest} ({members:,} members) on {args.db}; "
          f"load {os.getloadavg()[0]:.2f}")
    for label, ms in results.items():
        print(f"{label:<32} {ms:7.0f} ms  {'ok' if ms <= BUDGET_MS else 'over'} "
              f"(budget {BUDGET_MS:.0f} ms)")
    print(f"{'daily sizes, fill (once)':<32} {fill_ms:7.0f} ms  (the first: every day "
          "since the segment began; later ones read what is kept)")


if __name__ == "__main__":
    main()
