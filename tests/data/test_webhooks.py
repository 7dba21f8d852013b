"""C21.3: webhooks end to end on both engines, against a receiver on loopback checking
each signature: entered and left delivered with their payloads (C21.3.2), a change that
rolls back sends nothing, retries after 500s and timeouts on the backoff schedule with an
injected clock, dead after the last attempt and sent again when retried (C21.3.3), pause
and resume (C21.3.1), and an erased contact's deliveries gone (C21.3.7)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from segtui.core.contacts import ContactSelection
from segtui.core.enums import DeliveryStatus, WebhookEvents
from segtui.core.permissions import CurrentUser
from segtui.core.segments import NotAllowed
from segtui.core.webhook_delivery import SenderSettings, idempotency_key, verify
from segtui.core.webhooks import WebhookError
from segtui.data.db.tables import Contact, WebhookDelivery
from segtui.data.integration.sender import SendReport, sender
from segtui.data.store import Store
from segtui.data.writes import segment_writes
from tests.webhook_receiver import Received, receiving

ADMIN, MANAGER = "James Carter", "Sarah Mitchell"
SECRET = "whsec_test-secret-0123456789"
SEGMENT = "Inactive Subscribers"
START = datetime(2030, 1, 1, 9, 0, 0)


class Clock:
    """The sender's wall clock, moved by the test."""

    def __init__(self) -> None:
        self.at = START

    def __call__(self) -> datetime:
        return self.at


def admin(store: Store) -> CurrentUser:
    return store.users.current_user(ADMIN)


def segment_id(store: Store) -> int:
    found = store.segments.segment_id_named(SEGMENT)
    assert found is not None
    return found


def outsider(store: Store) -> int:
    """A contact not in the segment."""
    seg = segment_id(store)
    everyone = list(range(1, 40))
    inside = store.members.current_members(seg, everyone)
    return next(c for c in everyone if c not in inside)


def subscribe(store: Store, url: str, events: WebhookEvents = WebhookEvents.BOTH) -> int:
    return store.webhooks.add(segment_id(store), url, events, SECRET, admin(store)).row.id


def enter(store: Store, contact_id: int) -> None:
    added = store.members.add_members(segment_id(store),
                                      ContactSelection().toggled(contact_id, True),
                                      store.users.current_user(MANAGER))
    assert added == 1


def leave(store: Store, contact_id: int) -> None:
    assert store.members.remove_member(segment_id(store), contact_id,
                                       store.users.current_user(MANAGER))


def statuses(store: Store) -> list[tuple[str, int, datetime | None]]:
    with store.reading() as conn:
        return [(r[0], r[1], r[2]) for r in conn.execute(
            select(WebhookDelivery.status, WebhookDelivery.attempts,
                   WebhookDelivery.next_attempt_at).order_by(WebhookDelivery.id))]


def deliveries(store: Store) -> int:
    with store.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(WebhookDelivery))
                   .scalar_one())


def send(store: Store, clock: Clock | None = None, **settings: float) -> SendReport:
    made = SenderSettings(**settings)  # type: ignore[arg-type]
    with sender(store, made, clock or Clock()) as running:
        return running.send_due()


def test_entered_and_left_are_delivered_signed_with_their_payloads(demo_store: Store
                                                                  ) -> None:
    with receiving(SECRET) as receiver:
        sub = subscribe(demo_store, receiver.url)
        contact = outsider(demo_store)
        enter(demo_store, contact)
        leave(demo_store, contact)
        report = send(demo_store)
        assert (report.delivered, report.failed, report.dead) == (2, 0, 0)
    got = sorted(receiver.received, key=lambda r: r.body["id"])  # sent 8 at once
    assert [r.body["event"] for r in got] == ["entered", "left"]
    assert all(r.signed for r in got)
    with demo_store.reading() as conn:
        ids = list(conn.execute(select(WebhookDelivery.id).order_by(WebhookDelivery.id))
                   .scalars())
        email, name = conn.execute(select(Contact.email, Contact.name)
                                   .where(Contact.id == contact)).one()
    assert [r.key for r in got] == [idempotency_key(i) for i in ids]
    first = got[0].body
    assert first["id"] == ids[0] and first["attempt"] == 1
    assert first["segment"] == {"id": segment_id(demo_store), "name": SEGMENT}
    assert first["contact"] == {"id": contact, "email": email,
                                "first_name": " ".join(name.split()[:-1]),
                                "last_name": name.split()[-1]}
    assert datetime.fromisoformat(first["happened_at"]).tzinfo is not None
    headers = got[0].headers
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"].startswith("segtui/")
    assert headers["X-Segtui-Timestamp"].isdigit()
    row = demo_store.webhooks.subscription(sub)
    assert (row.pending, row.delivered, row.dead) == (0, 2, 0)
    assert row.last_success_at is not None and row.last_failure_at is None
    assert [d.status for d in demo_store.webhooks.log(sub)] == [DeliveryStatus.DELIVERED] * 2


