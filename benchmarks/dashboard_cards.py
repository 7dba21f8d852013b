"""The dashboard's metric cards when some segments are not listed (C19.3.2, C19.4.6).

Archiving a segment (Usage & audit's Unused tab) or hiding segments from a reader takes
their members out of the cards (Total Contacts, Avg. Segment Size, Unsubscribed). This
times `store.segments.dashboard_metrics()` three ways on one database, each the median of
`--repeat` reads:

1. an administrator, nothing archived (every segment listed: the usual walk);
2. an administrator, the newest segment archived;
3. Sarah Mitchell (a Marketing Manager of the demo), with the 10 newest segments of
   other owners made Private.

The database is put back as it was after each step (a write to `segments` only).

    python benchmarks/dashboard_cards.py --db URL [--repeat 5]

The budget for the cards is 300 ms (bench.py's `metric_cards`, the scale budgets).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

BUDGET_MS = 300


def median_ms(read: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        read()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="an SQLite path or a database URL")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from sqlalchemy import select, update

    from segtui.core.enums import Visibility
    from segtui.data.db.engine import resolve_url
    from segtui.data.db.tables import Segment, User
    from segtui.data.store import Store

    url = resolve_url(args.db)
    admin = Store.open(url)
    manager = Store.open(url)
    try:
        admin.users.current_user("James Carter")
        results = {"administrator, every segment listed":
                   median_ms(admin.segments.dashboard_metrics, args.repeat)}
        with admin.writing() as conn:
            newest = conn.execute(select(Segment.id).order_by(Segment.id.desc())
                                  .limit(1)).scalar_one()
            conn.execute(update(Segment).where(Segment.id == newest)
                         .values(archived_at=Segment.updated_at))
        try:
            results["administrator, one segment archived"] = median_ms(
                admin.segments.dashboard_metrics, args.repeat)
        finally:
            with admin.writing() as conn:
                conn.execute(update(Segment).where(Segment.id == newest)
                             .values(archived_at=None))
        with admin.writing() as conn:
            sarah = conn.execute(select(User.id).where(User.name == "Sarah Mitchell")
                                 ).scalar_one()
            others = list(conn.execute(
                select(Segment.id).where(Segment.owner_id != sarah,
                                         Segment.visibility == Visibility.EVERYONE)
                .order_by(Segment.id.desc()).limit(10)).scalars())
            conn.execute(update(Segment).where(Segment.id.in_(others))
                         .values(visibility=Visibility.PRIVATE))
        try:
            manager.users.current_user("Sarah Mitchell")
            results["manager, 10 segments of others private"] = median_ms(
                manager.segments.dashboard_metrics, args.repeat)
        finally:
            with admin.writing() as conn:
                conn.execute(update(Segment).where(Segment.id.in_(others))
                             .values(visibility=Visibility.EVERYONE))
    finally:
        admin.close()
        manager.close()
    for label, ms in results.items():
        print(f"{label:<42} {ms:7.0f} ms  {'ok' if ms <= BUDGET_MS else 'over'} "
              f"(budget {BUDGET_MS} ms)")


if __name__ == "__main__":
    main()
