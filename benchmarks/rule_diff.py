"""The rule builder's enter/leave diff at scale (C20.6.5): `store.rules.rule_diff` of the
largest dynamic segment (else the largest segment) against benchmarks/bench.py's nested
rule and against the segment's own saved rule (nobody enters or leaves), next to the
builder's live count of the same rule (`store.rules.rule_count`, P4), each the median of
`--repeat` reads after one to warm the caches. With `--explain` (PostgreSQL), the diff
statement's plan.

Only reads: the 1M databases may be shared.

    python benchmarks/rule_diff.py --db URL [--repeat 5] [--explain]

Nothing here asserts; the budget printed is P4's for the live count (the diff is computed
after the count, in the same worker).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `benchmarks.` below

from benchmarks.bench import NESTED_RULE, captured
from benchmarks.compare import median_ms, on_the_datasets_day

BUDGET_MS = 200.0  # P4, the live count's


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="an SQLite path or a database URL")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explain", action="store_true",
                        help="print the diff's plan (PostgreSQL: EXPLAIN ANALYZE)")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from segtui.core.enums import SegmentKind
    from segtui.core.rules.language import parse
    from segtui.data.db.engine import resolve_url
    from segtui.data.db.tables import Membership, Segment
    from segtui.data.rules.refresh import stored_rule
    from segtui.data.store import Store

    store = Store.open(resolve_url(args.db))
    try:
        with store.reading() as conn:
            sizes = (select(Membership.segment_id, func.count().label("n"))
                     .where(Membership.removed_at.is_(None))
                     .group_by(Membership.segment_id).subquery())
            row = conn.execute(
                select(Segment.id, Segment.name, Segment.kind, sizes.c.n)
                .join(sizes, sizes.c.segment_id == Segment.id)
                .order_by((Segment.kind == SegmentKind.DYNAMIC).desc(), sizes.c.n.desc())
                .limit(1)).one()
            saved = stored_rule(conn, row.id)
        on_the_datasets_day(store)
        nested, issues = store.rules.check_rule(parse(NESTED_RULE), row.id)
        assert not issues, issues
        results = {
            "live count, nested rule": median_ms(lambda: store.rules.rule_count(nested),
                                                 args.repeat),
            "diff, nested rule": median_ms(lambda: store.rules.rule_diff(row.id, nested),
                                           args.repeat),
        }
        if saved is not None:
            results["diff, its saved rule"] = median_ms(
                lambda: store.rules.rule_diff(row.id, saved), args.repeat)
        diff = store.rules.rule_diff(row.id, nested)
        if args.explain and store.engine.dialect.name == "postgresql":
            with captured(store) as sent:
                store.rules.rule_diff(row.id, nested)
            statement, parameters = next((s, p) for s, p in sent if "rule_matches" in s)
            with store.engine.connect() as conn:
                for (line,) in conn.exec_driver_sql(
                        f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters):
                    print(line)
                conn.rollback()
    finally:
        store.close()
    print(f"segment {row.id} {row.name!r} ({row.kind}, {row.n:,} members) on {args.db}; "
          f"load {os.getloadavg()[0]:.2f}")
    print(f"nested rule: {' / '.join(diff.lines())}")
    for label, ms in results.items():
        print(f"{label:<28} {ms:7.0f} ms  {'ok' if ms <= BUDGET_MS else 'over'} "
              f"(P4's budget {BUDGET_MS:.0f} ms)")


if __name__ == "__main__":
    main()
