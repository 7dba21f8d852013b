"""SQL behind the AI Insights tab: deterministic findings about one segment.

Each finding is an aggregate query plus wording (`segtui.core.insights`). Nothing is
sampled or guessed, and nothing leaves the machine; the same data on the same day gives the
same text. Thresholds are named constants so the method text can state them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from sqlalchemy import ColumnElement, Connection, and_, case, func, select

from segtui.core.analytics import money
from segtui.core.contacts import ContactFilter
from segtui.core.enums import ENGAGEMENT_EVENTS, CompanySize, EventType, LeadStatus
from segtui.core.formatting import plural, point_change
from segtui.core.insights import Insight, InsightAction, InsightKind, Severity, pct, quoted
from segtui.core.metrics import CampaignPerformance, SegmentMetrics, Window, last_days, percent
from segtui.core.permissions import CurrentUser
from segtui.data.db.sql import Aside, here, member_count, member_id_array, member_of
from segtui.data.db.tables import Contact, EngagementEvent, Membership, Segment
from segtui.data.queries.contact_list import count_contacts, filter_conditions
from segtui.data.queries.member_groups import (
    MemberGroup,
    data_quality,
    gone_inactive,
    member_groups,
    merged_groups,
)
from segtui.data.queries.segment_metrics import campaign_performance, split_point
from segtui.data.queries.visibility import visible_to

PROFILE_SHARE = 40  # a trait is part of the profile when at least this % of members share it
OVERLAP_SHOWN = 3  # other segments named in the overlap finding
EXAMPLES_SHOWN = 3  # lookalike contacts named
SIGNIFICANT_POINTS = 5  # an engagement change this large is flagged


DRIVERS: list[tuple[str, tuple[EventType, ...]]] = [
    ("engaged", ENGAGEMENT_EVENTS),
    ("opened an email", (EventType.OPENED,)),
    ("responded", (EventType.RESPONDED,)),
    ("attended a meeting", (EventType.MEETING_ATTENDED,)),
]


def _engagement_counts(conn: Connection, segment_id: int,
                       now: Window) -> list[tuple[int, int]]:
    """Per DRIVERS entry, (members in the window, members in the window before), from one
    pass over the members' events of both windows."""
    e = EngagementEvent
    before = now.previous()

    def distinct(kinds: tuple[EventType, ...], window: Window) -> ColumnElement[int]:
        return func.count(func.distinct(case(
            (and_(e.type.in_(kinds), e.occurred_at >= window.start,
                  e.occurred_at < window.end), e.contact_id))))

    row = conn.execute(
        select(*(distinct(kinds, w) for _, kinds in DRIVERS for w in (now, before)))
        .where(member_of(conn, e.contact_id, segment_id), e.type.in_(ENGAGEMENT_EVENTS),
               e.occurred_at >= before.start, e.occurred_at < now.end)
    ).one()
    values = [int(v) for v in row]
    return [(values[2 * i], values[2 * i + 1]) for i in range(len(DRIVERS))]


def engagement_change(conn: Connection, segment_id: int, today: date,
                      members: int) -> Insight:
    now = last_days(today)
    counts = _engagement_counts(conn, segment_id, now)
    (engaged, engaged_before), *by_kind = counts
    metrics = SegmentMetrics(members=members, engaged=engaged, engaged_previous=engaged_before,
                             converted=0, unsubscribed=0, campaigns=0)
    change = percent(metrics.engaged - metrics.engaged_previous, metrics.members)
    drivers = [(a - b, f"{label} {b:,} → {a:,}")
               for (label, _), (a, b) in zip(DRIVERS[1:], by_kind, strict=True)]
    # Biggest movers first; ties keep the fixed order above.
    drivers.sort(key=lambda d: -abs(d[0]))
    moved = [text for delta, text in drivers if delta]
    driver_text = ("Members who " + "; ".join(moved) + "." if moved
                   else "No kind of engagement changed.")
    severity: Severity
    word: str
    if change >= SIGNIFICANT_POINTS:
        severity, word = "good", "up"
    elif change <= -SIGNIFICANT_POINTS:
        severity, word = "warning", "down"
    else:
        severity, word = "info", "steady"
    return Insight(
        kind=InsightKind.ENGAGEMENT_CHANGE,
        title=f"Engagement {word}: {point_change(change)}",
        finding=(f"{pct(metrics.engagement_rate)} of members engaged in the last 30 days "
                 f"({metrics.engaged:,} of {metrics.members:,}), against "
                 f"{pct(metrics.engagement_rate_previous)} ({metrics.engaged_previous:,}) in "
                 f"the 30 days before. {driver_text}"),
        method=("Engaged = a current member with an opened, responded or meeting-attended "
                "event in the window; windows are the last 30 days and the 30 before. "
                "Drivers count distinct members per kind of event in each window. Changes of "
                f"{SIGNIFICANT_POINTS} points or more are flagged."),
        severity=severity,
    )


