"""Reading a segment's members for export (I6), streamed in contact-id order."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Connection, func, select

from segtui.core.formats.members_export import MemberRecord
from segtui.data.db.sql import current_membership
from segtui.data.db.tables import Company, Contact, Membership, Tag, contact_tags

PAGE = 5_000
TAGS = 16  # the tags' column, the one a record holds otherwise than it is read


def member_records(conn: Connection, segment_id: int, *, after: int = 0,
                   most: int | None = None) -> Iterator[MemberRecord]:
    """Every current member with all contact fields (those past contact id `after`, at
    most `most` of them: an API page, C21.1.5), a page at a time (keyset on id), so a
    million members never sit in memory at once."""
    tags = (select(func.aggregate_strings(Tag.name, "; "))
            .select_from(contact_tags.join(Tag, Tag.id == contact_tags.c.tag_id))
            .where(contact_tags.c.contact_id == Contact.id)
            .scalar_subquery())
    c = Contact
    columns = (c.id, c.name, c.email, c.phone, c.title, Company.name.label("company"),
               Company.size.label("company_size"), Company.industry,
               c.lead_status.label("status"), c.lifecycle_stage, c.source, c.city, c.state,
               c.country, c.region, c.quality_score, tags.label("tags"), c.created_at,
               c.last_contacted_at, c.spent_cents, c.purchases, c.last_activity_at,
               c.external_id)
    assert [col.key for col in columns] == list(MemberRecord.__dataclass_fields__)
    left = most
    while left is None or left > 0:
        # Driven from the segment's membership index (ordered by contact id), so each
        # page is a range seek, not a fresh IN (...) over every member.
        rows = conn.execute(
            select(*columns)
            .select_from(Membership)
            .join(c, c.id == Membership.contact_id)
            .outerjoin(Company, Company.id == c.company_id)
            .where(Membership.segment_id == segment_id, current_membership(),
                   Membership.contact_id > after,
                   # Said of the contacts too: PostgreSQL merge-joins the two in id order,
                   # and without it walked the contacts from the first id on every page
                   # (the 20th page of a 100k-member export read a million contacts).
                   c.id > after)
            .order_by(Membership.contact_id)
            .limit(PAGE if left is None else min(PAGE, left))
        ).all()
        for row in rows:  # the columns are MemberRecord's fields, in its order
            values = list(row)
            values[TAGS] = tuple(sorted(t for t in (row.tags or "").split("; ") if t))
            yield MemberRecord(*values)
        if len(rows) < PAGE:
            return
        after = rows[-1].id
        if left is not None:
            left -= len(rows)
