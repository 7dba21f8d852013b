"""The members of a segment in groups (company size, lead status, quality score) for the AI
Insights tab, and the findings summed from them: members gone quiet, member data quality.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import ColumnElement, Connection, and_, case, exists, func, not_, or_, select

from segtui.core.enums import ACTION_EVENTS, EventType
from segtui.core.formatting import plural
from segtui.core.insights import Insight, InsightKind, MemberCheck, data_quality_method
from segtui.core.metrics import Window, last_days
from segtui.data.db.sql import current_membership, over_members, planned_for_members
from segtui.data.db.tables import Company, Contact, EngagementEvent, Membership
from segtui.data.derived.completeness import valid_email
from segtui.data.queries.shared_emails import shared_emails

INACTIVE_DAYS = 60  # the Segment Health threshold (R7.7)


@dataclass(frozen=True)
class MemberGroup:
    """Current members sharing a company size, a lead status and a quality score, with
    what the findings count of them. One pass over the members gives these groups (at most
    4 x 6 x 101); the profile, the member data quality and "gone quiet" are sums of them."""

    size: str | None
    status: str | None
    score: int
    members: int
    no_email: int
    invalid_email: int
    no_phone: int
    gone_quiet: int


def member_groups(conn: Connection, segment_id: int, today: date, *,
                  from_id: int | None = None, below_id: int | None = None
                  ) -> list[MemberGroup]:
    """The members in groups (see MemberGroup), in one pass over the segment's members'
    contacts (those with `from_id <= contact id < below_id` where given).
    Before, five passes (the count, each profile trait, the average score, the data
    quality counts) and a correlated probe of the events per member for "gone quiet"
    (P7)."""
    c = Contact
    no_email = or_(c.email.is_(None), func.trim(c.email) == "")
    columns = (
        func.count(),
        _sum_of(case((no_email, 1), else_=0)),
        _sum_of(case((and_(not_(no_email), not_(valid_email(c.email))), 1), else_=0)),
        _sum_of(case((or_(c.phone.is_(None), func.trim(c.phone) == ""), 1), else_=0)),
        _sum_of(_gone_quiet(today)),
    )
    # PostgreSQL seeks the members' contacts with their ids as one array (over_members),
    # planned for many rows (planned_for_members): joined, it hashed the members and read
    # all 1M contacts for each half; with the array alone it guessed 10 members, sought
    # `companies` once per member and sorted them to group (P7).
    with planned_for_members(conn):
        rows = conn.execute(
            over_members(conn, select(Company.size, c.lead_status, c.quality_score, *columns),
                         segment_id, from_id=from_id, below_id=below_id)
            .outerjoin(Company, Company.id == c.company_id)
            .group_by(Company.size, c.lead_status, c.quality_score)
        ).all()
    return [MemberGroup(None if size is None else str(size),
                        None if status is None else str(status), int(score),
                        *(int(v) for v in figures))
            for size, status, score, *figures in rows]


def merged_groups(*parts: list[MemberGroup]) -> list[MemberGroup]:
    """Groups of disjoint sets of members (the halves of a segment) as one set's groups."""
    found: dict[tuple[str | None, str | None, int], MemberGroup] = {}
    for part in parts:
        for g in part:
            key = (g.size, g.status, g.score)
            had = found.get(key)
            found[key] = g if had is None else replace(
                had, members=had.members + g.members, no_email=had.no_email + g.no_email,
                invalid_email=had.invalid_email + g.invalid_email,
                no_phone=had.no_phone + g.no_phone, gone_quiet=had.gone_quiet + g.gone_quiet)
    return list(found.values())


def _sum_of(value: ColumnElement[int]) -> ColumnElement[int]:
    return func.coalesce(func.sum(value), 0)


def _gone_quiet(today: date) -> ColumnElement[int]:
    """1 for a member who acted in the INACTIVE_DAYS before the last INACTIVE_DAYS, not
    since, and never unsubscribed; else 0.

    Read from `contacts.last_activity_at`, the newest action (a trigger-kept rollup,
    data/derived/rollups.py): a member whose newest action falls in the earlier window acted there
    and not since; one whose newest action is in the recent window, or before the earlier
    one, or who never acted, is not quiet. Only a member with an action dated after today
    is asked of `events` (as every member was before). Only the quiet ones are asked
    whether they unsubscribed, so the events are hardly read at all."""
    e = EngagementEvent
    c = Contact
    recent = last_days(today, INACTIVE_DAYS)
    earlier = recent.previous()

    def acted_in(window: Window) -> ColumnElement[bool]:
        return exists().where(e.contact_id == c.id, e.type.in_(ACTION_EVENTS),
                              e.occurred_at >= window.start, e.occurred_at < window.end)

    subscribed = not_(exists().where(e.contact_id == c.id, e.type == EventType.UNSUBSCRIBED))
    # CASE, not AND: SQLite evaluates both sides of AND inside an aggregate.
    return case(
        (c.last_activity_at >= recent.end,
         case((and_(acted_in(earlier), not_(acted_in(recent)), subscribed), 1), else_=0)),
        (c.last_activity_at >= recent.start, 0),
        (c.last_activity_at >= earlier.start, case((subscribed, 1), else_=0)),
        else_=0)  # before the earlier window, or NULL: never acted


def gone_inactive(groups: list[MemberGroup]) -> Insight:
    count = sum(g.gone_quiet for g in groups)
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


def data_quality(conn: Connection, segment_id: int, groups: list[MemberGroup]) -> Insight:
    missing = sum(g.no_email for g in groups)
    invalid = sum(g.invalid_email for g in groups)
    no_phone = sum(g.no_phone for g in groups)
    dupes = shared_email_members(conn, segment_id)
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


def shared_email_members(conn: Connection, segment_id: int) -> int:
    """Current members sharing their email with another contact (data/queries/shared_emails.py):
    none, from one seek in an empty index, unless another program wrote contacts without
    their email key; then those contacts' holders are probed for membership."""
    shared = shared_emails(conn)
    if not shared.keyless:
        return 0
    return int(conn.execute(
        select(func.count()).select_from(Contact)
        .where(shared.holders(shared.keys),
               exists().where(Membership.contact_id == Contact.id,
                              Membership.segment_id == segment_id, current_membership()))
    ).scalar_one())
