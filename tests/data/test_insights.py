"""The AI Insights tab of the segment detail screen (R7.5.10), through `Store.metrics.insights` on
SQLite and PostgreSQL (SQL in segtui/data/queries/insights.py, records and wording in
segtui/core/insights.py).

Insights are deterministic findings, not guesses: each is a figure computed from the
segment's facts, worded with its numbers and its method. They reuse the definitions of the
other tabs: engagement and its 30-day windows (R7.5), the 60-day activity rule of
Segment Health and the campaign table (R7.7), and the email validity of the Quality
Score (R7.5); docs/metrics.md states the formulas.

Covered here: the R8 demo's findings word for word ("Enterprise Prospects": 45
members, steady engagement, one member gone quiet, six without a phone, Q1 Enterprise
Outreach best and Holiday Promotion worst; "Marketing Engagers": 14 lookalikes whose action
adds exactly those 14), then small segments built here that prove each finding on its own:
thresholds, windows, the lookalike profile and its action, overlap with other segments,
email problems, campaign ranking, an empty segment, and user-supplied names (markup-like
"[bold]x[/]") kept verbatim in the text.

The clock is fixed to 2024-02-26 (tests/conftest.py): the last 30 days are
[2024-01-28, 2024-02-27) and the 30 before [2023-12-29, 2024-01-28); the last 60 days
[2023-12-29, 2024-02-27) and the 60 before [2023-10-30, 2023-12-29).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from segtui.core.contacts import ContactFilter, ContactSelection, SelectAll
from segtui.core.enums import (
    CampaignStatus,
    CompanySize,
    EventType,
    LeadStatus,
    MembershipSource,
)
from segtui.core.insights import Insight, InsightAction, InsightActionKind, InsightKind
from segtui.core.permissions import CurrentUser
from segtui.core.records import SegmentFilter, SegmentSort
from segtui.data.db.models import Campaign, Company, Contact, EngagementEvent, Membership
from segtui.data.db.tables import campaign_segments
from segtui.data.store import Store
from tests.factories import add_segment

TODAY = date(2024, 2, 26)
EP = "Enterprise Prospects"
ME = "Marketing Engagers"
HOSTILE = "[bold]x[/]"

ENGAGEMENT_METHOD = (
    "Engaged = a current member with an opened, responded or meeting-attended event in the "
    "window; windows are the last 30 days and the 30 before. Drivers count distinct members "
    "per kind of event in each window. Changes of 5 points or more are flagged."
)
INACTIVE_METHOD = (
    "Members with an action (any event except sent and unsubscribed) between 120 and 60 "
    "days ago and none in the last 60 days, unsubscribed members excluded."
)
LOOKALIKE_METHOD = (
    "A trait joins the profile when at least 40% of members share its most common value; "
    "lookalikes are non-members matching every trait."
)
# The data quality finding explains the rule of each problem it reports; all of them when
# it reports none (U15.13: the phone finding explained the email rules).
MISSING_EMAIL_METHOD = "Missing email = none, or only spaces."
INVALID_EMAIL_METHOD = "Valid email = text@text.text, one @, no spaces."
SHARED_EMAIL_METHOD = ("Duplicates compare emails case-insensitively, outer spaces ignored, "
                       "with every other contact (segtui keeps one contact per email: only "
                       "contacts another program wrote can share one).")
MISSING_PHONE_METHOD = "Missing phone = none, or only spaces."
ALL_CHECKS_METHOD = " ".join((MISSING_EMAIL_METHOD, INVALID_EMAIL_METHOD, SHARED_EMAIL_METHOD,
                              MISSING_PHONE_METHOD))
CAMPAIGN_METHOD = (
    "Campaigns using the segment, ranked by conversion rate among members sent to "
    "(converted / sent), then by revenue."
)
NO_OVERLAP = Insight(
    kind=InsightKind.OVERLAP, title="No overlap with other segments",
    finding="No member of this segment is in another segment.",
    method="Current members shared with each other segment's current members.",
    severity="info",
)

# -- helpers ------------------------------------------------------------------------------


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour)


def days_ago(days: int, hour: int = 12) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days), time(hour))


def segment_id(store: Store, name: str) -> int:
    """A demo segment's id, looked up by name in the dashboard list."""
    rows = store.segments.segment_page(SegmentFilter(), SegmentSort()).rows
    return next(r.id for r in rows if r.name == name)


