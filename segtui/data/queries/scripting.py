"""Read-only queries the scripting CLI needs beyond the Store's screens (docs/cli.md);
the contact details they return are core/contacts.py's.

Each function runs inside a read transaction of the Store, which calls it (the Store's
`contacts_by_email`, `existing_contacts`, `contact_details` and `current_members`): the
command line reaches the database only through the Store. Lists of ids or emails are sent
in chunks so a long `--stdin` list stays under SQLite's limit on bound parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from sqlalchemy import Connection, select

from segtui.core.contact_keys import email_key
from segtui.core.contacts import ContactDetails, ContactMembership
from segtui.core.enums import (
    CompanySize,
    LeadStatus,
    LifecycleStage,
    MembershipSource,
    SourceChannel,
)
from segtui.core.permissions import CurrentUser
from segtui.data.db.sql import current_membership, storable_ids, storable_text
from segtui.data.db.tables import Company, Contact, Membership, Segment, Tag, contact_tags
from segtui.data.queries.visibility import visible_to

CHUNK = 500

T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def contacts_by_email(conn: Connection, emails: Iterable[str]) -> dict[str, list[int]]:
    """The contact holding each email, by the email's key (trimmed, case ignored: the
    unique index of I16.1, so one contact at most). A contact some other program
    wrote without a key is found by its exact email, and several such are all listed (the
    caller refuses to guess). Emails with no contact are absent, among them those no
    contact can hold (a NUL, bytes that were not UTF-8)."""
    wanted = list(dict.fromkeys(e for e in emails if e and storable_text(e)))
    by_key: dict[str, list[str]] = {}
    for email in wanted:
        key = email_key(email)
        if key is not None:
            by_key.setdefault(key, []).append(email)
    found: dict[str, list[int]] = {}
    for chunk in _chunks(list(by_key)):
        for cid, key in conn.execute(select(Contact.id, Contact.email_key)
                                     .where(Contact.email_key.in_(chunk))):
            for given in by_key.get(str(key), ()):
                found[given] = [int(cid)]
    missing = [e for e in wanted if e not in found]
    for chunk in _chunks(missing):
        for cid, stored in conn.execute(select(Contact.id, Contact.email)
                                        .where(Contact.email_key.is_(None),
                                               Contact.email.in_(chunk))
                                        .order_by(Contact.id)):
            found.setdefault(str(stored), []).append(int(cid))
    return found


def existing_contacts(conn: Connection, ids: Iterable[int]) -> set[int]:
    """Those of `ids` that are contacts (an id too large for the column is none)."""
    known: set[int] = set()
    for chunk in _chunks(sorted(set(storable_ids(conn, ids)))):
        known.update(int(i) for i in conn.execute(select(Contact.id)
                                                  .where(Contact.id.in_(chunk))).scalars())
    return known


def current_members(conn: Connection, segment_id: int, ids: Iterable[int]) -> set[int]:
    """Those of `ids` that are current members of the segment."""
    members: set[int] = set()
    for chunk in _chunks(sorted(set(ids))):
        members.update(int(i) for i in conn.execute(
            select(Membership.contact_id).where(Membership.segment_id == segment_id,
                                                current_membership(),
                                                Membership.contact_id.in_(chunk))).scalars())
    return members


def contact_details(conn: Connection, contact_id: int, viewer: CurrentUser | None
                    ) -> ContactDetails | None:
    if not storable_ids(conn, [contact_id]):
        return None
    c = Contact
    row = conn.execute(
        select(c.id, c.name, c.email, c.phone, c.title, Company.name.label("company"),
               Company.size.label("company_size"), Company.industry, c.lead_status,
               c.lifecycle_stage, c.source, c.city, c.state, c.country, c.region,
               c.quality_score, c.created_at, c.last_contacted_at, c.last_activity_at,
               c.spent_cents, c.purchases, c.external_id)
        .outerjoin(Company, Company.id == c.company_id)
        .where(c.id == contact_id)
    ).one_or_none()
    if row is None:
        return None
    tags = tuple(conn.execute(
        select(Tag.name).join(contact_tags, contact_tags.c.tag_id == Tag.id)
        .where(contact_tags.c.contact_id == contact_id).order_by(Tag.name)
    ).scalars())
    segments = tuple(
        ContactMembership(int(r.id), r.name, MembershipSource(r.source), r.added_at)
        for r in conn.execute(
            select(Segment.id, Segment.name, Membership.source, Membership.added_at)
            .join(Membership, Membership.segment_id == Segment.id)
            .where(Membership.contact_id == contact_id, current_membership(),
                   visible_to(viewer))  # the segments `viewer` sees (C19.3.2)
            .order_by(Segment.name_key, Segment.id)
        )
    )
    return ContactDetails(
        id=int(row.id), name=row.name, email=row.email or "", phone=row.phone or "",
        title=row.title or "", company=row.company or "",
        company_size=CompanySize(row.company_size) if row.company_size else None,
        industry=row.industry or "", status=LeadStatus(row.lead_status),
        lifecycle_stage=LifecycleStage(row.lifecycle_stage) if row.lifecycle_stage else None,
        source=SourceChannel(row.source) if row.source else None,
        city=row.city or "", state=row.state or "", country=row.country or "",
        region=row.region or "", quality_score=int(row.quality_score), tags=tags,
        created_at=row.created_at, last_contacted_at=row.last_contacted_at,
        last_activity_at=row.last_activity_at, spent_cents=int(row.spent_cents or 0),
        purchases=int(row.purchases or 0), segments=segments, external_id=row.external_id,
    )


def member_emails(conn: Connection, segment_id: int) -> list[tuple[int, str]]:
    """(contact id, email) of the segment's current members that have an email, by email
    key: `segments dump --members` writes them (C21.4.1)."""
    return [(int(cid), str(email)) for cid, email in conn.execute(
        select(Contact.id, Contact.email)
        .join(Membership, Membership.contact_id == Contact.id)
        .where(Membership.segment_id == segment_id, current_membership(),
               Contact.email.is_not(None), Contact.email != "")
        .order_by(Contact.email_key, Contact.email, Contact.id))]
