"""A webhook receiver on loopback for the tests and the benchmark (C21.3): an http.server
on port 0 in a thread, HTTP/1.1 keep-alive, checking each request's HMAC signature and
collecting what arrived (Idempotency-Keys, bodies). Waiting for deliveries is waiting on
a condition, never a sleep."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    key: str
    body: dict[str, Any]
    signed: bool  # the signature matched the body
    headers: dict[str, str]


class Receiver:
    """Answers `answer(received)` (an HTTP status; default 200). With `hold` set to an
    unset Event, it answers nothing until the Event is set (a receiver past the sender's
    timeout); `hold_after`: it holds from that many requests on."""

    def __init__(self, secret: str, answer: Callable[[Received], int] | None = None,
                 hold: threading.Event | None = None, hold_after: int = 0) -> None:
        self.secret = secret
        self.answer = answer or (lambda _r: 200)
        self.hold = hold
        self.hold_after = hold_after
        self.received: list[Received] = []
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                expected = "sha256=" + hmac.new(receiver.secret.encode(), raw,
                                                 hashlib.sha256).hexdigest()
                got = Received(self.headers.get("Idempotency-Key", ""), json.loads(raw),
                               hmac.compare_digest(
                                   expected, self.headers.get("X-Segtui-Signature", "")),
                               dict(self.headers.items()))
                with receiver.arrived:
                    receiver.received.append(got)
                    count = len(receiver.received)
                    receiver.arrived.notify_all()
                hold = receiver.hold
                if hold is not None and count > receiver.hold_after:
                    hold.wait()
                status = receiver.answer(got)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:  # the sender went away (it timed out, or was killed)
                    pass

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def keys(self) -> list[str]:
        with self.arrived:
            return [r.key for r in self.received]

    def wait_for(self, count: int, timeout: float = 60) -> bool:
        """Until at least `count` requests arrived (False: `timeout` seconds passed)."""
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.received) >= count, timeout)

    def wait_for_keys(self, keys: set[str], timeout: float = 60) -> bool:
        with self.arrived:
            return self.arrived.wait_for(
                lambda: keys <= {r.key for r in self.received}, timeout)


@contextmanager
def receiving(secret: str, answer: Callable[[Received], int] | None = None,
              hold: threading.Event | None = None, hold_after: int = 0
              ) -> Iterator[Receiver]:
    receiver = Receiver(secret, answer, hold, hold_after)
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        if hold is not None:
            hold.set()
        receiver.server.shutdown()
        receiver.server.server_close()
        thread.join()
