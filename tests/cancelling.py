"""A statement that runs for minutes unless it is interrupted, and says when the database
is running it (P12: cancelling). No timing: the tests wait for `running`, cancel,
and join the thread with a generous timeout that only guards against a hang."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, func, select, text, update
from sqlalchemy.engine import URL

from segtui.core import clock
from segtui.core.contacts import ContactSelection
from segtui.core.enums import SegmentStatus
from segtui.core.rules.language import parse
from segtui.core.rules.refresh import RefreshResult
from segtui.core.segments import SegmentDraft
from segtui.data.db.models import Membership, Segment
from segtui.data.rules import refresh as dynamic
from segtui.data.store import Store

MARK = "segtui-long-statement"
# SQLite: a recursive count to 10^9 (minutes); its first row calls back into Python, so
# `running` is set while the statement is executing, never before.
SQLITE = ("WITH RECURSIVE c(x) AS (SELECT segtui_running() UNION ALL "
          "SELECT x + 1 FROM c WHERE x < 1000000000) SELECT count(*) FROM c")
POSTGRESQL = f"SELECT pg_sleep(600) /* {MARK} */"
GUARD = 60  # seconds: only a hang ever takes this long


class LongStatement:
    def __init__(self) -> None:
        self.running = threading.Event()

    def run(self, conn: Connection) -> None:
        """Run it on `conn` (returns only if it is never interrupted, in minutes)."""
        if conn.dialect.name == "sqlite":
            conn.connection.dbapi_connection.create_function(  # type: ignore[union-attr]
                "segtui_running", 0, self._mark)
            conn.execute(text(SQLITE)).all()
            return
        watcher = threading.Thread(target=self._watch, args=(conn.engine,), daemon=True)
        watcher.start()
        conn.execute(text(POSTGRESQL)).all()

    def _mark(self) -> int:
        self.running.set()
        return 1

    def _watch(self, engine: Engine) -> None:
        """PostgreSQL: set `running` once the server shows the statement as active."""
        deadline = time.monotonic() + GUARD
        while time.monotonic() < deadline and not self.running.is_set():
            if active_on_server(engine):
                self.running.set()
                return
            time.sleep(0.01)


def active_on_server(engine: Engine) -> bool:
    """Whether PostgreSQL is executing the long statement on this database (each test
    has its own: another test may run one at the same time)."""
    with engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
            "AND datname = current_database() AND query LIKE :mark "
            "AND pid <> pg_backend_pid()"), {"mark": f"%{MARK}%"}
        ).scalar())


# -- a re-evaluation of the dynamic segments held in its second segment ---------------------


def stale_dynamic_segments(store: Store, count: int = 4) -> list[int]:
    """Add `count` dynamic segments that match contacts but were never evaluated and have
    no members yet (so evaluating one writes something), as after a migration or an
    import; their ids."""
    user = store.users.current_user("Sarah Mitchell")
    ids = [store.segments.create_segment(
        SegmentDraft(f"Scored over {score}", status=SegmentStatus.ACTIVE,
                     rule=store.rules.check_rule(parse(f"score > {score}"))[0]),
        ContactSelection(), user) for score in range(10, 10 * (count + 1), 10)]
    with store.orm_session() as session:
        session.execute(update(Membership).where(Membership.segment_id.in_(ids),
                                                 Membership.removed_at.is_(None))
                        .values(removed_at=clock.now()))
        session.execute(update(Segment).where(Segment.id.in_(ids)).values(evaluated_at=None))
    return ids


class HeldRefresh:
    """Replaces dynamic.refresh_segment: once one segment is done, the next that gains
    members runs the long statement after writing them, inside its transaction, so the
    refresh can be stopped half-way through that segment."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.long = LongStatement()
        self.done: list[int] = []  # segments whose evaluation returned
        self.held: int | None = None  # the segment held by the long statement
        self.error: BaseException | None = None  # what the long statement ended with
        self.ended = threading.Event()
        original = dynamic.refresh_segment

        def refresh(conn: Connection, segment_id: int, **kwargs: Any) -> RefreshResult | None:
            result = original(conn, segment_id, **kwargs)
            if self.done and self.held is None and result is not None and result.entered:
                self.held = segment_id  # the first after one committed, with rows to undo
                try:
                    self.long.run(conn)
                except BaseException as error:
                    self.error = error
                    raise
                finally:
                    self.ended.set()
            self.done.append(segment_id)
            return result

        monkeypatch.setattr(dynamic, "refresh_segment", refresh)


def evaluation_state(url: URL, segment_ids: list[int]) -> dict[int, tuple[bool, int]]:
    """Per segment, read on a Store of its own: (evaluated, current members)."""
    store = Store.open(url, upgrade=False)
    try:
        with store.reading() as conn:
            evaluated = {row.id: row.evaluated_at for row in conn.execute(
                select(Segment.id, Segment.evaluated_at).where(Segment.id.in_(segment_ids)))}
            members = {row.segment_id: int(row[1]) for row in conn.execute(
                select(Membership.segment_id, func.count().label("count"))
                .where(Membership.segment_id.in_(segment_ids), Membership.removed_at.is_(None))
                .group_by(Membership.segment_id))}
    finally:
        store.close()
    return {s: (evaluated[s] is not None, members.get(s, 0)) for s in segment_ids}
