"""Where a contacts import spends its time, stage by stage (issue 6; docs/benchmarks.md).

    python benchmarks/import_stages.py FILE.csv [--keep-collector]

Reads the whole file into memory first (unlike `segtui import`, which streams), so each
stage is timed on its own in CPU microseconds per row: CSV parsing, validation, and the
database side (matching, companies, tags, inserts) into a new, empty SQLite database in
a temporary directory. The garbage collector is off, as during a real import, unless
--keep-collector is given.
"""

from __future__ import annotations

import argparse
import gc
import os
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from segtui.core.csv_source import open_csv
from segtui.core.importing import RowReader, map_columns
from segtui.data import importer
from segtui.data.engine import sqlite_url
from segtui.data.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path)
    parser.add_argument("--keep-collector", action="store_true")
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
        store = Store.open(sqlite_url(Path(scratch) / "stages.db"))
        cpu, wall = time.process_time(), time.perf_counter()
        with store.orm_session() as session:
            report = importer.import_contacts(session.connection(), rows,
                                              importer.OnDuplicate.UPDATE,
                                              datetime(2024, 2, 26))
        print(f"database      {(time.process_time() - cpu) / count * 1e6:6.1f} us/row CPU, "
              f"{(time.perf_counter() - wall) / count * 1e6:.1f} wall "
              f"({report.added:,} added, {report.rejected:,} rejected)")
        store.close()


if __name__ == "__main__":
    main()
