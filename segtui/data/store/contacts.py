"""`store.contacts`: contacts, page by page.

The contact picker's and the member list's pages and counts, the values a filter can take
(cities, states, companies, segments), and contacts named by email or id (the command
line's, data/queries/scripting.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from segtui.data.store.database import PAGE_SIZE, Database

if TYPE_CHECKING:
    from typing import Any

    from segtui.core.contacts import (
        ContactDetails,
        ContactFilter,
        ContactRow,
        ContactSelection,
        Erasure,
    )
    from segtui.core.permissions import CurrentUser
    from segtui.core.records import (
        Choice,
        ChoiceKind,
        Keyset,
        Page,
    )


class Contacts:
    """Contacts, page by page."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def contact_page(
        self,
        flt: ContactFilter,
        selection: ContactSelection,
        *,
        after: Keyset | None = None,
        before: Keyset | None = None,
        at_end: bool = False,
        limit: int = PAGE_SIZE,
    ) -> Page[ContactRow]:
        from segtui.data.queries import contact_list

        with self._db.reading() as conn:
            return contact_list.fetch_page(conn, flt, selection, after=after, before=before,
                                           at_end=at_end, limit=limit)

    def contact_count(self, flt: ContactFilter) -> int:
        from segtui.data.queries import contact_list

        with self._db.reading() as conn:
            return contact_list.count_contacts(conn, flt)

    def selection_count(self, selection: ContactSelection) -> int:
        from segtui.data.queries import contact_list

        with self._db.reading() as conn:
            return contact_list.count_selected(conn, selection)

    def choices(self, kind: ChoiceKind, text: str = "", limit: int = 50) -> list[Choice]:
        from segtui.data.queries import choices

        with self._db.reading() as conn:
            return choices.search_choices(conn, kind, text, limit, self._db.viewer)

    def contacts_by_email(self, emails: Iterable[str]) -> dict[str, list[int]]:
        """The contact holding each email (case and surrounding spaces ignored); an email
        several contacts written without its key share lists them all."""
        from segtui.data.queries import scripting

        with self._db.reading() as conn:
            return scripting.contacts_by_email(conn, emails)

    def existing_contacts(self, contact_ids: Iterable[int]) -> set[int]:
        """Those of `contact_ids` that are contacts."""
        from segtui.data.queries import scripting

        with self._db.reading() as conn:
            return scripting.existing_contacts(conn, contact_ids)

    def contact_details(self, contact_id: int) -> ContactDetails | None:
        """Every field of one contact, and the segments it is in now."""
        from segtui.data.queries import scripting

        with self._db.reading() as conn:
            return scripting.contact_details(conn, contact_id, self._db.viewer)

    # -- privacy requests (C19.5): administrators only -------------------------------------

    def erase_contact(self, contact_id: int, user: CurrentUser) -> Erasure:
        """Erase the contact and everything about it, in one transaction (data/writes/
        erase.py). NotAllowed for anyone but an administrator; ErasureError for an
        unknown contact."""
        from segtui.data.writes import erase

        with self._db.writing() as conn:
            return erase.erase_contact(conn, contact_id, user)

    def contact_data(self, contact_id: int, user: CurrentUser) -> dict[str, Any] | None:
        """Everything stored about the contact (a subject access request), as a JSON-ready
        document, recorded in the audit; None for an unknown contact."""
        from segtui.core.audit import Action
        from segtui.core.permissions import Permission
        from segtui.core.segments import NotAllowed
        from segtui.data.queries import contact_data
        from segtui.data.writes.audit import record_audit

        if not user.may(Permission.PRIVACY_REQUESTS):
            raise NotAllowed(user.name, user.role.value, Permission.PRIVACY_REQUESTS.value)
        with self._db.writing() as conn:
            found = contact_data.contact_data(conn, contact_id)
            if found is not None:
                record_audit(conn, Action.CONTACT_DATA_EXPORTED, user,
                             subject=f"contact {contact_id}")
            return found
