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
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, bindparam, func, select, text, update

from segtui.core.contact_keys import MatchKey, email_key
from segtui.core.enums import LeadStatus
from segtui.core.formats.contact_fields import Field
from segtui.core.formats.contacts_csv import ContactIn, RowProblem
from segtui.core.formatting import plural
from segtui.core.imports import ImportReport, OnDuplicate
from segtui.data.db.bulk import copy_rows, indexes_rebuilt_after, insert_rows, insert_values
from segtui.data.db.sql import insert_unless_present
from segtui.data.db.tables import Company, Contact, Tag, contact_tags, name_key
from segtui.data.derived import completeness, figures
from segtui.data.io.contact_matching import Key, Matcher, RowKeys

BATCH = 2_000
T = TypeVar("T")


# Contact columns filled directly from a field (company and tags have their own tables).
_COLUMNS: dict[Field, str] = {
    Field.NAME: "name", Field.EMAIL: "email", Field.PHONE: "phone", Field.TITLE: "title",
    Field.STATUS: "lead_status", Field.LIFECYCLE: "lifecycle_stage", Field.SOURCE: "source",
    Field.CITY: "city", Field.STATE: "state", Field.COUNTRY: "country",
    Field.REGION: "region", Field.QUALITY: "quality_score", Field.CREATED: "created_at",
    Field.LAST_CONTACTED: "last_contacted_at", Field.EXTERNAL_ID: "external_id",
}