def new_contact(
    store: Store,
    name: str,
    *,
    email: str | None = None,
    phone: str | None = None,
    company: str | None = None,
    size: CompanySize | None = None,
    status: LeadStatus = LeadStatus.NEW,
    quality: int = 50,
    keyless: bool = False,
) -> int:
    """`keyless`: written as another program would, without the email's key, so the unique
    index (I16.1) can't see it: the only way left to share an email."""
    with store.orm_session() as session:
        company_row = Company(name=company, size=size) if company else None
        contact = Contact(name=name, email=email, phone=phone, company=company_row,
                          lead_status=status, quality_score=quality,
                          created_at=datetime(2023, 1, 1))
        if keyless:
            contact.email_key = None
        session.add(contact)
        session.flush()
        return contact.id


def contacts(store: Store, prefix: str, count: int) -> list[int]:
    return [new_contact(store, f"{prefix} {n}") for n in range(1, count + 1)]


def join(store: Store, seg: int, contact_id: int, added: datetime = datetime(2023, 1, 1),
         removed: datetime | None = None) -> None:
    """One stay of a contact in a segment (current when `removed` is None)."""
    with store.orm_session() as session:
        session.add(Membership(segment_id=seg, contact_id=contact_id,
                               source=MembershipSource.MANUAL, added_at=added,
                               removed_at=removed))


def segment_with(store: Store, name: str, members: list[int]) -> int:
    seg = add_segment(store, name)
    for contact_id in members:
        join(store, seg, contact_id)
    return seg


def event(store: Store, contact_id: int, kind: EventType, when: datetime, *,
          campaign: int | None = None, cents: int | None = None) -> None:
    with store.orm_session() as session:
        session.add(EngagementEvent(contact_id=contact_id, campaign_id=campaign, type=kind,
                                    occurred_at=when, revenue_cents=cents))


def campaign(store: Store, name: str, *, used_by: int | None = None) -> int:
    with store.orm_session() as session:
        row = Campaign(name=name, status=CampaignStatus.ACTIVE, created_at=at(2023, 12, 1))
        session.add(row)
        session.flush()
        if used_by is not None:
            session.execute(campaign_segments.insert().values(campaign_id=row.id,
                                                              segment_id=used_by))
        return row.id


def insight(store: Store, seg: int, kind: InsightKind) -> Insight:
    found = [i for i in store.metrics.insights(seg) if i.kind is kind]
    assert len(found) == 1, [i.kind for i in store.metrics.insights(seg)]
    return found[0]


def member_ids(store: Store, seg: int) -> set[int]:
    with store.reading() as conn:
        return set(conn.execute(
            select(Membership.contact_id)
            .where(Membership.segment_id == seg, Membership.removed_at.is_(None))
        ).scalars())


def sized_non_members(store: Store, seg: int, size: CompanySize, floor: int,
                      status: LeadStatus | None = None) -> list[tuple[int, str]]:
    """(id, name) of non-members at a company of `size` with quality >= `floor` (and the
    status, if given), best quality first: the lookalike rule written out independently."""
    query = (
        select(Contact.id, Contact.name)
        .join(Company, Company.id == Contact.company_id)
        .where(Company.size == size, Contact.quality_score >= floor,
               Contact.id.not_in(select(Membership.contact_id).where(
                   Membership.segment_id == seg, Membership.removed_at.is_(None))))
        .order_by(Contact.quality_score.desc(), Contact.name, Contact.id)
    )
    if status is not None:
        query = query.where(Contact.lead_status == status)
    with store.reading() as conn:
        return [(int(r[0]), str(r[1])) for r in conn.execute(query)]


@pytest.fixture
def sarah(demo_store: Store) -> CurrentUser:
    """A Marketing Manager: allowed to add contacts to segments."""
    return demo_store.users.current_user("Sarah Mitchell")


# -- the demo (R8) ------------------------------------------------------------------------


