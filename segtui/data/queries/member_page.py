"""Which of a segment's members are on a page of its member list, by the plan the segment's
density calls for (P5).

The member list (the detail screen's Contacts tab; the contact picker filtered to a
segment) is sorted by name, ties by id, and paged by keyset. The contacts on a page can be
found two ways, and which is fast depends on how much of the contact list the segment is:

- sparse: walk the segment's memberships (`ix_memberships_segment`), look each contact up
  by key, sort them all by name and keep a page. The cost grows with the segment: 124 ms
  for the 101,291-member segment of the million-contact dataset on SQLite, for every page.
- dense: walk the contacts' name index (`ix_contacts_name`, name and id) from the page's
  edge and keep those who are members (one probe of `uq_memberships_current` each), until
  a page is full. The cost grows with the contacts walked, a page divided by the density:
  about 1,000 for that segment (one contact in ten), 1-3 ms.

Both give exactly the same rows in the same order (tests/data/test_member_page.py).

The choice: with N contacts and pages of r rows, `reach` = √(2·r·N) (14,213 at a million
contacts and 101 rows). A segment of at least `reach` members is dense: a walk of `reach`
contacts then meets at least 2·r members on average, twice a page. The members are counted
only up to `reach` (an index-only count that stops there), and N is the highest contact id,
read from the key's index: an estimate, which only ever decides speed, never the rows.

A dense walk assumes the members are spread through the alphabet. A segment of everyone
called Mary is not: walking from "A" would cross half the contacts before the first Mary.
So the walk is bounded: it looks at no more than `reach` contacts past the edge (where that
stretch ends is one index-only step `reach` entries along the name index), and if those
hold less than a page the sparse plan answers instead. A page therefore never costs more
than the sparse plan plus the given-up walk (`reach` contacts, one probe each) and two
index reads of `reach` entries (the count and the bound), the two costs `reach` balances.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from segtui.core.records import Keyset
from segtui.data.db.keyset import Window, past, up_to, walk_order, walks_down
from segtui.data.db.sql import current_membership, is_member, member_ids
from segtui.data.db.tables import Contact, Membership

# A dense walk of `reach` contacts meets this many pages of members on average at the
# lowest density it is used for: enough that a segment whose members are spread evenly
# through the alphabet is never sent to the sparse plan by bad luck (with two, 202 members
# expected, finding fewer than 101 has a chance of about one in ten million).
PAGES_PER_WALK = 2


@dataclass(frozen=True)
class Plan:
    """How to find a page: `dense` walks the name index, looking at no more than `reach`
    contacts; otherwise the sparse plan."""

    dense: bool
    reach: int


def choose_plan(conn: Connection, segment_id: int, rows: int) -> Plan:
    """The plan for pages of `rows` rows (one more than shown, as `windowed` asks) of the
    segment's members."""
    contacts = int(conn.execute(select(func.max(Contact.id))).scalar() or 0)
    reach = max(math.ceil(math.sqrt(PAGES_PER_WALK * rows * contacts)), 1)
    members = select(1).where(Membership.segment_id == segment_id, current_membership())
    counted = int(conn.execute(
        select(func.count()).select_from(members.limit(reach).subquery())
    ).scalar_one())
    return Plan(dense=counted >= reach, reach=reach)


def page_keys(conn: Connection, segment_id: int, window: Window, limit: int) -> list[Keyset]:
    """The (name, id) of the contacts on the window's page (one more than `limit` when more
    follow), in the order the window walks; `keyset.settle` puts them in list order."""
    plan = choose_plan(conn, segment_id, limit + 1)
    if plan.dense:
        found = dense_keys(conn, segment_id, window, limit, reach=plan.reach)
        if found is not None:
            return found
    return sparse_keys(conn, segment_id, window, limit)


def sparse_keys(conn: Connection, segment_id: int, window: Window, limit: int
                ) -> list[Keyset]:
    """The page from the segment's memberships: every member past the edge, sorted.

    PostgreSQL is told to collect the members first (a MATERIALIZED CTE): its statistics
    can't see that a segment's members are bunched in the alphabet, and given the chance it
    walks the name index for them, the very walk this plan replaces when it gave up. SQLite
    keeps no statistics and runs the members-first plan as written."""
    down = walks_down(window, descending=False)
    members = select(Contact.name, Contact.id).where(Contact.id.in_(member_ids(segment_id)))
    if window.edge is not None:
        members = members.where(past(Contact.name, Contact.id, window.edge, down=down))
    found = members.cte("page_members").prefix_with("MATERIALIZED", dialect="postgresql")
    query = (select(found.c.name, found.c.id)
             .order_by(*walk_order(found.c.name, found.c.id, down=down)).limit(limit + 1))
    return [Keyset(name, contact_id) for name, contact_id in conn.execute(query)]


def dense_keys(conn: Connection, segment_id: int, window: Window, limit: int, *,
               reach: int) -> list[Keyset] | None:
    """The page from the name index: the members among the next `reach` contacts past the
    edge, or None when those hold less than a page and more contacts follow them (the
    members are elsewhere: ask `sparse_keys`)."""
    down = walks_down(window, descending=False)
    order = walk_order(Contact.name, Contact.id, down=down)
    walk = select(Contact.name, Contact.id)
    if window.edge is not None:
        walk = walk.where(past(Contact.name, Contact.id, window.edge, down=down))
    last = conn.execute(walk.order_by(*order).offset(reach - 1).limit(1)).first()
    query = walk.where(is_member(segment_id))
    if last is not None:
        query = query.where(up_to(Contact.name, Contact.id, Keyset(last.name, last.id),
                                  down=down))
    found = [Keyset(name, contact_id)
             for name, contact_id in conn.execute(query.order_by(*order).limit(limit + 1))]
    if len(found) > limit or last is None:
        return found
    return None
