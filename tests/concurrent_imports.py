"""Two imports of the same file at once, interleaved the way that duplicated contacts on
PostgreSQL (I16.1): both look the file's keys up before either inserts."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Connection
from sqlalchemy.engine import URL

import segtui.data.io.import_lookups as import_lookups
import segtui.data.io.import_rows as import_rows
from segtui.core.imports import ImportReport
from segtui.data.store import Store
from segtui.transfer.imports import ImportRequest, import_file


def import_twice_at_once(url: URL, request: ImportRequest, engine_name: str,
                         monkeypatch: pytest.MonkeyPatch) -> list[ImportReport]:
    """Run `request` in two threads, each with a Store of its own (as two processes
    would), started together. On PostgreSQL a barrier holds each after its lookup (in
    `reserve_ids`, just before the insert) until the other has looked too; SQLite's single
    writer makes the second wait for the first's commit, so there is nothing to hold.
    Returns both reports; an error in either fails the test."""
    both_looked = threading.Barrier(2, timeout=120)
    if engine_name == "postgresql":
        original = import_lookups.reserve_ids

        def reserve_after_both_looked(conn: Connection, table: str, count: int) -> list[int]:
            ids = original(conn, table, count)
            if table == "contacts":
                both_looked.wait()
            return ids

        # The contacts' ids are reserved by import_rows.insert_contacts, through its own name.
        monkeypatch.setattr(import_rows, "reserve_ids", reserve_after_both_looked)
    start = threading.Barrier(2, timeout=120)
    reports: list[ImportReport] = []
    errors: list[BaseException] = []

    def one_import() -> None:
        store = Store.open(url)
        try:
            start.wait()
            reports.append(import_file(store, request).report)
        except BaseException as exc:  # reported by the caller, not lost in the thread
            errors.append(exc)
            both_looked.abort()
        finally:
            store.close()

    threads = [threading.Thread(target=one_import) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return reports
