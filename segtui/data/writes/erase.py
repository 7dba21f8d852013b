"""Erasing a contact at their request (C19.5): the contact, its events, tags, stays in
segments (history included), manual exclusions and webhook deliveries not yet sent
(C21.3.7), in one transaction. Segment counts
follow through the triggers that keep them; each segment it was in logs that an erased
contact left; segtui's own lines that named it (a removal, a merge) say "an erased
contact" instead. The audit keeps the fact, the contact's id and what went, never its
name or email. Notes are the users' own words and are not changed: the result counts
those that mention the name or email, for the administrator to edit.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, or_, select, update

from segtui.core import clock
from segtui.core.audit import Action
from segtui.core.changes import CONTACT_ERASED
from segtui.core.contacts import Erasure, ErasureError
from segtui.core.enums import DeliveryStatus
from segtui.core.permissions import CurrentUser, Permission
from segtui.core.segments import NotAllowed
from segtui.data.db import member_keys
from segtui.data.db.sql import current_membership
from segtui.data.db.tables import (
    Activity,
    Contact,
    EngagementEvent,
    Membership,
    Note,
    PendingEvaluation,
    SegmentExclusion,
    WebhookDelivery,
    contact_tags,
)
from segtui.data.writes.activity import log_activity
from segtui.data.writes.audit import record_audit
from segtui.data.writes.changes import record_change

ERASED = "an erased contact"


def erase_contact(conn: Connection, contact_id: int, user: CurrentUser) -> Erasure:
    if not user.may(Permission.PRIVACY_REQUESTS):
        raise NotAllowed(user.name, user.role.value, Permission.PRIVACY_REQUESTS.value)
    found = conn.execute(select(Contact.name, Contact.email)
                         .where(Contact.id == contact_id)).one_or_none()
    if found is None:
        raise ErasureError(f"no contact with id {contact_id}")
    now = clock.now()
    member_keys.lock_for_deletes(conn)
    segments = tuple(sorted(conn.execute(select(Membership.segment_id).where(
        Membership.contact_id == contact_id, current_membership())).scalars()))
    events = conn.execute(delete(EngagementEvent)
                          .where(EngagementEvent.contact_id == contact_id)).rowcount
    stays = conn.execute(delete(Membership).where(Membership.contact_id == contact_id)).rowcount
    conn.execute(delete(SegmentExclusion).where(SegmentExclusion.contact_id == contact_id))
    tags = conn.execute(delete(contact_tags)
                        .where(contact_tags.c.contact_id == contact_id)).rowcount
    conn.execute(delete(PendingEvaluation).where(PendingEvaluation.contact_id == contact_id))
    # Their webhook deliveries not yet sent go: nothing about them is sent later (C21.3.7).
    conn.execute(delete(WebhookDelivery).where(
        WebhookDelivery.contact_id == contact_id,
        WebhookDelivery.status.in_([DeliveryStatus.PENDING.value, DeliveryStatus.DEAD.value])))
    conn.execute(delete(Contact).where(Contact.id == contact_id))
    personal = [text for text in (found.name, found.email) if text]
    scrubbed = _scrub_timelines(conn, personal)
    notes = conn.execute(select(func.count()).select_from(Note).where(
        or_(*(func.replace(Note.body, text, "") != Note.body for text in personal)))
    ).scalar_one() if personal else 0
    for segment_id in segments:
        log_activity(conn, segment_id, "Contacts Removed", f"Removed {ERASED}",
                     "Erased at the contact's request.", user, now)
    result = Erasure(contact_id, int(events), int(stays), int(tags), segments, scrubbed,
                     int(notes))
    record_audit(conn, Action.CONTACT_ERASED, user, subject=f"contact {contact_id}",
                 details=result.summary())
    record_change(conn, CONTACT_ERASED, None, user)
    return result


def _scrub_timelines(conn: Connection, personal: list[str]) -> int:
    """segtui's activity lines naming the contact name it no more; how many changed."""
    changed = 0
    for text in personal:
        a = Activity
        changed += conn.execute(
            update(a).where(or_(func.replace(a.description, text, "") != a.description,
                                func.replace(a.details, text, "") != a.details))
            .values(description=func.replace(a.description, text, ERASED),
                    details=func.replace(a.details, text, ERASED))).rowcount
    return int(changed)
