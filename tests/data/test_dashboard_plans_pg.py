"""How PostgreSQL counts the dashboard's metric cards (P2, P13): from `contact_stays`, never
by walking the memberships, checked from the plans (tests/data/test_detail_plans_pg.py
says why plans, not timings, and why the database is vacuumed and analysed first).

At a million contacts the cards walked 1.78M current stays (250-400 ms); then, reading
`contact_stays`, PostgreSQL hashed all its 833,000 rows to find the 20,000 unsubscribers'
and the unlisted segments' 25,000 contacts (210-240 ms) where seeking each is 20-100 ms
(docs/benchmarks.md, "The dashboard's cards from each contact's count of stays")."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from segtui.data.db.tables import Segment
from segtui.data.store import Store
from tests.data.test_detail_plans_pg import Plan, nodes, plans

pytestmark = pytest.mark.postgres

ADMIN = "James Carter"


@pytest.fixture
def engine_name() -> str:
    return "postgresql"


@pytest.fixture
def store(demo_store: Store) -> Store:
    """The demo database on PostgreSQL, vacuumed and analysed."""
    with demo_store.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    return demo_store


def sought_per_row(plan: Plan, relation: str) -> bool:
    """Every read of `relation` is a seek of its key in a SubPlan run per outer row (the
    nodes under a SubPlan), and there is at least one."""
    under_subplans = [n for node in nodes(plan) if node.get("Parent Relationship") == "SubPlan"
                      for n in nodes(node)]
    reads = [n for n in nodes(plan) if n.get("Relation Name") == relation]
    return bool(reads) and all(
        any(n is r for n in under_subplans) and r["Node Type"] in ("Index Scan",
                                                                   "Index Only Scan")
        and r.get("Index Name") == f"pk_{relation}" for r in reads)


def test_every_listed_segment_counts_from_contact_stays(store: Store) -> None:
    store.users.current_user(ADMIN)
    found = plans(store, store.segments.dashboard_metrics)
    assert not any(n.get("Relation Name") == "memberships"
                   for _, plan in found for n in nodes(plan))
    figures = [plan for sql, plan in found if "contact_stays" in sql]
    assert len(figures) == 1
    # One pass over the table for the members and memberships; the unsubscribers each
    # sought in it, not hashed with it.
    passes = [n for n in nodes(figures[0]) if n.get("Relation Name") == "contact_stays"
              and n.get("Parent Relationship") != "SubPlan"
              and n["Node Type"] in ("Seq Scan", "Parallel Seq Scan")]
    assert passes
    assert not any(n["Node Type"] in ("Hash Join", "Merge Join", "Nested Loop")
                   for n in nodes(figures[0]))


def test_unlisted_segments_are_counted_from_their_own_members(store: Store) -> None:
    """Two segments archived (or hidden: the same, segments not listed): their members are
    found from their ids (never a walk of every stay), each sought once in
    contact_stays."""
    admin = store.users.current_user(ADMIN)
    with store.reading() as conn:
        ids = list(conn.execute(select(Segment.id).order_by(Segment.id)).scalars())
    for segment_id in ids[:2]:
        store.segments.archive(segment_id, admin)
    found = plans(store, store.segments.dashboard_metrics, "SET enable_seqscan = off")
    share = [plan for sql, plan in found if "memberships" in sql]
    assert len(share) == 1, [sql[:200] for sql, _ in found]
    walks = [n for n in nodes(share[0]) if n.get("Relation Name") == "memberships"]
    assert walks and all("segment_id" in n.get("Index Cond", "") for n in walks)
    assert sought_per_row(share[0], "contact_stays")
    # Only once per contact: the CTE is computed once (MATERIALIZED), not inlined twice.
    assert sum(n["Node Type"] == "CTE Scan" for n in nodes(share[0])) == 1
