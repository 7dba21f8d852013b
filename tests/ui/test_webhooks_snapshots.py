"""Snapshots of the webhooks screen (C21.3.5) at 80x24 and 120x40: the demo's Inactive
Subscribers with one subscription, three contacts entered, one delivered, one failing
(retried later) and one dead, every time fixed so the screen is the same on each run.

Baselines live in snapshots/test_webhooks_snapshots/; regenerate the module with
`pytest tests/ui/test_webhooks_snapshots.py --snapshot-update` and look at the SVGs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import update
from textual.pilot import Pilot

from segtui.core.contacts import ContactSelection
from segtui.core.enums import WebhookEvents
from segtui.data.db.tables import WebhookDelivery
from segtui.data.store import Store
from tests.ui.conftest import SnapCompare, make_app, open_segment, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
SEGMENT = "Inactive Subscribers"
AT = datetime(2024, 2, 26, 11, 0)


def with_deliveries(store: Store) -> Store:
    segment_id = store.segments.segment_id_named(SEGMENT)
    assert segment_id is not None
    admin = store.users.current_user("James Carter")
    store.webhooks.add(segment_id, "https://hooks.example.com/segtui", WebhookEvents.BOTH,
                       "whsec_snapshot-secret-0123", admin)
    inside = store.members.current_members(segment_id, range(1, 60))
    selection = ContactSelection()
    for contact in [c for c in range(1, 60) if c not in inside][:3]:
        selection = selection.toggled(contact, True)
    store.members.add_members(segment_id, selection, admin)
    d = WebhookDelivery
    with store.writing() as conn:
        first, second, third = sorted(conn.execute(d.__table__.select()).scalars())
        conn.execute(update(d).where(d.id == first).values(
            status="delivered", attempts=1, delivered_at=AT, last_attempt_at=AT,
            last_status=200))
        conn.execute(update(d).where(d.id == second).values(
            attempts=2, last_attempt_at=AT, next_attempt_at=datetime(2024, 2, 26, 11, 1),
            last_status=503, last_error="HTTP 503 Service Unavailable"))
        conn.execute(update(d).where(d.id == third).values(
            status="dead", attempts=8, last_attempt_at=datetime(2024, 2, 26, 10, 0),
            last_error="timed out after 10 s"))
    return store


async def webhooks(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await open_segment(pilot, SEGMENT)
    await pilot.press("W")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_webhooks(snap_compare: SnapCompare, sqlite_demo_store: Store,
                  size: tuple[int, int]) -> None:
    store = with_deliveries(sqlite_demo_store)
    assert snap_compare(make_app(store, "James Carter"), run_before=webhooks,
                        terminal_size=size)