class _Lookups:
    """Companies and tags by case-folded name, loaded once and grown as rows add them."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        # name -> (id, has a size, has an industry): a company's blanks are filled once.
        self.companies: dict[str, tuple[int, bool, bool]] = {}
        # name -> every company of that name (older databases may spell one several ways):
        # `--match name+company` looks for a person at any of them.
        self.company_ids: dict[str, list[int]] = {}
        for cid, name, size, industry in conn.execute(
                select(Company.id, Company.name, Company.size, Company.industry)
                .order_by(Company.id)):
            key = name.strip().casefold()
            self.companies.setdefault(key, (cid, size is not None, industry is not None))
            self.company_ids.setdefault(key, []).append(cid)
        self.tags = {key: tid for tid, key in conn.execute(select(Tag.id, Tag.name_key))}
        self.spelled: dict[str, int] = {}  # a tag as the file spells it -> its id
        self.company_keys: dict[str, str] = {}  # a company as the file spells it -> key
        self.arrays: dict[tuple[str, ...], str] = {}  # a row's tags -> tag_array's text

    def prepare_companies(self, rows: list[ContactIn]) -> None:
        """Create the batch's new companies in one statement and fill in blanks (size,
        industry) of existing ones; an existing size or industry is never overwritten."""
        new: dict[str, dict[str, object]] = {}
        fills: dict[int, dict[str, object]] = {}
        for contact in rows:
            name = contact.values.get(Field.COMPANY)
            if not isinstance(name, str):
                continue
            key = self.key(name)
            size = contact.values.get(Field.COMPANY_SIZE)
            industry = contact.values.get(Field.INDUSTRY)
            known = self.companies.get(key)
            if known is None:
                entry = new.setdefault(key, {"name": name, "size": None, "industry": None})
                entry["size"] = entry["size"] or size
                entry["industry"] = entry["industry"] or industry
                continue
            company_id, has_size, has_industry = known
            if size is not None and not has_size:
                fills.setdefault(company_id, {})["size"] = size
                has_size = True
            if industry is not None and not has_industry:
                fills.setdefault(company_id, {})["industry"] = industry
                has_industry = True
            self.companies[key] = (company_id, has_size, has_industry)
        if new:
            ids = reserve_ids(self.conn, "companies", len(new))
            insert_rows(self.conn, Company.__table__,  # COPY on PostgreSQL
                        [{"id": i, **entry} for i, entry in zip(ids, new.values(), strict=True)])
            for key, new_id in zip(new, ids, strict=True):
                self.companies[key] = (new_id, new[key]["size"] is not None,
                                       new[key]["industry"] is not None)
                self.company_ids[key] = [new_id]
        for company_id, values in fills.items():
            self.conn.execute(update(Company).where(Company.id == company_id).values(values))

    def company_id(self, name: object) -> int | None:
        return self.companies[self.key(name)][0] if isinstance(name, str) else None

    def key(self, name: str) -> str:
        """A company's name as looked up (case-folded), worked out once per spelling: a
        file names each of its companies many times."""
        found = self.company_keys.get(name)
        if found is None:
            found = self.company_keys[name] = name.strip().casefold()
        return found

    def tag_array(self, tags: object) -> str | None:
        """PostgreSQL: a row's tags as the text of an integer[] of their ids (distinct,
        in order) for COPY, or None. Built once per spelling of a row's tags: most files
        repeat a few ("VIP", "Webinar; Trial") many times, and the literal passes
        through COPY as it is, where a list would be converted element by element."""
        if not isinstance(tags, list) or not tags:
            return None
        spelled = tuple(tags)
        found = self.arrays.get(spelled)
        if found is None:
            found = self.arrays[spelled] = (
                "{" + ",".join(map(str, sorted({self.tag(t) for t in tags}))) + "}")
        return found

    def tag(self, name: str) -> int:
        found = self.spelled.get(name)  # most files spell each tag one way, many times
        if found is None:
            key = name_key(name)
            found = self.tags.get(key)
            if found is None:
                # Another import may create the same tag meanwhile (PostgreSQL): take
                # theirs rather than fail on the unique name.
                found = self.conn.execute(
                    insert_unless_present(self.conn, Tag, {"name": name, "name_key": key},
                                          ["name_key"]).returning(Tag.id)
                ).scalar_one_or_none()
                if found is None:
                    found = self.conn.execute(select(Tag.id).where(Tag.name_key == key)
                                              ).scalar_one()
                self.tags[key] = found
            self.spelled[name] = found
        return found


def _row_values(contact: ContactIn, lookups: _Lookups) -> dict[str, Any]:
    """The columns a row fills in (its non-empty cells)."""
    values: dict[str, Any] = {}
    for f, column in _COLUMNS.items():
        if f in contact.values and contact.values[f] is not None:
            values[column] = contact.values[f]
    if contact.values.get(Field.COMPANY) is not None:
        values["company_id"] = lookups.company_id(contact.values[Field.COMPANY])
    return values


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
    lookups = _Lookups(conn)
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

    writer = _Writer(conn, lookups, report, now, list_limit, on_duplicate, first_new_id,
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


def _import_batch(conn: Connection, batch: list[ContactIn], writer: _Writer) -> None:
    """Match one batch's rows with the contacts (by the import's key: the email unless
    --match says otherwise), then insert, update, skip or reject each row as
    `on_duplicate` says."""
    matcher = writer.matcher
    rows = [(contact, matcher.keys(contact)) for contact in batch]
    matcher.clear()
    matcher.look_up(rows)
    for contact, keys in rows:
        marks = keys.marks()
        if writer.pending and not writer.pending.isdisjoint(marks):
            writer.flush()  # a value of an earlier row not written yet: write it first
        writer.place(contact, keys, marks)
    writer.flush()


# PostgreSQL: imports matching by a key the database doesn't hold unique (a name at a
# company, a phone) take turns (a transaction-level advisory lock), so two at once can't
# both add the same person; email and external id imports run side by side, held by their
# unique indexes.
_IMPORT_LOCK = 0x5E67_7502


def serialise_imports(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _IMPORT_LOCK})


def nameless(contact: ContactIn, key: str | None = None) -> RowProblem:
    """Why a row without a name that matches no contact is rejected (I16.17): it
    would create a contact, and every contact needs a name. `key`: what it was looked for
    by, when not the email ("Record ID '103'")."""
    if key is not None:
        why = f"is empty: no contact has {key}, and a new contact needs a name"
    elif contact.email:
        why = f"is empty: no contact has {contact.email!r}, and a new contact needs a name"
    else:
        why = "is empty; every contact needs a name"
    return RowProblem(contact.line, contact.name_column, why)


# A large import into SQLite drops the contacts table's secondary indexes once it has
# added this many contacts, and a quarter as many as the table had (see _bulk_load).
REINDEX_AFTER = 50_000


@contextmanager
def _bulk_load(conn: Connection, first_new_id: int, keep: Sequence[str],
               analysed: Sequence[str]) -> Iterator[Callable[[int], None]]:
    """SQLite: the row-by-row upkeep a large import can defer to one pass at its end, all
    inside the import's transaction (a failed import rolls the drops back with the rest):

    - `filled_fields` of the new contacts (completeness.filled_in_one_pass), then their
      rows of `contact_figures` (figures.copied_after);
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


