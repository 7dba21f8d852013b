"""The ORM classes, mapped onto the tables of data/db/tables/, for code that builds rows as objects
in a Session (Store.orm_session(): the tests' fixtures). The app itself reads and writes the
Core tables of data/db/tables/ and never imports this module, nor `sqlalchemy.orm` (P12:
a scripted read command would spend a third of its time loading them).

The schema is defined once, in data/db/tables/; here are the attributes' types for the type
checker, the relationships, the keys the ORM keeps in step (`name_key`, `email_key`), and
the version counters.
"""

# No `from __future__ import annotations`: declarative mapping reads every `Mapped[...]`
# annotation when the classes are made, and as strings each costs a compile and an eval.

from datetime import datetime

from sqlalchemy.orm import DeclarativeBase, Mapped, relationship, validates

from segtui.core.contact_keys import email_key
from segtui.core.enums import (
    CampaignStatus,
    CompanySize,
    EventType,
    LeadStatus,
    LifecycleStage,
    MembershipSource,
    SegmentKind,
    SegmentStatus,
    SourceChannel,
    UserRole,
    Visibility,
)
from segtui.data.db import tables
from segtui.data.db.tables import campaign_segments, contact_tags, name_key, segment_tags


class Base(DeclarativeBase):
    metadata = tables.metadata


class User(Base):
    __table__ = tables.User.__table__

    id: Mapped[int]
    name: Mapped[str]
    name_key: Mapped[str]
    role: Mapped[UserRole]
    login: Mapped[str | None]
    active: Mapped[bool]
    last_seen_at: Mapped[datetime | None]
    team: Mapped[str | None]

    @validates("name")
    def _keep_key(self, _: str, value: str) -> str:
        self.name_key = name_key(value)
        return value


class Tag(Base):
    __table__ = tables.Tag.__table__

    id: Mapped[int]
    name: Mapped[str]
    name_key: Mapped[str]

    @validates("name")
    def _keep_key(self, _: str, value: str) -> str:
        self.name_key = name_key(value)
        return value


class Company(Base):
    __table__ = tables.Company.__table__

    id: Mapped[int]
    name: Mapped[str]
    size: Mapped[CompanySize | None]
    industry: Mapped[str | None]
    non_ascii_name: Mapped[bool]


class Contact(Base):
    __table__ = tables.Contact.__table__

    id: Mapped[int]
    name: Mapped[str]
    email: Mapped[str | None]
    email_key: Mapped[str | None]
    external_id: Mapped[str | None]
    phone: Mapped[str | None]
    title: Mapped[str | None]
    company_id: Mapped[int | None]
    lead_status: Mapped[LeadStatus]
    lifecycle_stage: Mapped[LifecycleStage | None]
    source: Mapped[SourceChannel | None]
    city: Mapped[str | None]
    state: Mapped[str | None]
    country: Mapped[str | None]
    region: Mapped[str | None]
    quality_score: Mapped[int]
    created_at: Mapped[datetime]
    last_contacted_at: Mapped[datetime | None]
    version: Mapped[int]
    spent_cents: Mapped[int]
    purchases: Mapped[int]
    last_activity_at: Mapped[datetime | None]
    last_engaged_at: Mapped[datetime | None]
    filled_fields: Mapped[int]
    non_ascii_text: Mapped[bool]

    company: Mapped[Company | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=contact_tags, order_by=Tag.name)

    __mapper_args__ = {"version_id_col": tables.Contact.version}

    @validates("email")
    def _keep_email_key(self, _: str, value: str | None) -> str | None:
        self.email_key = email_key(value)
        return value


class Segment(Base):
    __table__ = tables.Segment.__table__

    id: Mapped[int]
    name: Mapped[str]
    name_key: Mapped[str]
    description: Mapped[str]
    status: Mapped[SegmentStatus]
    owner_id: Mapped[int | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int]
    kind: Mapped[SegmentKind]
    rule: Mapped[str | None]
    evaluated_at: Mapped[datetime | None]
    evaluation_ms: Mapped[int | None]
    evaluation_error: Mapped[str | None]
    evaluation_failed_at: Mapped[datetime | None]
    visibility: Mapped[Visibility]
    archived_at: Mapped[datetime | None]

    owner: Mapped[User | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=segment_tags, order_by=Tag.name)

    __mapper_args__ = {"version_id_col": tables.Segment.version}

    @validates("name")
    def _keep_key(self, _: str, value: str) -> str:
        self.name_key = name_key(value)
        return value


class Membership(Base):
    __table__ = tables.Membership.__table__

    id: Mapped[int]
    segment_id: Mapped[int]
    contact_id: Mapped[int]
    source: Mapped[MembershipSource]
    added_at: Mapped[datetime]
    added_by_id: Mapped[int | None]
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None]
    added_why: Mapped[str | None]
    left_why: Mapped[str | None]


class SegmentExclusion(Base):
    __table__ = tables.SegmentExclusion.__table__

    segment_id: Mapped[int]
    contact_id: Mapped[int]
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None]


class Campaign(Base):
    __table__ = tables.Campaign.__table__

    id: Mapped[int]
    name: Mapped[str]
    status: Mapped[CampaignStatus]
    created_at: Mapped[datetime]
    version: Mapped[int]

    segments: Mapped[list[Segment]] = relationship(secondary=campaign_segments)

    __mapper_args__ = {"version_id_col": tables.Campaign.version}


class EngagementEvent(Base):
    __table__ = tables.EngagementEvent.__table__

    id: Mapped[int]
    contact_id: Mapped[int]
    campaign_id: Mapped[int | None]
    type: Mapped[EventType]
    occurred_at: Mapped[datetime]
    revenue_cents: Mapped[int | None]


class Activity(Base):
    __table__ = tables.Activity.__table__

    id: Mapped[int]
    segment_id: Mapped[int]
    type: Mapped[str]
    description: Mapped[str]
    details: Mapped[str]
    performer_id: Mapped[int | None]
    created_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]
    version: Mapped[int]

    performer: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": tables.Activity.version}


class Note(Base):
    __table__ = tables.Note.__table__

    id: Mapped[int]
    segment_id: Mapped[int]
    body: Mapped[str]
    author_id: Mapped[int | None]
    created_at: Mapped[datetime]

    author: Mapped[User | None] = relationship()


class PendingEvaluation(Base):
    __table__ = tables.PendingEvaluation.__table__

    id: Mapped[int]
    contact_id: Mapped[int | None]
    segment_id: Mapped[int | None]
    created_at: Mapped[datetime]


class Setting(Base):
    __table__ = tables.Setting.__table__

    key: Mapped[str]
    value: Mapped[str]
