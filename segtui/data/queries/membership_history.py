"""Reading membership history (C20.1-C20.3): a segment's entries and exits, paged from
SQL; a contact's stays in a segment; and a period's stability and migration.

A stay's entry is its `added_at`, its exit its `removed_at`; the reason is the one kept
with it, else told by its source and by who ended it (core/history.py, `why_entered` and
`why_left`, written here in SQL so a filter on it runs in the database).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    tuple_,
    union_all,
)

from segtui.core.history import (
    TOP_MOVES,
    Direction,
    HistoryFilter,
    HistoryPage,
    MembershipChange,
    Move,
    Stability,
    Why,
)
from segtui.core.permissions import CurrentUser
from segtui.data.db.tables import Contact, Membership, Segment, User
from segtui.data.queries.visibility import visible_to

m = Membership


def entered_why() -> ColumnElement[str]:
    return func.coalesce(m.added_why, m.source)


def left_why() -> ColumnElement[str]:
    return func.coalesce(m.left_why, case((m.removed_by_id.is_(None), Why.RULE.value),
                                          else_=Why.MANUAL.value))


def _moves(segment_id: int, wanted: HistoryFilter) -> Any:
    """Every entry and exit of the segment that `wanted` keeps, as one set of rows."""
    start, end = wanted.bounds()
    parts: list[Select[*tuple[Any, ...]]] = []
    for direction, at, why, by in (
            (Direction.ENTERED, m.added_at, entered_why(), m.added_by_id),
            (Direction.LEFT, m.removed_at, left_why(), m.removed_by_id)):
        if wanted.direction not in (None, direction):
            continue
        where: list[ColumnElement[bool]] = [m.segment_id == segment_id, at.is_not(None)]
        if start is not None:
            where.append(at >= start)
        if end is not None:
            where.append(at < end)
        if wanted.why is not None:
            where.append(why == wanted.why.value)
        if wanted.contact_id is not None:
            where.append(m.contact_id == wanted.contact_id)
        parts.append(select(at.label("at"), m.id.label("stay"),
                            literal(direction.value).label("direction"),
                            m.contact_id.label("contact_id"), why.label("why"),
                            by.label("by_id")).where(*where))
    if not parts:
        return None
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("moves")


def changes_page(conn: Connection, segment_id: int, wanted: HistoryFilter,
                 after: tuple[datetime, int, str] | None, limit: int) -> HistoryPage:
    """The newest `limit` changes older than `after` (a page's last key), newest first."""
    moves = _moves(segment_id, wanted)
    if moves is None:
        return HistoryPage((), False)
    statement = (
        select(moves.c.at, moves.c.stay, moves.c.direction, moves.c.contact_id,
               moves.c.why, Contact.name, Contact.email, User.name.label("by"))
        .join(Contact, Contact.id == moves.c.contact_id)
        .outerjoin(User, User.id == moves.c.by_id)
        .order_by(moves.c.at.desc(), moves.c.stay.desc(), moves.c.direction.desc())
        .limit(limit + 1))
    if after is not None:
        statement = statement.where(
            tuple_(moves.c.at, moves.c.stay, moves.c.direction) < tuple_(*after))
    rows = conn.execute(statement).all()
    changes = tuple(
        MembershipChange(at=r.at, direction=Direction(r.direction), contact_id=r.contact_id,
                         contact_name=r.name, email=r.email or "", why=Why(r.why), by=r.by,
                         key=(r.at, r.stay, r.direction))
        for r in rows[:limit])
    return HistoryPage(changes, len(rows) > limit)


def _member_at(at: datetime) -> ColumnElement[bool]:
    return and_(m.added_at <= at, or_(m.removed_at.is_(None), m.removed_at > at))


def stability(conn: Connection, segment_id: int, start: datetime, end: datetime,
              viewer: CurrentUser | None) -> Stability:
    """The segment over [start, end] (C20.3.1), in four statements."""
    first = (select(m.contact_id).where(m.segment_id == segment_id, _member_at(start))
             .cte("first"))
    last = (select(m.contact_id).where(m.segment_id == segment_id, _member_at(end))
            .cte("last"))
    counts = conn.execute(select(
        select(func.count()).select_from(first).scalar_subquery(),
        select(func.count()).select_from(last).scalar_subquery(),
        select(func.count()).select_from(first)
        .where(first.c.contact_id.in_(select(last.c.contact_id))).scalar_subquery(),
    )).one()
    at_start, at_end, stayed = (int(v) for v in counts)
    leavers = select(first.c.contact_id).where(first.c.contact_id.not_in(
        select(last.c.contact_id)))
    entrants = select(last.c.contact_id).where(last.c.contact_id.not_in(
        select(first.c.contact_id)))
    o = Membership.__table__.alias("o")
    went_to = _top(conn, o, o.c.contact_id.in_(leavers),
                   and_(o.c.added_at > start, o.c.added_at <= end), segment_id, viewer)
    came_from = _top(conn, o, o.c.contact_id.in_(entrants),
                     and_(o.c.removed_at > start, o.c.removed_at <= end), segment_id, viewer)
    return Stability(start=start, end=end, members_at_start=at_start,
                     members_at_end=at_end, stayed=stayed, left=at_start - stayed,
                     entered=at_end - stayed, went_to=went_to, came_from=came_from)


def _top(conn: Connection, o: Any, who: ColumnElement[bool], when: ColumnElement[bool],
         segment_id: int, viewer: CurrentUser | None) -> tuple[Move, ...]:
    """The other segments (that `viewer` sees) the contacts `who` entered (or left:
    `when`) within the period, with how many of them, largest first."""
    contacts = func.count(o.c.contact_id.distinct()).label("contacts")
    rows = conn.execute(
        select(Segment.id, Segment.name, contacts)
        .select_from(o).join(Segment, Segment.id == o.c.segment_id)
        .where(o.c.segment_id != segment_id, who, when, visible_to(viewer))
        .group_by(Segment.id, Segment.name)
        .order_by(contacts.desc(), Segment.name).limit(TOP_MOVES))
    return tuple(Move(int(r.id), str(r.name), int(r.contacts)) for r in rows)
