"""The compare screen's reads at scale (C20.5.9): the comparison of the 6 largest
segments (figures, overlap matrix; `store.compare.compare`), of the 3 largest, and the
region counts of the 3 largest alone (`store.compare.region_counts`), each the median of
`--repeat` reads after one to warm the caches, next to the raw SQL of the bitmask
grouping the regions are (run through the same driver).

Only reads: the 1M databases may be shared (SQLite's file is opened by the Store, which
writes nothing for a read).

    python benchmarks/compare.py --db URL [--repeat 5]

Budgets: 6 segments with the overlap matrix within 1 s, the regions of 3 within 500 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `benchmarks.` below

from benchmarks.dashboard_cards import median_ms as timed_median_ms

if TYPE_CHECKING:
    from segtui.data.store import Store

BUDGETS_MS = {"compare 6 (figures, overlap matrix)": 1000.0,
              "compare 3 (figures, overlaps, regions)": 1000.0,
              "regions of 3": 500.0, "regions of 3, raw SQL": 500.0}


def median_ms(read: Callable[[], object], repeat: int) -> float:
    read()  # warm: the first read of a cold cache measures the disk
    return timed_median_ms(read, repeat)


def on_the_datasets_day(store: Store) -> None:
    """Fix the clock to the day of the dataset's newest membership (its last 30 days hold
    events), unless SEGTUI_TODAY fixed it already."""
    from sqlalchemy import func, select

    from segtui.core import clock
    from segtui.data.db.tables import Membership

    with store.reading() as conn:
        newest = conn.execute(select(func.max(Membership.added_at))).scalar()
    if newest is not None and clock.fixed_day() is None:
        clock.fix(newest.date())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="an SQLite path or a database URL")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from sqlalchemy import func, select, text

    from segtui.data.db.engine import resolve_url
    from segtui.data.db.tables import Membership
    from segtui.data.store import Store

    store = Store.open(resolve_url(args.db))
    try:
        with store.reading() as conn:
            largest = list(conn.execute(
                select(Membership.segment_id).where(Membership.removed_at.is_(None))
                .group_by(Membership.segment_id)
                .order_by(func.count().desc(), Membership.segment_id).limit(6)).scalars())
        on_the_datasets_day(store)
        three = largest[:3]
        bits = " ".join(f"WHEN {sid} THEN {1 << i}" for i, sid in enumerate(three))
        raw = text(  # the regions as one would write them by hand
            "SELECT mask, count(*) FROM (SELECT contact_id, sum(CASE segment_id "
            f"{bits} END) AS mask FROM memberships WHERE segment_id IN "
            f"({', '.join(map(str, three))}) AND removed_at IS NULL GROUP BY contact_id) "
            "AS masks GROUP BY mask")

        def raw_regions() -> object:
            with store.reading() as conn:
                return conn.execute(raw).all()

        results = {
            "compare 6 (figures, overlap matrix)":
                median_ms(lambda: store.compare.compare(largest), args.repeat),
            "compare 3 (figures, overlaps, regions)":
                median_ms(lambda: store.compare.compare(three), args.repeat),
            "regions of 3": median_ms(lambda: store.compare.region_counts(three),
                                      args.repeat),
            "regions of 3, raw SQL": median_ms(raw_regions, args.repeat),
        }
    finally:
        store.close()
    print(f"segments {largest} on {args.db}; load {os.getloadavg()[0]:.2f}")
    for label, ms in results.items():
        budget = BUDGETS_MS[label]
        print(f"{label:<40} {ms:7.0f} ms  {'ok' if ms <= budget else 'over'} "
              f"(budget {budget:.0f} ms)")


if __name__ == "__main__":
    main()
