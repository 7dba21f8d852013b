"""P12: how long `q` takes to end the process while work runs.

Each run is a process of its own that starts the app headless (App.run_test), waits until
the work is under way, prints the moment it presses `q`, and ends as the app would; this
script takes the time from that moment to the process's exit (time.perf_counter is the
system's monotonic clock, the same in both processes). The exit includes what a user
waits for: Python joins the worker threads before the process ends, and the child ends as
`segtui` does (cli.process.end_process).

    python benchmarks/quit_latency.py --db URL --during insights --repeat 5
        the AI Insights tab of the largest segment loading (1 s after `4`)
    python benchmarks/quit_latency.py --db COPY --make-stale 200
        (writes: give it a copy) adds 200 dynamic segments never evaluated
    python benchmarks/quit_latency.py --db COPY --during startup --repeat 5
        the start-up re-evaluation of those segments running (1 s after start)
    python benchmarks/quit_latency.py --db URL --during idle
        nothing running: the floor (the app's and the interpreter's own teardown)
    --code DIR   run the app from another checkout (the code before a change)

On PostgreSQL it also says whether the server was still running a statement for the
database after the process ended.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 60.0  # seconds: a run still going then is stopped and reported as "> LIMIT"


STALE = "Quit benchmark"


def make_stale(db: str, count: int) -> None:
    """Add `count` dynamic segments (rules `score > N`) never evaluated: what the app
    re-evaluates when it starts."""
    from segtui.core import clock
    from segtui.core.enums import SegmentKind, SegmentStatus
    from segtui.core.rules.language import parse
    from segtui.core.rules.tree import to_json
    from segtui.data.db.engine import resolve_url
    from segtui.data.db.models import Segment
    from segtui.data.db.tables import name_key
    from segtui.data.store import Store

    store = Store.open(resolve_url(db))
    try:
        now = clock.now()
        with store.orm_session() as session:
            for n in range(count):
                name = f"{STALE} {n + 1}"
                rule = to_json(store.rules.check_rule(parse(f"score > {n % 90}"))[0])
                session.add(Segment(name=name, name_key=name_key(name),
                                    status=SegmentStatus.ACTIVE, created_at=now,
                                    updated_at=now, kind=SegmentKind.DYNAMIC, rule=rule,
                                    evaluated_at=None))
    finally:
        store.close()


def owe_again(db: str) -> None:
    """Before a start-up run: the benchmark's segments are never evaluated again (a run
    that finished re-evaluating them left them up to date)."""
    from sqlalchemy import update

    from segtui.data.db.engine import resolve_url
    from segtui.data.db.tables import Segment
    from segtui.data.store import Store

    store = Store.open(resolve_url(db), upgrade=False)
    try:
        with store.orm_session() as session:
            session.execute(update(Segment).where(Segment.name.like(f"{STALE} %"))
                            .values(evaluated_at=None))
    finally:
        store.close()


async def one_session(db: str, during: str) -> None:
    """The child process: the app, the work under way, then `q`."""
    from segtui.app import SegtuiApp, tune_runtime
    from segtui.core import clock
    from segtui.data.db.engine import resolve_url
    from segtui.data.store import Store

    store = Store.open(resolve_url(db), upgrade=False)
    anchored = store.fixed_today()
    if anchored is not None and clock.fixed_day() is None:
        clock.fix(anchored)
    segment = largest_segment(store) if during == "insights" else None
    tune_runtime()
    app = SegtuiApp(store, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        if segment is not None:
            from segtui.screens.detail.screen import SegmentDetailScreen

            await pilot.pause(0.5)
            app.push_screen(SegmentDetailScreen(store, app.user, segment, "bench"))
            await pilot.pause(1.0)
            await pilot.press("4")
        await pilot.pause(1.0)  # the work is under way
        print(f"QUIT {time.perf_counter()!r}", flush=True)
        await pilot.press("q")
    store.close()


def largest_segment(store: object) -> int:
    sys.path.insert(0, str(ROOT))
    from benchmarks.bench import largest_segment as largest

    return largest(store)  # type: ignore[arg-type]


APP_NAME = "segtui-quit-latency"


def server_busy(db: str) -> int:
    """PostgreSQL: statements of the app's process still active on the server."""
    from sqlalchemy import create_engine, text

    from segtui.data.db.engine import resolve_url

    url = resolve_url(db)
    if url.get_backend_name() != "postgresql":
        return 0
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = :app "
                "AND state = 'active'"), {"app": APP_NAME}
            ).scalar_one())
    finally:
        engine.dispose()


def one_run(db: str, during: str, code: Path) -> tuple[float | None, int]:
    """(seconds from `q` to the exit, or None past LIMIT; statements left on the server)."""
    # PGAPPNAME names the child's PostgreSQL sessions: others may use the database too.
    env = {**os.environ, "PYTHONPATH": str(code), "TEXTUAL_ANIMATIONS": "none",
           "PGAPPNAME": APP_NAME}
    child = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--child", "--db", db,
         "--during", during], stdout=subprocess.PIPE, text=True, env=env, cwd=code)
    assert child.stdout is not None
    pressed: float | None = None
    for line in child.stdout:
        if line.startswith("QUIT "):
            pressed = float(line.split()[1])
            break
    try:
        child.wait(timeout=LIMIT)
        ended = time.perf_counter()
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
        return None, server_busy(db)
    if pressed is None:
        raise SystemExit(f"the app ended before `q` (status {child.returncode})")
    return ended - pressed, server_busy(db)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--during", choices=("insights", "startup", "idle"),
                        default="insights")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--code", type=Path, default=ROOT)
    parser.add_argument("--make-stale", type=int, default=0)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(one_session(args.db, args.during))
        # Then end as `segtui` does (cli.main); code from before P12 has no
        # end_process and ends with Python's teardown, code from before A has it
        # in segtui/cli.py rather than segtui/cli/process.py.
        from segtui import cli

        end = getattr(getattr(cli, "process", cli), "end_process", None)
        if end is not None:
            end(0)
        return
    if args.make_stale:
        make_stale(args.db, args.make_stale)
        return
    samples: list[float | None] = []
    for _ in range(args.repeat):
        if args.during == "startup":
            owe_again(args.db)
        took, left = one_run(args.db, args.during, args.code)
        samples.append(took)
        shown = f"> {LIMIT:.0f} s (killed)" if took is None else f"{took * 1000:,.0f} ms"
        print(f"q to exit during {args.during}: {shown}; statements left on the server: "
              f"{left}", flush=True)
    known = [s for s in samples if s is not None]
    if len(known) == len(samples):
        print(f"median {statistics.median(known) * 1000:,.0f} ms of {len(samples)}")
    else:
        print(f"{len(samples) - len(known)} of {len(samples)} runs passed {LIMIT:.0f} s")


if __name__ == "__main__":
    main()
