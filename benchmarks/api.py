"""The HTTP API at scale (C21.1): the server (`segtui api`) in its own process, measured
over loopback with httpx, as a client on this machine sees it:

1. the largest segment's members exported (`GET /v1/segments/{id}/members/export`), as
   CSV and as JSON Lines, streamed to nothing: the wall time from the request to the
   last byte, the median of `--repeat` after one to warm the caches;
2. a batch of 10,000 contacts upserted per request (`POST /v1/contacts/batch`), new ones
   (unique emails) and updates of 10,000 contacts the dataset has (a new title each
   round, their status kept): rows a second, from the request sent to the answer read
   (the dynamic segments followed inside it), the median of `--repeat` rounds of each;
3. `GET /v1/segments/{id}` (the largest) from 20 clients at once (a thread each with its
   own connection, `--requests` each after a warm-up of 5): p50, p95, p99.

The server is `python -m segtui api --db URL --port <a free port>`, with the clock fixed
to the dataset's day (SEGTUI_TODAY, as benchmarks/compare.py's `on_the_datasets_day`)
unless SEGTUI_TODAY is set; the benchmark waits for its port to accept connections. Its
token acts for the dataset's first CRM Administrator (`segtui users list --json`), made
with `segtui api tokens create` and revoked at the end.

The batches write: 10,000 new contacts a round stay in the database, and the updated
contacts keep their last title. Run it on a database you may change (a copy of the
reference dataset). The exports and each request are audited, as any client's are.

    python benchmarks/api.py --db URL [--repeat 3] [--requests 50] [--only export,get,upsert]
        [--json PATH]

Budgets (C21.1): the export of the largest segment (about 100,000 members at 1M
contacts) within 3 s in either format; a batch upsert at 20,000 rows/s or more; the p95
of a segment's GET under 20 concurrent clients within 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `benchmarks.` below

import httpx

from benchmarks.compare import on_the_datasets_day

ROOT = Path(__file__).resolve().parent.parent
BATCH = 10_000
CLIENTS = 20
WARM_UP = 5
EXPORT_BUDGET_S = 3.0
UPSERT_BUDGET_ROWS_S = 20_000.0
GET_P95_BUDGET_MS = 50.0
START_DEADLINE_S = 120.0  # a first start on a large database migrates and reads


@dataclass
class Result:
    operation: str
    figure: float
    unit: str
    budget: str
    within: bool | None  # None: shown for reading the others, no budget of its own
    samples: list[float] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


def segtui_env(today: str | None) -> dict[str, str]:
    """The environment of the server and the CLI: this checkout's segtui first."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    if today is not None:
        env["SEGTUI_TODAY"] = today
    return env


def segtui(args: list[str], env: dict[str, str]) -> Any:
    """Run `python -m segtui ARGS` and return what it printed as JSON."""
    done = subprocess.run([sys.executable, "-m", "segtui", *args], env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"segtui {' '.join(args[:3])} failed ({done.returncode}): "
                 f"{done.stderr.strip()}")
    return json.loads(done.stdout)


def datasets_day(db: str) -> str | None:
    """SEGTUI_TODAY for the server: the day of the dataset's newest membership."""
    from segtui.core import clock
    from segtui.data.db.engine import resolve_url
    from segtui.data.store import Store

    store = Store.open(resolve_url(db))
    try:
        on_the_datasets_day(store)
    finally:
        store.close()
    day = clock.fixed_day()
    return None if day is None else day.isoformat()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, server: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    """Until the port accepts a TCP connection; exit if the server ends or the deadline
    passes first."""
    deadline = time.monotonic() + START_DEADLINE_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            sys.exit(f"the API server exited ({server.returncode}): "
                     f"{log.read().decode(errors='replace').strip()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"the API server did not accept connections within {START_DEADLINE_S:.0f} s")


def cpu_seconds(pid: int) -> float | None:
    """The CPU time (user and system) process `pid` has used so far; None where /proc
    doesn't tell (not Linux). Beside a wall time on a shared machine: the server's own
    share, whatever else runs (PostgreSQL's work is in its own processes, not here)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    def __init__(self, base: str, pid: int) -> None:
        self.base, self.pid = base, pid

    def cpu(self) -> float | None:
        return cpu_seconds(self.pid)


@contextmanager
def api_server(db: str, env: dict[str, str]) -> Iterator[Server]:
    """`segtui api` on a free loopback port, stopped (SIGINT, as Ctrl+C) at the end."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "segtui", "api", "--db", db, "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, server, log)
            yield Server(f"http://127.0.0.1:{port}", server.pid)
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGINT)
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()


def export_seconds(client: httpx.Client, segment: int, fmt: str) -> tuple[float, int, int]:
    """(seconds to the last byte, bytes, lines) of one export, read and dropped."""
    started = time.perf_counter()
    size = lines = 0
    with client.stream("GET", f"/v1/segments/{segment}/members/export",
                       params={"format": fmt}) as response:
        response.raise_for_status()
        for chunk in response.iter_raw(65536):
            size += len(chunk)
            lines += chunk.count(b"\n")
    return time.perf_counter() - started, size, lines


