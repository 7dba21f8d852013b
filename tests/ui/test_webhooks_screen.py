"""The webhooks screen (C21.3.5) driven with Pilot on both engines: `W` on a segment's
detail screen shows its subscriptions with their counts and the highlighted one's
delivery log; ctrl+r sends its dead deliveries again and ctrl+t a test event (seen by a
receiver on loopback), for administrators only; `W` on the dashboard lists them all."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from textual.widgets import DataTable

from segtui.core.contacts import ContactSelection
from segtui.core.enums import WebhookEvents
from segtui.data.db.tables import WebhookDelivery
from segtui.data.store import Store
from segtui.screens.webhooks import WebhooksScreen
from tests.ui.conftest import make_app, open_segment, settle, text_of, wait_until
from tests.webhook_receiver import receiving

SIZE = (120, 40)
ADMIN, MANAGER = "James Carter", "Sarah Mitchell"
SEGMENT = "Inactive Subscribers"
SECRET = "whsec_ui-test-secret-0123456789"


def cells(app: Any, selector: str) -> list[list[str]]:
    table = app.screen.query_one(selector, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def subscribed_with_a_dead_delivery(store: Store, url: str) -> int:
    segment_id = store.segments.segment_id_named(SEGMENT)
    assert segment_id is not None
    sub = store.webhooks.add(segment_id, url, WebhookEvents.BOTH, SECRET,
                             store.users.current_user(ADMIN)).row.id
    inside = store.members.current_members(segment_id, range(1, 60))
    outsider = next(c for c in range(1, 60) if c not in inside)
    store.members.add_members(segment_id, ContactSelection().toggled(outsider, True),
                              store.users.current_user(MANAGER))
    with store.writing() as conn:  # it failed 8 times: dead
        conn.execute(update(WebhookDelivery).values(
            status="dead", attempts=8, last_error="HTTP 500", last_status=500))
    return sub


async def test_w_on_a_segment_shows_its_webhooks_retry_and_test(demo_store: Store) -> None:
    with receiving(SECRET) as receiver:
        subscribed_with_a_dead_delivery(demo_store, receiver.url)
        app = make_app(demo_store, ADMIN)
        async with app.run_test(size=SIZE) as pilot:
            await open_segment(pilot, SEGMENT)
            await pilot.press("W")
            await settle(pilot)
            assert isinstance(app.screen, WebhooksScreen)
            rows = cells(app, "#webhooks-subscriptions")
            assert len(rows) == 1
            assert rows[0][1:7] == [receiver.url, "both", "active", "0", "1", "0"]
            assert rows[0][9] == SEGMENT
            await wait_until(pilot, lambda: bool(cells(app, "#webhooks-log")), "the log")
            log = cells(app, "#webhooks-log")
            assert [(r[1], r[4], r[5], r[6]) for r in log] == [
                ("entered", "dead", "8", "HTTP 500")]
            assert "1 subscription, 1 dead delivery" in text_of(app, "#webhooks-status")
            await pilot.press("ctrl+r")
            await wait_until(pilot,
                             lambda: cells(app, "#webhooks-subscriptions")[0][4] == "1",
                             "the dead delivery pending again")
            await wait_until(pilot, lambda: cells(app, "#webhooks-log")[0][4] == "pending",
                             "the log read again")
            await pilot.press("ctrl+t")
            await wait_until(pilot, lambda: bool(receiver.received), "the test event sent")
            assert receiver.wait_for(1) and receiver.received[0].body["event"] == "test"
            assert receiver.received[0].signed
            await pilot.press("escape")
            await settle(pilot)
            assert not isinstance(app.screen, WebhooksScreen)


async def test_a_manager_sees_them_but_may_not_retry(demo_store: Store) -> None:
    with receiving(SECRET) as receiver:
        subscribed_with_a_dead_delivery(demo_store, receiver.url)
        app = make_app(demo_store, MANAGER)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("W")  # the dashboard's: every subscription
            await settle(pilot)
            assert isinstance(app.screen, WebhooksScreen)
            assert len(cells(app, "#webhooks-subscriptions")) == 1
            await pilot.press("ctrl+r", "ctrl+t")
            await settle(pilot)
            assert cells(app, "#webhooks-subscriptions")[0][5] == "1"  # still dead
    assert receiver.received == []
    assert demo_store.webhooks.subscriptions()[0].dead == 1
