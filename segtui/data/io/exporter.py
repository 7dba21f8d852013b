"""Reading a segment's members for export (I6), streamed in contact-id order."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Connection, Row, String, func, select, type_coerce

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
    # The vocabularies are read as their stored text, which is what an export writes:
    # made into enums, 400,000 of them cost a 100,000-member export 0.2 s (C21.1.7).
    columns = (c.id, c.name, c.email, c.phone, c.title, Company.name.label("company"),
               type_coerce(Company.size, String).label("company_size"), Company.industry,
               type_coerce(c.lead_status, String).label("status"),
               type_coerce(c.lifecycle_stage, String).label("lifecycle_stage"),
               type_coerce(c.source, String).label("source"), c.city, c.state,
               c.country, c.region, c.quality_score, tags.label("tags"), c.created_at,
               c.last_contacted_at, c.spent_cents, c.purchases, c.last_activity_at,
               c.external_id)
    assert [col.key for col in columns] == list(MemberRecord.__dataclass_fields__)
    def page(after: int, size: int) -> list[Row[Any]]:
        # Driven from the segment's membership index (ordered by contact id), so each
        # page is a range seek, not a fresh IN (...) over every member.
        return list(conn.execute(
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
            .limit(size)
        ).all())

    left = most
    size = PAGE if left is None else min(PAGE, left)
    rows = page(after, size)
    # The next page is read while this one is written: the database (SQLite's step,
    # PostgreSQL's server) works without the GIL beside the formatting, which is most of
    # a streamed export's time (C21.1.7). One thread, one statement at a time on `conn`.
    with ThreadPoolExecutor(1, thread_name_prefix="segtui-export") as ahead:
        while True:
            if left is not None:
                left -= len(rows)
            more = len(rows) == size and (left is None or left > 0)
            if more:
                size = PAGE if left is None else min(PAGE, left)
                following = ahead.submit(page, rows[-1].id, size)
            for row in rows:  # the columns are MemberRecord's fields, in its order
                values = list(row)
                values[TAGS] = tuple(sorted(t for t in (row.tags or "").split("; ") if t))
                yield MemberRecord(*values)
            if not more:
                return
            rows = following.result()