def test_only_the_events_asked_for_are_written(demo_store: Store) -> None:
    subscribe(demo_store, "http://127.0.0.1:9/", WebhookEvents.LEFT)
    contact = outsider(demo_store)
    enter(demo_store, contact)
    assert deliveries(demo_store) == 0
    leave(demo_store, contact)
    assert deliveries(demo_store) == 1


def test_a_change_that_rolls_back_writes_no_delivery(demo_store: Store) -> None:
    subscribe(demo_store, "http://127.0.0.1:9/")
    contact = outsider(demo_store)
    with pytest.raises(RuntimeError), demo_store.writing() as conn:
        segment_writes.add_members(conn, segment_id(demo_store),
                                   ContactSelection().toggled(contact, True),
                                   demo_store.users.current_user(MANAGER))
        assert conn.execute(select(func.count()).select_from(WebhookDelivery)
                            ).scalar_one() == 1  # written with the change...
        raise RuntimeError("the transaction fails")
    assert deliveries(demo_store) == 0  # ...and gone with it


def test_500s_are_retried_on_the_backoff_schedule_then_dead_then_retried(
        demo_store: Store) -> None:
    failing = True

    def answer(_r: Received) -> int:
        return 500 if failing else 204

    clock = Clock()
    settings = {"max_attempts": 3, "first_retry": 10.0}
    with receiving(SECRET, answer) as receiver:
        sub = subscribe(demo_store, receiver.url)
        enter(demo_store, outsider(demo_store))
        assert send(demo_store, clock, **settings).failed == 1
        assert statuses(demo_store) == [("pending", 1, START + timedelta(seconds=10))]
        clock.at = START + timedelta(seconds=9)
        assert send(demo_store, clock, **settings).sent == 0  # not due yet
        clock.at = START + timedelta(seconds=10)
        assert send(demo_store, clock, **settings).failed == 1
        assert statuses(demo_store) == [("pending", 2, clock.at + timedelta(seconds=20))]
        clock.at += timedelta(seconds=20)
        assert send(demo_store, clock, **settings).dead == 1
        assert statuses(demo_store) == [("dead", 3, None)]
        clock.at += timedelta(days=1)
        assert send(demo_store, clock, **settings).sent == 0  # dead stays dead
        row = demo_store.webhooks.subscription(sub)
        assert (row.dead, row.last_error) == (1, "HTTP 500 Internal Server Error")
        assert row.last_failure_at == START + timedelta(seconds=30)
        failing = False
        assert demo_store.webhooks.retry(sub, admin(demo_store)) == 1
        assert send(demo_store, clock, **settings).delivered == 1
    assert len({r.key for r in receiver.received}) == 1  # one delivery, four attempts
    assert [r.body["attempt"] for r in receiver.received] == [1, 2, 3, 1]
    assert statuses(demo_store) == [("delivered", 1, None)]


def test_the_backoff_doubles_up_to_an_hour() -> None:
    from segtui.core.webhook_delivery import after_failure, backoff

    settings = SenderSettings()
    assert [backoff(n, settings).total_seconds() for n in range(1, 11)] == [
        10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600]
    assert after_failure(7, START, settings) == (DeliveryStatus.PENDING,
                                             START + timedelta(seconds=640))
    assert after_failure(8, START, settings) == (DeliveryStatus.DEAD, None)


@pytest.fixture
def held() -> Iterator[threading.Event]:
    hold = threading.Event()
    yield hold
    hold.set()


