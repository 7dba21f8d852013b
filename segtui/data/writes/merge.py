"""Merging duplicate contacts (Q6.4; docs/quality.md, "Merging"): memberships, exclusions,
events and tags move to the kept contact, in the caller's write transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, delete, select, update

from segtui.core.audit import Action
from segtui.core.changes import CONTACTS_MERGED
from segtui.core.contact_keys import email_key
from segtui.core.formatting import plural
from segtui.core.history import Why
from segtui.core.permissions import CurrentUser, Permission
from segtui.core.quality import MergeError, MergeResult
from segtui.core.segments import NotAllowed
from segtui.data.db import member_keys
from segtui.data.db.sql import current_membership, storable_ids
from segtui.data.db.tables import (
    Contact,
    EngagementEvent,
    Membership,
    SegmentExclusion,
    contact_tags,
)
from segtui.data.writes.activity import log_activity
from segtui.data.writes.audit import record_audit
from segtui.data.writes.changes import record_change

# Fields the kept contact takes from a merged one when it has none itself.
FILLABLE = ("email", "phone", "title", "company_id", "lifecycle_stage", "source", "city",
            "state", "country", "region")


def merge_contacts(conn: Connection, keep: int, others: Sequence[int], user: CurrentUser,
                   now: datetime) -> MergeResult:
    """Merge `others` into `keep` as `user` (who must be allowed to change segments)."""
    if not user.may(Permission.EDIT_SEGMENTS):
        raise NotAllowed(user.name, user.role.value, Permission.EDIT_SEGMENTS.value)
    result = merge_into(conn, keep, others, user, now)
    record_audit(conn, Action.DATA_CLEANUP_INITIATED, user,
                 subject=f"contact {keep}",
                 details="merged contacts " + ", ".join(map(str, result.merged)))
    return result


def merge_into(conn: Connection, keep: int, others: Sequence[int],
               performer: CurrentUser | None, now: datetime, *,
               fillable: Sequence[str] = FILLABLE, why: str = "",
               ended_why: bool = True) -> MergeResult:
    """Merge `others` into `keep`: every membership (current stays and history), manual
    exclusion, event and tag moves to `keep`; fields `keep` lacks (of `fillable`) are
    filled from the others (oldest first); then the others are deleted. Where both were
    current members of a segment, the merged one's stay ends now (history keeps it).
    `performer` None: segtui itself (a migration), logged without a user; `why` is added
    to the activity's details. Reads only the columns it names, so a migration can run
    it on a schema older than the models (`fillable` as of that migration; `ended_why`
    False before the stays kept why they ended, C20.1.1)."""
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
    member_keys.lock_for_deletes(conn)  # moves stays and deletes contacts

    fill = {name: getattr(other, name) for name in fillable
            for other in [found[i] for i in merged][::-1]
            if getattr(kept, name) in (None, "") and getattr(other, name) not in (None, "")}
    if "email" in fill:  # the email's identity goes with it (I16.1)
        fill["email_key"] = email_key(fill["email"])
    contacted = [r.last_contacted_at for r in found.values() if r.last_contacted_at]
    if contacted:
        fill["last_contacted_at"] = max(contacted)
    fill["quality_score"] = max(r.quality_score for r in found.values())

    by = None if performer is None else performer.id
    ended = {"left_why": Why.MERGE.value} if ended_why else {}
    m = Membership
    kept_segments = set(conn.execute(select(m.segment_id).where(
        m.contact_id == keep, current_membership())).scalars())
    touched = set(conn.execute(select(m.segment_id).where(
        m.contact_id.in_(merged), current_membership())).scalars())
    conn.execute(update(m).where(m.contact_id.in_(merged), current_membership(),
                                 m.segment_id.in_(kept_segments))
                 .values(removed_at=now, removed_by_id=by, **ended))
    # Two merged contacts in the same segment (neither is `keep`): one stay stays current.
    seen: set[int] = set(kept_segments)
    for membership_id, segment_id in conn.execute(
            select(m.id, m.segment_id).where(m.contact_id.in_(merged), current_membership())
            .order_by(m.added_at, m.id)).all():
        if segment_id in seen:
            conn.execute(update(m).where(m.id == membership_id)
                         .values(removed_at=now, removed_by_id=by, **ended))
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
    record_change(conn, CONTACTS_MERGED, None, performer)  # contacts any segment may show
    return MergeResult(keep, merged, int(moved), int(events), tuple(sorted(touched)))
