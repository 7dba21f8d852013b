"""Discover at scale (C22.1.9): clustering every contact of a database on the CLI's
default dimensions, k chosen (silhouette over 2..8) and k given, each run in a process of
its own so its peak memory is its own: wall time per stage (from the run's progress
reports), the whole run, and the peak RSS (`resource.getrusage`, maxrss). Prints JSON.

Only reads: the 1M databases may be shared. The database is built beforehand (this
builds nothing), e.g. the reference dataset, ~4 min on SQLite:

    segtui demo --db /tmp/s1m.db --contacts 1000000 --segments 1000 --build-only
    python benchmarks/discover.py --db /tmp/s1m.db [--k 5] [--dimensions size,industry,...]

Budgets: 1M contacts within 30 s and under 1 GB (C22.1.9).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGET_S = 30.0
BUDGET_MB = 1024.0
DEFAULT_DIMENSIONS = "size,industry,spent,engaged"
STAGES = ("Reading contacts", "Encoding", "Choosing k", "Clustering", "Describing clusters",
          "Fitting rules")


def _anon_mb() -> float:
    """The process's own resident memory (RssAnon), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    return 0.0


def one_run(db: str, dimensions: str, k: int | None, seed: int) -> dict[str, object]:
    """One discovery in this process: its stages' wall times, its total, its peak RSS."""
    from benchmarks.compare import on_the_datasets_day
    from segtui.core.discover.model import Dimension, DiscoverRequest
    from segtui.data.db.engine import resolve_url
    from segtui.data.store import Store

    store = Store.open(resolve_url(db))
    on_the_datasets_day(store)
    marks: list[tuple[str, float]] = []
    anon = [0.0]

    def progress(fraction: float, what: str) -> None:
        anon[0] = max(anon[0], _anon_mb())
        stage = next(s for s in STAGES if what.startswith(s))
        if not marks or marks[-1][0] != stage:
            marks.append((stage, time.perf_counter()))

    request = DiscoverRequest(tuple(Dimension(d) for d in dimensions.split(",")), k=k,
                              seed=seed)
    started = time.perf_counter()
    try:
        found = store.discover.run(request, progress=progress)
    finally:
        store.close()
    ended = time.perf_counter()
    stages = {stage: round((marks[i + 1][1] if i + 1 < len(marks) else ended) - at, 2)
              for i, (stage, at) in enumerate(marks)}
    return {
        "k": "auto" if k is None else k, "chosen_k": found.k,
        "k_scores": {s.k: s.silhouette for s in found.k_scores},
        "population": found.population, "seconds": round(ended - started, 2),
        "stages_s": stages,
        # The peak counts the pages of SQLite's memory-mapped file the run touched
        # (docs/benchmarks.md, "Memory"); the process's own memory, sampled at each
        # progress report, beside it.
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_anon_mb_sampled": round(max(anon[0], _anon_mb()), 1),
        "clusters": [{"name": c.name, "size": c.size,
                      "rule": c.suggested.rule if c.suggested else None,
                      "precision": round(c.suggested.precision, 3) if c.suggested else None,
                      "recall": round(c.suggested.recall, 3) if c.suggested else None}
                     for c in found.clusters],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="an SQLite path or a database URL")
    parser.add_argument("--dimensions", default=DEFAULT_DIMENSIONS)
    parser.add_argument("--k", type=int, default=5, help="the fixed k run beside auto")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a child: 'auto' or a k
    args = parser.parse_args()
    if args.one is not None:
        k = None if args.one == "auto" else int(args.one)
        print(json.dumps(one_run(args.db, args.dimensions, k, args.seed)))
        return
    runs = []
    for one in ("auto", str(args.k)):
        child = subprocess.run(
            [sys.executable, __file__, "--db", args.db, "--dimensions", args.dimensions,
             "--seed", str(args.seed), "--one", one],
            check=True, capture_output=True, text=True, cwd=ROOT)
        run = json.loads(child.stdout.strip().splitlines()[-1])
        run["within_budget"] = (run["seconds"] <= BUDGET_S
                                and run["peak_anon_mb_sampled"] <= BUDGET_MB)
        runs.append(run)
    print(json.dumps({"benchmark": "discover", "db": args.db,
                      "dimensions": args.dimensions, "load": round(os.getloadavg()[0], 2),
                      "budget_s": BUDGET_S, "budget_mb": BUDGET_MB, "runs": runs},
                     indent=2))


if __name__ == "__main__":
    main()
