"""Running the API under uvicorn (C21.1.1), with the request log beside it, and the webhook
sender when asked (C21.3)."""

from __future__ import annotations

import ipaddress
import socket
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


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on host:port (OSError if it can't be had): bound before the
    server starts, so what the command prints next is already true, and a client can
    connect at once (the kernel queues it until uvicorn accepts)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on connections accepted from a
    # socket that says it is TCP. Without it every answer on a kept-alive connection
    # waited 40 ms (Nagle's algorithm against the client's delayed ACK: a GET's p50 went
    # from 56 to 12 ms on the reference dataset, docs/benchmarks.md).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


# Allocations between two passes of the cycle collector's youngest generation (Python's
# default: 700). See collect_less_often.
YOUNG_COLLECTION_EVERY = 50_000


def collect_less_often() -> None:
    """Tune Python's cycle collector for a server of batches (C21.1.13). A batch upsert of
    10,000 contacts allocates a few objects per row that stay alive until the batch is
    written: with a pass of the young generation every 700 allocations, they were walked
    again and again and pushed into the older generations, whose passes walk every
    object of the process; the collector was 15-20% of the batch (in-process, 336-365 ms
    a batch with Python's default, 271-280 ms with this; docs/benchmarks.md). What the
    server made while starting lives as long as it does: frozen out of every pass.
    Garbage with cycles is still collected, 70 times less often; a pass of 50,000 young
    objects takes a few milliseconds."""
    import gc

    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, older, oldest)


def serve(store: Store, sock: socket.socket, *, sends_webhooks: bool = False) -> None:
    """Serve `store`'s database on the listening `sock` until interrupted (SIGINT,
    SIGTERM), then write the rest of the request log. With `sends_webhooks`, a thread
    beside it sends the webhook outbox (C21.3.4), as `segtui worker` does. Blocks."""
    import threading

    import uvicorn

    from segtui.api.app import create_app
    from segtui.api.request_log import RequestLog

    request_log = RequestLog(store)
    request_log.start()
    app = create_app(store, request_log)
    collect_less_often()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                           server_header=False, timeout_graceful_shutdown=5))
    stop = threading.Event()
    sender = threading.Thread(target=store.webhooks.run_sender, args=(stop,),
                              name="segtui-sender", daemon=True)
    if sends_webhooks:
        sender.start()
    try:
        # Batch after batch of writes: the log is checkpointed beside them (C21.1.13).
        with store.checkpoints_beside():
            server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn raises Ctrl+C again once it has stopped: done
        pass
    finally:
        stop.set()
        if sender.is_alive():
            sender.join()
        sock.close()
        request_log.stop()
        app.state.gate.close()
