"""SQL for the data quality report (merging the duplicates it finds:
data/writes/merge.py) (Q6.4).
Definitions: segtui.core.quality and docs/quality.md."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    bindparam,
    case,
    false,
    func,
    not_,
    or_,
    select,
    tuple_,
)

from segtui.core.permissions import CurrentUser
from segtui.core.quality import (
    SHOWN_GROUPS,
    SHOWN_SEGMENTS,
    STALE_DAYS,
    DuplicateGroup,
    DuplicateMember,
    QualityReport,
    SegmentQuality,
)
from segtui.data.db.sql import casefold, current_membership
from segtui.data.db.tables import (
    Company,
    Contact,
    Membership,
    Segment,
)
from segtui.data.derived.completeness import valid_email
from segtui.data.queries.shared_emails import shared_emails
from segtui.data.queries.visibility import visible_to


def _blank(column: ColumnElement[str | None]) -> ColumnElement[bool]:
    return or_(column.is_(None), func.trim(column) == "")


def _name_key() -> ColumnElement[str]:
    return casefold(func.trim(Contact.name))


def quality_report(conn: Connection, today: date, viewer: CurrentUser | None = None
                   ) -> QualityReport:
    """The report; its segments are those `viewer` sees (C19.3.2)."""
    c = Contact
    cutoff = datetime.combine(today - timedelta(days=STALE_DAYS), datetime.min.time())
    stale = and_(or_(c.last_activity_at.is_(None), c.last_activity_at < cutoff),
                 or_(c.last_contacted_at.is_(None), c.last_contacted_at < cutoff))
    invalid = and_(not_(_blank(c.email)), not_(valid_email(c.email)))
    total, missing_email, invalid_email, missing_phone, stale_count = conn.execute(
        select(func.count(), func.count().filter(_blank(c.email)),
               func.count().filter(invalid), func.count().filter(_blank(c.phone)),
               func.count().filter(stale))
    ).one()
    # Same email: from the unique email key and the (usually empty) index of contacts
    # written without one, not by grouping every contact's email (data/queries/shared_emails.py).
    shared = shared_emails(conn)
    # Same name and company: grouped once, here (the name has no key column); the groups'
    # contacts are then found through ix_contacts_company_id. Before, each contact's
    # name was compared with the groups inside the per-segment statement below, a subplan
    # over an aggregate PostgreSQL searched once per membership (P7).
    name_groups = conn.execute(
        select(_name_key().label("k"), c.company_id.label("company"), func.count())
        .where(c.company_id.is_not(None)).group_by(_name_key(), c.company_id)
        .having(func.count() > 1)
        .order_by(_name_key(), c.company_id)).all()
    named = _same_name(name_groups)

    # The listed groups' contacts: one query per kind of duplicate, not one per group.
    email_keys = shared.keys[:SHOWN_GROUPS]
    by_email: dict[str | None, list[DuplicateMember]] = {}
    for member, (stored_key,) in _members(conn, shared.holders(email_keys), c.email_key):
        by_email.setdefault(shared.key_of(member.id, stored_key), []).append(member)
    groups = [DuplicateGroup("same email", key, tuple(by_email[key])) for key in email_keys]
    room = SHOWN_GROUPS - len(groups)
    if room > 0 and name_groups:
        listed = [(str(k), int(company or 0)) for k, company, _ in name_groups[:room]]
        by_name: dict[tuple[str, int], list[DuplicateMember]] = {}
        for member, (key, company) in _members(conn, _same_name(listed), _name_key(),
                                               c.company_id):
            by_name.setdefault((key, company), []).append(member)
        for key in listed:
            members = by_name[key]
            groups.append(DuplicateGroup(
                "same name and company", f"{members[0].name} · {members[0].company}",
                tuple(members)))

    flagged = or_(_blank(c.email), invalid, _blank(c.phone), stale,
                  shared.holders(shared.keys), named)
    flagged_count = func.sum(case((flagged, 1), else_=0))
    segments = tuple(
        SegmentQuality(sid, name, int(members), int(bad))
        for sid, name, members, bad in conn.execute(
            select(Segment.id, Segment.name, func.count(), flagged_count)
            .select_from(Membership)
            .join(Segment, Segment.id == Membership.segment_id)
            .join(c, c.id == Membership.contact_id)
            .where(current_membership(), visible_to(viewer))
            .group_by(Segment.id, Segment.name)
            .having(flagged_count > 0)
            .order_by(flagged_count.desc(), Segment.name)
            .limit(SHOWN_SEGMENTS))
    )
    return QualityReport(
        contacts=int(total), missing_email=int(missing_email),
        invalid_email=int(invalid_email), missing_phone=int(missing_phone),
        duplicate_email_groups=len(shared.keyless),
        duplicate_email_contacts=shared.contact_count,
        duplicate_name_groups=len(name_groups),
        duplicate_name_contacts=sum(int(n) for _, _, n in name_groups),
        stale=int(stale_count),
        groups=tuple(groups), segments=segments,
    )


def _same_name(groups: Sequence[Any]) -> ColumnElement[bool]:
    """True for the contacts of these (name key, company id) groups: the companies' contacts
    from ix_contacts_company_id, then their names compared. False for no groups."""
    if not groups:
        return false()
    keys = [(str(k), int(company)) for k, company, *_ in groups]
    companies = sorted({company for _, company in keys})
    return and_(
        Contact.company_id.in_(bindparam("name_companies", companies, expanding=True,
                                         literal_execute=True)),
        tuple_(_name_key(), Contact.company_id).in_(keys))


def _members(conn: Connection, where: ColumnElement[bool],
             *keys: ColumnElement[Any]
             ) -> Iterator[tuple[DuplicateMember, tuple[Any, ...]]]:
    """The contacts matching `where`, oldest first, each with the values of `keys`."""
    c = Contact
    rows = conn.execute(
        select(c.id, c.name, c.email, Company.name, c.created_at, *keys)
        .outerjoin(Company, Company.id == c.company_id)
        .where(where).order_by(c.created_at, c.id)).all()
    # Their current memberships, counted in one grouped statement (not a count per row).
    segments: dict[int, int] = {} if not rows else {int(cid): int(n) for cid, n in conn.execute(
        select(Membership.contact_id, func.count())
        .where(Membership.contact_id.in_(bindparam("listed", [r[0] for r in rows],
                                                    expanding=True, literal_execute=True)),
               current_membership())
        .group_by(Membership.contact_id))}
    for row in rows:
        cid, name, email, company, created, *key = row
        yield (DuplicateMember(cid, name, email, company, created, segments.get(cid, 0)),
               tuple(key))
