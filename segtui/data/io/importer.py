"""Writing imported contacts (I6): batched, inside the caller's one transaction.

`segtui.core.formats.contacts_csv` reads and validates the rows; this module matches them with
existing contacts by email and inserts or updates them in batches, so a file of any size
streams through a bounded amount of memory. The caller owns the transaction: whatever
happens before it commits (an invalid file, Ctrl+C, a crash) leaves the database as it was.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from typing import TypeVar

from sqlalchemy import Connection, func, select

from segtui.core.contact_keys import MatchKey
from segtui.core.formats.contact_fields import Field
from segtui.core.formats.contacts_csv import ContactIn, RowProblem
from segtui.core.imports import ImportReport, OnDuplicate
from segtui.data.db import locks
from segtui.data.db.bulk import indexes_rebuilt_after
from segtui.data.db.tables import Contact
from segtui.data.derived import completeness, figures, plain_text
from segtui.data.io.contact_matching import Matcher
from segtui.data.io.import_lookups import Lookups
from segtui.data.io.import_writer import ImportWriter

BATCH = 2_000
T = TypeVar("T")


def batches(rows: Iterable[T]) -> Iterator[list[T]]:
    """The rows in lists of BATCH (read when called, so tests can shrink it), taken
    lazily: a file of any size streams."""
    it = iter(rows)
    while batch := list(islice(it, BATCH)):
        yield batch


def import_contacts(
    conn: Connection,
    rows: Iterable[ContactIn | list[RowProblem]],
    on_duplicate: OnDuplicate,
    now: datetime,
    *,
    match: MatchKey = MatchKey.EMAIL,
    headers: Mapping[Field, str] | None = None,
    on_reject: Callable[[list[RowProblem]], None] | None = None,
    on_batch: Callable[[ImportReport], None] | None = None,
    list_limit: int = 20_000,
) -> ImportReport:
    """Insert or merge every valid row; report the rest. A row whose key (`match`: its
    email by default) a contact already has follows `on_duplicate`, including a second
    row of the same file. `headers`: the file's name for each field, for messages."""
    report = ImportReport()
    if match in (MatchKey.NAME_COMPANY, MatchKey.PHONE):
        serialise_imports(conn)
    lookups = Lookups(conn)
    first_new_id = int(conn.execute(select(func.coalesce(func.max(Contact.id), 0)))
                       .scalar_one()) + 1

    def valid() -> Iterator[ContactIn]:
        for row in rows:
            if isinstance(row, ContactIn):
                report.rows += 1
                yield row
            elif row:  # problems (an empty list is a blank line)
                report.rows += 1
                report.reject(row)
                if on_reject:
                    on_reject(row)

    writer = ImportWriter(conn, lookups, report, now, list_limit, on_duplicate, first_new_id,
                     on_reject)
    writer.matcher = Matcher(conn, match, lookups.company_ids)
    writer.headers = {**{f: f.value for f in Field}, **(headers or {})}
    # The indexes each batch looks contacts up by stay through a bulk load (_bulk_load).
    looked_up = ("uq_contacts_email_key", "uq_contacts_external_id",
                 *(("ix_contacts_phone_key",) if match is MatchKey.PHONE else ()),
                 *(("ix_contacts_company_id",) if match is MatchKey.NAME_COMPANY else ()))
    # PostgreSQL: the columns the batches' statements find contacts by (_analysed).
    analysed = ("id", "email_key", "external_id",
                *(("phone",) if match is MatchKey.PHONE else ()),
                *(("name", "company_id") if match is MatchKey.NAME_COMPANY else ()))
    with _bulk_load(conn, first_new_id, looked_up, analysed) as after_batch:
        for batch in batches(valid()):
            _import_batch(conn, batch, writer)
            after_batch(report.added)
            if on_batch:
                on_batch(report)
    return report


def _import_batch(conn: Connection, batch: list[ContactIn], writer: ImportWriter) -> None:
    """Match one batch's rows with the contacts (by the import's key: the email unless
    --match says otherwise), then insert, update, skip or reject each row as
    `on_duplicate` says."""
    matcher = writer.matcher
    writer.lookups.load_companies(batch)  # the matcher's name+company keys need them
    rows = [(contact, matcher.keys(contact)) for contact in batch]
    matcher.clear()
    matcher.look_up(rows)
    for contact, keys in rows:
        marks = keys.marks()
        if writer.pending and not writer.pending.isdisjoint(marks):
            writer.flush()  # a value of an earlier row not written yet: write it first
        writer.place(contact, keys, marks)
    writer.flush()


def serialise_imports(conn: Connection) -> None:
    """PostgreSQL: imports matching by a key the database doesn't hold unique (a name at a
    company, a phone) take turns (locks.IMPORT); email and external id imports run side by
    side, held by their unique indexes."""
    locks.take(conn, locks.IMPORT)


