"""A usage history on the demo (C19.4.5, C19.4.6), for the data and the app's tests: views
and exports of the demo's segments over the last 90 days, and three segments nobody used
in 90 days (the demo's day is 2024-02-26)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert

from segtui.core.audit import Action
from segtui.core.enums import SegmentKind, SegmentStatus
from segtui.data.db.tables import AuditEntry, Segment, name_key
from segtui.data.store import Store
from tests.conftest import DEMO_TODAY

NOON = datetime.combine(DEMO_TODAY, datetime.min.time()) + timedelta(hours=12)
SARAH, JAMES, ALEX = "Sarah Mitchell", "James Carter", "Alex Kim"
# Demo segments: 1 Enterprise Prospects, 2 Inactive Subscribers, 3 Marketing Engagers,
# 4 Product Trial Users. (days ago, who, action, segment id, subject)
HISTORY = [
    (80, SARAH, Action.METRICS_VIEWED, 2, ""),
    (75, JAMES, Action.MEMBERS_EXPORTED, 2, "inactive.csv"),
    (60, SARAH, Action.METRICS_VIEWED, 1, ""),
    (45, ALEX, Action.METRICS_VIEWED, 1, ""),
    (40, SARAH, Action.METRICS_VIEWED, 1, ""),
    (20, SARAH, Action.METRICS_VIEWED, 3, ""),
    (12, ALEX, Action.METRICS_VIEWED, 3, ""),
    (9, SARAH, Action.MEMBERS_EXPORTED, 3, "engagers.csv"),
    (5, JAMES, Action.SEGMENTS_EXPORTED, None, "segments-2024-02-21.csv"),
    (3, SARAH, Action.METRICS_VIEWED, 4, ""),
    (2, ALEX, Action.DASHBOARD_ACCESSED, None, ""),
    (1, SARAH, Action.METRICS_VIEWED, 3, ""),
]
# Not used in 90 days: (name, status, kind, last changed days ago, viewed days ago)
DORMANT = [
    ("Winter Promo 2022", SegmentStatus.ACTIVE, SegmentKind.STATIC, 400, 200),
    ("Dormant Leads", SegmentStatus.DRAFT, SegmentKind.STATIC, 180, None),
    ("Old Webinar List", SegmentStatus.INACTIVE, SegmentKind.STATIC, 120, 100),
]


def fill_usage(store: Store) -> dict[str, int]:
    """Write the history; returns the dormant segments' ids by name."""
    ids: dict[str, int] = {}
    with store.writing() as conn:
        for name, status, kind, changed, _ in DORMANT:
            at = NOON - timedelta(days=changed)
            ids[name] = int(conn.execute(insert(Segment).values(
                name=name, name_key=name_key(name), status=status, kind=kind, owner_id=1,
                created_at=at, updated_at=at).returning(Segment.id)).scalar_one())
        rows = [(days, who, action, sid, subject) for days, who, action, sid, subject
                in HISTORY]
        rows += [(viewed, ALEX, Action.METRICS_VIEWED, ids[name], "")
                 for name, _, _, _, viewed in DORMANT if viewed is not None]
        for days, who, action, sid, subject in sorted(rows, key=lambda r: -r[0]):
            conn.execute(insert(AuditEntry).values(
                at=NOON - timedelta(days=days, hours=days % 5), actor=who,
                action=action.value, segment_id=sid, subject=subject))
    return ids
