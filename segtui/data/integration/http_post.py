"""POSTing webhook deliveries (C21.3.2, C21.3.6): http.client, each sending thread keeping
one open connection per receiver (HTTP/1.1 keep-alive), so 10,000 deliveries to one
receiver are 10,000 requests on a few connections, not 10,000 TCP (and TLS) handshakes.

A kept connection the receiver closed meanwhile fails on its next request before any
answer; that request is sent once more on a new connection (a delivery is at least
once anyway: the receiver de-duplicates by Idempotency-Key).
"""

from __future__ import annotations

import http.client
import ssl
import threading
import weakref
from urllib.parse import urlsplit

from segtui.core.webhook_delivery import short_error

# Failures of a kept connection that mean "closed by the other side meanwhile".
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError,
          http.client.CannotSendRequest, http.client.BadStatusLine)


class Poster:
    """Sends POSTs, keeping a connection per thread and receiver; thread-safe."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        self._tls: ssl.SSLContext | None = None  # made once, when first wanted
        self._all: weakref.WeakSet[http.client.HTTPConnection] = weakref.WeakSet()

    def _connections(self) -> dict[tuple[str, str, int], http.client.HTTPConnection]:
        found: dict[tuple[str, str, int], http.client.HTTPConnection] | None = getattr(
            self._local, "connections", None)
        if found is None:
            found = self._local.connections = {}
        return found

    def _connect(self, scheme: str, host: str, port: int) -> http.client.HTTPConnection:
        made: http.client.HTTPConnection
        if scheme == "https":
            with self._lock:
                if self._tls is None:
                    self._tls = ssl.create_default_context()
            made = http.client.HTTPSConnection(host, port, timeout=self.timeout,
                                               context=self._tls)
        else:
            made = http.client.HTTPConnection(host, port, timeout=self.timeout)
        with self._lock:
            self._all.add(made)
        return made

    def post(self, url: str, body: bytes, headers: dict[str, str]
             ) -> tuple[int | None, str | None]:
        """(the receiver's status, why it failed or None for a 2xx). Never raises for
        what the network or the receiver does."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = parts.hostname or ""
        port = parts.port or (443 if scheme == "https" else 80)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        key = (scheme, host, port)
        connections = self._connections()
        for fresh in (False, True):
            conn = connections.get(key)
            reused = conn is not None and not fresh
            if conn is None or fresh:
                if conn is not None:
                    conn.close()
                conn = connections[key] = self._connect(scheme, host, port)
            try:
                conn.request("POST", target, body=body, headers=headers)
                response = conn.getresponse()
                response.read(64 * 1024)  # what is left is dropped with the connection
                status = response.status
                if response.will_close or not response.isclosed():
                    conn.close()
                    del connections[key]
            except _STALE as exc:
                conn.close()
                connections.pop(key, None)
                if reused:
                    continue  # the kept connection had been closed: once more, anew
                return None, short_error(f"connection closed: {_describe(exc)}")
            except TimeoutError:
                conn.close()
                connections.pop(key, None)
                return None, f"timed out after {self.timeout:g} s"
            except (OSError, http.client.HTTPException, ValueError) as exc:
                conn.close()
                connections.pop(key, None)
                return None, short_error(f"could not send: {_describe(exc)}")
            if 200 <= status < 300:
                return status, None
            reason = short_error(response.reason or "")
            return status, f"HTTP {status}" + (f" {reason}" if reason else "")
        return None, "connection closed twice"  # not reached: the second try returns

    def close(self) -> None:
        with self._lock:
            made, self._all = list(self._all), weakref.WeakSet()
        for conn in made:
            conn.close()


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
