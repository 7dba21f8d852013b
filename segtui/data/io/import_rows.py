"""The statements that write one batch of imported contacts (data/io/importer.py): new
contacts inserted (PostgreSQL through a staging table), matched ones updated, and their
tags added.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, select, text

from segtui.core.contact_keys import MatchKey, email_key
from segtui.core.enums import LeadStatus
from segtui.core.formats.contact_fields import Field
from segtui.core.formats.contacts_csv import ContactIn
from segtui.data.db.bulk import copy_rows, insert_values, update_by_id
from segtui.data.db.tables import Contact, contact_tags
from segtui.data.io.import_lookups import Lookups, reserve_ids

# Contact columns filled directly from a field (company and tags have their own tables).
_COLUMNS: dict[Field, str] = {
    Field.NAME: "name", Field.EMAIL: "email", Field.PHONE: "phone", Field.TITLE: "title",
    Field.STATUS: "lead_status", Field.LIFECYCLE: "lifecycle_stage", Field.SOURCE: "source",
    Field.CITY: "city", Field.STATE: "state", Field.COUNTRY: "country",
    Field.REGION: "region", Field.QUALITY: "quality_score", Field.CREATED: "created_at",
    Field.LAST_CONTACTED: "last_contacted_at", Field.EXTERNAL_ID: "external_id",
}


def _row_values(contact: ContactIn, lookups: Lookups) -> dict[str, Any]:
    """The columns a row fills in (its non-empty cells)."""
    # Over the row's cells, not every column: a row fills a few (C21.1.13).
    values = {column: value for f, value in contact.values.items()
              if value is not None and (column := _COLUMNS.get(f)) is not None}
    if contact.values.get(Field.COMPANY) is not None:
        values["company_id"] = lookups.company_id(contact.values[Field.COMPANY])
    return values


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


def insert_contacts(conn: Connection, inserts: list[ContactIn], lookups: Lookups, now: datetime,
            email_keys: list[str | None]) -> tuple[list[int], list[bool]]:
    """Insert the new contacts: their ids, and for each whether it went in (False: its
    email or external id was added by another import meanwhile; PostgreSQL only).
    PostgreSQL: the tags of those that went in too (SQLite: add_tags)."""
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
    + f", version = c.version + s.bumps FROM {_UPDATE_STAGE} s WHERE c.id = s.id AND ("
    # ... only where a value changes: no new row version, no WAL, the version kept
    + " OR ".join(f"COALESCE(s.{column}, c.{column}) IS DISTINCT FROM c.{column}"
                  for column in _UPDATED) + ")")
# And the tags rows add to existing contacts: those a contact has already are skipped.
_TAG_STAGE = "segtui_import_tags"
_TAG_STAGE_SQL = (f"CREATE TEMPORARY TABLE IF NOT EXISTS {_TAG_STAGE} ON COMMIT DROP "
                  "AS SELECT contact_id, tag_id FROM contact_tags WITH NO DATA")
_FROM_TAG_STAGE_SQL = (f"INSERT INTO contact_tags (contact_id, tag_id) SELECT contact_id, "
                       f"tag_id FROM {_TAG_STAGE} ON CONFLICT DO NOTHING")


def update_contacts(conn: Connection, updates: list[tuple[ContactIn, int]], lookups: Lookups,
            match: MatchKey) -> None:
    """Fill in each row's non-empty cells: an empty cell never erases what segtui has.
    Several rows for one contact apply in order (the last one filling a cell wins), and its
    version goes up once per row that fills a cell.

    Only what differs from the contact is written. A contact the rows leave as it was is
    not written at all, and keeps its version (importing a file again changes nothing).
    On SQLite each row's statement sets only the columns it changes: an indexed column set
    to its own value still rewrites its index entries (10,000 contacts' titles updated in
    0.15-0.20 s, with their unchanged names, statuses and companies set too in 0.46-0.54 s;
    C21.1.13, docs/benchmarks.md). PostgreSQL compares values itself (`_staged_update`)."""
    merged: dict[int, tuple[dict[str, Any], list[int]]] = {}  # id -> (values, [rows])
    for contact, contact_id in updates:
        values = _row_values(contact, lookups)
        if match is MatchKey.EMAIL:
            values.pop("email", None)  # what it was matched by
        elif "email" in values:  # a new email for the contact, with its identity
            values["email_key"] = email_key(values["email"])
        if values:
            held, rows = merged.setdefault(contact_id, ({}, [0]))
            held.update(values)
            rows[0] += 1
    if not merged:
        return
    if conn.dialect.name == "postgresql":
        _staged_update(conn, merged)
        return
    current = _current(conn, merged)
    # The contacts by the columns they change (in the order the rows name them): one
    # statement per group, each row (the new values, the version's bump, the id).
    groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for contact_id, (values, rows) in merged.items():
        now = current[contact_id]  # the import holds SQLite's write lock: none went away
        changed = [c for c, v in values.items() if now[c] != v]
        if changed:
            groups.setdefault(tuple(changed), []).append(
                (*(values[c] for c in changed), rows[0], contact_id))
    for columns, params in groups.items():
        update_by_id(conn, Contact.__table__, columns, params, added=("version",))


def _current(conn: Connection, merged: dict[int, tuple[dict[str, Any], list[int]]]
             ) -> dict[int, dict[str, Any]]:
    """SQLite: what the contacts hold now in the columns the rows fill, by id."""
    filled = sorted({column for values, _ in merged.values() for column in values})
    # The ids as one JSON parameter: an IN list of 2,000 was compiled again for every
    # batch, 2,000 parameters named one by one (C21.1.13). Fetched at once.
    table = Contact.__table__
    found = conn.execute(text(
        f"SELECT id, {', '.join(filled)} FROM contacts "
        "WHERE id IN (SELECT value FROM json_each(:ids))").columns(
            table.c.id, *(table.c[c] for c in filled)),  # typed as the columns are
        {"ids": json.dumps(list(merged))}).all()
    return {row[0]: dict(zip(filled, row[1:], strict=True)) for row in found}


def _staged_update(conn: Connection,
                   merged: dict[int, tuple[dict[str, Any], list[int]]]) -> None:
    """PostgreSQL: `update_contacts`'s changes as one UPDATE ... FROM the staging table,
    which leaves alone a contact whose values the rows don't change."""
    _stage(conn, _UPDATE_STAGE_SQL, _UPDATE_STAGE, _UPDATE_COLUMNS,
           ([target, rows[0], *map(values.get, _UPDATED)]
            for target, (values, rows) in merged.items()), Contact.__table__)
    conn.exec_driver_sql(_FROM_UPDATE_STAGE_SQL)


def add_tags(conn: Connection, rows: list[tuple[int, ContactIn]], lookups: Lookups,
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