def _dominant(groups: list[MemberGroup], trait: Callable[[MemberGroup], str | None],
              members: int) -> tuple[str, int] | None:
    """The most common value of a trait among members, if at least PROFILE_SHARE % share
    it (ties go to the alphabetically first value, so the result is stable)."""
    counts: dict[str, int] = {}
    for group in groups:
        value = trait(group)
        if value is not None:
            counts[value] = counts.get(value, 0) + group.members
    if not counts:
        return None
    value, count = min(counts.items(), key=lambda item: (-item[1], item[0]))
    if percent(count, members) < PROFILE_SHARE:
        return None
    return value, count


def lookalikes(conn: Connection, segment_id: int, members: int,
               groups: list[MemberGroup]) -> Insight:
    size = _dominant(groups, lambda g: g.size, members)
    status = _dominant(groups, lambda g: g.status, members)
    # The members' average score, truncated: the sum is exact, so no float or NUMERIC
    # rounding can move it across an integer.
    floor = sum(g.score * g.members for g in groups) // members if members else 0
    flt = ContactFilter(
        size=CompanySize(size[0]) if size else None,
        status=LeadStatus(status[0]) if status else None,
        score=(floor, 100),
        not_in_segment=segment_id,
    )
    # Non-members matching = all contacts matching (counted from an index alone:
    # ix_contacts_score_status_company, on PostgreSQL ix_contacts_status_rules) - members
    # matching (from the groups): before,
    # every contact was probed for membership (1M probes, 0.5-0.8 s; P7).
    count = count_contacts(conn, replace(flt, not_in_segment=None)) - sum(
        g.members for g in groups
        if (flt.size is None or g.size == flt.size.value)
        and (flt.status is None or g.status == flt.status.value)
        and g.score >= floor)
    traits = []
    if size:
        traits.append(f"company size {size[0]} ({pct(percent(size[1], members))} of members)")
    if status:
        traits.append(f"status {status[0]} ({pct(percent(status[1], members))} of members)")
    traits.append(f"quality score at least {floor} (the members' average)")
    profile = "; ".join(traits)
    examples: list[str] = []
    if count:
        rows = conn.execute(
            select(Contact.name).where(*filter_conditions(flt))
            .order_by(Contact.quality_score.desc(), Contact.name, Contact.id)
            .limit(EXAMPLES_SHOWN)
        ).scalars()
        examples = list(rows)
    more = " and others" if count > len(examples) else ""
    example_text = (" Highest quality first: " + ", ".join(examples) + more + ".") \
        if examples else ""
    return Insight(
        kind=InsightKind.LOOKALIKES,
        title=(f"{plural(count, 'lookalike contact')} outside the segment" if count
               else "No lookalike contacts outside the segment"),
        finding=f"Profile: {profile}. {plural(count, 'contact')} not in the segment match "
                f"it.{example_text}",
        method=(f"A trait joins the profile when at least {PROFILE_SHARE}% of members share "
                "its most common value; lookalikes are non-members matching every trait."),
        severity="info",
        action=(InsightAction.add_contacts(flt, f"Add {plural(count, 'lookalike')}")
                if count else None),
    )


