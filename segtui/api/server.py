"""Running the API under uvicorn (C21.1.1), with the request log beside it, and the webhook
sender when asked (C21.3)."""

from __future__ import annotations

import ipaddress
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from segtui.data.store import Store

LOOPBACK = "127.0.0.1"


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(store: Store, host: str, port: int, *, on_ready: object = None) -> None:
    """Serve `store`'s database on host:port until interrupted (SIGINT, SIGTERM), then
    write the rest of the request log. Blocks."""
    import uvicorn

    from segtui.api.app import create_app
    from segtui.api.request_log import RequestLog

    request_log = RequestLog(store)
    request_log.start()
    app = create_app(store, request_log=request_log)
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False,
                    server_header=False, timeout_graceful_shutdown=5)
    finally:
        request_log.stop()
