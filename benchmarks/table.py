"""One table from several benchmark runs: a column per engine (P14).

`benchmarks/bench.py --db A --db B` runs the benchmark once per database, each in a
process of its own (so one engine's caches, threads and memory never colour the other's
figures), saves each run's JSON, and prints the table this module renders:

    | Operation | Budget | SQLite | ×raw | PostgreSQL | ×raw |

×raw is a rule's time against the same predicate written by hand in SQL, and any other
operation's against the very statements it sent, replayed on a raw DB-API connection. A
figure over its budget is marked `over`; a rule's ratio over 1.5 (P8) is too.
Rendering is separate from measuring so a table can be made again from saved runs:
`python -m benchmarks.table run-sqlite.json run-pg.json`.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# A rule's ratio to its predicate written by hand above this is marked (P8: every
# rule within 1.5x). Other ratios are shown unjudged: a 4 ms statement replayed raw in 0.1 ms
# says more about the timer than about segtui.
RATIO_BOUND = 1.5
RATIO_BOUNDED = "rule_"
# The ratio shown: a rule's against the predicate written by hand (benchmarks/rule_forms.py,
# the nested rule), else the operation's against its own statements replayed raw.
RATIO_KEYS = ("ratio_to_hand", "ratio_to_hand_written", "ratio")


def engine_name(run: dict[str, Any]) -> str:
    database = str(run.get("database", ""))
    return "PostgreSQL" if database.startswith("postgresql") else "SQLite"


def figure(entry: dict[str, Any]) -> float | None:
    """An operation's one figure: the median, or the total of a one-off run (a refresh of
    every dynamic segment is timed once, not repeated)."""
    for key in ("median_ms", "total_ms"):
        if isinstance(entry.get(key), int | float):
            return float(entry[key])
    return None


def rows(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The run's operations, flattened: one-off figures nested in an entry (the unchanged
    refresh beside the full one) become rows of their own."""
    flat: dict[str, dict[str, Any]] = {}
    for name, entry in run.get("operations", {}).items():
        if not isinstance(entry, dict):
            continue
        flat[name] = entry
        for key, value in entry.items():
            if key.endswith("_total_ms") and isinstance(value, int | float):
                budget = entry.get(key.removesuffix("_total_ms") + "_budget_ms")
                flat[f"{name}:{key.removesuffix('_total_ms')}"] = {
                    "total_ms": value, **({"budget_ms": budget} if budget else {})}
    return flat


def _ms(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def render(runs: Sequence[dict[str, Any]]) -> str:
    """A Markdown table of every operation any run measured, in the first run's order."""
    names: list[str] = []
    per_run = [rows(run) for run in runs]
    for flat in per_run:
        names.extend(n for n in flat if n not in names)
    header = ["Operation", "Budget (ms)"]
    for run in runs:
        header += [f"{engine_name(run)} (ms)", "×raw"]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for name in names:
        budgets = {flat[name].get("budget_ms") for flat in per_run if name in flat}
        budget = next((b for b in budgets if b), None)
        cells = [name, _ms(budget) if budget else ""]
        for flat in per_run:
            entry = flat.get(name, {})
            value = figure(entry)
            if value is None:
                cells += ["", ""]
                continue
            over = budget is not None and value > budget
            cells.append(_ms(value) + (" **over**" if over else ""))
            ratio = next((entry[key] for key in RATIO_KEYS if entry.get(key) is not None),
                         None)
            if isinstance(ratio, int | float):
                judged = name.startswith(RATIO_BOUNDED) and ratio > RATIO_BOUND
                cells.append(f"{ratio:.2f}" + (" **over**" if judged else ""))
            else:
                cells.append("")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def heading(runs: Sequence[dict[str, Any]]) -> str:
    """What was measured: each run's dataset and peak memory, for the line above the table."""
    parts = []
    for run in runs:
        data = run.get("dataset", {})
        sizes = ", ".join(f"{v:,} {k}" for k, v in data.items())
        parts.append(f"{engine_name(run)}: {sizes}; max RSS {run.get('max_rss_mb')} MB")
    return "\n".join(f"- {p}" for p in parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", type=Path, help="JSON files bench.py wrote")
    args = parser.parse_args()
    runs = [json.loads(path.read_text()) for path in args.runs]
    print(heading(runs))
    print()
    print(render(runs))


if __name__ == "__main__":
    main()