class _Writer:
    """One batch's pending inserts and updates, written together by `flush`."""

    matcher: Matcher
    headers: dict[Field, str]

    def __init__(self, conn: Connection, lookups: _Lookups, report: ImportReport,
                 now: datetime, list_limit: int, on_duplicate: OnDuplicate,
                 first_new_id: int, on_reject: Callable[[list[RowProblem]], None] | None
                 ) -> None:
        self.conn, self.lookups, self.report = conn, lookups, report
        self.now, self.list_limit = now, list_limit
        self.on_duplicate, self.first_new_id, self.on_reject = (on_duplicate, first_new_id,
                                                                on_reject)
        self.inserts: list[tuple[ContactIn, RowKeys]] = []
        self.updates: list[tuple[ContactIn, int]] = []
        self.pending: set[tuple[str, Key]] = set()  # keys and unique values of `inserts`

    def place(self, contact: ContactIn, keys: RowKeys, marks: list[tuple[str, Key]]
              ) -> None:
        """Decide a row: update (skip, reject) the contact it matches, or insert it."""
        match = self.matcher.match
        if keys.match is None and match is not MatchKey.EMAIL:
            column = self.headers[_KEY_FIELD[match]]
            if match is MatchKey.NAME_COMPANY:
                column = (contact.name_column if not contact.values.get(Field.NAME)
                          else self.headers[Field.COMPANY])
            self.reject([RowProblem(contact.line, column,
                                    f"is empty; --match {match.value} finds the contact "
                                    "by it")])
            return
        found = self.matcher.found.get(keys.match, ()) if keys.match is not None else ()
        if len(found) > 1:
            ids = ", ".join(map(str, found))
            self.reject([RowProblem(contact.line, self.headers[_KEY_FIELD[match]],
                                    f"matches {plural(len(found), 'contact')} ({ids}): merge "
                                    "them "
                                    "(segtui contacts merge) or match by another key")])
        elif found:
            self.duplicate(contact, keys, found[0])
        elif not contact.values.get(Field.NAME):  # update-only row matching no contact
            field = _KEY_FIELD[match]
            self.reject([nameless(contact, None if match is MatchKey.EMAIL else
                                  f"{self.headers[field]} {contact.values.get(field)!r}")])
        elif not self._taken(contact, keys, None):
            self.inserts.append((contact, keys))
            self.pending.update(marks)

    def _taken(self, contact: ContactIn, keys: RowKeys, target: int | None) -> bool:
        """Reject the row if it would give another contact than `target` (None: a new one)
        an email or external id a contact already has; the database keeps them unique."""
        taken = self.matcher.taken(keys, target)
        if taken is None:
            return False
        kind, holder = taken
        field = Field.EMAIL if kind == "email" else Field.EXTERNAL_ID
        shown = contact.email if kind == "email" else keys.external
        self.reject([RowProblem(contact.line, self.headers[field],
                                f"{shown!r} is already used by contact {holder}")])
        return True

    def duplicate(self, contact: ContactIn, keys: RowKeys, match: int) -> None:
        """A row whose key contact `match` has: update it, skip the row or reject it."""
        if self.on_duplicate is OnDuplicate.UPDATE:
            if not self._taken(contact, keys, match):
                self.updates.append((contact, match))
                self.matcher.added(keys, match)  # it holds the row's values now
        elif self.on_duplicate is OnDuplicate.SKIP:
            self.report.skipped += 1
        else:
            where = ("an earlier line of this file" if match >= self.first_new_id
                     else f"contact {match}")
            key_field = _KEY_FIELD[self.matcher.match]
            value = (contact.email if key_field is Field.EMAIL
                     else contact.values.get(key_field))
            if self.matcher.match is MatchKey.NAME_COMPANY:
                value = f"{contact.values.get(Field.NAME)} at {contact.values.get(Field.COMPANY)}"
            self.reject([RowProblem(contact.line, self.headers[key_field],
                                    f"{value!r} is already used by {where}")])

    def reject(self, problem: list[RowProblem]) -> None:
        self.report.reject(problem)
        if self.on_reject:
            self.on_reject(problem)

    def flush(self) -> None:
        contacts = [c for c, _ in self.inserts]
        self.lookups.prepare_companies([*contacts, *(c for c, _ in self.updates)])
        ids, went_in = _insert(self.conn, contacts, self.lookups, self.now,
                               [k.email for _, k in self.inserts])
        inserted: list[tuple[int, ContactIn]] = []
        late: list[tuple[ContactIn, RowKeys]] = []
        for new_id, row, ok in zip(ids, self.inserts, went_in, strict=True):
            if ok:
                inserted.append((new_id, row[0]))
                self.matcher.added(row[1], new_id)
            else:
                late.append(row)
        self.pending = set()
        if late:
            self._arrived_meanwhile(late)
        _update(self.conn, self.updates, self.lookups, self.matcher.match)
        if self.conn.dialect.name != "postgresql":  # PostgreSQL: added by _insert
            _add_tags(self.conn, inserted, self.lookups, new=True)
        _add_tags(self.conn, [(cid, c) for c, cid in self.updates], self.lookups, new=False)
        self.report.added += len(inserted)
        self.report.updated += len(self.updates)
        self.report.changed([*(i for i, _ in inserted), *(cid for _, cid in self.updates)],
                            self.list_limit)
        self.inserts, self.updates = [], []

    def _arrived_meanwhile(self, late: list[tuple[ContactIn, RowKeys]]) -> None:
        """Rows another import's contact took the email or external id of after this batch
        looked (PostgreSQL: the insert waited for that import's commit, then skipped them).
        Looked up again and decided like any other row, except that none is inserted."""
        self.matcher.look_up(late)
        for contact, keys in late:
            found = self.matcher.found.get(keys.match, ()) if keys.match is not None else ()
            if len(found) == 1:
                self.duplicate(contact, keys, found[0])
            elif not self._taken(contact, keys, None):
                self.reject([RowProblem(contact.line, "", "another import changed its contact "
                                        "while this one ran; import the row again")])


