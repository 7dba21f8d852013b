"""The detail screen's tabs and cards, statement by statement, on a large dataset.

    python benchmarks/detail_statements.py --db sqlite:////tmp/big.db
    python benchmarks/detail_statements.py --db postgresql+psycopg://postgres@127.0.0.1/big \\
        --only insights --repeat 5 --explain

For each operation (the Store call a tab or the cards make): the median time of the call,
then each SQL statement it sent, replayed alone on a raw DB-API connection (median of the
same number of runs), with its plan when --explain is given (PostgreSQL: EXPLAIN (ANALYZE,
BUFFERS), run once; SQLite: EXPLAIN QUERY PLAN) and, with --cpu, the PostgreSQL server's
CPU for it (a figure a busy machine hardly moves); each call's own process CPU is printed
beside its time (all threads: SQLite's statements run in them). The segment is the one
with the most current members unless --segment is given. P7: find the statement
that is slow, and see that the fix changed its plan. Nothing is written to the database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("SEGTUI_TODAY", "2024-02-26")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from benchmarks.bench import RawReplayer, captured, largest_segment
from segtui.core import clock
from segtui.core.metrics import last_days
from segtui.data.db.engine import resolve_url
from segtui.data.db.tables import Membership
from segtui.data.store import Store


def operations(store: Store, segment_id: int) -> dict[str, Callable[[], object]]:
    return {
        "cards": lambda: store.metrics.segment_summary(segment_id, last_days(clock.today())),
        "performance": lambda: store.metrics.performance_report(segment_id),
        "analytics": lambda: store.metrics.analytics_report(segment_id),
        "insights": lambda: store.metrics.insights(segment_id),
        "quality": store.quality.quality_report,
    }


def ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:,.1f} ms"


def explain(raw: RawReplayer, statement: str, parameters: Any,
            settings: list[str] | None = None) -> str:
    cursor = raw.conn.cursor()
    for setting in settings or []:
        cursor.execute(setting)
    if raw.url.get_backend_name() == "sqlite":
        cursor.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
        lines = [str(row[-1]) for row in cursor.fetchall()]
    else:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
        lines = [str(row[0]) for row in cursor.fetchall()]
    raw.conn.rollback()
    return "\n".join("      " + line for line in lines)


class BackendCpu:
    """CPU seconds the PostgreSQL server process behind `raw` has used, read from
    /proc/<pid>/stat: a measure a busy machine hardly moves, where wall time doubled
    and halved with the other sessions' load (P6, P7). Parallel workers are turned off
    on that connection so that all of a plan's CPU is the backend's (a worker's CPU is not
    counted once it exits). Only for a server on this machine."""

    def __init__(self, raw: RawReplayer) -> None:
        cursor = raw.conn.cursor()
        cursor.execute("SET max_parallel_workers_per_gather = 0")
        cursor.execute("SELECT pg_backend_pid()")
        self.stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
        raw.conn.commit()

    def seconds(self) -> float:
        fields = self.stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--segment", type=int)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", nargs="*", default=["cards", "performance", "analytics",
                                                      "insights"])
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--no-statements", action="store_true",
                        help="time the Store calls only")
    parser.add_argument("--cpu", action="store_true",
                        help="PostgreSQL on this machine: each statement's server CPU "
                             "(median of --repeat, parallel workers off) beside its time")
    args = parser.parse_args()
    url = resolve_url(args.db)
    store = Store.open(url, upgrade=False)
    raw = RawReplayer(url)
    cpu = BackendCpu(raw) if args.cpu else None
    segment_id = args.segment or largest_segment(store)
    with store.reading() as conn:
        members = conn.execute(select(func.count()).where(
            Membership.segment_id == segment_id, Membership.removed_at.is_(None))).scalar()
    print(f"{url.render_as_string()}: segment {segment_id}, {members:,} members, "
          f"repeat {args.repeat}")
    for name, operation in operations(store, segment_id).items():
        if name not in args.only:
            continue
        with captured(store, by_connection=True) as statements:
            operation()  # also warms the caches
        samples, process_cpu = [], []
        for _ in range(args.repeat):
            started, cpu_started = time.perf_counter(), time.process_time()
            operation()
            samples.append(time.perf_counter() - started)
            process_cpu.append(time.process_time() - cpu_started)
        # This process's CPU (all its threads): on SQLite the statements themselves, a
        # figure the other sessions' load hardly moves.
        print(f"\n{name}: {ms(samples)} (min {min(samples) * 1000:,.1f}, max "
              f"{max(samples) * 1000:,.1f}), {len(statements)} statements, "
              f"process CPU {ms(process_cpu)}")
        if args.no_statements:
            continue
        total_cpu = 0.0
        # `SET LOCAL` statements (sql.planned_for_members) are not timed alone: they are
        # replayed before each statement their connection sent while they held.
        held: dict[int, dict[str, str]] = {}
        for n, (statement, parameters, connection) in enumerate(statements, 1):
            settings = held.setdefault(connection, {})
            if statement.startswith("SET LOCAL "):
                name = statement.split()[2]
                if statement.endswith("TO DEFAULT"):
                    settings.pop(name, None)
                else:
                    settings[name] = statement
                continue
            replayed = [(setting, None) for setting in settings.values()]
            replayed.append((statement, parameters))
            times, cpus = [], []
            for _ in range(args.repeat):
                before = cpu.seconds() if cpu else 0.0
                times.append(raw.run(replayed))
                cpus.append(cpu.seconds() - before if cpu else 0.0)
            first = " ".join(statement.split())[:110]
            used = f"  cpu {ms(cpus):>10}" if cpu else ""
            total_cpu += statistics.median(cpus)
            print(f"  {n:2}. {ms(times):>12}{used}  {first}")
            if args.explain:
                print(explain(raw, statement, parameters, list(settings.values())))
        if cpu:
            print(f"  server CPU of the {len(statements)} statements: "
                  f"{total_cpu * 1000:,.0f} ms")
    store.close()


if __name__ == "__main__":
    main()
