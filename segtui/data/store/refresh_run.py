"""One whole refresh of many dynamic segments, batch by batch (P9; docs/rules.md,
"Refreshing every segment: batches").

Each batch (data/rules/whole_refresh.py) goes in two steps:

1. **Check**, in a read transaction, without the refresh lock: which of its segments
   would change at all (`refresh.check_segment`). What a refresh finds most often is
   nothing to change, and finding it is only reading.
2. **Write**, in a write transaction under the refresh lock
   (`pending.serialise_refreshes`): the segments that would change, the ones never
   evaluated and the ones owed a whole re-evaluation are refreshed as before, reading
   their contacts again under the lock; every segment of the batch is stamped evaluated.

On PostgreSQL two workers, each with its own connection, take the batches of a layer
(segments whose rules use no segment of the same layer) in turn: their checks run at
once on the server's cores, and their writes take the refresh lock one after the other.
SQLite has one writer and its checks are cheap, so one worker; a check there no longer
holds the write lock, so another process's save need not wait for it.

A worker keeps two sets of lists (`whole_refresh.SharedLists`): the check's for the whole
run (a check may read a list older than the members it compares with: whatever changed
since is owed a re-evaluation, and a difference found only sends the segment to the
write step, which reads afresh), and the write's, kept while nobody else took the
refresh lock in between (SQLite: `PRAGMA data_version`; PostgreSQL: the lock's turns,
those drawn by this run's own workers excepted).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import replace
from datetime import date
from queue import SimpleQueue
from typing import TYPE_CHECKING

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from segtui.core import clock
from segtui.data.db.engine import WRITE_OPTION
from segtui.data.derived import stays
from segtui.data.rules import evaluation, pending, refresh, whole_refresh
from segtui.data.store.database import Database, busy_is_clear, in_this_context

if TYPE_CHECKING:
    from segtui.core.permissions import CurrentUser
    from segtui.core.rules.refresh import RefreshResult

# Workers on PostgreSQL: one per core of the project's 2-core machine, each check being
# the server's work (more would queue on the cores, and hold more connections).
POSTGRESQL_WORKERS = 2


# SQLite, during a refresh run: the log is copied into the database once it holds this
# many pages (256 MB; 1,000 by default, so after every batch). A batch of 20 segments at
# 1M contacts changes 16,000 pages, most of them of `ix_memberships_contact`, and the
# next batch the same ones again: copied every 4 batches, each page is written to the
# database once for 4 batches, and the database file is flushed to disk a quarter as
# often (a checkpoint of one batch: 0.3 s).
_RUN_CHECKPOINT_PAGES = 65536


def _sqlite_pragma(conn: Connection, pragma: str) -> int:
    """Run `PRAGMA pragma` on the DBAPI connection itself, outside any transaction of
    SQLAlchemy's: its first value, or 0."""
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    row = dbapi.cursor().execute(f"PRAGMA {pragma}").fetchone()
    return int(row[0]) if row and isinstance(row[0], int) else 0


def _temp_store(conn: Connection, where: str) -> None:
    """SQLite: where this connection keeps its temporary tables and statement journals.

    An INSERT of a segment's members inside the batch's transaction journals the former
    content of every page it changes, so that the statement alone can be undone (a
    foreign key or a unique index may refuse a row): a page of `ix_memberships_contact`
    for nearly every new stay, 30 GB in 4 KB writes to a temporary file over the first
    refresh of the benchmark's 1,000 segments at 1M contacts. In memory, a statement's
    journal is the 10-30 MB it needs while it runs. Set outside any transaction (SQLite
    refuses it inside one) and before the worker makes a temporary table: a change of
    place drops the connection's temporary tables."""
    _sqlite_pragma(conn, f"temp_store = {where}")


