"""C21.3 on the command line, both engines: `segtui webhooks add|list|log|pause|resume|
remove|test|retry|send` (C21.3.1, C21.3.5), administrators only (a Manager changes
nothing), and at least once (C21.3.4): a `webhooks send` killed with SIGKILL in the middle
of a batch, then started again, leaves no change's Idempotency-Key undelivered."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import func, select

from segtui.core.contacts import ContactSelection
from segtui.core.enums import WebhookEvents
from segtui.core.webhook_delivery import idempotency_key
from segtui.data.db.tables import AuditEntry, WebhookDelivery
from tests.test_cli_script import db, ok_json, opened, run, user_error  # noqa: F401
from tests.webhook_receiver import receiving

ADMIN, MANAGER, VIEWER = "James Carter", "Sarah Mitchell", "Alex Kim"
SECRET = "whsec_cli-test-secret-0123456789"
SEGMENT = "Inactive Subscribers"
ROOT = Path(__file__).resolve().parents[1]


def add_members(db: str, how_many: int) -> int:  # noqa: F811
    """About `how_many` contacts enter SEGMENT (one change each): how many did."""
    with opened(db) as store:
        segment_id = store.segments.segment_id_named(SEGMENT)
        assert segment_id is not None
        candidates = range(1, 2000)
        inside = store.members.current_members(segment_id, candidates)
        chosen = [c for c in candidates if c not in inside][:how_many]
        assert len(chosen) == how_many
        selection = ContactSelection()
        for contact in chosen:
            selection = selection.toggled(contact, True)
        return store.members.add_members(segment_id, selection,
                                         store.users.current_user(MANAGER))


def delivery_keys(db: str) -> dict[str, str]:  # noqa: F811
    with opened(db) as store, store.reading() as conn:
        return {idempotency_key(i): s for i, s in conn.execute(
            select(WebhookDelivery.id, WebhookDelivery.status))}


def test_add_list_log_pause_resume_remove(db: str) -> None:  # noqa: F811
    with receiving(SECRET) as receiver:
        added = ok_json(run(db, "webhooks", "add", SEGMENT.lower(), receiver.url,
                            "--events", "entered", "--secret", SECRET, "--json", user=ADMIN))
        assert (added["segment"], added["events"], added["secret"]) == (
            SEGMENT, "entered", SECRET)
        sub = str(added["id"])
        plain = run(db, "webhooks", "add", SEGMENT, receiver.url, user=ADMIN)
        assert plain.exit_code == 0, plain.output
        assert "Signing secret (shown once" in plain.stdout
        assert "whsec_" in plain.stdout  # made with `secrets`
        assert add_members(db, 3) == 3
        sent = run(db, "webhooks", "send", "--once", user=ADMIN)
        assert sent.exit_code == 0, sent.output
        assert "6 deliveries delivered, 0 failed" in sent.stdout
        again = run(db, "webhooks", "send", "--once", user=ADMIN)
        assert again.exit_code == 0 and "nothing was due to send" in again.stdout
        tested = run(db, "webhooks", "test", sub, user=ADMIN)
        assert tested.exit_code == 0, tested.output
        assert "answered 200" in tested.stdout
    assert receiver.received[-1].body["event"] == "test" and receiver.received[-1].signed
    listed = {s["id"]: s for s in ok_json(run(db, "webhooks", "list", "--json"))}
    assert (listed[int(sub)]["delivered"], listed[int(sub)]["pending"]) == (3, 0)
    assert "secret" not in listed[int(sub)]
    text = run(db, "webhooks", "list")
    assert "3 pending" not in text.stdout and "0 pending, 3 delivered, 0 dead" in text.stdout
    log = ok_json(run(db, "webhooks", "log", sub, "--limit", "2", "--json"))
    assert [e["status"] for e in log] == ["delivered", "delivered"] and len(log) == 2
    assert log[0]["id"] > log[1]["id"]
    assert ok_json(run(db, "webhooks", "pause", sub, "--json", user=ADMIN))["active"] is False
    assert "already" in user_error(run(db, "webhooks", "pause", sub, user=ADMIN))
    assert "Resumed webhook" in run(db, "webhooks", "resume", sub, user=ADMIN).stdout
    assert "Removed webhook" in run(db, "webhooks", "remove", sub, user=ADMIN).stdout
    assert "No webhook subscription has id" in user_error(run(db, "webhooks", "log", sub))
    with opened(db) as store, store.reading() as conn:
        actions = set(conn.execute(select(AuditEntry.action)).scalars())
    assert {"webhook_added", "webhook_changed", "webhook_removed"} <= actions


def test_bad_input_is_said_clearly(db: str) -> None:  # noqa: F811
    assert "http:// or https://" in user_error(
        run(db, "webhooks", "add", SEGMENT, "ftp://example.com/", user=ADMIN))
    assert "no segment named" in user_error(
        run(db, "webhooks", "add", "Nope", "https://example.com/", user=ADMIN))
    neither = run(db, "webhooks", "retry", user=ADMIN)
    assert neither.exit_code == 2 and "or --all for every subscription's" in neither.output
    both = run(db, "webhooks", "retry", "1", "--all", user=ADMIN)
    assert both.exit_code == 2 and "not both" in both.output
    assert "0 dead deliveries to send again" in run(db, "webhooks", "retry", "--all",
                                                    user=ADMIN).stdout


def test_only_an_administrator_adds_a_webhook(db: str) -> None:  # noqa: F811
    for who in (VIEWER, MANAGER):
        refused = user_error(run(db, "webhooks", "add", SEGMENT, "https://example.com/h",
                                 user=who))
        assert "is not allowed to manage webhooks" in refused
        assert "not allowed to send webhooks" in user_error(
            run(db, "webhooks", "send", "--once", user=who))
    assert ok_json(run(db, "webhooks", "list", "--json")) == []


def test_a_failed_test_event_exits_1(db: str) -> None:  # noqa: F811
    with receiving(SECRET, answer=lambda _r: 503) as receiver:
        with opened(db) as store:
            segment_id = store.segments.segment_id_named(SEGMENT)
            assert segment_id is not None
            sub = store.webhooks.add(segment_id, receiver.url, WebhookEvents.BOTH, SECRET,
                                     store.users.current_user(ADMIN)).row.id
        failed = user_error(run(db, "webhooks", "test", str(sub), user=ADMIN))
    assert "failed: HTTP 503" in failed


def _sender(db: str, *extra: str) -> subprocess.Popen[bytes]:  # noqa: F811
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "segtui", "--db", db, "--user", ADMIN, "webhooks", "send",
         "--batch", "50", "--connections", "4", *extra],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_sender_killed_mid_batch_loses_nothing(db: str) -> None:  # noqa: F811
    """Batch 1 (50) is delivered and marked; the receiver then holds its answers from the
    71st request on, the sender is SIGKILLed with batch 2 sent in part and marked not at
    all, and a new sender sends everything not marked: every key arrives at least once."""
    hold = threading.Event()
    with receiving(SECRET, hold=hold, hold_after=70) as receiver:
        with opened(db) as store:
            segment_id = store.segments.segment_id_named(SEGMENT)
            assert segment_id is not None
            store.webhooks.add(segment_id, receiver.url, WebhookEvents.ENTERED, SECRET,
                               store.users.current_user(ADMIN))
        added = add_members(db, 150)
        expected = set(delivery_keys(db))
        assert len(expected) == added > 100
        first = _sender(db)
        try:
            assert receiver.wait_for(71), "the sender never reached the second batch"
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(60)
        receiver.hold = None  # answer everything from now on
        hold.set()
        marked = delivery_keys(db)
        assert sorted(marked.values()).count("delivered") == 50  # batch 1 only
        again = _sender(db)
        try:
            assert receiver.wait_for_keys(expected), "a delivery was never sent again"
        finally:
            again.send_signal(signal.SIGTERM)
            _out, err = again.communicate(timeout=60)
        assert again.returncode == 0, err.decode()
    keys = receiver.keys()
    assert set(keys) == expected
    assert len(keys) > len(expected)  # batch 2's answered part was sent twice
    assert all(r.signed for r in receiver.received)
    assert set(delivery_keys(db).values()) == {"delivered"}
    with opened(db) as store, store.reading() as conn:
        attempts = conn.execute(select(func.max(WebhookDelivery.attempts))).scalar_one()
    assert attempts == 1  # a killed attempt is not counted: it never came back


def test_the_worker_sends_as_an_administrator_and_says_why_not_otherwise(
        db: str) -> None:  # noqa: F811
    """C21.3.4: `worker --once` sends what is due after its pass; a Manager's worker
    can't read the secrets, says so, and leaves the outbox to an administrator."""
    with receiving(SECRET) as receiver:
        with opened(db) as store:
            segment_id = store.segments.segment_id_named(SEGMENT)
            assert segment_id is not None
            store.webhooks.add(segment_id, receiver.url, WebhookEvents.BOTH, SECRET,
                               store.users.current_user(ADMIN))
        assert add_members(db, 2) == 2
        managers = run(db, "worker", "--once", user=MANAGER)
        assert managers.exit_code == 0, managers.output
        assert "webhooks are not sent: Sarah Mitchell" in managers.stderr
        assert run(db, "worker", "--once", "--no-webhooks", user=MANAGER).stderr == ""
        assert receiver.received == []
        admins = run(db, "worker", "--once", user=ADMIN)
        assert admins.exit_code == 0, admins.output
        assert "2 deliveries delivered" in admins.stdout
    assert len(receiver.received) == 2