def test_enterprise_prospects_insights(demo_store: Store) -> None:
    """Every finding about Enterprise Prospects, word for word, in the fixed order."""
    seg = segment_id(demo_store, EP)
    found = demo_store.metrics.insights(seg)
    assert found == [
        Insight(
            kind=InsightKind.ENGAGEMENT_CHANGE,
            title="Engagement steady: +4 pts",  # 34/45 - 32/45 = 4.4 points, under 5
            finding=("76% of members engaged in the last 30 days (34 of 45), against 71% "
                     "(32) in the 30 days before. Members who opened an email 28 → 32; "
                     "attended a meeting 4 → 2."),
            method=ENGAGEMENT_METHOD,
            severity="info",
        ),
        Insight(
            kind=InsightKind.GONE_INACTIVE,
            title="1 member went quiet",
            finding=("1 member acted in the 60 days before the last 60 but not since (and "
                     "did not unsubscribe). A re-engagement touch may win them back."),
            method=INACTIVE_METHOD,
            severity="warning",
        ),
        Insight(
            kind=InsightKind.LOOKALIKES,
            title="No lookalike contacts outside the segment",
            finding=("Profile: company size Enterprise (71% of members); status Hot Lead "
                     "(51% of members); quality score at least 84 (the members' average). "
                     "0 contacts not in the segment match it."),
            method=LOOKALIKE_METHOD,
            severity="info",
        ),
        NO_OVERLAP,
        Insight(
            kind=InsightKind.DATA_QUALITY,
            title="Some members lack a phone",
            finding="6 members without a phone.",
            method=MISSING_PHONE_METHOD,
            severity="info",
        ),
        Insight(
            kind=InsightKind.CAMPAIGNS,
            title="Best campaign: “Q1 Enterprise Outreach”",
            finding=("Best: “Q1 Enterprise Outreach” converted 6.7% (3 of 45 sent, "
                     "$15,000). Worst: “Holiday Promotion” converted 2.2% (1 of 45 sent, "
                     "$2,500)."),
            method=CAMPAIGN_METHOD,
            severity="info",
        ),
    ]
    assert demo_store.metrics.insights(seg) == found  # the same data on the same day: the same text


@pytest.mark.parametrize(
    ("name", "titles"),
    [
        ("Inactive Subscribers", [
            ("Engagement steady: -3 pts", "info"),
            ("30 members went quiet", "warning"),
            ("No lookalike contacts outside the segment", "info"),
            ("No overlap with other segments", "info"),
            ("Some members lack a phone", "info"),
        ]),  # no campaign uses it: no campaign finding
        ("Marketing Engagers", [
            ("Engagement up: +7 pts", "good"),
            ("No members went quiet", "good"),
            ("14 lookalike contacts outside the segment", "info"),
            ("No overlap with other segments", "info"),
            ("Some members lack a phone", "info"),
            ("Best campaign: “Content Newsletter”", "info"),
        ]),
        ("Product Trial Users", [
            ("Engagement up: +6 pts", "good"),
            ("4 members went quiet", "warning"),
            ("No lookalike contacts outside the segment", "info"),
            ("No overlap with other segments", "info"),
            ("Some members lack a phone", "info"),
            ("Best campaign: “Trial Onboarding Series”", "info"),
        ]),
    ],
)
def test_other_demo_segments_headlines(
    demo_store: Store, name: str, titles: list[tuple[str, str]]
) -> None:
    found = demo_store.metrics.insights(segment_id(demo_store, name))
    assert [(i.title, i.severity) for i in found] == titles


def test_marketing_engagers_lookalike_action_adds_exactly_the_counted_contacts(
    demo_store: Store, sarah: CurrentUser
) -> None:
    """Profile: Mid-Market (13 of 28 = 46%), no lead status reaching 40%, quality at least
    the members' average 78.75 -> 78. The action's filter, applied as "select all", adds
    exactly the 14 contacts the finding counts, and then none match any more."""
    seg = segment_id(demo_store, ME)
    found = insight(demo_store, seg, InsightKind.LOOKALIKES)
    assert found.title == "14 lookalike contacts outside the segment"
    assert found.finding == (
        "Profile: company size Mid-Market (46% of members); quality score at least 78 (the "
        "members' average). 14 contacts not in the segment match it. Highest quality first: "
        "Matthew Moore, Eric Nelson, Brian Young and others."
    )
    assert found.method == LOOKALIKE_METHOD
    assert found.action is not None
    assert found.action.kind is InsightActionKind.ADD_CONTACTS
    assert found.action.label == "Add 14 lookalikes"
    flt = found.action.contact_filter
    assert flt == ContactFilter(size=CompanySize.MID_MARKET, score=(78, 100),
                                not_in_segment=seg)

    expected = sized_non_members(demo_store, seg, CompanySize.MID_MARKET, 78)
    assert len(expected) == 14
    assert [n for _, n in expected[:3]] == ["Matthew Moore", "Eric Nelson", "Brian Young"]
    before = member_ids(demo_store, seg)
    selection = ContactSelection((SelectAll(flt, True),))
    assert demo_store.contacts.contact_count(flt) == 14
    assert demo_store.contacts.selection_count(selection) == 14
    assert demo_store.members.add_members(seg, selection, sarah) == 14
    assert member_ids(demo_store, seg) == before | {cid for cid, _ in expected}
    row = demo_store.segments.segment_row(seg)
    assert row is not None and row.contact_count == 42
    assert demo_store.contacts.contact_count(flt) == 0