class _Worker:
    """One connection and its lists, used by one batch at a time."""

    def __init__(self, db: Database, conn: Connection, turns: whole_refresh.RunTurns
                 ) -> None:
        self.db = db
        self.conn = conn
        self.turns = turns
        self.sqlite = conn.dialect.name == "sqlite"
        self.checkpoint_pages = 0
        if self.sqlite:
            _temp_store(conn, "MEMORY")
            self.checkpoint_pages = _sqlite_pragma(conn, "wal_autocheckpoint")
            _sqlite_pragma(conn, f"wal_autocheckpoint = {_RUN_CHECKPOINT_PAGES}")
        self.check_lists = whole_refresh.SharedLists(conn, for_checks=True)
        self.write_lists = whole_refresh.SharedLists(conn, turns)

    def close(self) -> None:
        with suppress(SQLAlchemyError):  # a connection already broken has none
            self.check_lists.drop()
            self.write_lists.drop()
            self.conn.commit()
        if self.sqlite:  # the pool's next user gets SQLite's defaults back
            with suppress(SQLAlchemyError, self.conn.dialect.loaded_dbapi.Error):
                _temp_store(self.conn, "DEFAULT")
                # The run's last batches copied into the database now, not by whoever
                # commits next (a save would wait for up to 256 MB).
                _sqlite_pragma(self.conn, "wal_checkpoint(PASSIVE)")
                _sqlite_pragma(self.conn, f"wal_autocheckpoint = {self.checkpoint_pages}")
        self.conn.close()

    @contextmanager
    def transaction(self, *, writing: bool) -> Iterator[Connection]:
        """A transaction of this worker's connection: a write takes SQLite's write lock
        at its start (BEGIN IMMEDIATE), a check does not."""
        self.conn.execution_options(**{WRITE_OPTION: writing})
        # Tracked as a write either way: leaving a screen does not stop a refresh the
        # user asked for, only quitting does (data/db/running.py).
        with busy_is_clear(), self.conn.begin(), self.db.running.track(self.conn,
                                                                        writing=True):
            yield self.conn

    def check(self, batch: whole_refresh.Batch, owed: frozenset[int], today: date
              ) -> tuple[dict[int, RefreshResult], list[int]]:
        """(the segments that need no writing: their results, the rest in batch order)."""
        ids = [s for s in batch.segment_ids if s not in owed]
        if not ids:
            return {}, list(batch.segment_ids)
        unchanged: dict[int, RefreshResult] = {}
        with self.transaction(writing=False) as conn:
            found = refresh.standings(conn, ids)
            # Never evaluated (nothing made by the rule): the write step adds its matches
            # in one statement, no check needed (nor its copy of the contacts).
            ids = [s for s in ids if s in found and found[s].made]
            if ids:
                checked = replace(batch, segment_ids=tuple(ids))
                with whole_refresh.SharedReads(conn, today, self.check_lists
                                               ).active(checked) as shared:
                    # PostgreSQL aborts the transaction with a refused statement: each
                    # check in a savepoint there. SQLite's transaction goes on, and 1,000
                    # savepoints cost the unchanged refresh about 4 s at 1M (P9).
                    alone = (conn.begin_nested if conn.dialect.name == "postgresql"
                             else nullcontext)
                    for segment_id in ids:
                        try:
                            with alone():
                                result = refresh.check_segment(
                                    conn, segment_id, found[segment_id], now=clock.now(),
                                    today=today, shared=shared)
                        except evaluation.FAILURES:
                            # Its write fails again and records why (C20.7.4).
                            self.check_lists.drop()
                            continue
                        if result is not None:
                            unchanged[segment_id] = result
        return unchanged, [s for s in batch.segment_ids if s not in unchanged]

    def write(self, batch: whole_refresh.Batch, unchanged: dict[int, RefreshResult],
              changing: Sequence[int], today: date, user: CurrentUser | None
              ) -> list[RefreshResult]:
        """Refresh `changing` under the refresh lock and stamp the unchanged evaluated:
        the batch's results, in its order."""
        from segtui.data.writes import changes, segment_writes

        written: dict[int, RefreshResult] = {}
        with self.transaction(writing=True) as conn:
            if changing:
                self.write_lists.start_batch(self.turns.draw(conn))
                part = replace(batch, segment_ids=tuple(changing))
                # SQLite: the batch's new stays counted for the cards once, at its end (a
                # contact joining 3 of its segments is written once, not 3 times), while
                # the batch's page cache is still large.
                with whole_refresh.SharedReads(conn, today, self.write_lists
                                               ).active(part) as shared, \
                        stays.counted_after(conn):
                    for segment_id in changing:
                        pending.claim_segment(conn, segment_id)
                        result = None
                        # One whose rule fails does so alone, recorded (C20.7.4).
                        with evaluation.failing_alone(conn, segment_id, clock.now, [],
                                                      forget=self.write_lists.drop):
                            result = refresh.refresh_segment(
                                conn, segment_id, now=clock.now(), today=today,
                                shared=shared)
                        if result is None:
                            continue
                        if user is not None:  # on its timeline, which records the change
                            segment_writes.log_refresh(conn, result, user, clock.now(),
                                                       "on request")
                        else:
                            changes.record_refreshed(conn, [result])
                        written[segment_id] = result
            for result in unchanged.values():
                evaluation.stamp_evaluated(conn, result.segment_id, result.evaluated_at,
                                           result.elapsed_ms)
        return [r for s in batch.segment_ids
                if (r := unchanged.get(s) or written.get(s)) is not None]


def run(db: Database, batches: Sequence[whole_refresh.Batch], owed: frozenset[int],
        today: date, user: CurrentUser | None) -> list[RefreshResult]:
    """Refresh these batches (in layers, see the module docstring): every result, in the
    batches' order. The first failure stops the run (batches already committed stay) and
    is raised."""
    count = (POSTGRESQL_WORKERS if db.engine.dialect.name == "postgresql" and db.can_split
             else 1)
    turns = whole_refresh.RunTurns()
    workers = [_Worker(db, db.stamped(db.writer.connect()), turns) for _ in range(count)]
    free: SimpleQueue[_Worker] = SimpleQueue()
    for worker in workers:
        free.put(worker)
    failed = threading.Event()

    def one(batch: whole_refresh.Batch) -> list[RefreshResult]:
        if failed.is_set():
            return []
        worker = free.get()
        try:
            unchanged, changing = worker.check(batch, owed, today)
            return worker.write(batch, unchanged, changing, today, user)
        except BaseException:
            failed.set()
            raise
        finally:
            free.put(worker)

    results: list[RefreshResult] = []
    try:
        if count == 1:
            for batch in batches:
                results += one(batch)
            return results
        with ThreadPoolExecutor(count, thread_name_prefix="segtui-refresh") as pool:
            for _, layer in itertools.groupby(batches, key=lambda b: b.layer):
                # Each task in a copy of the caller's context: the scope its statements
                # run for (core/cancel.py), which a thread of the pool would not have.
                results += _gathered([pool.submit(in_this_context(one), b) for b in layer])
        return results
    finally:
        for worker in workers:
            worker.close()


def _gathered(futures: list[Future[list[RefreshResult]]]) -> list[RefreshResult]:
    """Every future's results in order, once all are done; the first error raised."""
    results: list[RefreshResult] = []
    error: BaseException | None = None
    for future in futures:
        try:
            results += future.result()
        except BaseException as problem:  # wait for the rest, then raise the first
            error = error or problem
    if error is not None:
        raise error
    return results
