"""C19.3: one person may own at most the administrator's limit of segments (default 50):
create and duplicate refuse past it, nothing written; only an administrator changes it,
and the change is audited. Both engines."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from segtui.core.contacts import ContactSelection
from segtui.core.segments import (
    DEFAULT_SEGMENT_LIMIT,
    InvalidSegment,
    NotAllowed,
    SegmentDraft,
    SegmentLimitReached,
)
from segtui.data.db.tables import Segment
from segtui.data.store import Store

ADMIN, MANAGER = "James Carter", "Sarah Mitchell"


def segments(store: Store) -> int:
    with store.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(Segment)).scalar_one())


def test_past_the_limit_create_and_duplicate_refuse(demo_store: Store) -> None:
    admin = demo_store.users.current_user(ADMIN)
    manager = demo_store.users.current_user(MANAGER)
    left, limit = demo_store.segments.segments_left(manager)
    assert limit == DEFAULT_SEGMENT_LIMIT and 0 < left < limit
    owned = limit - left
    demo_store.segments.set_segment_limit(owned + 1, admin)
    assert demo_store.segments.segments_left(manager) == (1, owned + 1)
    made = demo_store.segments.create_segment(SegmentDraft("One more"), ContactSelection(),
                                              manager)
    before = segments(demo_store)
    with pytest.raises(SegmentLimitReached, match="Sarah Mitchell already owns"):
        demo_store.segments.create_segment(SegmentDraft("Too many"), ContactSelection(),
                                           manager)
    with pytest.raises(SegmentLimitReached):
        demo_store.segments.duplicate_segment(made, manager)
    assert segments(demo_store) == before
    # Someone else still may: the limit is per person.
    demo_store.segments.create_segment(SegmentDraft("Admins own"), ContactSelection(), admin)
    # Deleting one makes room again.
    demo_store.segments.delete_segment(made, manager)
    assert demo_store.segments.segments_left(manager) == (1, owned + 1)


def test_only_an_administrator_sets_it_within_bounds(demo_store: Store) -> None:
    manager = demo_store.users.current_user(MANAGER)
    admin = demo_store.users.current_user(ADMIN)
    with pytest.raises(NotAllowed):
        demo_store.segments.set_segment_limit(1000, manager)
    for wrong in (0, -3, 100_001):
        with pytest.raises(InvalidSegment):
            demo_store.segments.set_segment_limit(wrong, admin)
    assert demo_store.segments.segments_left(manager)[1] == DEFAULT_SEGMENT_LIMIT
    demo_store.segments.set_segment_limit(75, admin)
    demo_store.segments.set_segment_limit(80, admin)
    assert demo_store.segments.segments_left(manager)[1] == 80
    from segtui.core.audit import Action, AuditFilter

    changes = demo_store.audit.entries(AuditFilter(action=Action.PERMISSIONS_MODIFIED), admin)
    assert [e.details for e in changes] == ["limit now 80", "limit now 75"]