# -- engagement change (R7.5 engagement, 30-day windows) ---------------------------------


def test_engagement_down_lists_every_driver(demo_store: Store) -> None:
    """Both members engaged in the previous 30 days and neither since: 0% against 100%,
    -100 points, flagged. A click is not engagement. Equal movers keep the fixed order
    opened, responded, meeting."""
    m1, m2 = contacts(demo_store, "Down", 2)
    seg = segment_with(demo_store, "Down Probe", [m1, m2])
    event(demo_store, m1, EventType.OPENED, days_ago(40))
    event(demo_store, m1, EventType.CLICKED, days_ago(2))
    event(demo_store, m2, EventType.RESPONDED, days_ago(35))
    event(demo_store, m2, EventType.MEETING_ATTENDED, days_ago(45))
    assert insight(demo_store, seg, InsightKind.ENGAGEMENT_CHANGE) == Insight(
        kind=InsightKind.ENGAGEMENT_CHANGE,
        title="Engagement down: -100 pts",
        finding=("0% of members engaged in the last 30 days (0 of 2), against 100% (2) in "
                 "the 30 days before. Members who opened an email 1 → 0; responded 1 → 0; "
                 "attended a meeting 1 → 0."),
        method=ENGAGEMENT_METHOD,
        severity="warning",
    )


@pytest.mark.parametrize(
    ("members", "days", "title", "severity"),
    [
        (20, 3, "Engagement up: +5 pts", "good"),  # 1/20 = 5 points: flagged
        (25, 3, "Engagement steady: +4 pts", "info"),  # 1/25 = 4 points
        (20, 40, "Engagement down: -5 pts", "warning"),
        (25, 40, "Engagement steady: -4 pts", "info"),
    ],
)
def test_engagement_change_is_flagged_from_five_points(
    demo_store: Store, members: int, days: int, title: str, severity: str
) -> None:
    ids = contacts(demo_store, "Threshold", members)
    seg = segment_with(demo_store, "Threshold Probe", ids)
    event(demo_store, ids[0], EventType.OPENED, days_ago(days))
    found = insight(demo_store, seg, InsightKind.ENGAGEMENT_CHANGE)
    assert (found.title, found.severity) == (title, severity)


def test_a_quiet_clean_segment(demo_store: Store) -> None:
    """One member with a valid email and a phone, and no events at all: steady at 0 points,
    nobody went quiet, clean data, no overlap, and no campaign finding (no campaign)."""
    member = new_contact(demo_store, "Quiet One", email="quiet.one@probe.test",
                         phone="+44 20 7946 0000")
    seg = segment_with(demo_store, "Quiet Probe", [member])
    found = demo_store.metrics.insights(seg)
    assert [i.kind for i in found] == [
        InsightKind.ENGAGEMENT_CHANGE, InsightKind.GONE_INACTIVE, InsightKind.LOOKALIKES,
        InsightKind.OVERLAP, InsightKind.DATA_QUALITY,
    ]
    by_kind = {i.kind: i for i in found}
    engagement = by_kind[InsightKind.ENGAGEMENT_CHANGE]
    assert (engagement.title, engagement.severity) == ("Engagement steady: 0 pts", "info")
    assert engagement.finding == (
        "0% of members engaged in the last 30 days (0 of 1), against 0% (0) in the 30 days "
        "before. No kind of engagement changed."
    )
    assert by_kind[InsightKind.GONE_INACTIVE] == Insight(
        kind=InsightKind.GONE_INACTIVE,
        title="No members went quiet",
        finding=("0 members acted in the 60 days before the last 60 but not since (and did "
                 "not unsubscribe)."),
        method=INACTIVE_METHOD,
        severity="good",
    )
    assert by_kind[InsightKind.OVERLAP] == NO_OVERLAP
    assert by_kind[InsightKind.DATA_QUALITY] == Insight(
        kind=InsightKind.DATA_QUALITY,
        title="Member data looks clean",
        finding="Every member has a valid, unique email and a phone.",
        method=ALL_CHECKS_METHOD,
        severity="good",
    )


