"""Why is this contact here (D1.5.6): a contact's stay in a segment, whether it was added by
hand or kept out by hand, and each condition of the segment's rule, met or not.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Connection, case, func, select

from segtui.core.enums import MembershipSource
from segtui.core.formatting import dmy
from segtui.core.history import member_since, why_entered
from segtui.core.rules.language import format_rule
from segtui.core.rules.refresh import Explanation, MatchLine
from segtui.core.rules.tree import Group, Node
from segtui.data.db.sql import current_membership
from segtui.data.db.tables import Contact, Membership, SegmentExclusion, User
from segtui.data.rules.compiler import compile_rule
from segtui.data.rules.refresh import stored_rule


def explain(conn: Connection, segment_id: int, contact_id: int, today: date) -> Explanation:
    m = Membership
    stay = conn.execute(
        select(m.source, m.added_at, m.added_why, User.name.label("by"))
        .outerjoin(User, User.id == m.added_by_id)
        .where(m.segment_id == segment_id, m.contact_id == contact_id, current_membership())
    ).one_or_none()
    excluded = conn.execute(
        select(func.count()).select_from(SegmentExclusion)
        .where(SegmentExclusion.segment_id == segment_id,
               SegmentExclusion.contact_id == contact_id)
    ).scalar_one() > 0
    by_hand = None
    if stay is not None and stay.source == MembershipSource.MANUAL:
        who = f" by {stay.by}" if stay.by else ""
        by_hand = f"Added by hand{who} on {dmy(stay.added_at)}"
    root = stored_rule(conn, segment_id)
    lines: list[MatchLine] = []
    matches: bool | None = None
    if root is not None:
        nodes = list(_numbered(root))
        tests = [case((compile_rule(n, today), 1), else_=0) for _, n in nodes]
        row = conn.execute(select(*tests).where(Contact.id == contact_id)).one_or_none()
        if row is not None:
            for (level, node), hit in zip(nodes, row, strict=True):
                lines.append(MatchLine(level, _describe(node), bool(hit)))
            matches = lines[0].matched
    since = None
    if stay is not None:
        since = member_since(stay.added_at, why_entered(stay.added_why, stay.source), stay.by)
    return Explanation(stay is not None, by_hand, excluded, tuple(lines), matches, since)


def _numbered(node: Node, level: int = 0) -> Iterable[tuple[int, Node]]:
    yield level, node
    if isinstance(node, Group):
        for child in node.children:
            yield from _numbered(child, level + 1)


def _describe(node: Node) -> str:
    if isinstance(node, Group):
        word = "all" if node.joiner.value == "and" else "any"
        negation = "none of" if node.negated and word == "any" else (
            "not all of" if node.negated else f"{word} of")
        return f"{negation} the {len(node.children)} below"
    return format_rule(Group(children=(node,)))
