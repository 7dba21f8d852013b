"""`segtui api tokens create|list|revoke` (C21.2.1) and `segtui api` (C21.1.1) through the
command line, on both engines: what is printed, what the database holds, the refusals."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys

import httpx
from sqlalchemy import select
from typer.testing import CliRunner, Result

from segtui import cli
from segtui.core.audit import Action
from segtui.data.db.tables import ApiToken, AuditEntry
from segtui.data.store import Store

runner = CliRunner()
ADMIN, MANAGER = "James Carter", "Sarah Mitchell"


def run(store: Store, *args: str, user: str = ADMIN) -> Result:
    url = store.url.render_as_string(hide_password=False)
    return runner.invoke(cli.app, ["--user", user, "--db", url, *args])


def test_a_token_is_shown_once_and_kept_only_as_its_hash(demo_store: Store) -> None:
    made = run(demo_store, "api", "tokens", "create", "Mautic sync", "--for", MANAGER,
               "--scope", "write", "--json")
    assert made.exit_code == 0, made.output
    obj = json.loads(made.stdout)
    secret = obj["token"]
    assert secret.startswith("segtui_") and obj["user"] == MANAGER and obj["scope"] == "write"
    with demo_store.reading() as conn:
        stored = conn.execute(select(ApiToken.secret_hash, ApiToken.prefix)).one()
    assert secret not in stored.secret_hash and stored.prefix == secret[:14]
    found = demo_store.tokens.user_of(secret)
    assert found is not None and found[2].name == MANAGER
    listed = run(demo_store, "api", "tokens", "list")
    assert "Mautic sync" in listed.stdout and secret not in listed.stdout
    revoked = run(demo_store, "api", "tokens", "revoke", "mautic  SYNC")
    assert revoked.exit_code == 0 and "Revoked token 'Mautic sync'" in revoked.stdout
    assert demo_store.tokens.user_of(secret) is None
    with demo_store.reading() as conn:
        actions = list(conn.execute(select(AuditEntry.action).where(
            AuditEntry.action.like("api_token%")).order_by(AuditEntry.id)).scalars())
    assert actions == [Action.API_TOKEN_CREATED.value, Action.API_TOKEN_REVOKED.value]


def test_tokens_are_an_administrators_and_bad_names_are_refused(demo_store: Store) -> None:
    answers = [
        run(demo_store, "api", "tokens", "create", "Mine", "--for", MANAGER, user=MANAGER),
        run(demo_store, "api", "tokens", "create", "[bold]x", "--for", MANAGER),
        run(demo_store, "api", "tokens", "create", "x" * 101, "--for", MANAGER),
        run(demo_store, "api", "tokens", "create", "Ok", "--for", "Nobody Here"),
        run(demo_store, "api", "tokens", "revoke", "Never Made"),
        run(demo_store, "api", "tokens", "list", user=MANAGER),
    ]
    assert [a.exit_code for a in answers] == [1] * 6
    assert "not allowed to create API tokens" in answers[0].stderr
    assert "only letters, digits and spaces" in answers[1].stderr
    assert "at most 100 characters" in answers[2].stderr
    assert "No user is called" in answers[3].stderr
    assert "No token is called" in answers[4].stderr
    assert demo_store.tokens.all_tokens() == []
    twice = [run(demo_store, "api", "tokens", "create", "Same", "--for", MANAGER)
             for _ in range(2)]
    assert [t.exit_code for t in twice] == [0, 1]
    assert "already exists" in twice[1].stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_server_listens_on_loopback_says_so_and_logs_on_the_way_out(
        demo_store: Store) -> None:
    secret = json.loads(run(demo_store, "api", "tokens", "create", "Srv", "--for", MANAGER,
                            "--json").stdout)["token"]
    port = free_port()
    url = demo_store.url.render_as_string(hide_password=False)
    server = subprocess.Popen(
        [sys.executable, "-m", "segtui", "api", "--db", url, "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert server.stdout is not None
        said = server.stdout.readline()  # printed once it listens
        assert f"http://127.0.0.1:{port} (this machine only" in said
        answer = httpx.get(f"http://127.0.0.1:{port}/v1/segments",
                           headers={"Authorization": f"Bearer {secret}"}, timeout=60)
        assert answer.status_code == 200
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    assert server.returncode in (0, -signal.SIGINT)
    with demo_store.reading() as conn:
        logged = conn.execute(select(AuditEntry.actor, AuditEntry.subject).where(
            AuditEntry.action == Action.API_REQUEST.value)).all()
    assert [tuple(r) for r in logged] == [(MANAGER, "GET /v1/segments")]


def test_a_port_in_use_is_one_line_and_exit_1(demo_store: Store) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        answer = run(demo_store, "api", "--port", str(port))
    assert answer.exit_code == 1
    assert f"can't listen on 127.0.0.1:{port}" in answer.stderr


def test_the_server_sends_the_webhook_outbox(demo_store: Store) -> None:
    """C21.3.4: `segtui api` sends the outbox when no worker does: a contact upserted over
    HTTP, then added to a subscribed segment, reaches the receiver, signed."""
    from segtui.core.enums import WebhookEvents
    from tests.webhook_receiver import receiving

    secret = json.loads(run(demo_store, "api", "tokens", "create", "Hook", "--for", ADMIN,
                            "--scope", "write", "--json").stdout)["token"]
    admin = demo_store.users.look_as(ADMIN)
    demo_store.viewer = None
    port = free_port()
    url = demo_store.url.render_as_string(hide_password=False)
    with receiving("whsec_api-test-0123456") as receiver:
        demo_store.webhooks.add(1, receiver.url, WebhookEvents.ENTERED, "whsec_api-test-0123456",
                                admin)
        server = subprocess.Popen(
            [sys.executable, "-m", "segtui", "--user", ADMIN, "api", "--db", url, "--port",
             str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            assert server.stdout is not None
            assert "this machine only" in server.stdout.readline()
            made = httpx.post(f"http://127.0.0.1:{port}/v1/contacts/batch", timeout=60,
                              headers={"Authorization": f"Bearer {secret}"},
                              json={"contacts": [{"Email": "hook@example.com",
                                                  "Name": "Hook Person"}]})
            assert made.status_code == 200, made.text
            contact = demo_store.contacts.contacts_by_email(["hook@example.com"])
            from segtui.core.contacts import ContactSelection

            demo_store.members.add_members(
                1, ContactSelection().toggled(contact["hook@example.com"][0], True), admin)
            assert receiver.wait_for(1)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
    body = receiver.received[0].body
    assert (body["event"], body["contact"]["email"]) == ("entered", "hook@example.com")
    assert receiver.received[0].signed
