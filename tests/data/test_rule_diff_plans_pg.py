"""How PostgreSQL runs the rule builder's enter/leave diff (C20.6.5), checked from its
plan, not from timing: the rule is evaluated once (one scan of its materialised matches
per side, never one search of them per member), both sides are set differences (hashed
or sorted once). Which index reads the segment's memberships is the planner's to choose
from their size (at the demo's, a scan of the small table): benchmarks/rule_diff.py
--explain shows it at scale."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from benchmarks.bench import captured
from segtui.core.contacts import ContactSelection
from segtui.core.rules.language import parse
from segtui.core.segments import SegmentDraft
from segtui.data.store import Store

pytestmark = pytest.mark.postgres

Plan = dict[str, Any]


@pytest.fixture
def engine_name() -> str:
    return "postgresql"


def nodes(plan: Plan) -> Iterator[Plan]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def test_the_diff_is_two_set_differences_over_one_evaluation(demo_store: Store) -> None:
    store = demo_store
    user = store.users.current_user("Sarah Mitchell")
    saved, _ = store.rules.check_rule(parse('status = "Hot Lead"'))
    segment_id = store.segments.create_segment(SegmentDraft("Hot", rule=saved),
                                               ContactSelection(), user)
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE memberships")
    edited, issues = store.rules.check_rule(parse("score > 85"), segment_id)
    assert issues == []
    with captured(store) as sent:
        diff = store.rules.rule_diff(segment_id, edited)
    assert diff.entering and diff.leaving
    [(statement, parameters)] = [(sql, p) for sql, p in sent if "rule_matches" in sql]
    with store.engine.connect() as conn:
        row = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}",
                                   parameters).scalar_one()
        conn.rollback()
    found = list(nodes(row[0]["Plan"]))
    assert sum(node["Node Type"] == "SetOp" for node in found) >= 2  # enter, leave
    # The rule's matches are evaluated once: one CTE, read by a scan per side.
    assert [n.get("Subplan Name") for n in found if n.get("Subplan Name", "").startswith(
        "CTE")] == ["CTE rule_matches"]
    for node in found:
        if node["Node Type"] == "Nested Loop":
            inner = [c["Node Type"] for c in node.get("Plans", [])]
            assert "CTE Scan" not in inner, node
