"""The specification's section 8 sample data, as targets for the demo generator.

Nothing here is written to the database as a number: the generator turns these targets into
contacts, memberships and engagement events, and the app computes every figure back from
those facts. docs/demo-data.md lists which sample values whole contacts cannot reach.

All dates are given as they are on DEMO_TODAY (2024-02-26, the day the sample describes: the
latest "Last Modified" is 20/02/2024 and the charts end in January). When the clock is fixed
to another day, every date moves by the same number of days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from segtui.core.enums import (
    CampaignStatus,
    CompanySize,
    EventType,
    LeadStatus,
    SegmentStatus,
    UserRole,
)

DEMO_TODAY = date(2024, 2, 26)


@dataclass(frozen=True)
class UserPlan:
    name: str
    role: UserRole


@dataclass(frozen=True)
class NamedContact:
    """A contact the spec lists by name (section 8), kept exactly as listed."""

    name: str
    email: str
    company: str
    company_size: CompanySize
    status: LeadStatus
    city: str
    state: str
    tags: tuple[str, ...]
    title: str
    segment: str


@dataclass(frozen=True)
class CampaignPlan:
    name: str
    status: CampaignStatus
    segment: str
    sent_days_ago: int
    opened: int
    clicked: int
    converted: int
    revenue_cents: int  # total over the campaign's conversions, split evenly


@dataclass(frozen=True)
class SegmentPlan:
    name: str
    description: str
    status: SegmentStatus
    owner: str
    created: date
    last_modified: date
    tags: tuple[str, ...]
    size: int
    engaged: int  # members engaged in the last 30 days (R7.5 Engagement Rate)
    engaged_before: int  # ... in the 30 days before that (the "vs last month" trend)
    converted: int  # members with a conversion (R7.5 Conversion Rate)
    unsubscribed: int
    extra_engagement: EventType  # how members engage outside campaigns
    size_mix: tuple[tuple[CompanySize, int], ...]  # company sizes of members, by weight
    status_mix: tuple[tuple[LeadStatus, int], ...]
    quality: tuple[int, int]  # range of member quality scores


USERS = (
    UserPlan("Sarah Mitchell", UserRole.MARKETING_MANAGER),
    UserPlan("James Carter", UserRole.CRM_ADMINISTRATOR),
    UserPlan("Priya Patel", UserRole.MARKETING_MANAGER),
    UserPlan("Alex Kim", UserRole.VIEWER),
)

E, M, S = CompanySize.ENTERPRISE, CompanySize.MID_MARKET, CompanySize.SMB

SEGMENTS = (
    SegmentPlan(
        name="Enterprise Prospects",
        description="High-value enterprise leads for Q1 2024",
        status=SegmentStatus.ACTIVE,
        owner="Sarah Mitchell",
        created=date(2023, 8, 14),
        last_modified=date(2024, 1, 20),
        tags=("Enterprise", "Q1 2024", "High Value"),
        size=45,
        engaged=34,  # 34/45 = 75.6% -> 76% (spec: 76%)
        engaged_before=32,  # 32/45 = 71.1%: "+4% vs last month" (AC19)
        converted=3,  # 3/45 = 6.7% (spec: 6.7%)
        unsubscribed=1,
        extra_engagement=EventType.MEETING_ATTENDED,
        size_mix=((E, 8), (M, 2)),
        status_mix=((LeadStatus.HOT_LEAD, 4), (LeadStatus.QUALIFIED, 4), (LeadStatus.NURTURING, 2)),
        quality=(72, 98),
    ),
    SegmentPlan(
        name="Inactive Subscribers",
        description="Subscribers who haven't opened emails in 90 days",
        status=SegmentStatus.INACTIVE,
        owner="James Carter",
        created=date(2023, 7, 3),
        last_modified=date(2024, 1, 10),
        tags=("Re-engagement", "Newsletter"),
        size=120,
        engaged=14,  # 14/120 = 11.7% -> 12% (spec: 12%)
        engaged_before=17,
        converted=1,  # 1/120 = 0.8% (spec: 0.8%)
        unsubscribed=9,
        # They haven't opened emails: the few engaged ones replied to sales outreach.
        extra_engagement=EventType.RESPONDED,
        size_mix=((E, 2), (M, 3), (S, 5)),
        status_mix=((LeadStatus.COLD, 6), (LeadStatus.NURTURING, 3), (LeadStatus.NEW, 1)),
        quality=(20, 70),
    ),
    SegmentPlan(
        name="Marketing Engagers",
        description="Contacts who actively engage with marketing content",
        status=SegmentStatus.ACTIVE,
        owner="Priya Patel",
        created=date(2023, 9, 5),
        last_modified=date(2024, 2, 5),
        tags=("Marketing", "Engaged"),
        size=28,
        engaged=24,  # 24/28 = 85.7% -> 86%; 84% is not reachable with 28 members
        engaged_before=22,
        converted=4,  # 4/28 = 14.3%; 12.5% would need 3.5 members (rounded half up)
        unsubscribed=0,
        extra_engagement=EventType.RESPONDED,
        size_mix=((E, 2), (M, 5), (S, 3)),
        status_mix=((LeadStatus.QUALIFIED, 4), (LeadStatus.NURTURING, 4), (LeadStatus.HOT_LEAD, 2)),
        quality=(60, 95),
    ),
    SegmentPlan(
        name="Product Trial Users",
        description="Users currently in a product trial",
        status=SegmentStatus.DRAFT,
        owner="Sarah Mitchell",
        created=date(2023, 10, 16),
        last_modified=date(2024, 2, 20),
        tags=("Trial", "Product"),
        size=62,
        engaged=42,  # 42/62 = 67.7% -> 68% (spec: 68%)
        engaged_before=38,
        converted=5,  # 5/62 = 8.1%; 8.2% is not reachable with 62 members
        unsubscribed=2,
        extra_engagement=EventType.MEETING_ATTENDED,
        size_mix=((E, 1), (M, 4), (S, 5)),
        status_mix=((LeadStatus.QUALIFIED, 3), (LeadStatus.NEW, 4), (LeadStatus.NURTURING, 3)),
        quality=(45, 90),
    ),
)

CAMPAIGNS = (
    # R8, "Campaign Performance": all three use Enterprise Prospects (45 members).
    CampaignPlan("Q1 Enterprise Outreach", CampaignStatus.ACTIVE, "Enterprise Prospects",
                 sent_days_ago=20, opened=32, clicked=12, converted=3, revenue_cents=1_500_000),
    CampaignPlan("Product Demo Campaign", CampaignStatus.PAUSED, "Enterprise Prospects",
                 sent_days_ago=45, opened=28, clicked=8, converted=2, revenue_cents=800_000),
    CampaignPlan("Holiday Promotion", CampaignStatus.COMPLETED, "Enterprise Prospects",
                 sent_days_ago=70, opened=25, clicked=6, converted=1, revenue_cents=250_000),
    # Not in the spec's table; sized so the section 8 "Campaigns Used" counts hold.
    CampaignPlan("Content Newsletter", CampaignStatus.ACTIVE, "Marketing Engagers",
                 sent_days_ago=12, opened=22, clicked=10, converted=3, revenue_cents=360_000),
    CampaignPlan("Trial Onboarding Series", CampaignStatus.ACTIVE, "Product Trial Users",
                 sent_days_ago=15, opened=40, clicked=18, converted=3, revenue_cents=450_000),
    CampaignPlan("Trial Upgrade Offer", CampaignStatus.PAUSED, "Product Trial Users",
                 sent_days_ago=40, opened=30, clicked=11, converted=2, revenue_cents=300_000),
)

NAMED_CONTACTS = (
    # R8, "Contacts", exactly as listed (including its city/state pairs).
    NamedContact("Sarah Johnson", "sarah.johnson@techcorp.com", "TechCorp Solutions", E,
                 LeadStatus.HOT_LEAD, "Boston", "NY", ("Enterprise", "Decision Maker"),
                 "VP of Sales", "Enterprise Prospects"),
    NamedContact("Michael Chen", "m.chen@innovatetech.io", "InnovateTech", S,
                 LeadStatus.QUALIFIED, "San Francisco", "FL", ("Tech", "Startup"),
                 "CTO", "Product Trial Users"),
    NamedContact("Emily Rodriguez", "emily.r@growthco.com", "GrowthCo", S,
                 LeadStatus.NURTURING, "Los Angeles", "CA", ("Marketing", "SMB"),
                 "Marketing Director", "Marketing Engagers"),
    NamedContact("David Thompson", "d.thompson@futuretech.net", "FutureTech Industries", E,
                 LeadStatus.HOT_LEAD, "Boston", "CA", ("Enterprise", "CEO"),
                 "CEO", "Enterprise Prospects"),
)

# R7.9 activity types, as the sample timeline of Enterprise Prospects shows them.
SAMPLE_ACTIVITIES = (
    ("Segment Optimization", "AI suggested adding 6 lookalike enterprise contacts",
     "Lookalike model matched company size, title seniority and engagement.", 9, None),
    ("Deal Created", "Deal created for TechCorp Solutions ($45,000)",
     "Opportunity opened after the Q1 Enterprise Outreach demo.", 6, "Sarah Mitchell"),
    ("Social Engagement", "12 members engaged with the LinkedIn enterprise post",
     "Likes, comments and shares tracked from the company page.", 4, "Priya Patel"),
    ("Phone Outreach", "Called 8 hot leads about Q1 pricing",
     "3 meetings booked, 2 follow-ups scheduled.", 2, "Sarah Mitchell"),
)

SAMPLE_NOTES = (
    ("Sarah Mitchell", 12, "Focus Q1 outreach on decision makers at companies above 1,000 "
     "employees. Legal approved the new enterprise pricing sheet."),
    ("James Carter", 3, "Merged two duplicate records for FutureTech Industries."),
)
