"""Writing imported contacts (issue 6): batched, inside the caller's one transaction.

`segtui.core.importing` reads and validates the rows; this module matches them with
existing contacts by email and inserts or updates them in batches, so a file of any size
streams through a bounded amount of memory. The caller owns the transaction: whatever
happens before it commits (an invalid file, Ctrl+C, a crash) leaves the database as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from itertools import islice
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from segtui.core.enums import LeadStatus
from segtui.core.importing import ContactIn, Field, RowProblem
from segtui.core.refresh import RefreshResult
from segtui.data.models import Company, Contact, Tag, contact_tags

BATCH = 2_000
KEEP_PROBLEMS = 1_000  # rejected rows kept for the summary (all go to the rejects file)


class OnDuplicate(StrEnum):
    """What a row whose email a contact already has does (`--on-duplicate`)."""

    UPDATE = "update"  # fill in the row's non-empty cells; tags are added
    SKIP = "skip"
    ERROR = "error"  # the row is rejected


@dataclass
class ImportReport:
    rows: int = 0  # records read, header excluded, blank lines excluded
    added: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    problems: list[RowProblem] = field(default_factory=list)  # the first KEEP_PROBLEMS
    changed_ids: list[int] | None = field(default_factory=list)  # None: too many to list
    refreshed: list[RefreshResult] = field(default_factory=list)  # dynamic segments after

    def reject(self, problems: list[RowProblem]) -> None:
        self.rejected += 1
        room = KEEP_PROBLEMS - len(self.problems)
        if room > 0:
            self.problems.extend(problems[:room])

    def changed(self, ids: Iterable[int], limit: int) -> None:
        if self.changed_ids is not None:
            self.changed_ids.extend(ids)
            if len(self.changed_ids) > limit:
                self.changed_ids = None  # the caller re-evaluates every rule instead


# Contact columns filled directly from a field (company and tags have their own tables).
_COLUMNS: dict[Field, str] = {
    Field.NAME: "name", Field.EMAIL: "email", Field.PHONE: "phone", Field.TITLE: "title",
    Field.STATUS: "lead_status", Field.LIFECYCLE: "lifecycle_stage", Field.SOURCE: "source",
    Field.CITY: "city", Field.STATE: "state", Field.COUNTRY: "country",
    Field.REGION: "region", Field.QUALITY: "quality_score", Field.CREATED: "created_at",
    Field.LAST_CONTACTED: "last_contacted_at",
}


class _Lookups:
    """Companies and tags by case-folded name, loaded once and grown as rows add them."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.companies = {name.casefold(): cid for cid, name in
                          conn.execute(select(Company.id, Company.name).order_by(Company.id))}
        self.tags = {key: tid for tid, key in conn.execute(select(Tag.id, Tag.name_key))}

    def company(self, values: dict[Field, object]) -> int | None:
        name = values.get(Field.COMPANY)
        if not isinstance(name, str):
            return None
        key = name.casefold()
        found = self.companies.get(key)
        size, industry = values.get(Field.COMPANY_SIZE), values.get(Field.INDUSTRY)
        if found is None:
            found = self.conn.execute(
                insert(Company).values(name=name, size=size, industry=industry)
                .returning(Company.id)).scalar_one()
            self.companies[key] = found
        elif size is not None or industry is not None:
            # Fill what the company lacks; an existing size or industry is not overwritten.
            if size is not None:
                self.conn.execute(update(Company).where(Company.id == found,
                                                        Company.size.is_(None))
                                  .values(size=size))
            if industry is not None:
                self.conn.execute(update(Company).where(Company.id == found,
                                                        Company.industry.is_(None))
                                  .values(industry=industry))
        return found

    def tag(self, name: str) -> int:
        key = " ".join(name.split()).casefold()
        found = self.tags.get(key)
        if found is None:
            row = Tag(name=name)  # Tag keeps name_key in step with name
            found = self.conn.execute(
                insert(Tag).values(name=row.name, name_key=row.name_key).returning(Tag.id)
            ).scalar_one()
            self.tags[key] = found
        return found


def _row_values(contact: ContactIn, lookups: _Lookups, *, for_insert: bool,
                now: datetime) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for f, column in _COLUMNS.items():
        if f in contact.values and contact.values[f] is not None:
            values[column] = contact.values[f]
    if Field.COMPANY in contact.values and contact.values[Field.COMPANY] is not None:
        values["company_id"] = lookups.company(contact.values)
    if for_insert:
        values.setdefault("lead_status", LeadStatus.NEW)
        values.setdefault("quality_score", 50)
        values.setdefault("created_at", now)
    return values