def measure_export(client: httpx.Client, server: Server, segment: int, members: int,
                   fmt: str, repeat: int) -> Result:
    export_seconds(client, segment, fmt)  # warm: the first read of a cold cache
    before = server.cpu()
    runs = [export_seconds(client, segment, fmt) for _ in range(repeat)]
    after = server.cpu()
    seconds = [r[0] for r in runs]
    median = statistics.median(seconds)
    cpu = None if before is None or after is None else (after - before) / repeat
    return Result(f"members export, {fmt} ({members:,} members)", median, "s",
                  f"<= {EXPORT_BUDGET_S:.0f} s", median <= EXPORT_BUDGET_S, seconds,
                  {"bytes": runs[-1][1], "lines": runs[-1][2],
                   "server_cpu_s_each": cpu})


def upsert(client: httpx.Client, contacts: list[dict[str, Any]]) -> tuple[float, Any]:
    """(seconds, the answer) of one batch: the body encoded, sent, answered, read."""
    started = time.perf_counter()
    response = client.post("/v1/contacts/batch", json={"contacts": contacts})
    response.raise_for_status()
    answer = response.json()
    return time.perf_counter() - started, answer


def existing_contacts(client: httpx.Client, count: int) -> list[dict[str, Any]]:
    """The first `count` contacts the API lists (its pages of 500) with an email no
    other of them has: each row of the batch matches one contact."""
    found: dict[str, dict[str, Any] | None] = {}  # None: an email two contacts share
    cursor: str | None = None
    while len(found) < count:
        params: dict[str, Any] = {"limit": 500}
        if cursor is not None:
            params["cursor"] = cursor
        page = client.get("/v1/contacts", params=params).raise_for_status().json()
        for contact in page["contacts"]:
            key = (contact["email"] or "").strip().casefold()
            if key:
                found[key] = None if key in found else contact
        cursor = page["next_cursor"]
        if cursor is None:
            break
    return [c for c in found.values() if c is not None][:count]


def measure_upserts(client: httpx.Client, server: Server, repeat: int) -> list[Result]:
    run = datetime.now().strftime("%Y%m%d%H%M%S")
    rates: dict[str, list[float]] = {"new": [], "update": []}
    answers: dict[str, list[Any]] = {"new": [], "update": []}
    existing = existing_contacts(client, BATCH)
    if len(existing) < BATCH:
        sys.exit(f"only {len(existing)} contacts: the updates need {BATCH}")

    def measured(kind: str, rows: list[dict[str, Any]], counted: str) -> None:
        """One batch upserted: its rate under `kind`, unless the answer's `counted`
        ("added" or "updated") is not the whole batch."""
        cpu = server.cpu()
        seconds, answer = upsert(client, rows)
        cpu = None if cpu is None else (server.cpu() or 0) - cpu
        if answer[counted] != BATCH:
            sys.exit(f"{kind}: expected {BATCH} {counted}, got {answer}")
        rates[kind].append(BATCH / seconds)
        answers[kind].append({k: answer[k] for k in ("added", "updated", "rejected")}
                             | {"seconds": round(seconds, 3), "server_cpu_s": cpu})

    for round_ in range(1, repeat + 1):
        measured("new", [{"email": f"apibench-{run}-{round_}-{i}@bench.example.com",
                          "name": f"Bench Contact {round_}-{i}",
                          "company": f"Bench Co {i % 500}", "title": "Buyer",
                          "city": "Austin", "state": "TX", "status": "Qualified"}
                         for i in range(BATCH)], "added")
        title = f"Bench title {run}-{round_}"  # each round changes every contact
        measured("update", [{"email": c["email"], "name": c["name"],
                             "company": c["company"], "title": title,
                             "status": c["status"]} for c in existing], "updated")
    budget = f">= {UPSERT_BUDGET_ROWS_S:,.0f} rows/s"
    results = []
    for kind in ("new", "update"):
        median = statistics.median(rates[kind])
        label = ("batch upsert, 10,000 new contacts" if kind == "new"
                 else "batch upsert, 10,000 existing contacts updated")
        results.append(Result(label, median, "rows/s", budget,
                              median >= UPSERT_BUDGET_ROWS_S, rates[kind],
                              {"answers": answers[kind]}))
    return results


