"""Snapshots (C20.4), on both engines: freezing copies exactly the current members in one
transaction, names are judged as any segment's, a Viewer is refused, and a campaign that
becomes Active freezes the segments it targets (and no other status change does)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from segtui.core import clock
from segtui.core.contacts import ContactSelection
from segtui.core.enums import CampaignStatus, MembershipSource, SegmentKind
from segtui.core.rules.language import parse
from segtui.core.segments import (
    DuplicateSegmentName,
    InvalidSegment,
    NotAllowed,
    SegmentDraft,
    SegmentNotFound,
)
from segtui.core.snapshots import CampaignNotFound, campaign_snapshot_name, snapshot_name
from segtui.data.db.sql import current_membership
from segtui.data.db.tables import Activity, AuditEntry, Campaign, Membership, Segment
from segtui.data.store import Store
from segtui.data.writes import member_copy

MANAGER = "Sarah Mitchell"
VIEWER = "Alex Kim"


def members(store: Store, segment_id: int) -> set[int]:
    with store.reading() as conn:
        return set(conn.execute(select(Membership.contact_id).where(
            Membership.segment_id == segment_id, current_membership())).scalars())


def segment_count(store: Store) -> int:
    with store.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(Segment)).scalar_one())


def dynamic(store: Store) -> int:
    user = store.users.current_user(MANAGER)
    return store.segments.create_segment(
        SegmentDraft("Warm Leads", tags=("Warm",), rule=parse("score > 70")),
        ContactSelection(), user)


def test_freeze_copies_exactly_the_current_members(demo_store: Store) -> None:
    """C20.4.1: a static segment with the source's current members (as the database holds
    them), its tags, a description naming it; created, logged and audited as a creation."""
    store = demo_store
    user = store.users.current_user(MANAGER)
    source = dynamic(store)
    want = members(store, source)
    assert want
    snap = store.segments.freeze(source, snapshot_name("Warm Leads", clock.today()), user)
    assert snap.name == "Warm Leads snapshot 2024 02 26"
    assert snap.members == len(want)
    assert members(store, snap.segment_id) == want
    details = store.segments.segment_details(snap.segment_id)
    assert details is not None
    assert details.kind is SegmentKind.STATIC and details.rule is None
    assert details.tags == ("Warm",)
    assert "“Warm Leads”" in details.description and "2024-02-26" in details.description
    with store.reading() as conn:
        sources = set(conn.execute(select(Membership.source).where(
            Membership.segment_id == snap.segment_id)).scalars())
        kinds = list(conn.execute(select(Activity.type).where(
            Activity.segment_id == snap.segment_id).order_by(Activity.id)).scalars())
        audited = list(conn.execute(select(AuditEntry.action).where(
            AuditEntry.segment_id == snap.segment_id)).scalars())
    assert {MembershipSource(s) for s in sources} == {MembershipSource.MANUAL}
    assert kinds == ["Segment Created", "Contacts Added"]
    assert "segment_created" in audited


@pytest.mark.parametrize(("name", "says"), [
    ("", "Segment name is required."),
    ("[bold]Loud[/]", "letters, digits and spaces, not “[”"),
    ("x" * 101, "at most 100 characters"),
])
def test_bad_names_are_refused_and_nothing_is_written(demo_store: Store, name: str,
                                                      says: str) -> None:
    store = demo_store
    user = store.users.current_user(MANAGER)
    before = segment_count(store)
    with pytest.raises(InvalidSegment) as refused:
        store.segments.freeze(1, name, user)
    assert says in str(refused.value.errors)
    assert segment_count(store) == before


def test_a_taken_name_and_a_failure_midway_leave_nothing(demo_store: Store,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    """C20.4.2: one transaction: a name taken is refused, and a failure after the segment
    was inserted takes the segment back with it."""
    store = demo_store
    user = store.users.current_user(MANAGER)
    before = segment_count(store)
    with pytest.raises(DuplicateSegmentName):
        store.segments.freeze(1, "marketing  engagers", user)

    def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("disk full")
    monkeypatch.setattr(member_copy, "counted_after", broken)
    with pytest.raises(RuntimeError):
        store.segments.freeze(1, "Half Made", user)
    assert segment_count(store) == before
    assert store.segments.segment_id_named("Half Made") is None


def test_a_viewer_and_a_deleted_segment_are_refused(demo_store: Store) -> None:
    store = demo_store
    before = segment_count(store)
    with pytest.raises(NotAllowed):
        store.segments.freeze(1, "Viewer Copy", store.users.current_user(VIEWER))
    manager = store.users.current_user(MANAGER)
    gone = store.segments.segment_id_named("Inactive Subscribers")
    assert gone is not None
    store.segments.delete_segment(gone, manager)
    with pytest.raises(SegmentNotFound):
        store.segments.freeze(gone, "Too Late", manager)
    assert segment_count(store) == before - 1


def test_activating_a_campaign_freezes_its_segments(demo_store: Store) -> None:
    """C20.4.4, C20.4.5: Paused -> Active snapshots each segment the campaign targets with
    exactly its members then, in the same transaction; the timeline says so."""
    store = demo_store
    user = store.users.current_user(MANAGER)
    campaign = store.campaigns.named("product demo campaign")
    assert campaign.status is CampaignStatus.PAUSED
    source = store.segments.segment_id_named("Enterprise Prospects")
    assert source is not None
    want = members(store, source)
    changed = store.campaigns.set_status(campaign.id, CampaignStatus.ACTIVE, user)
    assert (changed.before, changed.after) == (CampaignStatus.PAUSED, CampaignStatus.ACTIVE)
    [snap] = changed.snapshots
    assert snap.name == campaign_snapshot_name("Enterprise Prospects",
                                               "Product Demo Campaign", clock.today())
    assert snap.name == "Enterprise Prospects Product Demo Campaign sent 2024 02 26"
    assert members(store, snap.segment_id) == want
    with store.reading() as conn:
        status = conn.execute(select(Campaign.status).where(Campaign.id == campaign.id)
                              ).scalar_one()
        logged = conn.execute(select(Activity.description).where(
            Activity.segment_id == source, Activity.type == "Campaign Status Changed")
        ).scalars().all()
    assert CampaignStatus(status) is CampaignStatus.ACTIVE
    assert logged == ["“Product Demo Campaign”: Paused → Active"]
    # Paused and active again the same day: a second snapshot, numbered.
    store.campaigns.set_status(campaign.id, CampaignStatus.PAUSED, user)
    again = store.campaigns.set_status(campaign.id, CampaignStatus.ACTIVE, user)
    assert [s.name for s in again.snapshots] == [snap.name + " 2"]


@pytest.mark.parametrize(("campaign", "status"), [
    ("Q1 Enterprise Outreach", CampaignStatus.ACTIVE),  # already Active
    ("Q1 Enterprise Outreach", CampaignStatus.PAUSED),
    ("Product Demo Campaign", CampaignStatus.COMPLETED),
])
def test_no_snapshot_on_other_status_changes(demo_store: Store, campaign: str,
                                             status: CampaignStatus) -> None:
    store = demo_store
    user = store.users.current_user(MANAGER)
    before = segment_count(store)
    found = store.campaigns.named(campaign)
    changed = store.campaigns.set_status(found.id, status, user)
    assert changed.snapshots == ()
    assert changed.changed is (found.status is not status)
    assert segment_count(store) == before


def test_campaign_status_refusals(demo_store: Store) -> None:
    store = demo_store
    found = store.campaigns.named("Product Demo Campaign")
    with pytest.raises(NotAllowed):
        store.campaigns.set_status(found.id, CampaignStatus.ACTIVE,
                                   store.users.current_user(VIEWER))
    with pytest.raises(CampaignNotFound, match="no campaign named “Nope”"):
        store.campaigns.named("Nope")
    assert store.campaigns.named("Product Demo Campaign").status is CampaignStatus.PAUSED