# The field each match key reads (for messages).
_KEY_FIELD = {MatchKey.EMAIL: Field.EMAIL, MatchKey.NAME_COMPANY: Field.NAME,
              MatchKey.PHONE: Field.PHONE, MatchKey.EXTERNAL_ID: Field.EXTERNAL_ID}


def reserve_ids(conn: Connection, table: str, count: int) -> list[int]:
    """Ids for `count` new rows of `table` (contacts or companies), taken before inserting
    them, so the insert needs no RETURNING: with RETURNING in parameter order,
    SQLAlchemy inserts SQLite rows one statement at a time (100,000 executes for 100,000
    rows, measured).

    SQLite: the next ids after the largest, safe because the import holds the database's
    write lock (BEGIN IMMEDIATE) until it commits. PostgreSQL: values drawn from the
    column's own sequence, so concurrent writers never collide."""
    if count == 0:
        return []
    if conn.dialect.name == "postgresql":  # one row holding them all; the sequence is
        # looked up once, not per value: OFFSET 0 keeps the planner from pulling the
        # subquery up into the call, which looked the sequence up by name for every id
        # (5.5 -> 0.7 us an id, docs/benchmarks.md, "PostgreSQL imports at ...")
        return list(conn.execute(
            text("SELECT array_agg(nextval(q.seq)) FROM generate_series(1, :n), "
                 "(SELECT pg_get_serial_sequence(:t, 'id')::regclass AS seq OFFSET 0) q"),
            {"t": table, "n": count}).scalar_one())
    last = int(conn.execute(text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar_one())
    return list(range(last + 1, last + 1 + count))


# Every new contact fills these columns (None where the row has no value); one column
# list for all rows lets a whole batch go out as one multi-row INSERT (data/db/bulk.py).
_INSERT_COLUMNS = ("id", "company_id", *_COLUMNS.values(), "email_key")
# PostgreSQL: a batch's new contacts are COPied into this TEMP table (the session's own,
# dropped at the commit or rollback), each with the ids of its tags, then inserted from
# it in one statement that also inserts their tags. A row whose email another import
# added after our batch looked it up is not inserted (the statement waits for that
# import to commit, then skips it), nor are its tags; RETURNING says which rows went in.
# SQLite needs neither: the import holds the only write lock, so its lookups see every
# contact there is.
_STAGE = "segtui_import_contacts"
_STAGED_COLUMNS = ", ".join(_INSERT_COLUMNS)
_STAGE_SQL = (f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGE} ON COMMIT DROP AS "
              f"SELECT {_STAGED_COLUMNS}, NULL::integer[] AS tag_ids FROM contacts "
              "WITH NO DATA")
