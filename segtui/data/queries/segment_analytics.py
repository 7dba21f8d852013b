"""SQL for the Analytics tab (R7.8); the Performance tab's is in segment_performance.py.

Every function aggregates in the database (one or two statements, conditional aggregation
over fixed windows computed in Python) and returns small records of
`segtui.core.analytics`; no per-member rows cross to Python. The same statements run on
SQLite and PostgreSQL. Formulas: docs/metrics.md.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import ColumnElement, Connection, and_, case, func, literal, or_, select

from segtui.core.analytics import (
    SCORE_CAP,
    SCORE_POINTS,
    AnalyticsReport,
    RegionFigures,
    Series,
    month_windows,
    week_windows,
)
from segtui.core.enums import CompanySize
from segtui.data.db.sql import (
    Aside,
    here,
    member_count,
    member_of,
    over_members,
    planned_for_members,
)
from segtui.data.db.tables import Company, Contact, EngagementEvent, Membership
from segtui.data.queries.segment_performance import in_window, sum_of

UNKNOWN = "Unknown"
Column = ColumnElement[str | None]


# -- Analytics (7.8) -----------------------------------------------------------------------


def contact_growth(conn: Connection, segment_id: int, today: date) -> Series:
    """Members at the end of each of the last 6 months (today for the current month),
    from membership history: added before that moment and not removed by then; and how
    many entered and left within each month (C20.2.1), in the same pass."""
    m = Membership
    months = month_windows(today)

    def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    columns = []
    for _, window in months:
        columns += [
            count(and_(m.added_at < window.end,
                       or_(m.removed_at.is_(None), m.removed_at >= window.end))),
            count(and_(m.added_at >= window.start, m.added_at < window.end)),
            count(and_(m.removed_at >= window.start, m.removed_at < window.end)),
        ]
    row = conn.execute(select(*columns).where(m.segment_id == segment_id)).one()
    return Series([label for label, _ in months],
                  {"Members": [float(v) for v in row[0::3]],
                   "Entered": [float(v) for v in row[1::3]],
                   "Left": [float(v) for v in row[2::3]]})


def member_traits(conn: Connection, segment_id: int) -> list[tuple[str, str, int, int]]:
    """(region, company size, members, their revenue in cents) per region and size, regions
    in the database's order, from one pass over the members' contacts. The revenue is the
    `spent_cents` rollup (the revenue of each contact's `converted` events): the members'
    events were read and grouped for it, and the contacts read twice (P7)."""
    region = func.coalesce(func.nullif(func.trim(Contact.region), ""), literal(UNKNOWN))
    # Planned for many members (planned_for_members): for the 10 PostgreSQL guesses, it
    # sought `companies` once per member and sorted the members to group them (P7).
    # The groups are ordered outside the grouping: ordered with it, the members were
    # sorted to group them in that order, sorts off or not.
    traits = (over_members(conn, select(region.label("region"), Company.size.label("size"),
                                        func.count().label("members"),
                                        sum_of(Contact.spent_cents).label("cents")),
                           segment_id)
              .outerjoin(Company, Company.id == Contact.company_id)
              .group_by(region, Company.size)
              .subquery("traits"))
    with planned_for_members(conn):
        rows = conn.execute(select(traits).order_by(traits.c.region)).all()
    return [(str(r), str(size) if size else UNKNOWN, int(n), int(cents))
            for r, size, n, cents in rows]


def company_size_distribution(traits: list[tuple[str, str, int, int]]
                              ) -> list[tuple[str, int]]:
    """Members per company size, Enterprise, Mid-Market, SMB, then Unknown if any."""
    counts: dict[str, int] = {}
    for _, size, n, _ in traits:
        counts[size] = counts.get(size, 0) + n
    out = [(size.value, counts.pop(size.value, 0)) for size in CompanySize]
    if counts.get(UNKNOWN):
        out.append((UNKNOWN, counts[UNKNOWN]))
    return out


def geographic_distribution(traits: list[tuple[str, str, int, int]]) -> list[RegionFigures]:
    """Members and their conversion revenue per region, most members first (ties in the
    database's order of the region names, as before)."""
    regions: dict[str, list[int]] = {}
    for region, _, n, cents in traits:
        figures = regions.setdefault(region, [0, 0])
        figures[0] += n
        figures[1] += cents
    ordered = sorted(regions.items(), key=lambda item: -item[1][0])  # stable
    return [RegionFigures(region, n, cents) for region, (n, cents) in ordered]


def weekly_engagement_score(conn: Connection, segment_id: int, today: date,
                            members: int | None = None,
                            totals: list[int] | None = None) -> Series:
    """Per week (last 6 seven-day weeks): the mean over current members of each member's
    score that week, min(100, points), points = 10 per open, 20 per click, 30 per response,
    40 per meeting, 50 per conversion. Members without events score 0."""
    if totals is None:
        totals = weekly_score_totals(conn, segment_id, today)
    if members is None:
        members = member_count(conn, segment_id)
    tenth = Decimal("0.1")
    values = [float((Decimal(total) / members).quantize(tenth, ROUND_HALF_UP))
              if members else 0.0 for total in totals]
    return Series([label for label, _ in week_windows(today)], {"Score": values})


def weekly_score_totals(conn: Connection, segment_id: int, today: date) -> list[int]:
    """Per week, the sum over members of each member's capped score that week."""
    e = EngagementEvent
    weeks = week_windows(today)
    points = case(
        *((e.type == kind, value) for kind, value in SCORE_POINTS.items()), else_=0
    )
    per_member = (
        select(*(
            func.sum(case((in_window(window), points), else_=0)).label(f"w{n}")
            for n, (_, window) in enumerate(weeks)
        ))
        .where(member_of(conn, e.contact_id, segment_id),
               e.occurred_at >= weeks[0][1].start, e.occurred_at < weeks[-1][1].end)
        .group_by(e.contact_id)
        .subquery("per_member")
    )
    capped = [
        func.coalesce(func.sum(case((column > SCORE_CAP, SCORE_CAP), else_=column)), 0)
        for column in per_member.c
    ]
    return [int(total) for total in conn.execute(select(*capped)).one()]


# -- one call per tab ----------------------------------------------------------------------


def analytics_report(conn: Connection, segment_id: int, today: date,
                     aside: Aside | None = None) -> AnalyticsReport:
    """The tab's statements, the weekly scores beside the others when `aside` gives
    another connection."""
    weekly = (aside or here(conn))(lambda other: weekly_score_totals(other, segment_id, today))
    traits = member_traits(conn, segment_id)
    growth = contact_growth(conn, segment_id, today)
    return AnalyticsReport(
        growth=growth,
        company_sizes=company_size_distribution(traits),
        regions=geographic_distribution(traits),
        weekly_score=weekly_engagement_score(conn, segment_id, today,
                                             sum(n for _, _, n, _ in traits), weekly()),
    )
