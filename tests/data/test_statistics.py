"""PostgreSQL's planner statistics after a write (C21.1.8, P11): a write large against its
table analyses it, one small against it (an API batch of 10,000 contacts into a million)
leaves it alone, as autovacuum's own rule would; a table never analysed always is."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import text

from segtui.core.imports import OnDuplicate
from segtui.data.db import bulk
from segtui.data.store import Store
from segtui.transfer.json_rows import contact_rows


def test_stale_follows_autovacuums_rule() -> None:
    assert bulk.stale(rows=-1, modified=0, written=1, analysed=False)  # never analysed
    assert bulk.stale(rows=1000.0, modified=0, written=1, analysed=False)
    assert not bulk.stale(rows=1_000_000.0, modified=0, written=10_000, analysed=True)
    assert not bulk.stale(rows=1_000_000.0, modified=90_050, written=10_000, analysed=True)
    assert bulk.stale(rows=1_000_000.0, modified=90_051, written=10_000, analysed=True)
    assert bulk.stale(rows=1000.0, modified=0, written=151, analysed=True)
    assert not bulk.stale(rows=1000.0, modified=0, written=150, analysed=True)


def last_analysed(store: Store, table: str = "contacts") -> datetime | None:
    with store.reading() as conn:
        found = conn.execute(text(
            "SELECT last_analyze FROM pg_stat_user_tables WHERE relid = CAST(:t AS regclass)"
        ), {"t": table}).scalar_one()
    return found  # type: ignore[no-any-return]


def import_new(store: Store, count: int, tag: str) -> None:
    rows, headers = contact_rows([{"email": f"stats-{tag}-{i}@example.com",
                                   "name": f"Stats Contact {i}"} for i in range(count)])
    report = store.transfer.import_contacts(rows, OnDuplicate.UPDATE, headers=headers)
    assert report.added == count


def test_a_write_small_against_its_table_leaves_the_statistics(
        engine_name: str, demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    if engine_name != "postgresql":
        pytest.skip("PostgreSQL only: segtui keeps no SQLite statistics")
    monkeypatch.setattr(bulk, "ANALYZE_AFTER_ROWS", 1)  # the demo has hundreds, not 1M
    bulk.refresh_statistics(demo_store.engine, ("contacts",))
    with demo_store.reading() as conn:
        rows = float(conn.execute(text(
            "SELECT reltuples FROM pg_class WHERE oid = 'contacts'::regclass")).scalar_one())
    analysed = last_analysed(demo_store)
    assert analysed is not None
    small = 2  # well under 50 + 10% of the table
    assert not bulk.stale(rows, 0, small, True)
    import_new(demo_store, small, "small")
    assert last_analysed(demo_store) == analysed
    large = int(bulk.ANALYZE_BASE_ROWS + bulk.ANALYZE_SCALE * rows) + 1
    import_new(demo_store, large, "large")
    after = last_analysed(demo_store)
    assert after is not None and after > analysed


def test_statistics_are_kept_per_table_written(
        engine_name: str, demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch of new contacts that names no company analyses the contacts it grew, not
    the companies (it analysed every table by the contacts' count: 33 ms of each API
    batch at 1M, C21.1.13); one that adds companies analyses them too."""
    if engine_name != "postgresql":
        pytest.skip("PostgreSQL only: segtui keeps no SQLite statistics")
    monkeypatch.setattr(bulk, "ANALYZE_AFTER_ROWS", 1)
    bulk.refresh_statistics(demo_store.engine, ("contacts", "companies", "events"))
    before = {t: last_analysed(demo_store, t) for t in ("contacts", "companies", "events")}
    import_new(demo_store, 400, "companyless")  # > 50 + 10% of the demo's contacts
    after = {t: last_analysed(demo_store, t) for t in ("contacts", "companies", "events")}
    assert after["contacts"] != before["contacts"]
    assert after["companies"] == before["companies"]
    assert after["events"] == before["events"]
    rows, headers = contact_rows([{"email": f"stats-co-{i}@example.com",
                                   "name": f"Stats Contact {i}",
                                   "company": f"Stats Company {i}"} for i in range(400)])
    report = demo_store.transfer.import_contacts(rows, OnDuplicate.UPDATE, headers=headers)
    assert report.written == {"companies": 400, "contacts": 400}
    assert last_analysed(demo_store, "companies") != before["companies"]
