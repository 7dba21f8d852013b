"""How PostgreSQL finds an import batch's contacts (I16.1, I16.16, C21.1.13): the batch's
values go as one JSON parameter, and each is looked up through the unique email key (or
the phone key's expression index), never by reading the whole table. As in
test_detail_plans_pg.py, sequential scans are turned off: the question is whether the
statement *can* be answered from the index, which its shape decides."""

from __future__ import annotations

import pytest

from benchmarks.bench import captured
from segtui.core.contact_keys import MatchKey
from segtui.core.imports import OnDuplicate
from segtui.data.store import Store
from segtui.transfer.json_rows import contact_rows
from tests.data.test_detail_plans_pg import Plan, nodes

pytestmark = pytest.mark.postgres


@pytest.fixture
def engine_name() -> str:
    return "postgresql"


def lookup_plans(store: Store, body: list[dict[str, str]], match: MatchKey
                 ) -> list[tuple[str, Plan]]:
    """The import's statements that look contacts up by a list of values (the JSON
    parameter), each with its plan; other statements (on the batch's TEMP tables) are
    left out."""
    rows, headers = contact_rows(body)
    with captured(store) as sent:
        store.transfer.import_contacts(rows, OnDuplicate.UPDATE, match=match,
                                       headers=headers, dry_run=True)
    found = []
    with store.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters, *_ in sent:
            if "jsonb_array_elements_text" in statement and "FROM contacts" in statement:
                plan = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}",
                                            parameters).scalar_one()[0]["Plan"]
                found.append((" ".join(statement.split()), plan))
        conn.rollback()
    return found


def indexes_of_contacts(plan: Plan) -> set[str]:
    """The indexes of contacts the plan searches; it never scans the table."""
    assert not [n for n in nodes(plan)
                if n.get("Relation Name") == "contacts" and "Seq" in str(n["Node Type"])]
    return {str(n["Index Name"]) for n in nodes(plan)
            if str(n.get("Index Name", "")).startswith(("ix_contacts", "uq_contacts"))}


def test_a_batch_finds_its_contacts_by_email_through_the_unique_key(demo_store: Store
                                                                    ) -> None:
    body: list[dict[str, str]] = [
        {"email": "sarah.mitchell@example.com", "name": "Someone"},
        {"email": "NEW.Person@example.com", "name": "New Person"}]
    found = lookup_plans(demo_store, body, MatchKey.EMAIL)
    assert [sql for sql, _ in found if "contacts.email_key = ANY" in sql]
    for _, plan in found:
        assert indexes_of_contacts(plan) == {"uq_contacts_email_key"}


def test_a_batch_matched_by_phone_finds_its_contacts_through_the_phone_key(
        demo_store: Store) -> None:
    body: list[dict[str, str]] = [{"phone": "+1 (555) 010-2030", "name": "Phone Person"}]
    found = lookup_plans(demo_store, body, MatchKey.PHONE)
    phone = [plan for sql, plan in found if "replace(" in sql]
    assert len(phone) == 1
    assert indexes_of_contacts(phone[0]) == {"ix_contacts_phone_key"}
