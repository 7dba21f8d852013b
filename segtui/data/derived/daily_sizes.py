"""`segment_daily_sizes` (C20.1.3): each segment's members at the end of each closed day,
and who entered and left that day, filled from the stays.

Filled when asked (a size history read, a prune), never by the writes: the stays are the
exact log, so a day once closed never changes, and the refresh of every segment writes
nothing more for it (its budget, C20.1.5). Filling continues from the last day kept: a
segment's first fill reads its stays once, grouped by day; later fills read only the days
since. A prune fills first, so the days it removes stays from are kept as sizes (C20.1.4).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, insert, select

from segtui.core.history import DailySize
from segtui.data.db.tables import Membership, Segment, SegmentDailySize


def _day(value: object) -> date:
    """`date(...)` answers a string on SQLite and a date on PostgreSQL."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())


def _per_day(conn: Connection, segment_id: int, at: ColumnElement[Any],
             start: date, through: date) -> dict[date, int]:
    """How many stays began (or ended: `at`) on each day from `start` to `through`."""
    day = func.date(at)
    rows = conn.execute(
        select(day, func.count())
        .where(Membership.segment_id == segment_id, at >= _midnight(start),
               at < _midnight(through + timedelta(days=1)))
        .group_by(day))
    return {_day(d): int(n) for d, n in rows}


def fill(conn: Connection, segment_id: int, through: date, *, keep: bool = True
         ) -> list[DailySize]:
    """The segment's sizes for the days after the last kept (or from its first day) up to
    `through` (a closed day: yesterday or earlier), kept unless `keep` is false (a login
    that may only read: they are computed each time instead)."""
    s = SegmentDailySize
    last = conn.execute(select(s.day, s.members).where(s.segment_id == segment_id)
                        .order_by(s.day.desc()).limit(1)).first()
    if last is not None:
        start, members = _day(last.day) + timedelta(days=1), int(last.members)
    else:
        created = conn.execute(select(Segment.created_at).where(Segment.id == segment_id)
                               ).scalar()
        first = conn.execute(select(func.min(Membership.added_at))
                             .where(Membership.segment_id == segment_id)).scalar()
        known = [d.date() if isinstance(d, datetime) else _day(d)
                 for d in (created, first) if d is not None]
        if not known:
            return []  # gone, or never had a stay nor a date
        start, members = min(known), 0
    if start > through:
        return []
    entered = _per_day(conn, segment_id, Membership.added_at, start, through)
    left = _per_day(conn, segment_id, Membership.removed_at, start, through)
    days: list[DailySize] = []
    day = start
    while day <= through:
        came, went = entered.get(day, 0), left.get(day, 0)
        members += came - went
        days.append(DailySize(day, members, came, went))
        day += timedelta(days=1)
    if keep:
        conn.execute(insert(s), [{"segment_id": segment_id, "day": d.day,
                                  "members": d.members, "entered": d.entered,
                                  "left": d.left} for d in days])
    return days


def sizes(conn: Connection, segment_id: int, start: date, through: date) -> list[DailySize]:
    """The kept days from `start` to `through`, oldest first."""
    s = SegmentDailySize
    return [DailySize(_day(r.day), int(r.members), int(r.entered), int(r.left))
            for r in conn.execute(
                select(s.day, s.members, s.entered, s.left)
                .where(s.segment_id == segment_id, s.day >= start, s.day <= through)
                .order_by(s.day))]


def fill_all(conn: Connection, segment_ids: Sequence[int], through: date) -> None:
    for segment_id in segment_ids:
        fill(conn, segment_id, through)
