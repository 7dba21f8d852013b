"""The companies and tags an import's rows name, looked up by case-folded name once and
grown as rows add them, and the ids reserved for new rows (data/io/importer.py).
"""

from __future__ import annotations

from sqlalchemy import Connection, select, text, update

from segtui.core.formats.contact_fields import Field
from segtui.core.formats.contacts_csv import ContactIn
from segtui.data.db.bulk import insert_rows
from segtui.data.db.sql import insert_unless_present
from segtui.data.db.tables import Company, Tag, name_key


class Lookups:
    """Companies and tags by case-folded name, loaded once and grown as rows add them."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        # name -> (id, has a size, has an industry): a company's blanks are filled once.
        self.companies: dict[str, tuple[int, bool, bool]] = {}
        # name -> every company of that name (older databases may spell one several ways):
        # `--match name+company` looks for a person at any of them.
        self.company_ids: dict[str, list[int]] = {}
        # Every company, though a batch names few: matching is by Python's case folding,
        # which SQL can't reproduce for every script. Read as plain tuples, the size and
        # industry as "has one" (no vocabulary conversion per row): 25,000 companies in
        # a third of the time (an API batch of 10,000 rows waits for it, C21.1.13).
        companies = self.companies
        company_ids = self.company_ids
        for cid, name, has_size, has_industry in conn.exec_driver_sql(
                "SELECT id, name, size IS NOT NULL, industry IS NOT NULL FROM companies "
                "ORDER BY id"):
            key = name.strip().casefold()
            if key not in companies:
                companies[key] = (cid, bool(has_size), bool(has_industry))
                company_ids[key] = [cid]
            else:
                company_ids[key].append(cid)
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