def _batches(rows: Iterable[ContactIn], size: int) -> Iterator[list[ContactIn]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def import_contacts(
    conn: Connection,
    rows: Iterable[ContactIn | list[RowProblem]],
    on_duplicate: OnDuplicate,
    now: datetime,
    *,
    on_reject: Callable[[list[RowProblem]], None] | None = None,
    on_batch: Callable[[ImportReport], None] | None = None,
    list_limit: int = 20_000,
) -> ImportReport:
    """Insert or merge every valid row; report the rest. Rows whose email a contact
    already has follow `on_duplicate`, including a second row of the same file."""
    report = ImportReport()
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

    writer = _Writer(conn, lookups, report, now, list_limit)
    for batch in _batches(valid(), BATCH):
        emails = {c.email for c in batch if c.email}
        writer.existing = {}
        if emails:
            for contact_id, email in conn.execute(
                    select(Contact.id, Contact.email).where(Contact.email.in_(emails))
                    .order_by(Contact.id)):
                if email is not None:
                    writer.existing.setdefault(email, contact_id)
        for contact in batch:
            email = contact.email
            if email and email in writer.pending:
                writer.flush()  # the same email twice in one batch: write the first first
            if email and email in writer.existing:
                match = writer.existing[email]
                if on_duplicate is OnDuplicate.UPDATE:
                    writer.updates.append((contact, match))
                elif on_duplicate is OnDuplicate.SKIP:
                    report.skipped += 1
                else:
                    where = ("an earlier line of this file" if match >= first_new_id
                             else f"contact {match}")
                    problem = [RowProblem(contact.line, "Email",
                                          f"{email!r} is already used by {where}")]
                    report.reject(problem)
                    if on_reject:
                        on_reject(problem)
                continue
            writer.insert(contact)
        writer.flush()
        if on_batch:
            on_batch(report)
    return report


class _Writer:
    """One batch's pending inserts and updates, written together by `flush`."""

    def __init__(self, conn: Connection, lookups: _Lookups, report: ImportReport,
                 now: datetime, list_limit: int) -> None:
        self.conn, self.lookups, self.report = conn, lookups, report
        self.now, self.list_limit = now, list_limit
        self.existing: dict[str, int] = {}  # email -> contact id, for this batch's emails
        self.inserts: list[tuple[ContactIn, dict[str, Any]]] = []
        self.updates: list[tuple[ContactIn, int]] = []
        self.pending: set[str] = set()  # emails of `inserts`

    def insert(self, contact: ContactIn) -> None:
        self.inserts.append((contact, _row_values(contact, self.lookups, for_insert=True,
                                                  now=self.now)))
        if contact.email:
            self.pending.add(contact.email)

    def flush(self) -> None:
        new_ids = _insert(self.conn, self.inserts)
        inserted = [(new_id, contact) for (contact, _), new_id
                    in zip(self.inserts, new_ids, strict=True)]
        for new_id, contact in inserted:
            if contact.email:
                self.existing[contact.email] = new_id
        _update(self.conn, self.updates, self.lookups, self.now)
        _add_tags(self.conn, [*inserted, *((cid, c) for c, cid in self.updates)],
                  self.lookups)
        self.report.added += len(new_ids)
        self.report.updated += len(self.updates)
        self.report.changed([*new_ids, *(cid for _, cid in self.updates)], self.list_limit)
        self.inserts, self.updates, self.pending = [], [], set()


def _insert(conn: Connection, inserts: list[tuple[ContactIn, dict[str, Any]]]) -> list[int]:
    """Insert rows (grouped by the columns they fill, as executemany needs); ids in order."""
    ids: list[int] = [0] * len(inserts)
    groups: dict[frozenset[str], list[int]] = {}
    for index, (_, values) in enumerate(inserts):
        groups.setdefault(frozenset(values), []).append(index)
    for indexes in groups.values():
        result = conn.execute(
            insert(Contact).returning(Contact.id, sort_by_parameter_order=True),
            [inserts[i][1] for i in indexes])
        for index, new_id in zip(indexes, result.scalars(), strict=True):
            ids[index] = new_id
    return ids


def _update(conn: Connection, updates: list[tuple[ContactIn, int]], lookups: _Lookups,
            now: datetime) -> None:
    """Fill in each row's non-empty cells: an empty cell never erases what segtui has."""
    groups: dict[frozenset[str], list[dict[str, Any]]] = {}
    for contact, contact_id in updates:
        values = _row_values(contact, lookups, for_insert=False, now=now)
        values.pop("email", None)  # the key it was matched by
        if values:
            groups.setdefault(frozenset(values), []).append(
                {**{f"v_{k}": v for k, v in values.items()}, "target": contact_id})
    for columns, params in groups.items():
        statement = (update(Contact).where(Contact.id == bindparam("target"))
                     .values({c: bindparam(f"v_{c}") for c in columns}
                             | {"version": Contact.version + 1}))
        conn.execute(statement, params)


def _add_tags(conn: Connection, rows: list[tuple[int, ContactIn]], lookups: _Lookups) -> None:
    """Add each row's tags to its contact (tags it already has stay; none are removed)."""
    wanted: set[tuple[int, int]] = set()
    for contact_id, contact in rows:
        tags = contact.values.get(Field.TAGS)
        if isinstance(tags, list):
            wanted.update((contact_id, lookups.tag(t)) for t in tags)
    if not wanted:
        return
    ids = {contact_id for contact_id, _ in wanted}
    have = set(conn.execute(select(contact_tags.c.contact_id, contact_tags.c.tag_id)
                            .where(contact_tags.c.contact_id.in_(ids))).all())
    new = sorted(wanted - have)
    if new:
        conn.execute(insert(contact_tags),
                     [{"contact_id": c, "tag_id": t} for c, t in new])
