"""`store.webhooks`: webhook subscriptions (C21.3.1), their delivery log (C21.3.5) and the
sender (C21.3.2-C21.3.4): managed by administrators, read by anyone (never a secret)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from segtui.data.store.database import Database

if TYPE_CHECKING:
    from segtui.core.enums import WebhookEvents
    from segtui.core.permissions import CurrentUser
    from segtui.core.webhook_delivery import SenderSettings
    from segtui.core.webhooks import (
        DeliveryRow,
        NewSubscription,
        PingResult,
        SubscriptionRow,
    )
    from segtui.data.integration.sender import SendReport


class Webhooks:
    """Webhook subscriptions and their outbox."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def subscriptions(self, segment_id: int | None = None) -> list[SubscriptionRow]:
        """Every subscription (or one segment's) with its outbox counted, of the segments
        the Store's user sees (C19.3.2)."""
        from segtui.data.integration import webhooks

        with self._db.reading() as conn:
            if segment_id is None:
                return webhooks.subscription_rows(conn, viewer=self._db.viewer)
            return webhooks.segment_subscriptions(conn, segment_id, self._db.viewer)

    def subscription(self, subscription_id: int) -> SubscriptionRow:
        """WebhookError when there is none with that id."""
        from segtui.data.integration import webhooks

        with self._db.reading() as conn:
            return webhooks.one_row(conn, subscription_id, self._db.viewer)

    def active_count(self) -> int:
        from segtui.data.integration import webhooks

        with self._db.reading() as conn:
            return webhooks.active_subscriptions(conn)

    def add(self, segment_id: int, url: str, events: WebhookEvents, secret: str | None,
            acting: CurrentUser) -> NewSubscription:
        """A new subscription; its secret (made unless given) is in the result and shown
        nowhere else. NotAllowed unless `acting` administers; WebhookError for a bad
        URL or secret."""
        from segtui.data.integration import webhooks

        with self._db.writing() as conn:
            return webhooks.add_subscription(conn, segment_id, url, events, secret, acting)

    def remove(self, subscription_id: int, acting: CurrentUser) -> SubscriptionRow:
        from segtui.data.integration import webhooks

        with self._db.writing() as conn:
            return webhooks.remove_subscription(conn, subscription_id, acting)

    def set_active(self, subscription_id: int, active: bool, acting: CurrentUser
                   ) -> SubscriptionRow:
        """Pause (False) or resume (True) a subscription."""
        from segtui.data.integration import webhooks

        with self._db.writing() as conn:
            return webhooks.set_active(conn, subscription_id, active, acting)

    def retry(self, subscription_id: int | None, acting: CurrentUser) -> int:
        """Dead deliveries of one subscription (None: all) pending again, due now."""
        from segtui.data.integration import webhooks

        with self._db.writing() as conn:
            return webhooks.retry_dead(conn, subscription_id, acting, datetime.now())

    def log(self, subscription_id: int, limit: int = 50) -> list[DeliveryRow]:
        """A subscription's newest deliveries first."""
        from segtui.data.integration import webhooks

        with self._db.reading() as conn:
            return webhooks.delivery_log(conn, subscription_id, limit, self._db.viewer)

    def ping(self, subscription_id: int, acting: CurrentUser, timeout: float = 10.0
             ) -> PingResult:
        """Send one signed test event now (administrators: it reads the secret) and say
        what the receiver answered."""
        from segtui.core.webhook_delivery import encode, headers, ping_payload
        from segtui.core.webhooks import PingResult
        from segtui.data.integration import webhooks
        from segtui.data.integration.http_post import Poster

        webhooks.refuse_unless_admin(acting, "test webhooks")
        with self._db.reading() as conn:
            row, secret = webhooks.secret_of(conn, subscription_id)
        now = datetime.now()
        body = encode(ping_payload(row.id, row.segment_id, row.segment, now))
        poster = Poster(timeout)
        started = time.perf_counter()
        try:
            status, error = poster.post(row.url, body, headers(
                secret, body, f"segtui-test-{row.id}-{int(now.timestamp() * 1000)}", now))
        finally:
            poster.close()
        return PingResult(row.url, status, error, time.perf_counter() - started)

    def send_due(self, settings: SenderSettings | None = None,
                 now: Callable[[], datetime] = datetime.now) -> SendReport:
        """Send everything due now, batch after batch, and return."""
        from segtui.data.integration.sender import sender

        with sender(self._db, settings, now) as running:
            return running.send_due()

    def run_sender(self, stop: threading.Event, settings: SenderSettings | None = None,
                   report: Callable[[SendReport], None] | None = None,
                   poll: float = 1.0) -> None:
        """Send the outbox until `stop` is set (in a thread of a worker or the API
        server, or the foreground of `segtui webhooks send`)."""
        from segtui.data.integration.sender import run_sender

        run_sender(self._db, stop, settings, poll=poll, report=report)
