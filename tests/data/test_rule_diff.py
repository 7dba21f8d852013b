"""The rule builder's enter/leave diff (C20.6.1, C20.6.2, C20.6.4), on both engines: its
counts and names against a brute-force set difference computed here from the database's
rows, members by hand and removed by hand as a refresh treats them, and a segment that
is gone or hidden from its reader."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from segtui.core.contacts import ContactSelection
from segtui.core.enums import LeadStatus, MembershipSource
from segtui.core.rules.diff import DIFF_SAMPLE, RuleDiff
from segtui.core.rules.language import parse
from segtui.core.segments import SegmentDraft, SegmentNotFound
from segtui.data.db.sql import current_membership
from segtui.data.db.tables import Contact, Membership, SegmentExclusion
from segtui.data.store import Store

Row = Any
SAVED = 'status = "Hot Lead"'
# Edited rules, each with the same test in Python over a contact's row.
EDITS: dict[str, Callable[[Row], bool]] = {
    "score > 85": lambda c: c.quality_score > 85,
    'status = "Hot Lead" and score > 85':
        lambda c: c.lead_status == LeadStatus.HOT_LEAD and c.quality_score > 85,
    'status = "Customer" or status = "Hot Lead"':
        lambda c: c.lead_status in (LeadStatus.CUSTOMER, LeadStatus.HOT_LEAD),
    SAVED: lambda c: c.lead_status == LeadStatus.HOT_LEAD,
}


def hot_leads(store: Store) -> int:
    """The saved dynamic segment, with a member by hand (not a Hot Lead) and a Hot Lead
    removed by hand: a refresh keeps both as they are (D1.3)."""
    user = store.users.current_user("Sarah Mitchell")
    segment_id = store.segments.create_segment(SegmentDraft("Hot", rule=parse(SAVED)),
                                               ContactSelection(), user)
    with store.reading() as conn:
        member = conn.execute(select(Membership.contact_id).where(
            Membership.segment_id == segment_id).order_by(Membership.contact_id)
        ).scalars().first()
        cold = conn.execute(select(Contact.id).where(
            Contact.lead_status == LeadStatus.COLD)
            .order_by(Contact.quality_score.desc(), Contact.id)).scalars().first()
    assert member is not None and cold is not None
    store.members.remove_member(segment_id, member, user)
    store.members.add_members(segment_id, ContactSelection().toggled(cold, True), user)
    return segment_id


def brute_force(store: Store, segment_id: int, matches: Callable[[Row], bool]
                ) -> tuple[dict[int, str], dict[int, str]]:
    """(entering, leaving) as {id: name}, by Python set differences of the rows."""
    with store.reading() as conn:
        contacts = conn.execute(select(Contact.id, Contact.name, Contact.quality_score,
                                       Contact.lead_status)).all()
        members = dict(conn.execute(select(Membership.contact_id, Membership.source).where(
            Membership.segment_id == segment_id, current_membership())).all())
        excluded = set(conn.execute(select(SegmentExclusion.contact_id).where(
            SegmentExclusion.segment_id == segment_id)).scalars())
    names = {c.id: c.name for c in contacts}
    matched = {c.id for c in contacts if matches(c)}
    rule_made = {cid for cid, source in members.items() if source == MembershipSource.RULE}
    return ({cid: names[cid] for cid in matched - set(members) - excluded},
            {cid: names[cid] for cid in rule_made - matched})


def check(diff: RuleDiff, side: dict[int, str], count: int, names: tuple[str, ...]) -> None:
    assert count == len(side)
    assert len(names) == min(DIFF_SAMPLE, len(side))
    assert set(names) <= set(side.values())


@pytest.mark.parametrize("rule", list(EDITS))
def test_the_diff_equals_a_brute_force_set_difference(demo_store: Store, rule: str) -> None:
    """C20.6.1: counts and names of each side equal Python's set differences."""
    store = demo_store
    segment_id = hot_leads(store)
    tree, issues = store.rules.check_rule(parse(rule), segment_id)
    assert issues == []
    diff = store.rules.rule_diff(segment_id, tree)
    entering, leaving = brute_force(store, segment_id, EDITS[rule])
    check(diff, entering, diff.entering, diff.entering_names)
    check(diff, leaving, diff.leaving, diff.leaving_names)
    if rule == SAVED:  # the saved rule changes nothing: the segment is up to date
        assert diff.unchanged and diff.lines() == ("Nobody would enter", "Nobody would leave")
    else:
        assert diff.entering or diff.leaving


def test_names_come_in_name_order(demo_store: Store) -> None:
    """C20.6.1: the first names of each side, as the contacts list sorts them."""
    store = demo_store
    segment_id = hot_leads(store)
    tree, _ = store.rules.check_rule(parse("score > 85"), segment_id)
    diff = store.rules.rule_diff(segment_id, tree)
    entering, _ = brute_force(store, segment_id, EDITS["score > 85"])
    with store.reading() as conn:
        first = tuple(conn.execute(select(Contact.name).where(
            Contact.id.in_(list(entering))).order_by(Contact.name, Contact.id)
            .limit(DIFF_SAMPLE)).scalars())
    assert diff.entering_names == first
    assert diff.lines()[0].startswith(f"+{len(entering):,} would enter: {first[0]}")


def test_a_deleted_or_hidden_segment_has_no_diff(demo_store: Store) -> None:
    """C20.6.4, C19.3.2: a segment deleted meanwhile, or one its reader does not see, is
    one that does not exist."""
    store = demo_store
    segment_id = hot_leads(store)
    tree, _ = store.rules.check_rule(parse("score > 85"), segment_id)
    owner = store.users.current_user("Sarah Mitchell")
    store.segments.share(segment_id, owner, hide=["Alex Kim"])
    store.users.current_user("Alex Kim")  # the Store now reads as Alex Kim
    with pytest.raises(SegmentNotFound):
        store.rules.rule_diff(segment_id, tree)
    store.users.current_user("Sarah Mitchell")
    assert store.rules.rule_diff(segment_id, tree).entering
    store.segments.delete_segment(segment_id, store.users.current_user("Sarah Mitchell"))
    with pytest.raises(SegmentNotFound):
        store.rules.rule_diff(segment_id, tree)
