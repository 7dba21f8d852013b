"""Which contact a row of a contacts file is (issue 16 §1, §16; docs/import-export.md,
"Matching rows to contacts").

An import matches each row by one key (`--match`): the email (default), the name at the
company, the phone, or the external id. Per batch of rows, `Matcher.look_up` reads the
contacts holding the batch's keys, and the holders of the two values the database keeps
unique (email and external id), which a row may not give to a second contact. What the
import adds or changes is recorded as it goes, so a later row of the same file sees it.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, func, select
from sqlalchemy.orm import QueryableAttribute

from segtui.core.contact_keys import MatchKey, email_key, person_key, phone_key
from segtui.core.importing import ContactIn, Field
from segtui.data.models import Contact, phone_key_of
from segtui.data.sql import casefold

Key = Hashable  # a str (email, phone, external id) or a (name, company) pair
Column = ColumnElement[Any] | QueryableAttribute[Any]


def external_id(contact: ContactIn) -> str | None:
    value = contact.values.get(Field.EXTERNAL_ID)
    return value if isinstance(value, str) and value else None


class Matcher:
    def __init__(self, conn: Connection, match: MatchKey,
                 company_ids: dict[str, list[int]]) -> None:
        self.conn, self.match = conn, match
        self.company_ids = company_ids  # case-folded company name -> its ids (an import's)
        self.found: dict[Key, list[int]] = {}  # a key -> the contacts having it
        self.emails: dict[str, int] = {}  # email key -> the contact holding it
        self.external: dict[str, int] = {}  # external id -> the contact holding it

    def key(self, contact: ContactIn) -> Key | None:
        """The row's match key; None when it lacks the columns the key is made of."""
        values = contact.values
        if self.match is MatchKey.EMAIL:
            return email_key(contact.email)
        if self.match is MatchKey.EXTERNAL_ID:
            return external_id(contact)
        if self.match is MatchKey.PHONE:
            phone = values.get(Field.PHONE)
            return phone_key(phone) if isinstance(phone, str) else None
        name, company = values.get(Field.NAME), values.get(Field.COMPANY)
        return person_key(name if isinstance(name, str) else None,
                          company if isinstance(company, str) else None)

    def unique_values(self, contact: ContactIn) -> list[tuple[str, str]]:
        """The row's values the database keeps unique: ("email", key), ("external", id)."""
        found = []
        key = email_key(contact.email)
        if key:
            found.append(("email", key))
        outside = external_id(contact)
        if outside:
            found.append(("external", outside))
        return found

    def holder(self, kind: str, value: str) -> int | None:
        return (self.emails if kind == "email" else self.external).get(value)

    def look_up(self, rows: Sequence[ContactIn]) -> None:
        """Read the contacts holding these rows' keys, emails and external ids."""
        emails = {k for k in (email_key(c.email) for c in rows) if k}
        for cid, key in self._where(Contact.email_key, emails):
            self.emails[str(key)] = cid
        outside = {x for x in map(external_id, rows) if x}
        for cid, value in self._where(Contact.external_id, outside):
            self.external[str(value)] = cid
        keys = {k for k in map(self.key, rows) if k is not None}
        pairs: list[tuple[Key, int]]
        if self.match is MatchKey.EMAIL:
            pairs = [(k, self.emails[k]) for k in keys if k in self.emails]
        elif self.match is MatchKey.EXTERNAL_ID:
            pairs = [(k, self.external[k]) for k in keys if k in self.external]
        elif self.match is MatchKey.PHONE:
            phone = cast(ColumnElement[str | None], Contact.__table__.c.phone)
            pairs = [(phone_key(str(stored)), cid) for cid, stored in
                     self._where(phone_key_of(phone), keys, phone)]
        else:
            pairs = self._people(rows, keys)
        for key, cid in pairs:
            if key is not None and cid not in self.found.setdefault(key, []):
                self.found[key].append(cid)

    def _where(self, column: Column, values: Collection[Key],
               shown: Column | None = None) -> list[tuple[int, object]]:
        """(id, `shown` or `column`) of the contacts whose `column` is one of `values`."""
        if not values:
            return []
        return [(int(cid), value) for cid, value in self.conn.execute(
            select(Contact.id, column if shown is None else shown)
            .where(column.in_(values)).order_by(Contact.id))]

    def _people(self, rows: Sequence[ContactIn], keys: set[Key]) -> list[tuple[Key, int]]:
        """Contacts with these (name, company) keys: by the companies' ids (indexed),
        narrowed by the name as either engine folds it (PostgreSQL's lower(), SQLite's
        casefold()), then compared exactly in Python."""
        if not keys:
            return []
        ids = {cid for key in keys if isinstance(key, tuple)
               for cid in self.company_ids.get(key[1], ())}
        names = {str(c.values[Field.NAME]).strip() for c in rows if self.key(c) is not None}
        forms = {n.casefold() for n in names} | {n.lower() for n in names}
        company_of = {cid: name for name, cids in self.company_ids.items() for cid in cids
                      if cid in ids}
        found: list[tuple[Key, int]] = []
        for cid, name, company_id in self.conn.execute(
                select(Contact.id, Contact.name, Contact.company_id)
                .where(Contact.company_id.in_(ids),
                       casefold(func.trim(Contact.name)).in_(forms))
                .order_by(Contact.id)):
            key = person_key(name, None if company_id is None else company_of.get(company_id))
            if key in keys:
                found.append((key, int(cid)))
        return found

    def added(self, contact: ContactIn, contact_id: int) -> None:
        """A contact the import created from this row (or changed to hold its values)."""
        key = self.key(contact)
        if key is not None and contact_id not in self.found.setdefault(key, []):
            self.found[key].append(contact_id)
        for kind, value in self.unique_values(contact):
            (self.emails if kind == "email" else self.external)[value] = contact_id

    def clear(self) -> None:
        self.found, self.emails, self.external = {}, {}, {}