# The tags go in the same statement as their contacts: one COPY a batch instead of two,
# and no second statement that needs the first one's answer (which rows went in).
_FROM_STAGE_SQL = (f"WITH added AS (INSERT INTO contacts ({_STAGED_COLUMNS}) "
                   f"SELECT {_STAGED_COLUMNS} FROM {_STAGE} "
                   "ON CONFLICT DO NOTHING RETURNING id), "
                   "tagged AS (INSERT INTO contact_tags (contact_id, tag_id) "
                   f"SELECT s.id, t.tag_id FROM {_STAGE} s JOIN added USING (id) "
                   "CROSS JOIN LATERAL unnest(s.tag_ids) AS t(tag_id)) "
                   "SELECT count(*) FROM added")
# The staged rows the insert skipped: their ids came from the sequence, so no other
# contact has them.
_SKIPPED_SQL = (f"SELECT s.id FROM {_STAGE} s "
                "WHERE NOT EXISTS (SELECT FROM contacts c WHERE c.id = s.id)")


def _insert(conn: Connection, inserts: list[ContactIn], lookups: _Lookups, now: datetime,
            email_keys: list[str | None]) -> tuple[list[int], list[bool]]:
    """Insert the new contacts: their ids, and for each whether it went in (False: its
    email or external id was added by another import meanwhile; PostgreSQL only).
    PostgreSQL: the tags of those that went in too (SQLite: _add_tags)."""
    ids = reserve_ids(conn, "contacts", len(inserts))
    fields = list(_COLUMNS)
    # What a new contact gets for an empty cell (the rest stay NULL), by position in a
    # row: id and company_id come first.
    defaults = [(2 + fields.index(f), value) for f, value in
                ((Field.STATUS, LeadStatus.NEW), (Field.QUALITY, 50), (Field.CREATED, now))]
    company_id = lookups.company_id
    rows: list[list[Any]] = []
    for new_id, contact, key in zip(ids, inserts, email_keys, strict=True):
        values = contact.values
        row = [new_id, company_id(values.get(Field.COMPANY)), *map(values.get, fields), key]
        for index, value in defaults:
            if row[index] is None:
                row[index] = value
        rows.append(row)
    table = Contact.__table__
    if conn.dialect.name != "postgresql":
        insert_values(conn, table, _INSERT_COLUMNS, rows)
        return ids, [True] * len(ids)
    for row, contact in zip(rows, inserts, strict=True):
        row.append(lookups.tag_array(contact.values.get(Field.TAGS)))
    skipped = _staged_insert(conn, table, rows)
    return ids, [i not in skipped for i in ids]


def _staged_insert(conn: Connection, table: Table, rows: list[list[Any]]) -> set[int]:
    """PostgreSQL: insert rows of _INSERT_COLUMNS and tag_ids through the staging table
    (COPY, then one INSERT ... SELECT ... ON CONFLICT DO NOTHING): the ids of the rows it
    skipped. A multi-row INSERT of 2,000 rows and 34,000 parameters is parsed and planned
    again for every batch; COPY streams the rows, and the INSERT from the staging table
    is one short statement (docs/benchmarks.md, "PostgreSQL imports with COPY")."""
    if not rows:
        return set()
    _stage(conn, _STAGE_SQL, _STAGE, (*_INSERT_COLUMNS, "tag_ids"), rows, table)
    if conn.exec_driver_sql(_FROM_STAGE_SQL).scalar_one() == len(rows):
        return set()  # all went in: the usual case
    return {int(i) for i in conn.exec_driver_sql(_SKIPPED_SQL).scalars()}


def _stage(conn: Connection, create: str, name: str, columns: Sequence[str],
           rows: Iterable[Sequence[Any]], types: Table) -> None:
    """PostgreSQL: make TEMP table `name` (statement `create`, once per transaction)
    hold just `rows`, COPied in."""
    conn.exec_driver_sql(create)
    conn.exec_driver_sql(f"TRUNCATE {name}")
    copy_rows(conn, name, columns, rows, types=types)


# PostgreSQL: a batch's updates go through a staging table too, one row per contact, then
# one UPDATE ... FROM it. A NULL leaves the contact's value: only a row's non-empty cells
# are written. `bumps`: how many of the batch's rows updated the contact (its version
# goes up by one for each, as when they were written one by one).
_UPDATED = tuple(column for column in _INSERT_COLUMNS if column != "id")
_UPDATE_STAGE = "segtui_import_updates"
_UPDATE_COLUMNS = ("id", "bumps", *_UPDATED)
_UPDATE_STAGE_SQL = (f"CREATE TEMPORARY TABLE IF NOT EXISTS {_UPDATE_STAGE} ON COMMIT DROP "
                     f"AS SELECT id, version AS bumps, {', '.join(_UPDATED)} FROM contacts "
                     "WITH NO DATA")
