"""How PostgreSQL runs a dynamic segment's refresh (data/rules/refresh.py, P9),
checked from its plan, not from timing.

A refresh first counts, without writing, whether the rule's matches differ from the
segment's rule-made members. As an anti-join filtered on the membership's source, it was planned
from statistics taken before the segment's first refresh, which saw no rule-made stay:
one row expected, so the matches were searched once per member (2.5 s for a segment of
5,495 members at a million contacts, 10 ms hashed). The statistics here are taken the
same way: after the demo's build, before any rule made a member.
"""

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


def test_the_unchanged_check_never_searches_the_matches_per_member(
        demo_store: Store) -> None:
    store = demo_store
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE memberships")
    tree, issues = store.rules.check_rule(parse("score > 50"))
    assert issues == []
    user = store.users.current_user("Sarah Mitchell")
    segment_id = store.segments.create_segment(SegmentDraft("Scored", rule=tree),
                                               ContactSelection(), user)
    with captured(store) as sent:
        [result] = store.rules.refresh_segments([segment_id])
    assert result.members > 100 and not result.changed
    [(statement, parameters)] = [(sql, p) for sql, p in sent if "rule_matches" in sql]
    with store.engine.connect() as conn:
        row = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}",
                                   parameters).scalar_one()
        conn.rollback()
    found = list(nodes(row[0]["Plan"]))
    assert any(node["Node Type"] == "SetOp" for node in found)  # the leavers, hashed
    for node in found:
        if node["Node Type"] == "Nested Loop":
            inner = [c["Node Type"] for c in node.get("Plans", [])]
            assert "CTE Scan" not in inner, node