def percentile(ordered: list[float], p: float) -> float:
    """The nearest-rank percentile of sorted samples."""
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def measure_gets(server: Server, headers: dict[str, str], segment: int,
                 requests: int) -> list[Result]:
    """Each of CLIENTS threads: its own client, WARM_UP requests, then `requests` timed
    once every thread is ready."""
    base, path = server.base, f"/v1/segments/{segment}"
    ready = threading.Barrier(CLIENTS)
    samples: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def one_client() -> None:
        mine: list[float] = []
        try:
            with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
                for _ in range(WARM_UP):
                    client.get(path).raise_for_status()
                ready.wait()
                for _ in range(requests):
                    started = time.perf_counter()
                    client.get(path).raise_for_status()
                    mine.append((time.perf_counter() - started) * 1000)
        except Exception as exc:  # reported below, with the others' figures
            ready.abort()
            with lock:
                errors.append(repr(exc))
        with lock:
            samples.extend(mine)

    # One client alone first: what a request costs when it has the server to itself.
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        for _ in range(WARM_UP):
            client.get(path).raise_for_status()
        alone = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(path).raise_for_status()
            alone.append((time.perf_counter() - started) * 1000)
    threads = [threading.Thread(target=one_client) for _ in range(CLIENTS)]
    cpu = server.cpu()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu = None if cpu is None else (server.cpu() or 0) - cpu
    if errors:
        sys.exit(f"{len(errors)} clients failed: {errors[0]}")
    ordered = sorted(samples)
    alone.sort()
    p50, p95, p99 = (percentile(ordered, p) for p in (50, 95, 99))
    details = {"clients": CLIENTS, "requests": len(ordered), "p50_ms": p50, "p95_ms": p95,
               "p99_ms": p99, "max_ms": ordered[-1],
               "requests_per_s": len(ordered) / wall,
               "server_cpu_ms_per_request": None if cpu is None
               else cpu * 1000 / (CLIENTS * (WARM_UP + requests)),
               "one_client_p50_ms": percentile(alone, 50),
               "one_client_p95_ms": percentile(alone, 95)}
    return [
        Result(f"GET /v1/segments/{{id}}, {CLIENTS} clients: p95 (p50 {p50:.0f}, "
               f"p99 {p99:.0f} ms)", p95, "ms", f"<= {GET_P95_BUDGET_MS:.0f} ms",
               p95 <= GET_P95_BUDGET_MS, [], details),
        Result(f"GET /v1/segments/{{id}}, 1 client: p50 (p95 {percentile(alone, 95):.0f} "
               "ms)", percentile(alone, 50), "ms", "", None, alone),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="an SQLite path or a database URL")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--requests", type=int, default=50,
                        help="timed GETs per client (after a warm-up of 5)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the results here")
    parser.add_argument("--only", default="export,get,upsert",
                        help="which parts, comma-separated: export, get, upsert")
    args = parser.parse_args()
    parts = {part.strip() for part in args.only.split(",")}
    if not parts or parts - {"export", "get", "upsert"}:
        parser.error("--only takes export, get and upsert, comma-separated")

    from segtui.data.db.engine import resolve_url

    url = resolve_url(args.db)
    engine = url.get_backend_name()
    load_before = os.getloadavg()
    today = os.environ.get("SEGTUI_TODAY") or datasets_day(args.db)
    env = segtui_env(today)
    users = segtui(["users", "list", "--db", args.db, "--json"], env)
    admin = next((u["name"] for u in users
                  if u["role"] == "CRM Administrator" and u["active"]), None)
    if admin is None:
        sys.exit("no active CRM Administrator in the database to make a token for")
    token_name = f"apibench {datetime.now():%Y%m%d %H%M%S}"
    made = segtui(["api", "tokens", "create", token_name, "--for", admin, "--scope",
                   "write", "--user", admin, "--db", args.db, "--json"], env)
    headers = {"Authorization": f"Bearer {made['token']}"}
    results: list[Result] = []
    try:
        with api_server(args.db, env) as server, \
                httpx.Client(base_url=server.base, headers=headers, timeout=600) as client:
            largest = client.get("/v1/segments", params={
                "sort": "members", "order": "desc", "limit": 1}).raise_for_status().json()
            segment = largest["segments"][0]
            sid, members = int(segment["id"]), int(segment["members"])
            for fmt in ("csv", "jsonl") if "export" in parts else ():
                results.append(measure_export(client, server, sid, members, fmt,
                                              args.repeat))
            if "get" in parts:
                results += measure_gets(server, headers, sid, args.requests)
            if "upsert" in parts:
                results += measure_upserts(client, server, args.repeat)
    finally:
        segtui(["api", "tokens", "revoke", token_name, "--user", admin, "--db", args.db,
                "--json"], env)
    load_after = os.getloadavg()

    print(f"segment {sid} {segment['name']!r} ({members:,} members) on {engine}, "
          f"{url.render_as_string(hide_password=True)}; as {admin}; today {today}; "
          f"load {load_before[0]:.2f} before, {load_after[0]:.2f} after")
    print(f"{'operation':<62} {'engine':<10} {'figure':>14}  {'budget':<17} within?")
    for r in results:
        figure = f"{r.figure:,.0f} {r.unit}" if r.unit != "s" else f"{r.figure:.2f} s"
        within = "-" if r.within is None else "yes" if r.within else "NO"
        print(f"{r.operation:<62} {engine:<10} {figure:>14}  {r.budget:<17} {within}")
    if args.json is not None:
        args.json.write_text(json.dumps({
            "benchmark": "benchmarks/api.py", "when": datetime.now().isoformat("T", "seconds"),
            "db": url.render_as_string(hide_password=True), "engine": engine,
            "today": today, "acting_as": admin, "repeat": args.repeat,
            "segment": {"id": sid, "name": segment["name"], "members": members},
            "load_before": load_before, "load_after": load_after,
            "results": [asdict(r) for r in results]}, indent=2) + "\n")


if __name__ == "__main__":
    main()
