"""Where a contacts import spends its time, stage by stage (I6; docs/benchmarks.md).

    python benchmarks/import_stages.py FILE.csv [--keep-collector]
    python benchmarks/import_stages.py FILE.csv --db postgresql+psycopg://postgres@127.0.0.1/DB

Reads the whole file into memory first (unlike `segtui import`, which streams), so each
stage is timed on its own in CPU microseconds per row: CSV parsing, validation, and the
database side (matching, companies, tags, inserts) into a new, empty SQLite database in
a temporary directory, or with --db into that database (migrated; what it holds stays,
so an import of emails it has is the update path). The garbage collector is off, as
during a real import, unless --keep-collector is given.

On PostgreSQL it also prints each statement's share: wall time and the server backend's
CPU time per imported row, read from /proc (so only for a server on this machine), and
the import's total CPU here and on the server (P11).
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.engine import make_url

from segtui.core import imports
from segtui.core.formats.contact_columns import map_columns
from segtui.core.formats.contacts_csv import RowReader
from segtui.core.formats.csv_source import open_csv
from segtui.data.db import bulk
from segtui.data.db.engine import sqlite_url
from segtui.data.io import import_rows, importer
from segtui.data.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path)
    parser.add_argument("--keep-collector", action="store_true")
    parser.add_argument("--db", help="a migrated database to import into (default: a new "
                                     "SQLite file)")
    args = parser.parse_args()
    if not args.keep_collector:
        gc.disable()
    with args.file.open("rb") as raw:
        source = open_csv(raw, os.fstat(raw.fileno()).st_size)
        started = time.process_time()
        records = list(source.records())
        parsed = time.process_time()
    header = records[0][1]
    reader = RowReader(map_columns(header, {}), header, date(2024, 2, 26))
    rows = [reader.read(cells, line) for line, cells in records[1:]]
    validated = time.process_time()
    count = max(len(rows), 1)
    print(f"CSV parsing   {(parsed - started) / count * 1e6:6.1f} us/row")
    print(f"validation    {(validated - parsed) / count * 1e6:6.1f} us/row")
    with tempfile.TemporaryDirectory() as scratch:
        url = make_url(args.db) if args.db else sqlite_url(Path(scratch) / "stages.db")
        store = Store.open(url)
        with store.writing() as conn, _statements_timed(conn, count):
            cpu, wall = time.process_time(), time.perf_counter()
            report = importer.import_contacts(conn, rows, imports.OnDuplicate.UPDATE,
                                              datetime(2024, 2, 26))
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(f"database      {cpu / count * 1e6:6.1f} us/row CPU, "
              f"{wall / count * 1e6:.1f} wall, {count / wall:,.0f} rows/s "
              f"({report.added:,} added, {report.updated:,} updated, "
              f"{report.rejected:,} rejected)")
        store.close()


@contextmanager
def _statements_timed(conn: Connection, rows: int) -> Iterator[None]:
    """PostgreSQL: time each statement (and COPY) of the import; print them afterwards."""
    if conn.dialect.name != "postgresql":
        yield
        return
    pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    tick = os.sysconf("SC_CLK_TCK")

    def server_cpu() -> float:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    spent: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    started: list[tuple[float, float]] = []

    def note(kind: str, since: tuple[float, float]) -> None:
        entry = spent[kind]
        entry[0] += 1
        entry[1] += time.perf_counter() - since[0]
        entry[2] += server_cpu() - since[1]

    def before(*_: Any) -> None:
        started.append((time.perf_counter(), server_cpu()))

    def after(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        note(re.sub(r"\d+", "N", " ".join(statement.split())[:60]), started.pop())

    copy_rows = bulk.copy_rows

    def timed_copy(conn: Connection, table: Any, *args: Any, **kwargs: Any) -> int:
        since = (time.perf_counter(), server_cpu())
        written = copy_rows(conn, table, *args, **kwargs)
        note(f"COPY {table if isinstance(table, str) else table.name}", since)
        return written

    event.listen(conn, "before_cursor_execute", before)
    event.listen(conn, "after_cursor_execute", after)
    _use_copy(timed_copy)
    total = server_cpu()
    try:
        yield
    finally:
        _use_copy(copy_rows)
        event.remove(conn, "before_cursor_execute", before)
        event.remove(conn, "after_cursor_execute", after)
    print(f"server        {(server_cpu() - total) / rows * 1e6:6.1f} us/row CPU "
          "(us per imported row: wall, server CPU, statements)")
    for kind, (n, wall, cpu) in sorted(spent.items(), key=lambda kv: -kv[1][1]):
        print(f"  {wall / rows * 1e6:6.1f} {cpu / rows * 1e6:6.1f} x{int(n):<5} {kind}")


def _use_copy(function: Any) -> None:
    """Make the import's COPY (data/db/bulk.py copy_rows, as both it and data/io/import_rows.py
    know it) `function`."""
    name = "copy_rows"
    for module in (bulk, import_rows):
        setattr(module, name, function)


if __name__ == "__main__":
    main()
