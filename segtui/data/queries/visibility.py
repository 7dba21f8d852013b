"""Which segments a user sees (C19.3.2): one SQL condition, `visible_to(viewer)`, that
every query listing, counting or opening segments adds to its WHERE.

A segment is visible to a user who
- may see every segment (a CRM Administrator: `Permission.ALL_SEGMENTS`), or
- owns it, or
- is not in its hidden-from list (`segment_hidden_from`) and its visibility is Everyone,
  or Owner's team with the owner's team (not NULL) equal to the user's.
A segment without an owner that is Private or Owner's team is seen by administrators only.

`viewer` None is segtui itself acting for nobody (a migration, the tests' fixtures): it
sees everything. The Store reads as the user it acts for (`Database.viewer`, set by
`Users.current_user`); the writes check the user who asks (`require_visible`).

Cost (P): the hidden-from test is a NOT EXISTS on its primary key (segment_id, user_id),
and the team test a lookup of the owner's row by primary key beside one of the viewer's
team; both are per segment, and the dashboard's 1,000 segments make 1,000 probes of each.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Connection, and_, exists, or_, select, true

from segtui.core.enums import Visibility
from segtui.core.permissions import CurrentUser, Permission
from segtui.data.db.tables import Segment, User, segment_hidden_from

if TYPE_CHECKING:  # a read command checks no rule: it need not load their checking
    from segtui.core.rules.check import SegmentLookup


def sees_everything(viewer: CurrentUser | None) -> bool:
    return viewer is None or viewer.may(Permission.ALL_SEGMENTS)


def visible_to(viewer: CurrentUser | None) -> ColumnElement[bool]:
    """The segments (the `segments` table in the enclosing query) `viewer` sees."""
    if sees_everything(viewer):
        return true()
    assert viewer is not None
    return seen_by_user(viewer.id)


def seen_by_user(user_id: ColumnElement[int] | int) -> ColumnElement[bool]:
    """The segments a user who may not see every segment sees; `user_id` may be a bound
    parameter, for a statement built once and run for any such user (the API's GET,
    C21.1.13)."""
    # Aliases of their own: a query that joins `users` itself (the owner's name) must
    # not have these correlated to its row.
    hidden = segment_hidden_from.alias("seen_hidden").c
    owner, me = User.__table__.alias("seen_owner").c, User.__table__.alias("seen_me").c
    not_hidden = ~exists(select(1).where(hidden.segment_id == Segment.id,
                                         hidden.user_id == user_id))
    my_team = select(me.team).where(me.id == user_id).scalar_subquery()
    owners_team = exists(select(1).where(owner.id == Segment.owner_id,
                                         owner.team.is_not(None), owner.team == my_team))
    return or_(
        Segment.owner_id == user_id,
        and_(not_hidden, or_(Segment.visibility == Visibility.EVERYONE,
                             and_(Segment.visibility == Visibility.TEAM, owners_team))),
    )


def seen_lookup(conn: Connection, every: SegmentLookup, viewer: CurrentUser | None
                ) -> SegmentLookup:
    """`every` segment's names as `viewer` sees them, for checking a rule they write ("in
    segment X"): a segment hidden from them is no segment's name. Its references stay
    whole: a cycle through a hidden segment is still one."""
    from segtui.core.rules.check import SegmentLookup

    if sees_everything(viewer):
        return every
    seen = set(conn.execute(select(Segment.id).where(visible_to(viewer))).scalars())
    return SegmentLookup(
        id_of=lambda name: found if (found := every.id_of(name)) in seen else None,
        name_of=lambda sid: every.name_of(sid) if sid in seen else None,
        references=every.references,
    )


def is_visible(conn: Connection, segment_id: int, viewer: CurrentUser | None) -> bool:
    """Whether the segment exists and `viewer` sees it."""
    return conn.execute(
        select(Segment.id).where(Segment.id == segment_id, visible_to(viewer))
    ).first() is not None


def require_visible(conn: Connection, segment_id: int, user: CurrentUser | None) -> None:
    """SegmentNotFound unless `user` sees the segment: a write asked of a segment the user
    cannot see is refused as one of a segment that does not exist (nothing of it leaks)."""
    if not is_visible(conn, segment_id, user):
        from segtui.core.segments import SegmentNotFound  # the refusal only (P12)

        raise SegmentNotFound(segment_id)
