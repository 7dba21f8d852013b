"""Which contact a row of a contacts file is (I16.1, I16.16; docs/import-export.md,
"Matching rows to contacts").

An import matches each row by one key (`--match`): the email (default), the name at the
company, the phone, or the external id. Per batch of rows, `Matcher.look_up` reads the
contacts holding the batch's keys, and the holders of the two values the database keeps
unique (email and external id), which a row may not give to a second contact. What the
import adds or changes is recorded as it goes, so a later row of the same file sees it.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, func, select

from segtui.core.contact_keys import MatchKey, email_key, person_key, phone_key
from segtui.core.formats.contact_fields import Field
from segtui.core.formats.contacts_csv import ContactIn
from segtui.data.db.bulk import one_of
from segtui.data.db.sql import casefold
from segtui.data.db.tables import Contact, phone_key_of

Key = Hashable  # a str (email, phone, external id) or a (name, company) pair
Column = ColumnElement[Any]


def external_id(contact: ContactIn) -> str | None:
    value = contact.values.get(Field.EXTERNAL_ID)
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True, slots=True)
class RowKeys:
    """A row's match key and the values the database keeps unique, worked out once."""

    match: Key | None  # None: the row lacks the key's columns
    email: str | None  # the email's key
    external: str | None  # the external id

    def marks(self) -> list[tuple[str, Key]]:
        """What another row of the same batch must not share before this one is written."""
        found: list[tuple[str, Key]] = []
        if self.match is not None:
            found.append(("key", self.match))
        if self.email:
            found.append(("email", self.email))
        if self.external:
            found.append(("external", self.external))
        return found


class Matcher:
    def __init__(self, conn: Connection, match: MatchKey,
                 company_ids: dict[str, list[int]]) -> None:
        self.conn, self.match = conn, match
        self.company_ids = company_ids  # case-folded company name -> its ids (an import's)
        self.found: dict[Key, list[int]] = {}  # a key -> the contacts having it
        self.emails: dict[str, int] = {}  # email key -> the contact holding it
        self.external: dict[str, int] = {}  # external id -> the contact holding it

    def keys(self, contact: ContactIn) -> RowKeys:
        email = email_key(contact.email)
        outside = external_id(contact)
        if self.match is MatchKey.EMAIL:
            match: Key | None = email
        elif self.match is MatchKey.EXTERNAL_ID:
            match = outside
        elif self.match is MatchKey.PHONE:
            phone = contact.values.get(Field.PHONE)
            match = phone_key(phone) if isinstance(phone, str) else None
        else:
            name, company = contact.values.get(Field.NAME), contact.values.get(Field.COMPANY)
            match = person_key(name if isinstance(name, str) else None,
                               company if isinstance(company, str) else None)
        return RowKeys(match, email, outside)

    def taken(self, keys: RowKeys, target: int | None) -> tuple[str, int] | None:
        """("email" or "external", the contact holding it) when the row would give a
        contact other than `target` (None: a new one) a value another contact has."""
        if keys.email:
            holder = self.emails.get(keys.email)
            if holder is not None and holder != target:
                return "email", holder
        if keys.external:
            holder = self.external.get(keys.external)
            if holder is not None and holder != target:
                return "external", holder
        return None

    def look_up(self, rows: Sequence[tuple[ContactIn, RowKeys]]) -> None:
        """Read the contacts holding these rows' keys, emails and external ids."""
        emails = {k.email for _, k in rows if k.email}
        for cid, key in self._where(Contact.email_key, emails):
            self.emails[str(key)] = cid
        outside = {k.external for _, k in rows if k.external}
        for cid, value in self._where(Contact.external_id, outside):
            self.external[str(value)] = cid
        keys = {k.match for _, k in rows if k.match is not None}
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
            pairs = self._people([c for c, k in rows if k.match is not None], keys)
        for key, cid in pairs:
            if key is not None and cid not in self.found.setdefault(key, []):
                self.found[key].append(cid)

    def _where(self, column: Column, values: Collection[Key],
               shown: Column | None = None) -> list[tuple[int, object]]:
        """(id, `shown` or `column`) of the contacts whose `column` is one of `values`."""
        if not values:
            return []
        where = one_of(self.conn, column, (str(v) for v in values))
        # .all(): fetched at once, not row by row through the Result (C21.1.13)
        return [(int(cid), value) for cid, value in self.conn.execute(
            select(Contact.id, column if shown is None else shown)
            .where(where).order_by(Contact.id)).all()]

    def _people(self, rows: Sequence[ContactIn], keys: set[Key]) -> list[tuple[Key, int]]:
        """Contacts with these (name, company) keys: by the companies' ids (indexed),
        narrowed by the name as either engine folds it (PostgreSQL's lower(), SQLite's
        casefold()), then compared exactly in Python."""
        if not keys:
            return []
        ids = {cid for key in keys if isinstance(key, tuple)
               for cid in self.company_ids.get(key[1], ())}
        names = {str(c.values[Field.NAME]).strip() for c in rows}
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

    def added(self, keys: RowKeys, contact_id: int) -> None:
        """A contact the import created from a row (or changed to hold its values)."""
        if keys.match is not None:
            ids = self.found.setdefault(keys.match, [])
            if contact_id not in ids:
                ids.append(contact_id)
        if keys.email:
            self.emails[keys.email] = contact_id
        if keys.external:
            self.external[keys.external] = contact_id

    def clear(self) -> None:
        self.found, self.emails, self.external = {}, {}, {}