# -- gone quiet (R7.7 Segment Health's 60 days) ------------------------------------------


def test_gone_inactive_counts_members_quiet_for_sixty_days(demo_store: Store) -> None:
    """Counted: an action (any event but sent or unsubscribed) in [120, 60) days ago, i.e.
    [2023-10-30, 2023-12-29), and none since; unsubscribed members (at any time) are not."""
    (quiet, back, unsubscribed_before, sends_only, too_old, day60, day119, day120,
     sent_since, unsubscribed_since, outsider, former) = contacts(demo_store, "Quiet", 12)
    seg = segment_with(demo_store, "Quiet Probe", [
        quiet, back, unsubscribed_before, sends_only, too_old, day60, day119, day120,
        sent_since, unsubscribed_since,
    ])
    join(demo_store, seg, former, datetime(2023, 1, 1), datetime(2024, 1, 15))
    for contact_id in (quiet, back, unsubscribed_before, sent_since, unsubscribed_since,
                       outsider, former):
        event(demo_store, contact_id, EventType.OPENED, days_ago(90))
    event(demo_store, back, EventType.CLICKED, days_ago(10))
    event(demo_store, unsubscribed_before, EventType.UNSUBSCRIBED, days_ago(100))
    event(demo_store, sends_only, EventType.SENT, days_ago(90))
    event(demo_store, too_old, EventType.OPENED, days_ago(130))
    event(demo_store, day60, EventType.RESPONDED, days_ago(60))  # 2023-12-28: earlier window
    event(demo_store, day119, EventType.MEETING_ATTENDED, days_ago(119, hour=0))  # its start
    event(demo_store, day120, EventType.CONVERTED, days_ago(120, hour=23))  # just before
    event(demo_store, sent_since, EventType.SENT, days_ago(5))  # a send is not an action
    event(demo_store, unsubscribed_since, EventType.UNSUBSCRIBED, days_ago(5))
    assert insight(demo_store, seg, InsightKind.GONE_INACTIVE) == Insight(
        kind=InsightKind.GONE_INACTIVE,
        title="4 members went quiet",  # quiet, day60, day119, sent_since
        finding=("4 members acted in the 60 days before the last 60 but not since (and did "
                 "not unsubscribe). A re-engagement touch may win them back."),
        method=INACTIVE_METHOD,
        severity="warning",
    )


# -- lookalikes --------------------------------------------------------------------------


def test_lookalike_profile_threshold_tie_and_floor(
    demo_store: Store, sarah: CurrentUser
) -> None:
    """Company sizes tie at 2 of 5 = 40%, exactly the threshold: the alphabetically first
    (Enterprise) joins the profile. No lead status reaches 40% (1 of 5 each): no status
    trait. Mean quality 397 / 5 = 79.4: at least 79. The count, the examples and what the
    action adds all match the rule written out independently."""
    members = [
        new_contact(demo_store, "Look E1", company="Look Big 1", size=CompanySize.ENTERPRISE,
                    status=LeadStatus.NEW, quality=60),
        new_contact(demo_store, "Look E2", company="Look Big 2", size=CompanySize.ENTERPRISE,
                    status=LeadStatus.NURTURING, quality=70),
        new_contact(demo_store, "Look S1", company="Look Small 1", size=CompanySize.SMB,
                    status=LeadStatus.QUALIFIED, quality=80),
        new_contact(demo_store, "Look S2", company="Look Small 2", size=CompanySize.SMB,
                    status=LeadStatus.CUSTOMER, quality=90),
        new_contact(demo_store, "Look None", status=LeadStatus.COLD, quality=97),
    ]
    seg = segment_with(demo_store, "Lookalike Probe", members)
    expected = sized_non_members(demo_store, seg, CompanySize.ENTERPRISE, 79)
    count = len(expected)
    assert count > 3  # the demo has plenty of high-quality enterprise contacts
    found = insight(demo_store, seg, InsightKind.LOOKALIKES)
    examples = ", ".join(name for _, name in expected[:3])
    assert found == Insight(
        kind=InsightKind.LOOKALIKES,
        title=f"{count} lookalike contacts outside the segment",
        finding=(f"Profile: company size Enterprise (40% of members); quality score at least "
                 f"79 (the members' average). {count} contacts not in the segment match it. "
                 f"Highest quality first: {examples} and others."),
        method=LOOKALIKE_METHOD,
        severity="info",
        action=InsightAction.add_contacts(
            ContactFilter(size=CompanySize.ENTERPRISE, score=(79, 100), not_in_segment=seg),
            f"Add {count} lookalikes",
        ),
    )
    assert found.action is not None and found.action.contact_filter is not None
    selection = ContactSelection((SelectAll(found.action.contact_filter, True),))
    assert demo_store.members.add_members(seg, selection, sarah) == count
    assert member_ids(demo_store, seg) == set(members) | {cid for cid, _ in expected}


