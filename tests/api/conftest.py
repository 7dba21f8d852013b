"""A running API server for the tests (C21.1): uvicorn in a thread, listening on a socket
bound before it starts (so a client can connect at once, without waiting on the thread),
on the demo database of each engine, with a token for each kind of caller."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn

from segtui.api.app import create_app
from segtui.api.gate import Gate
from segtui.api.request_log import RequestLog
from segtui.api.server import listen
from segtui.core.enums import TokenScope
from segtui.data.store import Store

ADMIN = "James Carter"  # CRM Administrator in the demo data
MANAGER = "Sarah Mitchell"  # Marketing Manager
VIEWER = "Alex Kim"


@dataclass
class Served:
    store: Store
    url: str
    tokens: dict[str, str]  # write, read, viewer, revoked
    request_log: RequestLog
    gate: Gate  # the app's: who is asking, and the event loop's lookups

    def client(self, token: str | None = "write") -> httpx.Client:
        headers = {} if token is None else {
            "Authorization": f"Bearer {self.tokens.get(token, token)}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


@pytest.fixture
def served(demo_store: Store) -> Iterator[Served]:
    admin = demo_store.users.look_as(ADMIN)
    tokens = {
        "write": demo_store.tokens.create("writer", MANAGER, TokenScope.WRITE, admin).secret,
        "read": demo_store.tokens.create("reader", MANAGER, TokenScope.READ, admin).secret,
        "viewer": demo_store.tokens.create("viewer", VIEWER, TokenScope.WRITE, admin).secret,
        "revoked": demo_store.tokens.create("gone", MANAGER, TokenScope.WRITE, admin).secret,
        "admin": demo_store.tokens.create("admin", ADMIN, TokenScope.WRITE, admin).secret,
    }
    demo_store.tokens.revoke("gone", admin)
    demo_store.viewer = None  # the server's own Store looks tokens up; callers get theirs
    request_log = RequestLog(demo_store)
    app = create_app(demo_store, request_log)
    sock = listen("127.0.0.1", 0)  # the server's own way (TCP_NODELAY on each connection)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield Served(demo_store, f"http://127.0.0.1:{port}", tokens, request_log,
                     app.state.gate)
    finally:
        server.should_exit = True
        thread.join()
        sock.close()
        request_log.flush()
        app.state.gate.close()