def test_a_receiver_past_the_timeout_is_retried(demo_store: Store, held: threading.Event
                                                ) -> None:
    """The receiver holds every request until the test ends: each attempt times out."""
    with receiving(SECRET, hold=held) as receiver:
        subscribe(demo_store, receiver.url)
        enter(demo_store, outsider(demo_store))
        enter(demo_store, outsider(demo_store))
        report = send(demo_store, timeout=0.2, connections=1)
        assert report.failed == 2
        assert receiver.wait_for(1)
    with demo_store.reading() as conn:
        errors = list(conn.execute(select(WebhookDelivery.last_error)
                                   .order_by(WebhookDelivery.id)).scalars())
    assert errors[0] == "timed out after 0.2 s"
    assert (errors[1] or "").startswith("not sent: timed out")  # the host did not answer: at once
    assert [s[:2] for s in statuses(demo_store)] == [("pending", 1), ("pending", 1)]


def test_nobody_listening_is_a_failure_too(demo_store: Store) -> None:
    with receiving(SECRET) as receiver:
        url = receiver.url
    subscribe(demo_store, url)  # the port is closed now
    enter(demo_store, outsider(demo_store))
    assert send(demo_store).failed == 1
    error = demo_store.webhooks.log(1)[0].last_error
    assert error is not None and error.startswith("could not send: ConnectionRefusedError")


def test_paused_collects_nothing_and_sends_nothing_until_resumed(demo_store: Store) -> None:
    with receiving(SECRET) as receiver:
        sub = subscribe(demo_store, receiver.url)
        enter(demo_store, outsider(demo_store))  # pending before the pause
        demo_store.webhooks.set_active(sub, False, admin(demo_store))
        enter(demo_store, outsider(demo_store))  # while paused: not collected
        assert deliveries(demo_store) == 1
        assert send(demo_store).sent == 0
        with pytest.raises(WebhookError, match="paused already"):
            demo_store.webhooks.set_active(sub, False, admin(demo_store))
        demo_store.webhooks.set_active(sub, True, admin(demo_store))
        assert send(demo_store).delivered == 1
    assert len(receiver.received) == 1


def test_erasing_a_contact_drops_what_was_not_sent(demo_store: Store) -> None:
    subscribe(demo_store, "http://127.0.0.1:9/")
    erased, kept = outsider(demo_store), None
    enter(demo_store, erased)
    kept = outsider(demo_store)
    enter(demo_store, kept)
    assert deliveries(demo_store) == 2
    demo_store.contacts.erase_contact(erased, admin(demo_store))
    with demo_store.reading() as conn:
        left = list(conn.execute(select(WebhookDelivery.contact_id)).scalars())
    assert left == [kept]


def test_only_administrators_manage_webhooks_and_urls_are_checked(demo_store: Store
                                                                  ) -> None:
    manager = demo_store.users.current_user(MANAGER)
    with pytest.raises(NotAllowed):
        demo_store.webhooks.add(segment_id(demo_store), "https://example.com/h",
                                WebhookEvents.BOTH, None, manager)
    for url, said in [("ftp://example.com/x", "http:// or https://"),
                      ("https:///path", "must name a host"),
                      ("https://exa mple.com/", "spaces or control"),
                      ("https://example.com/\x07", "spaces or control"),
                      ("https://example.com/\u202egnp", "spaces or control"),
                      ("https://me:pw@example.com/", "user name or password"),
                      ("https://example.com:99999/", "not a URL"),
                      ("https://example.com/" + "a" * 2000, "at most 2,000"),
                      ("", "is required")]:
        with pytest.raises(WebhookError, match=said):
            demo_store.webhooks.add(segment_id(demo_store), url, WebhookEvents.BOTH, None,
                                    admin(demo_store))
    with pytest.raises(WebhookError, match="at least 16"):
        demo_store.webhooks.add(segment_id(demo_store), "https://example.com/h",
                                WebhookEvents.BOTH, "short", admin(demo_store))
    assert demo_store.webhooks.subscriptions() == []


def test_the_signature_is_what_a_receiver_checks() -> None:
    from segtui.core.webhook_delivery import signature

    body = b'{"id":1}'
    assert signature("k" * 16, body).startswith("sha256=")
    assert verify("k" * 16, body, signature("k" * 16, body))
    assert not verify("k" * 16, body + b" ", signature("k" * 16, body))


