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
)

from segtui.core.enums import EventType, SegmentStatus
from segtui.core.formatting import round_half_up
from segtui.core.permissions import CurrentUser
from segtui.core.records import DashboardMetrics
from segtui.data.db.sql import current_membership
from segtui.data.db.tables import ContactStays, EngagementEvent, Membership, Segment
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
        distinct_members, memberships, unsubscribed = _every_figure(conn)
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


def _stays_of(contact: ColumnElement[int]) -> ColumnElement[int | None]:
    """The contact's current stays (NULL when it is in no segment), sought by
    pk_contact_stays. A scalar subquery stays one seek per outer row on PostgreSQL: as a
    join or EXISTS the planner chose a hash join over all 833,000 rows of the table for
    20,000-25,000 contacts (210-240 ms against 20-40 at 1M contacts)."""
    stays = ContactStays.__table__.c
    return select(stays.stays).where(stays.contact_id == contact).scalar_subquery()


def _every_figure(conn: Connection) -> Figures:
    """Every segment's figures, from `contact_stays` (P2: one row per contact in a segment
    with its number of current stays, kept by triggers, data/derived/stays.py): its rows
    are the members, its sum the memberships. At 1M contacts a pass over its 833,000 rows
    instead of a walk of the 1.78M current stays grouped by contact (250-400 ms on
    PostgreSQL, 480 ms on SQLite)."""
    stays = ContactStays.__table__.c
    counted = select(func.count().label("members"),
                     func.coalesce(func.sum(stays.stays), 0).label("stays")).subquery()
    # The unsubscribed (about 2% of contacts, from ix_events_type_contact) who are in a
    # segment: each looked up in contact_stays.
    unsubscribers = (select(EngagementEvent.contact_id).distinct()
                     .where(EngagementEvent.type == EventType.UNSUBSCRIBED)
                     .subquery("unsubscribers"))
    unsubscribed = select(func.count(_stays_of(unsubscribers.c.contact_id))) \
        .select_from(unsubscribers).scalar_subquery()
    members, memberships, unsubscribed_members = conn.execute(
        select(counted.c.members, counted.c.stays, unsubscribed)).one()
    return int(members), int(memberships), int(unsubscribed_members)


def _member_figures(conn: Connection, ids: list[int]) -> Figures:
    """The members of the segments `ids`, their memberships and how many of them
    unsubscribed, walking those segments' memberships by contact. "+ 0": the ids are
    tested on each row of the walk, not used to seek ix_memberships_segment (which SQLite
    then did, and sorted the stays by contact: 4x slower at 1,000 segments)."""
    seen = (Membership.segment_id + literal_column("0")).in_(ids)
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
    from the viewer, C19.3.2). Usually few are not: everyone's figures (`_every_figure`),
    less what only the unlisted segments hold: their stays, and the contacts all of whose
    stays are in them (as many stays there as `contact_stays` counts), found from the
    unlisted segments' members alone. When most are unlisted, the listed ones' own walk
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
    every_member, every_stay, every_unsubscribed = _every_figure(conn)
    # Each contact in the unlisted segments: its stays there and its stays in all (one
    # seek each: MATERIALIZED, or PostgreSQL inlines the subquery and seeks twice, once
    # per use of `every`: 130-230 against 80-100 ms for 25,410 contacts at 1M).
    per_contact = select(Membership.contact_id, func.count().label("there")) \
        .where(current_membership(), Membership.segment_id.in_(unlisted_ids)) \
        .group_by(Membership.contact_id).subquery("per_contact")
    unlisted = select(per_contact.c.contact_id, per_contact.c.there,
                      _stays_of(per_contact.c.contact_id).label("every")) \
        .cte("unlisted").prefix_with("MATERIALIZED")
    only_there = unlisted.c.every == unlisted.c.there  # no current stay elsewhere
    unlisted_stays, gone, gone_unsubscribed = conn.execute(
        select(func.coalesce(func.sum(unlisted.c.there), 0),
               func.count().filter(only_there),
               # The unsubscribed among them by one hash of the 20,000 unsubscribers
               # (a seek per contact into ix_events_contact: 20 us each at 1M).
               func.count().filter(and_(only_there, unlisted.c.contact_id.in_(
                   select(EngagementEvent.contact_id)
                   .where(EngagementEvent.type == EventType.UNSUBSCRIBED)))))
    ).one()
    return (every_member - int(gone), every_stay - int(unlisted_stays),
            every_unsubscribed - int(gone_unsubscribed))