# A large import into SQLite drops the contacts table's secondary indexes once it has
# added this many contacts, and a quarter as many as the table had (see _bulk_load).
REINDEX_AFTER = 50_000


@contextmanager
def _bulk_load(conn: Connection, first_new_id: int, keep: Sequence[str],
               analysed: Sequence[str]) -> Iterator[Callable[[int], None]]:
    """SQLite: the row-by-row upkeep a large import can defer to one pass at its end, all
    inside the import's transaction (a failed import rolls the drops back with the rest):

    - `filled_fields` of the new contacts (completeness.filled_in_one_pass), then their
      rows of `contact_figures` (figures.copied_after); their text flag
      (plain_text.flagged_in_one_pass);
    - the secondary indexes (name, email, city, state, company, phone) of contacts,
      dropped once the import has added REINDEX_AFTER contacts and a quarter of the
      table's size before,
      and rebuilt at the end: 4.5 us a row less to insert, 1.1 us a row of the whole
      table to rebuild (docs/benchmarks.md, "Ninth run"). Deciding on the rows already
      added needs no guess of the file's length; at worst (a file that ends just after the
      switch, so the table is at most five times what was added) the rebuild adds about
      5.5 us per added row, a third of the import's time. The indexes in `keep` stay:
      every batch looks contacts up by them (the unique email key, which also keeps one
      contact per email, the external id, and the match key's own).

    Yields the function to call after each batch with the contacts added so far.
    PostgreSQL: nothing is deferred; dropping an index or a trigger there locks the table
    against every reader until the commit. Statistics of the columns in `analysed` are
    kept instead (_analysed)."""
    if conn.dialect.name != "sqlite":
        with _analysed(conn, first_new_id, analysed) as after_batch:
            yield after_batch
        return
    contacts = Contact.__table__
    threshold = max(REINDEX_AFTER, (first_new_id - 1) // 4)  # largest id: ~ the size
    with contextlib.ExitStack() as deferred:
        # Left in reverse: the filled fields are counted first, then copied with the rest.
        deferred.enter_context(figures.copied_after(conn, first_new_id))
        deferred.enter_context(completeness.filled_in_one_pass(conn, first_new_id))
        deferred.enter_context(plain_text.flagged_in_one_pass(conn, first_new_id))

        def after_batch(added: int) -> None:
            nonlocal threshold
            if added >= threshold:
                threshold = sys.maxsize  # once
                deferred.enter_context(indexes_rebuilt_after(conn, contacts, keep=keep))

        yield after_batch


# PostgreSQL: a large import ANALYZEs contacts from this size up, each time it has doubled.
ANALYSE_FROM = 10_000


@contextmanager
def _analysed(conn: Connection, first_new_id: int, columns: Sequence[str]
              ) -> Iterator[Callable[[int], None]]:
    """PostgreSQL: ANALYZE contacts' `columns` inside the import as it grows the table
    (from ANALYSE_FROM contacts, each time it has doubled). Without statistics (a new
    database, a server whose autovacuum is off or hasn't run yet) the planner guesses
    that each email matches 0.5% of the contacts: a batch's lookup of 2,000 emails then
    reads the whole table, which is right while it holds 10,000 contacts, and the
    statement psycopg prepares after five batches keeps that plan as the import grows
    the table past a million (the multi-row INSERT path slowed down as it went:
    1,600-6,200 rows/s for 1,000,000 new contacts, docs/benchmarks.md, "PostgreSQL bulk
    loading"). The lookup now passes one array, whose generic plan uses the index
    whatever the statistics; they keep the other statements' plans right (the staged
    update's join by id). ANALYZE in a transaction sees the rows it wrote, samples at
    most 30,000 rows, and blocks no reader or writer; SKIP_LOCKED: another import
    analysing at the same time is left to it rather than waited for.

    Only the columns the import's own statements find contacts by: every column was
    0.27 s of CPU a time at 200,000 contacts, these 0.09 s, and a 200,000-row import
    analysed six times (docs/benchmarks.md, "PostgreSQL imports at ..."). The whole
    table, for the app, is analysed once after the commit (Store.transfer._import,
    bulk.refresh_statistics), which is why there is no ANALYZE at the end here."""
    size = first_new_id - 1  # the largest id: about the table's size
    target = max(2 * size, ANALYSE_FROM)
    statement = f"ANALYZE (SKIP_LOCKED) contacts ({', '.join(columns)})"

    def after_batch(added: int) -> None:
        nonlocal target
        if size + added >= target:
            conn.exec_driver_sql(statement)
            target = 2 * (size + added)

    yield after_batch