def overlap(conn: Connection, segment_id: int, members: int,
            viewer: CurrentUser | None = None) -> Insight:
    """The other segments sharing the most members: those `viewer` sees (C19.3.2)."""
    mine, theirs = Membership.__table__.alias(), Membership.__table__.alias()
    # Counted per segment id first (the members' other stays, read from
    # ix_memberships_contact alone), then joined to the few segments named: joining every
    # shared stay to `segments` to group by name cost a lookup per stay (P7).
    # PostgreSQL seeks the members' stays with their ids as one sorted array: joined, it
    # hashed the members and read all 1.8M memberships (803 against 280 ms of CPU).
    stays = (select(theirs.c.segment_id.label("segment_id"), func.count().label("shared"))
             .where(theirs.c.segment_id != segment_id, theirs.c.removed_at.is_(None)))
    if conn.dialect.name == "postgresql":
        stays = stays.where(theirs.c.contact_id == member_id_array(segment_id))
    else:
        stays = (stays.select_from(mine)
                 .join(theirs, theirs.c.contact_id == mine.c.contact_id)
                 .where(mine.c.segment_id == segment_id, mine.c.removed_at.is_(None)))
    shared = stays.group_by(theirs.c.segment_id).subquery("shared")
    rows = conn.execute(
        select(Segment.id, Segment.name, shared.c.shared)
        .join(shared, shared.c.segment_id == Segment.id)
        .where(visible_to(viewer))
        .order_by(shared.c.shared.desc(), Segment.name, Segment.id)
        .limit(OVERLAP_SHOWN)
    ).all()
    if not rows:
        return Insight(
            kind=InsightKind.OVERLAP, title="No overlap with other segments",
            finding="No member of this segment is in another segment.",
            method="Current members shared with each other segment's current members.",
            severity="info",
        )
    parts = [f"{quoted(name)} {shared:,} ({pct(percent(shared, members))})"
             for _, name, shared in rows]
    top_id, top_name, top_shared = rows[0]
    return Insight(
        kind=InsightKind.OVERLAP,
        title=f"{pct(percent(top_shared, members))} also in {quoted(top_name)}",
        finding="Members shared with other segments: " + "; ".join(parts) + ".",
        method=(f"For each other segment, current members in both, as a share of this "
                f"segment's {plural(members, 'member')}; the {OVERLAP_SHOWN} largest shown."),
        severity="warning" if percent(top_shared, members) >= 80 else "info",
        action=InsightAction.open_segment(top_id, top_name),
    )


def campaigns(conn: Connection, segment_id: int) -> Insight | None:
    rows = [c for c in campaign_performance(conn, segment_id) if c.sent]
    if not rows:
        return None
    ranked = sorted(rows, key=lambda c: (-c.rate(c.converted), -c.revenue_cents, c.name))
    best, worst = ranked[0], ranked[-1]

    def describe(c: CampaignPerformance) -> str:
        return (f"{quoted(c.name)} converted {pct(c.rate(c.converted))} ({c.converted:,} of "
                f"{c.sent:,} sent, {money(c.revenue_cents)})")

    if best is worst:
        finding = f"The only campaign with sends: {describe(best)}."
    else:
        finding = f"Best: {describe(best)}. Worst: {describe(worst)}."
    return Insight(
        kind=InsightKind.CAMPAIGNS,
        title=f"Best campaign: {quoted(best.name)}",
        finding=finding,
        method=("Campaigns using the segment, ranked by conversion rate among members sent "
                "to (converted / sent), then by revenue."),
        severity="info",
    )


def segment_insights(conn: Connection, segment_id: int, today: date,
                     aside: Aside | None = None, viewer: CurrentUser | None = None
                     ) -> list[Insight]:
    """Every finding. With `aside` (other connections), the members' events (engagement)
    and their other segments (overlap) are read from the start, at the same time as the
    member pass, and a large segment's member pass is read in two contact-id halves at
    once (as the cards are, segment_metrics.split_point): on two cores the tab's
    statements then make two chains of about half its CPU each, where the member pass
    (0.8-0.9 s of CPU at 101,291 members on PostgreSQL) ran first and alone, and the
    lookalikes after it (P6)."""
    members = member_count(conn, segment_id)
    if members == 0:
        return [Insight(
            kind=InsightKind.NO_MEMBERS, title="No members yet",
            finding="This segment has no contacts, so there is nothing to analyse.",
            method="Counted current members.", severity="info",
        )]
    beside = (aside or here(conn))(lambda other: (
        engagement_change(other, segment_id, today, members),
        overlap(other, segment_id, members, viewer)))
    if aside is None or (middle := split_point(conn, segment_id, members)) is None:
        groups = member_groups(conn, segment_id, today)
    else:
        upper = aside(lambda other: member_groups(other, segment_id, today, from_id=middle))
        groups = merged_groups(member_groups(conn, segment_id, today, below_id=middle),
                               upper())
    quiet = gone_inactive(groups)
    alike = lookalikes(conn, segment_id, members, groups)
    quality = data_quality(conn, segment_id, groups)
    best = campaigns(conn, segment_id)
    engagement, shared = beside()
    found: list[Insight | None] = [engagement, quiet, alike, shared, quality, best]
    return [i for i in found if i is not None]
