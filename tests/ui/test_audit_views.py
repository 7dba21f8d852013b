"""C19.4 in the app: what a user looks at is in the audit log (the dashboard, a segment's
metrics, the data quality report), as theirs."""

from __future__ import annotations

from sqlalchemy import select

from segtui.data.db.tables import AuditEntry
from segtui.data.store import Store
from segtui.screens.quality import DataQualityScreen
from tests.ui.conftest import make_app, open_segment, segment_ids, settle


def audited(store: Store) -> list[tuple[str | None, str, int | None]]:
    with store.reading() as conn:
        return [(r.actor, r.action, r.segment_id) for r in conn.execute(
            select(AuditEntry.actor, AuditEntry.action, AuditEntry.segment_id)
            .order_by(AuditEntry.id))]


async def test_looking_is_recorded_as_the_users(sqlite_demo_store: Store) -> None:
    app = make_app(sqlite_demo_store, "Alex Kim")  # a Viewer: looking needs no permission
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_segment(pilot, "Marketing Engagers")
        await pilot.press("escape", "Q")
        await settle(pilot)
        assert isinstance(app.screen, DataQualityScreen)
    marketing = segment_ids(sqlite_demo_store)["Marketing Engagers"]
    assert audited(sqlite_demo_store) == [
        ("Alex Kim", "dashboard_accessed", None),
        ("Alex Kim", "metrics_viewed", marketing),
        ("Alex Kim", "validation_rules_applied", None),
    ]
