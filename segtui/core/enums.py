"""Closed vocabularies of the domain. Values are what users see and what the database stores."""

from __future__ import annotations

from enum import StrEnum


class SegmentStatus(StrEnum):
    ACTIVE = "Active"
    INACTIVE = "Inactive"
    DRAFT = "Draft"


class SegmentKind(StrEnum):
    """D1.4.1 "Segment Types": static (hand-picked) or dynamic (kept to a rule)."""

    STATIC = "Static"
    DYNAMIC = "Dynamic"


class LeadStatus(StrEnum):
    NEW = "New"
    NURTURING = "Nurturing"
    QUALIFIED = "Qualified"
    HOT_LEAD = "Hot Lead"
    CUSTOMER = "Customer"
    COLD = "Cold"


class CompanySize(StrEnum):
    ENTERPRISE = "Enterprise"
    MID_MARKET = "Mid-Market"
    SMB = "SMB"


class LifecycleStage(StrEnum):
    """D1.4.1, "Lifecycle Stage"."""

    NEW = "New"
    ENGAGED = "Engaged"
    CUSTOMER = "Customer"
    ADVOCATE = "Advocate"
    INACTIVE = "Inactive"


class SourceChannel(StrEnum):
    """D1.4.1, "Source Channel"."""

    SUBSCRIPTION = "subscription"
    POST_PURCHASE = "post_purchase"
    DIRECT = "direct"
    REFERRAL = "referral"


class CampaignStatus(StrEnum):
    ACTIVE = "Active"
    PAUSED = "Paused"
    COMPLETED = "Completed"


class EventType(StrEnum):
    SENT = "sent"
    OPENED = "opened"
    CLICKED = "clicked"
    RESPONDED = "responded"
    MEETING_ATTENDED = "meeting_attended"
    CONVERTED = "converted"
    UNSUBSCRIBED = "unsubscribed"


class MembershipSource(StrEnum):
    MANUAL = "manual"
    RULE = "rule"


class Visibility(StrEnum):
    """C19.3.2: who sees a segment (besides administrators, who see every one)."""

    EVERYONE = "Everyone"
    TEAM = "Owner's team"  # users with the owner's team
    PRIVATE = "Private"  # its owner only


class UserRole(StrEnum):
    MARKETING_MANAGER = "Marketing Manager"
    CRM_ADMINISTRATOR = "CRM Administrator"
    VIEWER = "Viewer"


# Engagement Rate (R7.5): a member is "engaged" when they did any of these in the window.
ENGAGEMENT_EVENTS: tuple[EventType, ...] = (
    EventType.OPENED,
    EventType.RESPONDED,
    EventType.MEETING_ATTENDED,
)

# Anything a contact does, as opposed to what is done to them (a send) or opting out: the
# "action" of R7.7's Segment Health. Listed positively so SQL can seek an index on type.
ACTION_EVENTS: tuple[EventType, ...] = tuple(
    t for t in EventType if t not in (EventType.SENT, EventType.UNSUBSCRIBED)
)


class TokenScope(StrEnum):
    """C21.2.1: what an API token may do: read, or read and write."""

    READ = "read"
    WRITE = "write"


class WebhookEvents(StrEnum):
    """C21.3.1: which membership changes a webhook subscription is sent."""

    ENTERED = "entered"
    LEFT = "left"
    BOTH = "both"


class DeliveryStatus(StrEnum):
    """C21.3.2: a webhook delivery waits in the outbox (pending: not yet sent, or to be
    retried), was delivered (the receiver answered 2xx), or gave up (dead) after the
    subscription's attempts ran out; `segtui webhooks retry` sends a dead one again."""

    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"
