"""The engagement tables: campaigns, the segments they target, and the events (a contact
did something, optionally within a campaign, at a time)."""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    text,
)
from sqlalchemy.sql.elements import ColumnClause

from segtui.core.enums import CampaignStatus, EventType
from segtui.data.db.tables.schema import BigId, Schema, metadata, vocabulary

campaign_segments = Table(
    "campaign_segments",
    metadata,
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "segment_id", ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class Campaign(Schema):
    __tablename__ = "campaigns"

    id: ColumnClause[int] = Column(Integer, primary_key=True)
    name: ColumnClause[str] = Column(String(200), nullable=False)
    status: ColumnClause[CampaignStatus] = Column(
        vocabulary(CampaignStatus, "campaign_status"), nullable=False
    )
    created_at: ColumnClause[datetime] = Column(DateTime, nullable=False)
    version: ColumnClause[int] = Column(Integer, server_default=text("1"), nullable=False)


class EngagementEvent(Schema):
    """A fact: a contact did something (optionally within a campaign) at a time."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_contact", "contact_id", "type", "occurred_at"),
        Index("ix_events_campaign", "campaign_id", "type", "contact_id"),
        # Covering index for "contacts who did X within a window" (rules, metrics): a
        # range scan that never reads the events table itself. With the campaign too, the
        # Performance tab's sends of a window (P7): 690,000 heap rows read through a
        # lossy bitmap on PostgreSQL at a million contacts (0.9-1.9 s) became an index range.
        Index("ix_events_type_time_contact", "type", "occurred_at", "contact_id",
              "campaign_id"),
        # Covering index for "contacts who ever did X" over the whole base (the detail
        # screen's "vs all contacts" conversion baseline): a range scan, no table lookups.
        Index("ix_events_type_contact", "type", "contact_id"),
        # The conversions of a time window with their revenue, from the index alone (the
        # Performance tab's last two 30-day windows, P5): PostgreSQL read the
        # revenue of 32,869 conversions from 25,000 pages of the table at a million
        # contacts (120 ms of CPU, 20 from this index). Partial: only a conversion (2% of
        # the events) writes to it. A query uses it where it names the type as a literal
        # (segment_performance.CONVERTED).
        Index("ix_events_conversions", "occurred_at", "contact_id", "revenue_cents",
              sqlite_where=text("type = 'converted'")),
        CheckConstraint("revenue_cents >= 0", name="revenue_not_negative"),
    )

    id: ColumnClause[int] = Column(BigId, primary_key=True)
    contact_id: ColumnClause[int] = Column(
        Integer, ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False
    )
    campaign_id: ColumnClause[int | None] = Column(
        Integer, ForeignKey("campaigns.id", ondelete="SET NULL")
    )
    type: ColumnClause[EventType] = Column(vocabulary(EventType, "event_type"), nullable=False)
    occurred_at: ColumnClause[datetime] = Column(DateTime, nullable=False)
    revenue_cents: ColumnClause[int | None] = Column(BigInteger)
