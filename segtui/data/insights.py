"""SQL behind the AI Insights tab: deterministic findings about one segment.

Each finding is an aggregate query plus wording (`segtui.core.insights`). Nothing is
sampled or guessed, and nothing leaves the machine; the same data on the same day gives the
same text. Thresholds are named constants so the method text can state them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    exists,
    func,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from segtui.core.analytics import money
from segtui.core.contacts import ContactFilter
from segtui.core.enums import ACTION_EVENTS, ENGAGEMENT_EVENTS, CompanySize, EventType, LeadStatus
from segtui.core.formatting import plural, point_change
from segtui.core.insights import (
    Insight,
    InsightAction,
    InsightKind,
    MemberCheck,
    Severity,
    data_quality_method,
    pct,
    quoted,
)
from segtui.core.metrics import CampaignPerformance, SegmentMetrics, Window, last_days, percent
from segtui.data.completeness import valid_email
from segtui.data.contact_list import count_contacts, filter_conditions
from segtui.data.models import Company, Contact, EngagementEvent, Membership, Segment
from segtui.data.segment_metrics import campaign_performance
from segtui.data.sql import casefold, current_membership, member_count, member_ids

INACTIVE_DAYS = 60  # the Segment Health threshold (spec 7.7)
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
        .where(e.contact_id.in_(member_ids(segment_id)), e.type.in_(ENGAGEMENT_EVENTS),
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


def gone_inactive(conn: Connection, segment_id: int, today: date) -> Insight:
    e = EngagementEvent
    recent = last_days(today, INACTIVE_DAYS)
    earlier = recent.previous()

    # Correlated EXISTS per member: each is a seek on ix_events_contact (contact, type,
    # time), so the cost follows the segment's size, not the whole events table.
    def acted_in(window: Window) -> ColumnElement[bool]:
        return exists().where(e.contact_id == Membership.contact_id,
                              e.type.in_(ACTION_EVENTS), e.occurred_at >= window.start,
                              e.occurred_at < window.end)

    unsubscribed = exists().where(e.contact_id == Membership.contact_id,
                                  e.type == EventType.UNSUBSCRIBED)
    count = int(conn.execute(
        select(func.count()).select_from(Membership).where(
            Membership.segment_id == segment_id, current_membership(),
            acted_in(earlier), not_(acted_in(recent)), not_(unsubscribed),
        )
    ).scalar_one())
    return Insight(
        kind=InsightKind.GONE_INACTIVE,
        title=("No members went quiet" if count == 0
               else f"{plural(count, 'member')} went quiet"),
        finding=(f"{plural(count, 'member')} acted in the {INACTIVE_DAYS} days before the "
                 f"last {INACTIVE_DAYS} but not since (and did not unsubscribe)."
                 + (" A re-engagement touch may win them back." if count else "")),
        method=(f"Members with an action (any event except sent and unsubscribed) between "
                f"{2 * INACTIVE_DAYS} and {INACTIVE_DAYS} days ago and none in the last "
                f"{INACTIVE_DAYS} days, unsubscribed members excluded."),
        severity="warning" if count else "good",
    )


def _dominant(conn: Connection, segment_id: int, column: object,
              members: int) -> tuple[str, int] | None:
    """The most common value of `column` among members, if at least PROFILE_SHARE % share
    it (ties go to the alphabetically first value, so the result is stable)."""
    query = (
        select(column, func.count().label("n"))  # type: ignore[call-overload]
        .select_from(Membership)
        .join(Contact, Contact.id == Membership.contact_id)
        .outerjoin(Company, Company.id == Contact.company_id)
        .where(Membership.segment_id == segment_id, current_membership(),
               column.is_not(None))  # type: ignore[attr-defined]
        .group_by(column)
        .order_by(func.count().desc(), column)
        .limit(1)
    )
    row = conn.execute(query).first()
    if row is None or percent(int(row[1]), members) < PROFILE_SHARE:
        return None
    return str(row[0]), int(row[1])


def lookalikes(conn: Connection, segment_id: int, members: int) -> Insight:
    size = _dominant(conn, segment_id, Company.size, members)
    status = _dominant(conn, segment_id, Contact.lead_status, members)
    avg_quality = conn.execute(
        select(func.avg(Contact.quality_score))
        .join(Membership, Membership.contact_id == Contact.id)
        .where(Membership.segment_id == segment_id, current_membership())
    ).scalar_one()
    floor = int(Decimal(str(avg_quality or 0)))
    flt = ContactFilter(
        size=CompanySize(size[0]) if size else None,
        status=LeadStatus(status[0]) if status else None,
        score=(floor, 100),
        not_in_segment=segment_id,
    )
    count = count_contacts(conn, flt)
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


def overlap(conn: Connection, segment_id: int, members: int) -> Insight:
    mine, theirs = aliased(Membership), aliased(Membership)
    rows = conn.execute(
        select(Segment.id, Segment.name, func.count().label("shared"))
        .select_from(mine)
        .join(theirs, and_(theirs.contact_id == mine.contact_id,
                           theirs.segment_id != mine.segment_id,
                           theirs.removed_at.is_(None)))
        .join(Segment, Segment.id == theirs.segment_id)
        .where(mine.segment_id == segment_id, mine.removed_at.is_(None))
        .group_by(Segment.id, Segment.name)
        .order_by(func.count().desc(), Segment.name, Segment.id)
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


def data_quality(conn: Connection, segment_id: int, members: int) -> Insight:
    c = Contact
    no_email = or_(c.email.is_(None), func.trim(c.email) == "")
    # Emails held by more than one contact, found in one grouped pass over contacts (a
    # per-member lookup of a case-folded email has no index to seek).
    shared = (
        select(casefold(Contact.email).label("key"))
        .where(Contact.email.is_not(None), func.trim(Contact.email) != "")
        .group_by(casefold(Contact.email))
        .having(func.count() > 1)
    )
    duplicate = casefold(c.email).in_(shared)
    row = conn.execute(
        select(
            func.count().filter(no_email),
            func.count().filter(and_(not_(no_email), not_(valid_email(c.email)))),
            func.count().filter(or_(c.phone.is_(None), func.trim(c.phone) == "")),
            func.count().filter(and_(not_(no_email), duplicate)),
        )
        .select_from(Membership)
        .join(c, c.id == Membership.contact_id)
        .where(Membership.segment_id == segment_id, current_membership())
    ).one()
    missing, invalid, no_phone, dupes = (int(v) for v in row)
    problems = [(missing, "without an email", MemberCheck.NO_EMAIL),
                (invalid, "with an invalid email", MemberCheck.INVALID_EMAIL),
                (dupes, "sharing their email with another contact", MemberCheck.SHARED_EMAIL),
                (no_phone, "without a phone", MemberCheck.NO_PHONE)]
    found = [f"{plural(n, 'member')} {text}" for n, text, _ in problems if n]
    return Insight(
        kind=InsightKind.DATA_QUALITY,
        title=("Member data looks clean" if not found
               else f"{plural(sum(n for n, _, _ in problems[:3]), 'email problem')}"
               if any(n for n, _, _ in problems[:3]) else "Some members lack a phone"),
        finding=("Every member has a valid, unique email and a phone." if not found
                 else "; ".join(found).capitalize() + "."),
        method=data_quality_method([check for n, _, check in problems if n]),
        severity="warning" if any(n for n, _, _ in problems[:3]) else
        "info" if found else "good",
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


def segment_insights(conn: Connection, segment_id: int, today: date) -> list[Insight]:
    members = member_count(conn, segment_id)
    if members == 0:
        return [Insight(
            kind=InsightKind.NO_MEMBERS, title="No members yet",
            finding="This segment has no contacts, so there is nothing to analyse.",
            method="Counted current members.", severity="info",
        )]
    found: list[Insight | None] = [
        engagement_change(conn, segment_id, today, members),
        gone_inactive(conn, segment_id, today),
        lookalikes(conn, segment_id, members),
        overlap(conn, segment_id, members),
        data_quality(conn, segment_id, members),
        campaigns(conn, segment_id),
    ]
    return [i for i in found if i is not None]

