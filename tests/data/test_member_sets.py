"""The members' rows as the detail tabs read them (segtui/data/db/sql.py: over_members,
member_of, member_id_array), against the plain join they replace, on both engines.

PostgreSQL reads a segment's members as one array of their ids (P7); SQLite keeps
the join. These hold the edge cases the tab tests pass through only by chance: a contact
whose stay ended (history, not a member), a contact back in the segment after leaving,
a segment with no members (an empty array), and the contact-id halves of the cards.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from segtui.core.enums import EventType
from segtui.core.insights import InsightKind
from segtui.data.db.models import Contact, Membership
from segtui.data.db.sql import member_of, over_members
from segtui.data.db.tables import ContactFigures, EngagementEvent
from segtui.data.store import Store
from tests.data.test_segment_analytics import at, contacts, event, join, segment_with
from tests.factories import add_segment


def joined_ids(conn: Connection, segment_id: int) -> list[int]:
    """The members' contact ids from the plain join (what the tabs read before)."""
    return sorted(conn.execute(
        select(Contact.id).join(Membership, Membership.contact_id == Contact.id)
        .where(Membership.segment_id == segment_id, Membership.removed_at.is_(None))
    ).scalars())


def read_ids(conn: Connection, segment_id: int, *, from_id: int | None = None,
             below_id: int | None = None) -> list[int]:
    """The members' ids read by over_members, from `contacts` and from their copies in
    `contact_figures` (the cards' pass): both must be the join's."""
    ids = sorted(conn.execute(over_members(conn, select(Contact.id), segment_id,
                                           from_id=from_id, below_id=below_id)).scalars())
    copies = sorted(conn.execute(over_members(
        conn, select(ContactFigures.contact_id), segment_id, from_id=from_id,
        below_id=below_id, of=ContactFigures.contact_id)).scalars())
    assert copies == ids
    return ids


def test_members_and_their_events_are_those_of_the_join(demo_store: Store) -> None:
    stayed, left, returned, elsewhere = contacts(demo_store, "Member Set", 4)
    seg = segment_with(demo_store, "Member Set", [stayed])
    join(demo_store, seg, left, at(2023, 1, 1), removed=at(2023, 6, 1))
    join(demo_store, seg, returned, at(2023, 1, 1), removed=at(2023, 3, 1))
    join(demo_store, seg, returned, at(2023, 4, 1))
    other = segment_with(demo_store, "Member Set Other", [elsewhere, stayed])
    empty = add_segment(demo_store, "Member Set Empty")
    for contact_id in (stayed, left, returned, elsewhere):
        event(demo_store, contact_id, EventType.OPENED, at(2024, 2, 1))

    with demo_store.reading() as conn:
        assert read_ids(conn, seg) == joined_ids(conn, seg) == sorted([stayed, returned])
        assert read_ids(conn, other) == joined_ids(conn, other) == sorted([elsewhere, stayed])
        assert read_ids(conn, empty) == joined_ids(conn, empty) == []
        # The cards' halves: [.., middle) and [middle, ..) make the whole, once each.
        middle = max(stayed, returned)
        assert read_ids(conn, seg, below_id=middle) + read_ids(conn, seg, from_id=middle) \
            == sorted([stayed, returned])
        assert read_ids(conn, seg, from_id=middle, below_id=middle) == []
        # Aggregates over the members (no group, and grouped) as the tabs write them.
        assert conn.execute(over_members(conn, select(func.count()), empty)).scalar_one() == 0
        assert conn.execute(over_members(conn, select(func.count()), seg)).scalar_one() == 2

        def events_of(segment_id: int) -> list[int]:
            e = EngagementEvent
            return sorted(conn.execute(
                select(e.contact_id).where(member_of(conn, e.contact_id, segment_id),
                                           e.type == EventType.OPENED,
                                           e.occurred_at >= at(2024, 1, 1))).scalars())

        assert events_of(seg) == sorted([stayed, returned])
        assert events_of(other) == sorted([elsewhere, stayed])
        assert events_of(empty) == []


def test_overlap_counts_only_other_segments_current_stays(demo_store: Store) -> None:
    """Overlap reads the members' other stays with the members' ids (PostgreSQL): a stay
    that ended elsewhere, or a contact that left this segment, shares nothing."""
    both, left_there, left_here = contacts(demo_store, "Overlap Set", 3)
    mine = segment_with(demo_store, "Overlap Mine", [both, left_there])
    join(demo_store, mine, left_here, at(2023, 1, 1), removed=at(2023, 2, 1))
    theirs = segment_with(demo_store, "Overlap Theirs", [both, left_here])
    join(demo_store, theirs, left_there, at(2023, 1, 1), removed=at(2023, 2, 1))

    overlap = next(i for i in demo_store.metrics.insights(mine) if i.kind == InsightKind.OVERLAP)
    assert overlap.finding == "Members shared with other segments: “Overlap Theirs” 1 (50%)."