def test_lookalike_examples_name_contacts_verbatim(demo_store: Store) -> None:
    """A non-member named like markup, matching Marketing Engagers' profile with the best
    quality, is the first example, exactly as typed."""
    seg = segment_id(demo_store, ME)
    new_contact(demo_store, HOSTILE, company="Markup Mid Co", size=CompanySize.MID_MARKET,
                quality=99)
    found = insight(demo_store, seg, InsightKind.LOOKALIKES)
    assert found.title == "15 lookalike contacts outside the segment"
    assert found.finding.endswith(
        f"15 contacts not in the segment match it. Highest quality first: {HOSTILE}, "
        "Matthew Moore, Eric Nelson and others."
    )
    assert found.action is not None and found.action.label == "Add 15 lookalikes"


# -- overlap -------------------------------------------------------------------------------


def test_overlap_names_the_other_segments_with_their_share(demo_store: Store) -> None:
    """Current members shared with each other segment's current members (past stays on
    either side don't count), the three largest, ties by name; the action opens the
    largest. Names are quoted verbatim."""
    c1, c2, c3, c4, c5, c6 = contacts(demo_store, "Overlap", 6)
    seg = segment_with(demo_store, "Overlap Probe", [c1, c2, c3, c4, c5])
    join(demo_store, seg, c6, datetime(2023, 1, 1), datetime(2024, 1, 1))  # left
    hostile = segment_with(demo_store, HOSTILE, [c1, c2, c3, c4, c6])
    beta = segment_with(demo_store, "Beta", [c1, c2])
    join(demo_store, beta, c5, datetime(2023, 1, 1), datetime(2024, 1, 1))  # left Beta
    segment_with(demo_store, "Gamma", [c4])
    segment_with(demo_store, "Alpha", [c3])  # ties with Gamma at 1, sorts first
    found = insight(demo_store, seg, InsightKind.OVERLAP)
    assert found == Insight(
        kind=InsightKind.OVERLAP,
        title=f"80% also in “{HOSTILE}”",
        finding=(f"Members shared with other segments: “{HOSTILE}” 4 (80%); “Beta” 2 (40%); "
                 "“Alpha” 1 (20%)."),
        method=("For each other segment, current members in both, as a share of this "
                "segment's 5 members; the 3 largest shown."),
        severity="warning",  # 80% or more
        action=InsightAction(InsightActionKind.OPEN_SEGMENT, f"Open {HOSTILE}",
                             segment_id=hostile, segment_name=HOSTILE),
    )
    # And from the other side: Beta's two members are both in the probe and in HOSTILE.
    other = insight(demo_store, beta, InsightKind.OVERLAP)
    assert other.title == "100% also in “Overlap Probe”"  # ties by name: "O" < "["
    assert other.finding == ("Members shared with other segments: “Overlap Probe” 2 "
                             f"(100%); “{HOSTILE}” 2 (100%).")


@pytest.mark.parametrize(("shared", "severity"), [(4, "warning"), (3, "info")])
def test_overlap_is_a_warning_from_eighty_percent(
    demo_store: Store, shared: int, severity: str
) -> None:
    ids = contacts(demo_store, "Share", 5)
    seg = segment_with(demo_store, "Share Probe", ids)
    other = segment_with(demo_store, "Share Other", ids[:shared])
    found = insight(demo_store, seg, InsightKind.OVERLAP)
    assert found.title == f"{shared * 20}% also in “Share Other”"
    assert found.severity == severity
    assert found.action == InsightAction.open_segment(other, "Share Other")


# -- data quality (R7.5 email validity) ---------------------------------------------------


