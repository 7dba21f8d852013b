"""C19.6: `segtui worker` keeps every dynamic segment current: what a change owes the rules
(written by a process that ended before re-evaluating), the day's re-evaluation, and a
whole pass for what other programs wrote; a pass killed half-way leaves nothing half-
written and the next one completes. Both engines."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import delete, update

from segtui.cli import worker
from segtui.core import clock
from segtui.core.contacts import ContactSelection
from segtui.core.rules.language import parse
from segtui.core.rules.refresh import RefreshResult
from segtui.core.segments import SegmentDraft
from segtui.data.db.tables import Contact, Membership
from segtui.data.rules import pending
from segtui.data.rules import refresh as rule_refresh
from segtui.data.store import Store
from tests.test_cli_script import db, opened, run  # noqa: F401 (db: a fixture)

MANAGER = "Sarah Mitchell"


def high_scorers(store: Store) -> int:
    """A dynamic segment (score > 90), up to date now."""
    rule = store.rules.check_rule(parse("score > 90"))[0]
    return store.segments.create_segment(SegmentDraft("High scorers", rule=rule),
                                         ContactSelection(), store.users.current_user(MANAGER))


def members(store: Store, segment_id: int) -> int:
    details = store.segments.segment_details(segment_id)
    assert details is not None
    return details.members


def test_a_pass_does_what_a_change_left_owed(demo_store: Store) -> None:
    segment_id = high_scorers(demo_store)
    before = members(demo_store, segment_id)
    with demo_store.writing() as conn:  # a change whose process ended before refreshing
        conn.execute(update(Contact).where(Contact.id == 2).values(quality_score=99))
        pending.owe_contacts(conn, [2], clock.now())
    results = worker.one_pass(demo_store)
    assert [r.segment_id for r in results if r.changed] == [segment_id]
    assert members(demo_store, segment_id) == before + 1
    assert worker.one_pass(demo_store) == []  # nothing owed: nothing done


def test_the_days_pass_and_the_whole_pass(demo_store: Store, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    segment_id = high_scorers(demo_store)
    with demo_store.writing() as conn:  # another program writes the table (psql): no debt
        conn.execute(update(Contact).where(Contact.id == 2).values(quality_score=99))
    assert worker.one_pass(demo_store) == []  # owed nothing, evaluated today
    monkeypatch.setenv("SEGTUI_TODAY", date(2024, 2, 27).isoformat())
    next_day = worker.one_pass(demo_store)  # a new day: every rule again
    assert segment_id in {r.segment_id for r in next_day if r.changed}
    with demo_store.writing() as conn:
        conn.execute(update(Contact).where(Contact.id == 3).values(quality_score=99))
    whole = worker.one_pass(demo_store, whole=True)
    assert segment_id in {r.segment_id for r in whole if r.changed}


def test_a_pass_killed_half_way_leaves_it_owed_and_the_next_completes(
        demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    segment_id = high_scorers(demo_store)
    with demo_store.writing() as conn:  # its members lost: a whole re-evaluation is owed
        conn.execute(delete(Membership).where(Membership.segment_id == segment_id))
        pending.owe_segments(conn, [segment_id], clock.now())
    real = rule_refresh.refresh_segment

    def dies(*args: object, **kwargs: object) -> RefreshResult | None:
        real(*args, **kwargs)  # type: ignore[arg-type]
        raise KeyboardInterrupt  # the process stopped after writing, before committing

    monkeypatch.setattr(rule_refresh, "refresh_segment", dies)
    with pytest.raises(KeyboardInterrupt):
        worker.one_pass(demo_store)
    assert members(demo_store, segment_id) == 0  # rolled back whole
    assert demo_store.rules.owed().segments == (segment_id,)
    monkeypatch.setattr(rule_refresh, "refresh_segment", real)
    assert [r.segment_id for r in worker.one_pass(demo_store)] == [segment_id]
    assert members(demo_store, segment_id) > 0 and not demo_store.rules.owed()


def test_the_loop_passes_until_stopped(demo_store: Store) -> None:
    stop = threading.Event()
    passes: list[int] = []

    def report(results: list[RefreshResult], _seconds: float) -> None:
        passes.append(len(results))
        stop.set()  # one pass is enough to know it ran

    worker.keep_current(demo_store, stop, every=30, whole_every=3600, report=report)
    assert passes == [0]


def test_the_command_does_one_pass_and_says_what_changed(db: str) -> None:  # noqa: F811
    with opened(db) as store:
        segment_id = high_scorers(store)
        with store.writing() as conn:
            conn.execute(update(Contact).where(Contact.id == 2).values(quality_score=99))
            pending.owe_contacts(conn, [2], clock.now())
    result = run(db, "worker", "--once", user=MANAGER)
    assert result.exit_code == 0, result.output
    assert "re-evaluated 1 dynamic segment, 1 changed" in result.stdout
    with opened(db) as store:
        assert not store.rules.owed()
        assert members(store, segment_id) >= 1


def test_a_stop_mid_pass_ends_the_loop_and_leaves_the_work_owed(
        demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGTERM cancels the Store's statements: the pass ends with Cancelled, rolled back."""
    from segtui.core.cancel import Cancelled

    def cancelled(store: Store, *, whole: bool = False) -> list[RefreshResult]:
        raise Cancelled()

    monkeypatch.setattr(worker, "one_pass", cancelled)
    reports: list[int] = []
    worker.keep_current(demo_store, threading.Event(), every=30, whole_every=3600,
                        report=lambda results, _s: reports.append(len(results)))
    assert reports == []  # it returned at once, without a pass reported
