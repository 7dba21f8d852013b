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
    if segments[0] == segments[2]:  # the usual case: every segment is listed
        distinct_members, memberships, unsubscribed = _member_figures(conn, None)
    else:
        distinct_members, memberships, unsubscribed = _listed_figures(conn, listed)
    total_segments, active_segments = int(segments[0]), int(segments[1])
    return DashboardMetrics(
        total_segments=total_segments,
        total_contacts=distinct_members,
        active_segments=active_segments,
        # R7.1 "Avg. Segment Size": the mean size of a segment, i.e. memberships per
        # segment (a contact in two segments counts in both), rounded half up.
        avg_segment_size=round_half_up(memberships, total_segments),
        unsubscribed_contacts=unsubscribed,
    )


Figures = tuple[int, int, int]  # distinct members, memberships, unsubscribed members


def _member_figures(conn: Connection, ids: list[int] | None) -> Figures:
    """The members of the segments `ids` (None: of every segment), their memberships and
    how many of them unsubscribed, walking the memberships by contact. "+ 0": the ids are
    tested on each row of the walk, not used to seek ix_memberships_segment (which SQLite
    then did, and sorted the stays by contact: 4x slower at 1,000 segments)."""
    seen: ColumnElement[bool] = true() if ids is None else \
        (Membership.segment_id + literal_column("0")).in_(ids)
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
            exists(select(1).where(Membership.contact_id == EngagementEvent.contact_id,
                                   current_membership(), seen)),
        )
    ).scalar_one()
    return int(distinct_members), int(memberships), int(unsubscribed)


def _listed_figures(conn: Connection, listed: ColumnElement[bool]) -> Figures:
    """The figures of the listed segments when some are not (archived, C19.4.6, or hidden
    from the viewer, C19.3.2). Usually few are not: everyone's figures, less what only
    the unlisted segments hold, costs the usual walk plus a look at the unlisted segments'
    members (at 1M contacts: 535 ms with one segment archived when filtering the walk,
    about the usual 300 ms this way). When most are unlisted, the listed ones' own walk
    is the shorter (told by the number of segments on each side: counting their members
    would cost as much as the walk)."""
    rows = conn.execute(select(Segment.id, listed.label("listed")))
    listed_ids: list[int] = []
    unlisted_ids: list[int] = []
    for segment_id, is_listed in rows:
        (listed_ids if is_listed else unlisted_ids).append(int(segment_id))
    if not listed_ids:
        return 0, 0, 0
    if len(listed_ids) < len(unlisted_ids):  # counting the members would cost a walk
        return _member_figures(conn, listed_ids)
    unlisted_stays = int(conn.execute(
        select(func.count()).select_from(Membership)
        .where(current_membership(), Membership.segment_id.in_(unlisted_ids))).scalar_one())
    every_member, every_stay, every_unsubscribed = _member_figures(conn, None)
    # The contacts whose every current stay is in an unlisted segment: they leave the
    # count of members (and of unsubscribed members) with those segments.
    elsewhere = Membership.__table__.alias("elsewhere").c
    only_unlisted = (
        select(Membership.contact_id).distinct()
        .where(current_membership(), Membership.segment_id.in_(unlisted_ids),
               ~exists(select(1).where(elsewhere.contact_id == Membership.contact_id,
                                       elsewhere.removed_at.is_(None),
                                       elsewhere.segment_id.not_in(unlisted_ids))))
        .subquery("only_unlisted")
    )
    gone, gone_unsubscribed = conn.execute(select(
        func.count(),
        func.count().filter(exists(select(1).where(
            EngagementEvent.contact_id == only_unlisted.c.contact_id,
            EngagementEvent.type == EventType.UNSUBSCRIBED))),
    ).select_from(only_unlisted)).one()
    return (every_member - int(gone), every_stay - unlisted_stays,
            every_unsubscribed - int(gone_unsubscribed))