def test_data_quality_counts_each_email_problem_and_missing_phones(demo_store: Store) -> None:
    """Missing (NULL or blank), invalid (not text@text.text) and duplicate emails, the last
    compared case-insensitively with every other contact, members or not; missing emails
    are never duplicates of each other. Blank phones are missing."""
    members = [
        new_contact(demo_store, "DQ none", email=None, phone="555"),
        new_contact(demo_store, "DQ blank", email="   ", phone="555"),
        new_contact(demo_store, "DQ invalid 1", email="not-an-email", phone="555"),
        new_contact(demo_store, "DQ invalid 2", email="x@y", phone=None),
        new_contact(demo_store, "DQ dup 1", email="Same@DQ.test", phone="555"),
        new_contact(demo_store, "DQ dup 2", email="same@dq.TEST", phone="555", keyless=True),
        new_contact(demo_store, "DQ dup 3", email="Outside@DQ.test", phone="555"),
        new_contact(demo_store, "DQ ok", email="ok@dq.test", phone="555"),
        new_contact(demo_store, "DQ blank phone", email="ok2@dq.test", phone="  "),
    ]
    new_contact(demo_store, "DQ outsider", email="outside@dq.test", keyless=True)
    new_contact(demo_store, "DQ outsider none", email=None)
    new_contact(demo_store, "DQ outsider blank", email="   ")
    seg = segment_with(demo_store, "DQ Probe", members)
    assert insight(demo_store, seg, InsightKind.DATA_QUALITY) == Insight(
        kind=InsightKind.DATA_QUALITY,
        title="7 email problems",
        finding=("2 members without an email; 2 members with an invalid email; 3 members "
                 "sharing their email with another contact; 2 members without a phone."),
        method=ALL_CHECKS_METHOD,
        severity="warning",
    )


@pytest.mark.parametrize(
    ("email", "other", "phone", "title", "finding", "severity", "method"),
    [
        ("solo@dq.test", None, "555", "Member data looks clean",
         "Every member has a valid, unique email and a phone.", "good", ALL_CHECKS_METHOD),
        ("Solo@dq.test", "SOLO@DQ.TEST", "555", "1 email problem",
         "1 member sharing their email with another contact.", "warning",
         SHARED_EMAIL_METHOD),
        ("solo@dq.test", None, None, "Some members lack a phone",
         "1 member without a phone.", "info", MISSING_PHONE_METHOD),
        ("solo@dq", None, None, "1 email problem",
         "1 member with an invalid email; 1 member without a phone.", "warning",
         f"{INVALID_EMAIL_METHOD} {MISSING_PHONE_METHOD}"),
        # The method promises case-insensitive duplicates; names elsewhere are compared by
        # their case-folded key for the same result on both engines (models.name_key).
        ("Élodie@dq.test", "élodie@dq.test", "555", "1 email problem",
         "1 member sharing their email with another contact.", "warning",
         SHARED_EMAIL_METHOD),
        # Compared as the email key is (core/contact_keys.py): full case folding ("ß" is
        # "ss", which PostgreSQL's lower() alone did not find) and outer spaces ignored.
        ("Straße@dq.test", "STRASSE@DQ.TEST", "555", "1 email problem",
         "1 member sharing their email with another contact.", "warning",
         SHARED_EMAIL_METHOD),
        ("solo@dq.test", "  Solo@DQ.test ", "555", "1 email problem",
         "1 member sharing their email with another contact.", "warning",
         SHARED_EMAIL_METHOD),
    ],
    ids=["clean", "duplicate-ascii", "no-phone", "invalid-and-no-phone",
         "duplicate-non-ascii", "duplicate-full-case-folding", "duplicate-outer-spaces"],
)
def test_data_quality_headline(
    demo_store: Store, email: str, other: str | None, phone: str | None, title: str,
    finding: str, severity: str, method: str,
) -> None:
    """The method explains exactly the problems the finding reports."""
    member = new_contact(demo_store, "DQ Solo", email=email, phone=phone)
    if other is not None:
        new_contact(demo_store, "DQ Solo Twin", email=other, phone="555", keyless=True)
    seg = segment_with(demo_store, "DQ Solo Probe", [member])
    found = insight(demo_store, seg, InsightKind.DATA_QUALITY)
    assert (found.title, found.finding, found.severity, found.method) == (
        title, finding, severity, method)


# -- campaigns (R7.7 campaign table) ------------------------------------------------------


