"""Contacts sharing an email: the data quality report's "Same email" groups and the AI
Insights finding's "members sharing their email with another contact" (P7).

An email's identity is its key, trimmed and case-folded (`core/contact_keys.email_key`),
which `contacts.email_key` holds under a UNIQUE partial index (migration 0008). Two
contacts that both carry their key can never share an email: the index refuses the
second. So only a contact written without its key (another program writing the tables
itself: an email, `email_key` NULL; "keyless" below) can share one, with another keyless
contact or with a keyed one. Finding the shared emails is therefore:

1. the keyless contacts with an email, read from the partial index
   `ix_contacts_keyless_email` (migration 0010), which holds only them: empty in a database
   only segtui writes, so this costs one seek however many contacts there are;
2. their keys, computed here in Python with the very function the writers use (SQL's
   lower() is not Python's casefold() on PostgreSQL: "ß" stays "ß");
3. which of those keys a keyed contact also holds: one seek each in the unique index.

Before, both screens grouped the case-folded emails of every contact to find the groups
(`lower(email) IN (SELECT ... GROUP BY ... HAVING count(*) > 1)`): 7-536 s on PostgreSQL
at a million contacts, 1.6 s on SQLite, for an answer the unique index already gives.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import ColumnElement, Connection, and_, bindparam, false, or_, select

from segtui.core.contact_keys import email_key
from segtui.data.db.tables import Contact

# Keys per IN list: well under both engines' limit on bound parameters.
CHUNK = 500


def keyless() -> ColumnElement[bool]:
    """A contact with an email but no key: the predicate of `ix_contacts_keyless_email`,
    written the same way so both engines use that partial index."""
    return and_(Contact.email_key.is_(None), Contact.email.is_not(None))


@dataclass(frozen=True)
class SharedEmails:
    """Every email held by more than one contact, by key: the keyed contact holding it
    (if any) and the keyless contacts' ids."""

    keyed: dict[str, bool] = field(default_factory=dict)  # key -> a keyed contact has it
    keyless: dict[str, tuple[int, ...]] = field(default_factory=dict)  # key -> their ids

    @property
    def keys(self) -> list[str]:
        """The shared keys, in code point order (the same on both engines)."""
        return sorted(self.keyless)

    def contacts(self, key: str) -> int:
        return len(self.keyless[key]) + (1 if self.keyed[key] else 0)

    @property
    def contact_count(self) -> int:
        return sum(self.contacts(key) for key in self.keyless)

    def holders(self, keys: Sequence[str]) -> ColumnElement[bool]:
        """True for the contacts holding one of `keys`: by the unique index for the keyed,
        by id for the keyless. False when there are none (the usual case)."""
        wanted = [k for k in keys if k in self.keyless]
        if not wanted:
            return false()
        keyed = [k for k in wanted if self.keyed[k]]
        ids = [i for k in wanted for i in self.keyless[k]]
        # Rendered inline: a database written by another program may hold any number.
        in_keys = Contact.email_key.in_(bindparam("shared_keys", keyed, expanding=True,
                                                  literal_execute=True))
        in_ids = Contact.id.in_(bindparam("shared_ids", ids, expanding=True,
                                          literal_execute=True))
        return or_(in_keys, in_ids) if keyed else in_ids

    @cached_property
    def _keyless_owner(self) -> dict[int, str]:
        return {i: k for k, ids in self.keyless.items() for i in ids}

    def key_of(self, contact_id: int, stored_key: str | None) -> str | None:
        """The shared key a contact of `holders` holds: its stored key, or the one
        computed for it when it has none."""
        if stored_key is not None:
            return stored_key
        return self._keyless_owner.get(contact_id)


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def shared_emails(conn: Connection) -> SharedEmails:
    """The emails more than one contact holds (see the module's docstring)."""
    by_key: dict[str, list[int]] = {}
    # Unordered: ordering by id would walk the table instead of the index.
    for contact_id, email in sorted(conn.execute(
            select(Contact.id, Contact.email).where(keyless())).all()):
        key = email_key(email)
        if key is not None:  # only spaces: no email, never a duplicate
            by_key.setdefault(key, []).append(int(contact_id))
    if not by_key:
        return SharedEmails()
    held = set(_held(conn, sorted(by_key)))
    shared = {k: ids for k, ids in by_key.items() if len(ids) > 1 or k in held}
    return SharedEmails(keyed={k: k in held for k in shared},
                        keyless={k: tuple(ids) for k, ids in shared.items()})


def _held(conn: Connection, keys: Sequence[str]) -> Iterable[str]:
    """Those of `keys` a keyed contact holds: one seek each in uq_contacts_email_key."""
    for chunk in _chunks(keys):
        for key in conn.execute(
                select(Contact.email_key).where(Contact.email_key.in_(chunk))).scalars():
            if key is not None:
                yield key
