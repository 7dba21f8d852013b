"""`segtui api`'s process (C21.1.13): the cycle collector tuned for batches of writes
before the server takes its first request."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
import uvicorn

from segtui.api import server
from segtui.data.store import Store


@pytest.fixture
def collector_as_it_was() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)
    gc.unfreeze()


def test_the_server_collects_young_objects_less_often_and_freezes_its_start(
        demo_store: Store, monkeypatch: pytest.MonkeyPatch, collector_as_it_was: None
) -> None:
    seen: dict[str, object] = {}

    def run(self: uvicorn.Server, sockets: object = None) -> None:  # instead of serving
        seen["threshold"] = gc.get_threshold()
        seen["frozen"] = gc.get_freeze_count()

    monkeypatch.setattr(uvicorn.Server, "run", run)
    gc.unfreeze()
    default = gc.get_threshold()
    server.serve(demo_store, server.listen("127.0.0.1", 0))
    assert seen["threshold"] == (server.YOUNG_COLLECTION_EVERY, *default[1:])
    assert isinstance(seen["frozen"], int) and seen["frozen"] > 0