def test_campaigns_ranked_by_conversion_rate_then_revenue(demo_store: Store) -> None:
    """Among campaigns using the segment with sends to members: best and worst by
    conversion rate, ties by revenue. Campaigns never sent and campaigns that don't use
    the segment are left out. The campaign's name is quoted verbatim."""
    m1, m2 = contacts(demo_store, "Camp", 2)
    seg = segment_with(demo_store, "Camp Probe", [m1, m2])
    hostile = campaign(demo_store, HOSTILE, used_by=seg)
    zeta = campaign(demo_store, "Zeta", used_by=seg)
    alpha = campaign(demo_store, "Alpha Run", used_by=seg)
    campaign(demo_store, "Never Sent", used_by=seg)
    elsewhere = campaign(demo_store, "Elsewhere")
    for k in (hostile, zeta, alpha, elsewhere):
        for m in (m1, m2):
            event(demo_store, m, EventType.SENT, days_ago(20), campaign=k)
    event(demo_store, m1, EventType.CONVERTED, days_ago(10), campaign=hostile, cents=9_000)
    event(demo_store, m2, EventType.CONVERTED, days_ago(10), campaign=zeta, cents=5_000)
    for m in (m1, m2):
        event(demo_store, m, EventType.CONVERTED, days_ago(10), campaign=elsewhere,
              cents=100_000)
    assert insight(demo_store, seg, InsightKind.CAMPAIGNS) == Insight(
        kind=InsightKind.CAMPAIGNS,
        title=f"Best campaign: “{HOSTILE}”",
        finding=(f"Best: “{HOSTILE}” converted 50.0% (1 of 2 sent, $90). Worst: “Alpha Run” "
                 "converted 0.0% (0 of 2 sent, $0)."),
        method=CAMPAIGN_METHOD,
        severity="info",
    )


def test_the_only_campaign_with_sends(demo_store: Store) -> None:
    member = new_contact(demo_store, "Solo Buyer")
    seg = segment_with(demo_store, "Solo Probe", [member])
    k = campaign(demo_store, "Solo Run", used_by=seg)
    campaign(demo_store, "Solo Draft", used_by=seg)
    event(demo_store, member, EventType.SENT, days_ago(3), campaign=k)
    event(demo_store, member, EventType.CONVERTED, days_ago(2), campaign=k, cents=12_345)
    found = insight(demo_store, seg, InsightKind.CAMPAIGNS)
    assert found.title == "Best campaign: “Solo Run”"
    assert found.finding == ("The only campaign with sends: “Solo Run” converted 100.0% "
                             "(1 of 1 sent, $123.45).")


# -- an empty segment ---------------------------------------------------------------------


def test_empty_segment_gives_the_single_no_members_insight(demo_store: Store) -> None:
    """No current members (a past stay only, with events): nothing to analyse, and nothing
    divides by zero."""
    former = new_contact(demo_store, "Empty Former", email="former@probe.test")
    seg = add_segment(demo_store, "Empty Insights")
    join(demo_store, seg, former, datetime(2023, 6, 1), datetime(2024, 2, 1))
    event(demo_store, former, EventType.OPENED, days_ago(3))
    k = campaign(demo_store, "Empty Campaign", used_by=seg)
    event(demo_store, former, EventType.SENT, days_ago(3), campaign=k)
    assert demo_store.metrics.insights(seg) == [Insight(
        kind=InsightKind.NO_MEMBERS,
        title="No members yet",
        finding="This segment has no contacts, so there is nothing to analyse.",
        method="Counted current members.",
        severity="info",
    )]


def test_a_large_segments_member_pass_in_two_halves_gives_the_same_findings(
        demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A segment of SPLIT_AT members or more is grouped in two contact-id halves on two
    connections (P6): the findings are those of one pass, for every demo segment."""
    from segtui.data.db.models import Segment
    from segtui.data.db.sql import here
    from segtui.data.queries import insights as insight_sql
    from segtui.data.queries import segment_metrics

    with demo_store.reading() as conn:
        ids = list(conn.execute(select(Segment.id).order_by(Segment.id)).scalars())
        one_pass = {sid: insight_sql.segment_insights(conn, sid, date(2024, 2, 26))
                    for sid in ids}
    monkeypatch.setattr(segment_metrics, "SPLIT_AT", 2)
    split = 0
    for segment_id in ids:
        with demo_store.reading() as conn:
            split += segment_metrics.split_point(conn, segment_id) is not None
            # `here` runs the halves one after the other on this connection: the same
            # statements as on two, in a test that must not depend on threads.
            assert insight_sql.segment_insights(conn, segment_id, date(2024, 2, 26),
                                                here(conn)) == one_pass[segment_id]
        assert demo_store.metrics.insights(segment_id) == one_pass[segment_id], segment_id
    assert split >= len(ids) - 2
