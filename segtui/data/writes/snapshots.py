"""Snapshots (C20.4): freezing a segment's current members into a new static segment, and
setting a campaign's status, which snapshots its segments when it becomes Active.

Each function runs inside the caller's write transaction (`Store.writing()`): a snapshot
is all or nothing, and a campaign's activation with its snapshots is one change.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Connection, func, select, update

from segtui.core import clock
from segtui.core.contacts import ContactSelection
from segtui.core.enums import CampaignStatus, SegmentStatus
from segtui.core.formatting import plural
from segtui.core.permissions import CurrentUser, Permission
from segtui.core.segments import NotAllowed, SegmentNotFound
from segtui.core.snapshots import (
    CampaignFound,
    CampaignNotFound,
    Snapshot,
    StatusChanged,
    campaign_snapshot_description,
    campaign_snapshot_name,
    numbered,
    snapshot_description,
)
from segtui.data.db.tables import Campaign, Segment, campaign_segments
from segtui.data.queries.segment_details import details
from segtui.data.writes.activity import log_activity
from segtui.data.writes.member_copy import copy_members
from segtui.data.writes.segment_writes import create_segment, name_taken
from segtui.data.writes.sharing import copy_sharing


def freeze_segment(conn: Connection, segment_id: int, name: str, user: CurrentUser, *,
                   description: str | None = None) -> Snapshot:
    """C20.4.1: a new static segment named `name` holding `segment_id`'s current members,
    with its tags, as private as it; created as any segment is (permission, the creator's
    limit, the name's rules and uniqueness: C19.3, R7.2), so logged and audited as one."""
    if not user.may(Permission.EDIT_SEGMENTS):
        raise NotAllowed(user.name, user.role.value, Permission.EDIT_SEGMENTS.value)
    source = details(conn, segment_id, viewer=user)
    if source is None:  # deleted, or hidden from the user, meanwhile
        raise SegmentNotFound(segment_id)
    now = clock.now()
    draft = replace(source.as_draft(), name=name, rule=None, status=SegmentStatus.DRAFT,
                    description=snapshot_description(source.name, now)
                    if description is None else description)
    new_id = create_segment(conn, draft, ContactSelection(), user)
    copy_sharing(conn, segment_id, new_id, user.id)  # as private as its source
    copied = copy_members(conn, segment_id, new_id, user.id, now)
    log_activity(conn, new_id, "Contacts Added",
                 f"Froze {plural(copied, 'contact')} from “{source.name}”", "", user, now)
    saved = conn.execute(select(Segment.name).where(Segment.id == new_id)).scalar_one()
    return Snapshot(new_id, saved, copied, source.name)


def find_campaign(conn: Connection, name: str) -> CampaignFound:
    """The campaign called `name` (case and outer spaces ignored); CampaignNotFound when
    none is, or several are."""
    found = conn.execute(
        select(Campaign.id, Campaign.name, Campaign.status)
        .where(func.lower(Campaign.name) == name.strip().lower()).order_by(Campaign.id)
    ).all()
    if not found:
        raise CampaignNotFound(f"no campaign named “{name}”")
    if len(found) > 1:
        raise CampaignNotFound(f"{plural(len(found), 'campaign')} are named “{name}”: "
                               "segtui can't tell which one you mean")
    return CampaignFound(int(found[0].id), found[0].name, CampaignStatus(found[0].status))


def _free_name(conn: Connection, name: str) -> str:
    n = 1
    while name_taken(conn, numbered(name, n)):
        n += 1
    return numbered(name, n)


def set_campaign_status(conn: Connection, campaign_id: int, status: CampaignStatus,
                        user: CurrentUser) -> StatusChanged:
    """C20.4.4: set the campaign's status. When it becomes Active (from another status),
    each segment it targets that `user` sees is frozen in the same transaction (C20.4.5),
    so whom it was sent to stays answerable. The same status again changes nothing."""
    if not user.may(Permission.PAUSE_CAMPAIGNS):
        raise NotAllowed(user.name, user.role.value, "change campaigns")
    row = conn.execute(select(Campaign.name, Campaign.status)
                       .where(Campaign.id == campaign_id)).first()
    if row is None:
        raise CampaignNotFound("that campaign no longer exists: someone deleted it")
    before = CampaignStatus(row.status)
    if before is status:
        return StatusChanged(row.name, before, status)
    conn.execute(update(Campaign).where(Campaign.id == campaign_id)
                 .values(status=status, version=Campaign.version + 1))
    now = clock.now()
    snapshots: list[Snapshot] = []
    linked = conn.execute(select(campaign_segments.c.segment_id)
                          .where(campaign_segments.c.campaign_id == campaign_id)
                          .order_by(campaign_segments.c.segment_id)).scalars().all()
    for segment_id in linked:
        segment = details(conn, segment_id, viewer=user)
        if segment is None:  # hidden from this user: not theirs to copy (C19.3.2)
            continue
        made = None
        if status is CampaignStatus.ACTIVE:
            name = _free_name(conn, campaign_snapshot_name(segment.name, row.name,
                                                           clock.today()))
            made = freeze_segment(conn, segment_id, name, user, description=(
                campaign_snapshot_description(segment.name, row.name, now)))
            snapshots.append(made)
        log_activity(conn, segment_id, "Campaign Status Changed",
                     f"“{row.name}”: {before.value} → {status.value}",
                     "" if made is None else f"Snapshot “{made.name}”: "
                     f"{plural(made.members, 'member')}", user, now)
    return StatusChanged(row.name, before, status, tuple(snapshots))
