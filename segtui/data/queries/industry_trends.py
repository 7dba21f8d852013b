"""SQL for industry value trends (C22.5). Formulas: docs/metrics.md, "Industry value trends".

One grouped statement: the conversions of the period, each with its contact's company's
industry, counted and summed per (industry, month). The conversions are read with their
time, contact and revenue from the partial index `ix_events_conversions` alone (a
conversion is about 2% of the events; the type is named as a literal so both engines see
that the partial index applies: segment_performance.CONVERTED), each contact looked up by
its primary key and its company by its own. SQLite, which keeps no statistics in
segtui's databases, preferred `ix_events_type_time_contact` (an equality and a range
against a range alone) and read each conversion's revenue from the table: 2.5 s instead
of 0.6 s at a million contacts. So on SQLite the events are read `INDEXED BY` it
(`CONVERSIONS_INDEX`); PostgreSQL plans from its statistics.

The month of an event is counted, not computed with a date function: how many of the
period's month starts (the second month's first midnight onward) it is at or after, one
comparison per month with the same bound datetimes on both engines. SQLite keeps
datetimes as ISO text and PostgreSQL as timestamps; both compare them with the bounds
the way every other window of the app does (segment_performance.in_window), so an event
at 23:59:59 on a month's last day is in that month on both, and no engine's date
functions (strftime on text, date_trunc on timestamps) can disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, Integer, case, cast, func, literal, select

from segtui.data.db.indexed import sqlite_indexed
from segtui.data.db.tables import Company, Contact, EngagementEvent
from segtui.data.queries.segment_performance import CONVERTED

# (industry as stored or None, month index from 0, transactions, revenue in cents)
TrendRow = tuple[str | None, int, int, int]


# `events AS conversions`, read on SQLite through ix_events_conversions (the module's
# docstring). A query on it must name `type = 'converted'` as a literal: SQLite refuses
# to run it otherwise ("no query solution"), rather than scanning.
CONVERSIONS_INDEX = "ix_events_conversions"


def month_index(occurred_at: ColumnElement[datetime], bounds: Sequence[datetime]
                ) -> ColumnElement[int]:
    """0 for the first month of the period, 1 for the second, ...: the number of `bounds`
    (each later month's first midnight, oldest first) at or before the event."""
    if not bounds:
        return cast(literal(0), Integer)
    return case(*((occurred_at >= bound, index)
                  for index, bound in reversed(list(enumerate(bounds, start=1)))),
                else_=0)


def industry_month_rows(conn: Connection, start: datetime, end: datetime,
                        bounds: Sequence[datetime]) -> list[TrendRow]:
    """C22.5.1: per industry and month of [start, end), the conversions and their revenue
    (an event without revenue counts as a transaction of 0, as Total Spent counts it).
    A contact without a company, or a company without an industry, gives None."""
    conversions = sqlite_indexed(EngagementEvent.__table__, "conversions", CONVERSIONS_INDEX)
    e, c, co = conversions.c, Contact, Company
    month = month_index(e.occurred_at, bounds).label("month")
    rows = conn.execute(
        select(co.industry, month, func.count(), func.coalesce(func.sum(e.revenue_cents), 0))
        .select_from(conversions)
        .join(c, c.id == e.contact_id)
        .outerjoin(co, co.id == c.company_id)
        .where(e.type == CONVERTED, e.occurred_at >= start, e.occurred_at < end)
        .group_by(co.industry, month))
    return [(industry, int(index), int(count), int(revenue))
            for industry, index, count, revenue in rows]