def test_two_senders_never_claim_the_same_delivery(demo_store: Store) -> None:
    """PostgreSQL: a batch claimed by one sender (its transaction open while it sends) is
    skipped by another; SQLite has one writer, and a batch is read, not locked."""
    from segtui.data.integration.sender import claim_due

    subscribe(demo_store, "http://127.0.0.1:9/")
    enter(demo_store, outsider(demo_store))
    enter(demo_store, outsider(demo_store))
    if demo_store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite: one writer at a time")
    with demo_store.writing() as first:
        claimed = claim_due(first, START, 1, lock=True)
        with demo_store.writing() as second:
            other = claim_due(second, START, 10, lock=True)
    assert len(claimed) == len(other) == 1 and claimed[0].id != other[0].id


def test_run_sender_sends_until_stopped(demo_store: Store) -> None:
    """C21.3.4: the loop a worker's thread (or the API server's) runs."""
    stop = threading.Event()
    reports: list[int] = []

    def report(sent: SendReport) -> None:
        reports.append(sent.delivered)
        stop.set()

    with receiving(SECRET) as receiver:
        subscribe(demo_store, receiver.url)
        enter(demo_store, outsider(demo_store))
        demo_store.webhooks.run_sender(stop, report=report, poll=0.01)
    assert reports == [1] and len(receiver.received) == 1


def test_a_segment_hidden_from_a_user_hides_its_webhooks(demo_store: Store) -> None:
    """C19.3.2: the lists and the log show the subscriptions of the segments one sees."""
    from segtui.core.enums import Visibility

    sub = subscribe(demo_store, "https://example.com/hooks")
    demo_store.segments.share(segment_id(demo_store), admin(demo_store),
                              visibility=Visibility.PRIVATE)
    demo_store.users.look_as("Alex Kim")  # a Viewer, not its owner
    assert demo_store.webhooks.subscriptions() == []
    with pytest.raises(WebhookError):
        demo_store.webhooks.log(sub)
    demo_store.users.look_as(ADMIN)
    assert [r.id for r in demo_store.webhooks.subscriptions()] == [sub]


def test_old_delivered_deliveries_are_pruned_but_each_last_success_stays(
        demo_store: Store) -> None:
    """C21.3.8: delivered deliveries older than keep_delivered_days go at the sender's
    first pass (and hourly after); pending and dead ones stay, and so does each
    subscription's latest delivery, which its last success reads."""
    clock = Clock()
    with receiving(SECRET) as receiver:
        sub = subscribe(demo_store, receiver.url)
        first = outsider(demo_store)
        enter(demo_store, first)
        assert send(demo_store, clock).delivered == 1
        clock.at = START + timedelta(days=10)
        leave(demo_store, first)
        assert send(demo_store, clock).delivered == 1
    # A dead one, long ago: kept whatever its age.
    with demo_store.writing() as conn:
        conn.execute(WebhookDelivery.__table__.update().where(
            WebhookDelivery.id == select(func.min(WebhookDelivery.id)).scalar_subquery())
            .values(delivered_at=START - timedelta(days=400)))
    enter(demo_store, outsider(demo_store))
    with demo_store.writing() as conn:
        newest = conn.execute(select(func.max(WebhookDelivery.id))).scalar_one()
        conn.execute(WebhookDelivery.__table__.update().where(WebhookDelivery.id == newest)
                     .values(status=DeliveryStatus.DEAD.value))
    assert [s for s, _a, _n in statuses(demo_store)] == ["delivered", "delivered", "dead"]
    clock.at = START + timedelta(days=45)  # the first delivered 445 days ago, the second 35
    with sender(demo_store, SenderSettings(keep_delivered_days=30), clock) as running:
        running.send_due()
        assert [s for s, _a, _n in statuses(demo_store)] == ["delivered", "dead"]
        clock.at += timedelta(minutes=59)
        assert running.prune_if_due() == 0  # hourly
    row = demo_store.webhooks.subscription(sub)
    assert row.last_success_at == START + timedelta(days=10)  # the latest stayed
    assert (row.delivered, row.dead) == (1, 1)
