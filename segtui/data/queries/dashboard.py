"""SQL for the dashboard's metric cards (R7.1, AC1), over the segments the viewer sees
(C19.3.2): the segments' counts, and the contacts and memberships in those segments."""

from __future__ import annotations

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    exists,
    func,
    literal_column,
    select,
    true,
)

from segtui.core.enums import EventType, SegmentStatus
from segtui.core.formatting import round_half_up
from segtui.core.permissions import CurrentUser
from segtui.core.records import DashboardMetrics
from segtui.data.db.sql import current_membership
from segtui.data.db.tables import EngagementEvent, Membership, Segment
from segtui.data.queries.visibility import visible_to


def dashboard_metrics(conn: Connection, viewer: CurrentUser | None) -> DashboardMetrics:
    # The segments the dashboard lists: those the viewer sees (C19.3.2) and not archived
    # (an archived segment's members leave the cards with it, C19.4.6).
    listed = and_(visible_to(viewer), Segment.archived_at.is_(None))
    segments = conn.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((Segment.status == SegmentStatus.ACTIVE, 1), else_=0)), 0),
            select(func.count()).select_from(Segment).scalar_subquery(),
        ).select_from(Segment).where(listed)
    ).one()
    # The memberships counted: all of them when the viewer sees every segment (the usual
    # case: no extra work), else those of the segments they see. "+ 0": tested on each
    # row of the walk below, not used to seek ix_memberships_segment (which SQLite then
    # did, and sorted the stays by contact: 4x slower at 1,000 segments).
    seen: ColumnElement[bool] = true() if segments[0] == segments[2] else \
        (Membership.segment_id + literal_column("0")).in_(select(Segment.id).where(listed))
    # Grouped by contact rather than COUNT(DISTINCT): the grouping makes SQLite walk
    # ix_memberships_contact in order (no temp B-tree). With COUNT(DISTINCT) it may pick
    # ix_memberships_segment instead and sort 1.8M ids: 2 s instead of 0.3 s at 1M contacts.
    per_contact = (
        select(Membership.contact_id, func.count().label("stays"))
        .where(current_membership(), seen)
        .group_by(Membership.contact_id)
        .subquery("per_contact")
    )
    distinct_members, memberships = conn.execute(
        select(func.count(), func.coalesce(func.sum(per_contact.c.stays), 0))
    ).one()
    unsubscribed = conn.execute(
        select(func.count(func.distinct(EngagementEvent.contact_id))).where(
            EngagementEvent.type == EventType.UNSUBSCRIBED,
            exists(
                select(1).where(
                    Membership.contact_id == EngagementEvent.contact_id, current_membership(),
                    seen)
            ),
        )
    ).scalar_one()
    total_segments, active_segments = int(segments[0]), int(segments[1])
    memberships, distinct_members = int(memberships), int(distinct_members)
    return DashboardMetrics(
        total_segments=total_segments,
        total_contacts=distinct_members,
        active_segments=active_segments,
        # R7.1 "Avg. Segment Size": the mean size of a segment, i.e. memberships per
        # segment (a contact in two segments counts in both), rounded half up.
        avg_segment_size=round_half_up(memberships, total_segments),
        unsubscribed_contacts=int(unsubscribed),
    )
