"""The companies and tags an import's rows name, looked up by case-folded name once and
grown as rows add them, and the ids reserved for new rows (data/io/importer.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Select, func, select, text, update

from segtui.core.formats.contact_fields import Field
from segtui.core.formats.contacts_csv import ContactIn
from segtui.data.db.bulk import insert_rows, one_of
from segtui.data.db.sql import insert_unless_present
from segtui.data.db.tables import Company, Tag, name_key


class Lookups:
    """Companies and tags by case-folded name, read as rows name them (companies) or
    once (tags), and grown as rows add them."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        # name -> (id, has a size, has an industry): a company's blanks are filled once.
        self.companies: dict[str, tuple[int, bool, bool]] = {}
        # name -> every company of that name (older databases may spell one several ways):
        # `--match name+company` looks for a person at any of them.
        self.company_ids: dict[str, list[int]] = {}
        self._looked_for: set[str] = set()  # names (keys) whose companies were read
        # Companies whose name SQL's lower() can't fold as Python does: beyond ASCII, or
        # with white space around it. Read once, when first needed (`load_companies`).
        self._odd: dict[str, list[tuple[int, str, bool, bool]]] | None = None
        self.tags = {key: tid for tid, key in conn.execute(select(Tag.id, Tag.name_key))}
        self.spelled: dict[str, int] = {}  # a tag as the file spells it -> its id
        self.company_keys: dict[str, str] = {}  # a company as the file spells it -> key
        self.arrays: dict[tuple[str, ...], str] = {}  # a row's tags -> tag_array's text

    def load_companies(self, rows: Iterable[ContactIn]) -> None:
        """Read the companies these rows name, those not looked for yet, into `companies`
        and `company_ids`; a name no company has stays out (`prepare_companies` adds it).

        By name, not all of them: a batch names a few hundred companies, and reading
        every one was 50 ms of each API batch at 25,000 companies (C21.1.13), growing with
        the table. Names are matched by Python's case folding, which SQL can't reproduce
        for every script: a name of plain ASCII is found by `lower(name)` through its
        index (migration 0029), where ASCII folding is the same; the few others are read
        once and folded here (`_odd_companies`)."""
        # Each spelling once (a file names each of its companies many times): one already
        # in `company_keys` was looked for with its batch.
        spellings = {contact.values.get(Field.COMPANY) for contact in rows}
        keys = {self.key(name) for name in spellings
                if isinstance(name, str) and name not in self.company_keys}
        keys -= self._looked_for
        if not keys:
            return
        self._looked_for |= keys
        odd = self._odd_companies()
        found = [*(company for key in keys for company in odd.get(key, ())),
                 *self._plain_companies([key for key in keys if key.isascii()])]
        for cid, name, has_size, has_industry in sorted(found):  # by id: the first wins
            key = name.strip().casefold()
            if key not in self.companies:
                self.companies[key] = (cid, has_size, has_industry)
                self.company_ids[key] = [cid]
            else:
                self.company_ids[key].append(cid)

    def _plain_companies(self, keys: list[str]) -> list[tuple[int, str, bool, bool]]:
        """The companies whose lower() is one of `keys` (ASCII, no white space around),
        read through the index on it (SQLite: `lower(name)`; PostgreSQL: `lower(name
        COLLATE "C")`, ASCII folding whatever the database's locale). Both fold ASCII
        letters only, so no odd name (`_odd_companies`) is among them."""
        if not keys:
            return []
        postgresql = self.conn.dialect.name == "postgresql"
        name = Company.name.collate("C") if postgresql else Company.name
        return self._read(_COMPANIES.where(one_of(self.conn, func.lower(name), keys)))

    def _odd_companies(self) -> dict[str, list[tuple[int, str, bool, bool]]]:
        """Companies whose name is beyond ASCII (the stored flag) or has white space
        around it, by case-folded name: one pass over the table, once an import."""
        if self._odd is None:
            trim = func.btrim if self.conn.dialect.name == "postgresql" else func.trim
            self._odd = {}
            spaced = trim(Company.name, _ASCII_SPACE) != Company.name
            for company in self._read(_COMPANIES.where(Company.non_ascii_name | spaced)):
                self._odd.setdefault(company[1].strip().casefold(), []).append(company)
        return self._odd

    def _read(self, query: Select[int, str, bool, bool]) -> list[tuple[int, str, bool, bool]]:
        """Companies as (id, name, has a size, has an industry)."""
        return [(int(cid), name, bool(size), bool(industry)) for cid, name, size, industry
                in self.conn.execute(query).all()]

    def prepare_companies(self, rows: list[ContactIn]) -> int:
        """Create the batch's new companies in one statement and fill in blanks (size,
        industry) of existing ones; an existing size or industry is never overwritten.
        Returns how many companies it wrote. The rows' companies were read first
        (`load_companies`, at the start of their batch)."""
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
        return len(new) + len(fills)

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


# What a company is read as: the size and industry as "has one" (no vocabulary
# conversion per row).
_COMPANIES = select(Company.id, Company.name, Company.size.is_not(None),
                    Company.industry.is_not(None))
# The ASCII characters str.strip() takes off (str.isspace), as SQL's trim() is told to.
_ASCII_SPACE = "".join(chr(c) for c in range(128) if chr(c).isspace())


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