_FROM_UPDATE_STAGE_SQL = (
    "UPDATE contacts AS c SET "
    + ", ".join(f"{column} = COALESCE(s.{column}, c.{column})" for column in _UPDATED)
    + f", version = c.version + s.bumps FROM {_UPDATE_STAGE} s WHERE c.id = s.id")
# And the tags rows add to existing contacts: those a contact has already are skipped.
_TAG_STAGE = "segtui_import_tags"
_TAG_STAGE_SQL = (f"CREATE TEMPORARY TABLE IF NOT EXISTS {_TAG_STAGE} ON COMMIT DROP "
                  "AS SELECT contact_id, tag_id FROM contact_tags WITH NO DATA")
_FROM_TAG_STAGE_SQL = (f"INSERT INTO contact_tags (contact_id, tag_id) SELECT contact_id, "
                       f"tag_id FROM {_TAG_STAGE} ON CONFLICT DO NOTHING")


def _update(conn: Connection, updates: list[tuple[ContactIn, int]], lookups: _Lookups,
            match: MatchKey) -> None:
    """Fill in each row's non-empty cells: an empty cell never erases what segtui has."""
    # (contact, its values) by the columns a row fills: one statement per group on SQLite
    groups: dict[frozenset[str], list[tuple[int, dict[str, Any]]]] = {}
    for contact, contact_id in updates:
        values = _row_values(contact, lookups)
        if match is MatchKey.EMAIL:
            values.pop("email", None)  # what it was matched by
        elif "email" in values:  # a new email for the contact, with its identity
            values["email_key"] = email_key(values["email"])
        if values:
            groups.setdefault(frozenset(values), []).append((contact_id, values))
    if conn.dialect.name == "postgresql":
        _staged_update(conn, groups)
        return
    for columns, changes in groups.items():
        statement = (update(Contact).where(Contact.id == bindparam("target"))
                     .values({c: bindparam(f"v_{c}") for c in columns}
                             | {"version": Contact.version + 1}))
        conn.execute(statement, [{**{f"v_{k}": v for k, v in values.items()},
                                  "target": contact_id} for contact_id, values in changes])


def _staged_update(conn: Connection,
                   groups: dict[frozenset[str], list[tuple[int, dict[str, Any]]]]) -> None:
    """PostgreSQL: `_update`'s statements as one UPDATE ... FROM the staging table. The
    groups are folded in the order their statements would run, so a contact two rows
    update ends up with what running them would leave."""
    merged: dict[int, tuple[dict[str, Any], list[int]]] = {}
    for changes in groups.values():
        for contact_id, values in changes:
            held, bumps = merged.setdefault(contact_id, ({}, [0]))
            held.update(values)
            bumps[0] += 1
    if not merged:
        return
    _stage(conn, _UPDATE_STAGE_SQL, _UPDATE_STAGE, _UPDATE_COLUMNS,
           ([target, bumps[0], *map(values.get, _UPDATED)]
            for target, (values, bumps) in merged.items()), Contact.__table__)
    conn.exec_driver_sql(_FROM_UPDATE_STAGE_SQL)


def _add_tags(conn: Connection, rows: list[tuple[int, ContactIn]], lookups: _Lookups,
              *, new: bool) -> None:
    """Add each row's tags to its contact (tags it already has stay; none are removed).
    `new`: the contacts were inserted by this batch, so they have no tags yet."""
    wanted: set[tuple[int, int]] = set()
    for contact_id, contact in rows:
        tags = contact.values.get(Field.TAGS)
        if isinstance(tags, list):
            wanted.update((contact_id, lookups.tag(t)) for t in tags)
    if not wanted:
        return
    if conn.dialect.name == "postgresql":
        if new:  # new contacts: no tag to collide with
            copy_rows(conn, contact_tags, ("contact_id", "tag_id"), sorted(wanted))
        else:
            _stage(conn, _TAG_STAGE_SQL, _TAG_STAGE, ("contact_id", "tag_id"), sorted(wanted),
                   contact_tags)
            conn.exec_driver_sql(_FROM_TAG_STAGE_SQL)
        return
    if not new:
        ids = {contact_id for contact_id, _ in wanted}
        wanted -= {(c, t) for c, t in conn.execute(
            select(contact_tags.c.contact_id, contact_tags.c.tag_id)
            .where(contact_tags.c.contact_id.in_(ids)))}
    insert_values(conn, contact_tags, ("contact_id", "tag_id"), sorted(wanted))
