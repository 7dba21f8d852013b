"""SQL for the data quality report and for merging duplicate contacts (issue 6 §4).
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
    delete,
    false,
    func,
    not_,
    or_,
    select,
    tuple_,
    update,
)

from segtui.core.contact_keys import email_key
from segtui.core.formatting import plural
from segtui.core.permissions import CurrentUser, Permission
from segtui.core.quality import (
    SHOWN_GROUPS,
    SHOWN_SEGMENTS,
    STALE_DAYS,
    DuplicateGroup,
    DuplicateMember,
    MergeResult,
    QualityReport,
    SegmentQuality,
)
from segtui.core.segments import NotAllowed
from segtui.data.completeness import valid_email
from segtui.data.segment_writes import log_activity
from segtui.data.shared_emails import shared_emails
from segtui.data.sql import casefold, current_membership, storable_ids
from segtui.data.tables import (
    Company,
    Contact,
    EngagementEvent,
    Membership,
    Segment,
    SegmentExclusion,
    contact_tags,
)


class MergeError(Exception):
    """A merge that can't be done (unknown contacts, a contact merged into itself)."""


def _blank(column: ColumnElement[str | None]) -> ColumnElement[bool]:
    return or_(column.is_(None), func.trim(column) == "")


def _name_key() -> ColumnElement[str]:
    return casefold(func.trim(Contact.name))


def quality_report(conn: Connection, today: date) -> QualityReport:
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
    # written without one, not by grouping every contact's email (data/shared_emails.py).
    shared = shared_emails(conn)
    # Same name and company: grouped once, here (the name has no key column); the groups'
    # contacts are then found through ix_contacts_company_id. Before, each contact's
    # name was compared with the groups inside the per-segment statement below, a subplan
    # over an aggregate PostgreSQL searched once per membership (issue 17).
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
            .where(current_membership())
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


# -- merging ----------------------------------------------------------------------------------

# Fields the kept contact takes from a merged one when it has none itself.
FILLABLE = ("email", "phone", "title", "company_id", "lifecycle_stage", "source", "city",
            "state", "country", "region")


def merge_contacts(conn: Connection, keep: int, others: Sequence[int], user: CurrentUser,
                   now: datetime) -> MergeResult:
    """Merge `others` into `keep` as `user` (who must be allowed to change segments)."""
    if not user.may(Permission.EDIT_SEGMENTS):
        raise NotAllowed(user.name, user.role.value, Permission.EDIT_SEGMENTS.value)
    return merge_into(conn, keep, others, user, now)


def merge_into(conn: Connection, keep: int, others: Sequence[int],
               performer: CurrentUser | None, now: datetime, *,
               fillable: Sequence[str] = FILLABLE, why: str = "") -> MergeResult:
    """Merge `others` into `keep`: every membership (current stays and history), manual
    exclusion, event and tag moves to `keep`; fields `keep` lacks (of `fillable`) are
    filled from the others (oldest first); then the others are deleted. Where both were
    current members of a segment, the merged one's stay ends now (history keeps it).
    `performer` None: segtui itself (a migration), logged without a user; `why` is added
    to the activity's details. Reads only the columns it names, so a migration can run
    it on a schema older than the models (`fillable` as of that migration)."""
    merged = tuple(dict.fromkeys(o for o in others if o != keep))
    if keep in others or not merged:
        raise MergeError("name at least one other contact to merge into the kept one")
    c = Contact
    table = c.__table__
    columns = [table.c[name] for name in ("id", "name", "created_at", "last_contacted_at",
                                          "quality_score", *fillable)]
    found = {row.id: row for row in conn.execute(
        select(*columns).where(c.id.in_(storable_ids(conn, [keep, *merged])))
        .order_by(c.created_at, c.id))}
    missing = [str(i) for i in (keep, *merged) if i not in found]
    if missing:
        raise MergeError(f"no contact with id {', '.join(missing)}")
    kept = found[keep]

    fill = {name: getattr(other, name) for name in fillable
            for other in [found[i] for i in merged][::-1]
            if getattr(kept, name) in (None, "") and getattr(other, name) not in (None, "")}
    if "email" in fill:  # the email's identity goes with it (issue 16 §1)
        fill["email_key"] = email_key(fill["email"])
    contacted = [r.last_contacted_at for r in found.values() if r.last_contacted_at]
    if contacted:
        fill["last_contacted_at"] = max(contacted)
    fill["quality_score"] = max(r.quality_score for r in found.values())

    by = None if performer is None else performer.id
    m = Membership
    kept_segments = set(conn.execute(select(m.segment_id).where(
        m.contact_id == keep, current_membership())).scalars())
    touched = set(conn.execute(select(m.segment_id).where(
        m.contact_id.in_(merged), current_membership())).scalars())
    conn.execute(update(m).where(m.contact_id.in_(merged), current_membership(),
                                 m.segment_id.in_(kept_segments))
                 .values(removed_at=now, removed_by_id=by))
    # Two merged contacts in the same segment (neither is `keep`): one stay stays current.
    seen: set[int] = set(kept_segments)
    for membership_id, segment_id in conn.execute(
            select(m.id, m.segment_id).where(m.contact_id.in_(merged), current_membership())
            .order_by(m.added_at, m.id)).all():
        if segment_id in seen:
            conn.execute(update(m).where(m.id == membership_id)
                         .values(removed_at=now, removed_by_id=by))
        seen.add(segment_id)
    moved = conn.execute(update(m).where(m.contact_id.in_(merged))
                         .values(contact_id=keep)).rowcount
    # Manual exclusions (one per segment and contact): `keep` takes the first of each
    # segment's; the rest go with the merged contacts.
    x = SegmentExclusion
    excluded = set(conn.execute(select(x.segment_id).where(x.contact_id == keep)).scalars())
    for segment_id, contact_id in conn.execute(
            select(x.segment_id, x.contact_id).where(x.contact_id.in_(merged))
            .order_by(x.segment_id, x.contact_id)).all():
        if segment_id not in excluded:
            conn.execute(update(x).where(x.segment_id == segment_id,
                                         x.contact_id == contact_id).values(contact_id=keep))
            excluded.add(segment_id)
    events = conn.execute(update(EngagementEvent).where(
        EngagementEvent.contact_id.in_(merged)).values(contact_id=keep)).rowcount
    tags = set(conn.execute(select(contact_tags.c.tag_id).where(
        contact_tags.c.contact_id == keep)).scalars())
    new_tags = set(conn.execute(select(contact_tags.c.tag_id).where(
        contact_tags.c.contact_id.in_(merged))).scalars()) - tags
    if new_tags:
        conn.execute(contact_tags.insert(),
                     [{"contact_id": keep, "tag_id": t} for t in sorted(new_tags)])
    conn.execute(delete(c).where(c.id.in_(merged)))
    # Filled only now: an email taken from a merged contact is unique again once it's gone.
    conn.execute(update(c).where(c.id == keep).values(fill | {"version": c.version + 1}))
    names = ", ".join(found[i].name for i in merged)
    for segment_id in sorted(touched):
        log_activity(conn, segment_id, "Contacts Merged",
                     f"Merged {plural(len(merged), 'duplicate contact')} into {kept.name}",
                     f"Kept contact {keep} ({kept.name}); merged {names}.{why}",
                     performer, now)
    return MergeResult(keep, merged, int(moved), int(events), tuple(sorted(touched)))
