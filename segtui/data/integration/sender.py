"""The webhook sender (C21.3.2-C21.3.4, C21.3.6): claims the due deliveries of the outbox
in batches, oldest first, POSTs each (core/webhook_delivery.py says what), and records
what came of them, one transaction per batch of marks.

- PostgreSQL: a batch is claimed `FOR UPDATE SKIP LOCKED` in a transaction held open
  while it is sent and marked, so two senders (a worker and `segtui webhooks send`, or
  the API server's) never send the same delivery at once; a sender killed mid-batch
  leaves its transaction to roll back and the batch is claimed again at once.
- SQLite: one writer at a time, and a write transaction held while waiting on receivers
  would stop every other writer; so a batch is read, sent, then marked in a short write.
- A delivery is marked delivered only after its 2xx: a sender killed between the two
  sends it again (at least once; the receiver de-duplicates by Idempotency-Key).
- A receiver that times out or refuses a connection fails the rest of its deliveries in
  that batch at once (each counted as an attempt), so a dead receiver costs one timeout
  per connection, not one per delivery, and a PostgreSQL batch's transaction stays short.
- Delivered rows are pruned (C21.3.8): once when a sender starts and hourly after,
  those delivered more than `keep_delivered_days` ago are deleted, in short chunks, but
  each subscription's latest, which the lists show as its last success. The outbox would
  otherwise grow by every change forever, and the lists count it whole.
- Scheduling uses the wall clock (`datetime.now`, injectable for tests), never
  `core.clock.now()`, which a demo freezes at noon.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

from sqlalchemy import Connection, Engine, bindparam, delete, func, or_, select, update

from segtui.core.enums import DeliveryStatus
from segtui.core.webhook_delivery import (
    Contact,
    Outcome,
    Outgoing,
    SenderSettings,
    after_failure,
    headers,
    name_parts,
)
from segtui.data.db.tables import Contact as ContactTable
from segtui.data.db.tables import Segment, WebhookDelivery, WebhookSubscription
from segtui.data.integration.http_post import Poster


class Database(Protocol):
    """What the sender needs of a Store (data/store/database.py), named here so that
    this module does not import the Store it serves."""

    engine: Engine

    def reading(self) -> AbstractContextManager[Connection]: ...

    def writing(self) -> AbstractContextManager[Connection]: ...

Clock = Callable[[], datetime]
POLL = 1.0  # seconds between looks at the outbox when nothing was due
PRUNE_EVERY = timedelta(hours=1)
PRUNE_CHUNK = 5000  # rows deleted per transaction: a SQLite writer waits no longer


@dataclass(frozen=True)
class SendReport:
    """What one pass sent: delivered, failed (to be retried), dead (gave up)."""

    delivered: int = 0
    failed: int = 0
    dead: int = 0
    seconds: float = 0.0

    @property
    def sent(self) -> int:
        return self.delivered + self.failed + self.dead

    def __add__(self, other: SendReport) -> SendReport:
        return SendReport(self.delivered + other.delivered, self.failed + other.failed,
                          self.dead + other.dead, self.seconds + other.seconds)


def claim_due(conn: Connection, now: datetime, limit: int, *, lock: bool
              ) -> list[Outgoing]:
    """Up to `limit` due deliveries of active subscriptions, oldest first; `lock`: claimed
    for this transaction (FOR UPDATE SKIP LOCKED: rows another sender holds are passed)."""
    d, s = WebhookDelivery.__table__, WebhookSubscription.__table__
    c = ContactTable.__table__
    query = (select(d.c.id, d.c.subscription_id, s.c.url, s.c.secret, d.c.event,
                    d.c.segment_id, Segment.name.label("segment"), d.c.contact_id,
                    c.c.id.label("found"), c.c.email, c.c.name.label("contact"),
                    d.c.happened_at, d.c.attempts)
             .join(s, s.c.id == d.c.subscription_id)
             .outerjoin(Segment, Segment.id == d.c.segment_id)
             .outerjoin(c, c.c.id == d.c.contact_id)
             .where(d.c.status == DeliveryStatus.PENDING.value, s.c.active.is_(True),
                    or_(d.c.next_attempt_at.is_(None), d.c.next_attempt_at <= now))
             .order_by(d.c.id).limit(limit))
    if lock:
        query = query.with_for_update(skip_locked=True, of=d)
    batch = []
    for r in conn.execute(query):
        first, last = name_parts(r.contact) if r.found is not None else (None, None)
        contact = Contact(int(r.contact_id), r.email if r.found is not None else None,
                          first, last)
        batch.append(Outgoing(int(r.id), int(r.subscription_id), r.url, r.secret, r.event,
                              int(r.segment_id), r.segment, contact,
                              r.happened_at, int(r.attempts)))
    return batch


def record_outcomes(conn: Connection, batch: list[Outgoing], outcomes: list[Outcome],
                    now: datetime, settings: SenderSettings) -> SendReport:
    """Mark each delivery as its attempt came out: delivered, or failed (retried later,
    or dead after its last attempt). Only a pending delivery is marked (one removed or
    retried meanwhile is left alone)."""
    d = WebhookDelivery.__table__
    attempts = {out.id: out.attempts + 1 for out in batch}
    by_status: dict[int | None, list[int]] = {}
    failures: list[dict[str, Any]] = []
    dead = 0
    for outcome in outcomes:
        if outcome.delivered:
            by_status.setdefault(outcome.status, []).append(outcome.delivery_id)
            continue
        tried = attempts[outcome.delivery_id]
        status, next_at = after_failure(tried, now, settings)
        dead += status is DeliveryStatus.DEAD
        failures.append({"b_id": outcome.delivery_id, "b_attempts": tried,
                         "b_status": status.value, "b_next": next_at,
                         "b_error": outcome.error, "b_code": outcome.status})
    pending = d.c.status == DeliveryStatus.PENDING.value
    for code, ids in by_status.items():
        for start in range(0, len(ids), 1000):
            chunk = ids[start:start + 1000]
            conn.execute(update(d).where(d.c.id.in_(chunk), pending).values(
                status=DeliveryStatus.DELIVERED.value, attempts=d.c.attempts + 1,
                delivered_at=now, last_attempt_at=now, last_status=code,
                next_attempt_at=None))
    if failures:
        conn.execute(update(d).where(d.c.id == bindparam("b_id"), pending).values(
            attempts=bindparam("b_attempts"), status=bindparam("b_status"),
            next_attempt_at=bindparam("b_next"), last_error=bindparam("b_error"),
            last_status=bindparam("b_code"), last_attempt_at=now), failures)
    delivered = sum(len(ids) for ids in by_status.values())
    return SendReport(delivered, len(failures) - dead, dead)


def prune_delivered(db: Database, before: datetime) -> int:
    """Delete the deliveries delivered before `before`, except each subscription's last
    delivered (its last success); return how many. Chunks of PRUNE_CHUNK, each its own
    short transaction."""
    d = WebhookDelivery.__table__
    delivered = d.c.status == DeliveryStatus.DELIVERED.value
    with db.reading() as conn:
        latest = conn.execute(select(d.c.subscription_id, func.max(d.c.delivered_at))
                              .where(delivered).group_by(d.c.subscription_id)).all()
    pruned = 0
    for subscription_id, last in latest:
        cutoff = min(before, last)  # strictly before: the latest itself stays
        while True:
            chunk = (select(d.c.id).where(d.c.subscription_id == subscription_id, delivered,
                                          d.c.delivered_at < cutoff)
                     .limit(PRUNE_CHUNK).scalar_subquery())
            with db.writing() as conn:
                gone = conn.execute(delete(d).where(d.c.id.in_(chunk))).rowcount
            pruned += gone
            if gone < PRUNE_CHUNK:
                break
    return pruned


class Sender:
    """Sends the outbox of one database; `close` when done."""

    def __init__(self, db: Database, settings: SenderSettings | None = None,
                 now: Clock = datetime.now) -> None:
        self.db = db
        self.settings = settings or SenderSettings()
        self.now = now
        self.poster = Poster(self.settings.timeout)
        self.pool = ThreadPoolExecutor(max(1, self.settings.connections),
                                       thread_name_prefix="segtui-webhooks")
        self.locks = db.engine.dialect.name == "postgresql"
        self.pruned_at: datetime | None = None

    def prune_if_due(self) -> int:
        """C21.3.8: prune the delivered deliveries at the first pass and hourly after."""
        now = self.now()
        if self.pruned_at is not None and now - self.pruned_at < PRUNE_EVERY:
            return 0
        self.pruned_at = now
        return prune_delivered(self.db, now - timedelta(days=self.settings.keep_delivered_days))

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.poster.close()

    def send_batch(self) -> SendReport | None:
        """Claim, send and mark one batch; None when nothing was due."""
        started = time.perf_counter()
        if self.locks:
            with self.db.writing() as conn:
                batch = claim_due(conn, self.now(), self.settings.batch, lock=True)
                if not batch:
                    return None
                outcomes = self.send(batch)
                report = record_outcomes(conn, batch, outcomes, self.now(), self.settings)
        else:
            with self.db.reading() as conn:
                batch = claim_due(conn, self.now(), self.settings.batch, lock=False)
            if not batch:
                return None
            outcomes = self.send(batch)
            with self.db.writing() as conn:
                report = record_outcomes(conn, batch, outcomes, self.now(), self.settings)
        return report + SendReport(seconds=time.perf_counter() - started)

    def send(self, batch: list[Outgoing]) -> list[Outcome]:
        """POST each of `batch`, `settings.connections` at once."""
        down: dict[str, str] = {}  # receivers that did not answer, and why

        def one(out: Outgoing) -> Outcome:
            host = urlsplit(out.url).netloc
            if host in down:
                return Outcome(out.id, None, f"not sent: {down[host]} (an earlier delivery "
                                             "of this batch)")
            body = out.body()
            status, error = self.poster.post(out.url, body, headers(
                out.secret, body, out.key(), datetime.now()))
            if status is None and error is not None:
                down.setdefault(host, error)
            return Outcome(out.id, status, error)

        return list(self.pool.map(one, batch))

    def send_due(self, stop: threading.Event | None = None) -> SendReport:
        """Batches until nothing is due (or `stop` is set); prunes first when due."""
        self.prune_if_due()
        total = SendReport()
        while stop is None or not stop.is_set():
            report = self.send_batch()
            if report is None:
                break
            total += report
        return total


@contextmanager
def sender(db: Database, settings: SenderSettings | None = None, now: Clock = datetime.now
           ) -> Iterator[Sender]:
    made = Sender(db, settings, now)
    try:
        yield made
    finally:
        made.close()


def run_sender(db: Database, stop: threading.Event, settings: SenderSettings | None = None,
               *, now: Clock = datetime.now, poll: float = POLL,
               report: Callable[[SendReport], None] | None = None) -> None:
    """Send the outbox until `stop` is set: what is due, then a look every `poll`
    seconds. For `segtui worker` (a thread beside its passes), `segtui webhooks send`
    and the API server when no worker runs. A busy database (SQLite's write lock held
    elsewhere) delays a batch, no more."""
    from segtui.core.busy import DatabaseBusy
    from segtui.core.cancel import Cancelled

    with sender(db, settings, now) as running:
        while not stop.is_set():
            try:
                sent = running.send_due(stop)
            except DatabaseBusy:
                sent = SendReport()
            except Cancelled:  # the Store stopped: that batch rolled back, still owed
                return
            if report is not None and sent.sent:
                report(sent)
            stop.wait(poll)
