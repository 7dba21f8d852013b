"""`store.members`: a segment's members.

Adding and removing members by hand, and why a contact is one ("why is this contact
here", the members added and kept out by hand).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from segtui.core import clock
from segtui.data.store.database import Database

if TYPE_CHECKING:
    from segtui.core.contacts import ContactSelection
    from segtui.core.formats.members_export import MemberRecord
    from segtui.core.permissions import CurrentUser
    from segtui.core.rules.refresh import Explanation


class Members:
    """A segment's members."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add_members(
        self, segment_id: int, selection: ContactSelection, user: CurrentUser
    ) -> int:
        from segtui.data.writes import segment_writes

        with self._db.writing() as conn:
            return segment_writes.add_members(conn, segment_id, selection, user)

    def remove_member(self, segment_id: int, contact_id: int, user: CurrentUser) -> bool:
        from segtui.data.writes import segment_writes as writes_segment_writes

        with self._db.writing() as conn:
            return writes_segment_writes.remove_member(conn, segment_id, contact_id, user)

    def current_members(self, segment_id: int, contact_ids: Iterable[int]) -> set[int]:
        """Those of `contact_ids` that are members of the segment now."""
        from segtui.data.queries import scripting

        with self._db.reading() as conn:
            return scripting.current_members(conn, segment_id, contact_ids)

    def explain_membership(self, segment_id: int, contact_id: int) -> Explanation:
        from segtui.data.rules import explain

        with self._db.reading() as conn:
            return explain.explain(conn, segment_id, contact_id, clock.today())

    def rule_overrides(self, segment_id: int) -> tuple[int, int]:
        """(members added by hand, contacts kept out by hand) of a segment."""
        from segtui.data.rules import refresh

        with self._db.reading() as conn:
            return refresh.overrides(conn, segment_id)

    def member_emails(self, segment_id: int) -> list[tuple[int, str]]:
        """(contact id, email) of its current members with an email (C21.4.1)."""
        from segtui.data.queries import scripting

        with self._db.reading() as conn:
            return scripting.member_emails(conn, segment_id)

    def member_page(self, segment_id: int, after: int, limit: int) -> list[MemberRecord]:
        """Up to `limit` current members past contact id `after`, in contact id order, with
        every field: a page of the HTTP API (C21.1.5), a range seek on the membership
        index whatever the segment's size."""
        from segtui.data.io import exporter

        with self._db.reading() as conn:
            return list(exporter.member_records(conn, segment_id, after=after, most=limit))
