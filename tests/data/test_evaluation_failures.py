"""A dynamic segment's evaluation, failed or not, is recorded on it (C20.7), on SQLite and
PostgreSQL: every path that evaluates a rule whole stamps when and how long (C20.7.1); a
rule that fails records why and when (C20.7.2) and is cleared by the next success
(C20.7.3); one failing segment never stops the others (C20.7.4).

The failing rule is one this segtui cannot evaluate: a condition on a field it does not
know (as a newer segtui's rule would be), written behind the Store's back. The clock is
fixed at 2024-02-26 (noon is "now"), see tests/conftest.py.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Integer, cast, literal, select, update

from segtui.core.contacts import ContactSelection
from segtui.core.rules.language import parse
from segtui.core.segments import SegmentDetails, SegmentDraft
from segtui.data.db.models import Contact, Membership, Segment
from segtui.data.rules import refresh
from segtui.data.store import Store

NOW = datetime(2024, 2, 26, 12, 0)
# "city = Boston and shoe_size = 9": shares its first condition with BOSTON's rule, so a
# whole refresh plans them in one batch.
BROKEN = ('{"version":1,"rule":{"group":"and","children":['
          '{"field":"city","op":"=","value":"Boston"},'
          '{"field":"shoe_size","op":"=","value":"9"}]}}')
FAILURE = "unknown field 'shoe_size'"


def make_dynamic(store: Store, name: str, rule: str) -> int:
    return store.segments.create_segment(
        SegmentDraft(name, rule=parse(rule)), ContactSelection(),
        store.users.current_user("Sarah Mitchell"))


def break_rule(store: Store, segment_id: int, rule: str = BROKEN) -> None:
    with store.orm_session() as session:
        session.execute(update(Segment).where(Segment.id == segment_id).values(rule=rule))


def details(store: Store, segment_id: int) -> SegmentDetails:
    found = store.segments.segment_details(segment_id)
    assert found is not None
    return found


def members(store: Store, segment_id: int) -> set[int]:
    with store.reading() as conn:
        return set(conn.execute(select(Membership.contact_id).where(
            Membership.segment_id == segment_id, Membership.removed_at.is_(None))).scalars())


def unstamp(store: Store, *ids: int) -> None:
    with store.orm_session() as session:
        session.execute(update(Segment).where(Segment.id.in_(ids))
                        .values(evaluated_at=None, evaluation_ms=None))


@pytest.fixture
def three(demo_store: Store) -> tuple[Store, int, int, int]:
    """(store, Boston, broken, high scores): three dynamic segments, the second failing."""
    store = demo_store
    boston = make_dynamic(store, "Boston People", "city = Boston and score > 10")
    broken = make_dynamic(store, "Broken Rule", "city = Boston and score > 20")
    high = make_dynamic(store, "High Scores", "score > 80")
    break_rule(store, broken)
    return store, boston, broken, high


def test_a_save_stamps_the_evaluation(demo_store: Store) -> None:
    """C20.7.1: creating (and so evaluating) a dynamic segment records when and how long;
    a static one has neither."""
    seg = make_dynamic(demo_store, "Boston People", "city = Boston")
    d = details(demo_store, seg)
    assert d.evaluated_at == NOW and d.evaluation_ms is not None and d.evaluation_ms >= 0
    assert (d.evaluation_error, d.evaluation_failed_at) == (None, None)


def test_one_failing_segment_does_not_stop_a_whole_refresh(
        three: tuple[Store, int, int, int]) -> None:
    """C20.7.2, C20.7.4: the others are evaluated (and stamped), the failing one records why
    and when, and keeps its members and its last good evaluation."""
    store, boston, broken, high = three
    kept = members(store, broken)
    before = details(store, broken).evaluated_at
    unstamp(store, boston, high)
    results = store.rules.refresh_segments()
    assert {r.segment_id for r in results} >= {boston, high}
    assert broken not in {r.segment_id for r in results}
    for seg in (boston, high):
        d = details(store, seg)
        assert d.evaluated_at == NOW and d.evaluation_error is None
    failed = details(store, broken)
    assert (failed.evaluation_error, failed.evaluation_failed_at) == (FAILURE, NOW)
    assert failed.evaluated_at == before
    assert members(store, broken) == kept


def test_the_failure_is_cleared_by_the_next_success(
        three: tuple[Store, int, int, int]) -> None:
    """C20.7.3: fixing the rule (a save evaluates it) clears the failure."""
    store, _, broken, _ = three
    store.rules.refresh_segments([broken])
    assert details(store, broken).evaluation_error == FAILURE
    before = details(store, broken)
    draft = SegmentDraft(before.name, before.description, before.tags, before.status,
                         parse("city = Boston"))
    store.segments.update_segment(broken, before.version, draft, ContactSelection(),
                                  store.users.current_user("Sarah Mitchell"))
    after = details(store, broken)
    assert (after.evaluation_error, after.evaluation_failed_at) == (None, None)
    assert after.evaluated_at == NOW


def test_an_unreadable_rule_fails_alone(three: tuple[Store, int, int, int]) -> None:
    """C20.7.4: a stored rule that is not even JSON fails alone too, and says so."""
    store, boston, broken, _ = three
    break_rule(store, broken, "{not json")
    unstamp(store, boston)
    store.rules.refresh_segments()
    assert details(store, boston).evaluated_at == NOW
    with store.reading() as conn:
        error = conn.execute(select(Segment.evaluation_error)
                             .where(Segment.id == broken)).scalar_one()
    assert error is not None and error.startswith("the stored rule is not valid JSON")


def test_start_up_and_incremental_passes_record_the_failure(
        three: tuple[Store, int, int, int]) -> None:
    """C20.7.1, C20.7.4: the start-up pass (segments not evaluated today) and the
    re-evaluation of changed contacts go on past the failing segment."""
    store, boston, broken, high = three
    unstamp(store, boston, broken, high)
    store.rules.refresh_stale()
    assert details(store, high).evaluated_at == NOW
    assert details(store, broken).evaluation_error == FAILURE
    with store.orm_session() as session:  # a Boston contact's score drops behind our back
        contact = session.execute(select(Contact).where(
            Contact.id.in_(members(store, boston)))).scalars().first()
        assert contact is not None
        contact.quality_score = 5
        changed = contact.id
    store.rules.contacts_changed([changed])
    assert changed not in members(store, boston)
    assert details(store, broken).evaluation_error == FAILURE


def test_a_database_error_fails_alone(three: tuple[Store, int, int, int],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """C20.7.4: a statement the database refuses for one segment (PostgreSQL aborts the
    transaction) is undone alone, recorded, and the batch goes on."""
    store, boston, _, high = three
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite casts any text to a number without complaint")
    original = refresh._wanted

    def refusing(rule, segment_id, today, shared):  # type: ignore[no-untyped-def]
        column, wanted = original(rule, segment_id, today, shared)
        if segment_id == high:
            wanted = wanted & (cast(literal("not a number"), Integer) == 1)
        return column, wanted

    monkeypatch.setattr(refresh, "_wanted", refusing)
    unstamp(store, boston, high)
    store.rules.refresh_segments([boston, high])
    assert details(store, boston).evaluated_at == NOW
    failed = details(store, high)
    assert failed.evaluation_error is not None
    assert "not a number" in failed.evaluation_error
