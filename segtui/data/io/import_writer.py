"""One batch of an import decided row by row and written together (data/io/importer.py):
insert, update, skip or reject each row as its match and `--on-duplicate` say.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection

from segtui.core.contact_keys import MatchKey
from segtui.core.formats.contact_fields import Field
from segtui.core.formats.contacts_csv import ContactIn, RowProblem
from segtui.core.formatting import plural
from segtui.core.imports import ImportReport, OnDuplicate
from segtui.data.io.contact_matching import Key, Matcher, RowKeys
from segtui.data.io.import_lookups import Lookups
from segtui.data.io.import_rows import add_tags, insert_contacts, update_contacts


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


class ImportWriter:
    """One batch's pending inserts and updates, written together by `flush`."""

    matcher: Matcher
    headers: dict[Field, str]

    def __init__(self, conn: Connection, lookups: Lookups, report: ImportReport,
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
        self.report.wrote("companies", self.lookups.prepare_companies(
            [*contacts, *(c for c, _ in self.updates)]))
        ids, went_in = insert_contacts(self.conn, contacts, self.lookups, self.now,
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
        update_contacts(self.conn, self.updates, self.lookups, self.matcher.match)
        if self.conn.dialect.name != "postgresql":  # PostgreSQL: added by insert_contacts
            add_tags(self.conn, inserted, self.lookups, new=True)
        add_tags(self.conn, [(cid, c) for c, cid in self.updates], self.lookups, new=False)
        self.report.added += len(inserted)
        self.report.updated += len(self.updates)
        self.report.wrote("contacts", len(inserted) + len(self.updates))
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
