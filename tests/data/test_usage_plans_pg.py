"""How PostgreSQL reads the audit log for adoption and unused segments (C19.4.5,
C19.4.6), checked from the plans on a database of 1,000 segments and 30,000 entries
over a year: adoption reads only the period's entries, a range of `ix_audit_log_at`;
"last used" probes `ix_audit_log_segment_at` per segment (the segments used in the
period are left out first); neither reads the whole log.
As in test_detail_plans_pg.py, sequential scans are turned off: the question is
whether the statement *can* be answered from the index, which its shape decides."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from segtui.data.store import Store
from tests.data.test_detail_plans_pg import nodes, plans, statement_with

pytestmark = pytest.mark.postgres

FILL = """
INSERT INTO segments (name, name_key, status, kind, owner_id, created_at, updated_at,
                      visibility)
SELECT 'Load ' || n, 'load ' || n, 'Active', 'Static', 1,
       TIMESTAMP '2023-01-01' + n * INTERVAL '1 hour', TIMESTAMP '2023-06-01', 'Everyone'
FROM generate_series(1, 996) AS n;
INSERT INTO audit_log (at, actor, action, segment_id, subject, details)
SELECT TIMESTAMP '2024-02-26 12:00' - (n % 365) * INTERVAL '1 day' - (n % 24) * INTERVAL '1 hour',
       'Sarah Mitchell',
       (ARRAY['metrics_viewed', 'members_exported', 'dashboard_accessed',
              'segment_edited'])[1 + n % 4],
       1 + n % 1000, '', ''
FROM generate_series(1, 30000) AS n;
"""


@pytest.fixture
def engine_name() -> str:
    return "postgresql"


@pytest.fixture
def store(demo_store: Store) -> Store:
    with demo_store.engine.begin() as conn:
        for statement in FILL.split(";"):
            if statement.strip():
                conn.execute(text(statement))
    with demo_store.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    return demo_store


def indexes_read(plan: dict[str, object], relation: str) -> set[str]:
    """The indexes of `relation` the plan reads (a bitmap's too); never a sequential scan."""
    found = {str(n["Index Name"]) for n in nodes(plan)
             if "Index Name" in n and str(n["Index Name"]).startswith(f"ix_{relation}")}
    assert not [n for n in nodes(plan)
                if n.get("Relation Name") == relation and n["Node Type"] == "Seq Scan"]
    return found


def test_adoption_reads_the_periods_entries_from_the_time_index(store: Store) -> None:
    james = store.users.current_user("James Carter")
    found = plans(store, lambda: store.audit.adoption_page(90, james),
                  "SET enable_seqscan = off")
    plan = statement_with(found, "audit_log.at >=", "GROUP BY audit_log.segment_id")
    assert indexes_read(plan, "audit_log") == {"ix_audit_log_at"}


def test_last_used_probes_each_segment_in_its_index(store: Store) -> None:
    james = store.users.current_user("James Carter")
    page = store.audit.unused_page(james, limit=50)
    assert len(page.rows) == 50  # a quarter of the load's segments: never viewed
    found = plans(store, lambda: store.audit.unused_page(james, limit=50),
                  "SET enable_seqscan = off")
    plan = statement_with(found, "max(audit_log.at)")
    # The last use per segment in its index; "used in the period" may be the period's
    # range of the time index, hashed once: never the whole log.
    assert "ix_audit_log_segment_at" in indexes_read(plan, "audit_log") <= {
        "ix_audit_log_segment_at", "ix_audit_log_at"}
