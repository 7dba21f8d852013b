"""SQL for the rule builder's enter/leave diff (C20.6.1, C20.6.2): what saving an edited
rule would do to its segment's current members (core/rules/diff.py says who is on which
side).

One statement: the rule's matches are evaluated once, into the statement's own working set
(a materialised CTE), and each side is a set difference with the segment's current
memberships, read from an index of them keyed by segment (ix_memberships_segment, or the
current stays' partial uq_memberships_current: the planner's pick), hashed or sorted once,
not probed per row, as refresh._differs does. Each side comes back as its first names
(joined to `contacts` by primary key, in name order) with the side's whole count beside
every row (a window count, taken before the LIMIT); a side with no row counts 0.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import CTE, Connection, except_, func, literal, select, union_all

from segtui.core.enums import MembershipSource
from segtui.core.rules.diff import DIFF_SAMPLE, RuleDiff
from segtui.core.rules.tree import Node
from segtui.data.db.sql import current_membership
from segtui.data.db.tables import Contact, Membership, SegmentExclusion
from segtui.data.rules.compiler import compile_rule

ENTER, LEAVE = "enter", "leave"


def rule_diff(conn: Connection, segment_id: int, root: Node, today: date,
              sample: int = DIFF_SAMPLE) -> RuleDiff:
    """Who would enter and leave `segment_id` were its rule `root` (checked) saved today."""
    m, x = Membership, SegmentExclusion
    matches = (select(Contact.id.label("id")).where(compile_rule(root, today))
               .cte("rule_matches").prefix_with("MATERIALIZED"))
    members = (m.segment_id == segment_id, current_membership())
    entering = except_(
        select(matches.c.id),
        select(m.contact_id).where(*members),
        select(x.contact_id).where(x.segment_id == segment_id),  # removed by hand (D1.3)
    ).cte("entering")
    leaving = except_(
        select(m.contact_id).where(*members, m.source == MembershipSource.RULE),
        select(matches.c.id),
    ).cte("leaving")
    rows = conn.execute(union_all(_first(ENTER, entering, sample),
                                  _first(LEAVE, leaving, sample))).all()
    counts = {row.side: int(row.total) for row in rows}
    names = {side: tuple(str(r.name) for r in sorted(rows, key=lambda r: r.place)
                         if r.side == side)
             for side in (ENTER, LEAVE)}
    return RuleDiff(counts.get(ENTER, 0), counts.get(LEAVE, 0), names[ENTER], names[LEAVE])


def _first(side: str, ids: CTE, sample: int) -> Any:
    """The side's first `sample` contacts by name, each with the side's whole count."""
    first = (select(literal(side).label("side"), Contact.name.label("name"),
                    func.count().over().label("total"),
                    func.row_number().over(order_by=(Contact.name, Contact.id))
                    .label("place"))
             .join(ids, ids.c[0] == Contact.id)
             .order_by(Contact.name, Contact.id).limit(sample)
             .subquery())
    return select(first.c.side, first.c.name, first.c.total, first.c.place)
