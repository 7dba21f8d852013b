"""The schema, as SQLAlchemy 2.x typed ORM models.

The first Alembic migration creates exactly this (tests/data/test_migrations.py proves it).
Conventions:
- Closed vocabularies are stored as their user-visible values with a CHECK constraint.
- Money is integer cents: exact on every engine, no float drift in sums.
- Case-insensitive uniqueness (segment names, tag names) uses a `*_key` column holding the
  case-folded value with a plain UNIQUE index, which behaves the same on SQLite and PostgreSQL.
- Membership keeps history: a row per stay in a segment; `removed_at IS NULL` means "current".
"""

# No `from __future__ import annotations`: declarative mapping reads every `Mapped[...]`
# annotation when the classes are made, at every start of the program, and as strings each
# costs a compile and an eval (about 190 here, 5-8 ms of a command line read, issue 17 §4).

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ColumnElement,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    literal_column,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from segtui.core.contact_keys import PHONE_PUNCTUATION, email_key
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
)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Event ids reach 10M+ on the reference dataset: BIGINT on PostgreSQL, INTEGER (the rowid
# alias, already 64-bit) on SQLite so autoincrement works there.
BigId = BigInteger().with_variant(Integer, "sqlite")


def name_key(value: str) -> str:
    """The case-insensitive identity of a name: trimmed and case-folded."""
    return value.strip().casefold()


def vocabulary(enum: type[StrEnum], name: str) -> Enum:
    """A closed vocabulary column: stores the value text, checked by a CHECK constraint."""
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=max(len(m.value) for m in enum),
        values_callable=lambda e: [m.value for m in e],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


segment_tags = Table(
    "segment_tags",
    Base.metadata,
    Column("segment_id", ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)

contact_tags = Table(
    "contact_tags",
    Base.metadata,
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)

campaign_segments = Table(
    "campaign_segments",
    Base.metadata,
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "segment_id", ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[UserRole] = mapped_column(vocabulary(UserRole, "user_role"))

    @validates("name")
    def _keep_key(self, _: str, value: str) -> str:
        self.name_key = name_key(value)
        return value


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    name_key: Mapped[str] = mapped_column(String(50), unique=True)

    @validates("name")
    def _keep_key(self, _: str, value: str) -> str:
        self.name_key = name_key(value)
        return value


class Company(Base):
    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    size: Mapped[CompanySize | None] = mapped_column(vocabulary(CompanySize, "company_size"))
    industry: Mapped[str | None] = mapped_column(String(100))


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint("quality_score BETWEEN 0 AND 100", name="quality_score_range"),
        # One contact per email (issue 16 §1): the key is the email trimmed and case-folded
        # (core/contact_keys.py), NULL for no email. Imports merge through it with
        # INSERT ... ON CONFLICT, so concurrent imports can't duplicate a contact.
        # Partial: contacts without one (most have no external id) cost the index nothing.
        Index("uq_contacts_email_key", "email_key", unique=True,
              sqlite_where=text("email_key IS NOT NULL")),
        # The id a contact has in the system a file came from (issue 16 §16): one contact
        # each, so `--match external-id` is held by the database like the email.
        Index("uq_contacts_external_id", "external_id", unique=True,
              sqlite_where=text("external_id IS NOT NULL")),
        # Contacts written without their email key (only another program writing the
        # tables does that): the only ones that can share an email with another contact
        # (data/shared_emails.py, issue 17). Empty when segtui writes everything.
        Index("ix_contacts_keyless_email", "email",
              sqlite_where=text("email_key IS NULL AND email IS NOT NULL")),
        # The AI Insights lookalikes (issue 17): contacts at or above a quality score,
        # of a status and at a company, counted from the index alone, and the best
        # ones found by walking it from the top score down.
        Index("ix_contacts_score_status_company", "quality_score", "lead_status",
              "company_id"),
        # The order of every contact list (name, ties by id): a member list's page walks
        # it from the page's edge and checks membership per contact (data/member_page.py,
        # issue 17). The id makes it the whole sort key, so PostgreSQL reads a page's keys
        # from the index alone; SQLite's index holds the id (its rowid) either way.
        Index("ix_contacts_name", "name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    # Kept by `_keep_email_key` for the ORM; Core writers (importer, merge, demo) set it.
    email_key: Mapped[str | None] = mapped_column(String(320))
    external_id: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(50))
    title: Mapped[str | None] = mapped_column(String(200))
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="SET NULL"), index=True
    )
    lead_status: Mapped[LeadStatus] = mapped_column(vocabulary(LeadStatus, "lead_status"))
    lifecycle_stage: Mapped[LifecycleStage | None] = mapped_column(
        vocabulary(LifecycleStage, "lifecycle_stage")
    )
    source: Mapped[SourceChannel | None] = mapped_column(vocabulary(SourceChannel, "source"))
    city: Mapped[str | None] = mapped_column(String(100), index=True)
    state: Mapped[str | None] = mapped_column(String(100), index=True)
    country: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(50))
    quality_score: Mapped[int] = mapped_column(Integer, server_default=text("50"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_contacted_at: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    # Rollups of the contact's events, kept exact by triggers (data/rollups.py, issue 5):
    # the rule fields Total Spent, Purchase Count and Last Activity at a million contacts,
    # and the newest engagement the detail screen's Engagement Rate counts from (issue 4).
    spent_cents: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    purchases: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_activity_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_engaged_at: Mapped[datetime | None] = mapped_column(DateTime)
    # How many of the Quality Score's five fields the contact has filled, kept by triggers
    # on this table (data/completeness.py, issue 4).
    filled_fields: Mapped[int] = mapped_column(Integer, server_default=text("0"))

    company: Mapped[Company | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=contact_tags, order_by=Tag.name)

    __mapper_args__ = {"version_id_col": version}

    @validates("email")
    def _keep_email_key(self, _: str, value: str | None) -> str | None:
        self.email_key = email_key(value)
        return value


def phone_key_of(phone: ColumnElement[str | None]) -> ColumnElement[str | None]:
    """The phone without punctuation in SQL, as core/contact_keys.py's `phone_key`: one
    replace() per character, the same on both engines, written with literals so a query
    states exactly the expression the index holds (PostgreSQL and SQLite use an
    expression index only for the identical expression)."""
    key = phone
    for ch in PHONE_PUNCTUATION:
        key = func.replace(key, literal_column(f"'{ch}'"), literal_column("''"))
    return key


# `--match phone` (issue 16 §16) looks contacts up by their phone's key.
Index("ix_contacts_phone_key", phone_key_of(Contact.__table__.c.phone))


class Segment(Base):
    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(String(500), server_default=text("''"))
    status: Mapped[SegmentStatus] = mapped_column(
        vocabulary(SegmentStatus, "segment_status"), index=True
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    # Dynamic segments (issue 5): the rule as versioned JSON (core/rules.py), and when and
    # how fast its memberships were last brought up to date.
    kind: Mapped[SegmentKind] = mapped_column(
        vocabulary(SegmentKind, "segment_kind"), server_default=text("'Static'")
    )
    rule: Mapped[str | None] = mapped_column(Text)
    evaluated_at: Mapped[datetime | None] = mapped_column(DateTime)
    evaluation_ms: Mapped[int | None] = mapped_column(Integer)

    owner: Mapped[User | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=segment_tags, order_by=Tag.name)

    __mapper_args__ = {"version_id_col": version}

    @validates("name")
    def _keep_key(self, _: str, value: str) -> str:
        self.name_key = name_key(value)
        return value


class Membership(Base):
    """One stay of a contact in a segment. Current when `removed_at` is NULL."""

    __tablename__ = "memberships"
    __table_args__ = (
        # At most one current stay per (segment, contact); past stays are history.
        Index(
            "uq_memberships_current",
            "segment_id",
            "contact_id",
            unique=True,
            sqlite_where=text("removed_at IS NULL"),
        ),
        # Covering index for "members of a segment" and per-segment counts.
        Index("ix_memberships_segment", "segment_id", "removed_at", "contact_id"),
        # Covering index for "segments of a contact" and distinct-member counts.
        Index("ix_memberships_contact", "contact_id", "removed_at", "segment_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    source: Mapped[MembershipSource] = mapped_column(
        vocabulary(MembershipSource, "membership_source")
    )
    added_at: Mapped[datetime] = mapped_column(DateTime)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime)
    removed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


class SegmentExclusion(Base):
    """A contact kept out of a dynamic segment by hand, whatever its rule says. (Kept in
    by hand is a current membership with source 'manual', which a refresh never removes.)"""

    __tablename__ = "segment_exclusions"

    segment_id: Mapped[int] = mapped_column(
        ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[CampaignStatus] = mapped_column(vocabulary(CampaignStatus, "campaign_status"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))

    segments: Mapped[list[Segment]] = relationship(secondary=campaign_segments)

    __mapper_args__ = {"version_id_col": version}


class EngagementEvent(Base):
    """A fact: a contact did something (optionally within a campaign) at a time."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_contact", "contact_id", "type", "occurred_at"),
        Index("ix_events_campaign", "campaign_id", "type", "contact_id"),
        # Covering index for "contacts who did X within a window" (rules, metrics): a
        # range scan that never reads the events table itself. With the campaign too, the
        # Performance tab's sends of a window (issue 17): 690,000 heap rows read through a
        # lossy bitmap on PostgreSQL at a million contacts (0.9-1.9 s) became an index range.
        Index("ix_events_type_time_contact", "type", "occurred_at", "contact_id",
              "campaign_id"),
        # Covering index for "contacts who ever did X" over the whole base (the detail
        # screen's "vs all contacts" conversion baseline): a range scan, no table lookups.
        Index("ix_events_type_contact", "type", "contact_id"),
        CheckConstraint("revenue_cents >= 0", name="revenue_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL")
    )
    type: Mapped[EventType] = mapped_column(vocabulary(EventType, "event_type"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    revenue_cents: Mapped[int | None] = mapped_column(BigInteger)


class Activity(Base):
    """A line of a segment's activity timeline (spec 7.9)."""

    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_segment_time", "segment_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(50))
    description: Mapped[str] = mapped_column(String(500))
    details: Mapped[str] = mapped_column(Text, server_default=text("''"))
    performer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))

    performer: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class Note(Base):
    """A note on a segment (spec 7.10)."""

    __tablename__ = "notes"
    __table_args__ = (Index("ix_notes_segment_time", "segment_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime)

    author: Mapped[User | None] = relationship()


class PendingEvaluation(Base):
    """A re-evaluation owed to the dynamic segments, written in the same transaction as the
    change that makes it due (issue 16 §4), and deleted in the transaction that does it:
    a process killed in between leaves the to-do behind for the next one to finish.

    A row names a contact (re-evaluate every dynamic segment for it: an import or a merge
    changed it or its events) or a segment (re-evaluate it whole: too many contacts changed
    to go one by one). No foreign key to contacts: a contact merged away since needs
    nothing, and an import's contacts may be re-keyed; a segment's rows go with it."""

    __tablename__ = "pending_evaluations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(Integer)
    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("segments.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Setting(Base):
    """Small key/value facts about the database itself (e.g. the demo's reference date)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(String(1000))


def postgresql_partial_indexes() -> None:
    """Give every partial index above its WHERE on PostgreSQL too.

    The classes name it for SQLite alone because naming a `postgresql_*` option makes
    SQLAlchemy import its PostgreSQL dialect with all five of its drivers, which every
    SQLite command, a scripted read included, would wait for (issue 17 §4). The WHERE is
    the same on both engines. Called when a PostgreSQL engine is made; idempotent."""
    for table in Base.metadata.tables.values():
        for index in table.indexes:
            where = index.dialect_options["sqlite"]["where"]
            if where is not None:
                index.dialect_kwargs["postgresql_where"] = where
